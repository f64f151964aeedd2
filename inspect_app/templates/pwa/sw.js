/*
 * Ward Safety Inspect service worker (rendered by pwa/views.py, served at /sw.js, no-cache).
 *
 * Caches:
 *   wsi-shell-{{ version }}  CSS, JS, icons, the offline page. Versioned by a hash of these
 *                            files: a release makes a new cache and activate removes old ones.
 *   wsi-pages-v1             Pages: the ward pack plus pages visited online. Network first, the
 *                            cache when the network fails. Kept across releases (it is data, not
 *                            code) and emptied at sign-out.
 *   wsi-images-v1            Photo thumbnails: cache first.
 * /api/ is never cached: sync answers must come from the server.
 * Background Sync (where the browser has it) replays the outbox from here (outbox.js).
 */
'use strict';

var VERSION = {{ version|tojson }};
var SHELL = 'wsi-shell-' + VERSION;
var PAGES = 'wsi-pages-v1';
var IMAGES = 'wsi-images-v1';
var KEEP = [SHELL, PAGES, IMAGES];
var SHELL_URLS = {{ shell|tojson }};
var OFFLINE_URL = {{ offline_url|tojson }};

importScripts({{ url_for('static', filename='js/outbox.js')|tojson }});

self.addEventListener('install', function (event) {
  event.waitUntil(
    caches.open(SHELL).then(function (cache) {
      // Static URLs carry their content hash (?v=), so what the HTTP cache holds for one is that
      // exact file: precaching takes it from there instead of downloading it again. The offline
      // page and manifest are served no-cache, so the browser revalidates them.
      return cache.addAll(SHELL_URLS);
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener('activate', function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf('wsi-') === 0 && KEEP.indexOf(name) === -1;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function isPage(request) {
  return request.mode === 'navigate' || (request.headers.get('accept') || '').indexOf('text/html') !== -1;
}

function cacheable(response) {
  return response && response.ok && !response.redirected && response.type === 'basic';
}

function networkFirst(request) {
  return fetch(request).then(function (response) {
    if (cacheable(response)) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { return cache.put(request.url, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(PAGES).then(function (cache) {
      return cache.match(request.url).then(function (hit) { return hit || cache.match(packKey(request.url)); });
    }).then(function (hit) { return hit || caches.match(OFFLINE_URL); });
  });
}

/* A ligature point form opened for one checklist item (?item_id=) falls back to the room's blank
   form from the pack; correct.js fills the item in. */
function packKey(href) {
  var url = new URL(href);
  url.searchParams.delete('item_id');
  return url.href;
}

function cacheFirst(request, cacheName) {
  return caches.match(request).then(function (hit) {
    if (hit) return hit;
    return fetch(request).then(function (response) {
      if (cacheable(response)) {
        var copy = response.clone();
        caches.open(cacheName).then(function (cache) { return cache.put(request, copy); });
      }
      return response;
    });
  });
}

self.addEventListener('fetch', function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf('/api/') === 0 || url.pathname === '/sw.js') return;
  if (url.pathname.indexOf('/static/') === 0) {
    event.respondWith(cacheFirst(request, SHELL));
  } else if (request.destination === 'image') {
    event.respondWith(cacheFirst(request, IMAGES));
  } else if (isPage(request)) {
    event.respondWith(networkFirst(request));
  }
});

self.addEventListener('sync', function (event) {
  if (event.tag !== WSIOutbox.SYNC_TAG) return;
  event.waitUntil(WSIOutbox.flush().then(function (outcome) {
    return self.clients.matchAll({ type: 'window' }).then(function (windows) {
      windows.forEach(function (client) { client.postMessage({ type: 'wsi-outbox-changed', outcome: outcome }); });
      // A network stop rejects so the browser schedules another attempt with its own back-off.
      if (outcome.stopped === 'network') throw new Error('outbox: network unavailable');
    });
  }));
});

self.addEventListener('message', function (event) {
  if (event.data && event.data.type === 'wsi-clear-pages') {
    event.waitUntil(Promise.all([caches.delete(PAGES), caches.delete(IMAGES)]));
  }
});
