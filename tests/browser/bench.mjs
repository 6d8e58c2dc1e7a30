// Benchmark (not a test): a cold first visit over three networks (first-visit.mjs), training
// speed on each backend in headless Chromium, the time from opening the page to the first
// drawn reconstruction, and the bytes a visitor downloads.
// Run with `./build.sh bench`; prints tables and writes out/bench.json.
// Against TF.js 4.22 (tfjs/worker.js: the identical autoencoder) in the same Chromium, in
// workers, alternating runs: images per second and the ratio.
// The one-press story: Train from scratch on a page opened as a visitor opens it (CPU backend),
// each phase's seconds and how true its time left was.
// Your own images: the time the page takes to read 1,000 generated PNGs (40–340 px, varied
// colours) into inputs, from choosing them to the grid to confirm.
// BENCH_ONLY=first-visit, tfjs, webgpu (dispatches per step, this project and TF.js), training,
// story or own-images runs one part. Every wait has a timeout; a part that fails or times out is named
// with why, the other parts still run, and the bench exits non-zero.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { serve } from '../../tools/serve.mjs';
import { startServer, launch, waitForState, setSettings, setField } from './harness.mjs';
import { PROFILES, firstVisit } from './first-visit.mjs';
import { pngs } from './own-pictures.mjs';

const ONLY = process.env.BENCH_ONLY ?? null;
// The backends the in-page training is timed on: by default the CPU, and WebGPU where the
// adapter is hardware (a software one, SwiftShader here, takes minutes for a few steps and
// says nothing of a real GPU). BENCH_BACKENDS=gpu,cpu times both whatever the adapter.
const BACKENDS = process.env.BENCH_BACKENDS?.split(',') ?? null;
// Rounds of the in-page training, alternating the backends, and of the first visit, alternating
// the networks: medians and ranges are printed.
const TRAINING_ROUNDS = Number(process.env.BENCH_TRAINING_ROUNDS ?? 3);
const VISIT_ROUNDS = Number(process.env.BENCH_VISIT_ROUNDS ?? 3);
const STORY_ROUNDS = Number(process.env.BENCH_STORY_ROUNDS ?? 3);
const OWN_ROUNDS = Number(process.env.BENCH_OWN_ROUNDS ?? 3);
/** Pictures read per round of the own-images part. */
const OWN_PICTURES = 1000;
/** Estimates of the time left made with less than this left are not judged: "about 2 s left"
 * with 3 s to go is off by a third, and no visitor minds. */
const JUDGED_FROM_S = 5;

// At the page's defaults (the tuned preset) but for the subset: 10,000 digits give the flow
// 200 steps and the WGAN (10 critic steps per generator step) 10 generator steps an epoch.
const FLOW_EPOCHS = Number(process.env.BENCH_FLOW_EPOCHS ?? 2);
const WGAN_EPOCHS = Number(process.env.BENCH_WGAN_EPOCHS ?? 10);
const TRAIN = { train_images: Number(process.env.BENCH_IMAGES ?? 10000), test_images: 200, epochs: 1, batch_size: 100 };

/** The pages of the TF.js comparison are the bench's own, not the site's: TF.js compiles its
 * kernels with eval, which the site's policy (tools/csp.mjs) refuses. */
const BENCH_POLICY = "default-src 'self'; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; worker-src 'self'";

/** `promise`, or a rejection naming `what` after `ms`. */
function timed(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`)), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** In a page: runs tfjs/worker.js with `message` and resolves with its answer, or rejects with
 * its error or after `ms` (a worker that never answers). */
function tfjsInPage(page, message, ms) {
  return page.evaluate(({ message, ms }) => new Promise((resolve, reject) => {
    const worker = new Worker('worker.js');
    const timer = setTimeout(() => { worker.terminate(); reject(new Error(`TF.js ${message.backend}: no answer within ${ms / 1000} s`)); }, ms);
    const end = () => { clearTimeout(timer); worker.terminate(); };
    worker.onmessage = ({ data }) => { end(); if (data.error) reject(new Error(`TF.js ${message.backend}: ${data.error}`)); else resolve(data); };
    worker.onerror = (e) => { end(); reject(new Error(`TF.js ${message.backend}: ${e.message || 'the worker failed to start'}`)); };
    worker.postMessage(message);
  }), { message, ms });
}

/** One round of your own images: OWN_PICTURES PNGs chosen on a data=own page, read into
 * inputs; the seconds the page reports (choosing to the grid) and the pictures' bytes. */
async function ownImages(browser, url) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    const page = await context.newPage();
    await page.goto(`${url}?data=own&backend=cpu`);
    const pictures = await pngs(page, OWN_PICTURES);
    await page.setInputFiles('#own-files-input', pictures.map((buffer, i) => ({ name: `${i}.png`, mimeType: 'image/png', buffer })));
    await page.waitForFunction(() => /read in/.test(document.getElementById('own-status').textContent), null, { timeout: 300_000 });
    const { seconds, count } = await page.evaluate(() => window.lab.own.candidate);
    return { seconds, count, bytes: pictures.reduce((sum, p) => sum + p.length, 0) };
  } finally {
    await context.close();
  }
}

/** Whether this Chromium offers a hardware WebGPU adapter (not a software fallback). */
async function hardwareGpu(browser, url) {
  const page = await browser.newPage();
  try {
    await page.goto(`${url}?pretrained=0&backend=cpu`);
    return await page.evaluate(async () => {
      const adapter = await navigator.gpu?.requestAdapter();
      if (!adapter) return { hardware: false, name: null };
      const info = adapter.info ?? {};
      return { hardware: !info.isFallbackAdapter, name: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unnamed' };
    });
  } finally {
    await page.close();
  }
}

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
  if (backend === 'gpu' && await page.evaluate(() => window.lab.backend) !== 'gpu') {
    await page.close();
    throw new Error(`WebGPU did not start: ${await page.evaluate(() => window.lab.notice).catch(() => 'no reason given')}`);
  }
  const readyMs = Date.now() - opened;
  await setSettings(page, TRAIN);
  await page.evaluate(() => { window.longTasks = []; });
  await page.click('#train');
  await page.waitForFunction(() => window.lab.drawn.reconstructions > 0, null, { timeout: 120_000 });
  const firstReconstructionMs = Date.now() - opened;
  await waitForState(page, ['done'], 600_000);
  // FlowAE on the codes of the autoencoder just trained: 2 epochs of the default flow.
  await setField(page, '#flow-settings [name=epochs]', String(FLOW_EPOCHS));
  const flowClicked = Date.now();
  await page.click('#train-flow');
  await page.waitForFunction(() => window.lab.drawn.flow > 0, null, { timeout: 600_000 });
  const firstFlowSamplesMs = Date.now() - flowClicked;
  await page.waitForFunction(() => window.lab.flow.lastProgress?.done && window.lab.state === 'done', null, { timeout: 900_000 });
  const flow = await page.evaluate(() => ({ timed: window.lab.flow.timed, nll: window.lab.flow.testLosses.at(-1) }));
  // AdvAE on the same codes (already encoded by the flow): the default WGAN-GP.
  await setField(page, '#wgan-settings [name=epochs]', String(WGAN_EPOCHS));
  const wganClicked = Date.now();
  await page.click('#train-wgan');
  await page.waitForFunction(() => window.lab.drawn.wgan > 0, null, { timeout: 600_000 });
  const firstWganSamplesMs = Date.now() - wganClicked;
  await page.waitForFunction(() => window.lab.wgan.lastProgress?.done && window.lab.state === 'done', null, { timeout: 900_000 });
  const wgan = await page.evaluate(() => ({ timed: window.lab.wgan.timed, criticSteps: window.lab.wgan.run.config.critic_steps }));
  const { adapter, timed, longTasks } = await page.evaluate(() => ({
    adapter: window.lab.adapter, timed: window.lab.autoencoder.timed, longTasks: window.longTasks }));
  await page.close();
  return { backend, adapter, readyMs, firstReconstructionMs, timed, bytes, longTasks, flow, firstFlowSamplesMs, wgan, firstWganSamplesMs };
}

/**
 * The one-press story at the page's defaults: opened as a first visitor opens it (on the CPU
 * backend), Train from scratch pressed as soon as it can be; each phase's seconds from the press,
 * its first samples, and its time-left estimates against when it really ended.
 */
async function story(browser, url) {
  const page = await browser.newPage();
  try {
    await page.goto(`${url}?backend=cpu`);
    await page.waitForFunction(() => !document.getElementById('from-scratch').disabled, null, { timeout: 120_000 });
    await page.click('#from-scratch');
    await page.waitForFunction(() => window.lab.story.times.wgan?.ended || (!window.lab.story.running && window.lab.story.times.pressed),
      null, { timeout: 900_000, polling: 500 });
    return await page.evaluate((judgedFrom) => {
      const { times } = window.lab.story;
      const phases = {};
      for (const name of ['autoencoder', 'flow', 'wgan']) {
        const t = times[name];
        if (!t?.ended) throw new Error(`the story did not finish ${name}: ${document.getElementById('models-status').textContent}`);
        const view = window.lab[name];
        // Each estimate against the truth: (estimated end − real end) / time really left.
        const errors = view.estimates.map(([at, left]) => ({ left: (t.ended - at) / 1000, error: (at + left * 1000 - t.ended) / (t.ended - at) }));
        const judged = errors.filter((e) => e.left >= judgedFrom);
        phases[name] = {
          seconds: (t.ended - t.started) / 1000,
          doneAtS: (t.ended - times.pressed) / 1000,
          firstEstimate: errors[0] ?? null,
          worstError: judged.length ? judged.reduce((w, e) => (Math.abs(e.error) > Math.abs(w) ? e.error : w), 0) : null,
          firstSamplesAtS: window.lab.firstDrawn?.[name] ? (window.lab.firstDrawn[name] - times.pressed) / 1000 : null,
          estimates: view.estimates.map(([at, left]) => [Math.round(at - t.started), Math.round(left * 10) / 10]),
          chunks: view.chunks,
        };
      }
      return { totalS: (times.wgan.ended - times.pressed) / 1000, phases };
    }, JUDGED_FROM_S);
  } finally {
    await page.close();
  }
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
  const root = await serve('.', { port: 0, csp: BENCH_POLICY });
  const rootUrl = `http://127.0.0.1:${root.address().port}/`;
  const ours = await browser.newPage();
  await ours.goto(`${url}?pretrained=0&backend=cpu`);
  await waitForState(ours, ['idle']);
  const theirs = await browser.newPage();
  await theirs.goto(`${rootUrl}tests/browser/tfjs/index.html`);
  const rounds = [];
  try {
    await theirs.waitForFunction(() => document.readyState === 'complete', null, { timeout: 30_000 });
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
        const warmup = backend === 'cpu' ? 3 : WARMUP_STEPS;
        tfjs[backend] = (await tfjsInPage(theirs, { backend, seconds: TFJS_SECONDS, warmup }, 180_000)).imagesPerSecond;
      }
      rounds.push({ project, tfjsWasm: tfjs.wasm, tfjsCpu: tfjs.cpu });
    }
  } finally {
    await ours.close();
    await theirs.close();
    root.close();
  }
  const summary = { rounds, project: Math.round(median(rounds.map((r) => r.project))), tfjsWasm: Math.round(median(rounds.map((r) => r.tfjsWasm))),
    tfjsCpu: Math.round(median(rounds.map((r) => r.tfjsCpu))) };
  summary.ratioToTfjsWasm = +(summary.project / summary.tfjsWasm).toFixed(2);
  const ratios = rounds.map((r) => r.project / r.tfjsWasm);
  summary.ratioRange = [+Math.min(...ratios).toFixed(2), +Math.max(...ratios).toFixed(2)];
  return summary;
}

/**
 * Autoencoder training on WebGPU, batch 100: this project (the GPU module's 'time' command) and
 * TF.js's webgpu backend, each with its compute dispatches and queue submissions per step
 * counted in its worker. On a software adapter the images per second mean little; the counts
 * are what a hardware GPU would be given.
 */
async function onWebGpu(browser, url) {
  const root = await serve('.', { port: 0, csp: BENCH_POLICY });
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
    const tfjs = await tfjsInPage(theirs, { backend: 'webgpu', seconds: 3, warmup: 2 }, 300_000).catch((e) => ({ error: e.message }));
    return { adapter: await ours.evaluate(() => window.lab.adapter), project, tfjs };
  } finally {
    await ours.close();
    await theirs.close();
    root.close();
  }
}

/** The median of `values` (the mean of the middle two for an even count). */
function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** A phase's steps per second: its steps over the time its chunks took, the first chunk left
 * out (shader compilation; see phase-view.js's `timed`). */
const steadyRate = (timed) => (timed.ms > 0 ? +((timed.steps * 1000) / timed.ms).toFixed(2) : null);

/** Median (range) of a figure over rounds, for printing. */
function spread(values, digits = 0) {
  const v = values.filter((x) => x !== null && Number.isFinite(x));
  if (!v.length) return 'n/a';
  const f = (x) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return `${f(median(v))} (${f(Math.min(...v))}–${f(Math.max(...v))})`;
}

const { server, url } = await startServer();
const browser = await launch();
const results = [];
const visits = [];
const failures = [];
let tfjs = null;
let webgpu = null;
let gpu = null;
const stories = [];
const owns = [];
/** Runs one part of the bench within `ms`; a failure is named and the bench goes on. */
async function part(name, ms, work) {
  const started = Date.now();
  try {
    await timed(work(), ms, name);
    console.log(`(${name}: ${Math.round((Date.now() - started) / 1000)} s)`);
  } catch (error) {
    failures.push(`${name}: ${error.message.split('\n')[0]}`);
    console.log(`FAILED ${name}: ${error.message.split('\n')[0]}`);
  }
}
try {
  gpu = await timed(hardwareGpu(browser, url), 60_000, 'probing WebGPU');
  const backends = BACKENDS ?? (gpu.hardware ? ['gpu', 'cpu'] : ['cpu']);
  if (!BACKENDS && !gpu.hardware) {
    console.log(`WebGPU: ${gpu.name ? `only a software adapter here (${gpu.name})` : 'no adapter here'}; in-page training timed on the CPU only (BENCH_BACKENDS=gpu,cpu to time it anyway).`);
  }
  if (!ONLY || ONLY === 'first-visit') {
    await part('first visit', 300_000 * VISIT_ROUNDS, async () => {
      for (let round = 0; round < VISIT_ROUNDS; round++) for (const profile of Object.keys(PROFILES)) visits.push(await firstVisit(browser, url, profile));
    });
  }
  if (!ONLY || ONLY === 'tfjs') await part('against TF.js', 900_000, async () => { tfjs = await againstTfjs(browser, url); });
  if (!ONLY || ONLY === 'webgpu') await part('WebGPU dispatches', 600_000, async () => { webgpu = await onWebGpu(browser, url); });
  if (!ONLY || ONLY === 'story') {
    await part('the one-press story', 900_000 * STORY_ROUNDS, async () => {
      for (let round = 0; round < STORY_ROUNDS; round++) stories.push(await story(browser, url));
    });
  }
  if (!ONLY || ONLY === 'own-images') {
    await part('your own images', 300_000 * OWN_ROUNDS, async () => {
      for (let round = 0; round < OWN_ROUNDS; round++) owns.push(await ownImages(browser, url));
    });
  }
  if (!ONLY || ONLY === 'training') {
    await part('training in the page', 900_000 * backends.length, async () => {
      for (let round = 0; round < TRAINING_ROUNDS; round++) {
        for (const backend of backends) results.push(await measure(browser, url, backend));
      }
    });
  }
} finally {
  await browser.close();
  server.close();
}
if (tfjs) {
  console.log(`\nAutoencoder, batch 100, in a worker (median of ${tfjs.rounds.length} alternating rounds, range in brackets, images/s):`);
  console.log(`  this project, CPU (wasm): ${spread(tfjs.rounds.map((r) => r.project))}`);
  console.log(`  TF.js 4.22 wasm backend:  ${spread(tfjs.rounds.map((r) => r.tfjsWasm))}`);
  console.log(`  TF.js 4.22 cpu backend:   ${spread(tfjs.rounds.map((r) => r.tfjsCpu))}`);
  console.log(`  ratio to TF.js wasm:      ${tfjs.ratioToTfjsWasm}× (rounds ${tfjs.ratioRange[0]}–${tfjs.ratioRange[1]}×)`);
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
  console.log(`\nFirst visit, cold cache, served compressed (ms from navigation; median of ${VISIT_ROUNDS} alternating rounds, range in brackets):`);
  console.log('| | first samples drawn | pretrained interactive | Train can be pressed | training under way | every byte in | bytes on the wire |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const profile of Object.keys(PROFILES)) {
    const v = visits.filter((x) => x.profile === profile);
    if (!v.length) continue;
    const cell = (key) => spread(v.map((x) => x[key]));
    console.log(`| ${profile} | ${cell('firstSamplesMs')} | ${cell('interactiveMs')} | ${cell('trainableMs')} | ${cell('trainingMs')} | ${cell('allBytesInMs')} | ${cell('bytes')} |`);
  }
  console.log('\nBytes on the wire per file (first visit):');
  for (const [file, n] of Object.entries(visits[0].files).sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(10)}  ${file}`);
  console.log(`\nwasm modules (raw / gzip / brotli): cpu ${Object.values(modules.cpu).join(' / ')}; gpu ${Object.values(modules.gpu).join(' / ')}`);
  for (const v of visits) if (v.errors.length) console.log(`errors on ${v.profile}: ${v.errors.join('; ')}`);
}

if (owns.length) {
  console.log(`\nYour own images: ${OWN_PICTURES.toLocaleString('en-US')} PNGs (${(owns[0].bytes / 1e6).toFixed(1)} MB, 40–340 px) read into inputs in `
    + `${spread(owns.map((o) => o.seconds), 1)} s (median of ${owns.length} rounds, range in brackets; ${owns[0].count} images each)`);
}

const backendsTimed = [...new Set(results.map((r) => r.backend))];
const summary = {
  images: TRAIN.train_images,
  flowEpochs: FLOW_EPOCHS,
  wganEpochs: WGAN_EPOCHS,
  rounds: results.map((r) => {
    const steps = steadyRate(r.timed);
    return { backend: r.backend, adapter: r.adapter, imagesPerSecond: steps && Math.round(steps * TRAIN.batch_size),
      readyMs: r.readyMs, firstReconstructionMs: r.firstReconstructionMs,
      longestMainThreadTaskMs: r.longTasks.length ? Math.round(Math.max(...r.longTasks)) : '< 50',
      flowStepsPerSecond: steadyRate(r.flow.timed),
      flowHeldOutNll: r.flow.nll?.[1], trainFlowToFirstSamplesMs: r.firstFlowSamplesMs,
      wganGeneratorStepsPerSecond: steadyRate(r.wgan.timed),
      criticSteps: r.wgan.criticSteps,
      trainWganToFirstSamplesMs: r.firstWganSamplesMs, bytes: r.bytes };
  }),
  firstVisit: visits,
  story: stories,
  ownImages: owns,
  modules,
  tfjs,
  webgpu,
  gpu,
  failures,
};
if (results.length) {
  console.log(`\nIn the page, at the default settings on ${TRAIN.train_images.toLocaleString('en-US')} digits (median of ${TRAINING_ROUNDS} alternating rounds, range in brackets):`);
  for (const backend of backendsTimed) {
    const rounds = summary.rounds.filter((r) => r.backend === backend);
    console.log(`  ${rounds[0].adapter}: autoencoder ${spread(rounds.map((r) => r.imagesPerSecond))} images/s; `
      + `flow ${spread(rounds.map((r) => r.flowStepsPerSecond), 1)} steps/s; `
      + `WGAN ${spread(rounds.map((r) => r.wganGeneratorStepsPerSecond), 1)} generator steps/s (${rounds[0].criticSteps} critic steps each); `
      + `longest main-thread task ${rounds.map((r) => r.longestMainThreadTaskMs).join(', ')} ms`);
  }
}
if (stories.length) {
  const pct = (x) => `${x > 0 ? '+' : ''}${Math.round(x * 100)}%`;
  console.log(`\nOne press, Train from scratch, at the page's defaults on the CPU backend (median of ${stories.length} rounds, range in brackets; s from the press):`);
  for (const name of ['autoencoder', 'flow', 'wgan']) {
    const p = stories.map((r) => r.phases[name]);
    console.log(`  ${name}: ${spread(p.map((x) => x.seconds), 1)} s, done at ${spread(p.map((x) => x.doneAtS), 1)} s; `
      + `first samples at ${spread(p.map((x) => x.firstSamplesAtS), 1)} s; time left: first estimate ${p.map((x) => (x.firstEstimate ? pct(x.firstEstimate.error) : 'none')).join(', ')}, `
      + `worst with ≥ ${JUDGED_FROM_S} s left ${p.map((x) => (x.worstError === null ? 'n/a' : pct(x.worstError))).join(', ')}`);
  }
  console.log(`  all three: ${spread(stories.map((r) => r.totalS), 1)} s`);
}
mkdirSync('out', { recursive: true });
writeFileSync('out/bench.json', JSON.stringify(summary, null, 2));
console.log('\nwrote out/bench.json');
if (failures.length) {
  console.log(`\n${failures.length} part(s) failed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
