// The first visit and the backend: what downloads when, the pretrained models live before the
// digits arrive, grayscale fetched only when asked for, and a backend chosen for the visitor
// (here the only WebGPU adapter is SwiftShader, a software one).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, waitForState, setSettings, inkOf, SMALL, setField } from './harness.mjs';

let server, url, browser;
before(async () => {
  ({ server, url } = await startServer());
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

/** A page in a fresh context (its own cache and storage), with every request it makes,
 * the worker's included, and every error. */
async function visit(path) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 1000 } });
  const requests = [];
  context.on('request', (r) => requests.push(new URL(r.url()).pathname));
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  if (path !== null) await page.goto(`${url}${path}`);
  return { context, page, requests, errors };
}

test('the pretrained models are live before the digits arrive: resample, temperature, morph; the full load draws the same samples', async () => {
  const { context, page, requests, errors } = await visit(null);
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/data/mnist-train.bits.gz', async (route) => { await held; await route.continue(); });
  await page.goto(`${url}?backend=cpu`);
  // The pre-rendered picture is there before any script: an <img> in the HTML.
  assert.equal(await page.getAttribute('#hero-flow-picture', 'src'), 'models/flowae-preview.png');
  await page.waitForFunction(() => window.lab.drawn.preview >= 2, null, { timeout: 60_000 });
  assert.equal(await page.isVisible('#hero-flow'), true, 'the live samples replace the picture');
  assert.equal(await page.isVisible('#hero-flow-picture'), false);
  assert.equal(await page.evaluate(() => window.lab.state), 'loading', 'the digits are still on their way');
  assert.equal(await page.isDisabled('#train'), true);
  const first = await page.evaluate(() => Array.from(window.lab.samples.flow.pixels));
  // Resample: a new seed, new samples, from the preview.
  await page.click('#hero-resample');
  await page.waitForFunction(() => window.lab.samples.flow.seed === 2 && window.lab.samples.wgan?.seed === 2, null, { timeout: 30_000 });
  assert.notDeepEqual(await page.evaluate(() => Array.from(window.lab.samples.flow.pixels)), first);
  // The temperature reshapes the FlowAE samples at once.
  await page.$eval('#temperature', (el) => { el.value = '0.3'; el.dispatchEvent(new Event('input')); });
  await page.waitForFunction(() => window.lab.samples.flow.temperature === 0.3, null, { timeout: 30_000 });
  // The morph strip through the flow.
  await page.waitForFunction(() => window.lab.morph?.count === 10, null, { timeout: 30_000 });
  assert.ok(await inkOf(page, '#morph') > 300, 'the morph strip is drawn');
  const atSeed2 = await page.evaluate(() => Array.from(window.lab.samples.flow.pixels));
  // Now the digits: the full models load and draw what the preview drew.
  release();
  await page.waitForFunction(() => window.lab.loaded?.origin === 'pretrained' && window.lab.drawn.flow > 0, null, { timeout: 60_000 });
  await page.waitForFunction(() => window.lab.samples.flow?.seed === 2 && window.lab.samples.flow.preview === false, null, { timeout: 30_000 });
  const full = await page.evaluate(() => Array.from(window.lab.samples.flow.pixels));
  const worst = Math.max(...full.map((v, i) => Math.abs(v - atSeed2[i])));
  assert.ok(worst < 1e-4, `the full models draw the preview's samples (largest difference ${worst})`);
  assert.ok(!requests.some((p) => /idx\d-ubyte/.test(p)), `no grayscale digits on a first visit: ${requests}`);
  assert.ok(!requests.some((p) => /flowae_gpu/.test(p)), 'no WebGPU module when the CPU trains');
  assert.deepEqual(errors, []);
  await context.close();
});

test('grayscale digits are fetched only when a run asks for them, and then it trains', async () => {
  const { context, page, requests, errors } = await visit('?pretrained=0&backend=cpu');
  await waitForState(page, ['idle']);
  assert.ok(requests.includes('/data/mnist-train.bits.gz'));
  assert.ok(!requests.some((p) => /idx\d-ubyte/.test(p)));
  await setSettings(page, { ...SMALL, pixels: 'grayscale' });
  await page.click('#train');
  await waitForState(page, ['done'], 300_000);
  assert.ok(requests.includes('/data/train-images-idx3-ubyte.gz'), 'the grayscale digits were fetched for it');
  const losses = await page.evaluate(() => window.lab.losses);
  assert.ok(losses.length >= 5 && losses.at(-1) < losses[0], `grayscale trains: ${losses[0]} → ${losses.at(-1)}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('on auto, a software WebGPU adapter is never the default: the CPU trains, the page says why', async () => {
  const { context, page, requests, errors } = await visit('?pretrained=0');
  await waitForState(page, ['idle']);
  assert.equal(await page.evaluate(() => window.lab.backend), 'cpu');
  assert.equal(await page.inputValue('#backend'), 'auto');
  await page.waitForFunction(() => /software emulation/.test(document.getElementById('notice').textContent));
  assert.equal(await page.isVisible('#notice'), true);
  await setSettings(page, SMALL);
  await page.click('#train');
  await waitForState(page, ['done'], 300_000);
  assert.ok(!requests.some((p) => /flowae_gpu/.test(p)), 'the WebGPU module is never downloaded');
  assert.deepEqual(errors, []);
  await context.close();
});

test('auto times both backends on the first Train, trains on the faster, says so and remembers it', async () => {
  const { context, page, requests, errors } = await visit('?pretrained=0&measure=1');
  await waitForState(page, ['idle']);
  await setSettings(page, SMALL);
  await page.click('#train');
  await waitForState(page, ['done'], 300_000);
  const measured = await page.evaluate(() => window.lab.measured);
  assert.ok(measured.cpu > 0 && measured.gpu > 0, `both timed: ${JSON.stringify(measured)}`);
  assert.equal(measured.backend, measured.gpu > measured.cpu ? 'gpu' : 'cpu');
  assert.equal(await page.evaluate(() => window.lab.backend), measured.backend);
  assert.match(await page.textContent('#adapter'), /CPU: [\d,]+ images\/s; WebGPU: [\d,]+ images\/s — using (the CPU|WebGPU)/);
  assert.ok(requests.some((p) => /flowae_gpu_bg\.wasm/.test(p)), 'the WebGPU module was fetched to time it');
  const losses = await page.evaluate(() => window.lab.losses);
  assert.ok(losses.length >= 5 && losses.at(-1) < losses[0]);
  // The next visit remembers: no timing, straight to training.
  const remembered = await page.evaluate(() => JSON.parse(localStorage.getItem('flowae-backend')));
  assert.equal(remembered.choice, 'auto');
  assert.equal(remembered.measured.backend, measured.backend);
  requests.length = 0;
  await page.reload();
  await waitForState(page, ['idle', 'done']);
  assert.equal(await page.evaluate(() => window.lab.backend), measured.backend);
  await setSettings(page, SMALL);
  await page.click('#train');
  await page.waitForFunction(() => window.lab.lastProgress?.step > 0, null, { timeout: 120_000 });
  assert.equal(await page.evaluate(() => window.lab.measured), undefined, 'no second timing');
  assert.match(await page.textContent('#adapter'), /using/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('choosing WebGPU moves the pretrained models there, and the next visit starts on it', async () => {
  const { context, page, requests, errors } = await visit('');
  await page.waitForFunction(() => window.lab.loaded?.origin === 'pretrained' && window.lab.state === 'done', null, { timeout: 60_000 });
  assert.equal(await page.evaluate(() => window.lab.backend), 'cpu');
  await setField(page, '#backend', 'gpu');
  await page.waitForFunction(() => window.lab.backend === 'gpu' && window.lab.state === 'done', null, { timeout: 180_000 });
  assert.deepEqual(await page.evaluate(() => window.lab.loaded), { models: ['autoencoder', 'flow', 'wgan'], origin: 'pretrained' });
  await page.waitForFunction(() => window.lab.drawn.flow > 0, null, { timeout: 60_000 });
  assert.ok(await inkOf(page, '#hero-flow') > 1000, 'FlowAE samples drawn on WebGPU');
  assert.match(await page.textContent('#adapter'), /^WebGPU/);
  requests.length = 0;
  await page.reload();
  await page.waitForFunction(() => window.lab.backend === 'gpu', null, { timeout: 180_000 });
  assert.equal(await page.inputValue('#backend'), 'gpu');
  assert.ok(requests.includes('/pkg/flowae_gpu_bg.wasm') && !requests.includes('/pkg/flowae_cpu_bg.wasm'),
    `only the WebGPU module: ${requests.filter((p) => p.startsWith('/pkg'))}`);
  assert.deepEqual(errors, []);
  await context.close();
});
