// The models this browser keeps between visits: a shelf of models files in IndexedDB
// (idb-keyval), and a flag in localStorage that index.html reads before any module has loaded,
// so that a visitor with kept models does not download the pretrained ones too. Storage can be
// off (private windows): then nothing is kept and the pretrained models show.
//
// The shelf holds the last AUTO_KEPT runs, kept as each phase ends (a run's later phases
// replace its own earlier snapshot, never another run), and any number of named saves, which
// nothing but their Delete removes. Each entry's bytes sit under their own key; the list of
// entries is written after them, so a reload mid-write leaves the old list whole (the orphaned
// bytes are swept at the next write). Tabs take turns through a Web Lock and tell each other
// of changes on a BroadcastChannel.
import { del, delMany, get, keys, set } from './vendor/idb-keyval.js';

/** Runs kept automatically; named saves are not counted. */
export const AUTO_KEPT = 3;
const LIST_KEY = 'flowae-shelf';
const bytesKey = (id) => `flowae-shelf:${id}`;
/** The single slot of earlier versions, moved onto the shelf when first seen. */
const LEGACY_KEY = 'flowae-models';
/** Read by index.html's inline script under this name. */
const KEPT_FLAG = 'flowae-kept';

const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('flowae-shelf') : null;

/** One writer at a time across this browser's tabs (where the browser has Web Locks). */
function exclusively(work) {
  return navigator.locks?.request ? navigator.locks.request(LIST_KEY, work) : work();
}

/** The entries, newest first: `{id, name, savedAt, models, about}` (no bytes). */
export async function entries() {
  try {
    let list = await get(LIST_KEY);
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

/** The bytes of entry `id`, or null. */
export async function bytesOf(id) {
  try {
    return (await get(bytesKey(id))) ?? null;
  } catch {
    return null;
  }
}

/** The newest entry with its bytes, `{entry, bytes}`, or null: what a visit opens with. */
export async function latest() {
  for (const entry of await entries()) {
    const bytes = await bytesOf(entry.id);
    if (bytes) return { entry, bytes };
  }
  return null;
}

/** Keeps `bytes` as entry `id` (a new one when null) with its label; returns the entry.
 * Rejects with the browser's reason (a full quota), having changed nothing else. */
export async function put({ id = null, name = null, models = [], about = '', bytes }) {
  const entry = { id: id ?? newId(), name, savedAt: Date.now(), models, about };
  const dropped = await exclusively(async () => {
    await set(bytesKey(entry.id), bytes);
    const list = ((await get(LIST_KEY)) ?? []).filter((e) => e.id !== entry.id);
    list.push(entry);
    // The oldest automatic entries beyond AUTO_KEPT go; named ones stay.
    const auto = list.filter((e) => !e.name).sort((a, b) => b.savedAt - a.savedAt);
    const gone = new Set(auto.slice(AUTO_KEPT).map((e) => e.id));
    await set(LIST_KEY, list.filter((e) => !gone.has(e.id)));
    await sweep(list.filter((e) => !gone.has(e.id)));
    return gone;
  });
  try { localStorage.setItem(KEPT_FLAG, '1'); } catch { /* the pretrained models are fetched again */ }
  channel?.postMessage('changed');
  return { entry, dropped: dropped.size };
}

/** Removes entry `id` and its bytes. */
export async function remove(id) {
  const left = await exclusively(async () => {
    const list = ((await get(LIST_KEY)) ?? []).filter((e) => e.id !== id);
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
  const stray = (await keys()).filter((k) => typeof k === 'string' && k.startsWith('flowae-shelf:') && !named.has(k));
  if (stray.length) await delMany(stray);
}

/** Stops offering kept models at the next visit (none left, or they could not be loaded). */
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
