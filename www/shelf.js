// The shelf of kept models in the opening panel: each entry labelled (its name, when it was
// kept, its models, what they were trained with, their FCD where scored, what is damaged in
// it) with Load and Delete,
// and a field to keep the models now shown under a name. Storage is models-store.js; what Load
// and Keep do is the page's (app.js), through the callbacks.
import * as store from './models-store.js';
import { DATA_SETS } from './pkg/tables.js';
import { DATA, hrefWith } from './data-set.js';

export class Shelf {
  /** `root`: the shelf's <details>; `words(name)`: a model's name for people;
   * `onLoad(entry)`, `onKeep(name)`: the page's part. */
  constructor(root, { words, onLoad, onKeep }) {
    this.root = root;
    this.words = words;
    this.onLoad = onLoad;
    this.count = root.querySelector('.shelf-count');
    this.list = root.querySelector('ul');
    this.name = root.querySelector('input[name=shelf-name]');
    this.keep = root.querySelector('.shelf-keep');
    this.status = root.querySelector('.shelf-status');
    this.entries = [];
    this.keep.addEventListener('click', () => {
      const name = this.name.value.trim();
      if (!name) { this.say('Give the models a name to keep them under.'); this.name.focus(); return; }
      onKeep(name);
    });
    store.onChange(() => this.refresh());
  }

  /** Whether there are models to keep now. */
  set keepable(yes) {
    this.keep.disabled = !yes;
  }

  say(text) {
    this.status.textContent = text;
  }

  /** Draws the list again from storage. */
  async refresh() {
    this.entries = await store.entries();
    this.count.textContent = String(this.entries.length);
    this.list.replaceChildren(...this.entries.map((entry) => this.item(entry)));
    if (this.entries.length === 0) {
      const empty = document.createElement('li');
      empty.className = 'shelf-empty';
      empty.textContent = 'Nothing kept yet: each run is kept here as its phases end.';
      this.list.append(empty);
    }
  }

  item(entry) {
    const li = document.createElement('li');
    li.dataset.id = entry.id;
    const label = document.createElement('span');
    const when = new Date(entry.savedAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    const models = entry.models.length ? entry.models.map(this.words).join(', ') : 'models';
    // Models of another data set load in that data set's page: a link there, not Load.
    const learned = store.dataOf(entry);
    const other = learned === DATA.name ? null : DATA_SETS.find((s) => s.name === learned) ?? { name: learned, title: learned };
    label.textContent = [entry.name ? `“${entry.name}”` : null, when, models, other ? `learned ${other.title}` : null, entry.about || null].filter(Boolean).join(' · ');
    if (entry.damage) {
      // Kept, not opened by a visit: the visitor loads what is good in it, or deletes it.
      li.classList.add('damaged');
      const why = document.createElement('span');
      why.className = 'shelf-damage';
      why.textContent = `Damaged: ${entry.damage.message}`;
      label.append(document.createElement('br'), why);
    }
    const load = other
      ? Object.assign(document.createElement('a'), { href: hrefWith(other.name), textContent: `Open with ${other.title}`, className: 'shelf-other' })
      : button('Load', `Load ${entry.name ?? 'the models kept ' + when}`, () => this.onLoad(entry));
    const remove = button('Delete', `Delete ${entry.name ?? 'the models kept ' + when}`, async () => {
      await store.remove(entry.id);
      this.say(`Deleted ${entry.name ? `“${entry.name}”` : `the models kept ${when}`}.`);
      await this.refresh();
    });
    li.append(label, load, remove);
    return li;
  }
}

function button(text, label, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'small';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}
