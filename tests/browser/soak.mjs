// The soak (`./build.sh soak`): Compare all, again and again, in headless Chromium on the CPU
// backend (every model in turn: the autoencoder, FlowAE, AdvAE, the VAE and the AAE, each
// scored), while the browser's memory is sampled every SOAK_SAMPLE_S seconds. After a warm-up
// (SOAK_WARMUP_MIN, default 5 minutes) the memory must not grow by more than 1 MiB per minute
// (least-squares slope over the samples); the run lasts SOAK_MIN minutes (default 30).
//
// Memory is the resident set of every Chromium process (browser, renderer, GPU and utility
// processes: the worker runs in the renderer), read from /proc, and separately the renderer's.
// Each sample is taken just after Chromium's own memory dump (memory-infra, `deterministic`),
// which collects the garbage of every JavaScript heap first: what is measured is what the page
// keeps, not garbage that a collection would free at a moment of its choosing. (The heaps'
// garbage swings the resident set by ±25 MiB between samples, enough to tilt a slope; the
// resident set without the collection is reported too.) The dumps also say which allocator
// holds what grew (malloc, partition_alloc, blink_gc, v8, …): printed at the warm-up's end and
// at the end. The figures go to stdout and, as JSON, to out/soak.json.
import { readFileSync, readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { launch, smallComparison, startServer, waitForState } from './harness.mjs';
import { growth, memoryDump } from './memory-dump.mjs';

const minutes = Number(process.env.SOAK_MIN ?? 30);
const warmup = Number(process.env.SOAK_WARMUP_MIN ?? 5);
const every = Number(process.env.SOAK_SAMPLE_S ?? 30);
const LIMIT_MIB_PER_MIN = 1;

/** Resident MiB of `pid`, or 0 if it is gone. */
function rss(pid) {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Every descendant of `root` with its command line. */
function descendants(root) {
  const parent = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone */ }
  }
  const found = [];
  const walk = (pid) => {
    for (const [child, p] of parent) if (p === pid) { found.push(child); walk(child); }
  };
  walk(root);
  return found.map((pid) => {
    let cmd = '';
    try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { /* gone */ }
    const type = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser';
    const utility = /--utility-sub-type=([\w.]+)/.exec(cmd)?.[1];
    return { pid, renderer: type === 'renderer', type: utility ? utility.split('.').at(-1) : type };
  });
}

/** Least-squares slope of `ys` over `xs`. */
function slope(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  const sxy = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0);
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

const { server, url } = await startServer();
const browser = await launch({ webgpu: false });
// Chromium runs as this script's child: its processes are this process's descendants.
const root = process.pid;
const page = await browser.newPage();
const errors = [];
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
page.on('pageerror', (e) => errors.push(String(e)));
await page.goto(`${url}?pretrained=0&backend=cpu`);
await waitForState(page, ['idle']);
await smallComparison(page);

const cdp = await browser.newBrowserCDPSession();
const started = Date.now();
const samples = [];
const dumps = {};
let cycles = 0;
const memory = { wasm: null, heap: null };
const processes = () => descendants(root);
const residents = () => {
  const all = processes().map((p) => ({ ...p, mib: rss(p.pid) }));
  const byType = {};
  for (const p of all) byType[p.type] = (byType[p.type] ?? 0) + p.mib;
  return {
    all: all.reduce((sum, p) => sum + p.mib, 0),
    renderer: all.filter((p) => p.renderer).reduce((sum, p) => sum + p.mib, 0),
    byType,
  };
};
let sampling = false;
const sample = async () => {
  if (sampling) return;
  sampling = true;
  try {
    const minute = (Date.now() - started) / 60_000;
    const before = residents(); // the resident set with whatever garbage the heaps hold now
    const dump = await memoryDump(cdp);
    const { all, renderer, byType } = residents();
    // The worker's WebAssembly memory (asked for at each sample; the answer comes between two
    // chunks, so each sample shows the previous one's) and the page's JS heap: a Rust heap that
    // keeps growing shows in the first, the page's own objects in the second.
    samples.push({ minute, all, renderer, allBeforeGc: before.all, byType, cycles, wasm: memory.wasm, heap: memory.heap });
    if (minute >= warmup && !dumps.warm) dumps.warm = dump;
    dumps.last = dump;
    const mib = (bytes) => (bytes === null ? '?' : (bytes / 2 ** 20).toFixed(0));
    console.log(`${minute.toFixed(1).padStart(5)} min  all ${all.toFixed(0)} MiB (${before.all.toFixed(0)} before collecting)  renderer ${renderer.toFixed(0)} MiB  wasm ${mib(memory.wasm)} MiB  page heap ${mib(memory.heap)} MiB  cycles ${cycles}`);
    page.evaluate(() => {
      window.lab.send({ type: 'memory' });
      return { wasm: window.lab.memory?.wasmBytes ?? null, heap: performance.memory?.usedJSHeapSize ?? null };
    }).then((m) => Object.assign(memory, m), () => {});
  } finally {
    sampling = false;
  }
};
await sample();
const timer = setInterval(sample, every * 1000);
while (Date.now() - started < minutes * 60_000) {
  await page.click('#compare');
  await page.waitForFunction(() => /^Done in/.test(document.getElementById('compare-text').textContent), null, { timeout: 600_000 });
  cycles++;
  await page.evaluate(() => { document.getElementById('compare-text').textContent = ''; });
}
clearInterval(timer);
while (sampling) await new Promise((resolve) => setTimeout(resolve, 100));
await sample();
await browser.close();
server.close();

if (dumps.warm && dumps.last) {
  console.log(`what grew from the warm-up's end to the end, by Chromium's account (after collecting garbage):`);
  for (const line of growth(dumps.warm, dumps.last)) console.log(`  ${line}`);
}
const after = samples.filter((s) => s.minute >= warmup);
const result = {
  minutes, warmup, cycles, errors,
  slopeAll: slope(after.map((s) => s.minute), after.map((s) => s.all)),
  slopeRenderer: slope(after.map((s) => s.minute), after.map((s) => s.renderer)),
  slopeAllBeforeGc: slope(after.map((s) => s.minute), after.map((s) => s.allBeforeGc)),
  slopeWasm: after.every((s) => s.wasm !== null) ? slope(after.map((s) => s.minute), after.map((s) => s.wasm / 2 ** 20)) : null,
  samples,
};
mkdirSync('out', { recursive: true });
writeFileSync('out/soak.json', JSON.stringify(result, null, 1));
console.log(`soak: ${cycles} Compare all cycles in ${minutes} min; after ${warmup} min: all processes ${result.slopeAll.toFixed(2)} MiB/min (${result.slopeAllBeforeGc.toFixed(2)} without collecting garbage first), renderer ${result.slopeRenderer.toFixed(2)} MiB/min, WebAssembly memory ${result.slopeWasm?.toFixed(2) ?? '?'} MiB/min (limit ${LIMIT_MIB_PER_MIN}); ${errors.length} console errors`);
if (after.length < 3) { console.error('soak: too short to judge (raise SOAK_MIN)'); process.exit(1); }
if (errors.length) { console.error(`soak: console errors: ${errors.slice(0, 5).join(' | ')}`); process.exit(1); }
if (result.slopeAll > LIMIT_MIB_PER_MIN) { console.error('soak: memory grows'); process.exit(1); }
process.exit(0);
