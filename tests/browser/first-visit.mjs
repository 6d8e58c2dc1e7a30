// A first visit as a visitor on a real network has it: a cold cache, Chromium's own network
// emulation, the page served compressed as static hosts serve it (tools/serve.mjs). Measures,
// in ms from navigation: the first samples drawn (the pre-rendered picture), the pretrained
// models interactive (live samples that Resample, the temperature and the morph strip act on),
// Train enabled, training visibly under way (Train pressed the moment it could be, the first
// step drawn), and every byte of the first visit in; with the bytes on the wire per file.
// Used by bench.mjs (`./build.sh bench`).

/** The network profiles the bars are set on. */
export const PROFILES = {
  loopback: null,
  '4g': { latency: 170, bitsPerSecond: 9e6 },
  '1.6mbit': { latency: 300, bitsPerSecond: 1.6e6 },
};

/** One cold first visit of `url` over `profile` (a key of PROFILES). */
export async function firstVisit(browser, url, profile, { train = true, query = '' } = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const net = PROFILES[profile];
  if (net) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const bytesPerSecond = net.bitsPerSecond / 8;
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: net.latency, downloadThroughput: bytesPerSecond, uploadThroughput: bytesPerSecond,
    });
  }
  await page.addInitScript(() => {
    window.firstPaints = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.identifier === 'first-samples') window.firstPaints.push(e.renderTime || e.loadTime);
    }).observe({ type: 'element', buffered: true });
  });
  await page.goto(`${url}?backend=auto${query}`, { waitUntil: 'commit' });
  const timeout = 180_000;
  await page.waitForFunction(() => window.firstPaints?.length >= 2, null, { timeout });
  await page.waitForFunction(() => window.lab?.timing.interactive, null, { timeout });
  let trainingMs = null;
  if (train) {
    await page.waitForFunction(() => !document.getElementById('train').disabled, null, { timeout, polling: 20 });
    await page.evaluate(() => document.getElementById('train').click());
    await page.waitForFunction(() => window.lab.timing.training, null, { timeout });
    trainingMs = await page.evaluate(() => window.lab.timing.training);
  }
  const result = await page.evaluate(() => {
    const resources = performance.getEntriesByType('resource');
    const files = {};
    for (const r of resources) {
      const path = new URL(r.name).pathname.replace(/^\//, '') || 'index.html';
      files[path] = (files[path] ?? 0) + r.transferSize;
    }
    const [nav] = performance.getEntriesByType('navigation');
    files['index.html'] = nav.transferSize;
    return {
      firstSamplesMs: Math.max(...window.firstPaints),
      interactiveMs: window.lab.timing.interactive,
      trainableMs: window.lab.timing.trainable,
      allBytesInMs: Math.max(nav.responseEnd, ...resources.map((r) => r.responseEnd)),
      backend: window.lab.backend,
      files,
    };
  });
  await context.close();
  const round = (ms) => (ms == null ? null : Math.round(ms));
  return {
    profile,
    firstSamplesMs: round(result.firstSamplesMs),
    interactiveMs: round(result.interactiveMs),
    trainableMs: round(result.trainableMs),
    trainingMs: round(trainingMs),
    allBytesInMs: round(result.allBytesInMs),
    bytes: Object.values(result.files).reduce((a, b) => a + b, 0),
    files: result.files,
    backend: result.backend,
    errors,
  };
}
