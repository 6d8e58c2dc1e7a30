// A static file server for www/, for `./build.sh serve` and the browser tests.
// Any static server works for the page; this one exists because it needs nothing installed,
// sends .wasm as application/wasm (required for streaming compilation) and binds to loopback.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.gz': 'application/octet-stream', '.bin': 'application/octet-stream',
  '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
};

/** Starts serving `root` on host:port; resolves to the server once it listens. */
export function serve(root, { host = '127.0.0.1', port = 8000 } = {}) {
  const base = resolve(root);
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let path = normalize(join(base, decodeURIComponent(url.pathname)));
    if (!path.startsWith(base)) { res.writeHead(403).end('forbidden'); return; }
    let stat;
    try {
      stat = statSync(path);
      if (stat.isDirectory()) { path = join(path, 'index.html'); stat = statSync(path); }
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${url.pathname}`);
      return;
    }
    // Revalidation as static hosts do it: a browser that has the file gets 304 and keeps its copy.
    const modified = stat.mtime.toUTCString();
    if (req.headers['if-modified-since'] === modified) {
      res.writeHead(304, { 'Last-Modified': modified, 'Cache-Control': 'no-cache' }).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
      'Content-Length': stat.size,
      'Cache-Control': 'no-cache',
      'Last-Modified': modified,
    });
    if (req.method === 'HEAD') { res.end(); return; }
    createReadStream(path).pipe(res);
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
