// The embeddable widget: one model's samples and one Train button, for an iframe in a blog post
// (the page's steps 1, 2 and 4 each offer one: ?model=autoencoder, flow or wgan); or, with
// ?panel=plane, the page's 2-D lab (step 8) alone, with its data set and drawn points from the
// link as on the page.
//
// Until the visitor presses Train it is a picture: the pretrained model's samples (a few kB).
// Train starts the same worker as the full page (protocol: worker.js), which only then
// downloads the WebAssembly module and MNIST, trains a short autoencoder and then the model
// on its codes, and draws the samples as they improve.
import { drawDigits } from './digits.js';
import { LabWorker } from './worker-client.js';

const params = new URLSearchParams(location.search);
/** What each model's widget is called and its picture before Train: 32 samples of the pretrained
 * models, as `flowae sample --models www/models/pretrained.bin --samples 32` writes them
 * (prior-samples.png is the autoencoder's). */
const WIDGETS = {
  autoencoder: { title: 'An autoencoder decoding random codes', picture: 'autoencoder' },
  flow: { title: 'FlowAE samples', picture: 'flowae' },
  wgan: { title: 'AdvAE samples', picture: 'advae' },
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
ui.preview.src = `models/${WIDGETS[model].picture}-preview.png`;
ui.full.href = `./?backend=${encodeURIComponent(params.get('backend') ?? 'auto')}`;

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

if (params.get('panel') === 'plane') openPlane();
else ui.train.addEventListener('click', start);

/** The 2-D lab alone (plane-lab.js, the page's): a few kB until a button is pressed, then the
 * CPU module (0.5 MB), no digits. */
async function openPlane() {
  document.querySelector('.widget').hidden = true;
  $('plane-panel').hidden = false;
  document.title = 'FlowAE lab: a flow and a WGAN-GP in two dimensions';
  const [{ PlaneLab }, { TOYS }] = await Promise.all([import('./plane-lab.js'), import('./pkg/tables.js')]);
  let labWorker = null;
  const plane = new PlaneLab({
    send: (command) => {
      if (!labWorker) {
        labWorker = new LabWorker({
          module: 'cpu', backend: 'cpu', digits: false,
          onEvent: (msg) => {
            if (msg.type === 'plane' || msg.type === 'plane-started') plane.handle(msg);
            else if (msg.type === 'error') $('plane-text').textContent = msg.message;
          },
          onCrash: (message) => { $('plane-text').textContent = `The worker failed: ${message}`; labWorker?.terminate(); labWorker = null; },
        });
      }
      const to = labWorker;
      to.initialized.then(() => to.post(command));   // after 'init', in the order sent
    },
  });
  Object.defineProperty(window.widget, 'plane', { get: () => plane.state });
  // The worker starts on the first press; its commands wait for its module ('initialized').
  plane.setReady();
  $('plane-data').value = [...$('plane-data').options].some((o) => o.value === params.get('plane')) ? params.get('plane') : TOYS[0].name;
  $('plane-points').value = params.get('points') ?? '';
  $('plane-full').href = `./?backend=cpu&plane=${encodeURIComponent($('plane-data').value)}${params.get('points') ? `&points=${encodeURIComponent(params.get('points'))}` : ''}#step-plane`;
  plane.fromLink({ start: false });
}
