// The embeddable widget: one model's samples and one Train button, for an iframe in a blog post
// (the page's steps 1, 2 and 4 each offer one: ?model=autoencoder, flow or wgan); or, with
// ?panel=, one of the page's views alone: the draw pad (draw), the layer walk (walk) or the
// 2-D lab (plane, with its data set and drawn points from the link as on the page).
//
// Until the visitor presses Train it is a picture: the pretrained model's samples (a few kB).
// Train starts the same worker as the full page (protocol: worker.js), which only then
// downloads the WebAssembly module and MNIST, trains a short autoencoder and then the model
// on its codes, and draws the samples as they improve.
import { drawDigits } from './digits.js';
import { LabWorker, PRETRAINED, download } from './worker-client.js';
import { DATA, DATA_QUERY } from './data-set.js';

const params = new URLSearchParams(location.search);
/** What each model's widget is called and its picture before Train: 32 samples of the pretrained
 * models, as `flowae sample --models www/models/pretrained.bin --samples 32` writes them
 * (prior-samples.png is the autoencoder's). */
const WIDGETS = {
  autoencoder: { title: 'An autoencoder decoding random codes', picture: 'autoencoder' },
  flow: { title: 'FlowAE samples', picture: 'flowae' },
  wgan: { title: 'AdvAE samples', picture: 'advae' },
};
/** The page's views that embed alone (?panel=): the step they belong to, their module, the
 * worker events they take, whether they read with the pretrained models and the digits, and
 * how each is opened (and what of it goes in the full page's link). */
const PANELS = {
  draw: {
    step: 'draw', module: './draw-pad.js', models: true, events: ['inspection'],
    open: ({ DrawPad }, send) => new DrawPad({ send, onPlace: () => {}, source: () => 'the models trained in advance' }),
  },
  walk: {
    step: 'flow', module: './flow-walk.js', models: true, events: ['walk'],
    open: ({ FlowWalk }, send) => {
      $('walk-back').hidden = true;   // it walks back the page's drawing: none here
      return new FlowWalk({ send, drawing: () => null, temperature: () => 1 });
    },
  },
  plane: {
    step: 'plane', module: './plane-lab.js', models: false, events: ['plane', 'plane-started'],
    open: async ({ PlaneLab }, send) => {
      const { buildForms, linkFields } = await import('./settings.js');
      buildForms();
      const plane = new PlaneLab({ send, digits: false });
      // The link's data set, drawn points and settings, as on the page (link-state.js there).
      const data = $('plane-data');
      if ([...data.options].some((o) => o.value === params.get('plane'))) data.value = params.get('plane');
      $('plane-points').value = params.get('points') ?? '';
      for (const [key, el] of linkFields()) if (params.has(key)) el.value = params.get(key);
      plane.setReady();
      plane.fromLink({ start: false });
      return plane;
    },
    link: (plane) => plane.embedQuery(),
  },
};
const model = params.get('model') in WIDGETS ? params.get('model') : 'flow';
/** The runs the widget trains: the autoencoder, then the model of its codes if it is one. */
const RUNS = model === 'autoencoder' ? ['autoencoder'] : ['autoencoder', model];
/** The runs: the page's quick run (src/length.rs, through settings.js), which a reader watches
 * to the end in under a minute; each model's other settings are its defaults. Read when Train is
 * pressed, so that the picture costs no more bytes. */
let SETTINGS = null;
async function quickRun() {
  const { PAGE_LENGTH, atLength } = await import('./settings.js');
  return Object.fromEntries(RUNS.map((name) => [name, atLength({}, PAGE_LENGTH, [name])]));
}
const PHASE_NAMES = { autoencoder: 'Autoencoder', flow: 'Flow', wgan: 'WGAN' };

const $ = (id) => document.getElementById(id);
const ui = { title: $('title'), preview: $('preview'), samples: $('samples'), train: $('train'), progress: $('progress'), status: $('status'), full: $('full') };
ui.title.textContent = WIDGETS[model].title;
// A panel shows no picture; nor does a widget on a data set that ships no models (its picture
// would be MNIST's digits).
if (!(params.get('panel') in PANELS) && PRETRAINED) ui.preview.src = `models/${WIDGETS[model].picture}-preview.png`;
else if (!PRETRAINED) {
  ui.preview.hidden = true;
  ui.status.textContent = `No models of ${DATA.title} are trained in advance: press Train to train it here, in your browser.`;
}
ui.full.href = `./?backend=${encodeURIComponent(params.get('backend') ?? 'auto')}${DATA_QUERY}`;

/** What the widget knows; read by the browser tests. */
const widget = { model, state: 'preview', drawn: 0, errors: [] };
window.widget = widget;
let worker = null;

function status(text, error = false) {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', error);
  if (error) widget.errors.push(text);
}

async function start() {
  ui.train.disabled = true;
  SETTINGS ??= await quickRun();
  ui.progress.hidden = false;
  ui.progress.value = 0;
  if (worker) {
    worker.post({ type: 'start', phase: 'autoencoder', config: SETTINGS.autoencoder });
    return;
  }
  // On your own images (data=own): those this browser kept from the full page, if any.
  if (!DATA.packed) {
    const { confirm, keptImages } = await import('./own-store.js');
    const kept = await keptImages();
    if (!kept) {
      status(`This widget trains on ${DATA.title} kept in this browser, and it has none: give them to the full page first.`, true);
      ui.train.disabled = false;
      return;
    }
    confirm(kept, { keep: false });
  }
  // The small CPU module (0.6 MB) unless the embedding page asks for WebGPU (3.4 MB): a
  // reader's first run should start in seconds.
  const backend = params.get('backend') === 'gpu' ? 'gpu' : 'cpu';
  status(`Loading (about ${backend === 'gpu' ? 5 : 2.5} MB, once)…`);
  worker = new LabWorker({
    module: backend, backend, onEvent: handle,
    onCrash: (message) => { status(`The worker failed: ${message}`, true); worker.terminate(); worker = null; ui.train.disabled = false; },
  });
}

function handle(msg) {
  switch (msg.type) {
    case 'status': status(msg.text); break;
    case 'ready':
      widget.backend = msg.backend;
      worker.post({ type: 'start', phase: 'autoencoder', config: SETTINGS.autoencoder });
      break;
    case 'started': widget.state = msg.phase; break;
    case 'progress': {
      const total = msg.epochs * msg.steps_per_epoch;
      const part = Math.max(0, RUNS.indexOf(msg.phase));
      ui.progress.value = (part + (total ? Math.min(1, msg.step / total) : 0)) / RUNS.length;
      status(msg.preparing && msg.preparing[0] < msg.preparing[1]
        ? 'Encoding the digits with the trained autoencoder…'
        : `${PHASE_NAMES[msg.phase]}: epoch ${Math.min(msg.epoch + 1, msg.epochs)} of ${msg.epochs} (${widget.backend === 'gpu' ? 'GPU' : 'CPU'})`);
      break;
    }
    case 'state':
      if (msg.state === 'done' && widget.state === 'autoencoder' && model !== 'autoencoder') {
        worker.post({ type: 'start', phase: model, config: SETTINGS[model] });
      } else if (msg.state === 'done' && widget.state === model) {
        widget.state = 'done';
        ui.progress.value = 1;
        status(model === 'autoencoder'
          ? 'Done: an autoencoder trained just now in this page, decoding random codes z ~ N(0, I). Mostly smudges: the codes of real digits sit elsewhere.'
          : `Done: ${WIDGETS[model].title} from a model trained just now in this page.`);
        ui.train.textContent = 'Train again';
        ui.train.disabled = false;
      }
      break;
    case 'samples':
      if (msg.model !== model || msg.preview) break;
      drawDigits(ui.samples, msg.pixels, msg.count, 8, { binarize: true });
      ui.samples.hidden = false;
      ui.preview.hidden = true;
      widget.drawn++;
      break;
    case 'error':
      status(msg.message, true);
      ui.train.disabled = false;
      break;
    default: break;
  }
}

const PANEL = params.get('panel');
if (PANEL in PANELS) openPanel(PANEL);
else ui.train.addEventListener('click', start);

/** One of the page's views alone (?panel=): its markup lifted from index.html, the element
 * marked `data-panel-view`, in the page's styles, driven by the page's own module. Until the
 * reader draws or presses a button it is those few files; then a worker on the CPU module
 * starts, fed the pretrained models and the digits when the view reads with them. */
async function openPanel(name) {
  const spec = PANELS[name];
  document.querySelector('.widget').hidden = true;
  const style = Object.assign(document.createElement('link'), { rel: 'stylesheet', href: 'style.css' });
  document.head.append(style);
  const [page, module] = await Promise.all([
    fetch('index.html').then((r) => (r.ok ? r.text() : Promise.reject(new Error(`index.html: ${r.status}`)))),
    import(spec.module),
    new Promise((resolve) => { style.onload = resolve; style.onerror = resolve; }),
  ]);
  const view = new DOMParser().parseFromString(page, 'text/html').querySelector(`[data-panel-view="${name}"]`);
  $('panel-view').append(document.adoptNode(view));
  $('panel-title').textContent = view.dataset.panelTitle;
  document.title = `FlowAE lab: ${view.dataset.panelTitle}`;
  $('panel').hidden = false;
  const status = (text) => { $('panel-status').textContent = text; };

  let labWorker = null;
  const send = (command) => {
    // A view that reads with the models trained in advance, on a data set that ships none
    // (a link's data=fashion): said, not fetched.
    if (spec.models && !PRETRAINED) {
      status(`This view reads with models trained in advance, and none are shipped for ${DATA.title}: open the full page, train there, then use it.`);
      return;
    }
    if (!labWorker) {
      if (spec.models) status('Loading the models trained in advance and the digits (3.5 MB, once)…');
      labWorker = new LabWorker({
        module: 'cpu', backend: 'cpu', digits: spec.models, preview: spec.models ? download(PRETRAINED) : null,
        onEvent: (msg) => {
          if (msg.type === 'error') status(msg.message);
          else if (msg.type === 'ready') status('');   // its commands waited for it (fed)
          else if (spec.events.includes(msg.type)) panel.handle(msg);
        },
        // What the view awaited will not come; its next press starts a fresh worker.
        onCrash: (message) => { status(`The worker failed: ${message}`); labWorker?.terminate(); labWorker = null; panel.lost?.(); },
      });
    }
    const to = labWorker;
    // In the order sent, once the worker holds what the view reads with.
    to.fed().then(() => to.post(command));
  };
  const panel = await spec.open(module, send);
  window.widget.panel = panel;
  $('panel-full').href = `./?backend=cpu${DATA_QUERY}${spec.link?.(panel) ?? ''}#step-${spec.step}`;
}
