// The draw pad (step 3) as a visitor uses it: a finger on a phone, a mouse, the keyboard. The
// numbers are the library's (tests/it/inspect.rs checks them natively); here, that the page
// draws, sends and shows them, and that bad input (an empty pad) gets words, not garbage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser } from './harness.mjs';

const shared = servedBrowser({ webgpu: false });

/** The pad's box on the screen, and a function from pad pixels (0–280) to screen pixels. */
async function padFrame(page) {
  const box = await page.locator('#draw-pad').boundingBox();
  return { box, at: ([x, y]) => ({ x: box.x + (x / 280) * box.width, y: box.y + (y / 280) * box.height }) };
}

/** Waits for a reading newer than `before` (a previous reading object's identity). */
async function nextReading(page) {
  await page.waitForFunction(() => window.lab.draw.reading && !window.lab.draw.inFlight, null, { timeout: 60_000 });
  return page.evaluate(() => {
    const r = window.lab.draw.reading;
    return { joint: r.joint_percentile, nearest: r.nearest_labels, pretrained: r.pretrained, place: r.place };
  });
}

const majority = (labels) => {
  const counts = new Map();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0][0];
};

test('a finger draws a 1 on a phone and the page reads it as typical, without scrolling', async () => {
  const context = await shared.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: 'dark' });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${shared.url}?backend=cpu`);
  await page.waitForFunction(() => window.lab?.loaded?.origin === 'pretrained', null, { timeout: 60_000 });
  await page.locator('#step-draw .pad-frame').scrollIntoViewIfNeeded();
  // Where the pad sits on the screen: a line filling in above it moves the page's scroll
  // position (scroll anchoring) without moving the pad, so the pad is what is watched.
  const padTop = async () => Math.round((await page.locator('#step-draw .pad-frame').boundingBox()).y);
  const scrolled = await padTop();
  const { at } = await padFrame(page);
  // A stroke of real touch events (touchstart, 20 touchmoves, touchend), as a finger makes.
  const cdp = await context.newCDPSession(page);
  const touch = (type, point) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: point ? [{ x: point.x, y: point.y, id: 1 }] : [] });
  await touch('touchStart', at([150, 40]));
  for (let i = 1; i <= 20; i++) await touch('touchMove', at([150 - i, 40 + 10 * i]));
  await touch('touchEnd');
  const one = await nextReading(page);
  assert.equal(majority(one.nearest), 1, `the nearest training digits: ${one.nearest}`);
  assert.ok(one.joint > 50, `a clear 1 is typical: ${one.joint}`);
  assert.equal(await padTop(), scrolled, 'drawing does not scroll the page');
  assert.match(await page.textContent('#draw-verdict'), /^For FlowAE: more typical than \d+% of real digits\.$/);
  assert.equal(await page.textContent('#draw-source'), 'Read by the models trained in advance.');
  assert.equal(await page.locator('#draw-scores tr').count(), 4, 'FlowAE, the flow, the decoder and the critic');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'the page fits the phone');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a mouse scribble lands at the bottom, the keyboard draws too, and an empty pad is said to be empty', async () => {
  const context = await shared.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${shared.url}?backend=cpu`);
  await page.waitForFunction(() => window.lab?.loaded?.origin === 'pretrained', null, { timeout: 60_000 });
  await page.locator('#step-draw .pad-frame').scrollIntoViewIfNeeded();
  const { at } = await padFrame(page);
  // A zig-zag scribble over the whole pad.
  const path = [[30, 40], [250, 60], [40, 120], [240, 90], [60, 230], [200, 30], [120, 250], [250, 200], [30, 180]];
  await page.mouse.move(at(path[0]).x, at(path[0]).y);
  await page.mouse.down();
  for (const point of path.slice(1)) await page.mouse.move(at(point).x, at(point).y, { steps: 8 });
  await page.mouse.up();
  const scribble = await nextReading(page);
  assert.ok(scribble.joint < 5, `a scribble is less typical than 95% of real digits: ${scribble.joint}`);
  assert.match(await page.textContent('#draw-verdict'), /less typical than (9[5-9]|100)% of real digits/);

  // Clear, then the keyboard: focus the pad, hold Space, move down with the arrows: a 1.
  await page.click('#draw-clear');
  assert.equal(await page.textContent('#draw-verdict'), 'Draw a digit in the box (or press an example).');
  await page.focus('#draw-pad');
  for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowUp');
  await page.keyboard.down(' ');
  for (let i = 0; i < 16; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.up(' ');
  const keyed = await nextReading(page);
  assert.equal(majority(keyed.nearest), 1, `drawn from the keyboard: ${keyed.nearest}`);
  assert.ok(await page.isVisible('#draw-cursor'), 'the keyboard pen is shown');
  await page.keyboard.press('Delete');
  assert.equal(await page.evaluate(() => window.lab.draw.reading), null);

  // An example button draws with the pad's own pen.
  await page.click('[data-draw-example="0"]');
  const zero = await nextReading(page);
  assert.equal(majority(zero.nearest), 0, `the example 0: ${zero.nearest}`);
  await context.close();
});

test('the flow walks layer by layer, forwards from the noise and back from a drawing', async () => {
  const context = await shared.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${shared.url}?backend=cpu`);
  await page.waitForFunction(() => window.lab?.loaded?.origin === 'pretrained', null, { timeout: 60_000 });
  await page.click('#step-flow details.walk summary');
  await page.click('#walk-back');
  assert.match(await page.textContent('#walk-text'), /^Draw a digit in step 3 first/);
  await page.click('#walk-forward');
  await page.waitForFunction(() => window.lab.walk, null, { timeout: 60_000 });
  const { stages, layers } = await page.evaluate(() => ({ stages: window.lab.walk.planes.length, layers: window.lab.walk.log_dets.length }));
  assert.equal(stages, layers + 1);
  assert.equal(await page.getAttribute('#walk-stage', 'max'), String(stages - 1));
  await page.click('#walk-play');    // it plays on arrival: pause it, then step with the keyboard
  await page.focus('#walk-stage');
  await page.evaluate(() => { document.getElementById('walk-stage').value = '0'; });
  await page.keyboard.press('ArrowRight');
  assert.match(await page.textContent('#walk-text'), /^After coupling layer 1 of \d+\. This layer's mean log\|det J\| is [+−]\d+\.\d\d nats/);
  assert.equal(await page.getAttribute('#walk-stage', 'aria-valuetext'), await page.evaluate(() => window.lab.walk.names[1]));
  // Backwards from a drawing: it starts at the drawing's code and plays towards the Gaussian.
  await page.click('[data-draw-example="7"]');
  await page.click('#walk-back');
  await page.waitForFunction(() => window.lab.walk?.backwards, null, { timeout: 60_000 });
  assert.equal(await page.inputValue('#walk-stage'), String(stages - 1));
  await page.waitForFunction(() => document.getElementById('walk-stage').value === '0', null, { timeout: 30_000 });
  assert.match(await page.textContent('#walk-text'), /^z0 ~ N\(0, I\)\. The real codes, pulled all the way back/);
  assert.deepEqual(errors, []);
  await context.close();
});
