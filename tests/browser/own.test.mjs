// Your own images: a folder of generated PNGs (varied sizes and colours, one corrupt) and a zip
// with class folders, read in the page, shown to confirm, trained on by the autoencoder, the
// flow and the WGAN, kept for the next visit; a zip over the limit refused unread; and no
// request made while reading or training carries them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingPage, servedBrowser } from './harness.mjs';
import { pngs, zip } from './own-pictures.mjs';

const shared = servedBrowser({ webgpu: false });

/** A page that records console errors and every request it makes (its workers' too), with
 * its method and body. */
const open = (context, url) => recordingPage(context, url, (r) => ({ url: r.url(), method: r.method(), body: r.postDataBuffer() }));

const status = (page) => page.textContent('#own-status');

test('a folder of 60 PNGs of varied sizes and colours (and a corrupt one) is read, shown, trained on, and kept; nothing is sent', async () => {
  const context = await shared.browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
  const { page, errors, requests } = await open(context, `${shared.url}?data=own&backend=cpu`);
  await page.waitForSelector('#own', { state: 'visible' });   // its modules come after the page's
  assert.equal(await page.inputValue('#data-set'), 'own');
  await page.waitForFunction(() => /at least 50 pictures/.test(document.getElementById('own-status').textContent));
  assert.match(await page.textContent('#models-status'), /Your images come first/);
  assert.equal(await page.isDisabled('#from-scratch'), true);

  // Too few first: 40 pictures are refused with the reason, and Train stays off.
  const pictures = await pngs(page, 60);
  const files = pictures.map((buffer, i) => ({ name: `picture-${i}.png`, mimeType: 'image/png', buffer }));
  await page.setInputFiles('#own-files-input', files.slice(0, 40));
  await page.waitForFunction(() => /read in/.test(document.getElementById('own-status').textContent));
  assert.match(await status(page), /^40 images read in .*That is too few: at least 50 are needed/);
  assert.equal(await page.isDisabled('#own-train'), true);

  // All 60 and a corrupt PNG: 60 images, the corrupt one skipped by name and counted.
  const corrupt = { name: 'broken.png', mimeType: 'image/png', buffer: Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), Buffer.alloc(200, 7)]) };
  await page.setInputFiles('#own-files-input', [...files, corrupt, { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') }]);
  await page.waitForFunction(() => /^60 images read/.test(document.getElementById('own-status').textContent));
  assert.match(await status(page), /^60 images read in .*; 2 files skipped \(listed below\)\. These are the inputs the models will learn\. Nothing has left your browser\./);
  const skipped = await page.$$eval('#own-skipped li', (items) => items.map((li) => li.textContent));
  assert.equal(skipped.length, 2, skipped.join('\n'));
  assert.match(skipped.find((s) => s.startsWith('broken.png')), /cannot be read as a picture/);
  assert.match(skipped.find((s) => s.startsWith('notes.txt')), /not a picture/);
  // The grid shows every image, made the MNIST way: ink in each, centred.
  const grid = await page.$eval('#own-grid', (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const inked = [];
    for (let n = 0; n < 60; n++) {
      let ink = 0;
      const [left, top] = [2 + (n % 20) * 30, 2 + Math.floor(n / 20) * 30];
      for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) if (data[((top + y) * canvas.width + left + x) * 4] > 128) ink++;
      inked.push(ink);
    }
    return { width: canvas.width, height: canvas.height, inked, hidden: canvas.hidden };
  });
  assert.equal(grid.hidden, false);
  assert.deepEqual([grid.width, grid.height], [20 * 30 + 2, 3 * 30 + 2]);
  assert.ok(grid.inked.every((ink) => ink >= 20 && ink < 500), `every image has ink: ${grid.inked}`);

  // One press trains on them: the autoencoder, then the flow, which draws samples.
  assert.equal(await page.textContent('#own-train'), 'Train on these 60 images');
  await page.click('#own-train');
  await page.waitForFunction(() => window.lab.lastReady?.train === 50 && window.lab.lastReady?.test === 10, null, { timeout: 60_000 });
  await page.waitForFunction(() => window.lab.story.times.flow?.ended, null, { timeout: 300_000 });
  assert.ok(await page.evaluate(() => window.lab.drawn.flow) > 0, 'the flow drew its samples');
  // A small set is passed over as often as the quick run's 20,000 images are: the settings
  // in force say so (50 images, batches of 50, as many epochs as the limit allows).
  const ae = await page.evaluate(() => window.lab.autoencoder.run.config);
  assert.deepEqual([ae.train_images, ae.test_images, ae.batch_size, ae.epochs], [50, 10, 50, 1000]);
  const flowInk = await page.$eval('#flow-samples', (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] > 128) ink++;
    return ink;
  });
  assert.ok(flowInk > 100, `the flow's samples are drawn: ${flowInk}`);

  // Nothing the page asked for carried a picture: every request is a GET of the site's files.
  const sent = requests.filter((r) => r.method !== 'GET' || r.body !== null || !r.url.startsWith(shared.url));
  assert.deepEqual(sent, [], 'no request carries data');
  const paths = requests.map((r) => new URL(r.url).pathname);
  assert.ok(paths.every((path) => !/picture|broken|notes/.test(path)), paths.join('\n'));

  // The next visit trains on them again: kept in this browser.
  const again = await context.newPage();
  await again.goto(`${shared.url}?data=own&backend=cpu`);
  await again.waitForFunction(() => /kept in this browser/.test(document.getElementById('own-status').textContent), null, { timeout: 30_000 });
  await again.waitForFunction(() => window.lab.lastReady?.train === 50, null, { timeout: 60_000 });
  assert.equal(await again.isDisabled('#from-scratch'), false);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a zip with class folders is read with its labels; a zip over the limit is refused before it is read', async () => {
  const context = await shared.browser.newContext({ viewport: { width: 390, height: 800 }, serviceWorkers: 'block' });
  const { page, errors } = await open(context, `${shared.url}?data=own&backend=cpu`);
  const pictures = await pngs(page, 54, 100);
  const archive = zip(pictures.map((bytes, i) => ({ path: `shapes/${i % 2 ? 'rings' : 'strokes'}/${i}.png`, bytes })));
  await page.setInputFiles('#own-files-input', { name: 'shapes.zip', mimeType: 'application/zip', buffer: archive });
  await page.waitForFunction(() => /read in/.test(document.getElementById('own-status').textContent), null, { timeout: 60_000 });
  assert.match(await status(page), /^54 images read in .*; 2 classes from their folders: rings, strokes\./);
  assert.equal(await page.isDisabled('#own-train'), false);

  // A 2 GB zip (sparse: it takes no disk) is refused by its size; nothing of it is read.
  const dir = mkdtempSync(join(tmpdir(), 'flowae-own-'));
  try {
    const big = join(dir, 'everything.zip');
    execFileSync('truncate', ['-s', '2100M', big]);
    const started = Date.now();
    await page.setInputFiles('#own-files-input', big);
    await page.waitForFunction(() => /No pictures there/.test(document.getElementById('own-status').textContent), null, { timeout: 10_000 });
    assert.ok(Date.now() - started < 10_000);
    const [why] = await page.$$eval('#own-skipped li', (items) => items.map((li) => li.textContent));
    assert.match(why, /^everything\.zip: a zip of 2,202 MB, more than the 500 MB this page reads \(it was not opened\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // The page fits a phone.
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390);
  assert.deepEqual(errors, []);
  await context.close();
});

test('on your own images Compare all scores every model with what is held out and says when that is too few; the map names their folders', async () => {
  const context = await shared.browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
  const short = 'epochs=1&flow.epochs=1&wgan.epochs=1&vae.epochs=1&aae.epochs=1&fcd=500&fcd_length=sections';
  const { page, errors } = await open(context, `${shared.url}?data=own&backend=cpu&${short}`);
  const pictures = await pngs(page, 60, 200);
  const archive = zip(pictures.map((bytes, i) => ({ path: `${i % 3 ? 'rings' : 'strokes'}/${i}.png`, bytes })));
  await page.setInputFiles('#own-files-input', { name: 'shapes.zip', mimeType: 'application/zip', buffer: archive });
  await page.waitForFunction(() => /read in/.test(document.getElementById('own-status').textContent), null, { timeout: 60_000 });
  await page.click('#own-train');
  await page.waitForFunction(() => window.lab.story.times.wgan?.ended, null, { timeout: 300_000 });
  await page.click('#compare');
  await page.waitForFunction(() => /^Done in/.test(document.getElementById('compare-text').textContent), null, { timeout: 300_000 });
  const cells = await page.$$eval('#fcd-table td.fcd', (tds) => tds.map((td) => td.textContent));
  assert.ok(cells.length === 5 && cells.every((c) => /^\d+\.\d\d \(10 samples\)$/.test(c)), `every row scored on the 10 held out: ${cells}`);
  assert.match(await page.textContent('#compare-text'), /Only 10 held-out images to score against, fewer than the classifier's 64 features: these distances are mostly noise/);
  // MNIST's classifier reads them as digits: their grids are not captioned with its readings.
  assert.equal(await page.textContent('[data-read-as=flow-samples]'), '');
  await page.click('#map-draw');
  await page.waitForFunction(() => /FlowAE codes/.test(document.getElementById('map-legend').textContent), null, { timeout: 60_000 });
  const key = await page.$$eval('#map-legend li', (items) => items.map((li) => li.textContent));
  assert.deepEqual(key.slice(0, 3).concat(key.length), ['rings', 'strokes', '×FlowAE codes (the flow)', 5]);
  assert.deepEqual(errors, []);
  await context.close();
});
