// The README's picture of the page mid-run (docs/screenshot.png): the page opened as a visitor
// opens it, Train from scratch pressed, the picture taken once AdvAE's WGAN has trained a while.
//   node tools/screenshot.mjs   (after ./build.sh build and npm packages for the tests)
import { startServer, launch } from '../tests/browser/harness.mjs';
const { server, url } = await startServer();
const browser = await launch({ webgpu: false });
const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, colorScheme: 'dark' });
const page = await context.newPage();
await page.goto(`${url}?backend=cpu`);
await page.waitForFunction(() => !document.getElementById('from-scratch').disabled, null, { timeout: 60000 });
await page.click('#from-scratch');
await page.waitForFunction(() => window.lab.phase === 'wgan' && window.lab.wgan.step > 60, null, { timeout: 300000 });
await page.evaluate(() => window.scrollTo(0, 0));
await page.screenshot({ path: 'docs/screenshot.png' });
await browser.close(); server.close();
