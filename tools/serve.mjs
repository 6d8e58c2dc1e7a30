// A static file server for www/, for `./build.sh serve` and the browser tests.
// Any static server works for the page; this one exists because it needs nothing installed,
// sends .wasm as application/wasm (required for streaming compilation), binds to loopback, and
// compresses as static hosts do: a .br or .gz copy beside a file (tools/compress.mjs writes
// them for the wasm modules) is sent when the browser accepts it, and other text is compressed
// on the fly. Files that are compressed already (PNG, .gz) or barely compress (weights) go as
// they are.
import { createServer } from 'node:http';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.gz': 'application/octet-stream', '.bin': 'application/octet-stream',
  '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
};
/** What hosts compress: text and WebAssembly. */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.svg', '.txt']);
const ENCODINGS = [['br', '.br'], ['gzip', '.gz']];

/** The encodings a request accepts, best first. */
function accepted(req) {
  const header = String(req.headers['accept-encoding'] ?? '');
  const names = header.split(',').map((p) => p.trim().split(';')).filter(([, q]) => q?.trim() !== 'q=0').map(([n]) => n.trim());
  return ENCODINGS.filter(([name]) => names.includes(name));
}

const onTheFly = new Map();   // path → {mtimeMs, br, gzip}

/** The body of `path` in `encoding`: its precompressed copy when that is fresh, else
 * compressed here once per version of the file. */
function encoded(path, stat, encoding, suffix) {
  try {
    const copy = statSync(path + suffix);
    if (copy.mtimeMs >= stat.mtimeMs) return { file: path + suffix, size: copy.size };
  } catch { /* no copy: compress here */ }
  let cached = onTheFly.get(path);
  if (!cached || cached.mtimeMs !== stat.mtimeMs) {
    cached = { mtimeMs: stat.mtimeMs };
    onTheFly.set(path, cached);
  }
  if (!cached[encoding]) {
    const bytes = readFileSync(path);
    cached[encoding] = encoding === 'br'
      ? brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } })
      : gzipSync(bytes, { level: 9 });
  }
  return { bytes: cached[encoding], size: cached[encoding].length };
}

/** Starts serving `root` on host:port; resolves to the server once it listens. */
export function serve(root, { host = '127.0.0.1', port = 8000 } = {}) {
  const base = resolve(root);
  const server = createServer((req, res) => {
    let path;
    try {
      const url = new URL(req.url, 'http://localhost');
      path = normalize(join(base, decodeURIComponent(url.pathname)));
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end('bad request');
      return;
    }
    if (path !== base && !path.startsWith(base + sep)) { res.writeHead(403).end('forbidden'); return; }
    let stat;
    try {
      stat = statSync(path);
      if (stat.isDirectory()) { path = join(path, 'index.html'); stat = statSync(path); }
      if (!stat.isFile()) throw new Error('not a file');
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${req.url}`);
      return;
    }
    const type = extname(path);
    const headers = {
      'Content-Type': TYPES[type] ?? 'application/octet-stream',
      'Cache-Control': 'no-cache',
      'Last-Modified': stat.mtime.toUTCString(),
    };
    if (COMPRESSIBLE.has(type)) headers.Vary = 'Accept-Encoding';
    // Revalidation as static hosts do it: a browser that has the file gets 304 and keeps its copy.
    if (req.headers['if-modified-since'] === headers['Last-Modified']) {
      res.writeHead(304, headers).end();
      return;
    }
    const [encoding] = COMPRESSIBLE.has(type) ? accepted(req) : [];
    const body = encoding ? encoded(path, stat, ...encoding) : { file: path, size: stat.size };
    if (encoding) headers['Content-Encoding'] = encoding[0];
    headers['Content-Length'] = body.size;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') res.end();
    else if (body.bytes) res.end(body.bytes);
    else createReadStream(body.file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok(server));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const port = Number(args[args.indexOf('--port') + 1] || process.env.PORT || 8000);
  const root = args.includes('--root') ? args[args.indexOf('--root') + 1] : 'www';
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`serve: --port must be 1–65535, not ${args[args.indexOf('--port') + 1]}`);
    process.exit(2);
  }
  serve(root, { port }).then(
    () => console.log(`Serving ${root}/ at http://127.0.0.1:${port}/  (Ctrl-C to stop)`),
    (e) => { console.error(`serve: cannot listen on 127.0.0.1:${port}: ${e.message}`); process.exit(1); },
  );
}
