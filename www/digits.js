// Drawing digits: Float32Arrays of 784 values in [0, 1] per digit, white on black.

const SIDE = 28;
const GAP = 2;

/**
 * Draws `count` digits from `pixels` on `canvas` in rows of `columns`. The canvas is sized in
 * digit pixels; CSS scales it up with `image-rendering: pixelated`. With `binarize`, each pixel
 * is rounded to 0 or 1, as the paper shows its samples.
 */
export function drawDigits(canvas, pixels, count, columns, { binarize = false } = {}) {
  const rows = Math.ceil(count / columns);
  const width = columns * (SIDE + GAP) + GAP;
  const height = rows * (SIDE + GAP) + GAP;
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(width, height);
  image.data.fill(40);
  for (let n = 0; n < count; n++) {
    const top = GAP + Math.floor(n / columns) * (SIDE + GAP);
    const left = GAP + (n % columns) * (SIDE + GAP);
    for (let i = 0; i < SIDE * SIDE; i++) {
      let v = pixels[n * SIDE * SIDE + i];
      v = Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
      if (binarize) v = v >= 0.5 ? 1 : 0;
      const at = ((top + Math.floor(i / SIDE)) * width + left + (i % SIDE)) * 4;
      image.data[at] = image.data[at + 1] = image.data[at + 2] = Math.round(v * 255);
    }
  }
  for (let i = 3; i < image.data.length; i += 4) image.data[i] = 255;
  ctx.putImageData(image, 0, 0);
}

/**
 * Interleaves test digits and their reconstructions: a row of `columns` originals, then the
 * same digits reconstructed underneath, and so on.
 */
export function interleaveRows(inputs, outputs, count, columns) {
  const out = new Float32Array(count * 2 * SIDE * SIDE);
  const row = columns * SIDE * SIDE;
  for (let r = 0; r * columns < count; r++) {
    const from = r * row;
    const n = Math.min(row, count * SIDE * SIDE - from);
    out.set(inputs.subarray(from, from + n), 2 * r * row);
    out.set(outputs.subarray(from, from + n), (2 * r + 1) * row);
  }
  return out;
}
