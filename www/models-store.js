// The models this browser keeps between visits: one IndexedDB entry (idb-keyval), and a flag in
// localStorage that index.html reads before any module has loaded, so that a visitor with kept
// models does not download the pretrained ones too. Storage can be off (private windows): then
// nothing is kept and the pretrained models show.
import { get, set } from './vendor/idb-keyval.js';

const SAVED_KEY = 'flowae-models';
/** Read by index.html's inline script under this name. */
const KEPT_FLAG = 'flowae-kept';

/** The kept models, `{bytes, savedAt}`, or null (none, or storage is off). */
export async function kept() {
  try {
    const stored = await get(SAVED_KEY);
    return stored?.bytes ? stored : null;
  } catch {
    return null;
  }
}

/** Keeps a models file for the next visit; rejects with the browser's reason (a full quota). */
export async function keep(bytes) {
  await set(SAVED_KEY, { bytes, savedAt: Date.now() });
  try { localStorage.setItem(KEPT_FLAG, '1'); } catch { /* the pretrained models are fetched again */ }
}

/** Stops offering the kept models at the next visit (they could not be loaded). */
export function forget() {
  try { localStorage.removeItem(KEPT_FLAG); } catch { /* nothing kept */ }
}
