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

test('the embed shows the 2-D lab alone: under 100 kB until a press, then it trains', async () => {
  const { context, page, errors } = await open(420);
  let bytes = 0;
  const files = [];
  page.on('response', async (response) => {
    try { const body = await response.body(); bytes += body.length; files.push(new URL(response.url()).pathname); } catch { /* a redirect */ }
  });
  await page.goto(`${shared.url}embed.html?panel=plane&plane=eight-gaussians`);
  await page.waitForFunction(() => window.widget?.plane, null, { timeout: 30_000 });
  await page.waitForTimeout(1000);
  const before = bytes;
  console.log(`# embed ?panel=plane: ${files.length} requests, ${before} bytes before a press: ${files.join(' ')}`);
  assert.ok(before < 100_000, `${before} bytes before a press`);
  assert.ok(!files.some((f) => f.endsWith('.wasm') || f.includes('mnist')), 'no module and no digits yet');
  assert.equal(await page.inputValue('#plane-data'), 'eight-gaussians', 'the link chose the data');
  assert.ok(await page.isVisible('#plane-flow') && !(await page.isVisible('#train')), 'the lab, not the samples widget');
  await page.click('#plane-train');
  await page.waitForFunction(() => window.widget.plane.seconds > 2, null, { timeout: 60_000 });
  await page.click('#plane-train');
  assert.match(await page.textContent('#plane-text'), /^Flow: [\d,]+ steps, held-out NLL/);
  assert.ok(!files.some((f) => f.includes('mnist')), 'no digits were needed');
  assert.deepEqual(errors, []);
  await context.close();
});
