// The page's views embedded alone (embed.html?panel=draw, walk, plane): each under 100 kB on the
// wire until the reader draws or presses a button, with the page's markup and styles; then each
// works: the draw pad reads a drawn 1 with the pretrained models, the walk goes through the
// flow's layers, the 2-D lab trains the link's data set. The figures are printed for the README.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser } from './harness.mjs';

const shared = servedBrowser({ webgpu: false });
const BUDGET = 100_000;

/** Opens `embed.html?query` at an embed's size and counts what it downloads: bytes on the wire
 * (bodies as sent, encoded, and headers) and decoded. */
async function openPanel(query, { width = 560, height = 440 } = {}) {
  const context = await shared.browser.newContext({ viewport: { width, height }, colorScheme: 'dark' });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  const seen = { wire: 0, decoded: 0, files: [] };
  page.on('requestfinished', async (request) => {
    try {
      const sizes = await request.sizes();
      const body = await (await request.response()).body();
      seen.wire += sizes.responseBodySize + sizes.responseHeadersSize;
      seen.decoded += body.length;
      seen.files.push(new URL(request.url()).pathname);
    } catch { /* a redirect or an aborted request */ }
  });
  await page.goto(`${shared.url}embed.html?${query}`);
  await page.waitForFunction(() => window.widget?.panel, null, { timeout: 30_000 });
  await page.waitForTimeout(1000);
  const before = { wire: seen.wire, decoded: seen.decoded, files: [...seen.files] };
  console.log(`# embed ?${query}: ${before.files.length} requests, ${before.wire} bytes on the wire ` +
    `(${before.decoded} decoded) before a press: ${before.files.join(' ')}`);
  assert.ok(before.wire < BUDGET, `${before.wire} bytes on the wire before a press`);
  assert.ok(!before.files.some((f) => /\.wasm|mnist|\.bin/.test(f)), `no module, no digits, no models yet: ${before.files}`);
  assert.ok(!(await page.isVisible('#train')), 'the view, not the samples widget');
  return { context, page, errors, seen };
}

test('the draw pad alone: a few files until the first stroke, then the pretrained models read a drawn 1', async () => {
  const { context, page, errors, seen } = await openPanel('panel=draw');
  assert.equal(await page.textContent('#panel-title'), 'Draw a digit: how typical is it?');
  assert.ok(await page.isVisible('#draw-pad'));
  const { width } = await page.$eval('#draw-pad', (c) => c.getBoundingClientRect());
  assert.ok(width > 200, `the pad is drawn at ${width} px`);
  await page.click('[data-draw-example="1"]');
  await page.waitForFunction(() => window.widget.panel.reading, null, { timeout: 120_000 });
  const reading = await page.evaluate(() => ({ joint_percentile: window.widget.panel.reading.joint_percentile }));
  assert.ok(reading.joint_percentile > 50, `a drawn 1 is typical: ${reading.joint_percentile}`);
  assert.match(await page.textContent('#draw-verdict'), /^For FlowAE: more typical than/);
  assert.match(await page.textContent('#draw-source'), /models trained in advance/);
  assert.ok(seen.files.some((f) => f.endsWith('pretrained.bin')) && seen.files.some((f) => f.includes('mnist')));
  assert.deepEqual(errors, []);
  await context.close();
});

test('the layer walk alone: the noise walks through the pretrained flow, layer by layer', async () => {
  const { context, page, errors } = await openPanel('panel=walk');
  assert.equal(await page.textContent('#panel-title'), 'A flow, layer by layer');
  assert.ok(!(await page.isVisible('#walk-back')), 'no drawing to walk back here');
  await page.click('#walk-forward');
  await page.waitForFunction(() => window.widget.panel.walk, null, { timeout: 120_000 });
  const stages = await page.evaluate(() => window.widget.panel.walk.planes.length);
  assert.ok(stages >= 3, `${stages} stages`);
  await page.focus('#walk-stage');
  await page.keyboard.press('End');
  assert.equal(await page.inputValue('#walk-stage'), String(stages - 1));
  assert.match(await page.textContent('#walk-text'), /log\|det J\|/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the 2-D lab alone: the link\'s data set, no digits ever, and it trains', async () => {
  const { context, page, errors, seen } = await openPanel('panel=plane&plane=eight-gaussians&plane.critic_steps=3');
  assert.equal(await page.inputValue('#plane-data'), 'eight-gaussians', 'the link chose the data');
  assert.equal(await page.inputValue('#plane-settings [name=critic_steps]'), '3', 'and a setting');
  assert.ok(await page.isVisible('#plane-flow'));
  await page.click('#plane-train');
  await page.waitForFunction(() => window.widget.panel.state.seconds > 2, null, { timeout: 60_000 });
  await page.click('#plane-train');
  assert.match(await page.textContent('#plane-text'), /^Flow: [\d,]+ steps, held-out NLL/);
  assert.ok(!seen.files.some((f) => f.includes('mnist') || f.endsWith('.bin')), 'no digits and no models were needed');
  assert.equal(await page.evaluate(() => window.widget.panel.state.settings.wgan.critic_steps), 3, 'the library trained with it');
  assert.match(await page.getAttribute('#panel-full', 'href'), /plane=eight-gaussians&plane\.critic_steps=3#step-plane$/);
  assert.deepEqual(errors, []);
  await context.close();
});
