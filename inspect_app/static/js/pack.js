/*
 * "Make available offline" on an inspection's ward overview: downloads the ward pack (the URLs
 * from GET /api/v1/inspections/<id>/pack) into the service worker's caches and says when it
 * was done ("Ready offline, 2 h ago"). The page marks the spot with
 * <div data-offline-pack data-inspection-id="...">; without JavaScript nothing shows there.
 */
(function () {
  'use strict';

  var WSI = (window.WSI = window.WSI || {});
  var PAGES = 'wsi-pages-v1';   // the same names as templates/pwa/sw.js
  var IMAGES = 'wsi-images-v1';
  var KEY = 'wsi-pack-';

  function stored(id) {
    try { return JSON.parse(localStorage.getItem(KEY + id) || 'null'); } catch (e) { return null; }
  }

  WSI.itemCategory = function (itemId) {
    for (var i = 0; i < localStorage.length; i += 1) {
      var name = localStorage.key(i);
      if (name.indexOf(KEY) !== 0) continue;
      var pack = stored(name.slice(KEY.length));
      if (pack && pack.item_categories && pack.item_categories[itemId]) return pack.item_categories[itemId];
    }
    return null;
  };

  function ago(iso) {
    var seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    if (seconds < 60) return 'just now';
    if (seconds < 3600) return Math.floor(seconds / 60) + ' min ago';
    if (seconds < 86400) return Math.floor(seconds / 3600) + ' h ago';
    var days = Math.floor(seconds / 86400);
    return days + (days === 1 ? ' day ago' : ' days ago');
  }

  function fetchInto(url) {
    var isImage = /\.(jpe?g|png|webp)$/i.test(new URL(url, location.href).pathname);
    return fetch(url, { credentials: 'same-origin', redirect: 'manual', cache: 'no-store' }).then(function (response) {
      if (!response.ok || response.type !== 'basic') throw new Error(url + ': ' + response.status);
      return caches.open(isImage ? IMAGES : PAGES).then(function (cache) {
        return cache.put(new URL(url, location.href).href, response);
      });
    });
  }

  function download(id, status, button) {
    button.disabled = true;
    status.textContent = 'Downloading the ward pack…';
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
    return fetch('/api/v1/inspections/' + id + '/pack', { credentials: 'same-origin', redirect: 'manual', cache: 'no-store' })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status === 401 ? 'Sign in again first.' : 'The pack could not be prepared.');
        return response.json();
      })
      .then(function (pack) {
        var done = 0;
        var failed = 0;
        // Two at a time: quick on ward Wi-Fi without hogging the server.
        var queue = pack.urls.slice();
        function worker() {
          var url = queue.shift();
          if (!url) return Promise.resolve();
          return fetchInto(url).then(function () { done += 1; }, function () { failed += 1; }).then(function () {
            status.textContent = 'Downloading ' + (done + failed) + ' of ' + pack.urls.length + '…';
            return worker();
          });
        }
        return Promise.all([worker(), worker()]).then(function () {
          if (failed) throw new Error(failed + ' of ' + pack.urls.length + ' pages could not be downloaded. Try again.');
          localStorage.setItem(KEY + id, JSON.stringify({ downloaded_at: new Date().toISOString(), counts: pack.counts,
                                                          item_categories: pack.item_categories }));
        });
      })
      .then(function () { show(id, status); }, function (error) { status.textContent = error.message; })
      .then(function () { button.disabled = false; });
  }

  function show(id, status) {
    var pack = stored(id);
    status.textContent = pack
      ? 'Ready offline, ' + ago(pack.downloaded_at) + ' (' + pack.counts.rooms + ' rooms, ' +
        pack.counts.ligature_points + ' ligature points).'
      : 'Not yet available offline on this device.';
  }

  function start() {
    if (!('caches' in window)) return;
    document.querySelectorAll('[data-offline-pack]').forEach(function (spot) {
      var id = spot.getAttribute('data-inspection-id');
      var button = WSI.el('button', { type: 'button', 'class': 'button', 'data-pack-button': '' }, 'Make available offline');
      var status = WSI.el('p', { 'class': 'pack-status', role: 'status', 'aria-live': 'polite', 'data-pack-status': '' });
      button.addEventListener('click', function () { download(id, status, button); });
      spot.appendChild(button);
      spot.appendChild(status);
      show(id, status);
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
