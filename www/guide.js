// The guided path's own parts of the page: each step's link and embed, the count of settings
// changed under each step's folded Settings, and the sample grids' captions (the classifier's
// reading, for a reader who cannot see the digits). Every step
// is one `section.step` of index.html, `id="step-NAME"`, NAME being its "Steps to show" box.
import { defaultOf } from './settings.js';
import { SURE } from './pkg/tables.js';
import { DATA, DATA_QUERY } from './data-set.js';

/** The widget (embed.html) a step embeds; the others embed the page showing only that step. */
const WIDGET_SIZE = { width: 360, height: 420 };
/** embed.html?panel=…: a view alone (the draw pad, the layer walk, the 2-D lab), each sized
 * to show whole (embed.html lays them out for these). */
const PANEL_SIZES = { draw: { width: 600, height: 640 }, walk: { width: 560, height: 600 }, plane: { width: 600, height: 560 } };
const PAGE_SIZE = { width: '100%', height: 900 };

export class Guide {
  /** `linkOf(options)`: the page's link (link-state.js) with `{only, step}`; `panelOf(name)`:
   * the query of a step's panel embed (`data-panel-embed`), with what the view is showing. */
  constructor({ linkOf, panelOf = () => '' }) {
    this.linkOf = linkOf;
    this.panelOf = panelOf;
    for (const share of document.querySelectorAll('.step-share[data-step], .view-share[data-step]')) this.shareOf(share);
    document.addEventListener('input', (e) => this.changed(e.target));
    document.addEventListener('change', (e) => this.changed(e.target));
  }

  /** One step's "Link or embed this step" (or a view's within it, `.view-share`: the layer
   * walk): filled when opened, so that it holds the settings as they are then. */
  shareOf(share) {
    const { step, embed, panelEmbed } = share.dataset;
    const view = share.classList.contains('view-share');
    const title = (view ? document.querySelector(`[data-panel-view="${panelEmbed}"]`)?.dataset.panelTitle : null)
      ?? document.querySelector(`#step-${step} h2`)?.textContent ?? step;
    share.innerHTML = `<details><summary>Link or embed this ${view ? 'view' : 'step'}</summary>
      <p class="explain">The link opens the page at this step with every setting as it is now. The
        embed code puts ${embed ? "this step's widget (it trains at the page's defaults)" : panelEmbed ? 'this view alone, as it is set now (it downloads nothing until a reader presses a button),' : 'the page, showing this step alone with these settings,'}
        in a blog post or a slide, as an iframe.</p>
      <label class="link">Link <input type="text" readonly data-role="link"></label>
      <label class="link">Embed <textarea readonly rows="3" data-role="embed"></textarea></label>
      <div class="buttons"><button type="button" data-role="copy-link">Copy link</button>
        <button type="button" data-role="copy-embed">Copy embed code</button></div></details>`;
    const [link, code] = ['link', 'embed'].map((role) => share.querySelector(`[data-role=${role}]`));
    const fill = () => {
      link.value = this.linkOf({ step });
      code.value = embed
        ? iframe(new URL(`embed.html?model=${embed}${DATA_QUERY}`, location.href).href, title, WIDGET_SIZE)
        : panelEmbed
          ? iframe(new URL(`embed.html?panel=${panelEmbed}${this.panelOf(panelEmbed)}`, location.href).href, title, PANEL_SIZES[panelEmbed])
          : iframe(this.linkOf({ only: step, step }), title, PAGE_SIZE);
    };
    // Filled as the summary is clicked (before the fold opens: its 'toggle' event comes a task
    // later, after a reader, or a test, may already have looked), and on any other opening.
    share.querySelector('summary').addEventListener('click', fill);
    share.querySelector('details').addEventListener('toggle', fill);
    for (const [role, field] of [['copy-link', link], ['copy-embed', code]]) {
      share.querySelector(`[data-role=${role}]`).addEventListener('click', async () => {
        fill();
        try { await navigator.clipboard.writeText(field.value); } catch { field.select(); }
      });
    }
  }

  /** A field changed: its fold's summary counts the settings that differ from their defaults. */
  changed(target) {
    const form = target?.closest?.('form.settings');
    if (form) countChanged(form);
    // The preset and the run length move every default.
    if (target?.id === 'preset' || target?.id === 'length') this.countAll();
  }

  /** Counts every fold's changes; `open`: unfolds those with any (a link's exercise shows what it
   * changed). */
  countAll({ open = false } = {}) {
    for (const form of document.querySelectorAll('details.advanced form.settings')) {
      if (countChanged(form) > 0 && open) form.closest('details').open = true;
    }
  }
}

/** Writes "(N changed)" in the summary of `form`'s fold; returns N. */
function countChanged(form) {
  const changed = [...form.elements].filter((el) => el.name && el.value !== defaultOf(el)).length;
  const label = form.closest('details')?.querySelector('summary .changed');
  if (label) label.textContent = changed ? `(${changed} changed)` : '';
  return changed;
}

function iframe(src, title, { width, height }) {
  const attr = (text) => String(text).replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  return `<iframe src="${attr(src)}" title="${attr(title)}" width="${width}" height="${height}" style="border: 0" loading="lazy"></iframe>`;
}

/** A sample grid's caption: its label for a screen reader (`what` the grid is, then how the
 * classifier reads each sample, row by row, "?" where it is unsure), and the line under it
 * that says how many read as digits. Without readings (mid-run, or no classifier yet) the label
 * is `what` alone and the line is empty. */
export function caption(canvas, what, msg) {
  const line = document.querySelector(`[data-read-as="${canvas.id}"]`);
  const readings = msg.readings;
  // The classifier's readings name only the classes it learned (your own images are scored
  // with MNIST's: it would read them as digits).
  if (!readings?.length || DATA.scorer !== DATA.name) {
    canvas.setAttribute('aria-label', what);
    if (line) line.textContent = '';
    return;
  }
  const sure = readings.filter((r) => r.confidence >= SURE).length;
  const read = readings.map((r) => (r.confidence >= SURE ? DATA.classes[r.digit] ?? String(r.digit) : '?')).join(', ');
  canvas.setAttribute('aria-label', `${what}: ${readings.length} samples, read by the classifier as ${read} (? where it is less than ${Math.round(SURE * 100)}% sure)`);
  if (line) line.textContent = `Read as ${DATA.items}: ${sure} of ${readings.length} (the classifier at least ${Math.round(SURE * 100)}% sure)`;
  return sure;
}
