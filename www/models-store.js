// The models this browser keeps between visits: a shelf of models files in IndexedDB
// (idb-keyval), and a flag in localStorage that index.html reads before any module has loaded,
// so that a visitor with kept models does not download the pretrained ones too. Storage can be
// off (private windows): then nothing is kept and the pretrained models show.
//
// The shelf holds the last AUTO_KEPT runs, kept as each phase ends (a run's later phases
// replace its own earlier snapshot, never another run), and any number of named entries (saved
// under a name, or a file the visitor loaded, under its file's name), which nothing but their
// Delete removes. Each entry's bytes sit under their own key; the list of entries is written
// after them, so a reload mid-write leaves the old list whole (the orphaned bytes are swept at
// the next write). A list found damaged (not a list, or entries that are not entries) is
// rebuilt from the bytes it should name, so that one bad write never stops the shelf for good.
// An entry whose models could not be used is marked `damage` and kept, for the visitor to load
// what is good in it or delete it; a visit opens the newest entry without a mark. Tabs take
// turns through a Web Lock and tell each other of changes on a BroadcastChannel.
import { del, delMany, get, keys, set } from './vendor/idb-keyval.js';
import { DATA_SETS } from './pkg/tables.js';

/** The data set of an entry: what it was kept with, else the default (entries kept before
 * there was a second data set learned MNIST). */
export const dataOf = (entry) => entry.data ?? DATA_SETS[0].name;

/** Runs kept automatically; named entries are not counted. */
export const AUTO_KEPT = 3;
const LIST_KEY = 'flowae-shelf';
const BYTES_PREFIX = 'flowae-shelf:';
const bytesKey = (id) => `${BYTES_PREFIX}${id}`;
/** The single slot of earlier versions, moved onto the shelf when first seen. */
const LEGACY_KEY = 'flowae-models';
/** Read by index.html's inline script under this name. */
const KEPT_FLAG = 'flowae-kept';

const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('flowae-shelf') : null;

/** One writer at a time across this browser's tabs (where the browser has Web Locks). */
function exclusively(work) {
  return navigator.locks?.request ? navigator.locks.request(LIST_KEY, work) : work();
}

/** Whether `entry` is an entry as put() writes it (what a damaged list may not hold). */
function isEntry(entry) {
  return entry !== null && typeof entry === 'object' && typeof entry.id === 'string' && entry.id.length > 0
    && Number.isFinite(entry.savedAt) && Array.isArray(entry.models) && entry.models.every((m) => typeof m === 'string')
    && (entry.name === null || typeof entry.name === 'string') && (entry.about === undefined || typeof entry.about === 'string')
    && (entry.data === undefined || typeof entry.data === 'string');
}

/** When an entry was kept, read back from its id (newId): for entries rebuilt from their bytes. */
function savedAtOf(id) {
  const time = parseInt(id.split('-')[0], 36);
  return Number.isFinite(time) && time > 0 ? time : 0;
}

/**
 * The stored list as it should be: `{list, repaired}`. A list that is not an array, or entries
 * that are not entries, are rebuilt from the bytes under BYTES_PREFIX (each a recovered entry
 * with no name and no label) and `repaired` says so; the caller writes the list back.
 */
async function readList() {
  const stored = await get(LIST_KEY);
  if (stored === undefined) return { list: null, repaired: false };
  const good = Array.isArray(stored) ? stored.filter(isEntry) : [];
  if (Array.isArray(stored) && good.length === stored.length) return { list: stored, repaired: false };
  const named = new Set(good.map((e) => bytesKey(e.id)));
  const orphans = (await keys()).filter((k) => typeof k === 'string' && k.startsWith(BYTES_PREFIX) && !named.has(k));
  const recovered = orphans.map((key) => {
    const id = key.slice(BYTES_PREFIX.length);
    return { id, name: null, savedAt: savedAtOf(id), models: [], about: 'recovered after the list of kept models was damaged' };
  });
  return { list: [...good, ...recovered], repaired: true };
}

/** The entries, newest first: `{id, name, savedAt, models, about, damage?}` (no bytes). */
export async function entries() {
  try {
    let { list, repaired } = await readList();
    if (repaired) list = await exclusively(async () => {
      // Read again under the lock: another tab may have repaired it meanwhile.
      const again = await readList();
      if (again.repaired) await set(LIST_KEY, again.list);
      return again.list;
    });
    if (!list) {
      if (!(await get(LEGACY_KEY))?.bytes) return [];   // nothing kept: no lock taken
      list = await exclusively(async () => {
        // Read again under the lock: another tab may have moved the old slot meanwhile.
        const moved = await get(LIST_KEY);
        if (moved) return moved;
        const legacy = await get(LEGACY_KEY);
        if (!legacy?.bytes) return [];
        const entry = { id: newId(), name: null, savedAt: legacy.savedAt ?? Date.now(), models: [], about: 'kept by an earlier version of this page' };
        await set(bytesKey(entry.id), legacy.bytes);
        await set(LIST_KEY, [entry]);
        await del(LEGACY_KEY);
        return [entry];
      });
    }
    return [...list].sort((a, b) => b.savedAt - a.savedAt);
  } catch {
    return [];
  }
}

/** The list under the lock, repaired if it was damaged (see readList). */
async function lockedList() {
  return (await readList()).list ?? [];
}

/** The bytes of entry `id`, or null. */
export async function bytesOf(id) {
  try {
    return (await get(bytesKey(id))) ?? null;
  } catch {
    return null;
  }
}

/** The newest entry of data set `data` not marked damaged (nor in `skip`, ids passed over
 * already), with its bytes, `{entry, bytes}`, or null: what a visit opens with. */
export async function latest(skip = new Set(), data = DATA_SETS[0].name) {
  for (const entry of await entries()) {
    if (entry.damage || skip.has(entry.id) || dataOf(entry) !== data) continue;
    const bytes = await bytesOf(entry.id);
    if (bytes) return { entry, bytes };
  }
  return null;
}

/** Keeps `bytes` as entry `id` (a new one when null) with its label and its data set's name;
 * returns `{entry, dropped}`, `dropped` the unnamed entries of that data set that left to keep
 * AUTO_KEPT of them. Rejects with the browser's reason (a full quota), having changed nothing
 * else. A run's later phase (`id` given) keeps the name and mark its entry had. */
export async function put({ id = null, name = null, models = [], about = '', data = DATA_SETS[0].name, bytes }) {
  let entry = null;
  const dropped = await exclusively(async () => {
    const list = await lockedList();
    const old = id === null ? null : list.find((e) => e.id === id);
    entry = { id: id ?? newId(), name: name ?? old?.name ?? null, savedAt: Date.now(), models, about, data };
    await set(bytesKey(entry.id), bytes);
    const rest = list.filter((e) => e.id !== entry.id);
    rest.push(entry);
    // The oldest automatic entries of this data set beyond AUTO_KEPT go; named ones stay.
    const auto = rest.filter((e) => !e.name && dataOf(e) === data).sort((a, b) => b.savedAt - a.savedAt);
    const gone = auto.slice(AUTO_KEPT);
    const kept = rest.filter((e) => !gone.includes(e));
    await set(LIST_KEY, kept);
    await sweep(kept);
    return gone;
  });
  try { localStorage.setItem(KEPT_FLAG, '1'); } catch { /* the pretrained models are fetched again */ }
  channel?.postMessage('changed');
  return { entry, dropped };
}

/** Marks entry `id` as damaged (`damage`: {message, broken: [{model, message}], models: the
 * good ones}), or clears its mark (`damage` null). A visit no longer opens a marked entry. */
export async function mark(id, damage) {
  await exclusively(async () => {
    const list = await lockedList();
    const entry = list.find((e) => e.id === id);
    if (!entry) return;
    if (damage) entry.damage = damage;
    else delete entry.damage;
    await set(LIST_KEY, list);
  });
  channel?.postMessage('changed');
}

/** Removes entry `id` and its bytes. */
export async function remove(id) {
  const left = await exclusively(async () => {
    const list = (await lockedList()).filter((e) => e.id !== id);
    await set(LIST_KEY, list);
    await del(bytesKey(id));
    return list.length;
  });
  if (left === 0) forget();
  channel?.postMessage('changed');
}

/** Deletes bytes that no entry of `list` names (left by a reload mid-write, or dropped). */
async function sweep(list) {
  const named = new Set(list.map((e) => bytesKey(e.id)));
  const stray = (await keys()).filter((k) => typeof k === 'string' && k.startsWith(BYTES_PREFIX) && !named.has(k));
  if (stray.length) await delMany(stray);
}

/** Stops offering kept models at the next visit (none left). */
export function forget() {
  try { localStorage.removeItem(KEPT_FLAG); } catch { /* nothing kept */ }
}

/** Calls `callback` when another tab changes the shelf. */
export function onChange(callback) {
  channel?.addEventListener('message', () => callback());
}

function newId() {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
