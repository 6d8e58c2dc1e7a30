// Benchmark (not a test): a cold first visit over three networks (first-visit.mjs), training
// speed on each backend in headless Chromium, the time from opening the page to the first
// drawn reconstruction, and the bytes a visitor downloads.
// Run with `./build.sh bench`; prints tables and writes out/bench.json.
// Against TF.js 4.22 (tfjs/worker.js: the identical autoencoder) in the same Chromium, in
// workers, alternating runs: images per second and the ratio.
// BENCH_ONLY=first-visit, tfjs, webgpu (dispatches per step, this project and TF.js) or
// training runs one part.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { serve } from '../../tools/serve.mjs';
import { startServer, launch, waitForState, setSettings } from './harness.mjs';
import { PROFILES, firstVisit } from './first-visit.mjs';

const ONLY = process.env.BENCH_ONLY ?? null;
// BENCH_BACKENDS=cpu leaves out WebGPU (SwiftShader here: minutes for a few steps).
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'gpu,cpu').split(',');

const FLOW_EPOCHS = Number(process.env.BENCH_FLOW_EPOCHS ?? 2);
const WGAN_EPOCHS = Number(process.env.BENCH_WGAN_EPOCHS ?? 1);
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
  await page.goto(`${url}?pretrained=0&backend=${backend}`);
  await waitForState(page, ['idle']);
  const readyMs = Date.now() - opened;
  await setSettings(page, TRAIN);
  await page.evaluate(() => { window.longTasks = []; });
  await page.click('#train');
  await page.waitForFunction(() => window.lab.drawn.reconstructions > 0, null, { timeout: 120_000 });
  const firstReconstructionMs = Date.now() - opened;
  await waitForState(page, ['done'], 600_000);
  // FlowAE on the codes of the autoencoder just trained: 2 epochs of the default flow.
  await page.fill('#flow-settings [name=epochs]', String(FLOW_EPOCHS));
  const flowClicked = Date.now();
  await page.click('#train-flow');
  await page.waitForFunction(() => window.lab.drawn.flow > 0, null, { timeout: 600_000 });
  const firstFlowSamplesMs = Date.now() - flowClicked;
  await page.waitForFunction(() => window.lab.flow.lastProgress?.done && window.lab.state === 'done', null, { timeout: 900_000 });
  const flow = await page.evaluate(() => ({ rates: window.lab.flow.rates, nll: window.lab.flow.testLosses.at(-1) }));
  // AdvAE on the same codes (already encoded by the flow): the default WGAN-GP.
  await page.fill('#wgan-settings [name=epochs]', String(WGAN_EPOCHS));
  const wganClicked = Date.now();
  await page.click('#train-wgan');
  await page.waitForFunction(() => window.lab.drawn.wgan > 0, null, { timeout: 600_000 });
  const firstWganSamplesMs = Date.now() - wganClicked;
  await page.waitForFunction(() => window.lab.wgan.lastProgress?.done && window.lab.state === 'done', null, { timeout: 900_000 });
  const wgan = await page.evaluate(() => ({ rates: window.lab.wgan.rates, criticSteps: window.lab.wgan.run.config.critic_steps }));
  const { adapter, rates, longTasks } = await page.evaluate(() => ({
    adapter: window.lab.adapter, rates: window.lab.rates, longTasks: window.longTasks }));
  await page.close();
  return { backend, adapter, readyMs, firstReconstructionMs, rates, bytes, longTasks, flow, firstFlowSamplesMs, wgan, firstWganSamplesMs };
}

const TFJS_ROUNDS = Number(process.env.BENCH_TFJS_ROUNDS ?? 7);
const TFJS_SECONDS = Number(process.env.BENCH_TFJS_SECONDS ?? 4);
// Steps before timing starts, both sides: enough for V8 to move the hot wasm functions from its
// baseline compiler to the optimizing one (3 steps left part of that inside the timed window).
// TF.js's cpu backend (plain JS, ~200 images/s) gets 3.
const WARMUP_STEPS = Number(process.env.BENCH_WARMUP_STEPS ?? 30);

/**
 * Autoencoder training, batch 100, in workers of one Chromium: this project's CPU backend
 * (its worker's 'time' command) against TF.js's wasm and cpu backends, in alternating rounds.
 * Both sides read the loss back once per chunk and time after a warm-up.
 */
async function againstTfjs(browser, url) {
  const root = await serve('.', { port: 0 });
  const rootUrl = `http://127.0.0.1:${root.address().port}/`;
  const ours = await browser.newPage();
  await ours.goto(`${url}?pretrained=0&backend=cpu`);
  await waitForState(ours, ['idle']);
  const theirs = await browser.newPage();
  await theirs.goto(`${rootUrl}tests/browser/tfjs/index.html`);
  const rounds = [];
  try {
    for (let round = 0; round < TFJS_ROUNDS; round++) {
      const project = await ours.evaluate(async ({ seconds, warmup }) => {
        const { LabWorker } = await import('./worker-client.js');
        const worker = new LabWorker({ module: 'cpu', backend: 'cpu' });
        try {
          await worker.next((m) => m.type === 'ready', { timeoutMs: 120_000 });
          const config = { train_images: 60000, test_images: 200, epochs: 1, batch_size: 100 };
          const timed = await worker.request({ type: 'time', config, warmup, seconds }, (m) => m.type === 'timed', { timeoutMs: 120_000 });
          return timed.imagesPerSecond;
        } finally { worker.terminate(); }
      }, { seconds: TFJS_SECONDS, warmup: WARMUP_STEPS });
      const tfjs = {};
      for (const backend of ['wasm', 'cpu']) {
        tfjs[backend] = await theirs.evaluate(({ backend, seconds, warmup }) => new Promise((resolve, reject) => {
          const worker = new Worker('worker.js');
          worker.onmessage = ({ data }) => { worker.terminate(); if (data.error) reject(new Error(data.error)); else resolve(data.imagesPerSecond); };
          worker.onerror = (e) => { worker.terminate(); reject(new Error(e.message)); };
          worker.postMessage({ backend, seconds, warmup });
        }), { backend, seconds: TFJS_SECONDS, warmup: backend === 'cpu' ? 3 : WARMUP_STEPS });
      }
      rounds.push({ project, tfjsWasm: tfjs.wasm, tfjsCpu: tfjs.cpu });
    }
  } finally {
    await ours.close();
    await theirs.close();
    root.close();
  }
  const median = (key) => { const v = rounds.map((r) => r[key]).sort((a, b) => a - b); return v[Math.floor(v.length / 2)]; };
  const summary = { rounds, project: Math.round(median('project')), tfjsWasm: Math.round(median('tfjsWasm')), tfjsCpu: Math.round(median('tfjsCpu')) };
  summary.ratioToTfjsWasm = +(summary.project / summary.tfjsWasm).toFixed(2);
  return summary;
}

/**
 * Autoencoder training on WebGPU, batch 100: this project (the GPU module's 'time' command) and
 * TF.js's webgpu backend, each with its compute dispatches and queue submissions per step
 * counted in its worker. On a software adapter the images per second mean little; the counts
 * are what a hardware GPU would be given.
 */
async function onWebGpu(browser, url) {
  const root = await serve('.', { port: 0 });
  const ours = await browser.newPage();
  const theirs = await browser.newPage();
  try {
    await ours.goto(`${url}?pretrained=0&backend=gpu`);
    await waitForState(ours, ['idle']);
    const project = await ours.evaluate(async () => {
      const { LabWorker } = await import('./worker-client.js');
      const worker = new LabWorker({ module: 'gpu', backend: 'gpu' });
      try {
        const ready = await worker.next((m) => m.type === 'ready', { timeoutMs: 120_000 });
        if (ready.backend !== 'gpu') return { error: ready.notice };
        const config = { train_images: 2000, test_images: 200, epochs: 1, batch_size: 100 };
        const { imagesPerSecond, dispatchesPerStep, submitsPerStep } = await worker.request({ type: 'time', config, warmup: 2, seconds: 3, countGpuWork: true },
          (m) => m.type === 'timed', { timeoutMs: 300_000 });
        return { imagesPerSecond, dispatchesPerStep, submitsPerStep };
      } finally { worker.terminate(); }
    });
    await theirs.goto(`http://127.0.0.1:${root.address().port}/tests/browser/tfjs/index.html`);
    const tfjs = await theirs.evaluate(() => new Promise((resolve) => {
      const worker = new Worker('worker.js');
      worker.onmessage = ({ data }) => { worker.terminate(); resolve(data); };
      worker.postMessage({ backend: 'webgpu', seconds: 3, warmup: 2 });
    }));
    return { adapter: await ours.evaluate(() => window.lab.adapter), project, tfjs };
  } finally {
    await ours.close();
    await theirs.close();
    root.close();
  }
}

const { server, url } = await startServer();
const browser = await launch();
const results = [];
const visits = [];
let tfjs = null;
let webgpu = null;
try {
  if (!ONLY || ONLY === 'first-visit') for (const profile of Object.keys(PROFILES)) visits.push(await firstVisit(browser, url, profile));
  if (!ONLY || ONLY === 'tfjs') tfjs = await againstTfjs(browser, url);
  if (!ONLY || ONLY === 'webgpu') webgpu = await onWebGpu(browser, url);
  if (!ONLY || ONLY === 'training') for (const backend of BACKENDS) results.push(await measure(browser, url, backend));
} finally {
  await browser.close();
  server.close();
}
if (tfjs) {
  console.log(`\nAutoencoder, batch 100, in a worker (median of ${tfjs.rounds.length} alternating rounds, images/s):`);
  console.log(`  this project, CPU (wasm): ${tfjs.project}`);
  console.log(`  TF.js 4.22 wasm backend:  ${tfjs.tfjsWasm}`);
  console.log(`  TF.js 4.22 cpu backend:   ${tfjs.tfjsCpu}`);
  console.log(`  ratio to TF.js wasm:      ${tfjs.ratioToTfjsWasm}×`);
}

if (webgpu) {
  const row = (name, r) => (r.error ? `  ${name}: ${r.error}` : `  ${name}: ${Math.round(r.imagesPerSecond)} images/s, `
    + `${r.dispatchesPerStep?.toFixed(1)} dispatches and ${r.submitsPerStep?.toFixed(1)} submits per step`);
  console.log(`\nAutoencoder on WebGPU (${webgpu.adapter}), batch 100:`);
  console.log(row('this project', webgpu.project));
  console.log(row('TF.js 4.22 webgpu', webgpu.tfjs));
}

/** A file's size raw, gzipped and Brotli'd, as tools/compress.mjs writes them. */
const sizes = (path) => {
  const bytes = readFileSync(path);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length };
};
const modules = { cpu: sizes('www/pkg/flowae_cpu_bg.wasm'), gpu: sizes('www/pkg/flowae_gpu_bg.wasm') };
if (visits.length) {
  console.log('\nFirst visit, cold cache, served compressed (ms from navigation):');
  console.log('| | first samples drawn | pretrained interactive | Train can be pressed | training under way | every byte in | bytes on the wire |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const v of visits) {
    console.log(`| ${v.profile} | ${v.firstSamplesMs} | ${v.interactiveMs} | ${v.trainableMs} | ${v.trainingMs} | ${v.allBytesInMs} | ${v.bytes.toLocaleString('en-US')} |`);
  }
  console.log('\nBytes on the wire per file (first visit):');
  for (const [file, n] of Object.entries(visits[0].files).sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(10)}  ${file}`);
  console.log(`\nwasm modules (raw / gzip / brotli): cpu ${Object.values(modules.cpu).join(' / ')}; gpu ${Object.values(modules.gpu).join(' / ')}`);
  for (const v of visits) if (v.errors.length) console.log(`errors on ${v.profile}: ${v.errors.join('; ')}`);
}
if (!results.length) {
  mkdirSync('out', { recursive: true });
  writeFileSync('out/bench.json', JSON.stringify({ firstVisit: visits, modules, tfjs, webgpu }, null, 2));
  process.exit(0);
}

const download = results[0].bytes;
/** The mean of a phase's steps per second, leaving out the first chunk (shader compilation). */
const steadyRate = (rates) => (rates.length > 1 ? +(rates.slice(1).reduce((a, b) => a + b, 0) / (rates.length - 1)).toFixed(2) : null);
const sum = (filter) => Object.entries(download).filter(([p]) => filter(p)).reduce((a, [, n]) => a + n, 0);
const summary = {
  images: TRAIN.train_images,
  backends: results.map((r) => {
    const steady = r.rates.slice(1);        // the first chunk pays for shader compilation
    const mean = steady.length ? steady.reduce((a, b) => a + b, 0) / steady.length : null;
    return { backend: r.backend, adapter: r.adapter, imagesPerSecond: mean && Math.round(mean),
      readyMs: r.readyMs, firstReconstructionMs: r.firstReconstructionMs,
      longestMainThreadTaskMs: r.longTasks.length ? Math.round(Math.max(...r.longTasks)) : '< 50',
      flowStepsPerSecond: steadyRate(r.flow.rates),
      flowHeldOutNll: r.flow.nll?.[1], trainFlowToFirstSamplesMs: r.firstFlowSamplesMs,
      wganGeneratorStepsPerSecond: steadyRate(r.wgan.rates),
      wganCriticStepsPerSecond: steadyRate(r.wgan.rates) && +(steadyRate(r.wgan.rates) * r.wgan.criticSteps).toFixed(2),
      trainWganToFirstSamplesMs: r.firstWganSamplesMs };
  }),
  firstVisit: visits,
  modules,
  tfjs,
  webgpu,
  bytes: {
    js: sum((p) => p.endsWith('.js')), css: sum((p) => p.endsWith('.css')),
    html: sum((p) => p.endsWith('.html') || p.endsWith('/')), data: sum((p) => p.startsWith('/data/')),
  },
};
mkdirSync('out', { recursive: true });
writeFileSync('out/bench.json', JSON.stringify(summary, null, 2));
console.log(JSON.stringify(summary, null, 2));
