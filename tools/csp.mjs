// The pages' Content-Security-Policy, written once: tools/serve.mjs sends it as a header, and
// each page carries it as a <meta> so that any static host serves the page under it too.
//
// Only files of the page's own origin run: no inline script or style but the two written into
// the pages on purpose (index.html's early downloads, which must start before any other file
// arrives, and embed.html's styles, which keep the widget one request), each allowed by its
// SHA-256. WebAssembly may compile ('wasm-unsafe-eval'); nothing may eval JavaScript.
//
//   node tools/csp.mjs --check www   fails, naming the page, if a page's <meta> is not the policy
//   node tools/csp.mjs --write www   rewrites the pages' <meta> (after editing an inline block)
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The pages that carry the policy as a <meta>. */
export const PAGES = ['index.html', 'embed.html'];

const META = /<meta http-equiv="Content-Security-Policy" content="[^"]*">/;

/** The SHA-256 sources of every inline <script> (without src) and <style> of `html`. */
function inlineHashes(html, tag) {
  const blocks = [...html.matchAll(new RegExp(`<${tag}(\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g'))];
  return blocks
    .filter(([, attributes]) => !/\ssrc=/.test(attributes ?? ''))
    .map(([, , body]) => `'sha256-${createHash('sha256').update(body).digest('base64')}'`);
}

/** The policy for the pages under `root`: one for all, allowing each page's inline blocks. */
export function policy(root) {
  const html = PAGES.filter((page) => existsSync(join(root, page))).map((page) => readFileSync(join(root, page), 'utf8'));
  const scripts = html.flatMap((h) => inlineHashes(h, 'script'));
  const styles = html.flatMap((h) => inlineHashes(h, 'style'));
  return [
    "default-src 'self'",
    ["script-src 'self' 'wasm-unsafe-eval'", ...scripts].join(' '),
    ["style-src 'self'", ...styles].join(' '),
    "worker-src 'self'",
    "img-src 'self' data: blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The <meta> element that carries `csp`. */
export function meta(csp) {
  return `<meta http-equiv="Content-Security-Policy" content="${csp}">`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [mode, root = 'www'] = process.argv.slice(2);
  if (mode !== '--check' && mode !== '--write') {
    console.error('usage: node tools/csp.mjs --check|--write [root]');
    process.exit(2);
  }
  const csp = policy(root);
  let stale = [];
  for (const page of PAGES) {
    const path = join(root, page);
    const html = readFileSync(path, 'utf8');
    const found = html.match(META)?.[0];
    if (found === meta(csp)) continue;
    if (mode === '--check') { stale.push(page); continue; }
    // The <meta> goes first in <head>, before anything it governs.
    const written = found ? html.replace(META, meta(csp)) : html.replace('<meta charset="utf-8">', `<meta charset="utf-8">\n  ${meta(csp)}`);
    writeFileSync(path, written);
    console.log(`csp: wrote the policy into ${path}`);
  }
  if (stale.length) {
    console.error(`csp: the Content-Security-Policy <meta> of ${stale.join(', ')} is not the policy for its inline blocks; run: node tools/csp.mjs --write ${root}`);
    process.exit(1);
  }
}
