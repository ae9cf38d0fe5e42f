// iCattle's service worker: keeps the app (its wasm, script and styles) and the pages the
// user opened, so that with no signal in a paddock the farmer can still open them, fill in
// the forms and have the commands kept in the outbox.
//
// Everything is asked of the network first: the registry's pages are live, and a copy is
// only for when the network cannot answer. Commands, server functions, the API and the live
// socket are never kept or answered from here.

const APP_CACHE = 'icattle-app';
// The app names this cache too: it is emptied at sign-out (the pages show a user's herd).
const PAGE_CACHE = 'icattle-pages';
const APP_FILES = ['/pkg/icattle.js', '/pkg/icattle.wasm', '/pkg/icattle.css', '/favicon.svg'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(APP_CACHE)
      // A file that cannot be fetched now is kept the next time it is loaded.
      .then((cache) => Promise.all(APP_FILES.map((file) => cache.add(file).catch(() => undefined))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  // A page is asked of the network while the worker starts, not after.
  const preload = self.registration.navigationPreload
    ? self.registration.navigationPreload.enable() : Promise.resolve();
  event.waitUntil(preload.then(() => self.clients.claim()));
});

function kept(url) {
  if (url.origin !== self.location.origin) return null;
  if (url.pathname.startsWith('/pkg/') || url.pathname === '/favicon.svg') return APP_CACHE;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/live') || url.pathname === '/metrics'
    || url.pathname === '/health' || url.pathname === '/sw.js') return null;
  return PAGE_CACHE;
}

// The pages opened most recently are kept; older ones make room (a herd has thousands).
const MOST_PAGES = 200;

async function keep(cache, cacheName, request, response) {
  if (cacheName === APP_CACHE) {
    // The wasm is megabytes: it is written again only when the server has a new build.
    const old = await cache.match(request);
    const same = (name) => old && old.headers.get(name) === response.headers.get(name);
    if (same('last-modified') && same('content-length')) return;
    await cache.put(request, response);
    return;
  }
  // Put again, a page moves to the end of the cache's order: the oldest come first.
  await cache.delete(request);
  await cache.put(request, response);
  const pages = await cache.keys();
  await Promise.all(pages.slice(0, Math.max(0, pages.length - MOST_PAGES)).map((old) => cache.delete(old)));
}

const OFFLINE_PAGE = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>iCattle: offline</title>
<link rel="stylesheet" href="/pkg/icattle.css"></head><body><main class="content">
<section class="panel"><h1>No connection</h1>
<p>This page was not opened on this device before, so there is no copy of it here.</p>
<p>The pages you opened before still open, and their forms keep what you record in the outbox
until you are back online.</p><p><a href="/">Dashboard</a> · <a href="/herd">Herd</a></p>
</section></main></body></html>`;

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  const cacheName = kept(url);
  if (!cacheName) return;
  event.respondWith((async () => {
    try {
      const response = (request.mode === 'navigate' && await event.preloadResponse) || await fetch(request);
      // Only a page answered as asked is kept (not a redirect to sign in, not an error).
      if (response.ok && !response.redirected && response.type === 'basic') {
        const copy = response.clone();
        event.waitUntil(caches.open(cacheName).then((cache) => keep(cache, cacheName, request, copy)));
      }
      return response;
    } catch (offline) {
      const copy = await caches.match(request, { cacheName });
      if (copy) return copy;
      if (request.mode === 'navigate') {
        return new Response(OFFLINE_PAGE, { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
      }
      throw offline;
    }
  })());
});
