// The visitor's own pictures made a data set, in the browser: files chosen, a folder chosen or
// dropped, or a zip (read a slice at a time, zip-reader.js), decoded by the browser (PNG, JPEG,
// and whatever else it decodes), and made 28 × 28 inputs the MNIST way by the worker
// (src/digitize.rs). Sub-folders name the classes, when there are two to ten of them. Nothing
// here sends anything anywhere.
import { zipEntries } from './zip-reader.js';
import { DATA_SETS } from './pkg/tables.js';

/** How many images a set must and may have (src/limits.rs's OWN_IMAGES, through tables.js). */
export const [MIN_IMAGES, MAX_IMAGES] = DATA_SETS.find((set) => set.images)?.images ?? [50, 70_000];
/** A zip larger than this is refused by its size, before any of it is read: MNIST's 70,000
 * digits are 20 MB as PNGs in a zip; half a gigabyte of pictures would take many minutes to
 * read here, and a 2 GB file is more than a tab should be asked to hold. */
export const ZIP_LIMIT = 500_000_000;
/** Pictures are decoded at most this many pixels on their longer side: the MNIST way brings
 * them to 20, so more only costs memory and time. */
const MAX_SIDE = 256;
/** Pictures sent to the worker at a time. */
const CHUNK = 32;
const PICTURE = /\.(png|jpe?g|gif|webp|bmp|avif)$/i;

const megabytes = (bytes) => `${(bytes / 1e6).toLocaleString(undefined, { maximumFractionDigits: 1 })} MB`;

/** A picture to read: its path (folders included, for its label) and how to get its bytes
 * (`blob`), or its pixels already (`picture`: {rgba, width, height}, a drawing). */
const source = (path, blob) => ({ path, blob });

/** The pictures among `files` (a FileList or array of File; a folder's carry their
 * webkitRelativePath), zips opened: `{sources, skipped}`, `skipped` the files left out and
 * why. A zip over ZIP_LIMIT is refused by its size, unread. */
export async function picturesIn(files) {
  const sources = [];
  const skipped = [];
  for (const file of files) {
    const path = file.webkitRelativePath || file.relativePath || file.name;
    if (/\.zip$/i.test(file.name) || file.type === 'application/zip') {
      if (file.size > ZIP_LIMIT) {
        skipped.push({ path, why: `a zip of ${megabytes(file.size)}, more than the ${megabytes(ZIP_LIMIT)} this page reads (it was not opened): unzip it and choose the folder, or zip fewer pictures` });
        continue;
      }
      try {
        for (const entry of await zipEntries(file)) {
          if (PICTURE.test(entry.path) && !entry.path.split('/').some((part) => part.startsWith('.') || part === '__MACOSX')) {
            sources.push({ path: `${path}/${entry.path}`, blob: async () => new Blob([await entry.read()]) });
          }
        }
      } catch (e) {
        skipped.push({ path, why: `this zip cannot be read: ${e.message}` });
      }
    } else if (PICTURE.test(file.name) || file.type.startsWith('image/')) {
      sources.push(source(path, async () => file));
    } else if (!file.name.startsWith('.')) {
      skipped.push({ path, why: 'not a picture (PNG, JPEG, GIF, WebP, BMP)' });
    }
  }
  return { sources, skipped };
}

/** The files of a drop (a DataTransfer), folders walked: each File carries `relativePath`. */
export async function droppedFiles(transfer) {
  const entries = [...transfer.items].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
  if (entries.length === 0) return [...transfer.files];
  const files = [];
  const walk = async (entry, prefix) => {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      Object.defineProperty(file, 'relativePath', { value: `${prefix}${file.name}` });
      files.push(file);
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  };
  for (const entry of entries) await walk(entry, '');
  return files;
}

/** The classes of `paths`: the folder each picture is in, when there are two to ten of them
 * (`{labels, classes, note}`); else none (`labels` empty) and `note` says why, if worth saying. */
export function labelsOf(paths) {
  const folders = paths.map((path) => path.split('/').slice(-2, -1)[0] ?? '');
  const names = [...new Set(folders)].sort((a, b) => a.localeCompare(b));
  if (names.length > 10) return { labels: new Uint8Array(0), classes: [], note: `${names.length} folders are more than the ten classes the models' map can colour: they are used without labels` };
  if (names.length < 2) return { labels: new Uint8Array(0), classes: [], note: null };
  return { labels: Uint8Array.from(folders, (f) => names.indexOf(f)), classes: names, note: null };
}

/** A picture's pixels at most MAX_SIDE on its longer side, as a canvas gives them. */
async function decode(blob) {
  const bitmap = await createImageBitmap(blob);
  try {
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const [width, height] = [bitmap.width, bitmap.height].map((side) => Math.max(1, Math.round(side * scale)));
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    context.imageSmoothingQuality = 'high';
    context.drawImage(bitmap, 0, 0, width, height);
    return { rgba: context.getImageData(0, 0, width, height).data, width, height };
  } finally {
    bitmap.close();
  }
}

/**
 * Reads `sources` (picturesIn's) into images: each decoded, then made an input by
 * `digitize(pictures)` (the worker's 'digitize', resolving `{images, errors}`), CHUNK at a time.
 * `onProgress(done, total)` after each chunk; `cancelled()` stops early. Resolves `{pixels,
 * labels, classes, count, skipped, note}`: only the pictures that made an image, their labels.
 */
export async function readPictures(sources, { digitize, onProgress = () => {}, cancelled = () => false }) {
  const taken = sources.slice(0, MAX_IMAGES);
  const skipped = sources.length > MAX_IMAGES ? [{ path: `${(sources.length - MAX_IMAGES).toLocaleString()} more pictures`, why: `only the first ${MAX_IMAGES.toLocaleString()} are read` }] : [];
  const pixels = new Uint8Array(taken.length * 784);
  const kept = [];
  for (let start = 0; start < taken.length && !cancelled(); start += CHUNK) {
    const chunk = taken.slice(start, start + CHUNK);
    const decoded = await Promise.all(chunk.map(async ({ path, blob, picture }) => {
      try {
        return { path, picture: picture ?? await decode(await blob()) };
      } catch (e) {
        return { path, why: `cannot be read as a picture (${e.message || e.name})` };
      }
    }));
    const readable = decoded.filter((d) => d.picture);
    const { images, errors } = readable.length ? await digitize(readable.map((d) => d.picture)) : { images: new Uint8Array(0), errors: [] };
    readable.forEach((d, i) => {
      if (errors[i]) { skipped.push({ path: d.path, why: errors[i] }); return; }
      pixels.set(images.subarray(i * 784, (i + 1) * 784), kept.length * 784);
      kept.push(d.path);
    });
    for (const d of decoded) if (!d.picture) skipped.push({ path: d.path, why: d.why });
    onProgress(Math.min(start + CHUNK, taken.length), taken.length);
  }
  const { labels, classes, note } = labelsOf(kept);
  return { pixels: pixels.slice(0, kept.length * 784), labels, classes, count: kept.length, skipped, note };
}
