// Results to take away (issue 29): every picture the page draws saves as a PNG of what it
// shows, a model's samples as the command line's .npy, every loss plot's series as CSV and its
// chart as a PNG; nothing is requested to make them, and nothing is offered before there is
// something to save.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { servedBrowser } from './harness.mjs';

const shared = servedBrowser({ webgpu: false });

/** Clicks `selector` and returns the file it saves: its suggested name and bytes. */
async function saved(page, selector) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: download.suggestedFilename(), bytes: await readFile(await download.path()) };
}

test('a sample grid saves as a PNG of what it shows and as the CLI\'s .npy, a loss plot as CSV of its series and a PNG', async () => {
  const context = await shared.browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark', acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${shared.url}?pretrained=0&backend=cpu&train_images=500&test_images=200&epochs=1&batch_size=50`);
  await page.waitForFunction(() => window.lab?.state === 'idle', null, { timeout: 60_000 });
  const offered = () => page.evaluate(() => ({
    samples: !document.querySelector('#samples ~ .take-away').hidden,
    plot: !document.querySelector('#loss-plot .take-away').hidden,
  }));
  assert.deepEqual(await offered(), { samples: false, plot: false }, 'nothing to save yet, nothing offered');

  await page.click('#train');
  await page.waitForFunction(() => window.lab.state === 'done' && window.lab.drawn.autoencoder > 0, null, { timeout: 120_000 });
  assert.deepEqual(await offered(), { samples: true, plot: true });
  const requests = [];
  page.on('request', (r) => { if (!r.url().startsWith('blob:')) requests.push(r.url()); });

  const picture = await saved(page, '#samples ~ .take-away button:text-is("PNG")');
  assert.equal(picture.name, 'samples.png');
  assert.deepEqual([...picture.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
  const size = await page.$eval('#samples', (c) => [c.width, c.height]);
  assert.deepEqual([picture.bytes.readUInt32BE(16), picture.bytes.readUInt32BE(20)], size, 'of the grid as drawn');

  // The model's samples as the command line writes them: uint8 [10000, 28, 28].
  const npy = await saved(page, '#samples ~ .take-away button:text-is(".npy")');
  assert.equal(npy.name, 'prior-samples.npy', 'the command line\'s name for the autoencoder\'s samples');
  assert.equal(npy.bytes.subarray(0, 6).toString('latin1'), '\x93NUMPY');
  const headerLength = npy.bytes.readUInt16LE(8);
  assert.match(npy.bytes.subarray(10, 10 + headerLength).toString('latin1'), /'descr': '\|u1', 'fortran_order': False, 'shape': \(10000, 28, 28\)/);
  assert.equal(npy.bytes.length, 10 + headerLength + 10000 * 784);

  const table = await saved(page, '#loss-plot .take-away button:text-is("CSV")');
  assert.equal(table.name, 'loss-plot.csv');
  const lines = table.bytes.toString('utf8').trim().split('\n');
  assert.equal(lines[0], 'step,training,test');
  const losses = await page.evaluate(() => window.lab.losses);
  assert.equal(lines.length - 1, losses.length, 'a row per step');
  const [step, training] = lines[1].split(',');
  assert.equal(Number(step), 1);
  assert.ok(Math.abs(Number(training) - losses[0]) < 1e-3, `${training} vs ${losses[0]}`);
  assert.ok(lines.at(-1).split(',')[2] !== '', 'the epoch\'s test loss at its last step');
  const chart = await saved(page, '#loss-plot .take-away button:text-is("PNG")');
  assert.equal(chart.name, 'loss-plot.png');
  assert.equal(chart.bytes.readUInt32BE(0), 0x89504e47);

  // The latent map (not in a figure) too, once drawn.
  assert.equal(await page.isVisible('.map-frame + .take-away'), false, 'no map yet, nothing offered');
  await page.click('#map-draw');
  await page.waitForFunction(() => window.lab.map.map !== null, null, { timeout: 60_000 });
  const map = await saved(page, '.map-frame + .take-away button:text-is("PNG")');
  assert.equal(map.name, 'map-canvas.png');
  assert.deepEqual([map.bytes.readUInt32BE(16), map.bytes.readUInt32BE(20)], await page.$eval('#map-canvas', (c) => [c.width, c.height]));

  assert.deepEqual(requests, [], 'saving asks nothing of any server');
  assert.deepEqual(errors, []);
  await context.close();
});
