// The page's state in its link (in the spirit of tensorflow/playground's state.ts): the data
// set, every setting that differs from its default, the backend, and which sections are shown. The
// settings' keys come from the library's table (settings.js, linkFields); the page adds the
// fields that are not a model's setting (the FCD sample count, the temperature). Also the
// sections' visibility ("Steps to show"), which the link carries too.
import { defaultOf, linkFields } from './settings.js';
import { DATA, DEFAULT_DATA } from './data-set.js';

/** The section tick boxes of "Steps to show". */
const boxes = () => [...document.querySelectorAll('#panels input')];

export class LinkState {
  /** `extra`: the page's own fields a link carries, as [key, field]. */
  constructor(extra = []) {
    this.extra = extra;
  }

  /** Every field a link can carry, as [key, field]. */
  fields() {
    return [...linkFields(), ...this.extra];
  }

  /** Fills the fields and the shown sections from `params` (a URLSearchParams); returns what it
   * could not apply, in words (a choice that is not one of a menu's). */
  apply(params) {
    const problems = [];
    for (const [name, el] of this.fields()) {
      if (!params.has(name)) continue;
      el.value = params.get(name);
      if (el.tagName === 'SELECT' && el.value !== params.get(name)) {
        el.value = defaultOf(el);
        problems.push(`The link sets ${name} to ${params.get(name)}, which is not one of its choices; it is ${el.value}.`);
      }
    }
    if (params.has('show')) {
      const shown = params.get('show').split(',');
      for (const box of boxes()) box.checked = shown.includes(box.name);
    }
    showSections();
    return problems;
  }

  /** The link to this page with every setting that differs from the page's defaults; `only`
   * shows that one step (an embed of it), `step` opens the page at it. */
  link(backend, { only = null, step = null } = {}) {
    const link = new URLSearchParams();
    if (!DEFAULT_DATA) link.set('data', DATA.name);
    if (backend) link.set('backend', backend);
    for (const [name, el] of this.fields()) if (el.value !== defaultOf(el)) link.set(name, el.value);
    if (only) link.set('show', only);
    else if (boxes().some((b) => !b.checked)) link.set('show', boxes().filter((b) => b.checked).map((b) => b.name).join(','));
    return `${location.origin}${location.pathname}?${link}${step ? `#step-${step}` : ''}`;
  }
}

/** Hides the sections unticked under "Steps to show". */
export function showSections() {
  const shown = new Set(boxes().filter((b) => b.checked).map((b) => b.name));
  for (const section of document.querySelectorAll('[data-panel]')) section.hidden = !shown.has(section.dataset.panel);
}

/** Shows the sections that hold a field marked invalid (a link can hide them) and takes the
 * visitor to the first such field, so that "fix the settings marked above" can be done. */
export function revealProblems() {
  const invalid = [...document.querySelectorAll('form.settings [aria-invalid="true"]')];
  const said = [...document.querySelectorAll('[id$="settings-error"]:not([hidden])')];
  for (const field of [...invalid, ...said]) {
    field.closest('details')?.setAttribute('open', '');   // folded settings unfold
    const panel = field.closest('[data-panel]')?.dataset.panel;
    const box = panel && document.querySelector(`#panels input[name="${panel}"]`);
    if (box) box.checked = true;
  }
  showSections();
  const first = invalid[0] ?? said[0];
  first?.scrollIntoView({ block: 'center' });
  invalid[0]?.focus();
}
