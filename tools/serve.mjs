// A static file server for www/, for `./build.sh serve` and the browser tests.
// Any static server works for the page; this one exists because it needs nothing installed,
// sends .wasm as application/wasm (required for streaming compilation), binds to loopback, and
// compresses as static hosts do: a .br or .gz copy beside a file (tools/compress.mjs writes
// them for the wasm modules) is sent when the browser accepts it, and other text is compressed
// on the fly. Files that are compressed already (PNG, .gz) or barely compress (weights) go as
// they are.
//
// It is written to be run by anyone, on anything a browser or a script may send: only GET and
// HEAD are answered (405 otherwise); a request-target that is not a path, or that does not
// decode, gets 400; no file outside the root is ever read, whether reached by "..", an encoded
// separator or a symbolic link (real paths are compared, with a separator); a file that cannot
// be read ends its response, not the server. Every response carries the pages' Content-Security-
// Policy (tools/csp.mjs) and `X-Content-Type-Options: nosniff`.
import { createServer } from 'node:http';
import { createReadStream, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { policy } from './csp.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.gz': 'application/octet-stream', '.bin': 'application/octet-stream',
  '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8', '.webmanifest': 'application/manifest+json',
};
/** What hosts compress: text and WebAssembly. */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.svg', '.txt', '.webmanifest']);
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

/** The real path of the file a request's path names under `base` (a real path itself), or an
 * HTTP status: 400 for a path that does not decode or holds a NUL, 404 for nothing there (or
 * something that is not a file), 403 for anything whose real path is outside `base`. */
function locate(base, target) {
  let pathname;
  try {
    if (!target.startsWith('/')) return 400;           // "http://[", "*", an absolute URL
    pathname = decodeURIComponent(new URL(target, 'http://localhost').pathname);
  } catch {
    return 400;                                         // "/%ff", "/%"
  }
  if (pathname.includes('\0')) return 400;
  const inside = (path) => path === base || path.startsWith(base + sep);
  let path = resolve(join(base, pathname));
  if (!inside(path)) return 403;
  try {
    path = realpathSync(path);
    if (!inside(path)) return 403;                      // a link out of the root
    let stat = statSync(path);
    if (stat.isDirectory()) {
      path = realpathSync(join(path, 'index.html'));
      if (!inside(path)) return 403;
      stat = statSync(path);
    }
    return stat.isFile() ? { path, stat } : 404;        // a directory named index.html, a socket…
  } catch {
    return 404;
  }
}

const REASONS = { 400: 'bad request', 403: 'forbidden', 404: 'not found', 405: 'only GET and HEAD' };

/** Starts serving `root` on host:port; resolves to the server once it listens. `csp`: true
 * sends the pages' Content-Security-Policy (tools/csp.mjs), a string sends that policy instead
 * (the benchmark's own pages: TF.js needs eval, which the pages' policy refuses), false sends
 * none (a test's stand-in for someone else's site). */
export function serve(root, { host = '127.0.0.1', port = 8000, csp = true } = {}) {
  const base = realpathSync(resolve(root));
  const security = { 'X-Content-Type-Options': 'nosniff' };
  if (csp) security['Content-Security-Policy'] = typeof csp === 'string' ? csp : policy(base);
  const refuse = (res, status, extra = {}) => {
    res.writeHead(status, { ...security, 'Content-Type': 'text/plain; charset=utf-8', ...extra }).end(`${REASONS[status]}\n`);
  };
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') { refuse(res, 405, { Allow: 'GET, HEAD' }); return; }
    const found = locate(base, req.url ?? '');
    if (typeof found === 'number') { refuse(res, found); return; }
    const { path, stat } = found;
    const type = extname(path);
    const headers = {
      ...security,
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
    let body;
    const [encoding] = COMPRESSIBLE.has(type) ? accepted(req) : [];
    try {
      body = encoding ? encoded(path, stat, ...encoding) : { file: path, size: stat.size };
    } catch {
      refuse(res, 404);                                 // gone or unreadable since it was found
      return;
    }
    if (encoding) headers['Content-Encoding'] = encoding[0];
    headers['Content-Length'] = body.size;
    if (req.method === 'HEAD') { res.writeHead(200, headers).end(); return; }
    if (body.bytes) { res.writeHead(200, headers).end(body.bytes); return; }
    const stream = createReadStream(body.file);
    stream.once('open', () => { res.writeHead(200, headers); stream.pipe(res); });
    stream.once('error', () => { if (res.headersSent) res.destroy(); else refuse(res, 404); });
    res.once('close', () => stream.destroy());
  });
  // A request the parser cannot read at all: 400, and the server carries on.
  server.on('clientError', (error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
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
