// Writes a gzip (.gz) and a Brotli (.br) copy beside each file given, as static hosts serve
// them when a browser accepts them (nginx gzip_static/brotli_static, most CDNs; and
// tools/serve.mjs). Skips copies newer than their file. Node's zlib: nothing to install.
//
//   node tools/compress.mjs FILE...
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const fresh = (copy, file) => {
  try { return statSync(copy).mtimeMs >= statSync(file).mtimeMs; } catch { return false; }
};
const write = (path, bytes) => { writeFileSync(`${path}.tmp`, bytes); renameSync(`${path}.tmp`, path); };

for (const file of process.argv.slice(2)) {
  const bytes = readFileSync(file);
  if (!fresh(`${file}.gz`, file)) write(`${file}.gz`, gzipSync(bytes, { level: 9 }));
  if (!fresh(`${file}.br`, file)) {
    write(`${file}.br`, brotliCompressSync(bytes, { params: {
      [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }));
  }
}
