// The page in headless Chromium: loading, training on both backends, the panels, the controls,
// and what happens on bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, waitForState, setSettings, inkOf, SMALL, smallComparison, trainAutoencoderAndFlow, withTensors, flowSample, setField } from './harness.mjs';
import { SETTINGS } from '../../www/pkg/tables.js';

let server, url, browser;
before(async () => {
  ({ server, url } = await startServer());
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

async function trainSmall(page, settings = SMALL) {
  await setSettings(page, settings);
  await page.click('#train');
  await waitForState(page, ['done'], 300_000);
  return page.evaluate(() => ({ losses: window.lab.losses, tests: window.lab.testLosses, errors: window.lab.errors }));
}

function assertLossFell(losses) {
  assert.ok(losses.length >= 5, `too few steps: ${losses.length}`);
  assert.ok(losses.every(Number.isFinite), 'every loss is finite');
  const first = losses[0], last = losses.at(-1);
  assert.ok(first > 400, `an untrained autoencoder costs ~543 nats, got ${first}`);
  assert.ok(last < 0.8 * first, `loss should fall: ${first} → ${last}`);
}

test('the page loads on WebGPU with no console errors and names its adapter', async () => {
  const { page, errors } = await openPage(browser, `${url}?pretrained=0&backend=gpu`);
  await waitForState(page, ['idle']);
  const lab = await page.evaluate(() => ({ backend: window.lab.backend, adapter: window.lab.adapter }));
  assert.equal(lab.backend, 'gpu');
  assert.match(lab.adapter, /^WebGPU/);
  assert.match(await page.textContent('#adapter'), /WebGPU/);
  assert.equal(await page.isVisible('#notice'), false);
  assert.deepEqual(errors, []);
  await page.close();
});

test('training on WebGPU lowers the loss and draws both digit panels', async () => {
  const { page, errors } = await openPage(browser, `${url}?pretrained=0&backend=gpu`);
  await waitForState(page, ['idle']);
  const { losses, tests } = await trainSmall(page);
  assertLossFell(losses);
  assert.equal(tests.length, 1, 'one test loss per epoch');
  await page.waitForFunction(() => window.lab.drawn.reconstructions > 0 && window.lab.drawn.autoencoder > 0);
  assert.ok(await inkOf(page, '#reconstructions') > 500, 'reconstructions are drawn');
  assert.ok(await inkOf(page, '#samples') > 200, 'samples are drawn');
  assert.deepEqual(errors, []);
  await page.close();
});

test('switching to the CPU backend in the page trains there, and lowers the loss too', async () => {
  const { page, errors } = await openPage(browser, `${url}?pretrained=0&backend=gpu`);
  await waitForState(page, ['idle']);
  assert.equal(await page.evaluate(() => window.lab.backend), 'gpu');
  await setField(page, '#backend', 'cpu');
  await page.waitForFunction(() => window.lab.adapter === 'CPU (WebAssembly)');
  assert.equal(await page.evaluate(() => window.lab.backend), 'cpu');
  assert.equal(await page.textContent('#adapter'), 'CPU (WebAssembly)');
  const { losses } = await trainSmall(page);
  assertLossFell(losses);
  assert.ok(await inkOf(page, '#reconstructions') > 500);
  assert.deepEqual(errors, []);
  await page.close();
});

test('Pause stops progress and Resume continues it', async () => {
  const { page } = await openPage(browser, `${url}?pretrained=0&backend=cpu`);
  await waitForState(page, ['idle']);
  await setSettings(page, { ...SMALL, train_images: 10000, epochs: 3, batch_size: 100 });
  await page.click('#train');
  await page.waitForFunction(() => (window.lab.lastProgress?.step ?? 0) >= 3, null, { timeout: 60_000 });
  const clicked = Date.now();
  await page.click('#pause');
  await waitForState(page, ['paused'], 5_000);
  const pausedWithin = Date.now() - clicked;
  assert.ok(pausedWithin < 1000, `pause took ${pausedWithin} ms`);
  const atPause = await page.evaluate(() => window.lab.lastProgress.step);
  await page.waitForTimeout(1500);
  assert.equal(await page.evaluate(() => window.lab.lastProgress.step), atPause, 'no steps while paused');
  assert.equal(await page.textContent('#pause'), 'Resume');
  // Step: one optimizer step at a time, and still paused.
  for (const expected of [atPause + 1, atPause + 2]) {
    await page.click('#step');
    await page.waitForFunction((s) => window.lab.lastProgress.step === s, expected, { timeout: 30_000 });
  }
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => window.lab.lastProgress.step), atPause + 2, 'a step is one step');
  assert.equal(await page.evaluate(() => window.lab.state), 'paused');
  await page.click('#pause');
  await page.waitForFunction((s) => window.lab.lastProgress.step > s, atPause, { timeout: 30_000 });
  await page.click('#stop');
  await waitForState(page, ['stopped'], 5_000);
  await page.close();
});

test('without WebGPU the page falls back to the CPU with a visible notice', async () => {
  const plain = await launch({ webgpu: false });
  try {
    const { page } = await openPage(plain, `${url}?pretrained=0`);
    await waitForState(page, ['idle']);
    assert.equal(await page.evaluate(() => window.lab.backend), 'cpu');
    assert.equal(await page.isVisible('#notice'), true);
    assert.match(await page.textContent('#notice'), /CPU.*WebGPU/);
    assert.equal(await page.isDisabled('#backend option[value=gpu]'), true);
    const { losses } = await trainSmall(page, { ...SMALL, train_images: 500, epochs: 1 });
    assertLossFell(losses);
  } finally {
    await plain.close();
  }
});

test('bad settings are refused with a message, and the page keeps working', async () => {
  const { page } = await openPage(browser, `${url}?pretrained=0&backend=cpu`);
  await waitForState(page, ['idle']);
  await setSettings(page, { epochs: '-5' });
  await page.click('#train');
  assert.match(await page.textContent('#settings-error'), /Epochs must be a whole number from 1 to 1000/);
  assert.equal(await page.getAttribute('#settings [name=epochs]', 'aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => window.lab.state), 'idle');
  await setSettings(page, { epochs: 1, learning_rate: '' });
  await page.click('#train');
  assert.match(await page.textContent('#settings-error'), /Learning rate must be a number from/);
  assert.equal(await page.getAttribute('#settings [name=epochs]', 'aria-invalid'), 'false');
  // A value the form lets through but the library refuses still comes back as a message.
  await page.evaluate(() => window.lab.send({ type: 'start', config: { batch_size: 1 } }));
  await page.waitForFunction(() => window.lab.errors.length > 0);
  assert.match(await page.evaluate(() => window.lab.errors.at(-1)), /batch size must be between 2/);
  const { losses } = await trainSmall(page);
  assert.ok(losses.length > 0, 'training still works after the refusals');
  await page.close();
});

test('a corrupt data file gives a clear message', async () => {
  const page = await browser.newPage();
  await page.route('**/data/mnist-test.bits.gz', async (route) => {
    const response = await route.fetch();
    const body = await response.body();
    await route.fulfill({ response, body: body.subarray(0, body.length - 20) });
  });
  await page.route('**/data/mnist-train.bits.gz', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.goto(`${url}?pretrained=0&backend=cpu`);
  await page.waitForFunction(() => window.lab.errors.length > 0, null, { timeout: 60_000 });
  const message = await page.evaluate(() => window.lab.errors[0]);
  assert.match(message, /(mnist-train\.bits\.gz.*HTTP 404|mnist-test\.bits\.gz.*corrupt or truncated)/);
  assert.equal(await page.isVisible('#error'), true);
  await page.close();
});

test('a panic in the worker is reported and a fresh worker takes over', async () => {
  const { page } = await openPage(browser, `${url}?pretrained=0&backend=cpu`);
  await waitForState(page, ['idle']);
  await page.evaluate(() => window.lab.send({ type: 'crash' }));
  await page.waitForFunction(() => window.lab.errors.some((e) => /crashed[\s\S]*deliberate panic/.test(e)), null, { timeout: 30_000 });
  await waitForState(page, ['idle'], 60_000);
  const { losses } = await trainSmall(page);
  assert.ok(losses.length > 0, 'the new worker trains');
  await page.close();
});

test('a hung worker is noticed, reported and replaced; one that keeps failing is given up on, with a message', async () => {
  const { page } = await openPage(browser, `${url}?pretrained=0&backend=cpu`);
  await waitForState(page, ['idle']);
  await page.evaluate(() => window.lab.send({ type: 'hang' }));
  await page.waitForFunction(() => window.lab.errors.some((e) => /stopped answering/.test(e)), null, { timeout: 45_000 });
  await waitForState(page, ['idle'], 60_000);
  const { losses } = await trainSmall(page);
  assert.ok(losses.length > 0, 'the fresh worker trains');
  // Three more failures within two minutes: two more restarts, then none.
  for (let failure = 2; failure <= 4; failure++) {
    await waitForState(page, ['idle', 'done'], 60_000);
    const before = await page.evaluate(() => window.lab.errors.length);
    await page.evaluate(() => window.lab.send({ type: 'crash' }));
    await page.waitForFunction((n) => window.lab.errors.length > n, before, { timeout: 30_000 });
  }
  const last = await page.evaluate(() => window.lab.errors.at(-1));
  assert.match(last, /not restarted again: reload the page/);
  await new Promise((resolve) => setTimeout(resolve, 9000));   // longer than any restart pause
  assert.equal(await page.evaluate(() => window.lab.state), 'loading', 'no fifth worker');
  assert.equal(await page.evaluate(() => window.lab.gaveUp), true);
  await page.close();
});

test('settings that need more memory than a tab has are refused before training, with a figure', async () => {
  const { page, errors } = await openPage(browser, `${url}?backend=cpu`);
  await page.waitForFunction(() => window.lab.loaded?.origin === 'pretrained' && !document.getElementById('train-flow').disabled, null, { timeout: 60_000 });
  // What crashed a tab (issue 12): 32 coupling layers, 4,096 wide, 4,096 codes a step.
  for (const [name, value] of [['layers', 32], ['hidden', 4096], ['batch_size', 4096]]) {
    await setField(page, `#flow-settings [name=${name}]`, String(value));
  }
  await page.click('#train-flow');
  await page.waitForFunction(() => window.lab.errors.length > 0, null, { timeout: 30_000 });
  const message = await page.evaluate(() => window.lab.errors.at(-1));
  assert.match(message, /need about 8,\d{3} MB of memory, more than the 3,072 MB/);
  assert.ok(await page.isVisible('#error'), 'the message is on the page');
  assert.equal(await page.evaluate(() => window.lab.loaded.origin), 'pretrained', 'the loaded models are untouched');
  // Settings that fit train at once.
  await setField(page, '#flow-settings [name=layers]', '2');
  await setField(page, '#flow-settings [name=hidden]', '16');
  await setField(page, '#flow-settings [name=batch_size]', '100');
  await setField(page, '#flow-settings [name=epochs]', '1');
  await page.click('#train-flow');
  await page.waitForFunction(() => window.lab.phase === 'flow' && window.lab.state === 'done', null, { timeout: 120_000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a lost GPU is said in plain words, the page continues on the CPU with the kept models, and WebGPU can be chosen again', async () => {
  const { page } = await openPage(browser, `${url}?backend=gpu`);
  await page.waitForFunction(() => window.lab.loaded?.origin === 'pretrained' && window.lab.backend === 'gpu' && window.lab.state === 'done', null, { timeout: 120_000 });
  await page.evaluate(() => window.lab.send({ type: 'lose-gpu' }));
  await page.waitForFunction(() => window.lab.errors.some((e) => /The GPU was lost/.test(e)), null, { timeout: 30_000 });
  const message = await page.evaluate(() => window.lab.errors.find((e) => /The GPU was lost/.test(e)));
  assert.match(message, /continuing on the CPU[\s\S]*Choose WebGPU under Backend/);
  assert.doesNotMatch(message, /poisoned|Backtrace|wgpu/i, 'no raw wgpu text');
  await page.waitForFunction(() => window.lab.backend === 'cpu' && window.lab.loaded?.origin === 'pretrained' && window.lab.state === 'done', null, { timeout: 120_000 });
  assert.equal(await page.inputValue('#backend'), 'cpu', 'the menu says what trains now');
  // A fresh run each time (the state is 'done' already, after the models loaded).
  const trainAnew = async () => {
    await page.evaluate(() => { window.previousRun = window.lab.run; });
    await setSettings(page, SMALL);
    await page.click('#train');
    await page.waitForFunction(() => window.lab.run !== window.previousRun && window.lab.state === 'done' && window.lab.losses.length > 0, null, { timeout: 300_000 });
    return page.evaluate(() => window.lab.losses);
  };
  assert.ok((await trainAnew()).every(Number.isFinite), 'training goes on, on the CPU');
  await setField(page, '#backend', 'gpu');
  await page.waitForFunction(() => window.lab.backend === 'gpu' && (window.lab.state === 'idle' || window.lab.state === 'done'), null, { timeout: 120_000 });
  assert.ok((await trainAnew()).every(Number.isFinite), 'and on a new WebGPU device');
  await page.close();
});

test('the FCD classifier loads in the page, is at least 99% accurate there, and scores real digits', async () => {
  const page = await browser.newPage();
  await page.goto(`${url}?pretrained=0&backend=cpu`);
  await waitForState(page, ['idle']);
  await page.evaluate(() => window.lab.send({ type: 'check-classifier', count: 10000 }));
  await page.waitForFunction(() => window.lab.classifierCheck, null, { timeout: 300_000 });
  const check = await page.evaluate(() => window.lab.classifierCheck);
  assert.ok(check.accuracy >= 0.99, `accuracy in the browser: ${check.accuracy}`);
  assert.ok(Math.abs(check.accuracy - check.recorded) <= 0.001, `browser ${check.accuracy}, native ${check.recorded}`);
  // Real training digits against test digits, the floor of the FCD table, score far better than
  // a briefly trained autoencoder decoding z ~ N(0, I).
  await page.evaluate(() => window.lab.send({ type: 'fcd', model: 'real', count: 1000 }));
  await page.waitForFunction(() => window.lab.fcd.real, null, { timeout: 300_000 });
  await trainSmall(page);
  await page.evaluate(() => window.lab.send({ type: 'fcd', model: 'prior', count: 1000 }));
  await page.waitForFunction(() => window.lab.fcd.prior, null, { timeout: 300_000 });
  const { real, prior } = await page.evaluate(() => ({ real: window.lab.fcd.real.value, prior: window.lab.fcd.prior.value }));
  assert.ok(Number.isFinite(real) && real > 0, `real-data FCD ${real}`);
  assert.ok(real < 0.5 * prior, `real digits ${real} should score far better than N(0, I) decodings ${prior}`);
  // Scoring a model that does not exist yet is refused with a message.
  await page.evaluate(() => window.lab.send({ type: 'fcd', model: 'wgan', count: 100 }));
  await page.waitForFunction(() => window.lab.errors.some((e) => /no generator \(AdvAE\) yet: train it first/.test(e)));
  await page.close();
});

test('the VAE and AAE baselines train in the page, draw samples and can be scored', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${url}?pretrained=0&backend=cpu`);
  await waitForState(page, ['idle']);
  await setSettings(page, { ...SMALL, train_images: 2000 });
  for (const kind of ['vae', 'aae']) {
    await setField(page, `#${kind}-settings [name=epochs]`, '3');
    assert.equal(await page.isDisabled(`#train-${kind}`), false, 'a baseline needs no autoencoder first');
    await page.click(`#train-${kind}`);
    await page.waitForFunction((k) => window.lab[k].lastProgress?.done && window.lab.state === 'done', kind, { timeout: 300_000 });
    const run = await page.evaluate((k) => window.lab[k], kind);
    assert.equal(run.testLosses.length, 3, `${kind}: a test loss per epoch`);
    assert.ok(run.losses.every(Number.isFinite), `${kind}: finite losses`);
    assert.ok(run.testLosses[2][1] < run.testLosses[0][1], `${kind}: test loss should fall: ${JSON.stringify(run.testLosses)}`);
    if (kind === 'aae') assert.equal(run.generatorLosses.length, run.losses.length, 'one adversarial step per batch');
    await page.waitForFunction((k) => window.lab.drawn[k] > 0, kind);
    assert.ok(await inkOf(page, `#${kind}-samples`) > 200, `${kind} samples are drawn`);
    await page.evaluate((k) => window.lab.send({ type: 'fcd', model: k, count: 500 }), kind);
    await page.waitForFunction((k) => window.lab.fcd[k], kind, { timeout: 300_000 });
    assert.ok(Number.isFinite(await page.evaluate((k) => window.lab.fcd[k].value, kind)));
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('Compare all on a small subset fills every row of the FCD table, copies it, and maps the latent space', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${url}?pretrained=0&backend=cpu`);
  await waitForState(page, ['idle']);
  await smallComparison(page);
  await page.click('#compare');
  await page.waitForFunction(() => /^Done in/.test(document.getElementById('compare-text').textContent), null, { timeout: 600_000 });
  const table = await page.evaluate(() => window.lab.table);
  assert.deepEqual(Object.keys(table).sort(), ['aae', 'flow', 'real', 'vae', 'wgan']);
  for (const [model, value] of Object.entries(table)) assert.ok(Number.isFinite(value) && value > 0, `${model}: ${value}`);
  assert.ok(table.real < Math.min(table.flow, table.wgan, table.aae, table.vae), `real digits score best: ${JSON.stringify(table)}`);
  const cells = await page.$$eval('#fcd-table td.fcd', (tds) => tds.map((td) => td.textContent));
  assert.ok(cells.every((c) => /^\d+\.\d\d \(500 samples\)$/.test(c)), `table cells: ${cells}`);
  await page.click('#copy-markdown');
  await page.waitForFunction(() => window.lab.copied);
  const markdown = await page.evaluate(() => window.lab.copied);
  assert.match(markdown, /^\| Model \| FCD \(here\) \| FCD \(paper\) \|/);
  assert.equal(markdown.split('\n').length, 7, 'a header, a rule and five rows');

  // The latent map of the autoencoder under FlowAE and AdvAE: PCA at once, then t-SNE, with
  // the flow's, the WGAN's and N(0, I) codes laid over the digits.
  await setField(page, '#map-settings [name=digits]', '1000');
  await setField(page, '#map-settings [name=overlay]', '200');
  await page.click('#map-draw');
  await page.waitForFunction(() => window.lab.map.map !== null, null, { timeout: 60_000 });
  const preview = await page.evaluate(() => {
    const m = window.lab.map.map;
    return { labels: m.labels.length, overlays: m.overlays, points: m.preview.length, finite: m.preview.every(Number.isFinite),
      agreement: m.code_agreement, running: window.lab.map.running };
  });
  assert.equal(preview.labels, 1000);
  assert.deepEqual(preview.overlays.map((o) => [o.name, o.start, o.count]), [['flow', 1000, 200], ['wgan', 1200, 200], ['prior', 1400, 200]]);
  assert.ok(preview.points === 2 * 1600 && preview.finite, 'every point has a finite PCA position');
  assert.ok(preview.agreement > 0.5, `the codes keep labels together: ${preview.agreement}`);
  assert.ok(await inkOf(page, '#map-canvas') > 500, 'the PCA preview is drawn');
  assert.equal(await page.isDisabled('#map-stop'), false);
  await page.waitForFunction(() => window.lab.map.agreement !== null, null, { timeout: 300_000 });
  const tsne = await page.evaluate(() => ({ ...window.lab.map, map: null, embedding: [...window.lab.map.embedding] }));
  assert.equal(tsne.iteration, 1000);
  assert.ok(tsne.embedding.length === 2 * 1600 && tsne.embedding.every(Number.isFinite));
  assert.ok(tsne.agreement > 0.5, `the t-SNE map keeps labels together: ${tsne.agreement}`);
  assert.match(await page.textContent('#map-progress-text'), /t-SNE done/);
  assert.equal(await page.inputValue('#map-view'), 'tsne');
  // A click on the t-SNE map decodes the nearest point with the autoencoder's decoder.
  await page.click('#map-canvas', { position: { x: 100, y: 100 } });
  await page.waitForFunction(() => window.lab.map.decoded, null, { timeout: 30_000 });
  assert.equal(await page.evaluate(() => window.lab.map.decoded.pixels.length), 784);
  assert.ok(await page.evaluate(() => Number.isInteger(window.lab.map.decoded.nearest)));
  assert.match(await page.textContent('#map-decoded-text'), /Decoded: the nearest point/);
  const before = await inkOf(page, '#map-canvas');
  await page.uncheck('#map-layers [name=digits]');
  assert.ok(await inkOf(page, '#map-canvas') < before, 'hiding the digits leaves only the overlays');

  // The VAE's codes, and Stop: the run ends where it is.
  await setField(page, '#map-settings [name=source]', 'vae');
  await setField(page, '#map-settings [name=digits]', '2000');
  await page.click('#map-draw');
  await page.waitForFunction(() => window.lab.map.iteration > 0, null, { timeout: 60_000 });
  assert.deepEqual(await page.evaluate(() => window.lab.map.map.overlays.map((o) => o.name)), ['prior']);
  await page.click('#map-stop');
  await page.waitForFunction(() => !window.lab.map.running);
  assert.match(await page.textContent('#map-progress-text'), /t-SNE stopped at iteration \d+ of 1000/);
  assert.ok(await page.evaluate(() => window.lab.map.iteration) < 1000);
  assert.deepEqual(errors, []);
  await page.close();
});

test('after a short autoencoder phase, a flow then a WGAN phase on WebGPU learn and draw samples', async () => {
  const { page, errors } = await openPage(browser, `${url}?pretrained=0&backend=gpu`);
  await waitForState(page, ['idle']);
  await trainSmall(page);
  assert.equal(await page.isDisabled('#train-flow'), false, 'Train flow is offered once the autoencoder is trained');
  for (const [name, value] of Object.entries({ layers: 3, hidden: 32, epochs: 2, batch_size: 50, learning_rate: 0.005 })) {
    await setField(page, `#flow-settings [name=${name}]`, String(value));
  }
  await page.click('#train-flow');
  await page.waitForFunction(() => window.lab.flow.lastProgress?.done && window.lab.state === 'done', null, { timeout: 300_000 });
  const flow = await page.evaluate(() => window.lab.flow);
  assert.equal(flow.testLosses.length, 2, 'a held-out NLL per epoch');
  assert.ok(flow.losses.every(Number.isFinite));
  assert.ok(flow.losses.at(-1) < flow.losses[0], `NLL should fall: ${flow.losses[0]} → ${flow.losses.at(-1)}`);
  await page.waitForFunction(() => window.lab.drawn.flow > 0);
  assert.ok(await inkOf(page, '#flow-samples') > 200, 'FlowAE samples are drawn');
  // Invertibility on WebGPU itself: F⁻¹(F(z0)) ≈ z0.
  await page.evaluate(() => window.lab.send({ type: 'check-flow' }));
  await page.waitForFunction(() => window.lab.flowCheck !== undefined);
  const roundTrip = await page.evaluate(() => window.lab.flowCheck);
  assert.ok(roundTrip <= 1e-4, `round-trip error on WebGPU: ${roundTrip}`);
  // The temperature slider resamples without retraining; T = 0 collapses every sample to F(0).
  const before = await page.evaluate(() => window.lab.drawn.flow);
  await page.fill('#temperature', '0');
  await page.waitForFunction((n) => window.lab.drawn.flow > n, before);

  // AdvAE on the same frozen codes. A bad setting is refused by the library with a message.
  await page.evaluate(() => window.lab.send({ type: 'start', phase: 'wgan', config: { critic_steps: 0 } }));
  await page.waitForFunction(() => window.lab.errors.some((e) => /critic steps per generator step must be between/.test(e)));
  await setField(page, '#wgan-settings [name=loss]', 'non-saturating');
  assert.equal(await page.isDisabled('#wgan-settings [name=lambda]'), true, 'λ belongs to WGAN-GP only');
  await setField(page, '#wgan-settings [name=loss]', 'wasserstein');
  assert.equal(await page.isDisabled('#wgan-settings [name=lambda]'), false);
  for (const [name, value] of Object.entries({ epochs: 1, batch_size: 50, critic_steps: 4, generator_hidden: 64 })) {
    await setField(page, `#wgan-settings [name=${name}]`, String(value));
  }
  await page.click('#train-wgan');
  await page.waitForFunction(() => window.lab.wgan.lastProgress?.done && window.lab.state === 'done', null, { timeout: 300_000 });
  const wgan = await page.evaluate(() => window.lab.wgan);
  // 500 codes in batches of 50: 10 critic steps, a generator step after every 4 and at the end.
  assert.equal(wgan.losses.length, 3, 'one record per generator step');
  for (const series of [wgan.losses, wgan.generatorLosses, wgan.wasserstein]) {
    assert.equal(series.length, 3);
    assert.ok(series.every(Number.isFinite), `finite: ${series}`);
  }
  assert.equal(wgan.testLosses.length, 1, 'a held-out critic score per epoch');
  await page.waitForFunction(() => window.lab.drawn.wgan > 0);
  assert.ok(await inkOf(page, '#wgan-samples') > 200, 'AdvAE samples are drawn');
  assert.equal(await page.isVisible('#nll-copy'), true, "the flow's NLL is shown beside the critic's estimate");
  assert.equal(await page.isVisible('#flow-copy-figure'), true, 'FlowAE samples are shown beside AdvAE samples');
  assert.deepEqual(errors, []);
  await page.close();
});

/** FlowAE samples at `seed` as the worker draws them now (pixel probabilities). */

test('the shelf keeps runs and named saves: a new run replaces nothing, entries load and delete, a damaged one is marked and passed over', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${url}?pretrained=0&backend=cpu`);
  await waitForState(page, ['idle']);
  const shelf = () => page.evaluate(async () => (await import('./models-store.js')).entries());
  const kept = (n) => page.waitForFunction((k) => window.lab.kept >= k, n, { timeout: 60_000 });
  // A first run: the autoencoder, then a flow (one entry, its snapshot replaced by the second).
  await trainAutoencoderAndFlow(page);
  await kept(2);
  const first = await flowSample(page, 77);
  assert.deepEqual((await shelf()).map((e) => e.models), [['autoencoder', 'flow']], "a run's phases make one entry");
  // Kept under a name.
  await page.click('#shelf summary');
  await page.fill('#shelf [name=shelf-name]', 'lesson 1');
  await page.click('#shelf .shelf-keep');
  await kept(3);
  // A new run, stopped at once, is a new entry: the trained models are not replaced. (Long
  // enough that it cannot end before Stop: one epoch of 500 digits takes well under a second.)
  await setSettings(page, { epochs: 50 });
  await page.click('#train');
  await waitForState(page, ['training'], 60_000);
  await page.click('#stop');
  await waitForState(page, ['stopped'], 60_000);
  await kept(4);
  let entries = await shelf();
  assert.equal(entries.length, 3, JSON.stringify(entries));
  assert.deepEqual(entries.map((e) => [e.name, e.models]), [[null, ['autoencoder']], ['lesson 1', ['autoencoder', 'flow']], [null, ['autoencoder', 'flow']]]);
  assert.match(entries[2].about, /^500 digits, 1 epoch$/);
  assert.equal(await page.locator('#shelf li').count(), 3, 'each entry has its line');
  // Load the first run back from the shelf: it samples exactly as before.
  await page.locator(`#shelf li[data-id="${entries[2].id}"] button`, { hasText: 'Load' }).click();
  await page.waitForFunction(() => window.lab.loaded?.origin === 'saved' && window.lab.loaded.models.includes('flow'), null, { timeout: 60_000 });
  assert.deepEqual(await flowSample(page, 77), first);
  // Delete the named save.
  await page.locator(`#shelf li[data-id="${entries[1].id}"] button`, { hasText: 'Delete' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#shelf li').length === 2);
  entries = await shelf();
  assert.ok(entries.every((e) => e.name === null), 'the named save is gone');
  // Damage the newest entry's bytes: the next visit says so, marks it (it is kept, for the
  // visitor to delete) and opens the newest good entry instead.
  await page.evaluate(async (id) => {
    const { set } = await import('./vendor/idb-keyval.js');
    await set(`flowae-shelf:${id}`, new Uint8Array([1, 2, 3]));
  }, entries[0].id);
  await page.goto(`${url}?backend=cpu`);
  await page.waitForFunction(() => window.lab.errors.some((e) => /stay on the shelf, marked damaged/.test(e)), null, { timeout: 60_000 });
  await page.waitForFunction(() => window.lab.loaded?.origin === 'saved', null, { timeout: 60_000 });
  assert.deepEqual(await flowSample(page, 77), first, 'the newest good entry opens');
  await page.waitForFunction(() => document.querySelectorAll('#shelf li.damaged').length === 1, null, { timeout: 30_000 });
  entries = await shelf();
  assert.deepEqual(entries.map((e) => [e.id, Boolean(e.damage)]), [[entries[0].id, true], [entries[1].id, false]], 'the damaged entry is kept, marked');
  // The next visit opens the good entry without a word about the damaged one.
  await page.goto(`${url}?backend=cpu`);
  await page.waitForFunction(() => window.lab.loaded?.origin === 'saved', null, { timeout: 60_000 });
  assert.deepEqual(await page.evaluate(() => window.lab.errors), []);
  // Every entry damaged: the pretrained models show (not an empty page).
  await page.evaluate(async (id) => {
    const { set } = await import('./vendor/idb-keyval.js');
    await set(`flowae-shelf:${id}`, new Uint8Array([4, 5, 6]));
  }, entries[1].id);
  await page.goto(`${url}?backend=cpu`);
  await page.waitForFunction(() => window.lab.loaded?.origin === 'pretrained' && window.lab.drawn.flow > 0, null, { timeout: 60_000 });
  assert.match(await page.textContent('#models-status'), /pretrained models shipped with the page/);
  assert.equal((await shelf()).length, 2, 'nothing kept was removed');
  // Delete takes a damaged entry away.
  await page.click('#shelf summary');
  await page.locator(`#shelf li[data-id="${entries[0].id}"] button`, { hasText: 'Delete' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#shelf li').length === 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('two tabs writing the shelf at once lose nothing, and each hears of the other', async () => {
  const context = await browser.newContext();
  const [a, b] = [await context.newPage(), await context.newPage()];
  for (const page of [a, b]) await page.goto(`${url}?pretrained=0&backend=cpu`);
  await Promise.all([a, b].map((page) => waitForState(page, ['idle'])));
  const putMany = (page, tab) => page.evaluate(async (t) => {
    const store = await import('./models-store.js');
    await Promise.all(Array.from({ length: 6 }, (_, i) => store.put({ name: `${t} ${i}`, bytes: new Uint8Array([i]) })));
  }, tab);
  await Promise.all([putMany(a, 'a'), putMany(b, 'b')]);
  const names = await a.evaluate(async () => (await (await import('./models-store.js')).entries()).map((e) => e.name).sort());
  assert.deepEqual(names, ['a 0', 'a 1', 'a 2', 'a 3', 'a 4', 'a 5', 'b 0', 'b 1', 'b 2', 'b 3', 'b 4', 'b 5']);
  // The other tab's list follows a write without a reload (a tab's own writes refresh its own
  // list through the page, not through the channel, which does not echo to its sender).
  await a.evaluate(async () => (await import('./models-store.js')).put({ name: 'a 6', bytes: new Uint8Array([6]) }));
  await b.waitForFunction(() => document.querySelectorAll('#shelf li').length === 13, null, { timeout: 10_000 });
  await context.close();
});

test('a chosen file none of whose models can be used is refused with a message and not kept', async () => {
  const { readFile, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const pretrained = await readFile('www/models/pretrained.bin');
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${url}?pretrained=0&backend=cpu`);
  await waitForState(page, ['idle']);
  // Running variances of −1 (refused as the file loads), and a decoder whose weights are all
  // f16's largest (within the bound: its samples are solid squares, refused when drawn).
  for (const [name, pattern, value, why] of [
    ['negative', /running_var/, -1, /running variance of -1/],
    ['saturated', /^autoencoder\.decoder\..*weight$/, 3e38, /samples are saturated|no training can make/],
  ]) {
    const file = `${tmpdir()}/flowae-${name}-${process.pid}.bin`;
    await writeFile(file, await withTensors(pretrained, pattern, value));
    const before = await page.evaluate(() => window.lab.errors.length);
    await page.setInputFiles('#models-file', file);
    await page.waitForFunction((n) => window.lab.errors.length > n, before, { timeout: 60_000 });
    const message = await page.evaluate(() => window.lab.errors.at(-1));
    assert.match(message, /no model in the file can be used/, name);
    assert.match(message, why, name);
    assert.equal(await page.isVisible('#error'), true, 'the message is on the page');
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.deepEqual(await page.evaluate(async () => (await import('./models-store.js')).entries()), [], 'nothing was kept');
  assert.equal(await page.evaluate(() => window.lab.loaded), null, 'nothing was loaded');
  await context.close();
});

test('opening the page shows pretrained FlowAE and AdvAE samples at once; Train from scratch trains anew', async () => {
  const { page, errors } = await openPage(browser, `${url}?backend=cpu`);
  await page.waitForFunction(() => window.lab.drawn.flow > 0 && window.lab.drawn.wgan > 0, null, { timeout: 60_000 });
  assert.deepEqual(await page.evaluate(() => window.lab.loaded), { models: ['autoencoder', 'flow', 'wgan'], origin: 'pretrained' });
  const timing = await page.evaluate(() => ({ ...window.lab.timing, previews: window.lab.drawn.preview }));
  assert.equal(timing.previews, 2, 'the FlowAE and AdvAE pictures come straight from the file');
  assert.ok(timing.flow < timing.ready && timing.wgan < timing.ready, `drawn before MNIST has loaded: ${JSON.stringify(timing)}`);
  assert.ok(await inkOf(page, '#hero-flow') > 1000, 'FlowAE samples are drawn');
  assert.ok(await inkOf(page, '#hero-wgan') > 1000, 'AdvAE samples are drawn');
  assert.match(await page.textContent('#models-status'), /pretrained models shipped with the page: autoencoder, FlowAE, AdvAE/);
  assert.equal(await page.isDisabled('#train-flow'), false, 'the pretrained autoencoder can carry a new flow');
  // The morph strip: ten digits from one draw to another, through the flow, then the generator.
  await page.waitForFunction(() => window.lab.morph?.model === 'flow', null, { timeout: 30_000 });
  assert.equal(await page.evaluate(() => window.lab.morph.count), 10);
  assert.ok(await inkOf(page, '#morph') > 300, 'the morph strip is drawn');
  await setField(page, '#morph-model', 'wgan');
  await page.waitForFunction(() => window.lab.morph?.model === 'wgan', null, { timeout: 30_000 });
  const digit = (i) => page.evaluate((n) => Array.from(window.lab.morph.pixels.slice(n * 784, (n + 1) * 784)), i);
  const [first, last] = [await digit(0), await digit(9)];
  await page.click('#morph-new');
  await page.waitForFunction(() => window.lab.morph.a === 1002);
  const next = await digit(0);
  assert.deepEqual(next, last, 'New pair starts where the last strip ended');
  assert.notDeepEqual(next, first);

  // One press: the autoencoder, then FlowAE's flow, then AdvAE's WGAN, with no other input.
  await setSettings(page, SMALL);
  await setField(page, '#flow-settings [name=epochs]', '2');
  await setField(page, '#wgan-settings [name=epochs]', '5');
  await page.click('#from-scratch');
  await page.waitForFunction(() => window.lab.phase === 'autoencoder' && window.lab.state === 'training', null, { timeout: 60_000 });
  assert.equal(await page.evaluate(() => window.lab.drawn.flow), 0, 'a new autoencoder drops the flow fitted to the old one');
  assert.equal(await page.textContent('#models-title'), 'Training here: watch them learn');
  await page.waitForFunction(() => window.lab.story.times.wgan?.ended, null, { timeout: 300_000 });
  assertLossFell(await page.evaluate(() => window.lab.losses));
  const story = await page.evaluate(() => window.lab.story);
  assert.equal(story.running, false);
  assert.ok(story.times.autoencoder.ended <= story.times.flow.started && story.times.flow.ended <= story.times.wgan.started, 'one after the other');
  for (const name of ['flow', 'wgan']) {
    const run = await page.evaluate((n) => ({ done: window.lab[n].lastProgress?.done, loaded: window.lab[n].run?.loaded ?? false,
      drawn: window.lab.drawn[n], preview: Boolean(window.lab.samples[n]?.preview) }), name);
    assert.deepEqual(run, { done: true, loaded: false, drawn: run.drawn, preview: false }, name);
    assert.ok(run.drawn > 0, `${name} drew its samples`);
  }
  assert.ok(await inkOf(page, '#hero-flow') > 1000 && await inkOf(page, '#hero-wgan') > 1000, 'the new samplers are drawn at the top');
  assert.equal(await page.textContent('#models-title'), 'Samples from the models trained here');
  // Each run's last samples are read by the classifier (loaded as the story began): captioned.
  for (const grid of ['samples', 'flow-samples', 'wgan-samples', 'hero-flow']) {
    assert.equal((await page.evaluate((id) => window.lab.readAs[id], grid))?.count, 32, grid);
    assert.match(await page.getAttribute(`#${grid}`, 'aria-label'), /: 32 samples, read by the classifier as [0-9?](, [0-9?]){31} /, grid);
  }
  assert.match(await page.textContent('#models-status'), /^Trained the autoencoder, then the flow \(FlowAE\), then the generator \(AdvAE\) in \d+ s/);
  assert.equal(await page.isDisabled('#from-scratch'), false);
  assert.equal(await page.isDisabled('#compare'), false);
  // After the run, with its plots, captions and Save buttons, each step is still within two
  // 800-px screens at 1280 px wide (guide.test.mjs holds them as the page opens), its folds
  // closed again (this test opened the settings to set them).
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.evaluate(() => document.querySelectorAll('section.step details[open]').forEach((d) => { d.open = false; }));
  await page.waitForTimeout(300);   // the plots follow their width (ResizeObserver)
  for (const { id, height } of await page.$$eval('section.step', (s) => s.map((e) => ({ id: e.id, height: e.getBoundingClientRect().height })))) {
    assert.ok(height <= 1600, `${id} is ${height} px high after the run`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('on a phone (390 px) the page never scrolls sideways and every control is a 44 px touch target, before and after a run', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${url}?backend=cpu&train_images=500&test_images=200&epochs=1&batch_size=50&flow.epochs=1&wgan.epochs=2&fcd=500&fcd_length=sections`);
  await page.waitForFunction(() => !document.getElementById('from-scratch').disabled, null, { timeout: 60_000 });
  const measure = () => page.evaluate(() => {
    const small = [];
    for (const el of document.querySelectorAll('button, select, input, summary')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || el.closest('[hidden]')) continue;
      // A tick box's target is its label.
      const target = el.type === 'checkbox' ? el.closest('label').getBoundingClientRect() : box;
      if (target.height < 44 || target.width < 44) small.push(`${el.id || el.name || el.textContent.trim()}: ${Math.round(target.width)}×${Math.round(target.height)}`);
    }
    return { width: document.documentElement.scrollWidth, small };
  });
  assert.deepEqual(await measure(), { width: 390, small: [] });
  await page.click('#from-scratch');
  await page.waitForFunction(() => window.lab.story.times.wgan?.ended, null, { timeout: 300_000 });
  // Table 1 filled in, its longest cells included.
  await page.click('#compare');
  await page.waitForFunction(() => /^Done in/.test(document.getElementById('compare-text').textContent), null, { timeout: 600_000 });
  assert.deepEqual(await measure(), { width: 390, small: [] });
  assert.deepEqual(errors, []);
  await context.close();
});

test('no empty box: every plot, the map and every sample panel says what will appear there and which button makes it', async () => {
  const { page, errors } = await openPage(browser, `${url}?pretrained=0&backend=cpu&train_images=500&test_images=200&epochs=1&batch_size=50`);
  await waitForState(page, ['idle']);
  const empty = () => page.evaluate(() => {
    const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).display !== 'none';
    const plots = [...document.querySelectorAll('.plot')].filter(shown).map((plot) => {
      const note = plot.querySelector('.plot-empty');
      return { id: plot.id, says: note && shown(note) ? note.textContent : null };
    });
    const panels = [...document.querySelectorAll('figure[data-empty]')].filter(shown).map((f) => ({
      empty: f.querySelector('canvas')?.width === 1, says: getComputedStyle(f, '::after').content }));
    const map = document.getElementById('map-empty');
    return { plots, panels, map: shown(map) ? map.textContent : null };
  });
  const before = await empty();
  assert.ok(before.plots.length >= 6, JSON.stringify(before.plots));
  for (const { id, says } of before.plots) assert.match(says ?? '', /appears here .* press .*Train/, id);
  for (const { empty: blank, says } of before.panels) if (blank) assert.match(says, /appear/);
  assert.match(before.map, /press Draw the map/);
  await page.click('#train');
  await waitForState(page, ['done'], 120_000);
  const after = await empty();
  assert.equal(after.plots.find((p) => p.id === 'loss-plot').says, null, 'the curve replaced the note');
  assert.match(after.plots.find((p) => p.id === 'flow-loss-plot').says, /Train from scratch at the top, or Train flow/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('Stop ends the one-press story where it is, and a worker that dies ends it with a message; Train starts it again', async () => {
  const { page, errors } = await openPage(browser, `${url}?pretrained=0&backend=cpu&train_images=500&test_images=200&epochs=1&batch_size=50&flow.epochs=30&wgan.epochs=2`);
  await waitForState(page, ['idle']);
  await page.click('#from-scratch');
  await page.waitForFunction(() => window.lab.phase === 'flow' && window.lab.state === 'training' && window.lab.flow.step > 0, null, { timeout: 120_000 });
  await page.click('#flow-stop');
  await page.waitForFunction(() => !window.lab.story.running, null, { timeout: 30_000 });
  assert.match(await page.textContent('#models-status'), /^Stopped while training the flow \(FlowAE\)/);
  assert.equal(await page.evaluate(() => window.lab.wgan.run), null, 'the WGAN did not start after a Stop');
  assert.equal(await page.isDisabled('#train-wgan'), false, 'its own Train goes on from here');
  // Again, and the worker dies during the flow: the story ends, saying so, and can start again.
  await page.click('#from-scratch');
  await page.waitForFunction(() => window.lab.phase === 'flow' && window.lab.state === 'training', null, { timeout: 120_000 });
  await page.evaluate(() => window.lab.send({ type: 'crash' }));
  await page.waitForFunction(() => /^The run stopped: .*crashed/.test(document.getElementById('models-status').textContent), null, { timeout: 30_000 });
  assert.equal(await page.evaluate(() => window.lab.story.running), false);
  await page.waitForFunction(() => !document.getElementById('from-scratch').disabled, null, { timeout: 60_000 });
  await setField(page, '#flow-settings [name=epochs]', '1');
  await page.click('#from-scratch');
  await page.waitForFunction(() => window.lab.story.times.wgan?.ended, null, { timeout: 300_000 });
  assert.ok(await page.evaluate(() => window.lab.drawn.wgan > 0));
  assert.deepEqual(errors.filter((e) => !/deliberate panic/.test(e)), []);
  await page.close();
});

test('saved models survive a reload and load from a file with identical samples; bad files change nothing', async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${url}?pretrained=0&backend=cpu`);
  await waitForState(page, ['idle']);
  await trainAutoencoderAndFlow(page);
  await page.waitForFunction(() => window.lab.kept >= 2, null, { timeout: 60_000 });
  const before = await flowSample(page, 77);
  assert.notDeepEqual(await flowSample(page, 78), before, 'another seed gives other samples');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-models')]);
  const { tmpdir } = await import('node:os');
  const file = `${tmpdir()}/flowae-models-${process.pid}.bin`;
  await download.saveAs(file);              // the download itself goes with its browser context

  // A reload restores the models this browser kept.
  await page.goto(`${url}?backend=cpu`);
  await page.waitForFunction(() => window.lab.loaded?.origin === 'saved', null, { timeout: 60_000 });
  assert.deepEqual(await page.evaluate(() => window.lab.loaded.models), ['autoencoder', 'flow']);
  assert.deepEqual(await flowSample(page, 77), before);
  await context.close();

  // Another browser (no storage) loads the downloaded file.
  const other = await browser.newPage();
  other.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await other.goto(`${url}?pretrained=0&backend=cpu`);
  await waitForState(other, ['idle']);
  await other.setInputFiles('#models-file', file);
  await other.waitForFunction(() => window.lab.loaded?.origin === 'file', null, { timeout: 60_000 });
  assert.deepEqual(await flowSample(other, 77), before);

  // A truncated file and a file of another kind are refused; the models stay as they were.
  const { readFile, writeFile } = await import('node:fs/promises');
  const bytes = await readFile(file);
  const truncated = `${file}-truncated.bin`;
  await writeFile(truncated, bytes.subarray(0, bytes.length - 1000));
  await other.setInputFiles('#models-file', truncated);
  await other.waitForFunction(() => window.lab.errors.some((e) => /not a usable weights file/.test(e)), null, { timeout: 30_000 });
  await other.setInputFiles('#models-file', 'www/models/classifier.bin');
  await other.waitForFunction(() => window.lab.errors.some((e) => /holds "classifier"/.test(e)), null, { timeout: 30_000 });
  assert.equal(await other.isVisible('#error'), true);
  assert.deepEqual(await flowSample(other, 77), before, 'the loaded models still sample as before');
  assert.deepEqual(errors, []);
  await other.close();
});

test('the embed widget works in an iframe on another origin, lazily, and asks only its own origin', async () => {
  const { serve } = await import('../../tools/serve.mjs');
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'blog-'));
  await writeFile(join(dir, 'index.html'), `<!doctype html><title>A blog post</title><link rel="icon" href="data:,">
    <style>body { background: rgb(255, 255, 255); font-family: serif; }</style>
    <h1>A post about flows</h1>
    <iframe id="widget" title="FlowAE samples" src="${url}embed.html?model=flow&backend=cpu" width="360" height="420" style="border: 0"></iframe>`);
  const blog = await serve(dir, { host: '127.0.0.1', port: 0, csp: false });   // someone else's site, its own policy
  const blogUrl = `http://localhost:${blog.address().port}/`;   // another host name and port: another origin
  const context = await browser.newContext();
  const requests = [];
  context.on('requestfinished', async (request) => {
    const sizes = await request.sizes().catch(() => ({ responseBodySize: 0 }));
    requests.push({ url: request.url(), bytes: sizes.responseBodySize });
  });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  try {
    await page.goto(blogUrl);
    const frame = page.frame({ url: /embed\.html/ });
    await frame.waitForFunction(() => document.getElementById('preview').complete && document.getElementById('preview').naturalWidth > 0);
    await page.waitForLoadState('networkidle');
    const widgetOrigin = new URL(url).origin;
    const before = requests.filter((r) => new URL(r.url).origin === widgetOrigin);
    const bytes = before.reduce((sum, r) => sum + r.bytes, 0);
    console.log(`embed: ${before.length} requests, ${bytes} bytes before Train: ${before.map((r) => new URL(r.url).pathname).join(' ')}`);
    // (The page's tables, pkg/tables.js, 3 kB, name the data set's files: they may come.)
    assert.ok(before.every((r) => !/\.wasm$|\/data\//.test(new URL(r.url).pathname)), 'no WebAssembly or MNIST before Train');
    assert.ok(bytes < 100_000, `the widget is light before Train: ${bytes} bytes`);
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).fontFamily), 'serif', "the host's styles are its own");
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(255, 255, 255)');
    assert.deepEqual(await frame.evaluate(() => { const r = document.querySelector('.widget').getBoundingClientRect(); return [r.width, r.height]; }), [360, 420], 'sized to its frame');

    await frame.click('#train');
    await frame.waitForFunction(() => window.widget.state === 'done' && window.widget.drawn > 0, null, { timeout: 300_000 });
    assert.deepEqual(await frame.evaluate(() => window.widget.errors), []);
    const canvas = await frame.evaluate(() => { const c = document.getElementById('samples'); return !c.hidden && c.width > 0; });
    assert.ok(canvas, 'the samples of the model trained here replace the preview');
    const foreign = requests.filter((r) => ![widgetOrigin, new URL(blogUrl).origin].includes(new URL(r.url).origin));
    assert.deepEqual(foreign, [], 'nothing but the two origins is asked for anything');
    assert.ok(requests.filter((r) => new URL(r.url).origin === new URL(blogUrl).origin).every((r) => new URL(r.url).pathname === '/'), 'the blog serves only its post');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    blog.close();
  }
});

test('a link opens with its settings, backend and sections; Copy link gives them back; one seed, one run', async () => {
  const settings = 'epochs=1&train_images=500&test_images=200&batch_size=50&learning_rate=0.003&seed=5'
    + '&flow.layers=3&wgan.critic_steps=2&vae.epochs=4&map.perplexity=70&fcd=500&show=ae,flow,map';
  const { page, errors } = await openPage(browser, `${url}?pretrained=0&backend=cpu&${settings}`);
  await waitForState(page, ['idle']);
  const value = (selector) => page.inputValue(selector);
  assert.equal(await value('#settings [name=seed]'), '5');
  assert.equal(await value('#settings [name=train_images]'), '500');
  assert.equal(await value('#flow-settings [name=layers]'), '3');
  assert.equal(await value('#wgan-settings [name=critic_steps]'), '2');
  assert.equal(await value('#vae-settings [name=epochs]'), '4');
  assert.equal(await value('#map-settings [name=perplexity]'), '70');
  assert.equal(await value('#fcd-count'), '500');
  assert.equal(await page.evaluate(() => window.lab.backend), 'cpu');
  const shown = await page.$$eval('[data-panel]', (sections) => [...new Set(sections.filter((s) => !s.hidden).map((s) => s.dataset.panel))]);
  assert.deepEqual(shown, ['ae', 'flow', 'map']);

  await page.click('.share summary');
  await page.click('#copy-link');
  const copied = new URL(await page.evaluate(() => window.lab.link));
  const expected = new URLSearchParams(`backend=cpu&${settings}`);
  assert.deepEqual(Object.fromEntries([...copied.searchParams].sort()), Object.fromEntries([...expected].sort()));

  // The same seed on the CPU backend: the same run, loss for loss.
  const runs = [];
  // (pretrained=0: the second page too starts from nothing, as the first did)
  for (const target of [page, (await openPage(browser, `${copied.href}&pretrained=0`)).page]) {
    await waitForState(target, ['idle']);
    await target.click('#train');
    await target.waitForFunction(() => window.lab.lastProgress?.done && window.lab.state === 'done', null, { timeout: 300_000 });
    runs.push(await target.evaluate(() => window.lab.losses));
  }
  assert.ok(runs[0].length >= 5);
  assert.deepEqual(runs[1], runs[0]);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the presets set the paper\'s or the tuned defaults, a link carries one, and Compare all over two seeds reports each', async () => {
  // A setting's value under each preset, at the page's quick run.
  const byPreset = (key) => Object.fromEntries(Object.entries(SETTINGS.find((s) => s.key === key).defaults).map(([p, at]) => [p, at.quick]));
  const { page, errors } = await openPage(browser, `${url}?pretrained=0&backend=cpu&preset=paper&wgan.critic_steps=2`);
  await waitForState(page, ['idle']);
  const value = (selector) => page.inputValue(selector);
  assert.equal(await value('#preset'), 'paper');
  assert.equal(await value('#wgan-settings [name=critic_hidden]'), String(byPreset('wgan.critic_hidden').paper));
  assert.equal(await value('#aae-settings [name=discriminator_hidden]'), String(byPreset('aae.discriminator_hidden').paper));
  assert.equal(await value('#wgan-settings [name=critic_steps]'), '2', 'the link\'s own value wins over its preset\'s');
  assert.match(await page.textContent('#preset-explained'), /paper states/);
  await page.click('.share summary');
  await page.click('#copy-link');
  const link = Object.fromEntries(new URL(await page.evaluate(() => window.lab.link)).searchParams);
  assert.deepEqual(link, { backend: 'cpu', preset: 'paper', 'wgan.critic_steps': '2' }, 'only what differs from the preset');

  await setField(page, '#preset', 'tuned');
  assert.notEqual(byPreset('wgan.critic_hidden').tuned, byPreset('wgan.critic_hidden').paper);
  assert.equal(await value('#wgan-settings [name=critic_hidden]'), String(byPreset('wgan.critic_hidden').tuned));
  assert.equal(await value('#aae-settings [name=discriminator_hidden]'), String(byPreset('aae.discriminator_hidden').tuned));
  assert.match(await page.textContent('#preset-explained'), /Table 1/);
  await page.click('#copy-link');
  assert.deepEqual(Object.fromEntries(new URL(await page.evaluate(() => window.lab.link)).searchParams), { backend: 'cpu' });

  // Compare all over two seeds: each model trained and scored once per seed, the table giving
  // mean ± sd and each seed's figure, and the order's count.
  await smallComparison(page);
  await setField(page, '#fcd-seeds', '2');
  await page.click('#compare');
  await page.waitForFunction(() => /^Done in/.test(document.getElementById('compare-text').textContent), null, { timeout: 600_000 });
  const runs = await page.evaluate(() => window.lab.compareRuns);
  assert.deepEqual(runs.map((r) => r.seed), [1, 2]);
  for (const run of runs) assert.deepEqual(Object.keys(run.fcds).sort(), ['aae', 'flow', 'vae', 'wgan']);
  assert.notDeepEqual(runs[0].fcds, runs[1].fcds, 'another seed, another run');
  const table = await page.evaluate(() => window.lab.table);
  assert.ok(Math.abs(table.flow - (runs[0].fcds.flow + runs[1].fcds.flow) / 2) < 1e-9, 'the table shows the mean');
  const cells = await page.$$eval('#fcd-table td.fcd', (tds) => tds.map((td) => td.textContent));
  assert.match(cells[0], /^\d+\.\d\d \(500 samples\)$/, 'real digits are scored once');
  assert.ok(cells.slice(1).every((c) => /^\d+\.\d\d ± \d+\.\d\d \(\d+\.\d, \d+\.\d; 500 samples\)$/.test(c)), `table cells: ${cells}`);
  assert.match(await page.textContent('#compare-text'), /The paper's order \(FlowAE < AdvAE < AAE < VAE\) held in [012] of 2 seeds\./);
  await page.click('#copy-markdown');
  await page.waitForFunction(() => window.lab.copied);
  assert.match(await page.evaluate(() => window.lab.copied), /^\| Model \| seed 1 \| seed 2 \| mean \| FCD \(paper\) \|/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the main controls are reachable by keyboard and have accessible names', async () => {
  const { page, errors } = await openPage(browser, `${url}?backend=cpu`);
  await page.waitForFunction(() => window.lab.drawn.flow > 0, null, { timeout: 60_000 });
  const unnamed = await page.$$eval('button, input, select, canvas[role=img]', (elements) => elements
    .filter((el) => el.offsetParent !== null && el.type !== 'file')
    .filter((el) => {
      const label = el.getAttribute('aria-label') || (el.labels && [...el.labels].map((l) => l.textContent).join(' ')) || (el.tagName === 'BUTTON' && el.textContent);
      return !label || !label.trim();
    })
    .map((el) => el.id || el.name || el.outerHTML.slice(0, 60)));
  assert.deepEqual(unnamed, [], 'every visible control has a name');
  const wanted = ['from-scratch', 'save-models', 'load-models', 'train', 'ae-settings', 'backend', 'train-flow', 'temperature', 'train-wgan', 'train-vae', 'compare', 'map-draw'];
  const reached = new Set();
  await page.focus('body');
  for (let i = 0; i < 150 && wanted.some((id) => !reached.has(id)); i++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => {
      const el = document.activeElement;
      return el?.tagName === 'SUMMARY' && el.closest('#step-ae details.advanced') ? 'ae-settings' : el?.id;
    });
    if (at === 'ae-settings' && !reached.has(at)) await page.keyboard.press('Enter');   // step 1's settings unfold from the keyboard
    reached.add(at);
  }
  assert.deepEqual(wanted.filter((id) => !reached.has(id)), [], 'Tab reaches every main control');
  // Enter on a focused button acts: Train from scratch starts a run.
  await page.focus('#from-scratch');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.lab.state === 'training' || window.lab.lastProgress);
  assert.deepEqual(errors, []);
  await page.close();
});

test('pressing Train while the opening models load trains, and the pretrained models do not replace the run', async () => {
  const { page, errors } = await openPage(browser, `${url}?backend=cpu&epochs=1&train_images=500&test_images=200&batch_size=50`);
  await page.waitForFunction(() => !document.getElementById('train').disabled, null, { timeout: 60_000 });
  await page.click('#train');
  await page.waitForFunction(() => window.lab.lastProgress?.done && window.lab.state === 'done', null, { timeout: 300_000 });
  assertLossFell(await page.evaluate(() => window.lab.losses));
  await page.waitForTimeout(1000);
  // Whichever came first, the autoencoder now is the one just trained, not a loaded one.
  assert.equal(await page.evaluate(() => window.lab.run?.loaded ?? false), false, 'the run was not replaced by the pretrained models');
  assert.equal(await page.evaluate(() => window.lab.state), 'done');
  assert.deepEqual(await page.evaluate(() => window.lab.errors), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('Compare all with a bad setting in a hidden section shows that section and its field', async () => {
  const { page, errors } = await openPage(browser, `${url}?pretrained=0&backend=cpu&show=ae,compare&flow.epochs=0`);
  await waitForState(page, ['idle']);
  assert.equal(await page.isVisible('#flow-settings'), false, 'the link hides the flow');
  await page.click('#compare');
  assert.match(await page.textContent('#compare-text'), /Fix the settings marked above/);
  assert.equal(await page.isVisible('#flow-settings [name=epochs]'), true, 'the section with the bad setting is shown');
  assert.equal(await page.getAttribute('#flow-settings [name=epochs]', 'aria-invalid'), 'true');
  assert.match(await page.textContent('#flow-settings-error'), /FlowAE epochs must be a whole number from 1 to 1000/);
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'epochs', 'and the field has the focus');
  assert.equal(await page.evaluate(() => window.lab.state), 'idle', 'nothing started');
  assert.deepEqual(errors, []);
  await page.close();
});
