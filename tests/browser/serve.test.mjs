// The dev server (tools/serve.mjs, what `./build.sh serve` runs) against what a hostile or
// careless client sends (issue 12, item 8): each request must get its status, nothing outside
// the root may be read, and the server must still answer afterwards. No browser needed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '../../tools/serve.mjs';
import { policy, meta, PAGES } from '../../tools/csp.mjs';

let server, port, dir;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowae-serve-'));
  const root = join(dir, 'www');
  mkdirSync(root);
  mkdirSync(join(dir, 'www2'));
  writeFileSync(join(dir, 'www2', 'secret.txt'), 'sibling secret');
  writeFileSync(join(dir, 'outside.txt'), 'outside secret');
  for (const page of PAGES) writeFileSync(join(root, page), '<!doctype html><script>1</script><style>b{}</style>');
  writeFileSync(join(root, 'app.js'), 'export const x = 1;\n');
  mkdirSync(join(root, 'sub'));
  mkdirSync(join(root, 'sub', 'index.html'));           // a directory named index.html
  symlinkSync(join(dir, 'outside.txt'), join(root, 'link.txt'));
  symlinkSync(dir, join(root, 'up'));
  server = await serve(root, { port: 0 });
  port = server.address().port;
});

after(() => server?.close());

/** One raw request (the target exactly as given); resolves to the status line and the text. */
function raw(line) {
  return new Promise((ok, fail) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(`${line}\r\nHost: localhost\r\nConnection: close\r\n\r\n`));
    let text = '';
    socket.on('data', (d) => { text += d; });
    socket.on('end', () => ok({ status: Number(text.split(' ')[1]), text }));
    socket.on('error', fail);
  });
}

const get = (path, init) => fetch(`http://127.0.0.1:${port}${path}`, init);

test('malformed request-targets get 400 and the server carries on', async () => {
  for (const target of ['/%ff', '/%', 'http://[', '*', '/a%00b']) {
    assert.equal((await raw(`GET ${target} HTTP/1.1`)).status, 400, target);
  }
  assert.equal((await raw('GET / HTTP/1.1 garbage')).status, 400, 'a line the parser refuses');
  assert.equal((await get('/app.js')).status, 200, 'still serving');
});

test('nothing outside the root is read: dot-dots, encoded separators, links', async () => {
  for (const target of ['/../outside.txt', '/..%2fwww2/secret.txt', '/..%2f..%2fetc%2fpasswd', '/%2e%2e/outside.txt', '/link.txt', '/up/outside.txt', '/up/www2/secret.txt']) {
    const { status, text } = await raw(`GET ${target} HTTP/1.1`);
    assert.ok(status === 403 || status === 404, `${target}: ${status}`);
    assert.ok(!text.includes('secret'), `${target} leaked a file`);
  }
  assert.equal((await get('/sub/')).status, 404, 'a directory named index.html is not a page');
  assert.equal((await get('/app.js')).status, 200, 'still serving');
});

test('only GET and HEAD are answered', async () => {
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    const res = await get('/app.js', { method });
    assert.equal(res.status, 405, method);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
  }
  const head = await get('/app.js', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
});

test('every response carries the policy and nosniff; the pages carry the same policy', async () => {
  const root = join(dir, 'www');
  for (const path of ['/', '/app.js', '/missing']) {
    const res = await get(path);
    assert.equal(res.headers.get('content-security-policy'), policy(root), path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
  }
  const csp = policy(root);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/, 'the inline script is allowed by its hash, nothing else inline');
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/, 'no inline code or eval beyond the hashed blocks');
  // The real pages' <meta> is the policy their inline blocks need (tools/csp.mjs --write).
  const www = new URL('../../www/', import.meta.url).pathname;
  for (const page of PAGES) {
    assert.ok(readFileSync(join(www, page), 'utf8').includes(meta(policy(www))), `${page} carries the policy`);
  }
});
