// The service worker: after one visit the page opens and trains with the network off.
//
// What it keeps is pkg/offline.js's list (tools/offline.mjs writes it at each build): the page,
// its modules and the CPU wasm module at install; every other file of the list (the data set in
// use, the pretrained models, the classifier, the WebGPU module, the grayscale images) the first
// time a page it controls fetches it, or when a page asks it to keep a set's files ({type:
// 'keep', paths}: answered with {type: 'kept', version, bytes, missing}). One cache per version: a new
// deployment installs beside the old one and waits; the page offers to reload, and this worker's
// 'activate' then removes every other version's cache. Until then the old version serves the old
// files whole, so a page never mixes two versions. It answers only GETs of its own files.
importScripts('pkg/offline.js');

const { version, shell, sizes } = self.OFFLINE;
const CACHE = `flowae-${version}`;
const base = new URL('./', self.registration.scope);
/** The path of a URL of ours under the scope ('' for the page itself), or null. */
const pathOf = (url) => (url.origin === base.origin && url.pathname.startsWith(base.pathname) ? url.pathname.slice(base.pathname.length) : null);

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(shell)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name.startsWith('flowae-') && name !== CACHE) await caches.delete(name);
    // No clients.claim(): a first visit stays with the network it started on (it asks for its
    // files to be kept instead, 'keep'); the next one opens from the cache.
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  const path = pathOf(url);
  // The page under any link (index.html?data=fashion…), or one of the listed files.
  const page = request.mode === 'navigate' && (path === '' || path === 'index.html' || path === 'embed.html');
  if (path === null || (!page && !(path in sizes))) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const key = path === '' ? './' : path;
    const kept = await cache.match(key);
    if (kept) return kept;
    const response = await fetch(request);
    if (response.status === 200) await cache.put(key, response.clone()).catch(() => {});
    return response;
  })());
});

self.addEventListener('message', (event) => {
  const { data, source } = event;
  if (data?.type === 'skip-waiting') self.skipWaiting();
  // Answered on the port the page sent (a MessageChannel's), which reaches a page this worker
  // does not control too.
  if (data?.type === 'keep') event.waitUntil(keep(data.paths ?? []).then((answer) => (event.ports[0] ?? source)?.postMessage(answer)));
});

/** Keeps `paths` (those of the list not kept yet are fetched); says how many bytes this version
 * keeps now, and which of the paths could not be had. */
async function keep(paths) {
  const cache = await caches.open(CACHE);
  const missing = [];
  for (const path of paths.filter((p) => p in sizes)) {
    if (await cache.match(path)) continue;
    try {
      const response = await fetch(path);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      await cache.put(path, response);
    } catch {
      missing.push(path);
    }
  }
  let bytes = 0;
  for (const request of await cache.keys()) bytes += sizes[pathOf(new URL(request.url))] ?? 0;
  return { type: 'kept', version, bytes, missing };
}
