// The page's glue. All training happens in worker.js (its protocol is written there); this file
// sends it commands and hands the events it gets back to the modules that draw them: each
// model's section (phase-view.js), the opening panel and the shelf (models-panel.js), Compare
// all (compare.js), the latent map (latent-map.js); the worker itself is worker-host.js's, the
// link's state link-state.js's. What is left here is what ties them: the page's state and which
// buttons it allows, the backend menu, the sample grids and the morph strip.
import { drawDigits, interleaveRows } from './digits.js';
import { PhaseView } from './phase-view.js';
import { LatentMapView } from './latent-map.js';
import { ModelsPanel } from './models-panel.js';
import { PRETRAINED, download, moduleFile } from './worker-client.js';
import { DATA, DEFAULT_DATA, UNKNOWN_DATA, hrefWith } from './data-set.js';
import { WorkerHost } from './worker-host.js';
import { RESTART_WINDOW_MS } from './heartbeat.js';
import * as backends from './backend-choice.js';
import { applyDefaults, atLength, buildForms, buildLengths, buildPresets, presetExplained, readSection } from './settings.js';
import { LinkState, revealProblems, showSections } from './link-state.js';
import { controlsOf, fillPanels } from './phase-panel.js';
import { DATA_SETS, LENGTHS, MODELS } from './pkg/tables.js';
import { Comparison } from './compare.js';
import { Story } from './story.js';
import { Guide, caption } from './guide.js';
import { LiveStrip } from './live-strip.js';
import { DrawPad } from './draw-pad.js';
import { FlowWalk } from './flow-walk.js';
import { PlaneLab } from './plane-lab.js';
import { TakeAway } from './take-away.js';
import { Offline } from './offline.js';

fillPanels();
buildForms();
const params = new URLSearchParams(location.search);
/** What index.html started before any module loaded: the downloads and the backend choice. */
const early = window.early ?? { backend: 'auto', module: 'cpu', files: {} };

const $ = (id) => document.getElementById(id);
const ui = {
  compare: $('compare'), fcdCount: $('fcd-count'), fcdSeeds: $('fcd-seeds'), fcdLength: $('fcd-length'), preset: $('preset'), presetExplained: $('preset-explained'),
  length: $('length'), lengthExplained: $('length-explained'),
  backend: $('backend'), adapter: $('adapter'), notice: $('notice'),
  reset: $('reset'), reconstructions: $('reconstructions'), error: $('error'),
  temperature: $('temperature'), temperatureValue: $('temperature-value'), binarize: $('binarize'),
  priorCopy: $('prior-samples-copy'), flowCopy: $('flow-samples-copy'), flowCopyFigure: $('flow-copy-figure'),
  nllCopy: $('nll-copy'), dataSet: $('data-set'), dataNote: $('data-note'),
};
/** Each model's section: its settings, buttons, progress line and samples (ui.flow.train, …). */
const PHASES = MODELS.map((m) => m.name);
for (const name of PHASES) ui[name] = controlsOf(name);
/** The baselines (autoencoders of their own), and the models of the autoencoder's codes, which
 * need it trained first. */
const BASELINES = MODELS.filter((m) => m.baseline).map((m) => m.name);
const ON_CODES = MODELS.filter((m) => !m.encoder).map((m) => m.name);
/** The opening panel: where the models came from, the shelf, and the models as a file. */
const models = new ModelsPanel({
  send: (command) => send(command),
  showError: (message) => showError(message),
  clearError: () => clearError(),
  words: (name) => modelWords(name),
  present: () => PHASES.filter((k) => views[k].run),
  about: () => aboutModels(),
  // No run started: the state may be 'done' after models loaded (a shelf entry found damaged
  // then gives way to the next, or to the pretrained models).
  mayRestore: () => !lab.started && ['idle', 'done', 'stopped'].includes(lab.state),
  pretrained: params.get('pretrained') !== '0',
});
/** Each model's plots, progress line and the record of its run (phase-view.js). */
const views = Object.fromEntries(MODELS.map((m) => [m.name, new PhaseView(m, ui[m.name])]));

/** What the page knows; also read by the browser tests (window.lab). lab.flow, lab.wgan, …:
 * each model's view (its run, losses, testLosses, rates, lastProgress). */
const lab = {
  state: 'loading', backend: null, adapter: null, notice: null, errors: [],
  drawn: { reconstructions: 0, preview: 0, ...Object.fromEntries(PHASES.map((name) => [name, 0])) },   // panels drawn
  phase: 'autoencoder', aeTrained: false,
  ...views, fcd: {},
  samples: {},                     // the last FlowAE and AdvAE sample events
  timing: {},                      // when the first FlowAE / AdvAE samples were drawn
  firstDrawn: {},                  // when each model's run drew its first samples
  readAs: {},                      // per grid: how many samples the classifier read as digits
};
// The autoencoder's record also at the top, where the tests and the benchmark have always read it.
for (const key of ['run', 'losses', 'testLosses', 'rates', 'lastProgress']) {
  Object.defineProperty(lab, key, { get: () => views.autoencoder[key] });
}
// What the opening panel knows of the models (models-panel.js).
for (const key of ['loaded', 'restoring', 'loading', 'shelfId', 'kept']) {
  Object.defineProperty(lab, key, { get: () => models[key] });
}
window.lab = lab;
lab.send = (command) => send(command);

const mapView = new LatentMapView({
  send: (command) => send(command),
  /** Which models' codes can be mapped: those that exist in the worker now. */
  available: () => {
    const alive = lab.state !== 'idle' && lab.state !== 'loading';
    return Object.fromEntries(MODELS.filter((m) => m.encoder).map((m) => [m.name, alive && Boolean(views[m.name].run)]));
  },
});
Object.defineProperty(lab, 'map', { get: () => mapView.state });

/** The draw pad (step 3): a drawing read by the models held, or the pretrained ones. */
const drawPad = new DrawPad({
  send: (command) => send(command),
  onPlace: (place) => mapView.mark(place),
  // Whose models read it: the worker says when it is the pretrained preview; else the
  // autoencoder held was loaded (from where) or trained here.
  source: (reading) => {
    const origin = reading.pretrained ? 'pretrained' : views.autoencoder.run?.loaded ? models.loaded?.origin : 'here';
    return { pretrained: 'the models trained in advance', saved: 'the models kept in this browser', file: 'the models from your file' }[origin] ?? 'the models trained here';
  },
});
lab.draw = drawPad;
/** The flow layer by layer (step 2's fold), forwards or back from the drawing. */
const flowWalk = new FlowWalk({
  send: (command) => send(command),
  drawing: () => drawPad.drawing(),
  temperature: () => Number(ui.temperature.value),
});
Object.defineProperty(lab, 'walk', { get: () => flowWalk.walk });
/** The 2-D lab (step 8). */
const planeLab = new PlaneLab({ send: (command) => send(command) });
Object.defineProperty(lab, 'plane', { get: () => planeLab.state });

/** Compare all (compare.js): every model in turn, scored with the FCD into Table 1. */
ui.compare.addEventListener('click', clearError);
const comparison = new Comparison({
  send: (command) => send(command),
  /** The test images loaded (your own images may be fewer than the settings ask for). */
  testImages: () => lab.imagesLoaded?.test ?? Infinity,
  startRun: (phase, config) => startRun(phase, config),
  readAll: (length) => {
    const read = { autoencoder: readSettings() };
    for (const name of PHASES) if (name !== 'autoencoder') read[name] = readModel(name, read.autoencoder);
    if (!Object.values(read).every(Boolean)) {
      revealProblems();
      return null;
    }
    if (length === AS_SET) return read;
    // The digits and epochs at Compare all's length, whatever length the sections are at; a
    // baseline takes the autoencoder's digits at that length and keeps its own other settings.
    const sections = (name) => (BASELINES.includes(name) ? ['autoencoder', name] : [name]);
    return Object.fromEntries(PHASES.map((name) => [name, atLength(read[name], length, sections(name))]));
  },
  phase: () => lab.phase,
  grid: (canvasId) => lastGrids[canvasId],
  adapter: () => lab.adapter,
  settled: () => setState(lab.state),
});
Object.defineProperty(lab, 'table', { get: () => comparison.results });
Object.defineProperty(lab, 'copied', { get: () => comparison.copied });
Object.defineProperty(lab, 'compareRuns', { get: () => comparison.runs });

/** The one-press story (story.js): Train from scratch trains the autoencoder, then the flow and
 * the WGAN on its codes. */
const story = new Story({
  startRun: (phase, config) => startRun(phase, config),
  phase: () => lab.phase,
  read: (name) => {
    const config = readModel(name);
    if (!config) revealProblems();
    return config;
  },
  say: (text) => models.say(text),
  words: (name) => described(name),
  settled: () => setState(lab.state),
});
Object.defineProperty(lab, 'story', { get: () => ({ running: story.running, times: story.times }) });

/** The link's settings: the table's, the preset of their defaults, and the page's FCD sample
 * count, seeds and temperature. */
const link = new LinkState([['preset', ui.preset], ['length', ui.length], ['fcd', ui.fcdCount], ['seeds', ui.fcdSeeds],
  ['fcd_length', ui.fcdLength], ['temperature', ui.temperature], ['plane', $('plane-data')], ['points', $('plane-points')]]);
/** Each step's link and embed, the folds' change counts, the grids' captions (guide.js). */
const guide = new Guide({
  linkOf: (options) => link.link(lab.backend, options),
  panelOf: (panel) => (panel === 'plane' ? planeLab.embedQuery() : ''),
});
/** Every picture saves as a PNG, each model's samples as .npy (take-away.js; the plots offer
 * theirs, plots.js). */
const takeAway = new TakeAway({ send: (command) => send(command) });
takeAway.offerPictures();
/** The training model in view wherever the visitor scrolls (live-strip.js). */
const strip = new LiveStrip({
  stop: () => send({ type: 'stop' }),
  samplesOf: (phase) => ui[phase]?.samples ?? null,
});
Object.defineProperty(lab, 'strip', { get: () => ({ shown: strip.shown, phase: strip.phase }) });
/** Whose samples lead the page: 'pretrained', 'saved', 'file', 'moved' (a loaded file's
 * origin), or 'here' once a flow or a WGAN trains in this page; null when none. */
let heroSource = null;
let sampleSeed = 1;
const lastGrids = {};             // the last sample grids by canvas id, to redraw them when
                                  // the binarized view is toggled
/** The backend choice ('auto', 'gpu' or 'cpu'), what auto does here, and this page's timing. */
const choice = { wanted: early.backend, gpu: null, plan: null, measured: backends.remembered().measured ?? null };

/** The page's worker (worker-host.js): restarted when it fails, with the models kept last. */
const host = new WorkerHost({
  onEvent,
  onCrash: crashed,
  backendAfterCrash: () => lab.backend ?? (early.backend === 'gpu' ? 'gpu' : 'cpu'),
});

/** The pretrained models, when index.html fetched them at once (no kept models, no
 * ?pretrained=0): the worker draws their samples before the digits arrive. */
const pretrainedPreview = () => (PRETRAINED in early.files ? download(PRETRAINED) : null);

/** The worker failed: the page says so, and that it restarts (or, after too many failures,
 * that it does not). */
function crashed({ message, error, failures, delay }) {
  // A lost GPU: the fresh worker trains on the CPU; WebGPU stays on offer under Backend.
  if (error?.gpuLost) { lab.backend = 'cpu'; choice.wanted = 'cpu'; }
  comparison.abort(message);
  story.abort(message);
  takeAway.forget(message);
  drawPad.lost();
  planeLab.lost();
  setState('loading');
  if (delay === null) {
    lab.gaveUp = true;
    showError(`${message}. The worker has failed ${failures} times in ${Math.round(RESTART_WINDOW_MS / 60_000)} minutes, so it is not restarted again: reload the page to try once more.`);
    ui.autoencoder.progressText.textContent = 'Stopped: the worker keeps failing. Reload the page to try again.';
    return;
  }
  showError(error?.gpuLost
    ? `${message}. Choose WebGPU under Backend to try the GPU again.`
    : `${message}. A fresh worker starts in ${delay / 1000} s; train again to continue.`);
}

function send(command) {
  if (command.type === 'start') lab.started = true;   // the opening models must not replace this run
  host.send(command);
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
  story.offer(msg);
}

function handleEvent(msg) {
  switch (msg.type) {
    case 'status': ui.autoencoder.progressText.textContent = msg.text; break;
    case 'ready': ready(msg); break;
    case 'started': started(msg); break;
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
    case 'load-question': models.question(msg); break;
    case 'timed': break;              // taken by the backend timing (timeBackends)
    case 'memory': lab.memory = msg; break;
    case 'interpolation':
      drawDigits(morph.canvas, msg.pixels, msg.count, msg.count, { binarize: ui.binarize.checked });
      lab.morph = msg;
      break;
    case 'inspection': drawPad.handle(msg); break;
    case 'walk': flowWalk.handle(msg); break;
    case 'plane': case 'plane-started': planeLab.handle(msg); break;
    case 'npy': takeAway.handle(msg); break;
    case 'saved': models.saved(msg); break;
    case 'error':
      mapView.handle(msg);
      models.failed(msg);
      break;
    default: console.warn('unknown event', msg);
  }
}

/** A run begins: its view starts afresh. A new autoencoder also ends the models fitted to the
 * old one's codes. */
function started(msg) {
  lab.phase = msg.phase;
  strip.start(msg.phase, described(msg.phase));
  delete lab.firstDrawn[msg.phase];
  views[msg.phase].reset(msg);
  if (msg.phase === 'autoencoder') {
    models.newRun();
    // The pictures above stay until a flow and a WGAN learn the new autoencoder's codes.
    if (lab.samples.flow || lab.samples.wgan) {
      models.say('Training a new autoencoder: the samples above are of the models before it, until a flow and a WGAN are trained on its codes.');
    }
    lab.aeTrained = false;
    for (const name of ON_CODES) { views[name].reset(); lab.drawn[name] = 0; }
    ui.flowCopyFigure.hidden = true;
    lab.samples = {};
  }
  if (ON_CODES.includes(msg.phase)) heroSource = 'here';
  showFigure5();
}

/** The opening panel's heading: whose samples it shows, and whether they are learning now. */
const HERO_HEADINGS = {
  pretrained: 'Samples from models trained in advance',
  saved: 'Samples from models kept in this browser',
  file: 'Samples from the models file you chose',
  moved: 'Samples from the models trained here',
  here: 'Samples from the models trained here',
};
function showHeroHeading() {
  const training = (story.running || comparison.running) && ['training', 'paused'].includes(lab.state);
  $('models-title').textContent = training ? 'Training here: watch them learn'
    : HERO_HEADINGS[heroSource] ?? 'FlowAE and AdvAE samples';
}

/** Figure 5 of the paper: the flow's NLL beside the critic's estimate, once both have run. */
function showFigure5() {
  ui.nllCopy.hidden = !(views.flow.losses.length > 0 && views.wgan.losses.length > 0);
}

/** A model's samples: drawn in its section and wherever else the page shows them, kept for
 * redraws and the morph strip. FlowAE's and AdvAE's also lead the page (the opening panel); the
 * pretrained preview's come before the full models have loaded. */
function showSamples(msg) {
  const { model } = msg;
  strip.samples(msg);
  if (!msg.preview) {
    if (model === 'autoencoder') {
      drawDigits(ui.autoencoder.samples, msg.pixels, msg.count, 8);
      captionGrid(ui.autoencoder.samples, msg);
    } else drawGrid(ui[model].samples, msg);
    if (ui[model].resample) ui[model].resample.disabled = false;
    lab.drawn[model]++;
    lab.firstDrawn[model] ??= performance.now();
  }
  if (model === 'autoencoder') drawGrid(ui.priorCopy, msg);
  if (model === 'flow' && !msg.preview) {
    drawGrid(ui.flowCopy, msg);
    ui.flowCopyFigure.hidden = false;
  }
  if (!ON_CODES.includes(model)) return;
  const hero = models.hero(model);
  if (hero) drawGrid(hero, msg);
  lab.samples[model] = msg;
  lab.timing[model] ??= performance.now();   // ms since navigation: the instant-start figure
  models.el.resample.disabled = false;
  morph.next.disabled = false;
  if (morph.model.value === model) drawMorph();   // the strip follows the model as it learns
  if (!msg.preview) return;
  lab.timing.interactive ??= performance.now();
  lab.drawn.preview++;
  // The pretrained samplers, live before the digits arrive: Resample, the temperature and the
  // morph strip work on them at once.
  if (!models.loaded) models.say('Showing the pretrained models (live: resample them, or change the temperature in section 2); the digits are still loading…');
}

/** Draws a sample grid in the binarized or probability view, and keeps it for redraws. */
function drawGrid(canvas, msg) {
  lastGrids[canvas.id] = msg;
  drawDigits(canvas, msg.pixels, msg.count, 8, { binarize: ui.binarize.checked });
  captionGrid(canvas, msg);
}

/** A grid's caption from the classifier's readings (guide.js); what the grid is comes from its
 * label in index.html. */
function captionGrid(canvas, msg) {
  canvas.dataset.what ??= canvas.getAttribute('aria-label');
  const sure = caption(canvas, canvas.dataset.what, msg);
  if (sure !== undefined) lab.readAs[canvas.id] = { sure, count: msg.readings.length };
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

/** What a visit keeps for offline use beside the page: its data set, the models shipped for it,
 * its classifier, and the WebGPU module where this page runs it (offline.js, sw.js). */
const offline = new Offline({ status: $('offline-status'), update: $('offline-update') });
lab.offline = offline;   // read by the tests
const offlinePaths = () => [...(DATA.packed ?? []), DATA.classifier, DATA.pretrained,
  ...(host.module === 'gpu' ? ['pkg/flowae_gpu.js', moduleFile('gpu')] : [])].filter(Boolean);

function ready(msg) {
  lab.timing.ready ??= performance.now();
  // Once the page has what it needs, and after the first pictures: the service worker then
  // fetches what it keeps, mostly from the browser's cache.
  if (offline.state === 'off') setTimeout(() => offline.keep(offlinePaths(), DATA.title), 1000);
  lab.lastReady = msg;
  drawPad.setReady();
  planeLab.setReady();
  showBackend(msg);
  if (msg.train) lab.imagesLoaded = { train: msg.train, test: msg.test };
  if (msg.train) ui.autoencoder.progressText.textContent = `Ready: ${msg.train.toLocaleString()} training and ${msg.test.toLocaleString()} test ${DATA.items} of ${DATA.title} loaded.`;
  if (lab.state === 'loading') {
    // A new worker: no models yet. Bring back the saved or pretrained ones.
    setState('idle');
    lab.started = false;
    models.restore();
  }
  // The visitor's own images, just confirmed: the press that confirmed them trains on them.
  if (ownRun && !models.el.fromScratch.disabled) {
    ownRun = false;
    models.el.fromScratch.click();
  }
}

/** The visitor's own images (data=own): the panel that reads them (the worker digitizes), and
 * whether the first confirmation waits for the worker to start the run. */
let ownRun = false;
// Its modules are fetched only on that page (a visit to a shipped set does not download them),
// and after this module has run: nothing here waits for them.
if (!DATA.packed) {
  models.say('Your images come first: give them to the page above, and the models train on them.');
  import('./own-panel.js').then(({ OwnPanel }) => {
    let asked = 0;
    lab.own = new OwnPanel({   // read by the tests
      digitize: (pictures) => {
        const id = ++asked;
        return host.request({ type: 'digitize', id, pictures }, (m) => m.type === 'digitized' && m.id === id);
      },
      onConfirmed: (images, first) => { ownRun = first; },
    });
  }, (error) => showError(`The panel for your own images could not load: ${error.message}`));
}

/** A model in the status line: its label (the autoencoder by its name). */
/** A model in a sentence: "the flow (FlowAE)", "the VAE" (src/kind.rs's description). */
const described = (name) => `the ${MODELS.find((m) => m.name === name)?.description ?? name}`;
const modelWords = (name) => (name === 'autoencoder' ? name : MODELS.find((m) => m.name === name)?.label ?? name);

/** A models file is now what the worker holds: every panel starts from its models. */
function loaded(msg) {
  lab.timing.loaded ??= performance.now();
  models.opened(msg);
  heroSource = msg.origin ?? 'file';
  const has = (name) => msg.models.includes(name);
  lab.phase = has('autoencoder') ? 'autoencoder' : (msg.models.find((m) => BASELINES.includes(m)) ?? 'autoencoder');
  for (const name of PHASES) views[name].reset(has(name) ? { config: msg.settings[name], loaded: true } : null);
  showFigure5();
  for (const k of ON_CODES.filter(has)) ui[k].progressText.textContent = 'Loaded: its samples are below. Training again fits a new one to the same codes.';
  for (const k of ON_CODES) lab.drawn[k] = 0;
  lab.samples = {};
  drawPad.setReady();            // read the drawing again with these models
}

/** A line on what the models were trained with and how they scored, for the shelf. */
function aboutModels() {
  const ae = lab.run?.config;
  const parts = ae ? [`${ae.train_images.toLocaleString()} digits, ${ae.epochs} epoch${ae.epochs === 1 ? "" : "s"}`] : [];
  const scored = Object.entries(lab.fcd).filter(([name, f]) => name !== 'real' && Number.isFinite(f.value));
  if (scored.length) parts.push(`FCD ${scored.map(([name, f]) => `${modelWords(name)} ${f.value.toFixed(1)}`).join(', ')}`);
  return parts.join(' · ');
}

function setState(state) {
  lab.state = state;
  if (state === 'done' || state === 'stopped') drawPad.setReady();   // a run ended: read with its models
  showHeroHeading();
  strip.state(state);
  // 'switching': the backends are being timed, or the models move to another worker.
  const busy = state === 'training' || state === 'paused' || state === 'switching';
  if (lab.phase === 'autoencoder' && (state === 'done' || state === 'stopped')) lab.aeTrained = true;
  if (state === 'idle' || state === 'loading') {
    // Reset, a backend switch or a new worker: every model is gone.
    lab.aeTrained = false;
    lab.phase = 'autoencoder';
    for (const k of PHASES) if (k !== 'autoencoder') views[k].run = null;
  }
  for (const name of PHASES) {
    const onCodes = ON_CODES.includes(name);
    // The prior's samples need no training: the autoencoder's can be redrawn whenever it exists.
    const drawn = name === 'autoencoder' ? state !== 'idle' && state !== 'loading' : lab.drawn[name] > 0;
    views[name].sync(state, { active: name === lab.phase, trainable: !onCodes || lab.aeTrained, drawn });
    if (views[name].run) continue;
    if (onCodes) ui[name].progressText.textContent = lab.aeTrained ? 'Ready: the autoencoder is trained.' : 'Train the autoencoder first.';
    if (BASELINES.includes(name) && state !== 'loading') ui[name].progressText.textContent = 'Ready.';
  }
  if (!ui.autoencoder.train.disabled) lab.timing.trainable ??= performance.now();
  ui.reset.disabled = state === 'idle' || state === 'loading';
  ui.backend.disabled = busy || state === 'loading';
  ui.compare.disabled = busy || state === 'loading' || comparison.running || story.running;
  const view = ui[lab.phase];
  const { step } = views[lab.phase];
  if (state === 'paused') view.progressText.textContent = `Paused at step ${step}.`;
  if (state === 'switching') view.progressText.textContent = 'Starting the backend…';
  if (state === 'done' || state === 'stopped') {
    view.progressText.textContent = `${state === 'done' ? 'Done' : 'Stopped'} after ${step} steps.` + views[lab.phase].summary();
  }
  if (state === 'idle' && lab.backend) ui.autoencoder.progressText.textContent = 'Ready.';
  syncLossControls();
  mapView.sync();
  const any = PHASES.some((k) => views[k].run);
  const previous = lab.previousState;
  lab.previousState = state;
  models.sync({ busy, loading: state === 'loading', idle: state === 'idle', any, sampled: Boolean(lab.samples.flow || lab.samples.wgan) });
  if (state === 'done' || state === 'stopped') {
    if (models.justLoaded) {
      models.justLoaded = false;
      view.progressText.textContent = 'Loaded: ready to sample, or to carry a new flow or WGAN.';
    } else if (previous === 'training' || previous === 'paused') {
      send({ type: 'save', purpose: 'keep' });   // so a reload keeps this run's models
    }
  }
}

/** A run's progress: drawn by its view. */
function progress(p) {
  views[p.phase].progress(p);
  story.progress(ui[p.phase].progressText.textContent);
  if (!p.preparing) strip.progress(ui[p.phase].progressText.textContent, views[p.phase].trace);
  if (p.phase === 'autoencoder' && p.step > 0) lab.timing.training ??= performance.now();   // "step 1/…" is on the screen
  showFigure5();
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

/** A model's settings as its run starts them, or null after marking the bad fields: the
 * autoencoder's form; a baseline's own on top of the autoencoder's (`ae`: read now unless
 * given); a model of the codes, its own with the autoencoder's seed. */
function readModel(name, ae = undefined) {
  if (name === 'autoencoder') return readSettings();
  const base = BASELINES.includes(name) ? (ae === undefined ? readSettings() : ae) : { seed: seed() };
  const own = base && shownProblems(readSection(name), ui[name].settingsError);
  return own && (BASELINES.includes(name) ? { ...base, ...own } : { ...own, ...base });
}

/** The penalty weight only belongs to WGAN-GP: disabled, not silently ignored, otherwise. */
function syncLossControls() {
  const form = ui.wgan.settings.elements;
  form.lambda.disabled = form.loss.value !== 'wasserstein' || lab.state === 'training' || lab.state === 'paused';
}

/** The preset's sentence under its menu. */
const showPreset = () => { ui.presetExplained.textContent = presetExplained(ui.preset.value); };
buildPresets(ui.preset);
buildLengths(ui.length, 'page');
buildLengths(ui.fcdLength, 'table');
/** Compare all may also train every model exactly as its section is set. */
const AS_SET = 'sections';
ui.fcdLength.append(new Option('as set in each section', AS_SET));
ui.preset.addEventListener('change', () => { applyDefaults({ preset: ui.preset.value }); showPreset(); });
/** The run length's sentence under its menu. */
const showLength = () => { ui.lengthExplained.textContent = LENGTHS.find((l) => l.name === ui.length.value)?.explained ?? ''; };
ui.length.addEventListener('change', () => { applyDefaults({ length: ui.length.value }); showLength(); });

/** The data set: chosen when the page opens (data-set.js); another choice opens the page again
 * with the link changed. */
/** A data set in the menu: "MNIST (digits)", "Your own images". */
const offered = (set) => (set.title.includes(set.items) ? set.title[0].toUpperCase() + set.title.slice(1) : `${set.title} (${set.items})`);
for (const set of DATA_SETS) ui.dataSet.append(new Option(offered(set), set.name));
ui.dataSet.value = DATA.name;
ui.dataSet.addEventListener('change', () => location.assign(hrefWith(ui.dataSet.value)));
// (MNIST's needs no words: the page is written for it.)
ui.dataNote.textContent = DEFAULT_DATA
  ? ''
  : !DATA.packed
  ? `Below, the steps were written for MNIST: where they say digits, read your images. Their FCD is measured in the features of MNIST's classifier (as FID measures any pictures with one network): compare the models with each other, not with the paper. Another choice opens the page again.`
  : `${DATA.title}: ten classes (${DATA.classes.join(', ')}). The steps below were written for MNIST: where they say digits, read ${DATA.items}. Another choice opens the page again.`;
if (!DEFAULT_DATA) document.title = document.title.replace('MNIST', DATA.title);

function applyUrlSettings() {
  // The preset and the length first: they set the defaults that the link's other settings
  // differ from.
  const chosen = (select, name) => ([...select.options].some((o) => o.value === params.get(name)) ? params.get(name) : undefined);
  applyDefaults({ preset: chosen(ui.preset, 'preset'), length: chosen(ui.length, 'length') });
  for (const problem of link.apply(params)) showError(problem);
  if (UNKNOWN_DATA) showError(`The link asks for the data set “${UNKNOWN_DATA}”, which this page does not have: it trains on ${DATA.title}.`);
  showPreset();
  showLength();
  ui.temperatureValue.textContent = Number(ui.temperature.value).toFixed(2);
}

models.el.fromScratch.addEventListener('click', () => {
  clearError();
  // What trains is what the visitor sees: the two pictures the new models redraw, and the
  // line with the step and its time left under them (on a phone, above the fold).
  document.querySelector('.hero').scrollIntoView({ block: 'start' });
  story.run();
});
/** Every sample panel's Resample: the next seed, for every model at once. */
function resample() {
  sampleSeed = (sampleSeed + 1) >>> 0;
  send({ type: 'sample', seed: sampleSeed, temperature: Number(ui.temperature.value) });
}
models.el.resample.addEventListener('click', resample);

for (const name of PHASES) {
  const view = ui[name];
  view.train.addEventListener('click', () => {
    const config = readModel(name);
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

$('panels').addEventListener('change', showSections);
$('copy-link').addEventListener('click', async () => {
  const url = link.link(lab.backend);
  $('setup-link').value = url;
  lab.link = url;
  try {
    await navigator.clipboard.writeText(url);
  } catch {
    $('setup-link').select();     // no clipboard (an insecure origin, a denied permission): select it
  }
});
ui.reset.addEventListener('click', () => {
  story.abort('Reset');
  comparison.abort('Reset');
  send({ type: 'reset' });
  models.cleared();
  heroSource = null;
  lab.samples = {};
  views.autoencoder.reset();
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
  if (backend === 'cpu' || host.module === 'gpu') {
    send({ type: 'backend', backend });
    return;
  }
  const previous = lab.state;
  setState('switching');
  try {
    readyFrom(await host.moveTo(await host.gpuWorker()));
  } finally {
    if (lab.state === 'switching') setState(previous);
  }
}

/** A worker that took over from another (with its models): the backend shown is its. */
function readyFrom(readyMsg) {
  lab.lastReady = readyMsg;
  showBackend(readyMsg);
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

/** Times autoencoder steps on the CPU and on WebGPU (worker-host.js: the faster worker stays),
 * says which won and remembers it. */
async function timeBackends() {
  ui.notice.hidden = false;
  ui.notice.textContent = 'Timing a few training steps on the CPU and on WebGPU, to train on the faster…';
  // The visitor's settings, but one epoch and a short test pass: only the steps are timed.
  const config = { ...(readSettings() ?? {}), epochs: 1, test_images: 200, pixels: 'binarized' };
  const measured = await host.timeBackends(config);
  choice.measured = { ...measured, adapter: choice.gpu?.name ?? null };
  lab.measured = choice.measured;
  backends.remember('auto', choice.measured);
  if (measured.backend === 'gpu') readyFrom(host.worker.readyMsg);
  else if (lab.lastReady) showBackend(lab.lastReady);
}
ui.autoencoder.settings.addEventListener('input', () => { if (!ui.autoencoder.settingsError.hidden) readSettings(); });

applyUrlSettings();
guide.countAll({ open: true });   // a link's changed settings are shown unfolded
setState('loading');
host.start(early.module, early.module === 'gpu' ? 'gpu' : 'cpu', pretrainedPreview());
// A link that names a 2-D data set, carries drawn points or changes a 2-D setting shows
// their picture at once.
if ([...params.keys()].some((key) => key === 'plane' || key === 'points' || key.startsWith('plane.'))) planeLab.fromLink();
backends.probeGpu().then((gpu) => {
  choice.gpu = gpu;
  choice.plan = backends.autoPlan(gpu, params.get('measure') === '1');
  if (choice.measured && choice.measured.adapter !== (gpu?.name ?? null)) choice.measured = null;   // another GPU now
  if (lab.lastReady) showBackend(lab.lastReady);
});
