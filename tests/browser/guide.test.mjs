// The guided path: the page as a sequence of short steps, each with a prediction to make, its
// settings folded, its own link and embed; the sample grids captioned by the classifier; the
// first step's own widget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser } from './harness.mjs';

const shared = servedBrowser({ webgpu: false });
const STEPS = ['step-ae', 'step-flow', 'step-draw', 'step-wgan', 'step-baselines', 'step-compare', 'step-map', 'step-plane'];
/** The steps with settings to fold (the draw pad and the 2-D lab have none). */
const WITH_SETTINGS = STEPS.filter((s) => s !== 'step-draw');
/** A screen at 1280 px wide: the bar is about two of them per step. */
const SCREEN = 800;

test('the page is eight short steps, each with a prediction, its settings folded, and its own link and embed', async () => {
  const context = await shared.browser.newContext({ viewport: { width: 1280, height: SCREEN } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${shared.url}?backend=cpu`);
  await page.waitForFunction(() => window.lab?.loaded?.origin === 'pretrained', null, { timeout: 60_000 });
  assert.equal(await page.textContent('#models-title'), 'Samples from models trained in advance');
  const steps = await page.$$eval('section.step', (sections) => sections.map((s) => ({
    id: s.id,
    height: s.getBoundingClientRect().height,
    predict: Boolean(s.querySelector('.predict details.answer:not([open])')),
    folds: [...s.querySelectorAll('details.advanced')].map((d) => d.open),
    visibleFields: [...s.querySelectorAll('form.settings [name]')].filter((f) => f.checkVisibility()).length,
  })));
  assert.deepEqual(steps.map((s) => s.id), STEPS);
  for (const step of steps) {
    assert.ok(step.height <= 2 * SCREEN, `${step.id} is ${step.height} px high`);
    assert.ok(step.predict, `${step.id} asks for a prediction, its answer folded`);
    assert.equal(step.folds.length > 0, WITH_SETTINGS.includes(step.id), `${step.id} has settings to fold: ${step.folds}`);
    assert.ok(step.folds.every((open) => !open), `${step.id}'s settings are folded: ${step.folds}`);
    assert.equal(step.visibleFields, 0, `${step.id} shows no settings field until unfolded`);
  }
  // Unfolded, every setting is there, with its help line in sight.
  await page.click('#step-wgan details.advanced summary');
  assert.ok(await page.isVisible('#wgan-settings [name=lambda]'));
  assert.match(await page.textContent('#wgan-lambda-help'), /gradient penalty/);

  // Each step's link opens the page at that step; steps 1, 2 and 4 embed their widget, 3 and
  // 8 their view alone, the others the page showing that step alone.
  const share = async (step) => {
    await page.click(`#${step} .step-share summary`);
    return { link: await page.inputValue(`#${step} .step-share [data-role=link]`), embed: await page.inputValue(`#${step} .step-share [data-role=embed]`) };
  };
  const flow = await share('step-flow');
  assert.match(flow.link, /\?backend=cpu#step-flow$/);
  assert.match(flow.embed, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\.html\?model=flow" title="2 · FlowAE/);
  assert.match((await share('step-ae')).embed, /embed\.html\?model=autoencoder/);
  const compare = await share('step-compare');
  assert.match(compare.embed, /\?backend=cpu&amp;show=compare#step-compare"/);
  // Step 3 embeds its view alone (embed.html?panel=draw: tests/browser/panels.test.mjs).
  assert.match((await share('step-draw')).embed, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\.html\?panel=draw" title="3 · Draw a digit/);

  const other = await context.newPage();
  await other.goto(flow.link);
  await other.waitForFunction(() => window.lab?.state !== 'loading', null, { timeout: 60_000 });
  const top = await other.$eval('#step-flow', (s) => s.getBoundingClientRect().top);
  assert.ok(Math.abs(top) < 40 && await other.evaluate(() => window.scrollY) > 1000, `the link opens at step 2 (its top at ${top} px)`);
  await other.close();

  // A link that changes a setting shows it: that step's fold opens and counts it.
  const linked = await context.newPage();
  await linked.goto(`${shared.url}?backend=cpu&flow.layers=3`);
  await linked.waitForFunction(() => window.lab?.state !== 'loading', null, { timeout: 60_000 });
  assert.equal(await linked.$eval('#step-flow details.advanced', (d) => d.open), true);
  assert.equal((await linked.textContent('#step-flow details.advanced summary')).trim(), 'Settings (1 changed)');
  assert.equal(await linked.$eval('#step-ae details.advanced', (d) => d.open), false);
  await linked.close();

  // The grids are captioned by the classifier once it is loaded (Resample loads it).
  await page.click('#hero-resample');
  await page.waitForFunction(() => ['flow-samples', 'prior-samples-copy', 'hero-wgan'].every((id) => window.lab.readAs[id]), null, { timeout: 60_000 });
  const label = await page.getAttribute('#flow-samples', 'aria-label');
  assert.match(label, /^FlowAE samples: 32 samples, read by the classifier as [0-9?](, [0-9?]){31} \(\? where it is less than 90% sure\)$/);
  const { sure } = await page.evaluate(() => window.lab.readAs['flow-samples']);
  assert.equal((label.match(/\d(?=,|\s\()/g) ?? []).length, sure, 'the line counts the digits the label names');
  assert.equal(await page.textContent('[data-read-as="flow-samples"]'), `Read as digits: ${sure} of 32 (the classifier at least 90% sure)`);
  assert.match(await page.getAttribute('#hero-wgan', 'aria-label'), /^AdvAE samples: 32 samples, read by the classifier as /);
  assert.deepEqual(errors, []);
  await context.close();
});

test('step 1 embeds as its own widget: the autoencoder trains in the frame and decodes random codes', async () => {
  const page = await shared.browser.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${shared.url}embed.html?model=autoencoder&backend=cpu`);
  assert.equal(await page.textContent('#title'), 'An autoencoder decoding random codes');
  await page.waitForFunction(() => document.getElementById('preview').naturalWidth === 242);
  await page.click('#train');
  await page.waitForFunction(() => window.widget.state === 'done', null, { timeout: 300_000 });
  assert.ok(await page.evaluate(() => window.widget.drawn) > 0);
  assert.match(await page.textContent('#status'), /^Done: an autoencoder trained just now .* smudges/);
  assert.deepEqual([...errors, ...await page.evaluate(() => window.widget.errors)], []);
  await page.close();
});

test('while a run trains out of sight, a strip at the bottom shows its samples, trace and line; it steps aside, stops and closes', async () => {
  const context = await shared.browser.newContext({ viewport: { width: 1280, height: SCREEN } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${shared.url}?pretrained=0&backend=cpu&train_images=2000&test_images=200&epochs=1&batch_size=50&flow.epochs=100`);
  await page.waitForFunction(() => window.lab?.state === 'idle', null, { timeout: 60_000 });
  const shown = (value) => page.waitForFunction((v) => window.lab.strip.shown === v, value, { timeout: 10_000 });
  await page.click('#from-scratch');
  await page.waitForFunction(() => window.lab.phase === 'flow' && window.lab.flow.step > 5 && window.lab.drawn.flow > 0, null, { timeout: 120_000 });
  assert.equal(await page.evaluate(() => window.lab.strip.shown), false, 'the opening pictures are in view: no strip');
  await page.evaluate(() => document.getElementById('step-map').scrollIntoView());
  await shown(true);
  assert.equal(await page.textContent('#live-title'), 'Training the flow (FlowAE)');
  await page.waitForFunction(() => /^epoch \d+\/100 .* left/.test(document.getElementById('live-line').textContent), null, { timeout: 10_000 });
  await page.waitForFunction(() => !document.getElementById('live-samples').hidden, null, { timeout: 10_000 });
  const ink = await page.$eval('#live-samples', (c) => {
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let n = 0; for (let i = 0; i < data.length; i += 4) if (data[i] > 128) n++; return n;
  });
  assert.ok(ink > 300, `the strip draws the newest samples (${ink} bright pixels)`);
  // The model's own samples in view: the strip steps aside.
  await page.evaluate(() => document.getElementById('flow-samples').scrollIntoView({ block: 'center' }));
  await shown(false);
  await page.evaluate(() => document.getElementById('step-map').scrollIntoView());
  await shown(true);
  // Its Stop stops the run (and the story), and the strip goes.
  await page.click('#live-stop');
  await page.waitForFunction(() => window.lab.state === 'stopped' && !window.lab.story.running, null, { timeout: 30_000 });
  await shown(false);
  // A new run brings it back; closed, it stays closed for that run.
  await page.evaluate(() => document.getElementById('train-flow').click());
  await page.waitForFunction(() => window.lab.state === 'training' && window.lab.flow.step > 0, null, { timeout: 60_000 });
  await page.evaluate(() => document.getElementById('step-map').scrollIntoView());
  await shown(true);
  await page.click('#live-close');
  await shown(false);
  await page.evaluate(() => document.getElementById('step-compare').scrollIntoView());
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => window.lab.strip.shown), false, 'closed stays closed');
  await page.evaluate(() => document.getElementById('flow-stop').click());
  await page.waitForFunction(() => window.lab.state === 'stopped', null, { timeout: 30_000 });
  assert.deepEqual(errors, []);
  await context.close();
});
