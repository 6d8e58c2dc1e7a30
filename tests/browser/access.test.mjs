// Accessibility, as axe-core (npm, a dev dependency) judges it in the page: no serious or
// critical violation at desktop and phone widths, in the dark and the light colour scheme, on
// every step: when the page opens, folded and with every fold (settings, prompts, links and
// embeds) open, with a drawing read on the draw pad, and after the one-press story and Compare
// all have run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { servedBrowser } from './harness.mjs';

const AXE = readFileSync('node_modules/axe-core/axe.min.js', 'utf8');

const shared = servedBrowser({ webgpu: false });

/** axe's serious and critical violations on the page as it is, as "rule: element, …". */
async function violations(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const { violations: found } = await window.axe.run(document, { resultTypes: ['violations'] });
    return found.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(', ')}`);
  });
}

for (const [width, colorScheme] of [[1280, 'dark'], [390, 'dark'], [1280, 'light'], [390, 'light']]) {
  test(`axe finds no serious or critical violation at ${width} px in the ${colorScheme} scheme, before and after a run`, async () => {
    const context = await shared.browser.newContext({ viewport: { width, height: 900 }, colorScheme });
    const page = await context.newPage();
    await page.goto(`${shared.url}?backend=cpu&train_images=500&test_images=200&epochs=1&batch_size=50&flow.epochs=1&wgan.epochs=2&fcd=500&fcd_length=sections&vae.epochs=1&aae.epochs=1`);
    await page.waitForFunction(() => window.lab?.loaded?.origin === 'pretrained', null, { timeout: 60_000 });
    assert.deepEqual(await violations(page), [], 'on opening');
    const unfold = () => page.$$eval('details', (folds) => folds.forEach((fold) => { fold.open = true; }));
    await unfold();
    assert.deepEqual(await violations(page), [], 'on opening, every fold open');
    // The draw pad with a reading shown: its table, its digits, its verdict.
    await page.click('[data-draw-example="7"]');
    await page.waitForFunction(() => window.lab.draw.reading, null, { timeout: 60_000 });
    assert.deepEqual(await violations(page), [], 'a drawing read');
    if (width === 1280 && colorScheme === 'dark') {
      await page.click('#from-scratch');
      await page.waitForFunction(() => window.lab.story.times.wgan?.ended, null, { timeout: 300_000 });
      await page.click('#compare');
      await page.waitForFunction(() => /^Done in/.test(document.getElementById('compare-text').textContent), null, { timeout: 600_000 });
      await unfold();
      assert.deepEqual(await violations(page), [], 'after a run, Table 1 filled and every fold open');
    }
    await context.close();
  });
}
