// The soak (`./build.sh soak`): Compare all, again and again, in headless Chromium on the CPU
// backend (every model in turn: the autoencoder, FlowAE, AdvAE, the VAE and the AAE, each
// scored), while the browser's memory is sampled every SOAK_SAMPLE_S seconds. After a warm-up
// (SOAK_WARMUP_MIN, default 5 minutes) the memory must not grow by more than 1 MiB per minute
// (least-squares slope over the samples); the run lasts SOAK_MIN minutes (default 30).
//
// Memory is the resident set of every Chromium process (browser, renderer, GPU and utility
// processes: the worker runs in the renderer), read from /proc, and separately the renderer's.
// The figures go to stdout and, as JSON, to out/soak.json.
import { readFileSync, readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { launch, smallComparison, startServer, waitForState } from './harness.mjs';

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
    return { pid, renderer: cmd.includes('--type=renderer') };
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

const started = Date.now();
const samples = [];
let cycles = 0;
const sample = () => {
  const processes = descendants(root);
  const all = processes.reduce((sum, p) => sum + rss(p.pid), 0);
  const renderer = processes.filter((p) => p.renderer).reduce((sum, p) => sum + rss(p.pid), 0);
  // The worker's WebAssembly memory (asked for at each sample; the answer comes between two
  // chunks, so each sample shows the previous one's) and the page's JS heap: a Rust heap that
  // keeps growing shows in the first, the page's own objects in the second.
  samples.push({ minute: (Date.now() - started) / 60_000, all, renderer, cycles, wasm: memory.wasm, heap: memory.heap });
  const last = samples.at(-1);
  const mib = (bytes) => (bytes === null ? '?' : (bytes / 2 ** 20).toFixed(0));
  console.log(`${last.minute.toFixed(1).padStart(5)} min  all ${all.toFixed(0)} MiB  renderer ${renderer.toFixed(0)} MiB  wasm ${mib(last.wasm)} MiB  page heap ${mib(last.heap)} MiB  cycles ${cycles}`);
  page.evaluate(() => {
    window.lab.send({ type: 'memory' });
    return { wasm: window.lab.memory?.wasmBytes ?? null, heap: performance.memory?.usedJSHeapSize ?? null };
  }).then((m) => Object.assign(memory, m), () => {});
};
const memory = { wasm: null, heap: null };
sample();
const timer = setInterval(sample, every * 1000);
while (Date.now() - started < minutes * 60_000) {
  await page.click('#compare');
  await page.waitForFunction(() => /^Done in/.test(document.getElementById('compare-text').textContent), null, { timeout: 600_000 });
  cycles++;
  await page.evaluate(() => { document.getElementById('compare-text').textContent = ''; });
}
clearInterval(timer);
sample();
await browser.close();
server.close();

const after = samples.filter((s) => s.minute >= warmup);
const result = {
  minutes, warmup, cycles, errors,
  slopeAll: slope(after.map((s) => s.minute), after.map((s) => s.all)),
  slopeRenderer: slope(after.map((s) => s.minute), after.map((s) => s.renderer)),
  slopeWasm: after.every((s) => s.wasm !== null) ? slope(after.map((s) => s.minute), after.map((s) => s.wasm / 2 ** 20)) : null,
  samples,
};
mkdirSync('out', { recursive: true });
writeFileSync('out/soak.json', JSON.stringify(result, null, 1));
console.log(`soak: ${cycles} Compare all cycles in ${minutes} min; after ${warmup} min: all processes ${result.slopeAll.toFixed(2)} MiB/min, renderer ${result.slopeRenderer.toFixed(2)} MiB/min, WebAssembly memory ${result.slopeWasm?.toFixed(2) ?? '?'} MiB/min (limit ${LIMIT_MIB_PER_MIN}); ${errors.length} console errors`);
if (after.length < 3) { console.error('soak: too short to judge (raise SOAK_MIN)'); process.exit(1); }
if (errors.length) { console.error(`soak: console errors: ${errors.slice(0, 5).join(' | ')}`); process.exit(1); }
if (result.slopeAll > LIMIT_MIB_PER_MIN) { console.error('soak: memory grows'); process.exit(1); }
process.exit(0);
