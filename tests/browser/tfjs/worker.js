// The paper's autoencoder in TF.js 4.22, for the benchmark only (bench.mjs): the same layers
// (784→300→300→10→300→300→784, Linear → BatchNorm → ELU), loss (binary cross-entropy with
// logits, summed over pixels, mean over the batch), optimizer (Adam 1e-3, ε 1e-8), batch (100)
// and data (the page's binarized MNIST) as the project's, so images per second compare like
// for like. TF.js is a dev dependency: it never ships in the page.
//
// message in:  {backend: 'wasm'|'cpu'|'webgpu', seconds, warmup}
// message out: {backend, imagesPerSecond, steps, seconds, dispatchesPerStep, submitsPerStep} or
//              {error}; the last two count WebGPU compute dispatches and queue submissions over
//              the timed steps (null off WebGPU)
/* global tf */
importScripts(
  '/node_modules/@tensorflow/tfjs/dist/tf.min.js',
  '/node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js',
  '/node_modules/@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js',
);

const BATCH = 100;
const DIGITS = 6000;

/** The first DIGITS training digits, binarized, from the page's packed file. */
async function digits() {
  const response = await fetch('/www/data/mnist-train.bits.gz');
  const packed = new Uint8Array(await new Response(response.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
  const count = new DataView(packed.buffer).getUint32(8);
  const bits = packed.subarray(20 + count);
  const out = new Float32Array(DIGITS * 784);
  for (let i = 0; i < out.length; i++) out[i] = (bits[i >> 3] >> (7 - (i & 7))) & 1;
  return out;
}

/** A Linear layer's weights (He-scaled normal) and a BatchNorm's scale and shift. */
function layer(inputs, outputs, batchNorm) {
  const p = {
    w: tf.variable(tf.randomNormal([inputs, outputs], 0, Math.sqrt(2 / inputs))),
    b: tf.variable(tf.zeros([outputs])),
  };
  if (batchNorm) {
    p.gamma = tf.variable(tf.ones([outputs]));
    p.beta = tf.variable(tf.zeros([outputs]));
    p.mean = tf.variable(tf.zeros([outputs]), false);
    p.variance = tf.variable(tf.ones([outputs]), false);
  }
  return p;
}

const WIDTHS = [[784, 300, true], [300, 300, true], [300, 10, false], [10, 300, true], [300, 300, true], [300, 784, false]];

function forward(layers, x) {
  let h = x;
  for (const p of layers) {
    h = tf.add(tf.matMul(h, p.w), p.b);
    if (p.gamma) {
      const { mean, variance } = tf.moments(h, 0);
      // Running statistics, as BatchNorm keeps them in training (momentum 0.1).
      p.mean.assign(tf.add(tf.mul(p.mean, 0.9), tf.mul(mean, 0.1)));
      p.variance.assign(tf.add(tf.mul(p.variance, 0.9), tf.mul(variance, 0.1)));
      h = tf.elu(tf.batchNorm(h, mean, variance, p.beta, p.gamma, 1e-5));
    }
  }
  return h;
}

/** BCE with logits summed over pixels, mean over the batch: max(l,0) − l·x + log(1 + e^−|l|). */
function loss(logits, x) {
  const perPixel = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, x)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
  return tf.div(tf.sum(perPixel), BATCH);
}

onmessage = async ({ data: { backend, seconds = 3, warmup = 3 } }) => {
  try {
    if (backend === 'wasm') tf.wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
    if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} did not start`);
    await tf.ready();
    const data = await digits();
    const layers = WIDTHS.map(([i, o, bn]) => layer(i, o, bn));
    const trainable = layers.flatMap((p) => [p.w, p.b, p.gamma, p.beta].filter(Boolean));
    const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
    let next = 0;
    const step = (read) => {
      const x = tf.tensor2d(data.subarray(next * BATCH * 784, (next + 1) * BATCH * 784), [BATCH, 784]);
      next = (next + 1) % (DIGITS / BATCH);
      const cost = optimizer.minimize(() => loss(forward(layers, x), x), read, trainable);
      x.dispose();
      return cost;
    };
    // As the project does: the loss read back once per chunk of steps, not every step.
    const chunk = async (steps) => {
      for (let i = 0; i < steps - 1; i++) step(false);
      const cost = step(true);
      await cost.data();
      cost.dispose();
    };
    for (let i = 0; i < warmup; i++) await chunk(1);
    const counts = { dispatches: 0, submits: 0 };
    const pass = globalThis.GPUComputePassEncoder?.prototype;
    if (backend === 'webgpu' && pass) {
      const [dispatch, submit] = [pass.dispatchWorkgroups, GPUQueue.prototype.submit];
      pass.dispatchWorkgroups = function (...args) { counts.dispatches++; return dispatch.apply(this, args); };
      GPUQueue.prototype.submit = function (...args) { counts.submits++; return submit.apply(this, args); };
    }
    const started = performance.now();
    let steps = 0;
    while (performance.now() - started < seconds * 1000) {
      await chunk(5);
      steps += 5;
    }
    const elapsed = (performance.now() - started) / 1000;
    const perStep = (n) => (backend === 'webgpu' ? n / steps : null);
    postMessage({ backend, imagesPerSecond: (steps * BATCH) / elapsed, steps, seconds: elapsed,
      dispatchesPerStep: perStep(counts.dispatches), submitsPerStep: perStep(counts.submits) });
  } catch (e) {
    postMessage({ error: String(e?.message ?? e) });
  }
};
