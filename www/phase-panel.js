// A model's panel from one template: every `[data-panel-of="NAME"]` element is filled from the
// template its section names (`data-template`, else "baseline-panel"), with `{m}` replaced by the
// model's name and `{label}` by its label (src/kind.rs, through pkg/tables.js), and its heading
// from `data-title`. Adding a panel of the same shape is one line of index.html.
import { MODELS } from './pkg/tables.js';

const escape = (text) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** Fills every panel placeholder of the page; run before the forms are built. */
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
}

/** The controls of a model's section, found by one naming scheme: `train-NAME`, `NAME-pause`,
 * `NAME-settings`, … The autoencoder's, the page's first section, go without the name (`train`,
 * `pause`, `settings`, …: the ids links and tests have always used). A control a section has
 * not (the baselines have no Step or Resample) is null. */
export function controlsOf(model) {
  const first = model === 'autoencoder';
  const id = (role) => (first ? role : role === 'train' ? `train-${model}` : `${model}-${role}`);
  const roles = { settings: 'settings', settingsError: 'settings-error', train: 'train', pause: 'pause', step: 'step',
    stop: 'stop', progress: 'progress', progressText: 'progress-text', samples: 'samples', resample: 'resample' };
  return Object.fromEntries(Object.entries(roles).map(([key, role]) => [key, document.getElementById(id(role))]));
}
