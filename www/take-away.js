// Results to take away: every picture the page draws (sample grids, reconstructions, the draw
// pad's readings, the 2-D lab's views) as a PNG, each model's samples as the command line's
// .npy (the worker writes it, src/npy.rs), and every loss plot's series as CSV and its chart as
// a PNG. Made in the page and its worker: nothing leaves the browser but the file the visitor
// saves.
import { MODELS } from './pkg/tables.js';

/** Saves `blob` as the file `name`, as the browser saves a download. */
export function save(blob, name) {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

/** A canvas as a PNG file. */
const png = (canvas) => new Promise((resolve, reject) => {
  canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the picture could not be encoded'))), 'image/png');
});

/**
 * A row of save buttons, "Save: PNG .npy", put where `place(row)` puts it: `items` are
 * `{label, name, what, blob: () => Blob | Promise<Blob>}` (`what` names the button for a screen
 * reader: "Save FlowAE samples as PNG"). A file that cannot be made says why in the row.
 * `said: false` leaves out the word "Save:" (beside a plot's legend, where "CSV PNG" is read
 * as the buttons' names and titles say).
 */
function saveRow(place, items, { said = true } = {}) {
  const row = document.createElement('p');
  row.className = 'take-away';
  if (said) row.append('Save:');
  else row.title = 'Save';
  const problem = document.createElement('span');
  problem.className = 'take-away-problem';
  for (const item of items) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'small';
    button.textContent = item.label;
    button.setAttribute('aria-label', item.what);
    button.title = item.what;
    button.addEventListener('click', async () => {
      problem.textContent = '';
      button.disabled = true;
      try {
        save(await item.blob(), item.name);
      } catch (e) {
        problem.textContent = `Not saved: ${e?.message ?? e}`;
      } finally {
        button.disabled = false;
      }
    });
    row.append(button);
  }
  row.append(problem);
  place(row);
  return row;
}

/** The command line's name for a model's samples: flowae-samples.npy, prior-samples.npy, … */
const npyName = (model) => `${(MODELS.find((m) => m.name === model)?.label ?? model).toLowerCase()}-samples.npy`;

/** An accessible name made short enough for a button ("FlowAE samples, read by …" → its head). */
const shortly = (what) => what.split(/[,:(]/)[0].trim();

export class TakeAway {
  /** `send(command)`: to the worker, which writes the .npy files ('npy'). */
  constructor({ send }) {
    this.send = send;
    this.asked = 0;
    this.pending = new Map();   // id → {resolve, reject} of an .npy asked for
  }

  /** Every picture in a figure, and every picture marked `data-take-away="row"` (the latent
   * map, the layer walk's plane: under what holds them), gets "Save: PNG" (and a sample grid,
   * `data-samples-of`, its model's .npy), shown once something is drawn on it: a canvas waiting
   * for its first picture is one pixel, or has a note saying what will appear
   * (`data-empty-note`, its id) while it shows nothing. A picture that only repeats another
   * (`data-take-away="none"`) gets none. */
  offerPictures(root = document) {
    for (const canvas of root.querySelectorAll('figure canvas[role=img][id]:not([data-take-away=none]), canvas[data-take-away=row][id]')) {
      const figure = canvas.closest('figure');
      const last = figure ? figure.querySelector('.read-as') ?? canvas : canvas.parentElement;
      const note = canvas.dataset.emptyNote ? document.getElementById(canvas.dataset.emptyNote) : null;
      const what = shortly(canvas.getAttribute('aria-label') ?? canvas.id);
      const items = [{ label: 'PNG', name: `${canvas.id}.png`, what: `Save ${what} as PNG`, blob: () => png(canvas) }];
      const model = canvas.dataset.samplesOf;
      if (model) items.push({ label: '.npy', name: npyName(model), what: `Save ${what} as .npy, the command line's format`, blob: () => this.npy(model) });
      const row = saveRow((r) => last.after(r), items);
      const update = () => { row.hidden = canvas.width <= 1 || Boolean(note && !note.hidden); };
      new MutationObserver(update).observe(canvas, { attributes: true, attributeFilter: ['width'] });
      if (note) new MutationObserver(update).observe(note, { attributes: true, attributeFilter: ['hidden'] });
      update();
    }
  }

  /** `model`'s samples as the command line's .npy, written by the worker. */
  npy(model) {
    return new Promise((resolve, reject) => {
      const id = ++this.asked;
      this.pending.set(id, { resolve, reject });
      this.send({ type: 'npy', id, model });
    });
  }

  /** The worker's 'npy' event. */
  handle(msg) {
    const asked = this.pending.get(msg.id);
    if (!asked) return;
    this.pending.delete(msg.id);
    if (msg.error) asked.reject(new Error(msg.error));
    else asked.resolve(new Blob([msg.bytes], { type: 'application/octet-stream' }));
  }

  /** The worker died: what it was asked for will not come. */
  forget(reason) {
    for (const { reject } of this.pending.values()) reject(new Error(reason));
    this.pending.clear();
  }
}

/** A loss plot (plots.js) gets "Save: CSV PNG" beside its legend, shown once it has a step: its series as a
 * table (`step`, then a column per series; a blank where a series has no value at a step) and
 * its chart. Returns the function that shows or hides it. */
export function offerPlot(plot, element) {
  const name = element.id || 'plot';
  const words = name.replace(/-/g, ' ');
  // On the legend's line (plots.js's uPlot root), where the legend leaves room: a line of its
  // own under every plot made a step with two plots taller than two screens.
  const row = saveRow((r) => (plot.plot?.root ?? element).append(r), [
    { label: 'CSV', name: `${name}.csv`, what: `Save the ${words} series as CSV`, blob: () => new Blob([plot.csv()], { type: 'text/csv' }) },
    { label: 'PNG', name: `${name}.png`, what: `Save the ${words} chart as PNG`, blob: () => png(plot.canvas) },
  ], { said: false });
  return (hasData) => { row.hidden = !hasData; };
}
