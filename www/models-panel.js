// The opening panel's models: which models the worker holds and where they came from (the
// pretrained ones shipped with the page, kept ones from this browser's shelf, a file the visitor
// chose, or a run), the shelf, and the models as a file (Save, Load).
//
// The worker loads a file only once every model in it has drawn samples that are numbers and not
// saturated everywhere ('loaded'); a file with some models that cannot be used asks first
// ('load-question'): its good models load only if the visitor says so. What is kept is never
// lost to a failure that is not the file's: when the data a kept file needs cannot be
// downloaded, the entry stays and the visitor can try again; an entry whose models cannot be
// used is marked damaged on the shelf (a visit no longer opens it), for the visitor to load
// what is good in it or delete it. Meanwhile the pretrained models show.
// Storage is models-store.js; the worker's side is its 'load' and 'save' commands.
import * as store from './models-store.js';
import { Shelf } from './shelf.js';
import { PRETRAINED, download } from './worker-client.js';
import { DATA } from './data-set.js';
import { MODELS } from './pkg/tables.js';
import { save } from './take-away.js';

const ORIGINS = {
  pretrained: 'the pretrained models shipped with the page',
  saved: 'your models kept by this browser',
  file: 'the models from the file you chose',
  moved: 'the models trained here',
};

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
      ask: $('models-ask'), askText: $('models-ask-text'),
      samples: { flow: $('hero-flow'), wgan: $('hero-wgan') },
      pictures: { flow: $('hero-flow-picture'), wgan: $('hero-wgan-picture') },
    };
    // A data set with no models trained in advance: the pictures of MNIST's are not its
    // samples, so its boxes say what will appear there instead.
    if (!PRETRAINED) {
      for (const model of Object.keys(this.el.samples)) {
        this.hero(model).closest('figure').dataset.empty = `${MODELS.find((m) => m.name === model).label}'s samples of ${DATA.title} appear here as it learns: press Train from scratch.`;
      }
    }
    this.loaded = null;            // {models, origin} of the last models file loaded
    this.restoring = null;         // 'saved' or 'pretrained' while the opening models load
    /** The load under way: {origin, entry (a shelf entry), name (a chosen file's), bytes}. */
    this.loading = null;
    this.justLoaded = false;       // the next 'done' comes from a load, not from training
    this.shelfId = null;           // the shelf entry this run's models are kept as
    this.pendingName = null;       // the name the visitor keeps the next models under
    this.keepFileAs = null;        // the name a chosen file's models are kept under
    this.kept = 0;                 // models kept on the shelf this visit
    this.passedOver = new Set();   // shelf entries found damaged this visit (even if the mark
                                   // could not be written): not opened again
    this.shelf = new Shelf($('shelf'), {
      words,
      onLoad: async (entry) => {
        const bytes = await store.bytesOf(entry.id);
        if (!bytes) { this.shelf.say('Those models are gone from this browser.'); await this.shelf.refresh(); return; }
        this.clearError();
        this.load({ origin: 'saved', entry, bytes });
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
      this.load({ origin: 'file', name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
    });
  }

  /** The status line: `text`, and `note` after it (a word on the shelf, until the next line). */
  say(text, note = '') {
    this.said = text;
    this.el.status.textContent = note ? `${text} ${note}` : text;
  }

  /** Asks the worker to load `load.bytes` (see `loading`). A load the visitor asked for closes
   * any question or offer left open; the opening models (`restore`) leave an offer to try
   * again in place. */
  load(load) {
    if (load.origin !== 'pretrained' && !this.restoring) this.dismiss();
    this.loading = load;
    this.send({ type: 'load', bytes: load.bytes, origin: load.origin });
  }

  /** Puts a question (or an offer) under the status line: `text`, and a button per choice
   * ({label, act}); any choice closes it. */
  ask(text, choices) {
    this.el.askText.textContent = text;
    const buttons = choices.map(({ label, act }) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = label;
      button.addEventListener('click', () => { this.dismiss(); act(); });
      return button;
    });
    this.el.ask.replaceChildren(this.el.askText, ...buttons);
    this.el.ask.hidden = false;
  }

  dismiss() {
    this.el.ask.hidden = true;
    this.el.ask.replaceChildren(this.el.askText);
  }

  /** The opening models: the newest kept ones not marked damaged if this browser has any (and
   * `useKept`), else the pretrained ones. */
  async restore(useKept = true) {
    if (!this.pretrained) {
      this.say('No models loaded yet: press Train from scratch.');
      return;
    }
    const stored = useKept ? await store.latest(this.passedOver, DATA.name) : null;
    // The visitor may have started a run meanwhile: it is not replaced.
    if (!this.mayRestore()) { this.say('Training from scratch.'); return; }
    if (!stored && !PRETRAINED) {
      this.say(`No models loaded yet (none are shipped for ${DATA.title}): press Train from scratch.`);
      return;
    }
    this.restoring = stored ? 'saved' : 'pretrained';
    this.say('Loading models…');
    if (stored) {
      this.load({ origin: 'saved', entry: stored.entry, bytes: stored.bytes });
      return;
    }
    try {
      const bytes = await download(PRETRAINED);
      if (this.mayRestore()) this.load({ origin: 'pretrained', bytes });
    } catch (e) {
      this.restoring = null;
      this.say(`The pretrained models could not be loaded (${e.message}): press Train from scratch.`);
      this.ask('The pretrained models could not be downloaded.', [{ label: 'Try again', act: () => this.restore(false) }]);
    }
  }

  /** A kept entry's label for a message. */
  static entryWords(entry) {
    return entry?.name ? `“${entry.name}”` : 'kept from an earlier visit';
  }

  /** The worker's 'loaded': its models are now the file's, each seen to sample. (Not `loaded`:
   * that is the field saying which models were loaded last.) */
  opened(msg) {
    this.restoring = null;
    const load = this.loading;
    this.loading = null;
    // Models moved to another backend are still those of the last file or run.
    const origin = msg.origin === 'moved' ? (this.loaded?.origin ?? 'moved') : msg.origin;
    this.loaded = { models: msg.models, origin };
    this.justLoaded = true;
    this.say(`Showing ${ORIGINS[origin] ?? 'loaded models'}: ${msg.models.map(this.words).join(', ')}.`);
    // Training on from loaded models is kept as a new run.
    if (msg.origin !== 'moved') this.shelfId = null;
    // A chosen file is kept under its name (never rolled off as runs are), its good models
    // only when the visitor chose to load those.
    if (msg.origin === 'file') {
      this.keepFileAs = load?.name ?? 'a chosen file';
      this.send({ type: 'save', purpose: 'file' });
    }
  }

  /** The worker's 'load-question': some of the file's models cannot be used. A file chosen or
   * an entry loaded by the visitor asks whether to load the rest; the entry a visit opens is
   * marked damaged instead (so that it greets no later visit) and the next good models open. */
  question(msg) {
    const load = this.loading;
    const good = msg.models.map(this.words).join(', ');
    const bad = msg.broken.map((b) => `its ${this.words(b.model)} cannot be used (${b.message})`).join('; ');
    const broken = msg.broken.map((b) => this.words(b.model)).join(' and ');
    const damage = { message: `${broken} cannot be used`, broken: msg.broken, models: msg.models };
    if (this.restoring === 'saved' && load?.entry) {
      this.send({ type: 'load-discard' });
      this.loading = null;
      this.restoring = null;
      this.showError(`Your kept models (${ModelsPanel.entryWords(load.entry)}): ${bad}. They stay on the shelf, marked damaged: load ${good} from there, or delete them.`);
      this.markDamaged(load.entry, damage, true);
      return;
    }
    const what = {
      file: `The file ${load?.name ? `“${load.name}”` : 'you chose'}`,
      saved: `The kept models (${ModelsPanel.entryWords(load?.entry)})`,
      pretrained: 'The pretrained models',
    }[msg.origin] ?? 'The models carried to the new backend';
    this.say(`${what}: ${bad}.`);
    this.ask(`Load only ${good}? The models shown now stay until you choose.`, [
      { label: `Load ${good}`, act: () => this.send({ type: 'load-accept' }) },
      { label: 'Cancel', act: () => { this.send({ type: 'load-discard' }); this.loading = null; this.say('Nothing was loaded: the models shown are as they were.'); } },
    ]);
    if (msg.origin === 'saved' && load?.entry) this.markDamaged(load.entry, damage, false);
  }

  /** Marks a shelf entry damaged (store.mark), then, when `reopen`, opens the next good models:
   * after the mark is written, so that the entry is not picked again. */
  async markDamaged(entry, damage, reopen) {
    this.passedOver.add(entry.id);
    try {
      await store.mark(entry.id, damage);
    } catch {
      // Storage refused the mark: this visit still passes the entry over (passedOver).
    }
    await this.shelf.refresh();
    if (reopen) await this.restore();
  }

  /** A worker error. Only a load's own errors concern the models (its command is 'load' or
   * 'load-accept'): a run refused meanwhile says nothing about them. */
  failed(msg) {
    if (msg.command !== 'load' && msg.command !== 'load-accept') { this.showError(msg.message); return; }
    const load = this.loading;
    this.loading = null;
    const opening = this.restoring === 'saved';
    this.restoring = null;
    if (msg.download) {
      // The file is fine; the data it needs did not come. Nothing is marked or removed.
      const what = load?.entry ? `Your kept models (${ModelsPanel.entryWords(load.entry)})` : load?.name ? `The file “${load.name}”` : 'These models';
      this.showError(`${what} could not be opened: ${msg.message}. Nothing is wrong with them, and they are still kept${opening ? '; the pretrained models show meanwhile' : ''}.`);
      if (load) this.ask(`${what} need data that did not download.`, [{ label: 'Try again', act: () => { this.clearError(); this.load(load); } }]);
      if (opening) this.restore(false);
      return;
    }
    if (load?.entry) {
      const damage = { message: `it cannot be opened (${msg.message})`, broken: [], models: [] };
      this.showError(`${msg.message}. (These kept models, ${ModelsPanel.entryWords(load.entry)}, cannot be used: they stay on the shelf, marked damaged, until you delete them${opening ? '; other models open meanwhile' : ''}.)`);
      this.markDamaged(load.entry, damage, opening);
      return;
    }
    if (load?.origin === 'pretrained') {
      this.say(`The pretrained models could not be loaded (${msg.message}): press Train from scratch.`);
    }
    this.showError(msg.message);
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
   * (a run's later phases replace its own entry; a named save or a chosen file is a new one). */
  saved(msg) {
    if (msg.purpose === 'download') {
      save(new Blob([msg.bytes], { type: 'application/octet-stream' }), 'flowae-models.bin');
      return;
    }
    const name = msg.purpose === 'name' ? this.pendingName : msg.purpose === 'file' ? this.keepFileAs : null;
    const label = { models: this.present(), about: this.about(), data: DATA.name, bytes: msg.bytes };
    store.put({ ...label, id: name ? null : this.shelfId, name })
      .then(({ entry, dropped }) => {
        if (!name) this.shelfId = entry.id;
        this.kept++;
        if (msg.purpose === 'name') this.shelf.say(`Kept as “${name}”.`);
        if (msg.purpose === 'file') this.shelf.say(`Kept as “${name}”, until you delete it.`);
        if (dropped.length) {
          const when = dropped.map((e) => new Date(e.savedAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })).join(', ');
          const text = `To keep this run, the oldest unnamed run (kept ${when}) left this browser: it keeps the last ${store.AUTO_KEPT} unnamed runs. Keep a run under a name to hold on to it.`;
          this.shelf.say(text);
          this.say(this.said ?? '', text);
        }
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
    for (const button of this.el.ask.querySelectorAll('button')) button.disabled = busy || loading;
  }
}
