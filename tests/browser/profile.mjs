// Where the CPU module's training time goes in Chromium (not a test): trains the autoencoder
// through `time_autoencoder` on the page's main thread under the V8 sampling profiler and prints
// self time per wasm function, the top entries and the share of the families that matter
// (matrix products, elementwise kernels, allocation).
// Run with `./build.sh profile` (it builds a copy of the CPU module that keeps function names).
// PROFILE_PKG names that copy's folder (default out/profile-pkg), PROFILE_SECONDS the length.
import { serve } from '../../tools/serve.mjs';
import { launch } from './harness.mjs';

const PKG = process.env.PROFILE_PKG ?? 'out/profile-pkg';
const SECONDS = Number(process.env.PROFILE_SECONDS ?? 8);
const TOP = Number(process.env.PROFILE_TOP ?? 25);
const CALLERS = Number(process.env.PROFILE_CALLERS ?? 3);
const short = (name) => (name.length > 140 ? `${name.slice(0, 137)}...` : name);

const root = await serve('.', { port: 0 });
const url = `http://127.0.0.1:${root.address().port}/`;
const browser = await launch({ webgpu: false });
try {
  const page = await browser.newPage();
  await page.goto(`${url}www/index.html?pretrained=0`);   // a page of this origin; its own worker is not used
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await page.evaluate(async (pkg) => {
    const gunzip = async (path) => new Uint8Array(await new Response((await fetch(path)).body
      .pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
    const glue = await import(`/${pkg}/flowae_cpu.js`);
    await glue.default();
    const lab = new glue.Lab();
    lab.load_mnist_binarized(await gunzip('/www/data/mnist-train.bits.gz'), await gunzip('/www/data/mnist-test.bits.gz'));
    await lab.select_backend('cpu');
    window.profiled = lab;
  }, PKG);
  const config = { train_images: 60000, test_images: 200, epochs: 1, batch_size: 100 };
  await page.evaluate((config) => window.profiled.time_autoencoder(config, 3, 1), config);   // warm-up
  await cdp.send('Profiler.start');
  const imagesPerSecond = await page.evaluate(async ({ config, seconds }) => (await window.profiled.time_autoencoder(config, 0, seconds)).imagesPerSecond,
    { config, seconds: SECONDS });
  const { profile } = await cdp.send('Profiler.stop');

  const self = new Map();
  const callers = new Map();   // function → (its caller → ms), to tell which op an allocation serves
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const dt = profile.timeDeltas;
  let total = 0;
  // Each sample charged to the nearest frame that names a tensor operation (burn's autodiff
  // forward or backward step, a burn-nn module, or this crate), so that the elementwise loops
  // say which operation they serve.
  const owner = new Map();
  const OPERATION = /burn_autodiff::ops::[a-z_]+::|burn_nn::|flowae::|burn_optim::/;
  const ownerOf = (id) => {
    if (owner.has(id)) return owner.get(id);
    const n = byId.get(id);
    const name = n.callFrame.functionName;
    const result = OPERATION.test(name) ? name.replace(/::h[0-9a-f]{16}$/, '') : (parentOf.has(id) ? ownerOf(parentOf.get(id)) : '(other)');
    owner.set(id, result);
    return result;
  };
  const byOperation = new Map();
  profile.samples.forEach((id, i) => {
    const o = ownerOf(id);
    byOperation.set(o, (byOperation.get(o) ?? 0) + (dt[i + 1] ?? dt[i]) / 1000);
    const name = byId.get(id).callFrame.functionName || '(anonymous)';
    const ms = (dt[i + 1] ?? dt[i]) / 1000;
    self.set(name, (self.get(name) ?? 0) + ms);
    total += ms;
    const parent = byId.get(parentOf.get(id))?.callFrame.functionName || '(root)';
    const into = callers.get(name) ?? new Map();
    into.set(parent, (into.get(parent) ?? 0) + ms);
    callers.set(name, into);
  });
  // By function name, first match wins. Vec::extend_trusted and Map::fold are elementwise
  // loops (a map collected into a new tensor) inlined into the collector, not allocation.
  const families = {
    'matrix products (gemm)': /gemm|microkernel|pack_(lhs|rhs)/i,
    'fused ELU, tanh and cross-entropy (src/models/fused.rs)': /models::fused|Elu|Bce/,
    'elementwise (burn-flex kernels, map-collect loops)': /binary|unary|scalar_op|zip|elementwise|simd|macerator|extend_trusted|Map<I,F>|copy_2d|contiguous/i,
    'reductions': /reduce|sum_|mean|max_|min_/i,
    'allocation and frees': /dlmalloc|malloc|free|memcpy|memset|memmove|raw_vec|alloc_with_data|from_elem/i,
    '(idle, garbage collector, JS)': /^\((idle|garbage collector|program|root)\)$/,
  };
  const shares = Object.fromEntries(Object.keys(families).map((k) => [k, 0]));
  for (const [name, ms] of self) {
    const family = Object.keys(families).find((k) => families[k].test(name));
    if (family) shares[family] += ms;
  }
  console.log(`autoencoder, batch 100, main thread, profiled: ${Math.round(imagesPerSecond)} images/s; ${(total / 1000).toFixed(1)} s sampled`);
  console.log('\nshare by family (first match wins, by function name):');
  for (const [k, ms] of Object.entries(shares)) console.log(`  ${(100 * ms / total).toFixed(1).padStart(5)}%  ${k}`);
  console.log(`\ntop ${TOP} operations (nearest burn autodiff/nn/optim or flowae frame):`);
  for (const [name, ms] of [...byOperation].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    console.log(`  ${(100 * ms / total).toFixed(1).padStart(5)}%  ${short(name)}`);
  }
  console.log(`\ntop ${TOP} functions by self time:`);
  for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    console.log(`  ${(100 * ms / total).toFixed(1).padStart(5)}%  ${short(name)}`);
    for (const [caller, cms] of [...callers.get(name)].sort((a, b) => b[1] - a[1]).slice(0, CALLERS)) {
      if (cms / total >= 0.002) console.log(`           ${(100 * cms / total).toFixed(1).padStart(5)}%  from ${short(caller)}`);
    }
  }
} finally {
  await browser.close();
  root.close();
}
