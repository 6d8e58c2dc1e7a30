// The main path in Firefox ESR (Debian's, installed by build.sh), driven over WebDriver BiDi by
// puppeteer-core: the opening samples, one press to the autoencoder, FlowAE and AdvAE (their
// samples captioned by the classifier), a page that fits a phone, and your own pictures read
// from a zip. The other tests run in Chromium; this one guards the second engine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import puppeteer from 'puppeteer-core';
import { startServer } from './harness.mjs';
import { pngs, zip } from './own-pictures.mjs';

export const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';

let server, url, browser;
before(async () => {
  ({ server, url } = await startServer());
  browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, protocol: 'webDriverBiDi' });
});
after(async () => {
  await browser?.close();
  server?.close();
});

test('in Firefox the pretrained samples show, one press trains all three models and draws them, and a phone-wide page fits', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.setViewport({ width: 390, height: 844 });
  await page.goto(`${url}?backend=cpu&train_images=500&test_images=200&epochs=1&batch_size=50&flow.epochs=1&wgan.epochs=2`);
  await page.waitForFunction(() => window.lab?.drawn.preview === 2, { timeout: 60_000 });
  // Pressed once the opening models have loaded and the panel has stopped moving (puppeteer,
  // unlike playwright, clicks where the button was without waiting for the layout to settle).
  await page.waitForFunction(() => window.lab.loaded?.origin === 'pretrained' && !document.getElementById('from-scratch').disabled, { timeout: 60_000 });
  assert.equal(await page.evaluate(() => window.lab.backend), 'cpu');
  // (Firefox keeps a classic scroll bar: the page must fit what is left of the 390 px.)
  const fit = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(fit[0] <= fit[1], `no sideways scroll at 390 px: the page is ${fit[0]} px wide in ${fit[1]}`);
  await page.click('#from-scratch');
  try {
    await page.waitForFunction(() => window.lab.story.times.wgan?.ended, { timeout: 300_000, polling: 500 });
  } catch (error) {
    const at = await page.evaluate(() => ({ state: window.lab.state, phase: window.lab.phase, story: window.lab.story,
      said: document.getElementById('models-status').textContent, errors: window.lab.errors })).catch((e) => `unreadable: ${e.message}`);
    throw new Error(`${error.message}; the page: ${JSON.stringify(at)}; console: ${JSON.stringify(errors)}`);
  }
  const run = await page.evaluate(() => ({
    losses: window.lab.losses.length, first: window.lab.losses[0], last: window.lab.losses.at(-1),
    flow: window.lab.drawn.flow, wgan: window.lab.drawn.wgan, flowDone: window.lab.flow.lastProgress?.done, wganDone: window.lab.wgan.lastProgress?.done,
    said: document.getElementById('models-status').textContent,
    read: ['samples', 'flow-samples', 'wgan-samples'].map((id) => window.lab.readAs[id]?.count ?? 0),
  }));
  assert.ok(run.losses > 5 && run.last < run.first, `the autoencoder learned: ${run.first} → ${run.last}`);
  assert.ok(run.flow > 0 && run.wgan > 0 && run.flowDone && run.wganDone, JSON.stringify(run));
  assert.match(run.said, /^Trained the autoencoder, then the flow \(FlowAE\), then the generator \(AdvAE\)/);
  assert.deepEqual(run.read, [32, 32, 32], 'each run\'s last samples are read by the classifier');
  assert.deepEqual(errors, []);
  await page.close();
});

test('in Firefox your own pictures are read from a zip (inflated by the browser), shown, and trained on', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${url}?data=own&backend=cpu`);
  await page.waitForFunction(() => window.lab?.own, { timeout: 60_000 });
  // The pictures are drawn in the page (as a visitor's would be made), zipped here, and handed
  // to the panel as the file a visitor chooses.
  const drawn = await pngs(page, 60);
  const archive = zip(drawn.map((bytes, i) => ({ path: `${i % 2 ? 'rings' : 'strokes'}/${i}.png`, bytes })));
  await page.evaluate((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    window.lab.own.read([new File([bytes], 'shapes.zip', { type: 'application/zip' })]);
  }, archive.toString('base64'));
  await page.waitForFunction(() => /read in/.test(document.getElementById('own-status').textContent), { timeout: 60_000 });
  assert.match(await page.$eval('#own-status', (el) => el.textContent), /^60 images read in .*; 2 classes from their folders: rings, strokes\./);
  await page.click('#own-train');
  await page.waitForFunction(() => window.lab.lastReady?.train === 50 && window.lab.state === 'training', { timeout: 120_000, polling: 500 });
  assert.deepEqual(errors, []);
  await page.close();
});
