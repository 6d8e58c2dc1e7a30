// The guided path as a visitor sees it: each step's height (in px and in screens) at desktop
// and phone widths, and screenshots of every step before training, of the screen while each
// phase of the one-press story trains, and of every step after it, in out/steps/.
//   node tools/steps.mjs [1280 390]   (after ./build.sh build and the test's npm packages)
import { mkdirSync } from 'node:fs';
import { startServer, launch } from '../tests/browser/harness.mjs';

const SCREENS = { 1280: 800, 390: 844 };
const widths = process.argv.slice(2).map(Number).filter((w) => w in SCREENS);
const out = 'out/steps';
mkdirSync(out, { recursive: true });
const { server, url } = await startServer();
const browser = await launch({ webgpu: false });
const heights = {};
for (const width of widths.length ? widths : [1280, 390]) {
  const height = SCREENS[width];
  const context = await browser.newContext({ viewport: { width, height }, colorScheme: 'dark', isMobile: width < 600, hasTouch: width < 600 });
  const page = await context.newPage();
  await page.goto(`${url}?backend=cpu`);
  await page.waitForFunction(() => window.lab?.loaded?.origin === 'pretrained', null, { timeout: 60_000 });
  const steps = () => page.$$eval('header, section.panel', (sections) => sections.map((s) => ({ id: s.id || s.className.split(' ').pop(), height: Math.round(s.getBoundingClientRect().height) })));
  const shoot = async (when) => {
    for (const { id } of await steps()) {
      if (!id.startsWith('step-')) continue;
      await page.locator(`#${id}`).screenshot({ path: `${out}/${width}-${id}-${when}.png` });
    }
  };
  heights[width] = { screen: height, before: await steps() };
  await shoot('before');
  await page.click('#from-scratch');
  for (const phase of ['autoencoder', 'flow', 'wgan']) {
    await page.waitForFunction((p) => window.lab.phase === p && window.lab[p === 'autoencoder' ? 'autoencoder' : p].step > 30, phase, { timeout: 300_000 });
    await page.screenshot({ path: `${out}/${width}-training-${phase}.png` });
  }
  await page.waitForFunction(() => window.lab.story.times.wgan?.ended, null, { timeout: 300_000 });
  heights[width].after = await steps();
  heights[width].page = await page.evaluate(() => document.documentElement.scrollHeight);
  await shoot('after');
  await context.close();
}
await browser.close();
server.close();
for (const [width, h] of Object.entries(heights)) {
  console.log(`${width} px wide (screen ${h.screen} px high): page ${h.page} px after the story`);
  for (const [i, { id, height }] of h.before.entries()) {
    const after = h.after[i].height;
    console.log(`  ${id.padEnd(16)} ${String(height).padStart(5)} px before (${(height / h.screen).toFixed(2)} screens), ${String(after).padStart(5)} px after (${(after / h.screen).toFixed(2)})`);
  }
}
