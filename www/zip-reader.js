// The files inside a zip, read a slice at a time from the File (never the whole archive at
// once) and inflated with the browser's own DecompressionStream: no library on the wire. Only
// what a folder of pictures needs: stored and deflated entries, read through the central
// directory (so entries written with data descriptors are read too); no encryption, no zip64
// (an archive over 4 GB is refused by size before this is called), no multi-disk archives.

const END_SIGNATURE = 0x06054b50;
const ENTRY_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
/** The end record (22 bytes) and the longest comment it may be followed by. */
const END_SEARCH = 22 + 0xffff;

const view = async (blob) => new DataView(await blob.arrayBuffer());

/** The entries of `file` (a zip, as a File or Blob): `[{path, size, read()}]`, `read` giving
 * the entry's bytes as a Uint8Array. Folders are left out. Throws a sentence when the file is
 * not a zip this reads. */
export async function zipEntries(file) {
  const tail = await view(file.slice(Math.max(0, file.size - END_SEARCH)));
  let end = -1;
  for (let at = tail.byteLength - 22; at >= 0; at--) {
    if (tail.getUint32(at, true) === END_SIGNATURE) { end = at; break; }
  }
  if (end < 0) throw new Error('it is not a zip file (no zip directory at its end)');
  const count = tail.getUint16(end + 10, true);
  const size = tail.getUint32(end + 12, true);
  const offset = tail.getUint32(end + 16, true);
  if (offset === 0xffffffff || count === 0xffff) throw new Error('it is a zip64 archive, which this page does not read');
  if (offset + size > file.size) throw new Error('its zip directory points past its end (a damaged or cut-off file)');
  const dir = await view(file.slice(offset, offset + size));
  const decoder = new TextDecoder();
  const entries = [];
  for (let at = 0, i = 0; i < count; i++) {
    if (at + 46 > dir.byteLength || dir.getUint32(at, true) !== ENTRY_SIGNATURE) throw new Error('its zip directory is damaged');
    const flags = dir.getUint16(at + 8, true);
    const method = dir.getUint16(at + 10, true);
    const packed = dir.getUint32(at + 20, true);
    const unpacked = dir.getUint32(at + 24, true);
    const [nameLength, extraLength, commentLength] = [28, 30, 32].map((o) => dir.getUint16(at + o, true));
    const local = dir.getUint32(at + 42, true);
    const path = decoder.decode(new Uint8Array(dir.buffer, dir.byteOffset + at + 46, nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    if (path.endsWith('/')) continue;
    entries.push({ path, size: unpacked, read: () => readEntry(file, { path, flags, method, packed, local }) });
  }
  return entries;
}

async function readEntry(file, { flags, method, packed, local }) {
  if (flags & 1) throw new Error('it is encrypted');
  if (method !== 0 && method !== 8) throw new Error(`it is compressed with method ${method}, not deflate`);
  const header = await view(file.slice(local, local + 30));
  if (header.byteLength < 30 || header.getUint32(0, true) !== LOCAL_SIGNATURE) throw new Error('its header in the zip is damaged');
  const start = local + 30 + header.getUint16(26, true) + header.getUint16(28, true);
  const body = file.slice(start, start + packed);
  if (method === 0) return new Uint8Array(await body.arrayBuffer());
  const inflated = body.stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(inflated).arrayBuffer());
}
