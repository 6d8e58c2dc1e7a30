// The 2-D lab (step 8) in the page: two moons fit recognisably in the first 10 s of training on
// the CPU backend, each network steps alone, slow motion goes one step at a time, and a link
// with drawn points brings back the same picture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser } from './harness.mjs';

const shared = servedBrowser({ webgpu: false });
/** tests/it/plane.rs: the flow's held-out NLL on two moons after a 24,000-step native run. */
const REFERENCE_NLL = 1.99;

async function open(width = 1280) {
  const context = await shared.browser.newContext({ viewport: { width, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return { context, page, errors };
}

test('two moons: the flow comes within 0.3 nats of a long run in 10 s of training on the CPU', async () => {
  const { context, page, errors } = await open();
  await page.goto(`${shared.url}?backend=cpu`);
  await page.waitForFunction(() => window.lab?.state !== 'loading', null, { timeout: 60_000 });
  await page.locator('#step-plane').scrollIntoViewIfNeeded();
  await page.click('#plane-train');
  let fitAt = null;
  const started = Date.now();
  while (Date.now() - started < 30_000) {
    const { seconds, nll } = await page.evaluate(() => window.lab.plane);
    if (nll !== null && seconds > 0 && nll < REFERENCE_NLL + 0.3) { fitAt = seconds; break; }
    if (seconds > 10) break;
    await page.waitForTimeout(100);
  }
  await page.click('#plane-train');
  const { nll, steps } = await page.evaluate(() => window.lab.plane);
  console.log(`# two moons: within 0.3 nats (${(REFERENCE_NLL + 0.3).toFixed(2)}) after ${fitAt?.toFixed(1)} s of training; NLL ${nll.toFixed(3)} after ${steps.flow} flow steps`);
  assert.ok(fitAt !== null && fitAt <= 10, `fit after ${fitAt} s (NLL ${nll})`);
  assert.match(await page.textContent('#plane-text'), /^Flow: [\d,]+ steps, held-out NLL \d\.\d\d nats per point\. WGAN: [\d,]+ critic and generator steps\./);
  assert.deepEqual(errors, []);
  await context.close();
});

test('each network steps alone, and slow motion trains one step at a time', async () => {
  const { context, page, errors } = await open();
  await page.goto(`${shared.url}?backend=cpu`);
  await page.waitForFunction(() => window.lab?.state !== 'loading', null, { timeout: 60_000 });
  const picture = () => page.evaluate(() => {
    const p = window.lab.plane.picture;
    return p && { density: Array.from(p.log_density), critic: Array.from(p.critic), fake: Array.from(p.wgan_samples) };
  });
  const settled = () => page.waitForFunction(() => window.lab.plane.picture && !window.lab.plane.busy, null, { timeout: 60_000 });
  const after = async (button) => {
    await page.click(`[data-plane-step="${button}"]`);
    await settled();
    return picture();
  };
  await page.click('[data-plane-step="flow"]');
  await settled();
  const start = await picture();
  const critic = await after('critic');
  assert.notDeepEqual(critic.critic, start.critic, 'the critic moved');
  assert.deepEqual(critic.density, start.density, 'the flow did not');
  const generator = await after('generator');
  assert.deepEqual(generator.critic, critic.critic, 'the critic did not move');
  assert.notDeepEqual(generator.fake, critic.fake, 'the generator did');
  const flow = await after('flow');
  assert.notDeepEqual(flow.density, generator.density, 'the flow moved');
  assert.deepEqual(flow.critic, generator.critic, 'the critic did not');

  await page.check('#plane-slow');
  await page.click('#plane-train');
  await page.waitForTimeout(1500);
  await page.click('#plane-train');
  assert.equal(await page.evaluate(() => window.lab.plane.units), 1, 'one unit a chunk in slow motion');
  assert.deepEqual(errors, []);
  await context.close();
});

test('points drawn on the plane train, and their link brings back the same picture', async () => {
  const { context, page, errors } = await open();
  await page.goto(`${shared.url}?backend=cpu`);
  await page.waitForFunction(() => window.lab?.state !== 'loading', null, { timeout: 60_000 });
  await page.selectOption('#plane-data', 'drawn');
  assert.match(await page.textContent('#plane-text'), /^Draw points on the left plane/);
  await page.locator('#plane-flow').scrollIntoViewIfNeeded();
  const box = await page.locator('#plane-flow').boundingBox();
  // A stroke: a diagonal line and a small circle.
  await page.mouse.move(box.x + 0.2 * box.width, box.y + 0.8 * box.height);
  await page.mouse.down();
  await page.mouse.move(box.x + 0.8 * box.width, box.y + 0.2 * box.height, { steps: 30 });
  await page.mouse.up();
  await page.waitForFunction(() => window.lab.plane.picture, null, { timeout: 60_000 });
  const drawn = await page.evaluate(() => window.lab.plane.picture.real.length / 2);
  assert.ok(drawn > 100, `the drawn data: ${drawn} points`);
  await page.click('#step-plane .step-share summary');
  const link = await page.inputValue('#step-plane [data-role=link]');
  assert.match(link, /[?&]plane=drawn&points=[0-9a-z]{8,}#step-plane$/);
  const embed = await page.inputValue('#step-plane [data-role=embed]');
  assert.match(embed, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\.html\?panel=plane&amp;plane=drawn&amp;points=[0-9a-z]{8,}" title="8 · In two dimensions/);
  const real = await page.evaluate(() => Array.from(window.lab.plane.picture.real));

  const other = await context.newPage();
  await other.goto(link);
  await other.waitForFunction(() => window.lab?.plane?.picture, null, { timeout: 60_000 });
  assert.equal(await other.inputValue('#plane-data'), 'drawn');
  assert.deepEqual(await other.evaluate(() => Array.from(window.lab.plane.picture.real)), real, 'the same data, from the same points and seed');
  await other.close();
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a phone a finger draws points on the plane without scrolling the page, and the keyboard draws too', async () => {
  const context = await shared.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: 'dark' });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${shared.url}?backend=cpu`);
  await page.waitForFunction(() => window.lab?.state !== 'loading', null, { timeout: 60_000 });
  await page.selectOption('#plane-data', 'drawn');
  assert.ok(await page.isVisible('#plane-help'), 'the help line says how to draw');
  await page.locator('#plane-flow').scrollIntoViewIfNeeded();
  const box = await page.locator('#plane-flow').boundingBox();
  const points = () => page.evaluate(() => document.getElementById('plane-points').value.length / 4);
  // A stroke of real touch events, as a finger makes: an arc across the plane.
  const cdp = await context.newCDPSession(page);
  const touch = (type, p) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: p ? [{ x: box.x + p[0] * box.width, y: box.y + p[1] * box.height, id: 1 }] : [] });
  await touch('touchStart', [0.2, 0.5]);
  for (let i = 1; i <= 30; i++) await touch('touchMove', [0.2 + 0.02 * i, 0.5 - 0.3 * Math.sin((Math.PI * i) / 30)]);
  await touch('touchEnd');
  const touched = await points();
  assert.ok(touched >= 20, `a finger's stroke put ${touched} points`);
  // Where the plane is on the screen, not scrollY: the rest of the page still filling in above
  // moves scrollY by scroll anchoring, and keeps the plane where it was.
  const after = await page.locator('#plane-flow').boundingBox();
  assert.ok(Math.abs(after.y - box.y) < 2, `drawing does not scroll the page: the plane moved from ${box.y} to ${after.y}`);
  await page.waitForFunction(() => window.lab.plane.picture, null, { timeout: 60_000 });
  assert.equal(await page.evaluate(() => window.lab.plane.picture.real.length > 0), true, 'a run on the drawn points');

  // The keyboard: the plane is focusable and named while drawing; Space held and arrows draw.
  assert.equal(await page.getAttribute('#plane-flow', 'aria-label'), 'The plane to draw points on');
  await page.focus('#plane-flow');
  await page.keyboard.down(' ');
  for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.up(' ');
  assert.equal(await points(), touched + 9, 'Space put a point, and one at each of 8 arrow steps');
  await page.keyboard.press('Delete');
  assert.equal(await points(), 0, 'Delete clears them');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'the page fits the phone');
  assert.deepEqual(errors, []);
  await context.close();
});

test('MNIST in two dimensions: a 2-D autoencoder trains first, its codes coloured by digit, then both models learn them', async () => {
  const { context, page, errors } = await open();
  await page.goto(`${shared.url}?backend=cpu`);
  await page.waitForFunction(() => window.lab?.lastReady, null, { timeout: 60_000 });   // the digits are in
  await page.locator('#step-plane').scrollIntoViewIfNeeded();
  await page.selectOption('#plane-data', 'mnist');
  await page.waitForFunction(() => window.lab.plane.picture?.labels?.length > 0, null, { timeout: 60_000 });
  const untrained = await page.evaluate(() => ({ grid: window.lab.plane.picture.grid, labels: window.lab.plane.picture.labels.length }));
  assert.deepEqual(untrained, { grid: 0, labels: 400 }, 'the codes alone, before anything trains');
  assert.match(await page.textContent('#plane-text'), /2-D autoencoder trains first/);
  const started = Date.now();
  await page.click('#plane-train');
  await page.waitForFunction(() => window.lab.plane.epoch, null, { timeout: 60_000 });
  assert.match(await page.textContent('#plane-text'), /^The 2-D autoencoder: epoch \d of 2/);
  await page.waitForFunction(() => window.lab.plane.nll !== null && window.lab.plane.picture.grid > 0, null, { timeout: 120_000 });
  const seconds = (Date.now() - started) / 1000;
  await page.waitForFunction(() => window.lab.plane.steps.flow > 100, null, { timeout: 60_000 });
  await page.click('#plane-train');
  const { labels, steps } = await page.evaluate(() => ({ labels: new Set(window.lab.plane.picture.labels).size, steps: window.lab.plane.steps }));
  console.log(`# MNIST in 2-D: the autoencoder's ${steps.autoencoder} steps and its codes in ${seconds.toFixed(1)} s after the press`);
  assert.equal(labels, 10, 'every digit on the plane');
  assert.match(await page.textContent('#plane-text'), /^Coloured dots: real digits' codes .* Flow: [\d,]+ steps, held-out NLL/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the 2-D lab\'s settings: folded, in the link, taken by the library; a bad one is refused in words', async () => {
  const { context, page, errors } = await open();
  await page.goto(`${shared.url}?backend=cpu&plane.flow_layers=3&plane.lambda=2#step-plane`);
  await page.waitForFunction(() => window.lab?.plane?.settings, null, { timeout: 60_000 });
  const settings = await page.evaluate(() => window.lab.plane.settings);
  assert.equal(settings.flow.flow.layers, 3);
  assert.equal(settings.wgan.lambda, 2);
  assert.equal(settings.flow.learning_rate, 0.005, 'the others keep the lab\'s defaults (not the paper flow\'s)');
  assert.equal((await page.textContent('#step-plane details.advanced summary')).trim(), 'Settings (2 changed)');
  await page.click('#step-plane .step-share summary');
  assert.match(await page.inputValue('#step-plane .step-share [data-role=embed]'), /panel=plane&amp;plane\.flow_layers=3&amp;plane\.lambda=2"/);
  await page.fill('#plane-settings [name=flow_layers]', '0');
  await page.dispatchEvent('#plane-settings [name=flow_layers]', 'change');
  assert.match(await page.textContent('#plane-text'), /flow's coupling layers must be a whole number from 1 to 32, not "0"/);
  assert.equal(await page.evaluate(() => window.lab.plane.started), false, 'no run on a bad setting');
  assert.deepEqual(errors, []);
  await context.close();
});
