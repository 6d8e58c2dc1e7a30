// Benchmark (not a test): training speed on each backend in headless Chromium, the time from
// opening the page to the first drawn reconstruction, and the bytes a visitor downloads.
// Run with `./build.sh bench`; prints a table and writes out/bench.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { startServer, launch, waitForState, setSettings } from './harness.mjs';

const TRAIN = { train_images: Number(process.env.BENCH_IMAGES ?? 2000), test_images: 200, epochs: 1, batch_size: 100 };

async function measure(browser, url, backend) {
  const page = await browser.newPage();
  const bytes = {};
  page.on('response', async (response) => {
    try {
      const path = new URL(response.url()).pathname;
      bytes[path] = (await response.body()).length;
    } catch { /* redirects and aborted requests have no body */ }
  });
  // Main-thread tasks over 50 ms, as the browser reports them.
  await page.addInitScript(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.longTasks.push(e.duration); })
      .observe({ type: 'longtask', buffered: true });
  });
  const opened = Date.now();
  await page.goto(`${url}?backend=${backend}`);
  await waitForState(page, ['idle']);
  const readyMs = Date.now() - opened;
  await setSettings(page, TRAIN);
  await page.evaluate(() => { window.longTasks = []; });
  await page.click('#train');
  await page.waitForFunction(() => window.lab.drawn.reconstructions > 0, null, { timeout: 120_000 });
  const firstReconstructionMs = Date.now() - opened;
  await waitForState(page, ['done'], 600_000);
  const { adapter, rates, longTasks } = await page.evaluate(() => ({
    adapter: window.lab.adapter, rates: window.lab.rates, longTasks: window.longTasks }));
  await page.close();
  return { backend, adapter, readyMs, firstReconstructionMs, rates, bytes, longTasks };
}

const { server, url } = await startServer();
const browser = await launch();
const results = [];
try {
  for (const backend of ['gpu', 'cpu']) results.push(await measure(browser, url, backend));
} finally {
  await browser.close();
  server.close();
}

const wasm = readFileSync('www/pkg/flowae_bg.wasm');
const download = results[0].bytes;
const sum = (filter) => Object.entries(download).filter(([p]) => filter(p)).reduce((a, [, n]) => a + n, 0);
const summary = {
  images: TRAIN.train_images,
  backends: results.map((r) => {
    const steady = r.rates.slice(1);        // the first chunk pays for shader compilation
    const mean = steady.length ? steady.reduce((a, b) => a + b, 0) / steady.length : null;
    return { backend: r.backend, adapter: r.adapter, imagesPerSecond: mean && Math.round(mean),
      readyMs: r.readyMs, firstReconstructionMs: r.firstReconstructionMs,
      longestMainThreadTaskMs: r.longTasks.length ? Math.round(Math.max(...r.longTasks)) : '< 50' };
  }),
  bytes: {
    wasm: wasm.length, wasmGzip: gzipSync(wasm, { level: 9 }).length,
    js: sum((p) => p.endsWith('.js')), css: sum((p) => p.endsWith('.css')),
    html: sum((p) => p.endsWith('.html') || p.endsWith('/')), data: sum((p) => p.startsWith('/data/')),
  },
};
mkdirSync('out', { recursive: true });
writeFileSync('out/bench.json', JSON.stringify(summary, null, 2));
console.log(JSON.stringify(summary, null, 2));
