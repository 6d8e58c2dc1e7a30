// The panel where a visitor gives the page their own pictures (on the page opened with
// data=own): choose or drop a folder, pictures or a zip, or draw them one by one; see them as
// the models will (a grid of 28 × 28 inputs) with what was skipped and why; then train on them.
// Reading is own-images.js's, keeping own-store.js's; this file only touches the DOM.
import { MIN_IMAGES, droppedFiles, picturesIn, readPictures } from './own-images.js';
import { confirm, keptImages } from './own-store.js';
import { drawDigits } from './digits.js';
import { formatSeconds } from './format.js';
import { nameClasses } from './data-set.js';

/** Images the grid shows at most. */
const SHOWN = 200;
/** Skipped files listed by name at most (the count says how many in all). */
const LISTED = 20;
const PAD_SIDE = 280;

const $ = (id) => document.getElementById(id);
const plural = (n, one, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

export class OwnPanel {
  /** `digitize(pictures)`: the worker's answer ({images, errors}); `onConfirmed(images, first)`:
   * the images are the page's (first: none were before, so the run can start). */
  constructor({ digitize, onConfirmed }) {
    this.digitize = digitize;
    this.onConfirmed = onConfirmed;
    this.el = {
      section: $('own'), status: $('own-status'), grid: $('own-grid'), skipped: $('own-skipped'),
      folder: $('own-folder'), folderInput: $('own-folder-input'), files: $('own-files'), filesInput: $('own-files-input'),
      drop: $('own-drop'), train: $('own-train'), pad: $('own-pad'), add: $('own-add'), clear: $('own-clear'), drawn: $('own-drawn'),
    };
    this.el.section.hidden = false;
    this.candidate = null;     // images read and shown, not yet trained on
    this.inUse = null;         // the images the page trains on
    this.drawings = [];        // pictures drawn on the pad: [{path, picture}]
    this.reading = false;
    const { el } = this;
    el.folder.addEventListener('click', () => el.folderInput.click());
    el.files.addEventListener('click', () => el.filesInput.click());
    for (const input of [el.folderInput, el.filesInput]) {
      input.addEventListener('change', () => { this.read([...input.files]); input.value = ''; });
    }
    el.drop.addEventListener('dragover', (e) => { e.preventDefault(); el.drop.classList.add('over'); });
    el.drop.addEventListener('dragleave', () => el.drop.classList.remove('over'));
    el.drop.addEventListener('drop', async (e) => {
      e.preventDefault();
      el.drop.classList.remove('over');
      this.read(await droppedFiles(e.dataTransfer));
    });
    el.train.addEventListener('click', () => this.use());
    this.setUpPad();
    this.restore();
  }

  say(text) { this.el.status.textContent = text; }

  /** Opens with the images this browser kept, if any: they are used at once. */
  async restore() {
    const kept = await keptImages();
    if (!kept) {
      this.say(`Give the page at least ${MIN_IMAGES} pictures to learn from: nothing is trained until then.`);
      return;
    }
    this.show(kept);
    this.say(`Training on your ${plural(kept.count, 'image')} kept in this browser${kept.classes.length ? ` (${kept.classes.join(', ')})` : ''}. Choose other pictures to replace them.`);
    this.adopt(kept, false);
    await confirm(kept, { keep: false });
  }

  /** Reads `files` (and the pad's drawings) into images, shown for the visitor to confirm. */
  async read(files) {
    if (this.reading) return;
    this.reading = true;
    this.el.train.disabled = true;
    const started = performance.now();
    try {
      this.say('Looking for pictures…');
      const { sources, skipped } = await picturesIn(files);
      const all = [...sources, ...this.drawings];
      if (all.length === 0) {
        this.showSkipped(skipped);
        this.say(`No pictures there${skipped.length ? `: ${plural(skipped.length, 'file')} skipped (below)` : ''}. Choose PNG or JPEG pictures, a folder of them, or a zip.`);
        return;
      }
      const images = await readPictures(all, {
        digitize: this.digitize,
        onProgress: (done, total) => this.say(`Reading your pictures: ${done.toLocaleString()} of ${total.toLocaleString()}…`),
      });
      images.skipped.unshift(...skipped);
      images.seconds = (performance.now() - started) / 1000;
      this.candidate = images;
      this.show(images);
      this.report(images);
    } catch (e) {
      this.say(`Your pictures could not be read: ${e.message}`);
    } finally {
      this.reading = false;
    }
  }

  /** What was read: how many images, what was skipped and why, and whether they are enough. */
  report(images) {
    const parts = [`${plural(images.count, 'image')} read in ${formatSeconds(images.seconds)}`];
    if (images.skipped.length) parts.push(`${plural(images.skipped.length, 'file')} skipped (listed below)`);
    if (images.classes.length) parts.push(`${images.classes.length} classes from their folders: ${images.classes.join(', ')}`);
    else if (images.note) parts.push(images.note);
    let text = `${parts.join('; ')}.`;
    if (images.count < MIN_IMAGES) {
      text += ` That is too few: at least ${MIN_IMAGES} are needed, so that the models learn what your pictures share rather than copying each one (and one in six is held out to score them). Add more.`;
    } else {
      text += ' These are the inputs the models will learn. Nothing has left your browser.';
    }
    this.say(text);
    this.el.train.disabled = images.count < MIN_IMAGES;
    this.el.train.textContent = `Train on these ${plural(images.count, 'image')}`;
  }

  /** The images as the models see them (binarized, as they train by default), and what was skipped. */
  show(images) {
    const count = Math.min(images.count, SHOWN);
    const floats = new Float32Array(count * 784);
    for (let i = 0; i < floats.length; i++) floats[i] = images.pixels[i] / 255;
    const columns = Math.min(20, Math.max(1, count));
    if (count > 0) drawDigits(this.el.grid, floats, count, columns, { binarize: true });
    this.el.grid.hidden = count === 0;
    this.el.grid.setAttribute('aria-label', `Your images as the models see them: ${count < images.count ? `the first ${count} of ${images.count}` : `all ${count}`}`);
    this.showSkipped(images.skipped ?? []);
  }

  showSkipped(skipped) {
    const list = this.el.skipped;
    list.replaceChildren(...skipped.slice(0, LISTED).map(({ path, why }) => {
      const item = document.createElement('li');
      item.textContent = `${path}: ${why}`;
      return item;
    }));
    if (skipped.length > LISTED) list.append(Object.assign(document.createElement('li'), { textContent: `and ${plural(skipped.length - LISTED, 'more file')}` }));
    list.hidden = skipped.length === 0;
  }

  /** Trains on the images read: kept in this browser, then given to the workers. A page that
   * already trains on others opens again with these (one set per page, as with a data set). */
  async use() {
    const images = this.candidate;
    if (!images || images.count < MIN_IMAGES) return;
    this.el.train.disabled = true;
    const kept = { pixels: images.pixels, labels: images.labels, classes: images.classes, count: images.count };
    if (this.inUse) {
      const { kept: stored } = await confirm(kept);
      if (!stored) { this.say('This browser does not let the page keep them (storage is off): they cannot replace the images in use. Open the page in a normal window.'); return; }
      location.reload();
      return;
    }
    this.adopt(kept, true);
    const { kept: stored } = await confirm(kept);
    this.say(`Training on your ${plural(images.count, 'image')}${stored ? ' (kept in this browser for your next visit)' : ' (not kept: this browser does not let the page store them)'}.`);
  }

  /** `images` become the page's: their classes named, and the page told (`first`: by the
   * visitor's press, which then trains on them). */
  adopt(images, first) {
    nameClasses(images.classes);
    this.inUse = images;
    this.onConfirmed(images, first);
  }

  /** A pad to draw pictures on, one at a time, added to the next read. */
  setUpPad() {
    const { pad, add, clear, drawn } = this.el;
    pad.width = pad.height = PAD_SIDE;
    const context = pad.getContext('2d');
    const blank = () => { context.fillStyle = '#fff'; context.fillRect(0, 0, PAD_SIDE, PAD_SIDE); this.inked = false; };
    blank();
    let last = null;
    const at = (e) => { const r = pad.getBoundingClientRect(); return [(e.clientX - r.left) * (PAD_SIDE / r.width), (e.clientY - r.top) * (PAD_SIDE / r.height)]; };
    pad.addEventListener('pointerdown', (e) => { pad.setPointerCapture(e.pointerId); last = at(e); this.inked = true; stroke(last, last); });
    pad.addEventListener('pointermove', (e) => { if (!last) return; const next = at(e); stroke(last, next); last = next; });
    for (const end of ['pointerup', 'pointercancel']) pad.addEventListener(end, () => { last = null; });
    const stroke = (a, b) => {
      Object.assign(context, { strokeStyle: '#000', lineWidth: 22, lineCap: 'round', lineJoin: 'round' });
      context.beginPath(); context.moveTo(...a); context.lineTo(...b); context.stroke();
    };
    clear.addEventListener('click', blank);
    add.addEventListener('click', () => {
      if (!this.inked) return;
      const rgba = context.getImageData(0, 0, PAD_SIDE, PAD_SIDE).data;
      this.drawings.push({ path: `drawn/${this.drawings.length + 1}`, picture: { rgba, width: PAD_SIDE, height: PAD_SIDE } });
      blank();
      drawn.textContent = `${plural(this.drawings.length, 'drawing')} added: they join the pictures you choose next, or press Read the drawings.`;
      this.el.readDrawn ??= this.addReadButton();
    });
  }

  addReadButton() {
    const button = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Read the drawings' });
    button.addEventListener('click', () => this.read([]));
    this.el.add.after(button);
    return button;
  }
}
