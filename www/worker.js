// The Web Worker that owns the wasm module, the data and the models.
//
// Protocol (the one place it is written down):
//
// page → worker (commands)
//   {type: 'init', module: 'cpu'|'gpu', backend: 'cpu'|'gpu', wasm, data}
//                                                wasm: the module's bytes (pkg/flowae_<module>_bg.wasm,
//                                                fetched by the page, which starts that download
//                                                before its own scripts load). 'cpu' is the small
//                                                module without WebGPU that every visit starts with.
//                                                data: the data set trained on (tables.js's
//                                                DATA_SETS entry: its name, words and files)
//   {type: 'preview', bytes}                     a models file's FlowAE and AdvAE samplers, on the CPU,
//                                                before the digits arrive: drawn at once, and they
//                                                answer 'sample' and 'interpolate' until models load
//   {type: 'own', pixels, labels}               the visitor's own images instead (Uint8Array count × 784,
//                                                made by 'digitize'; labels 0–9 per image, or empty)
//   {type: 'digitize', id, pictures}            pictures [{rgba, width, height}] made inputs the MNIST way:
//                                                answered {type: 'digitized', id, images, errors}
//   {type: 'digits', train, test}                the data set's binarized images (its `packed` files,
//                                                gzipped bytes); then the backend starts and 'ready'
//                                                follows
//   {type: 'backend', backend: 'gpu'|'cpu'}      switch backend, carrying the models over
//   {type: 'time', config, warmup, seconds, countGpuWork}
//                                                time autoencoder steps of `config` on this backend
//                                                (the models are not touched) → 'timed'; with
//                                                countGpuWork, WebGPU dispatches are counted too
//   {type: 'start', phase, config}               start a fresh run of a phase:
//        'autoencoder' the autoencoder ('ae', its older name, is understood)
//        'flow' a RealNVP flow on the frozen autoencoder's codes (FlowAE)
//        'wgan' a generator and critic on those codes (AdvAE)
//        'vae', 'aae' the paper's baselines (config: autoencoder settings)
//   {type: 'pause'} {type: 'resume'}             hold / continue between chunks
//   {type: 'stop'}                               end the run early; the model stays usable
//   {type: 'reset'}                              forget the run
//   {type: 'sample', seed, temperature}          redraw every sample panel (new seed, flow temperature)
//   {type: 'check-flow'}                         measure the flow's round-trip error on its device
//   {type: 'check-classifier', count}            the FCD classifier's accuracy on `count` test digits
//   {type: 'fcd', model, count, seed}            FCD of `count` samples of 'flow'|'wgan'|'prior'|'real'
//                                                against as many test digits
//   {type: 'map', config}                        a latent map: {source: 'autoencoder'|'vae'|'aae', digits,
//                                                overlay, perplexity, iterations, seed}; PCA at
//                                                once, then t-SNE in chunks (beside any training)
//   {type: 'map-stop'}                           end the t-SNE run where it is
//   {type: 'map-decode', x, y, tsne}             decode the code behind a spot of the map
//   {type: 'save', purpose}                      every model as one file → 'saved'
//   {type: 'load-accept'}                        load the good models of the file that asked
//   {type: 'load-discard'}                       forget that file; the models held stay
//   {type: 'load', bytes, origin}                replace every model with a file's ('file' a visitor
//                                                chose, 'saved' from the browser's storage,
//                                                'pretrained' shipped with the page, 'moved' from
//                                                another worker)
//   {type: 'interpolate', model, a, b, steps, temperature}  the morph strip: 'flow' | 'wgan'
//   {type: 'npy', id, model}                     `model`'s samples at its temperature and the current
//                                                seed, as the CLI's .npy (src/npy.rs: 10,000 of them)
//   {type: 'inspect', id, ink, width, height}    a drawing (Float32Array width × height, ink in [0, 1])
//                                                read by the models held, or the pretrained ones;
//                                                a newer one replaces one still waiting
//   {type: 'walk', id, count, temperature, seed} the flow layer by layer from `count` base draws,
//   {type: 'walk', id, ink, width, height}       or backwards from a drawing (src/walk.rs)
//   {type: 'plane-start', id, config}            the 2-D lab (src/plane.rs): a data set and its two models
//   {type: 'plane', id, who, units, grid, count} a chunk of 'all' | 'flow' | 'wgan' | 'critic' |
//                                                'generator' (null: none), then the lab's picture
//                                                on a grid × grid raster (0: none)
//   {type: 'step'}                               while paused: one training step, then paused again
//   {type: 'memory'}                             how big the WebAssembly memory is (the soak)
//   {type: 'crash'}                              panic inside wasm on purpose (tests only)
//   {type: 'hang'}                               loop for ever without yielding (tests only)
//   {type: 'lose-gpu'}                           destroy the WebGPU device, as a lost one (tests only)
//
// Grayscale images (the data set's `idx` files: MNIST's 11 MB, Fashion-MNIST's 31 MB) are
// fetched here, only when a run or a models file asks for grayscale pixels.
//
// worker → page (events)
//   {type: 'memory', wasmBytes}              the WebAssembly memory's size in bytes
//   {type: 'alive'}                          every ALIVE_MS while the event loop turns (the
//                                            page's watchdog; taken by worker-client.js)
//   {type: 'status', text}                                    what it is doing (loading…)
//   {type: 'ready', backend, adapter, notice, train, test}
//   {type: 'timed', backend, imagesPerSecond, steps, dispatchesPerStep, submitsPerStep}
//                                             (the last two null off WebGPU or unless counted)
//   {type: 'started', phase, config, stepsPerEpoch}
//   {type: 'progress', phase, epoch, epochs, step, steps_per_epoch, first_step, units, losses, test_loss,
//                      evaluating, preparing, done, generator_losses, wasserstein, imagesPerSecond, chunkMs}
//                      ae: losses are BCE in nats per image; flow: NLLs in nats per latent
//                      dimension; wgan: one entry per generator step, losses the critic's,
//                      wasserstein its score gap, test_loss its held-out score
//   {type: 'state', state: 'idle'|'training'|'paused'|'done'|'stopped'}
//   {type: 'reconstructions', inputs, outputs, count}          Float32Arrays, count × 784
//   {type: 'samples', model, pixels, count, seed, temperature, preview}
//                                          a model's samples, Float32Array count × 784: the
//                                          autoencoder's and the baselines' z ~ N(0, I) decoded,
//                                          FlowAE's and AdvAE's base draws pushed through; the
//                                          temperature is the one they were drawn at (1 but for
//                                          the flow); preview: drawn by the pretrained preview
//                                          before the full models have loaded; readings: the
//                                          classifier's [{digit, confidence}] of each, or null
//                                          (not loaded yet, or drawn mid-run)
//   {type: 'flow-check', maxError}         max |F⁻¹(F(z0)) − z0| over 256 draws
//   {type: 'classifier-check', accuracy, recorded, count}   measured here, and as the file records it
//   {type: 'fcd', model, count, value}
//   {type: 'map', labels, overlays: [{name, start, count}], preview, code_agreement, iterations}
//                                          labels: Uint8Array of the digits (the first points);
//                                          preview: Float32Array x, y of every point (PCA)
//   {type: 'map-progress', iteration, iterations, done, stopped, embedding, agreement}
//                                          the t-SNE map so far; agreement once done
//   {type: 'saved', bytes, purpose}        Uint8Array of the models file
//   {type: 'loaded', models, settings, origin}  names of the models now loaded, their settings;
//                                          each has sampled numbers that are not saturated
//                                          everywhere; followed by 'state' 'done' and their samples
//   {type: 'map-decoded', pixels, code, nearest, x, y, tsne}  nearest: index of the t-SNE point
//   {type: 'interpolation', model, pixels, count, a, b}  decodings along the path from a to b
//   {type: 'walk', id, walk | error}      walk: {names, planes: [Float32Array x, y per point], log_dets,
//                                          tracked (784 per stage), digits (x, y), labels, backwards}
//   {type: 'plane-started', id, settings | error}
//   {type: 'plane', id, progress: {flow, wgan}, picture: {grid, log_density, critic, real,
//                   flow_samples, wgan_samples} | null, nll, ms | error}
//   {type: 'npy', id, bytes | error}       bytes: Uint8Array, the .npy file
//   {type: 'inspection', id, reading | error}  what the models make of drawing `id` (src/inspect.rs:
//                                          input, code, reconstruction, log_density, joint, critic,
//                                          their percentiles, nearest, nearest_pixels, place)
//   {type: 'load-question', origin, models, broken: [{model, message}]}
//                                          a file some of whose models cannot be used: `models`
//                                          can, and load on 'load-accept'; nothing changed yet
//   {type: 'error', message, fatal, command, download}
//                                          fatal: the wasm instance died; make a new worker.
//                                          command: the type of the command that failed.
//                                          download: the data it needed could not be fetched
//                                          (nothing is wrong with what it was given; retry)
//
// Work happens in chunks of a few training steps, sized so each takes about CHUNK_MS: commands
// that arrive meanwhile are queued and handled between chunks, which bounds how long Pause or
// Stop can take, and keeps every call into wasm strictly one at a time.

import { probeGpu } from './backend-choice.js';
import { fetchBytes } from './fetch-bytes.js';
import { DATA_SETS, MODELS } from './pkg/tables.js';
import { ALIVE_MS } from './heartbeat.js';

/** The wasm module (its functions without state: panics, file checks), once 'init' has loaded
 * one, and the lab it holds (src/web.rs's Lab: the digits, the backend and every model). */
let wasm = null;
let lab = null;

const CHUNK_MS = 120;          // target duration of one chunk of training
const PREVIEW_MS = 1000;       // how often the reconstruction and sample panels are redrawn,
const PREVIEW_SHARE = 0.1;     // or less often, so that redrawing takes at most this share of
                               // the time (on a slow GPU a redraw can take seconds),
const PREVIEW_MAX_MS = 10_000; // but at least this often
const PREVIEW_COUNT = 16;      // test digits shown with their reconstructions
const SAMPLE_COUNT = 32;       // z ~ N(0, I) decodings shown

const queue = [];
let wake = null;
let state = 'idle';
let units = 1;                 // units of work per chunk (Progress.units), adapted to CHUNK_MS
let lastPreview = 0;
let previewCost = 0;           // how long the last redraw took (ms)
let msPerUnit = 0;             // how long a unit of training took in the last chunk that drew nothing
let sampleSeed = 1;
let batchSize = 100;
let phase = 'autoencoder';     // which model 'training' drives: a key of `sampling`
/** Every model a run can train, by its name (src/kind.rs), and whether it can sample now. */
const sampling = Object.fromEntries(MODELS.map((m) => [m.name, false]));
/** The baselines, which can sample from their first step. */
const BASELINES = new Set(MODELS.filter((m) => m.baseline).map((m) => m.name));
let temperature = 1;
let wasmReady = false;
let moduleKind = null;         // 'cpu' or 'gpu': which wasm module this worker runs
let dataSet = DATA_SETS[0];    // the data set trained on ('init' says which; tables.js's entry)
let wantedBackend = 'cpu';     // the backend 'init' or 'backend' asked for
let wasmMemory = null;         // the module's linear memory (it grows, never shrinks)
let currentBackend = null;     // the backend in use ('cpu' where WebGPU could not start)
let previewing = new Set();    // the preview's samplers ('flow', 'wgan') while no full models are loaded
let mapRun = null;             // the t-SNE run in progress: {iterations, units}
let mapTurn = false;           // alternates t-SNE and training chunks when both run
let pendingLoad = null;        // {origin, settings} of a file whose good models wait for 'load-accept'

/** How long after a redraw the next one comes: PREVIEW_MS, or longer where redrawing is slow
 * (at most PREVIEW_MAX_MS: the first redraw on a GPU also compiles its shaders). */
const previewWait = () => Math.min(PREVIEW_MAX_MS, Math.max(PREVIEW_MS, previewCost * (1 / PREVIEW_SHARE - 1)));

/** Queues a command (the page's, or the worker's own) and wakes the loop if it sleeps. */
function enqueue(command) {
  // A drawing is read as it is drawn: only the newest waiting one is worth reading.
  const stale = command.type === 'inspect' ? queue.findIndex((c) => c.type === 'inspect') : -1;
  if (stale >= 0) queue.splice(stale, 1);
  queue.push(command);
  if (wake) { wake(); wake = null; }
}
self.onmessage = (event) => enqueue(event.data);

function post(message, transfer) { self.postMessage(message, transfer ?? []); }

// The GPUDevice wgpu asks for, kept to hear of its loss: a lost device (a driver reset, the
// GPU process restarted, the tab's GPU memory reclaimed) fails every later call, and its
// tensors, the models on it, are gone. The worker says so in plain words and ends; the page
// starts a fresh one on the CPU (a fresh WebAssembly instance: no lost device cached) with the
// last kept models, and WebGPU can be chosen again.
let gpuDevice = null;
const requestDevice = globalThis.GPUAdapter?.prototype.requestDevice;
if (requestDevice) {
  GPUAdapter.prototype.requestDevice = async function (...args) {
    const device = await requestDevice.apply(this, args);
    gpuDevice = device;
    device.lost.then((info) => {
      if (device !== gpuDevice || currentBackend !== 'gpu') return;
      const why = info.message || info.reason || 'no reason given';
      post({ type: 'error', fatal: true, gpuLost: true, command: null,
        message: `The GPU was lost (${why}): continuing on the CPU with the models kept last; the run in progress is gone` });
    });
    return device;
  };
}

// A heartbeat while the worker's event loop turns (between chunks, between commands): the page's
// watchdog (worker-client.js) takes a worker that stops beating for a hung or dead one.
setInterval(() => post({ type: 'alive' }), ALIVE_MS);
function setState(next) { state = next; post({ type: 'state', state }); }

/** Bytes as the wasm functions take them: a Uint8Array (a page may send an ArrayBuffer). */
const asBytes = (bytes) => (bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));

/** Inflates gzipped bytes. */
async function gunzip(bytes, name) {
  try {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new Error(`${name} is corrupt or truncated (${e.message})`);
  }
}

/** A file shipped with the page, as bytes. */
const fetchFile = async (path) => new Uint8Array(await fetchBytes(path));

/** Replaces the binarized images with the grayscale originals (the data set's `idx` files), the
 * first time a run or a models file needs grayscale pixels. */
async function ensureGrayscale() {
  if (lab.grayscale_loaded()) return;
  post({ type: 'status', text: `Downloading the grayscale ${dataSet.items} (${dataSet.title}'s originals, once)…` });
  try {
    const files = await Promise.all(dataSet.idx.map(async (path) => gunzip(await fetchFile(path), path)));
    lab.load_idx(dataSet.name, ...files);
  } catch (error) {
    // The images could not be had: nothing is wrong with what asked for them (a kept models
    // file is not damaged because the network was), and trying again may work.
    throw Object.assign(new Error(`the grayscale ${dataSet.items} could not be loaded: ${error.message}`), { download: true });
  }
}

/** Runs `fn`, counting the WebGPU compute dispatches and queue submissions made meanwhile
 * (null where there is no WebGPU): the benchmark's "dispatches per step". */
async function countingGpuWork(fn) {
  const pass = globalThis.GPUComputePassEncoder?.prototype;
  const gpuQueue = globalThis.GPUQueue?.prototype;
  if (!pass || !gpuQueue || currentBackend !== 'gpu') return { result: await fn(), dispatches: null, submits: null };
  const counts = { dispatches: 0, submits: 0 };
  const originals = { direct: pass.dispatchWorkgroups, indirect: pass.dispatchWorkgroupsIndirect, submit: gpuQueue.submit };
  pass.dispatchWorkgroups = function (...args) { counts.dispatches++; return originals.direct.apply(this, args); };
  pass.dispatchWorkgroupsIndirect = function (...args) { counts.dispatches++; return originals.indirect.apply(this, args); };
  gpuQueue.submit = function (...args) { counts.submits++; return originals.submit.apply(this, args); };
  try {
    return { result: await fn(), ...counts };
  } finally {
    Object.assign(pass, { dispatchWorkgroups: originals.direct, dispatchWorkgroupsIndirect: originals.indirect });
    gpuQueue.submit = originals.submit;
  }
}

/** The WebGPU adapter's name as the page shows it, or null without one. */
async function adapterName() {
  const gpu = await probeGpu();
  return gpu && gpu.name + (gpu.fallback ? ' (software fallback)' : '');
}

/** Starts `wanted` ('gpu' or 'cpu'); WebGPU that cannot start falls back to the CPU with a notice. */
async function chooseBackend(wanted) {
  if (wanted === 'gpu') {
    const adapter = await adapterName();
    let reason = adapter ? null : 'this browser offers no WebGPU adapter';
    if (adapter && moduleKind !== 'gpu') reason = 'this worker holds the CPU module';
    if (!reason) {
      try {
        await lab.select_backend('gpu');
        currentBackend = 'gpu';
        return { backend: 'gpu', adapter: `WebGPU: ${adapter}`, notice: null };
      } catch (e) {
        reason = `WebGPU failed to start (${e.message})`;
      }
    }
    await lab.select_backend('cpu');
    currentBackend = 'cpu';
    return { backend: 'cpu', adapter: 'CPU (WebAssembly)', notice: `Training on the CPU: ${reason}.` };
  }
  await lab.select_backend('cpu');
  currentBackend = 'cpu';
  return { backend: 'cpu', adapter: 'CPU (WebAssembly)', notice: null };
}

/** Loads the wasm module from the bytes the page fetched. */
async function initialize(command) {
  post({ type: 'status', text: 'Starting the WebAssembly module…' });
  moduleKind = command.module === 'gpu' ? 'gpu' : 'cpu';
  wantedBackend = command.backend === 'gpu' ? 'gpu' : 'cpu';
  if (command.data) dataSet = command.data;
  const glue = await import(moduleKind === 'gpu' ? './pkg/flowae_gpu.js' : './pkg/flowae_cpu.js');
  wasmMemory = (await glue.default({ module_or_path: command.wasm })).memory;
  wasm = glue;
  lab = new glue.Lab();
  wasmReady = true;
}

/** The images have arrived: keep them, start the backend, and say the worker is ready. */
async function receiveDigits(command) {
  const [train, test] = await Promise.all([gunzip(command.train, dataSet.packed[0]), gunzip(command.test, dataSet.packed[1])]);
  const counts = lab.load_packed(dataSet.name, train, test);
  post({ type: 'status', text: 'Starting the backend…' });
  const chosen = await chooseBackend(wantedBackend);
  post({ type: 'ready', ...chosen, ...counts });
}

/** The visitor's own images (own-images.js read and digitized them): kept as the data set,
 * one in six held out (src/data.rs's own_images), then as receiveDigits. */
async function receiveOwn(command) {
  const counts = lab.load_own(asBytes(command.pixels), asBytes(command.labels));
  post({ type: 'status', text: 'Starting the backend…' });
  const chosen = await chooseBackend(wantedBackend);
  post({ type: 'ready', ...chosen, ...counts });
}

/** Pictures (RGBA from a canvas) made 28 × 28 inputs the MNIST way (src/digitize.rs): 784
 * bytes each where a picture makes one, and for each the reason where it does not. */
function digitize({ id, pictures }) {
  const images = new Uint8Array(pictures.length * 784);
  const errors = pictures.map(({ rgba, width, height }, i) => {
    try {
      images.set(wasm.digitize_picture(asBytes(rgba), width, height), i * 784);
      return null;
    } catch (e) {
      return String(e?.message ?? e);
    }
  });
  post({ type: 'digitized', id, images, errors }, [images.buffer]);
}

/** Moves to another backend with the models: they are saved, the backend changes (which drops
 * them, their tensors living on the old device) and they are loaded again on the new one. */
async function switchBackend(wanted) {
  if (state === 'training' || state === 'paused') throw new Error('stop the current run before switching backend');
  let bytes = null;
  try { bytes = await lab.save_models(); } catch { /* no model yet: nothing to carry */ }
  wantedBackend = wanted;
  pendingLoad = null;          // its models lived on the old device
  const chosen = await chooseBackend(wanted);
  phase = 'autoencoder'; for (const k in sampling) sampling[k] = false;
  post({ type: 'ready', ...chosen });
  setState('idle');
  if (bytes) await loadModels(bytes, 'moved');
}

/** Opens the preview of a models file and draws its samples. */
async function openPreview(bytes) {
  previewing = new Set(lab.open_preview(asBytes(bytes)));
  await drawPreview();
}

async function drawPreview() {
  for (const model of previewing) {
    const pixels = await lab.samples(model, SAMPLE_COUNT, temperatureOf(model), sampleSeed);
    await postSamples(model, pixels, true);
  }
}

/** Posts a model's samples (pixel probabilities, SAMPLE_COUNT of them) as the page expects,
 * with the classifier's reading of each when it is loaded and `read`: the grid's caption for a
 * reader who cannot see it. Samples drawn mid-run are not read (they change with the next
 * chunk, and reading them would slow the run); a run's last ones are. */
async function postSamples(model, pixels, preview = false, read = true) {
  const readings = read ? await readDigits(pixels) : null;
  post({ type: 'samples', model, pixels, count: SAMPLE_COUNT, seed: sampleSeed, temperature: temperatureOf(model), preview, readings }, [pixels.buffer]);
}

/** The classifier's `[{digit, confidence}]` for `pixels`, or null while it is not loaded. */
async function readDigits(pixels) {
  if (!classifierMeta) return null;
  try { return await lab.read_digits(pixels); } catch { return null; }
}

/** The temperature a model's samples are drawn at: the page's applies to the flow's base draws
 * only (AdvAE's generator was trained on N(0, I) noise and is shown as trained). */
function temperatureOf(model) {
  return model === 'flow' ? temperature : 1;
}

/** The test digits beside their reconstructions; the inputs are kept, as they do not change
 * during a run, for reconstructions drawn with a chunk (which reads back only the outputs). */
let reconstructionInputs = null;
function postReconstructions(inputs, outputs) {
  reconstructionInputs = inputs.slice();
  post({ type: 'reconstructions', inputs, outputs, count: PREVIEW_COUNT }, [inputs.buffer, outputs.buffer]);
}

/** Draws a model's samples (`name` a key of `sampling`); the temperature applies to the flow's
 * base draws only, as on the page. */
async function drawSamples(name) {
  postSamples(name, await lab.samples(name, SAMPLE_COUNT, temperatureOf(name), sampleSeed));
}

async function drawAutoencoder() {
  const r = await lab.reconstructions(PREVIEW_COUNT);
  postReconstructions(r.inputs, r.outputs);
  await drawSamples('autoencoder');
}

/** Redraws the panels of the phase in training, or of every trained model when `all`. */
async function preview(all = false) {
  const started = performance.now();
  if ((all || phase === 'autoencoder') && sampling.autoencoder) await drawAutoencoder();
  for (const name in sampling) if (name !== 'autoencoder' && (all || phase === name) && sampling[name]) await drawSamples(name);
  lastPreview = performance.now();
  previewCost = lastPreview - started;
}

/** What to draw of the phase with a chunk: the library draws it when `due`, and at every
 * epoch's end, and reads it back with the chunk's losses (one round trip on a GPU). */
function lookFor(name) {
  const due = performance.now() - lastPreview > previewWait();
  const reconstructions = name === 'autoencoder' && reconstructionInputs ? PREVIEW_COUNT : 0;
  return { count: SAMPLE_COUNT, temperature: temperatureOf(name), seed: sampleSeed, reconstructions, due };
}

/** Posts what a chunk drew, in the order the library gives it (see `lookFor`); the samples are
 * read when they are the run's `last`. */
async function postPictures(name, look, pictures, last) {
  let next = 0;
  if (look.reconstructions > 0) postReconstructions(reconstructionInputs, pictures[next++]);
  await postSamples(name, pictures[next], false, last);
}

async function trainChunk() {
  const started = performance.now();
  const look = sampling[phase] ? lookFor(phase) : null;
  const { pictures, ...progress } = await lab.train(phase, units, look);
  const ready = !sampling[phase] && (!progress.preparing || progress.preparing[0] === progress.preparing[1]);
  if (ready) sampling[phase] = true;
  const chunkMs = performance.now() - started;
  const steps = progress.losses.length;
  const work = progress.units;        // units of work the chunk did (critic steps included)
  if (pictures) {
    await postPictures(phase, look, pictures, progress.done);
    lastPreview = performance.now();
    // What drawing added to the chunk, judged by the last chunk without it.
    previewCost = Math.max(0, chunkMs - work * msPerUnit);
  } else if (work > 0) {
    // Grow or shrink the chunk towards CHUNK_MS, at most doubling at a time.
    msPerUnit = chunkMs / work;
    units = Math.max(1, Math.min(units * 2, Math.round(CHUNK_MS / msPerUnit), 500));
  }
  post({ type: 'progress', phase, ...progress,
    imagesPerSecond: steps > 0 ? (steps * batchSize * 1000) / chunkMs : null, chunkMs });
  // A latent model that has just encoded its digits is drawn at once, before its first step
  // (which, on a slow GPU, also compiles the training shaders).
  if (ready) await preview();
  if (progress.done) setState('done');
}

/** Makes `name` the phase that 'training' drives, with a fresh run of it. */
async function startPhase(name, config) {
  if (!(name in sampling)) throw new Error(`unknown phase ${name}`);
  if (config?.pixels === 'grayscale') await ensureGrayscale();
  const [settings, stepsPerEpoch] = lab.start(name, config);
  phase = name;
  if (name === 'autoencoder') { sampling.flow = false; sampling.wgan = false; previewing = new Set(); }
  if (name === 'autoencoder') sampling.autoencoder = true;
  // A baseline can sample from its first step; a latent model once it has encoded the digits.
  if (name !== 'autoencoder') sampling[name] = BASELINES.has(name);
  batchSize = settings.batch_size;
  units = 1;
  post({ type: 'started', phase, config: settings, stepsPerEpoch });
  setState('training');
  await preview();
}

async function handle(command) {
  switch (command.type) {
    case 'init': await initialize(command); break;
    case 'preview': await openPreview(command.bytes); break;
    case 'digits': await receiveDigits(command); break;
    case 'own': await receiveOwn(command); break;
    case 'digitize': digitize(command); break;
    case 'backend': await switchBackend(command.backend); break;
    case 'time': {
      const timing = () => lab.time_autoencoder(command.config, command.warmup ?? 1, command.seconds ?? 0.5);
      const { result, dispatches, submits } = command.countGpuWork ? await countingGpuWork(timing) : { result: await timing(), dispatches: null, submits: null };
      post({ type: 'timed', backend: currentBackend, imagesPerSecond: result.imagesPerSecond, steps: result.steps,
        dispatchesPerStep: dispatches === null ? null : dispatches / result.steps,
        submitsPerStep: submits === null ? null : submits / result.steps });
      break;
    }
    case 'start':
      wantClassifier();   // for the captions of the run's samples; it trains meanwhile
      await startPhase(command.phase === 'ae' || !command.phase ? 'autoencoder' : command.phase, command.config); break;
    case 'pause': if (state === 'training') setState('paused'); break;
    case 'resume': if (state === 'paused') setState('training'); break;
    case 'stop': if (state === 'training' || state === 'paused') setState('stopped'); break;
    case 'reset':
      lab.reset();
      pendingLoad = null;
      phase = 'autoencoder'; for (const k in sampling) sampling[k] = false;
      previewing = new Set();
      setState('idle');
      break;
    case 'sample':
      // Drawn at once. The first one also fetches the classifier (458 kB), and once it is in,
      // the same pictures are drawn again with their captions (a 'sample' with no seed keeps
      // whatever seed is current then; one redraw however many come meanwhile, as the
      // temperature slider's do).
      if (!classifierMeta && !captionsAwaited) {
        captionsAwaited = true;
        wantClassifier().then(() => { if (classifierMeta) enqueue({ type: 'sample' }); }).finally(() => { captionsAwaited = false; });
      }
      if (command.seed !== undefined) sampleSeed = command.seed >>> 0;
      if (Number.isFinite(command.temperature)) temperature = command.temperature;
      if (state !== 'idle') await preview(true);
      await drawPreview();
      break;
    case 'npy': {
      // A model's samples saved as the command line writes them (take-away.js). Its errors
      // (no such model yet) belong beside the button.
      try {
        const bytes = await lab.samples_npy(command.model, temperatureOf(command.model), sampleSeed);
        post({ type: 'npy', id: command.id, bytes }, [bytes.buffer]);
      } catch (e) {
        post({ type: 'npy', id: command.id, error: String(e?.message ?? e) });
      }
      break;
    }
    case 'check-flow': post({ type: 'flow-check', maxError: await lab.flow_round_trip_error(256) }); break;
    case 'check-classifier': {
      const meta = await ensureClassifier();
      const accuracy = await lab.classifier_accuracy(command.count);
      post({ type: 'classifier-check', accuracy, recorded: meta.test_accuracy, count: command.count });
      break;
    }
    case 'fcd': {
      await ensureClassifier();
      const value = await lab.fcd_score(command.model, command.count, (command.seed ?? 1) >>> 0);
      post({ type: 'fcd', model: command.model, count: command.count, value });
      break;
    }
    case 'map': {
      mapRun = null;
      const map = await lab.new_latent_map(command.config);
      post({ type: 'map', ...map }, [map.preview.buffer, map.labels.buffer]);
      mapRun = { iterations: map.iterations, units: 1 };
      break;
    }
    case 'map-decode': {
      const decoded = await lab.latent_map_decode(command.x, command.y, Boolean(command.tsne));
      post({ type: 'map-decoded', ...decoded, x: command.x, y: command.y, tsne: Boolean(command.tsne) }, [decoded.pixels.buffer]);
      break;
    }
    case 'map-stop':
      if (mapRun) post({ type: 'map-progress', ...mapRun, done: true, stopped: true });
      mapRun = null;
      break;
    case 'save': {
      const bytes = await lab.save_models();
      post({ type: 'saved', bytes, purpose: command.purpose ?? 'download' }, [bytes.buffer]);
      break;
    }
    case 'load': await loadModels(command.bytes, command.origin ?? 'file'); break;
    case 'load-accept': await acceptPending(); break;
    case 'load-discard': pendingLoad = null; lab.discard_pending(); break;
    case 'inspect': {
      // Answered here, errors included ("nothing is drawn", the digits still loading): they
      // belong beside the pad, not in the page's error box.
      try {
        const reading = await lab.inspect(command.ink, command.width, command.height);
        post({ type: 'inspection', id: command.id, reading }, [reading.input.buffer, reading.reconstruction.buffer, reading.nearest_pixels.buffer]);
      } catch (e) {
        post({ type: 'inspection', id: command.id, error: String(e?.message ?? e) });
      }
      break;
    }
    case 'plane-start':
      try {
        post({ type: 'plane-started', id: command.id, settings: lab.plane_start(command.config ?? {}) });
      } catch (e) {
        post({ type: 'plane-started', id: command.id, error: String(e?.message ?? e) });
      }
      break;
    case 'plane': {
      // The 2-D lab: a chunk of what `who` names (none: a picture only), then its picture. Its
      // errors belong beside the lab.
      const started = performance.now();
      try {
        const result = await lab.plane_train(command.who ?? null, command.units ?? 1, command.grid ?? 0, command.count ?? 400);
        post({ type: 'plane', id: command.id, ...result, ms: performance.now() - started });
      } catch (e) {
        post({ type: 'plane', id: command.id, error: String(e?.message ?? e) });
      }
      break;
    }
    case 'walk': {
      // The flow layer by layer: forwards from base draws, or backwards from a drawing. Its
      // errors (no flow yet, nothing drawn) belong beside the walk, not in the page's error box.
      try {
        const walk = command.ink
          ? await lab.flow_walk_back(command.ink, command.width, command.height)
          : await lab.flow_walk(command.count, command.temperature ?? 1, command.seed >>> 0);
        post({ type: 'walk', id: command.id, walk });
      } catch (e) {
        post({ type: 'walk', id: command.id, error: String(e?.message ?? e) });
      }
      break;
    }
    case 'interpolate': {
      // Asked for by a panel drawn before the model was dropped (a new autoencoder): no strip.
      const fromPreview = !sampling[command.model] && previewing.has(command.model);
      if (!sampling[command.model] && !fromPreview) break;
      const pixels = await lab.interpolate(command.model, command.a >>> 0, command.b >>> 0, command.steps, command.temperature ?? 1);
      post({ type: 'interpolation', model: command.model, pixels, count: command.steps, a: command.a, b: command.b }, [pixels.buffer]);
      break;
    }
    case 'step':
      if (state === 'paused') {
        const chunk = units;
        units = 1;
        try { await trainChunk(); } finally { units = Math.max(chunk, 1); }
        if (state === 'paused') await preview();
      }
      break;
    case 'memory': post({ type: 'memory', wasmBytes: wasmMemory?.buffer.byteLength ?? null }); break;
    case 'crash': wasm.debug_panic(); break;
    case 'lose-gpu': gpuDevice?.destroy(); break;
    case 'hang': for (;;) { /* tests only: a worker stuck in a loop that never yields */ }
    default: throw new Error(`unknown command ${command.type}`);
  }
}

/** Replaces every model with a file's, once each has sampled (src/web.rs's load_models); a
 * refused file changes nothing. A file with some broken models asks first ('load-question'). */
async function loadModels(data, origin) {
  if (state === 'training' || state === 'paused') throw new Error('stop the current run before loading models');
  const bytes = asBytes(data);
  if (wasm.models_need_grayscale(bytes)) await ensureGrayscale();
  const loaded = await lab.load_models(bytes);
  if (loaded.pending) {
    pendingLoad = { origin, settings: loaded.settings };
    post({ type: 'load-question', origin, models: loaded.models, broken: loaded.broken });
    return;
  }
  await installed(loaded, origin);
}

/** The good models of a file that asked ('load-question') replace the models held. */
async function acceptPending() {
  if (!pendingLoad) throw new Error('no models file is waiting to be loaded');
  if (state === 'training' || state === 'paused') throw new Error('stop the current run before loading models');
  const { origin, settings } = pendingLoad;
  pendingLoad = null;
  await installed({ models: lab.accept_pending(), settings, broken: [] }, origin);
}

/** The models of a file are now the lab's: the page hears of them, and their samples follow. */
async function installed(loaded, origin) {
  previewing = new Set();
  for (const k in sampling) sampling[k] = loaded.models.includes(k);
  phase = sampling.autoencoder ? 'autoencoder' : (loaded.models.find((m) => m in sampling) ?? 'autoencoder');
  mapRun = null;
  post({ type: 'loaded', ...loaded, origin });
  setState('done');
  await preview(true);
}

let classifierMeta = null;     // what the data set's classifier file records, once loaded

/** Loads the FCD classifier (458 kB) the first time a score needs it. */
async function ensureClassifier() {
  if (classifierMeta) return classifierMeta;
  post({ type: 'status', text: 'Downloading the FCD classifier…' });
  await loadClassifier();
  return classifierMeta;
}

/** Whether a 'sample' waits for the classifier to redraw its pictures with captions. */
let captionsAwaited = false;

/** The classifier's download under way, if any. */
let classifierLoading = null;
function loadClassifier() {
  classifierLoading ??= fetchFile(dataSet.classifier)
    .then((bytes) => { classifierMeta ??= lab.load_classifier(bytes); })
    .finally(() => { classifierLoading = null; });
  return classifierLoading;
}

/** Loads the classifier for the sample grids' captions once the visitor trains or resamples
 * (a visitor who only looks does not download it); without it, the grids go uncaptioned. */
function wantClassifier() {
  return classifierMeta ? Promise.resolve() : loadClassifier().catch(() => {});
}

/** A few t-SNE iterations, as many as fit in about CHUNK_MS, and the map so far. */
function mapChunk() {
  const started = performance.now();
  let result;
  try {
    result = lab.latent_map_step(mapRun.units);
  } catch (error) {
    post({ type: 'map-progress', ...mapRun, done: true, stopped: true });
    mapRun = null;
    throw error;
  }
  const perIteration = (performance.now() - started) / mapRun.units;
  mapRun.units = Math.max(1, Math.min(mapRun.units * 2, Math.round(CHUNK_MS / perIteration), 200));
  mapRun.iteration = result.iteration;
  post({ type: 'map-progress', iteration: result.iteration, iterations: mapRun.iterations, done: result.done,
    stopped: false, embedding: result.embedding, agreement: result.agreement }, [result.embedding.buffer]);
  if (result.done) mapRun = null;
}

function report(error, command) {
  const panic = wasmReady ? wasm.last_panic() : null;
  const fatal = panic !== null && panic !== undefined;
  const message = panic ? `the worker crashed: ${panic}` : String(error?.message ?? error);
  post({ type: 'error', message, fatal, command: command?.type ?? null, download: Boolean(error?.download) && !fatal });
  return fatal;
}

// On the CPU backend a chunk never waits for anything outside wasm, so its promise settles in
// the microtask queue and a loop of chunks would starve onmessage forever (Pause would never
// arrive). Awaiting a task between chunks lets queued commands in. Which task matters: in
// Chromium 156, wasm resumed after a MessageChannel message ran 25% slower for the rest of that
// task (the autoencoder at 6,300 against 8,500 images/s, the same with a fresh channel per
// yield), after scheduler.postTask or setTimeout at full speed. postTask, where there is one,
// has no setTimeout's 4 ms clamp on nested timers.
const yieldToEvents = globalThis.scheduler?.postTask
  ? () => globalThis.scheduler.postTask(() => {})
  : () => new Promise((resolve) => { setTimeout(resolve, 0); });

async function loop() {
  for (;;) {
    await yieldToEvents();
    let training = false;
    let command = null;
    try {
      mapTurn = !mapTurn;
      if (queue.length > 0) {
        // A preview waiting is drawn before anything but 'init': the visitor is looking at it.
        const preview = lab ? queue.findIndex((c) => c.type === 'preview') : -1;
        command = preview >= 0 ? queue.splice(preview, 1)[0] : queue.shift();
        await handle(command);
      } else if (mapRun && (mapTurn || state !== 'training')) {
        mapChunk();
      } else if (state === 'training') {
        training = true;
        await trainChunk();
      } else {
        await new Promise((resolve) => { wake = resolve; });
      }
    } catch (error) {
      if (report(error, command)) return; // the wasm instance is gone; the page starts anew
      // Only a failed training chunk ends the run; a refused command (a bad file, a map, a
      // score asked for too early) leaves it going.
      if (training && state === 'training') setState('stopped');
    }
  }
}

loop();
