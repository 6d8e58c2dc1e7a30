// The page: controls, progress, plots and digit panels. All training happens in worker.js;
// this file only sends commands and draws the events it gets back (protocol: worker.js).
import { drawDigits, interleaveRows } from './digits.js';
import { LossPlot } from './plots.js';
import { LatentMapView } from './latent-map.js';
import * as store from './models-store.js';
import { Shelf } from './shelf.js';
import { LabWorker, download } from './worker-client.js';
import { RESTARTS, RESTART_WINDOW_MS, restartDelay } from './heartbeat.js';
import * as backends from './backend-choice.js';
import { buildForms, defaultOf, linkFields, readSection } from './settings.js';
import { controlsOf, fillPanels } from './phase-panel.js';
import { MODELS } from './pkg/tables.js';
import { Comparison } from './compare.js';
import { formatSeconds } from './format.js';

fillPanels();
buildForms();

const $ = (id) => document.getElementById(id);
const ui = {
  compare: $('compare'), fcdCount: $('fcd-count'),
  backend: $('backend'), adapter: $('adapter'), notice: $('notice'),
  settings: $('settings'), settingsError: $('settings-error'),
  reset: $('reset'), reconstructions: $('reconstructions'), error: $('error'),
  temperature: $('temperature'), temperatureValue: $('temperature-value'), binarize: $('binarize'),
  priorCopy: $('prior-samples-copy'), flowCopy: $('flow-samples-copy'), flowCopyFigure: $('flow-copy-figure'),
  nllCopy: $('nll-copy'),
};
/** Each model's section: its settings, buttons, progress line and samples (ui.flow.train, …). */
const PHASES = MODELS.map((m) => m.name);
for (const name of PHASES) ui[name] = controlsOf(name);
/** The opening panel: pretrained (or saved, or loaded) samples, and the models as a file. */
const models = {
  status: $('models-status'), fromScratch: $('from-scratch'), resample: $('hero-resample'),
  save: $('save-models'), load: $('load-models'), file: $('models-file'), flow: $('hero-flow'), wgan: $('hero-wgan'),
  pictures: { flow: $('hero-flow-picture'), wgan: $('hero-wgan-picture') },
};
const BASELINES = ['vae', 'aae'];
/** The shelf of kept models (shelf.js), in the opening panel. */
const shelf = new Shelf($('shelf'), {
  words: (name) => modelWords(name),
  onLoad: async (entry) => {
    const bytes = await store.bytesOf(entry.id);
    if (!bytes) { shelf.say('Those models are gone from this browser.'); await shelf.refresh(); return; }
    clearError();
    lab.restoringId = entry.id;
    send({ type: 'load', bytes, origin: 'saved' });
  },
  onKeep: (name) => {
    lab.pendingName = name;
    send({ type: 'save', purpose: 'name' });
  },
});
shelf.refresh();
const lossPlot = new LossPlot($('loss-plot'), { title: 'Autoencoder', yLabel: 'BCE (nats/image)' });
const NLL = { title: 'FlowAE: negative log-likelihood of the codes', yLabel: 'NLL (nats/dim)', log: false };
const nllPlot = new LossPlot($('nll-plot'), NLL);
const nllCopy = new LossPlot(ui.nllCopy, NLL);
const wganLossPlot = new LossPlot($('wgan-loss-plot'), {
  title: 'AdvAE: critic and generator losses', yLabel: 'loss', log: false,
  series: [{ label: 'critic', stroke: '#a855f7' }, { label: 'generator', stroke: '#22c55e' }],
});
const baselinePlots = {
  vae: new LossPlot($('vae-loss-plot'), { title: 'VAE: negative ELBO', yLabel: '−ELBO (nats/image)' }),
  aae: new LossPlot($('aae-loss-plot'), { title: 'AAE: reconstruction loss', yLabel: 'BCE (nats/image)' }),
};
const wassersteinPlot = new LossPlot($('wasserstein-plot'), {
  title: "AdvAE: the critic's Wasserstein estimate", yLabel: 'E[D(real)] − E[D(fake)]', log: false,
  series: [{ label: 'training', stroke: '#3b82f6' }, { label: 'held-out', stroke: '#f97316', epoch: true }],
});

/** What the page knows; also read by the browser tests (window.lab). */
const lab = {
  state: 'loading', backend: null, adapter: null, notice: null, errors: [],
  losses: [], testLosses: [], rates: [], run: null, lastProgress: null,
  drawn: { reconstructions: 0, preview: 0, ...Object.fromEntries(PHASES.map((name) => [name, 0])) },   // panels drawn
  phase: 'autoencoder', aeTrained: false,
  flow: latentRun(), wgan: latentRun(), vae: latentRun(), aae: latentRun(), fcd: {},
  samples: {},                     // the last FlowAE and AdvAE sample events
  timing: {},                      // when the first FlowAE / AdvAE samples were drawn
  loaded: null,                    // {models, origin} of the last models file loaded
  restoring: null,                 // 'saved' or 'pretrained' while the opening models load
  justLoaded: false,               // the next 'done' comes from a load, not from training
};

/** What the page records of a flow, WGAN or baseline run (losses: NLL, the critic's loss, or
 * the baseline's training loss). */
function latentRun(run = null) {
  return { losses: [], testLosses: [], rates: [], lastProgress: null, generatorLosses: [], wasserstein: [], run };
}
window.lab = lab;
lab.send = (command) => send(command);

const mapView = new LatentMapView({
  send: (command) => send(command),
  /** Which models' codes can be mapped: those that exist in the worker now. */
  available: () => {
    const alive = lab.state !== 'idle' && lab.state !== 'loading';
    return { autoencoder: alive && Boolean(lab.run), vae: alive && Boolean(lab.vae.run), aae: alive && Boolean(lab.aae.run) };
  },
});
Object.defineProperty(lab, 'map', { get: () => mapView.state });

/** Compare all (compare.js): every model in turn, scored with the FCD into Table 1. */
ui.compare.addEventListener('click', clearError);
const comparison = new Comparison({
  send: (command) => send(command),
  startRun: (phase, config) => startRun(phase, config),
  readAll: () => {
    const read = { autoencoder: readSettings(), flow: readFlowSettings(), wgan: readWganSettings() };
    for (const k of BASELINES) read[k] = read.autoencoder && readBaselineSettings(k, read.autoencoder);
    if (Object.values(read).every(Boolean)) return read;
    revealProblems();
    return null;
  },
  phase: () => lab.phase,
  grid: (canvasId) => lastGrids[canvasId],
  adapter: () => lab.adapter,
  settled: () => setState(lab.state),
});
Object.defineProperty(lab, 'table', { get: () => comparison.results });
Object.defineProperty(lab, 'copied', { get: () => comparison.copied });

const params = new URLSearchParams(location.search);
const early = window.early ?? { backend: 'auto', module: 'cpu', files: {} };
let worker = null;                // the LabWorker in use (worker-client.js)
let rate = null;                  // smoothed steps per second, for the time-left estimate
let sampleSeed = 1;
const lastGrids = {};             // the last sample grids by canvas id, to redraw them when
                                  // the binarized view is toggled
/** The backend choice ('auto', 'gpu' or 'cpu'), what auto does here, and this page's timing. */
const choice = { wanted: early.backend, gpu: null, plan: null, measured: backends.remembered().measured ?? null };

/** A worker running `module`, training on `backend`; `preview`: models bytes to draw first. */
function startWorker(module, backend, preview = null) {
  worker = new LabWorker({ module, backend, preview, onEvent, onCrash: crashed });
}

/** The pretrained models, when index.html fetched them at once (no kept models, no
 * ?pretrained=0): the worker draws their samples before the digits arrive. */
const pretrainedPreview = () => ('models/pretrained.bin' in early.files ? download('models/pretrained.bin') : null);

/** A worker that crashed, hung or died: replaced by a fresh one after a pause that grows with
 * each failure, until RESTARTS failures within RESTART_WINDOW_MS; then the page stops and says
 * so (a worker that fails as it starts would otherwise be restarted for ever, each time
 * downloading and compiling again). */
const failures = [];
function crashed(message, error = null) {
  const module = worker.module;
  // A lost GPU: the fresh worker trains on the CPU; WebGPU stays on offer under Backend.
  if (error?.gpuLost) { lab.backend = 'cpu'; choice.wanted = 'cpu'; }
  worker.terminate();
  setState('loading');
  const now = performance.now();
  failures.push(now);
  while (failures[0] < now - RESTART_WINDOW_MS) failures.shift();
  if (failures.length > RESTARTS) {
    lab.gaveUp = true;
    showError(`${message}. The worker has failed ${failures.length} times in ${Math.round(RESTART_WINDOW_MS / 60_000)} minutes, so it is not restarted again: reload the page to try once more.`);
    ui.autoencoder.progressText.textContent = 'Stopped: the worker keeps failing. Reload the page to try again.';
    return;
  }
  const delay = restartDelay(failures.length - 1);
  showError(error?.gpuLost
    ? `${message}. Choose WebGPU under Backend to try the GPU again.`
    : `${message}. A fresh worker starts in ${delay / 1000} s; train again to continue.`);
  setTimeout(() => startWorker(module, lab.backend ?? (early.backend === 'gpu' ? 'gpu' : 'cpu')), delay);
}

function send(command) {
  if (command.type === 'start') lab.started = true;   // the opening models must not replace this run
  worker.post(command);
}

function showError(message) {
  lab.errors.push(message);
  ui.error.textContent = message;
  ui.error.hidden = false;
}
function clearError() { ui.error.hidden = true; }

function onEvent(msg) {
  handleEvent(msg);
  comparison.offer(msg);
}

function handleEvent(msg) {
  switch (msg.type) {
    case 'status': ui.autoencoder.progressText.textContent = msg.text; break;
    case 'ready': ready(msg); break;
    case 'started':
      lab.phase = msg.phase;
      rate = null;
      if (msg.phase === 'flow') {
        lab.flow = latentRun(msg);
        nllPlot.clear(); nllCopy.clear();
        ui.nllCopy.hidden = true;
      } else if (msg.phase === 'wgan') {
        lab.wgan = latentRun(msg);
        wganLossPlot.clear(); wassersteinPlot.clear();
      } else if (BASELINES.includes(msg.phase)) {
        lab[msg.phase] = latentRun(msg);
        baselinePlots[msg.phase].clear();
      } else {
        lab.run = msg;
        lab.shelfId = null;              // a new run: kept as a new entry of the shelf
        // The pictures above stay until a flow and a WGAN learn the new autoencoder's codes.
        if (lab.samples.flow || lab.samples.wgan) {
          models.status.textContent = 'Training a new autoencoder: the samples above are of the models before it, until a flow and a WGAN are trained on its codes.';
        }
        lab.aeTrained = false;
        lab.losses = []; lab.testLosses = []; lab.rates = [];
        lab.flow = latentRun(); lab.wgan = latentRun();
        for (const plot of [lossPlot, nllPlot, nllCopy, wganLossPlot, wassersteinPlot]) plot.clear();
        ui.nllCopy.hidden = true;
        ui.flowCopyFigure.hidden = true;
        lab.drawn.flow = 0; lab.drawn.wgan = 0; lab.samples = {};
      }
      break;
    case 'state': setState(msg.state); break;
    case 'progress': progress(msg); break;
    case 'reconstructions':
      drawDigits(ui.reconstructions, interleaveRows(msg.inputs, msg.outputs, msg.count, 8), msg.count * 2, 8);
      lab.drawn.reconstructions++;
      break;
    case 'samples': showSamples(msg); break;
    case 'flow-check': lab.flowCheck = msg.maxError; break;
    case 'classifier-check': lab.classifierCheck = msg; break;
    case 'fcd': lab.fcd[msg.model] = msg; break;
    case 'map': case 'map-progress': case 'map-decoded': mapView.handle(msg); break;
    case 'loaded': loaded(msg); break;
    case 'timed': break;              // taken by the backend timing (timeBackends)
    case 'memory': lab.memory = msg; break;
    case 'interpolation':
      drawDigits(morph.canvas, msg.pixels, msg.count, msg.count, { binarize: ui.binarize.checked });
      lab.morph = msg;
      break;
    case 'saved': saved(msg); break;
    case 'error':
      mapView.handle(msg);
      if (lab.restoring === 'saved' || lab.unverified?.origin === 'saved') {
        // Kept models that do not load, or load and sample garbage, would greet every visit
        // with this error: they leave the shelf, and the pretrained ones show.
        const id = lab.restoringId;
        lab.restoring = null;
        lab.unverified = null;
        store.forget();
        if (id) store.remove(id).then(() => shelf.refresh());
        showError(`${msg.message} (These kept models could not be used, so they were removed from this browser.)`);
        restoreModels(false);
      } else {
        lab.unverified = null;           // a chosen file that samples garbage is not kept
        showError(msg.message);
      }
      break;
    default: console.warn('unknown event', msg);
  }
}

/** A model's samples: drawn in its section and wherever else the page shows them, kept for
 * redraws and the morph strip. FlowAE's and AdvAE's also lead the page (the opening panel); the
 * pretrained preview's come before the full models have loaded. */
function showSamples(msg) {
  const { model } = msg;
  if (!msg.preview && lab.unverified) {
    // The loaded file samples numbers: a chosen file is kept now.
    if (lab.unverified.origin === 'file') send({ type: 'save', purpose: 'keep' });
    lab.unverified = null;
  }
  if (!msg.preview) {
    if (model === 'autoencoder') drawDigits(ui.autoencoder.samples, msg.pixels, msg.count, 8);
    else drawGrid(ui[model].samples, msg);
    if (ON_CODES.includes(model)) ui[model].resample.disabled = false;
    lab.drawn[model]++;
  }
  if (model === 'autoencoder') drawGrid(ui.priorCopy, msg);
  if (model === 'flow' && !msg.preview) {
    drawGrid(ui.flowCopy, msg);
    ui.flowCopyFigure.hidden = false;
  }
  if (!ON_CODES.includes(model)) return;
  drawGrid(models[model], msg);
  showHero(model);
  lab.samples[model] = msg;
  lab.timing[model] ??= performance.now();   // ms since navigation: the instant-start figure
  models.resample.disabled = false;
  morph.next.disabled = false;
  if (morph.model.value === model) drawMorph();   // the strip follows the model as it learns
  if (!msg.preview) return;
  lab.timing.interactive ??= performance.now();
  lab.drawn.preview++;
  // The pretrained samplers, live before the digits arrive: Resample, the temperature and the
  // morph strip work on them at once.
  if (!lab.loaded) models.status.textContent = 'Showing the pretrained models (live: resample them, or change the temperature in section 2); the digits are still loading…';
}

/** Swaps the opening picture of a model's samples (a PNG, there before any script) for its
 * live samples. */
function showHero(model) {
  models.pictures[model].hidden = true;
  models[model].hidden = false;
}

/** Draws a sample grid in the binarized or probability view, and keeps it for redraws. */
function drawGrid(canvas, msg) {
  lastGrids[canvas.id] = msg;
  drawDigits(canvas, msg.pixels, msg.count, 8, { binarize: ui.binarize.checked });
}

/** The backend in use, the choice behind it and why, from a worker's 'ready'. */
function showBackend(msg) {
  lab.backend = msg.backend;
  lab.adapter = msg.adapter;
  lab.notice = msg.notice ?? (choice.wanted === 'auto' && msg.backend === 'cpu' ? choice.plan?.notice : null) ?? null;
  ui.adapter.textContent = msg.adapter + (choice.measured && choice.wanted === 'auto' ? ` (${backends.describe(choice.measured)})` : '');
  ui.backend.value = choice.wanted;
  ui.backend.disabled = false;
  ui.notice.textContent = lab.notice ?? '';
  ui.notice.hidden = !lab.notice;
  // No WebGPU at all (the worker fell back, or the browser has none): nothing to choose.
  if (msg.notice || (choice.plan && !choice.gpu)) ui.backend.querySelector('option[value=gpu]').disabled = true;
}

function ready(msg) {
  lab.timing.ready ??= performance.now();
  lab.lastReady = msg;
  showBackend(msg);
  if (msg.train) ui.autoencoder.progressText.textContent = `Ready: ${msg.train.toLocaleString()} training and ${msg.test.toLocaleString()} test digits loaded.`;
  if (lab.state === 'loading') {
    // A new worker: no models yet. Bring back the saved or pretrained ones.
    setState('idle');
    lab.started = false;
    restoreModels();
  }
}

const ORIGINS = {
  pretrained: 'the pretrained models shipped with the page',
  saved: 'your models from your last visit, kept by this browser',
  file: 'the models from the file you chose',
  moved: 'the models trained here',
};
/** A model in the status line: its label (the autoencoder by its name). */
const modelWords = (name) => (name === 'autoencoder' ? name : MODELS.find((m) => m.name === name)?.label ?? name);

/** The opening models: the last session's if this browser kept them, else the pretrained ones. */
async function restoreModels(useKept = true) {
  if (params.get('pretrained') === '0') {
    models.status.textContent = 'No models loaded yet: press Train from scratch.';
    return;
  }
  const stored = useKept ? await store.latest() : null;
  // The visitor may have started a run meanwhile: it is not replaced.
  if (lab.state !== 'idle' || lab.started) { models.status.textContent = 'Training from scratch.'; return; }
  lab.restoring = stored ? 'saved' : 'pretrained';
  models.status.textContent = 'Loading models…';
  if (stored) {
    lab.restoringId = stored.entry.id;
    send({ type: 'load', bytes: stored.bytes, origin: 'saved' });
    return;
  }
  try {
    const bytes = await download('models/pretrained.bin');
    if (lab.state === 'idle' && !lab.started) send({ type: 'load', bytes, origin: 'pretrained' });
  } catch (e) {
    lab.restoring = null;
    models.status.textContent = `The pretrained models could not be loaded (${e.message}): press Train from scratch.`;
  }
}

/** A models file is now what the worker holds: every panel starts from its models. */
function loaded(msg) {
  lab.timing.loaded ??= performance.now();
  lab.restoring = null;
  // Models moved to another backend are still those of the last file or run.
  const origin = msg.origin === 'moved' ? (lab.loaded?.origin ?? 'moved') : msg.origin;
  lab.loaded = { models: msg.models, origin };
  lab.justLoaded = true;
  const has = (name) => msg.models.includes(name);
  lab.phase = has('autoencoder') ? 'autoencoder' : (msg.models.find((m) => BASELINES.includes(m)) ?? 'autoencoder');
  lab.run = has('autoencoder') ? { config: msg.settings.autoencoder, loaded: true } : null;
  lab.losses = []; lab.testLosses = []; lab.rates = []; lab.lastProgress = null;
  for (const k of [...ON_CODES, ...BASELINES]) lab[k] = latentRun(has(k) ? { config: msg.settings[k], loaded: true } : null);
  for (const k of ON_CODES.filter(has)) ui[k].progressText.textContent = 'Loaded: its samples are below. Training again fits a new one to the same codes.';
  for (const plot of [lossPlot, nllPlot, nllCopy, wganLossPlot, wassersteinPlot, ...Object.values(baselinePlots)]) plot.clear();
  lab.drawn.flow = 0; lab.drawn.wgan = 0; lab.samples = {};
  models.status.textContent = `Showing ${ORIGINS[origin] ?? 'loaded models'}: ${msg.models.map(modelWords).join(', ')}.`;
  // A file chosen, or kept models opened: checked by their first samples before the file is
  // kept (or trusted again); training on from them is kept as a new run.
  if (msg.origin !== 'moved') lab.shelfId = null;
  lab.unverified = msg.origin === 'file' || msg.origin === 'saved' ? { origin: msg.origin } : null;
}

/** A models file from the worker: downloaded, or kept in this browser for the next visit. */
function saved(msg) {
  if (msg.purpose === 'download') {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([msg.bytes], { type: 'application/octet-stream' }));
    link.download = 'flowae-models.bin';
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    return;
  }
  const name = msg.purpose === 'name' ? lab.pendingName : null;
  const label = { models: presentModels(), about: aboutModels(), bytes: msg.bytes };
  // A run's later phases replace its own entry; a named save is always a new one.
  store.put({ ...label, id: name ? null : lab.shelfId, name })
    .then(({ entry }) => {
      if (!name) lab.shelfId = entry.id;
      lab.kept = (lab.kept ?? 0) + 1;
      if (name) shelf.say(`Kept as “${name}”.`);
      return shelf.refresh();
    })
    .catch((e) => showError(`This browser did not keep the models (${e.message}); download them with Save models to keep them.`));
}

/** The models the worker holds now, by name. */
function presentModels() {
  return PHASES.filter((k) => (k === 'autoencoder' ? lab.run : lab[k].run));
}

/** A line on what the models were trained with and how they scored, for the shelf. */
function aboutModels() {
  const ae = lab.run?.config;
  const parts = ae ? [`${ae.train_images.toLocaleString()} digits, ${ae.epochs} epoch${ae.epochs === 1 ? "" : "s"}`] : [];
  const scored = Object.entries(lab.fcd).filter(([name, f]) => name !== 'real' && Number.isFinite(f.value));
  if (scored.length) parts.push(`FCD ${scored.map(([name, f]) => `${modelWords(name)} ${f.value.toFixed(1)}`).join(', ')}`);
  return parts.join(' · ');
}

/** Phases that model the autoencoder's codes, and so need it trained first. */
const ON_CODES = ['flow', 'wgan'];

function setState(state) {
  lab.state = state;
  // 'switching': the backends are being timed, or the models move to another worker.
  const busy = state === 'training' || state === 'paused' || state === 'switching';
  if (lab.phase === 'autoencoder' && (state === 'done' || state === 'stopped')) lab.aeTrained = true;
  if (state === 'idle' || state === 'loading') {
    // Reset, a backend switch or a new worker: every model is gone.
    lab.aeTrained = false;
    lab.phase = 'autoencoder';
    for (const k of [...ON_CODES, ...BASELINES]) lab[k].run = null;
  }
  for (const name of PHASES) {
    const view = ui[name];
    const active = name === lab.phase;
    view.train.disabled = busy || state === 'loading' || (ON_CODES.includes(name) && !lab.aeTrained);
    const running = state === 'training' || state === 'paused';
    view.pause.disabled = !running || !active;
    view.pause.textContent = state === 'paused' && active ? 'Resume' : 'Pause';
    view.stop.disabled = !running || !active;
    if (view.step) view.step.disabled = !(state === 'paused' && active);
    for (const input of view.settings.elements) input.disabled = busy;
    if (ON_CODES.includes(name) && !lab[name].run) {
      view.progressText.textContent = lab.aeTrained ? 'Ready: the autoencoder is trained.' : 'Train the autoencoder first.';
    }
    if (BASELINES.includes(name) && !lab[name].run && state !== 'loading') view.progressText.textContent = 'Ready.';
  }
  if (!ui.autoencoder.train.disabled) lab.timing.trainable ??= performance.now();
  ui.flow.resample.disabled = lab.drawn.flow === 0;
  ui.wgan.resample.disabled = lab.drawn.wgan === 0;
  ui.reset.disabled = state === 'idle' || state === 'loading';
  ui.autoencoder.resample.disabled = state === 'idle' || state === 'loading';
  ui.backend.disabled = busy || state === 'loading';
  ui.compare.disabled = busy || state === 'loading' || comparison.running;
  const view = ui[lab.phase];
  const step = (lab.phase === 'autoencoder' ? lab.lastProgress : lab[lab.phase].lastProgress)?.step ?? 0;
  if (state === 'paused') view.progressText.textContent = `Paused at step ${step}.`;
  if (state === 'switching') view.progressText.textContent = 'Starting the backend…';
  if (state === 'done' || state === 'stopped') {
    view.progressText.textContent = `${state === 'done' ? 'Done' : 'Stopped'} after ${step} steps.` + summary(lab.phase);
  }
  if (state === 'idle' && lab.backend) ui.autoencoder.progressText.textContent = 'Ready.';
  syncLossControls();
  mapView.sync();
  const any = Boolean(lab.run) || [...ON_CODES, ...BASELINES].some((k) => lab[k].run);
  const previous = lab.previousState;
  lab.previousState = state;
  models.fromScratch.disabled = busy || state === 'loading';
  models.save.disabled = busy || state === 'loading' || state === 'idle' || !any;
  shelf.keepable = !models.save.disabled;
  models.load.disabled = busy || state === 'loading';
  models.resample.disabled = !lab.samples.flow && !lab.samples.wgan;
  if (state === 'done' || state === 'stopped') {
    if (lab.justLoaded) {
      lab.justLoaded = false;
      view.progressText.textContent = 'Loaded: ready to sample, or to carry a new flow or WGAN.';
    } else if (previous === 'training' || previous === 'paused') {
      send({ type: 'save', purpose: 'keep' });   // so a reload keeps this run's models
    }
  }
}

/** The held-out figure a finished phase ends its progress line with. */
function summary(phase) {
  const last = (phase === 'autoencoder' ? lab.testLosses : lab[phase].testLosses).at(-1);
  if (!last) return '';
  if (phase === 'autoencoder') return ` Test loss ${last[1].toFixed(1)} nats/image.`;
  if (phase === 'flow') return ` Held-out NLL ${last[1].toFixed(3)} nats/dim.`;
  if (phase === 'vae') return ` Test −ELBO ${last[1].toFixed(1)} nats/image.`;
  if (phase === 'aae') return ` Test reconstruction loss ${last[1].toFixed(1)} nats/image.`;
  return ` Held-out critic score ${last[1].toFixed(3)}.`;
}

/** The flow's or the WGAN's progress: its plots, progress bar and line. */
function latentProgress(p) {
  const run = lab[p.phase];
  const view = ui[p.phase];
  run.lastProgress = p;
  if (p.preparing) {
    const [done, total] = p.preparing;
    view.progress.value = 0;
    view.progressText.textContent = `Encoding the digits with the frozen encoder: ${done.toLocaleString()} / ${total.toLocaleString()}`;
    return;
  }
  run.losses.push(...p.losses);
  const steps = p.losses.length;
  const perSecond = steps > 0 && p.chunkMs > 0 ? (steps * 1000) / p.chunkMs : null;
  if (perSecond) {
    run.rates.push(perSecond);
    rate = rate === null ? perSecond : 0.8 * rate + 0.2 * perSecond;
  }
  if (p.phase === 'flow') {
    nllPlot.addTraining(p.first_step + 1, p.losses);
    nllCopy.addTraining(p.first_step + 1, p.losses);
  } else {
    run.generatorLosses.push(...p.generator_losses);
    run.wasserstein.push(...p.wasserstein);
    wganLossPlot.addTraining(p.first_step + 1, p.losses, p.generator_losses);
    wassersteinPlot.addTraining(p.first_step + 1, p.wasserstein);
  }
  if (p.test_loss) {
    run.testLosses.push(p.test_loss);
    if (p.phase === 'flow') { nllPlot.addTest(p.test_loss[1]); nllCopy.addTest(p.test_loss[1]); }
    else wassersteinPlot.addTest(p.test_loss[1]);
  }
  // Figure 5 of the paper: the flow's NLL beside the critic's estimate, once both have run.
  ui.nllCopy.hidden = !(lab.flow.losses.length > 0 && lab.wgan.losses.length > 0);
  view.progress.value = Math.min(1, p.step / (p.epochs * p.steps_per_epoch));
  const left = rate ? (p.epochs * p.steps_per_epoch - p.step) / rate : null;
  const speed = !rate ? null : p.phase === 'flow'
    ? `${Math.round(rate).toLocaleString()} steps/s`
    : `${Math.round(rate).toLocaleString()} generator and ${Math.round(rate * run.run.config.critic_steps).toLocaleString()} critic steps/s`;
  const latest = !steps ? null : p.phase === 'flow'
    ? `NLL ${p.losses.at(-1).toFixed(3)}`
    : `critic gap ${p.wasserstein.at(-1).toFixed(3)}`;
  view.progressText.textContent = [
    `epoch ${Math.min(p.epoch + 1, p.epochs)}/${p.epochs}`,
    `step ${p.step - p.epoch * p.steps_per_epoch}/${p.steps_per_epoch}`,
    speed,
    left !== null && !p.done ? `about ${formatSeconds(left)} left` : null,
    latest,
  ].filter(Boolean).join(' · ');
}

/** A baseline's progress: its loss plot, progress bar and line. */
function baselineProgress(p) {
  const run = lab[p.phase];
  const view = ui[p.phase];
  run.lastProgress = p;
  run.losses.push(...p.losses);
  run.generatorLosses.push(...p.generator_losses);
  run.wasserstein.push(...p.wasserstein);
  if (p.imagesPerSecond) run.rates.push(p.imagesPerSecond);
  baselinePlots[p.phase].addTraining(p.first_step + 1, p.losses);
  if (p.test_loss) {
    run.testLosses.push(p.test_loss);
    baselinePlots[p.phase].addTest(p.test_loss[1]);
  }
  const total = p.epochs * (p.steps_per_epoch + 1);
  view.progress.value = Math.min(1, (p.epoch * (p.steps_per_epoch + 1) + (p.step - p.epoch * p.steps_per_epoch)) / total);
  view.progressText.textContent = [
    `epoch ${Math.min(p.epoch + 1, p.epochs)}/${p.epochs}`,
    p.evaluating ? 'scoring test digits' : `step ${p.step - p.epoch * p.steps_per_epoch}/${p.steps_per_epoch}`,
    p.imagesPerSecond ? `${Math.round(p.imagesPerSecond).toLocaleString()} images/s` : null,
    p.losses.length ? `loss ${p.losses.at(-1).toFixed(1)}` : null,
  ].filter(Boolean).join(' · ');
}

function progress(p) {
  if (BASELINES.includes(p.phase)) { baselineProgress(p); return; }
  if (p.phase !== 'autoencoder') { latentProgress(p); return; }
  lab.lastProgress = p;
  if (p.step > 0) lab.timing.training ??= performance.now();   // "step 1/…" is on the screen
  lab.losses.push(...p.losses);
  if (p.imagesPerSecond) lab.rates.push(p.imagesPerSecond);
  lossPlot.addTraining(p.first_step + 1, p.losses);
  if (p.test_loss) {
    lab.testLosses.push(p.test_loss);
    lossPlot.addTest(p.test_loss[1]);
  }
  const total = p.epochs * (p.steps_per_epoch + 1);
  const done = p.epoch * (p.steps_per_epoch + 1) + (p.step - p.epoch * p.steps_per_epoch);
  ui.autoencoder.progress.value = Math.min(1, done / total);
  if (p.losses.length > 0 && p.chunkMs > 0) {
    const now = (p.losses.length * 1000) / p.chunkMs;
    rate = rate === null ? now : 0.8 * rate + 0.2 * now;
  }
  const stepInEpoch = p.step - p.epoch * p.steps_per_epoch;
  const left = rate ? (p.epochs * p.steps_per_epoch - p.step) / rate : null;
  ui.autoencoder.progressText.textContent = [
    `epoch ${Math.min(p.epoch + 1, p.epochs)}/${p.epochs}`,
    p.evaluating ? 'scoring test digits' : `step ${stepInEpoch}/${p.steps_per_epoch}`,
    p.imagesPerSecond ? `${Math.round(p.imagesPerSecond).toLocaleString()} images/s` : null,
    left !== null && !p.done ? `about ${formatSeconds(left)} left` : null,
    p.losses.length ? `loss ${p.losses.at(-1).toFixed(1)}` : null,
  ].filter(Boolean).join(' · ');
}


/** Shows a form's problems under it; returns its config, or null when it has any. */
function shownProblems({ config, problems }, errorBox) {
  errorBox.textContent = problems.join(' ');
  errorBox.hidden = problems.length === 0;
  return problems.length === 0 ? config : null;
}

/** Reads and checks the autoencoder's form; returns the config or null after marking the bad fields. */
function readSettings() {
  const read = readSection('autoencoder');
  const { config, problems } = read;
  if (problems.length === 0 && config.batch_size > config.train_images) {
    problems.push(`Batch size (${config.batch_size}) cannot exceed the number of training images (${config.train_images}).`);
  }
  return shownProblems(read, ui.autoencoder.settingsError);
}

/** The seed of every run: the autoencoder's. */
const seed = () => Number(ui.autoencoder.settings.elements.seed.value) || 1;

/** Reads the flow's form; returns its config or null after marking the bad fields. */
function readFlowSettings() {
  const config = shownProblems(readSection('flow'), ui.flow.settingsError);
  return config && { ...config, seed: seed() };
}

/** Reads the AdvAE form; returns its config or null after marking the bad fields. */
function readWganSettings() {
  const config = shownProblems(readSection('wgan'), ui.wgan.settingsError);
  return config && { ...config, seed: seed() };
}

/** A baseline's config: the autoencoder's settings (read now unless given) with the baseline's
 * own on top; or null. */
function readBaselineSettings(k, ae = readSettings()) {
  const own = ae && shownProblems(readSection(k), ui[k].settingsError);
  return own && { ...ae, ...own };
}

/** The penalty weight only belongs to WGAN-GP: disabled, not silently ignored, otherwise. */
function syncLossControls() {
  const form = ui.wgan.settings.elements;
  form.lambda.disabled = form.loss.value !== 'wasserstein' || lab.state === 'training' || lab.state === 'paused';
}

/** Every setting a link can carry, as [name in the URL, form element]: the table's, and two more. */
function urlFields() {
  return [...linkFields(), ['fcd', ui.fcdCount], ['temperature', ui.temperature]];
}

function applyUrlSettings() {
  for (const [name, el] of urlFields()) {
    if (!params.has(name)) continue;
    el.value = params.get(name);
    if (el.tagName === 'SELECT' && el.value !== params.get(name)) {
      el.value = defaultOf(el);
      showError(`The link sets ${name} to ${params.get(name)}, which is not one of its choices; it is ${el.value}.`);
    }
  }
  ui.temperatureValue.textContent = Number(ui.temperature.value).toFixed(2);
  if (params.has('show')) {
    const shown = params.get('show').split(',');
    for (const box of document.querySelectorAll('#panels input')) box.checked = shown.includes(box.name);
  }
  showPanels();
}

/** Shows the sections that hold a field marked invalid (a link can hide them) and takes the
 * visitor to the first such field, so that "fix the settings marked above" can be done. */
function revealProblems() {
  const invalid = [...document.querySelectorAll('form.settings [aria-invalid="true"]')];
  const said = [...document.querySelectorAll('[id$="settings-error"]:not([hidden])')];
  for (const field of [...invalid, ...said]) {
    const panel = field.closest('[data-panel]')?.dataset.panel;
    const box = panel && document.querySelector(`#panels input[name="${panel}"]`);
    if (box) box.checked = true;
  }
  showPanels();
  const first = invalid[0] ?? said[0];
  first?.scrollIntoView({ block: 'center' });
  invalid[0]?.focus();
}

/** Hides the sections unticked under "Sections to show". */
function showPanels() {
  const shown = new Set([...document.querySelectorAll('#panels input')].filter((b) => b.checked).map((b) => b.name));
  for (const section of document.querySelectorAll('[data-panel]')) section.hidden = !shown.has(section.dataset.panel);
}

/** The link to this page with every setting that differs from the page's defaults. */
function setupLink() {
  const link = new URLSearchParams();
  if (lab.backend) link.set('backend', lab.backend);
  for (const [name, el] of urlFields()) if (el.value !== defaultOf(el)) link.set(name, el.value);
  const boxes = [...document.querySelectorAll('#panels input')];
  if (boxes.some((b) => !b.checked)) link.set('show', boxes.filter((b) => b.checked).map((b) => b.name).join(','));
  return `${location.origin}${location.pathname}?${link}`;
}

models.fromScratch.addEventListener('click', () => {
  document.getElementById('setup-title').scrollIntoView({ behavior: 'smooth' });
  ui.autoencoder.train.click();
});
/** Every sample panel's Resample: the next seed, for every model at once. */
function resample() {
  sampleSeed = (sampleSeed + 1) >>> 0;
  send({ type: 'sample', seed: sampleSeed, temperature: Number(ui.temperature.value) });
}
models.resample.addEventListener('click', resample);

/** Each model's settings as its run starts them, or null after marking the bad fields. */
const READ = { autoencoder: readSettings, flow: readFlowSettings, wgan: readWganSettings, vae: () => readBaselineSettings('vae'), aae: () => readBaselineSettings('aae') };
for (const name of PHASES) {
  const view = ui[name];
  view.train.addEventListener('click', () => {
    const config = READ[name]();
    if (!config) return;
    clearError();
    startRun(name, config);
  });
  view.pause.addEventListener('click', () => send({ type: lab.state === 'paused' ? 'resume' : 'pause' }));
  view.stop.addEventListener('click', () => send({ type: 'stop' }));
  view.step?.addEventListener('click', () => send({ type: 'step' }));
  view.resample?.addEventListener('click', resample);
}

/** The morph strip: ten decodings between two base draws, through the flow or the generator. */
const morph = { canvas: $('morph'), model: $('morph-model'), next: $('morph-new'), pair: [1001, 1002] };
function drawMorph() {
  const model = morph.model.value;
  if (!lab.samples[model]) return;         // no such model yet
  send({ type: 'interpolate', model, a: morph.pair[0], b: morph.pair[1], steps: 10, temperature: Number(ui.temperature.value) });
}
morph.next.addEventListener('click', () => { morph.pair = [morph.pair[1], morph.pair[1] + 1]; drawMorph(); });
morph.model.addEventListener('change', drawMorph);

$('panels').addEventListener('change', showPanels);
$('copy-link').addEventListener('click', async () => {
  const link = setupLink();
  $('setup-link').value = link;
  lab.link = link;
  try {
    await navigator.clipboard.writeText(link);
  } catch {
    $('setup-link').select();     // no clipboard (an insecure origin, a denied permission): select it
  }
});
models.save.addEventListener('click', () => send({ type: 'save', purpose: 'download' }));
models.load.addEventListener('click', () => models.file.click());
models.file.addEventListener('change', async () => {
  const file = models.file.files[0];
  models.file.value = '';
  if (!file) return;
  clearError();
  send({ type: 'load', bytes: new Uint8Array(await file.arrayBuffer()), origin: 'file' });
});
ui.reset.addEventListener('click', () => {
  send({ type: 'reset' });
  lab.loaded = null;
  lab.samples = {};
  models.status.textContent = 'No models now: press Train from scratch, or load a models file.';
  lossPlot.clear();
  lab.losses = []; lab.testLosses = []; lab.lastProgress = null;
  ui.autoencoder.progress.value = 0;
  for (const c of [ui.reconstructions, ui.autoencoder.samples]) c.getContext('2d').clearRect(0, 0, c.width, c.height);
});
ui.wgan.settings.elements.loss.addEventListener('change', syncLossControls);
ui.temperature.addEventListener('input', () => {
  ui.temperatureValue.textContent = Number(ui.temperature.value).toFixed(2);
  if (lab.samples.flow) send({ type: 'sample', seed: sampleSeed, temperature: Number(ui.temperature.value) });
});
ui.binarize.addEventListener('change', () => {
  for (const [id, msg] of Object.entries(lastGrids)) drawGrid($(id), msg);
});
ui.backend.addEventListener('change', async () => {
  choice.wanted = ui.backend.value;
  if (choice.wanted === 'auto') choice.measured = null;     // the next Train times them again
  backends.remember(choice.wanted);
  const target = choice.wanted === 'auto' ? (choice.plan?.measure ? lab.backend : 'cpu') : choice.wanted;
  try {
    await switchTo(target);
  } catch (error) {
    showError(`Could not switch to ${target === 'gpu' ? 'WebGPU' : 'the CPU'}: ${error.message}`);
  }
  if (lab.lastReady) showBackend(lab.lastReady);
});

/** Moves training, and the models, to `backend`: within the worker where its module has that
 * backend, else to a fresh worker running the WebGPU module. */
async function switchTo(backend) {
  if (backend === lab.backend) return;
  if (backend === 'cpu' || worker.module === 'gpu') {
    send({ type: 'backend', backend });
    return;
  }
  const previous = lab.state;
  setState('switching');
  try {
    await moveTo(new LabWorker({ module: 'gpu', backend: 'gpu' }));
  } finally {
    if (lab.state === 'switching') setState(previous);
  }
}

/** Makes `next` (a worker that has not yet been shown) the page's worker, with the models of
 * the one it replaces. */
async function moveTo(next) {
  try {
    const readyMsg = next.readyMsg ?? await next.next((m) => m.type === 'ready', { timeoutMs: 180_000 });
    let bytes = null;
    try {
      const saved = await worker.request({ type: 'save', purpose: 'move' }, (m) => m.type === 'saved' && m.purpose === 'move',
        { failOn: (m) => m.command === 'save' });
      bytes = saved.bytes;
    } catch { /* no model to carry */ }
    const old = worker;
    worker = next;
    next.onEvent = onEvent;
    next.onCrash = crashed;
    old.terminate();
    lab.lastReady = readyMsg;
    showBackend(readyMsg);
    if (bytes) send({ type: 'load', bytes, origin: 'moved' });
  } catch (error) {
    next.terminate();
    throw error;
  }
}

/** Whether auto must time the backends before the next run: a hardware WebGPU adapter, and
 * no timing yet for it. */
const needsTiming = () => choice.wanted === 'auto' && choice.plan?.measure && !choice.measured;

/** Starts a run of `phase`; on the first run under auto, after timing each backend. */
async function startRun(phase, config) {
  lab.started = true;             // the opening models must not replace this run
  if (needsTiming()) {
    const previous = lab.state;
    setState('switching');
    try {
      await timeBackends();
    } catch (error) {
      showError(`Timing the backends failed (${error.message}); training on ${lab.backend === 'gpu' ? 'WebGPU' : 'the CPU'}.`);
    } finally {
      if (lab.state === 'switching') setState(previous);
    }
  }
  send({ type: 'start', phase, config });
}

/** Times autoencoder steps on the CPU (this worker) and on WebGPU (a worker running the WebGPU
 * module, which becomes the page's worker if it wins), says which won and remembers it. */
async function timeBackends() {
  ui.notice.hidden = false;
  ui.notice.textContent = 'Timing a few training steps on the CPU and on WebGPU, to train on the faster…';
  // The visitor's settings, but one epoch and a short test pass: only the steps are timed.
  const config = { ...(readSettings() ?? {}), epochs: 1, test_images: 200, pixels: 'binarized' };
  const timed = (w, warmup, seconds) => w.request({ type: 'time', config, warmup, seconds }, (m) => m.type === 'timed',
    { timeoutMs: 180_000, failOn: (m) => m.command === 'time' }).then((m) => m.imagesPerSecond);
  const cpu = await timed(worker, 1, 0.5);
  let gpu = null, error = null;
  const next = new LabWorker({ module: 'gpu', backend: 'gpu' });
  try {
    next.readyMsg = await next.next((m) => m.type === 'ready', { timeoutMs: 180_000 });
    if (next.readyMsg.backend !== 'gpu') throw new Error(next.readyMsg.notice ?? 'WebGPU did not start');
    gpu = await timed(next, 3, 1);
  } catch (e) {
    error = e.message.replace(/^Training on the CPU: /, '');
  }
  const backend = gpu !== null && gpu > cpu ? 'gpu' : 'cpu';
  choice.measured = { cpu, gpu, backend, adapter: choice.gpu?.name ?? null, ...(error ? { error } : {}) };
  lab.measured = choice.measured;
  backends.remember('auto', choice.measured);
  if (backend === 'gpu') await moveTo(next);
  else next.terminate();
  if (lab.lastReady) showBackend(lab.lastReady);
}
ui.autoencoder.settings.addEventListener('input', () => { if (!ui.autoencoder.settingsError.hidden) readSettings(); });

applyUrlSettings();
setState('loading');
startWorker(early.module, early.module === 'gpu' ? 'gpu' : 'cpu', pretrainedPreview());
backends.probeGpu().then((gpu) => {
  choice.gpu = gpu;
  choice.plan = backends.autoPlan(gpu, params.get('measure') === '1');
  if (choice.measured && choice.measured.adapter !== (gpu?.name ?? null)) choice.measured = null;   // another GPU now
  if (lab.lastReady) showBackend(lab.lastReady);
});
