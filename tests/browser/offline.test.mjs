// Offline and installable: after one visit the page opens and trains with the server gone and
// the browser offline; a new deployment is installed beside the old one, offered, and replaces
// it whole (its cache removed); the manifest installs. Each test serves its own deployment (a
// copy of www/ made of hard links: instant, and a new version writes new files, never the
// originals) so that it can take the server down or deploy again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, SMALL } from './harness.mjs';
import { serve } from '../../tools/serve.mjs';

let browser;
const deployments = [];
before(async () => { browser = await launch({ webgpu: false }); });
after(async () => {
  await browser?.close();
  for (const { server, dir } of deployments) { server.close(); rmSync(dir, { recursive: true, force: true }); }
});

/** A copy of www/ served on a port of its own: `{dir, url, server, stop()}`. */
async function deploy() {
  const dir = mkdtempSync(join(tmpdir(), 'flowae-offline-'));
  execFileSync('cp', ['-al', 'www/.', dir]);
  const server = await serve(dir, { port: 0 });
  const deployment = { dir, server, url: `http://127.0.0.1:${server.address().port}/`, stop: () => { server.closeAllConnections(); server.close(); } };
  deployments.push(deployment);
  return deployment;
}

/** A new version of `deployment`: `file` changed (a new file, not the hard-linked original),
 * and the offline list rebuilt over it as build.sh does. */
function redeploy({ dir }, file, addition) {
  const path = join(dir, file);
  writeFileSync(`${path}.new`, readFileSync(path, 'utf8') + addition);
  renameSync(`${path}.new`, path);
  execFileSync('node', ['tools/offline.mjs', dir]);
}

const SETTINGS = new URLSearchParams(Object.entries(SMALL).map(([k, v]) => [k, String(v)])).toString();

async function visit(context, url) {
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  return { page, errors };
}

const ready = (page) => page.waitForFunction(() => window.lab?.offline?.state === 'ready', null, { timeout: 120_000 });
const caches = (page) => page.evaluate(() => caches.keys());

test('after one visit, the page opens and trains with the server gone and the browser offline', async () => {
  const site = await deploy();
  const context = await browser.newContext({ colorScheme: 'dark' });
  const { page, errors } = await visit(context, `${site.url}?backend=cpu&${SETTINGS}`);
  await ready(page);
  const said = await page.textContent('#offline-status');
  assert.match(said, /^Ready offline: MNIST kept here \(\d+\.\d MB\)$/);
  const kept = await page.evaluate(() => window.lab.offline.kept);
  console.log(`kept for offline use (MNIST): ${kept.bytes} bytes`);
  assert.deepEqual(kept.missing, []);
  assert.ok(kept.bytes > 3e6, `the data set, the models and the wasm module: ${kept.bytes}`);
  site.stop();
  await context.setOffline(true);
  await page.reload();
  await page.waitForFunction(() => window.lab?.loaded?.origin === 'pretrained' && window.lab.state === 'done', null, { timeout: 60_000 });
  // The pretrained autoencoder is 'done' already: the wait is for the run this press starts.
  await page.evaluate(() => { window.before = window.lab.autoencoder.run; });
  await page.click('#train');
  await page.waitForFunction(() => window.lab.autoencoder.run !== window.before && window.lab.state === 'done' && window.lab.aeTrained, null, { timeout: 120_000 });
  const losses = await page.evaluate(() => window.lab.losses);
  assert.ok(losses.length > 3 && losses.at(-1) < losses[0], 'it trained, offline');
  assert.equal(await page.evaluate(() => navigator.onLine), false);
  assert.deepEqual(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|Failed to load resource/.test(e)), []);
  await context.close();
});

test('Fashion-MNIST is kept for offline use when it is the data set in use', async () => {
  const site = await deploy();
  const context = await browser.newContext({ colorScheme: 'dark' });
  const { page, errors } = await visit(context, `${site.url}?data=fashion&backend=cpu`);
  await ready(page);
  assert.match(await page.textContent('#offline-status'), /^Ready offline: Fashion-MNIST kept here/);
  const kept = await page.evaluate(() => window.lab.offline.kept);
  console.log(`kept for offline use (Fashion-MNIST): ${kept.bytes} bytes`);
  const paths = await page.evaluate(async () => (await (await caches.open((await caches.keys())[0])).keys()).map((r) => new URL(r.url).pathname));
  assert.ok(paths.includes('/data/fashion-train.bits.gz') && paths.includes('/models/classifier-fashion.bin'), paths.join(' '));
  assert.ok(!paths.some((p) => p.includes('mnist-') || p.endsWith('pretrained.bin')), 'nothing of MNIST is kept for it');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a new deployment is offered, replaces the old cache whole, and never mixes with it', async () => {
  const site = await deploy();
  const context = await browser.newContext({ colorScheme: 'dark' });
  const { page, errors } = await visit(context, `${site.url}?backend=cpu`);
  await ready(page);
  const [old] = await caches(page);
  assert.match(old, /^flowae-[0-9a-f]{16}$/);
  redeploy(site, 'style.css', '\n/* the next version */\n');
  await page.reload();
  await page.waitForFunction(() => !document.getElementById('offline-update').hidden, null, { timeout: 60_000 });
  assert.match(await page.textContent('#offline-status'), /new version of the page is ready/);
  assert.equal((await caches(page)).length, 2, 'the new version installed beside the old');
  const css = () => page.evaluate(async () => (await fetch('style.css')).text());
  assert.ok(!(await css()).includes('the next version'), 'until the visitor reloads, the old version serves its own files');
  await Promise.all([page.waitForEvent('load'), page.click('#offline-update')]);
  await ready(page);
  const now = await caches(page);
  assert.equal(now.length, 1);
  assert.notEqual(now[0], old, 'the old cache is gone');
  assert.ok((await css()).includes('the next version'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('the page names its manifest, which installs: a name, a start page, standalone, icons of 192 and 512 px', async () => {
  const site = await deploy();
  const context = await browser.newContext();
  const { page } = await visit(context, `${site.url}?backend=cpu`);
  const href = await page.getAttribute('link[rel=manifest]', 'href');
  const manifest = await page.evaluate(async (h) => (await fetch(h)).json(), href);
  assert.equal(manifest.start_url, './');
  assert.equal(manifest.display, 'standalone');
  for (const size of ['192x192', '512x512']) {
    const icon = manifest.icons.find((i) => i.sizes === size);
    assert.ok(icon, size);
    const [w, h] = await page.evaluate(async (src) => { const b = await createImageBitmap(await (await fetch(src)).blob()); return [b.width, b.height]; }, icon.src);
    assert.equal(`${w}x${h}`, size);
  }
  await context.close();
});
