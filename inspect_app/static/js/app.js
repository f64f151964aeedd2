/*
 * App shell behaviour on every page: registers the service worker, shows the persistent outbox
 * status ("Offline, 7 waiting" / "All saved"), runs the outbox replay (page load, the online
 * event, "Sync now", Background Sync, back-off after a failure), and blocks sign-out while
 * items wait (with "Export unsent items" as the escape hatch).
 *
 * capture.js (forms -> outbox; pending.js draws what waits into the page) and pack.js ("Make
 * available offline") use WSI.refresh() and WSI.sync() from here.
 */
(function () {
  'use strict';

  var WSI = (window.WSI = window.WSI || {});
  var Outbox = window.WSIOutbox;
  var USER_KEY = 'wsi-user';
  var backoff = 0;
  var retryTimer = null;
  var lastStop = null;
  var bar = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }
  WSI.el = el;

  function registerWorker() {
    if (!('serviceWorker' in navigator)) return Promise.resolve(null);
    return navigator.serviceWorker.register('/sw.js', { scope: '/' }).then(function (reg) { return reg || null; })
      .catch(function () { return null; });
  }

  /* The signed-in user, remembered so items captured offline carry their author. */
  function refreshUser() {
    return fetch('/api/v1/me', { credentials: 'same-origin', redirect: 'manual', cache: 'no-store' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (me) { if (me) localStorage.setItem(USER_KEY, JSON.stringify(me)); return me; })
      .catch(function () { return null; });
  }
  WSI.currentUser = function () {
    try { return JSON.parse(localStorage.getItem(USER_KEY) || 'null'); } catch (e) { return null; }
  };

  function buildBar() {
    bar = el('div', { 'class': 'outbox-bar', 'data-outbox-bar': '' });
    var text = el('p', { 'class': 'outbox-bar__text', role: 'status', 'aria-live': 'polite', 'data-outbox-status': '' });
    var button = el('button', { type: 'button', 'class': 'button outbox-bar__sync' }, 'Sync now');
    button.addEventListener('click', function () { sync(true); });
    var details = el('details', { 'class': 'outbox-bar__details' });
    details.appendChild(el('summary', {}, 'Items on this device'));
    details.appendChild(el('ul', { 'class': 'outbox-list', 'data-outbox-list': '' }));
    bar.appendChild(text);
    bar.appendChild(button);
    bar.appendChild(details);
    var header = document.querySelector('.site-header');
    if (header) header.insertAdjacentElement('afterend', bar); else document.body.prepend(bar);
  }

  function describe(rows) {
    var waiting = rows.filter(function (r) { return r.state !== 'done'; });
    var attention = rows.filter(function (r) { return r.state === 'needs-attention'; }).length;
    var n = waiting.length;
    var items = n + (n === 1 ? ' item' : ' items');
    var text;
    if (!n) text = 'All saved';
    else if (!navigator.onLine || lastStop === 'network') text = 'Offline, ' + n + ' waiting';
    else if (lastStop === 'auth') text = 'Signed out: sign in again to send ' + items + ' waiting';
    else if (lastStop === 'server') text = 'Server unavailable, ' + n + ' waiting';
    else text = 'Sending, ' + n + ' waiting';
    if (attention) text += ' (' + attention + ' need' + (attention === 1 ? 's' : '') + ' attention)';
    return text;
  }

  function stateLabel(state) {
    return { queued: 'Saved on this device', sending: 'Uploading', 'needs-attention': 'Needs attention',
             done: 'Sent' }[state] || state;
  }

  function renderList(rows) {
    document.querySelectorAll('[data-outbox-list]').forEach(function (list) {
      list.textContent = '';
      rows.filter(function (r) { return r.state !== 'done'; }).forEach(function (r) {
        var li = el('li', { 'class': 'outbox-list__item outbox-list__item--' + r.state });
        li.appendChild(el('span', { 'class': 'state-chip state-chip--' + r.state }, stateLabel(r.state)));
        li.appendChild(document.createTextNode(' ' + r.label));
        if (r.message) li.appendChild(el('p', { 'class': 'outbox-list__message' }, r.message));
        if (r.state === 'needs-attention' && r.form_url) {
          // Open the item in its form, with the server's message on the field, to correct it.
          var join = r.form_url.indexOf('?') === -1 ? '?' : '&';
          li.appendChild(el('a', { 'class': 'button button--primary', href: r.form_url + join + 'outbox=' + r.op_id },
                            'Correct it'));
        }
        if (r.state === 'needs-attention') {
          var retry = el('button', { type: 'button', 'class': 'button' }, 'Try again');
          retry.addEventListener('click', function () { Outbox.retry(r.seq).then(function () { sync(true); }); });
          var drop = el('button', { type: 'button', 'class': 'button button--danger' }, 'Discard');
          drop.addEventListener('click', function () {
            if (window.confirm('Discard "' + r.label + '"? It will not reach the server.')) Outbox.discard(r.seq).then(refresh);
          });
          li.appendChild(retry);
          li.appendChild(drop);
        }
        list.appendChild(li);
      });
    });
  }

  function refresh() {
    if (!Outbox) return Promise.resolve([]);
    return Outbox.all().then(function (rows) {
      var text = describe(rows);
      document.querySelectorAll('[data-outbox-status]').forEach(function (node) {
        if (node.textContent !== text) node.textContent = text;
      });
      if (bar) bar.classList.toggle('outbox-bar--waiting', text !== 'All saved');
      renderList(rows);
      document.dispatchEvent(new CustomEvent('wsi:outbox', { detail: rows }));
      return rows;
    });
  }
  WSI.refresh = refresh;

  function scheduleRetry() {
    clearTimeout(retryTimer);
    backoff = Math.min(backoff ? backoff * 2 : 2000, 120000);
    retryTimer = setTimeout(function () { sync(false); }, backoff);
  }

  function sync(manual) {
    if (!Outbox) return Promise.resolve(null);
    if (manual) backoff = 0;
    var run = Outbox.flush().then(function (outcome) {
      lastStop = outcome.stopped;
      if (outcome.stopped === 'network' || outcome.stopped === 'server') scheduleRetry();
      else backoff = 0;
      return outcome;
    }, function () { lastStop = 'network'; scheduleRetry(); return null; });
    refresh();
    return run.then(function (outcome) { return refresh().then(function () { return outcome; }); });
  }
  WSI.sync = sync;

  /* After capture: ask for Background Sync too, where the browser has it. */
  WSI.queued = function () {
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
    if ('serviceWorker' in navigator) {
      navigator.serviceWorker.ready.then(function (reg) {
        if (reg.sync) return reg.sync.register(Outbox.SYNC_TAG);
      }).catch(function () { /* no Background Sync: the page triggers cover it */ });
    }
    return sync(false);
  };

  function download(name, text) {
    var url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    var a = el('a', { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  function exportUnsent() {
    return Outbox.exportUnsent(WSI.currentUser()).then(function (doc) {
      download('unsent-items-' + doc.exported_at.slice(0, 19).replace(/[:T]/g, '-') + '.json', JSON.stringify(doc));
    });
  }
  WSI.exportUnsent = exportUnsent;

  function signOutDialog(form, waiting) {
    var dialog = document.querySelector('[data-signout-dialog]');
    if (!dialog) {
      dialog = el('dialog', { 'class': 'signout-dialog', 'data-signout-dialog': '', 'aria-labelledby': 'signout-title' });
      dialog.appendChild(el('h2', { id: 'signout-title' }, 'Items are still waiting to be sent'));
      dialog.appendChild(el('p', { 'data-signout-count': '' }));
      dialog.appendChild(el('p', {}, 'Signing out now could lose them, so sign-out is blocked until they reach the server. ' +
        'Connect and choose "Sync now", or export them to a file that can be imported later.'));
      var row = el('div', { 'class': 'button-row' });
      var send = el('button', { type: 'button', 'class': 'button button--primary' }, 'Sync now');
      send.addEventListener('click', function () { sync(true).then(function () { dialog.close(); }); });
      var save = el('button', { type: 'button', 'class': 'button' }, 'Export unsent items');
      save.addEventListener('click', exportUnsent);
      var close = el('button', { type: 'button', 'class': 'button' }, 'Stay signed in');
      close.addEventListener('click', function () { dialog.close(); });
      [send, save, close].forEach(function (b) { row.appendChild(b); });
      dialog.appendChild(row);
      document.body.appendChild(dialog);
    }
    dialog.querySelector('[data-signout-count]').textContent =
      waiting + (waiting === 1 ? ' item has' : ' items have') + ' not reached the server yet.';
    dialog.showModal();
  }

  function guardSignOut(event) {
    var form = event.target.closest && event.target.closest('form[data-signout]');
    if (!form || !Outbox || form.dataset.cleared) return;
    event.preventDefault();
    Outbox.waiting().then(function (rows) {
      if (rows.length) return signOutDialog(form, rows.length);
      // Nothing waiting: forget this person's cached pages on a shared tablet, then sign out.
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ type: 'wsi-clear-pages' });
      }
      localStorage.removeItem(USER_KEY);
      form.dataset.cleared = '1';
      form.submit();
    });
  }

  function start() {
    if (!Outbox || !window.indexedDB) return;
    buildBar();
    document.addEventListener('submit', guardSignOut, true);
    window.addEventListener('online', function () { sync(true); });
    window.addEventListener('offline', refresh);
    if (navigator.serviceWorker) {
      navigator.serviceWorker.addEventListener('message', function (event) {
        if (event.data && event.data.type === 'wsi-outbox-changed') refresh();
      });
    }
    registerWorker();
    refresh();
    if (navigator.onLine) refreshUser().then(function () { sync(false); });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
