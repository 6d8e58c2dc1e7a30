// The page: controls, progress, plots and digit panels. All training happens in worker.js;
// this file only sends commands and draws the events it gets back (protocol: worker.js).
import { drawDigits, interleaveRows } from './digits.js';
import { LossPlot } from './plots.js';

const $ = (id) => document.getElementById(id);
const ui = {
  backend: $('backend'), adapter: $('adapter'), notice: $('notice'),
  settings: $('settings'), settingsError: $('settings-error'),
  train: $('train'), pause: $('pause'), stop: $('stop'), reset: $('reset'), resample: $('resample'),
  progress: $('progress'), progressText: $('progress-text'),
  reconstructions: $('reconstructions'), samples: $('samples'), error: $('error'),
  flowSettings: $('flow-settings'), flowSettingsError: $('flow-settings-error'),
  trainFlow: $('train-flow'), flowPause: $('flow-pause'), flowStop: $('flow-stop'),
  flowProgress: $('flow-progress'), flowProgressText: $('flow-progress-text'),
  temperature: $('temperature'), temperatureValue: $('temperature-value'), binarize: $('binarize'),
  flowResample: $('flow-resample'), flowSamples: $('flow-samples'), priorCopy: $('prior-samples-copy'),
};
const lossPlot = new LossPlot($('loss-plot'), { title: 'Autoencoder', yLabel: 'BCE (nats/image)' });
const nllPlot = new LossPlot($('nll-plot'), { title: 'FlowAE: negative log-likelihood of the codes', yLabel: 'NLL (nats/dim)', log: false });

/** What the page knows; also read by the browser tests (window.lab). */
const lab = {
  state: 'loading', backend: null, adapter: null, notice: null, errors: [],
  losses: [], testLosses: [], rates: [], run: null, lastProgress: null, drawn: { reconstructions: 0, samples: 0, flow: 0 },
  phase: 'ae', aeTrained: false,
  flow: { losses: [], testLosses: [], lastProgress: null },
};
window.lab = lab;
lab.send = (command) => send(command);

const params = new URLSearchParams(location.search);
let worker = null;
let rate = null;                  // smoothed steps per second, for the time-left estimate
let sampleSeed = 1;
let lastFlowSamples = null;       // the last sample grids, kept to redraw them when the
let lastPrior = null;             // binarized view is toggled

function startWorker(backend) {
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (event) => onEvent(event.data);
  worker.onerror = (event) => {
    event.preventDefault();
    crashed(event.message || 'the worker failed to start');
  };
  worker.postMessage({ type: 'init', backend });
}

function crashed(message) {
  showError(`${message}. A fresh worker has been started; train again to continue.`);
  worker.terminate();
  setState('loading');
  startWorker(lab.backend ?? params.get('backend') ?? 'auto');
}

function send(command) { worker.postMessage(command); }

function showError(message) {
  lab.errors.push(message);
  ui.error.textContent = message;
  ui.error.hidden = false;
}
function clearError() { ui.error.hidden = true; }

function onEvent(msg) {
  switch (msg.type) {
    case 'status': ui.progressText.textContent = msg.text; break;
    case 'ready': ready(msg); break;
    case 'started':
      lab.phase = msg.phase;
      rate = null;
      if (msg.phase === 'flow') {
        lab.flow = { losses: [], testLosses: [], rates: [], lastProgress: null, run: msg };
        nllPlot.clear();
      } else {
        lab.run = msg;
        lab.aeTrained = false;
        lab.losses = []; lab.testLosses = []; lab.rates = [];
        lab.flow = { losses: [], testLosses: [], lastProgress: null };
        lossPlot.clear();
        nllPlot.clear();
      }
      break;
    case 'state': setState(msg.state); break;
    case 'progress': progress(msg); break;
    case 'reconstructions':
      drawDigits(ui.reconstructions, interleaveRows(msg.inputs, msg.outputs, msg.count, 8), msg.count * 2, 8);
      lab.drawn.reconstructions++;
      break;
    case 'samples':
      drawDigits(ui.samples, msg.pixels, msg.count, 8);
      drawDigits(ui.priorCopy, msg.pixels, msg.count, 8, { binarize: ui.binarize.checked });
      lastPrior = msg;
      lab.drawn.samples++;
      break;
    case 'flow-samples':
      lastFlowSamples = msg;
      drawDigits(ui.flowSamples, msg.pixels, msg.count, 8, { binarize: ui.binarize.checked });
      lab.drawn.flow++;
      ui.flowResample.disabled = false;
      break;
    case 'flow-check': lab.flowCheck = msg.maxError; break;
    case 'error':
      if (msg.fatal) crashed(msg.message);
      else showError(msg.message);
      break;
    default: console.warn('unknown event', msg);
  }
}

function ready(msg) {
  lab.backend = msg.backend;
  lab.adapter = msg.adapter;
  lab.notice = msg.notice;
  ui.adapter.textContent = msg.adapter;
  ui.backend.value = msg.backend;
  ui.backend.disabled = false;
  ui.notice.textContent = msg.notice ?? '';
  ui.notice.hidden = !msg.notice;
  if (msg.notice) ui.backend.querySelector('option[value=gpu]').disabled = true;
  if (msg.train) ui.progressText.textContent = `Ready: ${msg.train.toLocaleString()} training and ${msg.test.toLocaleString()} test digits loaded.`;
  if (lab.state === 'loading') setState('idle');
}

function setState(state) {
  lab.state = state;
  const busy = state === 'training' || state === 'paused';
  const flow = lab.phase === 'flow';
  if (!flow && (state === 'done' || state === 'stopped')) lab.aeTrained = true;
  if (state === 'idle' || state === 'loading') lab.aeTrained = false;
  ui.train.disabled = busy || state === 'loading';
  ui.pause.disabled = !busy || flow;
  ui.pause.textContent = state === 'paused' && !flow ? 'Resume' : 'Pause';
  ui.stop.disabled = !busy || flow;
  ui.trainFlow.disabled = busy || !lab.aeTrained;
  ui.flowPause.disabled = !busy || !flow;
  ui.flowPause.textContent = state === 'paused' && flow ? 'Resume' : 'Pause';
  ui.flowStop.disabled = !busy || !flow;
  ui.flowResample.disabled = !(flow && lab.drawn.flow > 0);
  for (const input of ui.flowSettings.elements) input.disabled = busy;
  if (!busy && !flow) ui.flowProgressText.textContent = lab.aeTrained ? 'Ready: the autoencoder is trained.' : 'Train the autoencoder first.';
  if (flow) {
    const text = ui.flowProgressText;
    if (state === 'paused') text.textContent = `Paused at step ${lab.flow.lastProgress?.step ?? 0}.`;
    if (state === 'done' || state === 'stopped') {
      const last = lab.flow.testLosses.at(-1);
      text.textContent = `${state === 'done' ? 'Done' : 'Stopped'} after ${lab.flow.lastProgress?.step ?? 0} steps.` +
        (last ? ` Held-out NLL ${last[1].toFixed(3)} nats/dim.` : '');
    }
    return;
  }
  ui.reset.disabled = state === 'idle' || state === 'loading';
  ui.resample.disabled = state === 'idle' || state === 'loading';
  ui.backend.disabled = busy || state === 'loading';
  for (const input of ui.settings.elements) input.disabled = busy;
  if (state === 'paused') ui.progressText.textContent = `Paused at step ${lab.lastProgress?.step ?? 0}.`;
  if (state === 'done') ui.progressText.textContent = `Done: ${lab.lastProgress?.step ?? 0} steps.` + testSummary();
  if (state === 'stopped') ui.progressText.textContent = `Stopped at step ${lab.lastProgress?.step ?? 0}.` + testSummary();
  if (state === 'idle' && lab.backend) ui.progressText.textContent = 'Ready.';
}

function testSummary() {
  const last = lab.testLosses.at(-1);
  return last ? ` Test loss ${last[1].toFixed(1)} nats/image.` : '';
}

function flowProgress(p) {
  lab.flow.lastProgress = p;
  if (p.preparing) {
    const [done, total] = p.preparing;
    ui.flowProgress.value = 0;
    ui.flowProgressText.textContent = `Encoding the digits with the frozen encoder: ${done.toLocaleString()} / ${total.toLocaleString()}`;
    return;
  }
  lab.flow.losses.push(...p.losses);
  if (p.losses.length > 0 && p.chunkMs > 0) lab.flow.rates.push((p.losses.length * 1000) / p.chunkMs);
  nllPlot.addTraining(p.first_step + 1, p.losses);
  if (p.test_loss) {
    lab.flow.testLosses.push(p.test_loss);
    nllPlot.addTest(p.test_loss[1]);
  }
  ui.flowProgress.value = Math.min(1, p.step / (p.epochs * p.steps_per_epoch));
  if (p.losses.length > 0 && p.chunkMs > 0) {
    const now = (p.losses.length * 1000) / p.chunkMs;
    rate = rate === null ? now : 0.8 * rate + 0.2 * now;
  }
  const left = rate ? (p.epochs * p.steps_per_epoch - p.step) / rate : null;
  ui.flowProgressText.textContent = [
    `epoch ${Math.min(p.epoch + 1, p.epochs)}/${p.epochs}`,
    `step ${p.step - p.epoch * p.steps_per_epoch}/${p.steps_per_epoch}`,
    rate ? `${Math.round(rate).toLocaleString()} steps/s` : null,
    left !== null && !p.done ? `about ${formatSeconds(left)} left` : null,
    p.losses.length ? `NLL ${p.losses.at(-1).toFixed(3)}` : null,
  ].filter(Boolean).join(' · ');
}

function progress(p) {
  if (p.phase === 'flow') { flowProgress(p); return; }
  lab.lastProgress = p;
  lab.losses.push(...p.losses);
  if (p.imagesPerSecond) lab.rates.push(p.imagesPerSecond);
  lossPlot.addTraining(p.first_step + 1, p.losses);
  if (p.test_loss) {
    lab.testLosses.push(p.test_loss);
    lossPlot.addTest(p.test_loss[1]);
  }
  const total = p.epochs * (p.steps_per_epoch + 1);
  const done = p.epoch * (p.steps_per_epoch + 1) + (p.step - p.epoch * p.steps_per_epoch);
  ui.progress.value = Math.min(1, done / total);
  if (p.losses.length > 0 && p.chunkMs > 0) {
    const now = (p.losses.length * 1000) / p.chunkMs;
    rate = rate === null ? now : 0.8 * rate + 0.2 * now;
  }
  const stepInEpoch = p.step - p.epoch * p.steps_per_epoch;
  const left = rate ? (p.epochs * p.steps_per_epoch - p.step) / rate : null;
  ui.progressText.textContent = [
    `epoch ${Math.min(p.epoch + 1, p.epochs)}/${p.epochs}`,
    p.evaluating ? 'scoring test digits' : `step ${stepInEpoch}/${p.steps_per_epoch}`,
    p.imagesPerSecond ? `${Math.round(p.imagesPerSecond).toLocaleString()} images/s` : null,
    left !== null && !p.done ? `about ${formatSeconds(left)} left` : null,
    p.losses.length ? `loss ${p.losses.at(-1).toFixed(1)}` : null,
  ].filter(Boolean).join(' · ');
}

function formatSeconds(s) {
  if (s < 60) return `${Math.ceil(s)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/**
 * Reads a number input against its own min and max; marks it invalid and adds a sentence to
 * `problems` when it is empty, not a number, not whole where it must be, or out of range.
 */
function checkNumber(input, label, integer, problems) {
  const text = input.value.trim();
  const value = Number(text);
  const min = Number(input.min), max = Number(input.max);
  const bad = text === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) ||
    value < min || value > max;
  input.setAttribute('aria-invalid', bad ? 'true' : 'false');
  if (bad) problems.push(`${label} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}${text === '' ? '' : `, not "${text}"`}.`);
  return value;
}

/** Reads and checks the settings form; returns the config or null after marking the bad fields. */
function readSettings() {
  const form = ui.settings.elements;
  const problems = [];
  const number = (name, label, { integer = true } = {}) => checkNumber(form[name], label, integer, problems);
  const config = {
    epochs: number('epochs', 'Epochs'),
    batch_size: number('batch_size', 'Batch size'),
    learning_rate: number('learning_rate', 'Learning rate', { integer: false }),
    seed: number('seed', 'Seed'),
    train_images: Number(form.train_images.value),
    test_images: Number(form.test_images.value),
    pixels: form.pixels.value,
  };
  if (problems.length === 0 && config.batch_size > config.train_images) {
    problems.push(`Batch size (${config.batch_size}) cannot exceed the number of training images (${config.train_images}).`);
  }
  ui.settingsError.textContent = problems.join(' ');
  ui.settingsError.hidden = problems.length === 0;
  return problems.length === 0 ? config : null;
}

/** Reads the flow's settings form; returns its config or null after marking the bad fields. */
function readFlowSettings() {
  const form = ui.flowSettings.elements;
  const problems = [];
  const number = (name, label, integer = true) => checkNumber(form[name], label, integer, problems);
  const config = {
    flow: { layers: number('layers', 'Coupling layers'), hidden: number('hidden', 'Hidden width') },
    epochs: number('epochs', 'Flow epochs'),
    batch_size: number('batch_size', 'Flow batch size'),
    learning_rate: number('learning_rate', 'Flow learning rate', false),
    seed: Number(ui.settings.elements.seed.value) || 1,
  };
  ui.flowSettingsError.textContent = problems.join(' ');
  ui.flowSettingsError.hidden = problems.length === 0;
  return problems.length === 0 ? config : null;
}

function applyUrlSettings() {
  const form = ui.settings.elements;
  for (const name of ['epochs', 'batch_size', 'learning_rate', 'seed', 'train_images', 'test_images', 'pixels']) {
    if (params.has(name)) form[name].value = params.get(name);
  }
}

ui.train.addEventListener('click', () => {
  const config = readSettings();
  if (!config) return;
  clearError();
  send({ type: 'start', config });
});
ui.pause.addEventListener('click', () => send({ type: lab.state === 'paused' ? 'resume' : 'pause' }));
ui.stop.addEventListener('click', () => send({ type: 'stop' }));
ui.reset.addEventListener('click', () => {
  send({ type: 'reset' });
  lossPlot.clear();
  lab.losses = []; lab.testLosses = []; lab.lastProgress = null;
  ui.progress.value = 0;
  for (const c of [ui.reconstructions, ui.samples]) c.getContext('2d').clearRect(0, 0, c.width, c.height);
});
ui.resample.addEventListener('click', () => {
  sampleSeed = (sampleSeed + 1) >>> 0;
  send({ type: 'sample', seed: sampleSeed });
});
ui.trainFlow.addEventListener('click', () => {
  const config = readFlowSettings();
  if (!config) return;
  clearError();
  send({ type: 'start-flow', config });
});
ui.flowPause.addEventListener('click', () => send({ type: lab.state === 'paused' ? 'resume' : 'pause' }));
ui.flowStop.addEventListener('click', () => send({ type: 'stop' }));
ui.flowResample.addEventListener('click', () => {
  sampleSeed = (sampleSeed + 1) >>> 0;
  send({ type: 'sample', seed: sampleSeed, temperature: Number(ui.temperature.value) });
});
ui.temperature.addEventListener('input', () => {
  ui.temperatureValue.textContent = Number(ui.temperature.value).toFixed(2);
  if (lab.phase === 'flow' && lab.drawn.flow > 0) send({ type: 'sample', seed: sampleSeed, temperature: Number(ui.temperature.value) });
});
ui.binarize.addEventListener('change', () => {
  const binarize = ui.binarize.checked;
  if (lastFlowSamples) drawDigits(ui.flowSamples, lastFlowSamples.pixels, lastFlowSamples.count, 8, { binarize });
  if (lastPrior) drawDigits(ui.priorCopy, lastPrior.pixels, lastPrior.count, 8, { binarize });
});
ui.backend.addEventListener('change', () => {
  lab.backend = ui.backend.value;
  send({ type: 'backend', backend: ui.backend.value });
});
ui.settings.addEventListener('input', () => { if (!ui.settingsError.hidden) readSettings(); });

applyUrlSettings();
setState('loading');
startWorker(params.get('backend') ?? 'auto');
