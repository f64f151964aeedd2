/*
 * The offline outbox: every captured operation is written to IndexedDB first, then replayed to
 * POST /api/v1/ops in capture order, one at a time. Loaded by pages and by the service worker
 * (Background Sync), so it uses no DOM.
 *
 * Each record: {seq, op_id, kind, payload, client_time, user_id, label, state, message, field,
 * form_url, files, result, created_at, updated_at}. form_url is the page of the form it was
 * captured on, where a refused item is reopened to be corrected (field: the one the server named). files: [{field, name, type, blob, sha256, photo_uuid}].
 * States: queued -> sending -> done, or needs-attention (the server refused it: 4xx; kept, with
 * the server's message, until the person retries or discards it). Nothing leaves the device
 * until the server's JSON echoes the op_id; a photo also needs its SHA-256 to match.
 *
 * flush() stops at the first network failure, an expired session (401) or a server error (5xx)
 * and leaves the item queued; the page retries with back-off (app.js).
 */
(function (root) {
  'use strict';

  var DB_NAME = 'wsi-outbox';
  var STORE = 'ops';
  var DONE_KEEP_MS = 24 * 3600 * 1000; // confirmations stay visible for a day, without their photos
  var WAITING = ['queued', 'sending', 'needs-attention'];
  var dbPromise = null;

  function open() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          var store = request.result.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
          store.createIndex('op_id', 'op_id', { unique: true });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { dbPromise = null; reject(request.error); };
      });
    }
    return dbPromise;
  }

  function tx(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var out = work(t.objectStore(STORE));
        t.oncomplete = function () { resolve(out && 'result' in out ? out.result : out); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error || new Error('outbox transaction aborted')); };
      });
    });
  }

  function all() {
    return tx('readonly', function (store) { return store.getAll(); }).then(function (rows) {
      return rows.sort(function (a, b) { return a.seq - b.seq; });
    });
  }

  function put(record) {
    record.updated_at = new Date().toISOString();
    return tx('readwrite', function (store) { return store.put(record); });
  }

  function remove(seq) {
    return tx('readwrite', function (store) { return store.delete(seq); });
  }

  function uuid() {
    return root.crypto.randomUUID();
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ('0' + b.toString(16)).slice(-2);
    }).join('');
  }

  function sha256(blob) {
    return blob.arrayBuffer().then(function (bytes) { return root.crypto.subtle.digest('SHA-256', bytes); }).then(hex);
  }

  /* A record ready to store (its photos hashed). files: [{field, name, type, blob, photo_uuid}]. */
  function prepare(kind, payload, options) {
    options = options || {};
    var files = options.files || [];
    return Promise.all(files.map(function (f) { return sha256(f.blob); })).then(function (sums) {
      var now = new Date().toISOString();
      return {
        op_id: options.op_id || uuid(), kind: kind, payload: payload, client_time: options.client_time || now,
        user_id: options.user_id || null, label: options.label || kind, state: 'queued', message: null,
        field: null, form_url: options.form_url || null,
        files: files.map(function (f, i) {
          return { field: f.field, name: f.name || 'photo.jpg', type: f.type || f.blob.type || 'image/jpeg',
                   blob: f.blob, sha256: sums[i], photo_uuid: f.photo_uuid || null };
        }),
        result: null, created_at: now, updated_at: now,
      };
    });
  }

  /* Store records in one transaction, in order: all of them are kept or none is. */
  function putAll(records) {
    return tx('readwrite', function (store) {
      records.forEach(function (record) {
        var request = store.put(record);
        request.onsuccess = function () { record.seq = request.result; };
      });
      return null;
    }).then(function () { return records; });
  }

  /* Queue one operation (photos as Blobs in options.files). */
  function enqueue(kind, payload, options) {
    return prepare(kind, payload, options).then(function (record) {
      return putAll([record]).then(function (rows) { return rows[0]; });
    });
  }

  /* Queue several operations at once ([{kind, payload, options}]), e.g. a point and its photos,
     so that leaving the page half way can never keep the point and lose a photo. */
  function enqueueAll(items) {
    return Promise.all(items.map(function (item) { return prepare(item.kind, item.payload, item.options); }))
      .then(putAll);
  }

  function waiting() {
    return all().then(function (rows) {
      return rows.filter(function (r) { return WAITING.indexOf(r.state) !== -1; });
    });
  }

  function prune() {
    var cutoff = Date.now() - DONE_KEEP_MS;
    return all().then(function (rows) {
      return Promise.all(rows.filter(function (r) {
        return r.state === 'done' && Date.parse(r.updated_at) < cutoff;
      }).map(function (r) { return remove(r.seq); }));
    });
  }

  function retry(seq) {
    return tx('readonly', function (store) { return store.get(seq); }).then(function (record) {
      if (!record) return null;
      record.state = 'queued';
      record.message = null;
      record.field = null;
      return put(record);
    });
  }

  function byOpId(opId) {
    return all().then(function (rows) {
      return rows.filter(function (r) { return r.op_id === opId; })[0] || null;
    });
  }

  /* A refused item corrected in its form: the new payload replaces the old, in the same place in
     the queue (before its photos), and the photos held back with it are queued again. */
  function amend(opId, payload, label) {
    return all().then(function (rows) {
      var record = rows.filter(function (r) { return r.op_id === opId; })[0];
      if (!record || record.state === 'done') throw new Error('this item is no longer waiting on the device.');
      record.payload = payload;
      if (label) record.label = label;
      record.state = 'queued';
      record.message = null;
      record.field = null;
      record.updated_at = new Date().toISOString();
      var changed = [record];
      if (record.kind === 'finding.create') {
        rows.forEach(function (r) {
          if (r.kind === 'photo.add' && r.state === 'needs-attention' &&
              r.payload.finding_client_id === payload.client_id) {
            r.state = 'queued';
            r.message = null;
            changed.push(r);
          }
        });
      }
      return putAll(changed).then(function () { return record; });
    });
  }

  /* Discarding is only ever the person's explicit choice for an item the server refused. */
  function discard(seq) {
    return remove(seq);
  }

  function getJSON(response) {
    return response.json().catch(function () { return null; });
  }

  function fetchToken() {
    return fetch('/api/v1/csrf', { credentials: 'same-origin', redirect: 'manual', cache: 'no-store' })
      .then(function (response) {
        if (response.status === 401 || response.type === 'opaqueredirect') return { auth: true };
        if (!response.ok) return { server: true };
        return getJSON(response).then(function (body) { return body && body.csrf_token ? { token: body.csrf_token } : { server: true }; });
      });
  }

  function whoAmI() {
    return fetch('/api/v1/me', { credentials: 'same-origin', redirect: 'manual', cache: 'no-store' })
      .then(function (response) { return response.ok ? getJSON(response) : null; });
  }

  function send(record, token) {
    var body;
    var headers = { 'X-CSRFToken': token, 'Accept': 'application/json' };
    var op = { op_id: record.op_id, kind: record.kind, payload: record.payload, client_time: record.client_time };
    if (record.files.length) {
      body = new FormData();
      body.append('op', JSON.stringify(op));
      record.files.forEach(function (f) { body.append(f.field, f.blob, f.name); });
    } else {
      body = JSON.stringify(op);
      headers['Content-Type'] = 'application/json';
    }
    return fetch('/api/v1/ops', { method: 'POST', body: body, headers: headers, credentials: 'same-origin',
                                  redirect: 'manual', cache: 'no-store' });
  }

  function photoSums(result) {
    if (!result) return [];
    if (result.sha256) return [result.sha256];
    return (result.photos || []).map(function (p) { return p.sha256; });
  }

  /* Decide what a response means for the record: 'done', 'retry-token', 'attention', or a stop. */
  function judge(record, response, body) {
    if (response.type === 'opaqueredirect' || response.status === 401) return 'auth';
    if (response.status >= 500 || response.status === 0 || response.status === 429) return 'server';
    if (response.ok) {
      if (!body || body.op_id !== record.op_id) return 'server'; // not our answer: keep the item
      var sums = photoSums(body.result);
      var mine = record.files.map(function (f) { return f.sha256; });
      var matches = mine.every(function (sum) { return sums.indexOf(sum) !== -1; });
      return matches ? 'done' : 'mismatch';
    }
    if (response.status === 400 && body && body.reason) return 'retry-token'; // CSRF: fetch a new token
    return 'attention';
  }

  var running = null;

  function flushLocked() {
    var outcome = { sent: 0, attention: 0, stopped: null };
    var token = null;
    var me = null;
    function start() {
      return fetchToken().then(function (t) {
        if (t.auth) { outcome.stopped = 'auth'; return false; }
        if (t.server) { outcome.stopped = 'server'; return false; }
        token = t.token;
        return whoAmI().then(function (user) { me = user; return true; });
      });
    }
    function next(rows) {
      var record = rows.shift();
      if (!record) return Promise.resolve();
      if (record.state !== 'queued' && record.state !== 'sending') return next(rows);
      if (record.user_id && me && record.user_id !== me.id) return next(rows); // its author must send it
      record.state = 'sending';
      return put(record).then(function () { return attempt(record, true); }).then(function (go) {
        return go ? next(rows) : undefined;
      });
    }
    function attempt(record, mayRetryToken) {
      return send(record, token).then(function (response) {
        return getJSON(response).then(function (body) {
          var verdict = judge(record, response, body);
          if (verdict === 'retry-token' && mayRetryToken) {
            return fetchToken().then(function (t) {
              if (!t.token) { outcome.stopped = t.auth ? 'auth' : 'server'; return requeue(record, false); }
              token = t.token;
              return attempt(record, false);
            });
          }
          if (verdict === 'done') {
            record.state = 'done';
            record.result = body.result;
            record.message = null;
            record.files = record.files.map(function (f) {
              return { field: f.field, name: f.name, type: f.type, sha256: f.sha256, photo_uuid: f.photo_uuid, blob: null };
            });
            outcome.sent += 1;
            return put(record).then(function () { return true; });
          }
          if (verdict === 'auth' || verdict === 'server') {
            outcome.stopped = verdict;
            return requeue(record, false);
          }
          record.state = 'needs-attention';
          record.field = (verdict === 'attention' && body && body.field) || null;
          record.message = verdict === 'mismatch'
            ? 'The server did not confirm this photo\'s checksum. It is kept on this device; retry to send it again.'
            : ((body && body.message) || ('The server refused this item (' + response.status + ').'));
          outcome.attention += 1;
          return put(record).then(function () { return true; });
        });
      }, function () {
        outcome.stopped = 'network'; // fetch rejected: no connection, or the server is down
        return requeue(record, false);
      });
    }
    function requeue(record, go) {
      record.state = 'queued';
      return put(record).then(function () { return go; });
    }
    return waiting().then(function (rows) {
      var pending = rows.filter(function (r) { return r.state !== 'needs-attention'; });
      if (!pending.length) return outcome;
      return start().then(function (ok) { return ok ? next(pending) : undefined; }).then(function () { return outcome; });
    }).then(function (result) { return prune().then(function () { return result; }); });
  }

  /* Replay the queue; only one flush runs at a time (across tabs and the service worker too). */
  function flush() {
    if (running) return running;
    var job = root.navigator && root.navigator.locks
      ? root.navigator.locks.request('wsi-outbox', flushLocked)
      : flushLocked();
    running = job.then(function (outcome) { running = null; return outcome; },
                       function (error) { running = null; throw error; });
    return running;
  }

  function toBase64(blob) {
    return blob.arrayBuffer().then(function (buffer) {
      var bytes = new Uint8Array(buffer);
      var binary = '';
      for (var i = 0; i < bytes.length; i += 0x8000) {
        binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
      }
      return btoa(binary);
    });
  }

  /* Everything not yet confirmed, as the JSON file POST /api/v1/import accepts. */
  function exportUnsent(user) {
    return waiting().then(function (rows) {
      return Promise.all(rows.map(function (r) {
        return Promise.all(r.files.map(function (f) {
          return toBase64(f.blob).then(function (b64) { return { field: f.field, name: f.name, type: f.type, base64: b64 }; });
        })).then(function (files) {
          var grouped = {};
          files.forEach(function (f) { (grouped[f.field] = grouped[f.field] || []).push({ name: f.name, type: f.type, base64: f.base64 }); });
          return { op_id: r.op_id, kind: r.kind, payload: r.payload, client_time: r.client_time, label: r.label,
                   state: r.state, message: r.message, files: grouped };
        });
      })).then(function (items) {
        return { format: 'wsi-unsent-items', version: 1, exported_at: new Date().toISOString(),
                 user: user || null, items: items };
      });
    });
  }

  root.WSIOutbox = {
    SYNC_TAG: 'wsi-outbox', enqueue: enqueue, enqueueAll: enqueueAll, all: all, waiting: waiting, flush: flush, retry: retry,
    discard: discard, exportUnsent: exportUnsent, uuid: uuid, sha256: sha256, byOpId: byOpId, amend: amend,
  };
})(self);
