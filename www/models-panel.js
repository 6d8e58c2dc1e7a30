// The opening panel's models: which models the worker holds and where they came from (the
// pretrained ones shipped with the page, kept ones from this browser's shelf, a file the visitor
// chose, or a run), the shelf, and the models as a file (Save, Load). Kept models and chosen
// files are trusted only once they have sampled numbers; kept ones that fail are removed.
// Storage is models-store.js; the worker's side is its 'load' and 'save' commands.
import * as store from './models-store.js';
import { Shelf } from './shelf.js';
import { download } from './worker-client.js';

const ORIGINS = {
  pretrained: 'the pretrained models shipped with the page',
  saved: 'your models from your last visit, kept by this browser',
  file: 'the models from the file you chose',
  moved: 'the models trained here',
};

const PRETRAINED = 'models/pretrained.bin';

export class ModelsPanel {
  /**
   * `send(command)`: to the worker; `showError`, `clearError`: the page's error line;
   * `words(name)`: a model's name for people; `present()`: the models the worker holds now;
   * `about()`: a line on what they were trained with and how they scored; `mayRestore()`:
   * whether the opening models may still be loaded (no run has started); `pretrained`: whether
   * the page opens on the pretrained models (a link's ?pretrained=0 says not).
   */
  constructor({ send, showError, clearError, words, present, about, mayRestore, pretrained = true }) {
    Object.assign(this, { send, showError, clearError, words, present, about, mayRestore, pretrained });
    const $ = (id) => document.getElementById(id);
    this.el = {
      status: $('models-status'), fromScratch: $('from-scratch'), resample: $('hero-resample'),
      save: $('save-models'), load: $('load-models'), file: $('models-file'),
      samples: { flow: $('hero-flow'), wgan: $('hero-wgan') },
      pictures: { flow: $('hero-flow-picture'), wgan: $('hero-wgan-picture') },
    };
    this.loaded = null;            // {models, origin} of the last models file loaded
    this.restoring = null;         // 'saved' or 'pretrained' while the opening models load
    this.restoringId = null;       // the shelf entry being opened
    this.unverified = null;        // {origin} of loaded models not yet seen to sample numbers
    this.justLoaded = false;       // the next 'done' comes from a load, not from training
    this.shelfId = null;           // the shelf entry this run's models are kept as
    this.pendingName = null;       // the name the visitor keeps the next models under
    this.kept = 0;                 // models kept on the shelf this visit
    this.shelf = new Shelf($('shelf'), {
      words,
      onLoad: async (entry) => {
        const bytes = await store.bytesOf(entry.id);
        if (!bytes) { this.shelf.say('Those models are gone from this browser.'); await this.shelf.refresh(); return; }
        this.clearError();
        this.restoringId = entry.id;
        this.send({ type: 'load', bytes, origin: 'saved' });
      },
      onKeep: (name) => {
        this.pendingName = name;
        this.send({ type: 'save', purpose: 'name' });
      },
    });
    this.shelf.refresh();
    this.el.save.addEventListener('click', () => this.send({ type: 'save', purpose: 'download' }));
    this.el.load.addEventListener('click', () => this.el.file.click());
    this.el.file.addEventListener('change', async () => {
      const file = this.el.file.files[0];
      this.el.file.value = '';
      if (!file) return;
      this.clearError();
      this.send({ type: 'load', bytes: new Uint8Array(await file.arrayBuffer()), origin: 'file' });
    });
  }

  say(text) {
    this.el.status.textContent = text;
  }

  /** The opening models: the newest kept ones if this browser has any (and `useKept`), else the
   * pretrained ones. */
  async restore(useKept = true) {
    if (!this.pretrained) {
      this.say('No models loaded yet: press Train from scratch.');
      return;
    }
    const stored = useKept ? await store.latest() : null;
    // The visitor may have started a run meanwhile: it is not replaced.
    if (!this.mayRestore()) { this.say('Training from scratch.'); return; }
    this.restoring = stored ? 'saved' : 'pretrained';
    this.say('Loading models…');
    if (stored) {
      this.restoringId = stored.entry.id;
      this.send({ type: 'load', bytes: stored.bytes, origin: 'saved' });
      return;
    }
    try {
      const bytes = await download(PRETRAINED);
      if (this.mayRestore()) this.send({ type: 'load', bytes, origin: 'pretrained' });
    } catch (e) {
      this.restoring = null;
      this.say(`The pretrained models could not be loaded (${e.message}): press Train from scratch.`);
    }
  }

  /** The worker's 'loaded': its models are now the file's. (Not `loaded`: that is the field
   * saying which models were loaded last.) */
  opened(msg) {
    this.restoring = null;
    // Models moved to another backend are still those of the last file or run.
    const origin = msg.origin === 'moved' ? (this.loaded?.origin ?? 'moved') : msg.origin;
    this.loaded = { models: msg.models, origin };
    this.justLoaded = true;
    this.say(`Showing ${ORIGINS[origin] ?? 'loaded models'}: ${msg.models.map(this.words).join(', ')}.`);
    // A file chosen, or kept models opened: checked by their first samples before the file is
    // kept (or trusted again); training on from them is kept as a new run.
    if (msg.origin !== 'moved') this.shelfId = null;
    this.unverified = msg.origin === 'file' || msg.origin === 'saved' ? { origin: msg.origin } : null;
  }

  /** The loaded models sampled numbers: a chosen file is kept now. */
  sampled() {
    if (!this.unverified) return;
    if (this.unverified.origin === 'file') this.send({ type: 'save', purpose: 'keep' });
    this.unverified = null;
  }

  /** A worker error. Kept models that do not load, or load and sample garbage, would greet every
   * visit with it: they leave the shelf, and the pretrained ones show. A chosen file that
   * samples garbage is not kept. Only the load's own errors count (its command is 'load'): a
   * run refused meanwhile says nothing about the models. */
  failed(msg) {
    if (msg.command !== 'load') { this.showError(msg.message); return; }
    if (this.restoring === 'saved' || this.unverified?.origin === 'saved') {
      const id = this.restoringId;
      this.restoring = null;
      this.unverified = null;
      store.forget();
      if (id) store.remove(id).then(() => this.shelf.refresh());
      this.showError(`${msg.message} (These kept models could not be used, so they were removed from this browser.)`);
      this.restore(false);
    } else {
      this.unverified = null;
      this.showError(msg.message);
    }
  }

  /** A new autoencoder run: kept as a new entry of the shelf. */
  newRun() {
    this.shelfId = null;
  }

  /** The worker holds no models any more (Reset). */
  cleared() {
    this.loaded = null;
    this.say('No models now: press Train from scratch, or load a models file.');
  }

  /** The worker's 'saved': a models file downloaded, or kept on the shelf for the next visit
   * (a run's later phases replace its own entry; a named save is always a new one). */
  saved(msg) {
    if (msg.purpose === 'download') {
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([msg.bytes], { type: 'application/octet-stream' }));
      link.download = 'flowae-models.bin';
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      return;
    }
    const name = msg.purpose === 'name' ? this.pendingName : null;
    const label = { models: this.present(), about: this.about(), bytes: msg.bytes };
    store.put({ ...label, id: name ? null : this.shelfId, name })
      .then(({ entry }) => {
        if (!name) this.shelfId = entry.id;
        this.kept++;
        if (name) this.shelf.say(`Kept as “${name}”.`);
        return this.shelf.refresh();
      })
      .catch((e) => this.showError(`This browser did not keep the models (${e.message}); download them with Save models to keep them.`));
  }

  /** The canvas that leads the page with `model`'s samples, if it has one, shown in place of
   * the picture that was there before any script. */
  hero(model) {
    const canvas = this.el.samples[model];
    if (!canvas) return null;
    this.el.pictures[model].hidden = true;
    canvas.hidden = false;
    return canvas;
  }

  /** The buttons, for the page's state: `busy` (training, paused, switching), `loading` (no
   * worker yet), `idle` (no models), `any` (some model held), `sampled` (samples to redraw). */
  sync({ busy, loading, idle, any, sampled }) {
    this.el.fromScratch.disabled = busy || loading;
    this.el.save.disabled = busy || loading || idle || !any;
    this.shelf.keepable = !this.el.save.disabled;
    this.el.load.disabled = busy || loading;
    this.el.resample.disabled = !sampled;
  }
}
