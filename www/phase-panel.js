// A model's panel from one template: every `[data-panel-of="NAME"]` element is filled from the
// template its section names (`data-template`, else "baseline-panel"), with `{m}` replaced by the
// model's name and `{label}` by its label (src/kind.rs, through pkg/tables.js), and its heading
// from `data-title`. Adding a panel of the same shape is one line of index.html.
import { MODELS } from './pkg/tables.js';

const escape = (text) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** Fills every panel placeholder of the page, then every model's controls; run before the
 * forms are built. */
export function fillPanels() {
  for (const panel of document.querySelectorAll('[data-panel-of]')) {
    const name = panel.dataset.panelOf;
    const model = MODELS.find((m) => m.name === name);
    if (!model) throw new Error(`index.html has a panel for ${name}, which is not a model`);
    const template = document.getElementById(panel.dataset.template ?? 'baseline-panel');
    panel.innerHTML = template.innerHTML.replaceAll('{m}', escape(name)).replaceAll('{label}', escape(model.label));
    panel.querySelector('h3').textContent = panel.dataset.title ?? model.label;
    panel.setAttribute('aria-labelledby', `${name}-title`);
  }
  for (const controls of document.querySelectorAll('[data-controls-of]')) fillControls(controls);
}

/** The id of a control of `model`'s section (role: train, pause, step, stop, settings,
 * settings-error, progress, progress-text, samples, resample): `train-NAME` or `NAME-ROLE`.
 * The autoencoder's, the page's first section, go without the name (`train`, `pause`, …: the
 * ids links and tests have always used). */
export function controlId(model, role) {
  if (model === 'autoencoder') return role;
  return role === 'train' ? `train-${model}` : `${model}-${role}`;
}

const ROLES = ['settings', 'settings-error', 'train', 'pause', 'step', 'stop', 'progress', 'progress-text'];

/** One model's controls from the `phase-controls` template (see index.html). */
function fillControls(placeholder) {
  const model = placeholder.dataset.controlsOf;
  if (!MODELS.some((m) => m.name === model)) throw new Error(`index.html has controls for ${model}, which is not a model`);
  // What the placeholder already holds joins the buttons, but for `data-slot="advanced"`
  // children, which open the folded settings (the autoencoder's backend and defaults).
  const advanced = [...placeholder.querySelectorAll(':scope > [data-slot="advanced"]')];
  const extras = [...placeholder.children].filter((child) => !advanced.includes(child));
  const words = { m: model, 'train-label': placeholder.dataset.train, 'progress-label': placeholder.dataset.progress, waiting: placeholder.dataset.waiting };
  let html = document.getElementById('phase-controls').innerHTML;
  for (const role of ROLES) html = html.replaceAll(`{${role}}`, escape(controlId(model, role)));
  for (const [key, value] of Object.entries(words)) html = html.replaceAll(`{${key}}`, escape(value ?? ''));
  placeholder.innerHTML = html;
  const buttons = placeholder.querySelector('.buttons');
  if (placeholder.dataset.step === 'no') document.getElementById(controlId(model, 'step')).remove();
  if ('primary' in placeholder.dataset) document.getElementById(controlId(model, 'train')).classList.add('primary');
  buttons.append(...extras);
  placeholder.querySelector('details.advanced summary').after(...advanced);
}

/** The controls of a model's section (see controlId). A control a section has not (the
 * baselines have no Step or Resample) is null. */
export function controlsOf(model) {
  const roles = { settings: 'settings', settingsError: 'settings-error', train: 'train', pause: 'pause', step: 'step',
    stop: 'stop', progress: 'progress', progressText: 'progress-text', samples: 'samples', resample: 'resample' };
  return Object.fromEntries(Object.entries(roles).map(([key, role]) => [key, document.getElementById(controlId(model, role))]));
}
