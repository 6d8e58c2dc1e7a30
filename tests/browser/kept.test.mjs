// What a visitor keeps is never lost, and nothing is left hanging (issue 26): kept models
// survive a failed download, a file with one broken model asks before anything of it is used,
// the shelf survives a damaged list and says what it lets go, and Compare all ends with a
// message when its worker dies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { servedBrowser, waitForState, setSettings, SMALL, smallComparison, withTensors, flowSample, setField } from './harness.mjs';

const shared = servedBrowser({ webgpu: false });

/** A fresh browser profile (its own IndexedDB) and a page in it, with its console errors. */
async function freshPage() {
  // These tests cut the network with route(), which a service worker's own fetches escape:
  // they run without one (offline.test.mjs tests the page with it).
  const context = await shared.browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return { context, page, errors };
}

const shelf = (page) => page.evaluate(async () => (await import('./models-store.js')).entries());

test('kept models that need data which cannot be downloaded stay kept, and open when tried again', async () => {
  const { context, page } = await freshPage();
  await page.goto(`${shared.url}?pretrained=0&backend=cpu`);
  await waitForState(page, ['idle']);
  // An autoencoder trained on grayscale digits (the 11 MB download), kept under a name.
  await setSettings(page, { ...SMALL, pixels: 'grayscale' });
  await page.click('#train');
  await waitForState(page, ['done'], 300_000);
  await page.waitForFunction(() => window.lab.kept >= 1, null, { timeout: 60_000 });
  await page.click('#shelf summary');
  await page.fill('#shelf [name=shelf-name]', 'gray');
  await page.click('#shelf .shelf-keep');
  await page.waitForFunction(() => window.lab.kept >= 2, null, { timeout: 60_000 });
  const kept = await shelf(page);
  assert.equal(kept.length, 2);

  // The next visit cannot download the grayscale digits.
  await context.route('**/data/*-ubyte.gz', (route) => route.abort());
  await page.goto(`${shared.url}?backend=cpu`);
  await page.waitForFunction(() => window.lab.errors.some((e) => /could not be opened/.test(e)), null, { timeout: 60_000 });
  const message = await page.evaluate(() => window.lab.errors.find((e) => /could not be opened/.test(e)));
  assert.match(message, /“gray”[\s\S]*grayscale digits could not be loaded[\s\S]*still kept/);
  // Meanwhile the pretrained models show, and nothing kept was removed or marked.
  await page.waitForFunction(() => window.lab.loaded?.origin === 'pretrained', null, { timeout: 60_000 });
  assert.deepEqual((await shelf(page)).map((e) => [e.id, e.name, Boolean(e.damage)]), kept.map((e) => [e.id, e.name, false]));
  assert.equal(await page.isVisible('#models-ask'), true, 'an offer to try again');

  // The network is back: Try again opens them.
  await context.unroute('**/data/*-ubyte.gz');
  await page.locator('#models-ask button', { hasText: 'Try again' }).click();
  await page.waitForFunction(() => window.lab.loaded?.origin === 'saved', null, { timeout: 120_000 });
  assert.deepEqual(await page.evaluate(() => window.lab.loaded.models), ['autoencoder']);
  assert.equal((await shelf(page)).length, 2);
  await context.close();
});

test('a file with one broken model says which, loads the others only if the visitor agrees, and is kept without it', async () => {
  const broken = await withTensors(await readFile('www/models/pretrained.bin'), /^wgan\.generator\..*running_var$/, -1);
  const file = `${tmpdir()}/flowae-one-broken-${process.pid}.bin`;
  await writeFile(file, broken);
  const { context, page, errors } = await freshPage();
  await page.goto(`${shared.url}?pretrained=0&backend=cpu`);
  await waitForState(page, ['idle']);

  // Asked, then Cancel: nothing loads, nothing is kept.
  await page.setInputFiles('#models-file', file);
  await page.waitForSelector('#models-ask:not([hidden])', { timeout: 60_000 });
  assert.match(await page.textContent('#models-status'), /its AdvAE cannot be used \(.*running variance of -1/);
  assert.match(await page.textContent('#models-ask'), /Load only autoencoder, FlowAE\?/);
  await page.locator('#models-ask button', { hasText: 'Cancel' }).click();
  await page.waitForFunction(() => /Nothing was loaded/.test(document.getElementById('models-status').textContent));
  assert.equal(await page.evaluate(() => window.lab.loaded), null);
  assert.deepEqual(await shelf(page), []);

  // Asked again, and agreed: the autoencoder and the flow load, and are kept under the
  // file's name, without the generator.
  await page.setInputFiles('#models-file', file);
  await page.waitForSelector('#models-ask:not([hidden])', { timeout: 60_000 });
  await page.locator('#models-ask button', { hasText: 'Load autoencoder, FlowAE' }).click();
  await page.waitForFunction(() => window.lab.loaded?.origin === 'file', null, { timeout: 60_000 });
  assert.deepEqual(await page.evaluate(() => window.lab.loaded.models), ['autoencoder', 'flow']);
  await page.waitForFunction(() => window.lab.kept >= 1, null, { timeout: 60_000 });
  const entries = await shelf(page);
  assert.deepEqual(entries.map((e) => [e.name, e.models]), [[`flowae-one-broken-${process.pid}.bin`, ['autoencoder', 'flow']]]);
  const samples = await flowSample(page, 5);

  // The next visit opens them without a word.
  await page.goto(`${shared.url}?backend=cpu`);
  await page.waitForFunction(() => window.lab.loaded?.origin === 'saved', null, { timeout: 60_000 });
  assert.deepEqual(await flowSample(page, 5), samples);
  assert.deepEqual(await page.evaluate(() => window.lab.errors), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the shelf rebuilds a damaged list, says when an unnamed run leaves, and never lets a loaded file go', async () => {
  const { context, page, errors } = await freshPage();
  await page.goto(`${shared.url}?pretrained=0&backend=cpu`);
  await waitForState(page, ['idle']);
  // A list that is not a list, beside the bytes of an entry it should name.
  await page.evaluate(async () => {
    const { set } = await import('./vendor/idb-keyval.js');
    await set('flowae-shelf:lost-entry', new Uint8Array([1, 2, 3]));
    await set('flowae-shelf', { not: 'a list' });
  });
  // A file loaded: kept under its name.
  await page.setInputFiles('#models-file', 'www/models/pretrained.bin');
  await page.waitForFunction(() => window.lab.loaded?.origin === 'file', null, { timeout: 60_000 });
  await page.waitForFunction(() => window.lab.kept >= 1, null, { timeout: 60_000 });
  let entries = await shelf(page);
  assert.deepEqual(entries.map((e) => e.name).sort(), [null, 'pretrained.bin'], JSON.stringify(entries));
  assert.match(entries.find((e) => e.id === 'lost-entry').about, /recovered/);
  // Three unnamed runs more, put straight on the shelf; then a run trained here is kept,
  // and the oldest unnamed run leaves with a word. The loaded file stays.
  await page.evaluate(async () => {
    const store = await import('./models-store.js');
    for (let i = 0; i < 3; i++) await store.put({ bytes: new Uint8Array([i]), about: `run ${i}` });
  });
  await setSettings(page, SMALL);
  await page.click('#train');
  await page.waitForFunction(() => window.lab.kept >= 2 && window.lab.state === 'done', null, { timeout: 300_000 });
  await page.waitForFunction(() => /left this browser/.test(document.querySelector('#shelf .shelf-status').textContent), null, { timeout: 30_000 });
  assert.match(await page.textContent('#models-status'), /keeps the last 3 unnamed runs/);
  entries = await shelf(page);
  assert.equal(entries.filter((e) => !e.name).length, 3);
  assert.ok(entries.some((e) => e.name === 'pretrained.bin'), 'the loaded file is never rolled off');
  assert.deepEqual(errors, []);
  await context.close();
});

test('Compare all stops with a message when its worker dies, keeps the rows scored, and can be started again', async () => {
  const { context, page } = await freshPage();
  await page.goto(`${shared.url}?pretrained=0&backend=cpu`);
  await waitForState(page, ['idle']);
  await smallComparison(page);
  await setField(page, '#fcd-seeds', '2');
  await page.click('#compare');
  await page.waitForFunction(() => window.lab.phase === 'flow' && window.lab.state === 'training', null, { timeout: 300_000 });
  assert.ok(await page.evaluate(() => Number.isFinite(window.lab.table.real)), 'the real digits were scored first');
  await page.evaluate(() => window.lab.send({ type: 'crash' }));
  await page.waitForFunction(() => /^Compare all stopped: .*crashed/.test(document.getElementById('compare-text').textContent), null, { timeout: 30_000 });
  assert.match(await page.textContent('#compare-text'), /rows scored so far stay\. Press Compare all to start again/);
  assert.notEqual(await page.textContent('#fcd-table tr[data-model=real] td.fcd'), '–', 'the real row stays');
  await page.waitForFunction(() => !document.getElementById('compare').disabled, null, { timeout: 60_000 });
  // Started again, it runs to the end.
  await setField(page, '#fcd-seeds', '1');
  await page.click('#compare');
  await page.waitForFunction(() => /^Done in/.test(document.getElementById('compare-text').textContent), null, { timeout: 600_000 });
  assert.deepEqual(Object.keys(await page.evaluate(() => window.lab.table)).sort(), ['aae', 'flow', 'real', 'vae', 'wgan']);
  await context.close();
});
