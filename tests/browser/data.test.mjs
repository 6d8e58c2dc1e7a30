// A second data set: Fashion-MNIST chosen in the page (and in its link), trained and scored
// exactly as MNIST is, with its own files and its own FCD classifier; a link naming no data set
// there is says so; kept models of another data set are not opened in this one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordingPage, servedBrowser, setField } from './harness.mjs';

const shared = servedBrowser({ webgpu: false });
// The FCD counts at most as many samples as there are test images (200 here).
const SMALL = 'backend=cpu&train_images=500&test_images=200&epochs=1&batch_size=50&flow.epochs=1&wgan.epochs=2&vae.epochs=1&aae.epochs=1&fcd=500&fcd_length=sections';

/** A page that records console errors and the paths it requests. */
const open = (context, url) => recordingPage(context, url, (r) => new URL(r.url()).pathname);

test('Fashion-MNIST, chosen in the page: its own files, every model trains, Compare all scores with its own classifier, the map and the link follow', async () => {
  const context = await shared.browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
  const { page, errors, requests } = await open(context, `${shared.url}?${SMALL}`);
  await page.waitForFunction(() => !document.getElementById('from-scratch').disabled, null, { timeout: 60_000 });
  assert.equal(await page.inputValue('#data-set'), 'mnist');
  // The choice opens the page again with the data set in its link, the other settings kept.
  requests.length = 0;
  await Promise.all([page.waitForURL(/data=fashion/), page.selectOption('#data-set', 'fashion')]);
  assert.match(page.url(), /train_images=500/);
  await page.waitForFunction(() => window.lab.lastReady?.train === 60000 && window.lab.state === 'idle', null, { timeout: 60_000 });
  assert.equal(await page.inputValue('#data-set'), 'fashion');
  assert.match(await page.textContent('#data-note'), /^Fashion-MNIST: ten classes \(T-shirt, trouser, .*where they say digits, read clothes/);
  assert.match(await page.title(), /Fashion-MNIST/);
  assert.ok(requests.includes('/data/fashion-train.bits.gz') && requests.includes('/data/fashion-test.bits.gz'), requests.join(' '));
  assert.ok(!requests.some((r) => r.includes('mnist-') || r.endsWith('pretrained.bin')), `nothing of MNIST's: ${requests.join(' ')}`);
  assert.match(await page.textContent('#models-status'), /none are shipped for Fashion-MNIST\): press Train from scratch/);
  // MNIST's pictures are not its samples: its boxes say what will appear there.
  assert.equal(await page.isVisible('#hero-flow-picture'), false);
  assert.match(await page.getAttribute('#hero-flow-picture + canvas', 'hidden') === null ? await page.$eval('#hero-flow', (c) => c.closest('figure').dataset.empty) : '', /FlowAE's samples of Fashion-MNIST appear here/);

  // Compare all: every model trained in turn and scored, against the test clothes, by the
  // classifier trained on Fashion-MNIST; the paper's column is empty (it reports MNIST only).
  await page.click('#compare');
  await page.waitForFunction(() => /^Done in/.test(document.getElementById('compare-text').textContent), null, { timeout: 600_000 });
  const cells = await page.$$eval('#fcd-table td.fcd', (tds) => tds.map((td) => td.textContent));
  assert.ok(cells.length === 5 && cells.every((c) => /^\d+\.\d\d \(200 samples\)$/.test(c)), `table cells: ${cells}`);
  const paper = await page.$$eval('#fcd-table tbody tr', (rows) => rows.map((r) => r.children[2].textContent));
  assert.deepEqual(paper, ['–', '–', '–', '–', '–']);
  assert.ok(requests.includes('/models/classifier-fashion.bin') && !requests.includes('/models/classifier.bin'), requests.join(' '));
  const fcd = await page.evaluate(() => Object.fromEntries(Object.entries(window.lab.fcd).map(([k, v]) => [k, v.value])));
  const models = Object.entries(fcd).filter(([k]) => k !== 'real');
  assert.ok(models.length === 4 && models.every(([, v]) => v > fcd.real), `real clothes are nearer the test clothes than any model's samples: ${JSON.stringify(fcd)}`);
  // The grids are read as clothes, by their class names.
  assert.match(await page.textContent('[data-read-as=flow-samples]'), /^Read as clothes: \d+ of 32/);
  assert.match(await page.getAttribute('#flow-samples', 'aria-label'), /read by the classifier as ((T-shirt|trouser|pullover|dress|coat|sandal|shirt|sneaker|bag|ankle boot|\?)(, )?){32}/);

  // The map of the autoencoder's codes, coloured by class, its key naming them.
  await setField(page, '#map-settings [name=digits]', '1000');
  await page.click('#map-draw');
  await page.waitForFunction(() => window.lab.map.map !== null, null, { timeout: 60_000 });
  assert.equal(await page.evaluate(() => window.lab.map.map.labels.length), 200, 'the autoencoder\'s 200 test images');
  const key = await page.$$eval('#map-legend li', (items) => items.map((li) => li.textContent));
  assert.deepEqual(key.slice(0, 3), ['T-shirt', 'trouser', 'pullover']);

  // The page's links carry the data set.
  await page.click('#step-flow .step-share summary');
  assert.match(await page.inputValue('#step-flow .step-share [data-role=link]'), /[?&]data=fashion(&|$)/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a link naming a data set the page does not have says so and trains on MNIST', async () => {
  const context = await shared.browser.newContext({ colorScheme: 'dark' });
  const { page, errors } = await open(context, `${shared.url}?data=cifar&backend=cpu`);
  await page.waitForFunction(() => window.lab.lastReady?.train === 60000, null, { timeout: 60_000 });
  assert.match(await page.textContent('#error'), /data set “cifar”, which this page does not have: it trains on MNIST/);
  assert.equal(await page.inputValue('#data-set'), 'mnist');
  assert.deepEqual(errors.filter((e) => !/cifar/.test(e)), []);
  await context.close();
});

test('models kept on one data set are opened by its page only: the other lists them with a link to theirs', async () => {
  const context = await shared.browser.newContext({ colorScheme: 'dark' });
  const shelf = (page) => page.evaluate(async () => (await import('./models-store.js')).entries());
  const fashion = await open(context, `${shared.url}?data=fashion&${SMALL}`);
  await fashion.page.waitForFunction(() => window.lab?.state === 'idle', null, { timeout: 60_000 });
  await fashion.page.click('#train');
  await fashion.page.waitForFunction(() => window.lab.state === 'done', null, { timeout: 120_000 });
  for (let i = 0; i < 60 && (await shelf(fashion.page)).length === 0; i++) await fashion.page.waitForTimeout(500);
  assert.deepEqual((await shelf(fashion.page)).map((e) => [e.data, e.models]), [['fashion', ['autoencoder']]]);
  await fashion.page.close();
  // MNIST's page opens with its pretrained models, not the kept Fashion-MNIST ones, and
  // offers those in their own page.
  const mnist = await open(context, `${shared.url}?backend=cpu`);
  await mnist.page.waitForFunction(() => window.lab?.loaded?.origin === 'pretrained', null, { timeout: 60_000 });
  await mnist.page.click('#shelf summary');
  assert.match(await mnist.page.textContent('#shelf li'), /learned Fashion-MNIST/);
  const href = await mnist.page.getAttribute('#shelf li a.shelf-other', 'href');
  assert.match(href, /[?&]data=fashion/);
  assert.equal(await mnist.page.locator('#shelf li button', { hasText: 'Load' }).count(), 0);
  // There, they open as a visit opens kept models.
  await mnist.page.click('#shelf li a.shelf-other');
  await mnist.page.waitForFunction(() => window.lab?.loaded?.origin === 'saved', null, { timeout: 60_000 });
  assert.deepEqual(await mnist.page.evaluate(() => window.lab.loaded.models), ['autoencoder']);
  assert.deepEqual([...fashion.errors, ...mnist.errors], []);
  await context.close();
});

test('a view embedded with a data set that ships no models says so instead of fetching them', async () => {
  const context = await shared.browser.newContext({ colorScheme: 'dark' });
  const { page, errors, requests } = await open(context, `${shared.url}embed.html?panel=draw&data=fashion`);
  await page.waitForFunction(() => window.widget?.panel, null, { timeout: 30_000 });
  await page.click('[data-draw-example="1"]');
  await page.waitForFunction(() => /none are shipped for Fashion-MNIST/.test(document.getElementById('panel-status').textContent), null, { timeout: 10_000 });
  assert.ok(!requests.some((r) => /\.wasm$|\.bin$|\/data\//.test(r)), requests.join(' '));
  assert.match(await page.getAttribute('#panel-full', 'href'), /data=fashion/);
  assert.deepEqual(errors, []);
  await context.close();
});
