// The visitor's own images, once confirmed: kept in this browser (IndexedDB, through
// idb-keyval) so that the page trains on them again on the next visit and offline, and handed
// to every worker the page starts (worker-client.js) as that worker's data set. They are never
// sent anywhere: the page reads the files, the worker makes them inputs, and this keeps the
// result (784 bytes an image, not the files).
import { del, get, set } from './vendor/idb-keyval.js';

const KEY = 'flowae-own';

let settle;
/** The confirmed images: `{pixels, labels, classes, count}`, once there are some. */
const confirmed = new Promise((resolve) => { settle = resolve; });

/** The images every worker trains on: resolves when the visitor confirms some (or at once
 * when this browser kept some). */
export const ownImages = () => confirmed;

/** The images this browser kept on an earlier visit, or null (none, storage off, damaged). */
export async function keptImages() {
  try {
    const kept = await get(KEY);
    const ok = kept && kept.pixels instanceof Uint8Array && kept.labels instanceof Uint8Array && Array.isArray(kept.classes)
      && kept.pixels.length === kept.count * 784 && (kept.labels.length === 0 || kept.labels.length === kept.count);
    return ok ? kept : null;
  } catch {
    return null;
  }
}

/** Makes `images` the set trained on: kept (where storage allows, and unless `keep` is false:
 * they were kept already; `{kept}` says whether) and given to the workers. A page holds one
 * set: replacing it opens the page again. */
export async function confirm(images, { keep = true } = {}) {
  let kept = !keep;
  if (keep) {
    try { await set(KEY, images); kept = true; } catch { /* storage off: used, not kept */ }
  }
  settle(images);
  return { kept };
}

/** Forgets the kept images (the page then asks for new ones). */
export async function forget() {
  try { await del(KEY); } catch { /* storage off: nothing kept */ }
}
