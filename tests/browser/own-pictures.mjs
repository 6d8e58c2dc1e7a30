// Pictures for the tests and the bench of your own images: PNGs drawn in a page (varied sizes
// and colours) and a zip of files, written here as zip tools write them.
import { deflateRawSync } from 'node:zlib';

/** `count` PNGs drawn in the page: bars and rings of varied sizes and colours, dark on light
 * and light on dark, some on a transparent background. */
export async function pngs(page, count, offset = 0) {
  const encoded = await page.evaluate(async ({ count, offset }) => {
    const out = [];
    for (let n = offset; n < offset + count; n++) {
      const [width, height] = [40 + (n * 37) % 300, 50 + (n * 53) % 260];
      const canvas = new OffscreenCanvas(width, height);
      const c = canvas.getContext('2d');
      const dark = n % 3 === 0;
      if (n % 5 !== 4) { c.fillStyle = dark ? `rgb(${n % 40}, 10, 30)` : `rgb(250, ${230 + (n % 20)}, 220)`; c.fillRect(0, 0, width, height); }
      c.strokeStyle = dark ? `hsl(${n * 29}, 90%, 75%)` : `hsl(${n * 29}, 80%, 25%)`;
      c.lineWidth = Math.max(3, Math.min(width, height) / 8);
      c.beginPath();
      if (n % 2) c.ellipse(width / 2, height / 2, width / 3, height / 3, 0, 0, Math.PI * 2);
      else { c.moveTo(width * 0.5, height * 0.15); c.lineTo(width * (0.3 + (n % 4) / 10), height * 0.85); }
      c.stroke();
      const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
      out.push(btoa(String.fromCharCode(...bytes)));
    }
    return out;
  }, { count, offset });
  return encoded.map((b64) => Buffer.from(b64, 'base64'));
}

/** CRC-32 (zip's), for the zip written below. */
function crc32(bytes) {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** A zip of `files` ({path, bytes}), deflated, written as zip tools do. */
export function zip(files) {
  const locals = [];
  const central = [];
  let offset = 0;
  for (const { path, bytes } of files) {
    const name = Buffer.from(path);
    const packed = deflateRawSync(bytes);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0); header.writeUInt16LE(20, 4); header.writeUInt16LE(8, 8);
    header.writeUInt32LE(crc32(bytes), 14); header.writeUInt32LE(packed.length, 18); header.writeUInt32LE(bytes.length, 22);
    header.writeUInt16LE(name.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0); entry.writeUInt16LE(20, 4); entry.writeUInt16LE(20, 6); entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(crc32(bytes), 16); entry.writeUInt32LE(packed.length, 20); entry.writeUInt32LE(bytes.length, 24);
    entry.writeUInt16LE(name.length, 28); entry.writeUInt32LE(offset, 42);
    locals.push(header, name, packed);
    central.push(entry, name);
    offset += 30 + name.length + packed.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(files.length, 8); end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(dir.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}
