// Packs an MNIST IDX image file and its label file into the page's binarized format: one bit a
// pixel (intensity >= 128), 8 pixels a byte, then gzipped. 60,000 training digits become 1.6 MB
// on the wire instead of 9.7 MB of gzipped grayscale bytes; the page fetches grayscale only when
// a visitor asks for it. The layout (read by `Digits::from_packed` in src/data.rs):
//
//   b"MNISTBIT"                     magic
//   u32 BE count, rows, cols
//   count bytes                     labels
//   ceil(count·rows·cols / 8) bytes pixel i of the whole set at byte i >> 3, bit 7 − (i & 7)
//
//   node tools/pack-mnist.mjs IMAGES LABELS OUT.gz     (an OUT not ending in .gz is not gzipped)
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const IMAGES_MAGIC = 0x803;
const LABELS_MAGIC = 0x801;

/** The packed bytes (not yet gzipped) of an IDX image file and its labels; throws on a bad file. */
export function pack(images, labels) {
  const view = (b) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (images.length < 16 || view(images).getUint32(0) !== IMAGES_MAGIC) throw new Error('not an IDX image file');
  if (labels.length < 8 || view(labels).getUint32(0) !== LABELS_MAGIC) throw new Error('not an IDX label file');
  const [count, rows, cols] = [4, 8, 12].map((at) => view(images).getUint32(at));
  const pixels = count * rows * cols;
  if (images.length !== 16 + pixels) throw new Error(`the image file should hold ${pixels} pixels after its header`);
  if (view(labels).getUint32(4) !== count || labels.length !== 8 + count) throw new Error('the label file does not match the image file');
  const out = new Uint8Array(20 + count + Math.ceil(pixels / 8));
  out.set(new TextEncoder().encode('MNISTBIT'), 0);
  [count, rows, cols].forEach((v, i) => view(out).setUint32(8 + 4 * i, v));
  out.set(labels.subarray(8), 20);
  const bits = out.subarray(20 + count);
  for (let i = 0; i < pixels; i++) if (images[16 + i] >= 128) bits[i >> 3] |= 0x80 >> (i & 7);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [images, labels, out] = process.argv.slice(2);
  if (!out) {
    console.error('usage: node tools/pack-mnist.mjs IMAGES LABELS OUT.gz');
    process.exit(2);
  }
  const packed = pack(readFileSync(images), readFileSync(labels));
  const bytes = out.endsWith('.gz') ? gzipSync(packed, { level: 9 }) : packed;
  writeFileSync(`${out}.tmp`, bytes);
  renameSync(`${out}.tmp`, out);
}
