// Shared set-up for the browser tests: serve www/ on loopback, drive Debian's Chromium.
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';
import { serve } from '../../tools/serve.mjs';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Autoencoder settings small enough for a test to train to the end in seconds. */
export const SMALL = { train_images: 500, test_images: 200, epochs: 1, batch_size: 50, learning_rate: 0.003 };

/** Serves www/ on a free loopback port; returns {server, url}. */
export async function startServer() {
  const server = await serve('www', { port: 0 });
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

/** Launches headless Chromium, with WebGPU (SwiftShader here) unless `webgpu` is false. */
export function launch({ webgpu = true } = {}) {
  const args = ['--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-sandbox'];
  if (webgpu) args.push('--enable-unsafe-webgpu');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

/** A test file's server and browser (`launch` options), started before its tests and closed
 * after them: read `.url` and `.browser` inside a test. */
export function servedBrowser(options) {
  const shared = {};
  before(async () => {
    ({ server: shared.server, url: shared.url } = await startServer());
    shared.browser = await launch(options);
  });
  after(async () => {
    await shared.browser?.close();
    shared.server?.close();
  });
  return shared;
}

/** Opens the page and collects console errors and uncaught exceptions (page and worker). */
export async function openPage(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'error') errors.push(`worker: ${m.text()}`); }));
  await page.goto(url);
  return { page, errors };
}

/** A new page of `context` at `url` that records console errors, uncaught exceptions and
 * each request it makes, as `record(request)` has it: `{page, errors, requests}`. */
export async function recordingPage(context, url, record) {
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => requests.push(record(r)));
  await page.goto(url);
  return { page, errors, requests };
}

/** Waits until `window.lab.state` is one of `states`. */
export function waitForState(page, states, timeout = 120_000) {
  return page.waitForFunction((s) => s.includes(window.lab?.state), states, { timeout });
}

/** Sets the autoencoder's form fields named in `settings` (select or input). */
export async function setSettings(page, settings) {
  for (const [name, value] of Object.entries(settings)) await setField(page, `#settings [name=${name}]`, value);
}

/** Sets one field as a visitor does: unfolds the Settings (or whatever fold) it sits in, then
 * fills it or chooses `value`. */
export async function setField(page, selector, value) {
  const field = page.locator(selector);
  await field.evaluate((el) => { const fold = el.closest('details'); if (fold) fold.open = true; });
  if (await field.evaluate((el) => el.tagName === 'SELECT')) await field.selectOption(String(value));
  else await field.fill(String(value));
}

/** The number of pixels of `canvas` that differ from its darkest gray background. */
export function inkOf(page, selector) {
  return page.$eval(selector, (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] > 128) ink++;
    return ink;
  });
}

/** Trains a small autoencoder, then a one-epoch flow on its codes, from the page's buttons. */
export async function trainAutoencoderAndFlow(page) {
  await setSettings(page, SMALL);
  await page.click('#train');
  await waitForState(page, ['done'], 300_000);
  await setField(page, '#flow-settings [name=epochs]', '1');
  await setField(page, '#flow-settings [name=batch_size]', '50');
  await page.click('#train-flow');
  await page.waitForFunction(() => window.lab.flow.lastProgress?.done && window.lab.state === 'done', null, { timeout: 300_000 });
}

/** Settings for Compare all on a small subset: every model trains for an epoch in seconds, and
 * each is scored on 500 samples. */
export async function smallComparison(page) {
  await setSettings(page, { ...SMALL, train_images: 2000, test_images: 1000 });
  for (const [form, values] of [['flow-settings', { epochs: 1, batch_size: 50 }], ['wgan-settings', { epochs: 1, batch_size: 50 }],
    ['vae-settings', { epochs: 1 }], ['aae-settings', { epochs: 1 }]]) {
    for (const [name, value] of Object.entries(values)) await setField(page, `#${form} [name=${name}]`, value);
  }
  await setField(page, '#fcd-count', '500');
  await setField(page, '#fcd-length', 'sections');
}

/** `bytes` (a models file, tools/../src/weights.rs's layout) with every value of the tensors
 * whose names match `pattern` set to `value`, and the checksum made right again. */
export async function withTensors(bytes, pattern, value) {
  const { crc32 } = await import('node:zlib');
  const out = Buffer.from(bytes);
  const headerLength = out.readUInt32LE(12);
  const header = JSON.parse(out.subarray(16, 16 + headerLength).toString('utf8'));
  let at = 16 + headerLength;
  for (const t of header.tensors) {
    const count = t.shape.reduce((n, d) => n * d, 1);
    const width = t.dtype === 'f16' ? 2 : 4;
    if (pattern.test(t.name)) {
      for (let i = 0; i < count; i++) {
        if (width === 4) out.writeFloatLE(value, at + 4 * i);
        else out.writeUInt16LE(value === -1 ? 0xbc00 : 0x7bff, at + 2 * i);   // −1, or f16's largest
      }
    }
    at += count * width;
  }
  out.writeUInt32LE(crc32(out.subarray(0, out.length - 4)), out.length - 4);
  return out;
}

/** FlowAE samples drawn at `seed` (temperature 1), as numbers. */
export async function flowSample(page, seed) {
  await page.evaluate((s) => { window.lab.samples.flow = null; window.lab.send({ type: 'sample', seed: s, temperature: 1 }); }, seed);
  await page.waitForFunction((s) => window.lab.samples.flow?.seed === s, seed, { timeout: 60_000 });
  return page.evaluate(() => Array.from(window.lab.samples.flow.pixels));
}
