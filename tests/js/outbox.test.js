/* outbox.js: the offline queue replayed to POST /api/v1/ops (real IndexedDB semantics via fake-indexeddb). */
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { load, plain } = require('./harness');
const { makeServer } = require('./server');

function setup(options) {
  const server = makeServer(options);
  const ctx = load(['outbox.js'], { fetch: (url, init) => server.fetch(url, init) });
  return { server, Outbox: ctx.WSIOutbox };
}

const photo = (text) => ({ field: 'photo', blob: new Blob([text], { type: 'image/jpeg' }) });

async function states(Outbox) {
  return (await Outbox.all()).map((r) => [r.label, r.state]);
}

test('operations are sent one at a time in the order they were captured', async () => {
  const { server, Outbox } = setup();
  for (const label of ['first', 'second', 'third']) await Outbox.enqueue('answer', { label }, { label });
  const outcome = plain(await Outbox.flush());
  assert.deepEqual(outcome, { sent: 3, attention: 0, stopped: null });
  assert.deepEqual(server.received.map((op) => op.payload.label), ['first', 'second', 'third']);
  assert.deepEqual(await states(Outbox), [['first', 'done'], ['second', 'done'], ['third', 'done']]);
});

test('a corrected item keeps its place in the queue', async () => {
  const { server, Outbox } = setup();
  const a = await Outbox.enqueue('answer', { v: 'a' }, { label: 'a' });
  await Outbox.enqueue('answer', { v: 'b' }, { label: 'b' });
  await Outbox.amend(a.op_id, { v: 'a2' }, 'a2');
  await Outbox.flush();
  assert.deepEqual(server.received.map((op) => op.payload.v), ['a2', 'b']);
});

test('the replay stops at the first network failure and keeps the rest queued, in order', async () => {
  const { server, Outbox } = setup({ answer: (op, photos, n) => (n === 2 ? { network: true } : null) });
  for (const label of ['one', 'two', 'three']) await Outbox.enqueue('answer', { label }, { label });
  const outcome = plain(await Outbox.flush());
  assert.deepEqual(outcome, { sent: 1, attention: 0, stopped: 'network' });
  assert.equal(server.received.length, 2, 'nothing is tried after the failure');
  assert.deepEqual(await states(Outbox), [['one', 'done'], ['two', 'queued'], ['three', 'queued']]);
  assert.equal((await Outbox.waiting()).length, 2);
});

test('an expired session (401) or a server error (5xx) also stops the replay with the item kept', async () => {
  for (const [status, stopped] of [[401, 'auth'], [503, 'server'], [429, 'server']]) {
    const { server, Outbox } = setup({ answer: () => ({ status, body: { message: 'no' } }) });
    await Outbox.enqueue('answer', { n: 1 }, { label: 'one' });
    await Outbox.enqueue('answer', { n: 2 }, { label: 'two' });
    assert.equal((await Outbox.flush()).stopped, stopped);
    assert.equal(server.received.length, 1);
    assert.deepEqual(await states(Outbox), [['one', 'queued'], ['two', 'queued']]);
  }
});

test('a refusal (4xx) puts the item in "needs attention" with the server\'s message and field; later items still go', async () => {
  const { server, Outbox } = setup({
    answer: (op) => (op.payload.bad ? { status: 422, body: { message: 'Location is required.', field: 'location' } } : null),
  });
  await Outbox.enqueue('finding.create', { bad: true }, { label: 'bad' });
  await Outbox.enqueue('answer', { bad: false }, { label: 'good' });
  const outcome = plain(await Outbox.flush());
  assert.deepEqual(outcome, { sent: 1, attention: 1, stopped: null });
  const [bad, good] = await Outbox.all();
  assert.equal(bad.state, 'needs-attention');
  assert.equal(bad.message, 'Location is required.');
  assert.equal(bad.field, 'location');
  assert.equal(good.state, 'done');
  // Kept on the device: a later flush does not resend it or drop it; only "Try again" requeues it.
  await Outbox.flush();
  assert.equal(server.received.length, 2);
  assert.equal((await Outbox.waiting()).length, 1);
  await Outbox.retry(bad.seq);
  assert.equal((await Outbox.all())[0].state, 'queued');
  assert.equal((await Outbox.all())[0].message, null);
});

test('a refusal without a message still says what happened', async () => {
  const { Outbox } = setup({ answer: () => ({ status: 403 }) });
  await Outbox.enqueue('answer', {}, { label: 'x' });
  await Outbox.flush();
  assert.equal((await Outbox.all())[0].message, 'The server refused this item (403).');
});

test('a stale CSRF token is fetched again once and the same operation resent', async () => {
  const { server, Outbox } = setup({
    answer: (op, photos, n) => {
      if (n === 1) { server.token = 'token-2'; return { status: 400, body: { reason: 'The CSRF token has expired.' } }; }
      return null;
    },
  });
  await Outbox.enqueue('answer', {}, { label: 'x' });
  assert.equal((await Outbox.flush()).sent, 1);
  assert.deepEqual(server.received.map((op) => op.csrf), ['token-1', 'token-2']);
  assert.equal(server.received[0].op_id, server.received[1].op_id);
});

test('replay is idempotent: a resend carries the same op_id, and only the server\'s echo of it confirms', async () => {
  let lost = true;
  const { server, Outbox } = setup({
    answer: (op) => {
      if (lost) { lost = false; return { network: true } } // the request arrived, the answer was lost
      return null;
    },
  });
  const record = await Outbox.enqueue('finding.create', { client_id: 'c-1' }, { label: 'point' });
  assert.equal((await Outbox.flush()).stopped, 'network');
  assert.equal((await Outbox.flush()).sent, 1);
  assert.deepEqual(server.received.map((op) => op.op_id), [record.op_id, record.op_id]);
  assert.equal(server.received[0].client_time, server.received[1].client_time);
  assert.equal((await Outbox.all())[0].state, 'done');
});

test('an answer that echoes another op_id is not a confirmation: the item stays queued', async () => {
  const { Outbox } = setup({ answer: () => ({ status: 200, body: { op_id: 'someone-else', result: {} } }) });
  await Outbox.enqueue('answer', {}, { label: 'x' });
  assert.equal((await Outbox.flush()).stopped, 'server');
  assert.equal((await Outbox.all())[0].state, 'queued');
});

test('the same op_id cannot be queued twice', async () => {
  const { Outbox } = setup();
  await Outbox.enqueue('answer', {}, { op_id: 'op-1' });
  await assert.rejects(Outbox.enqueue('answer', {}, { op_id: 'op-1' }));
  assert.equal((await Outbox.all()).length, 1);
});

test('a photo leaves the device only when the server confirms its SHA-256', async () => {
  const { Outbox } = setup({
    answer: (op, photos) => (op.payload.n === 2 ? { status: 200, body: { op_id: op.op_id, result: { sha256: 'f'.repeat(64) } } } : null),
  });
  await Outbox.enqueue('photo.add', { n: 1 }, { label: 'ok', files: [photo('one')] });
  await Outbox.enqueue('photo.add', { n: 2 }, { label: 'mismatch', files: [photo('two')] });
  await Outbox.flush();
  const [ok, bad] = await Outbox.all();
  assert.equal(ok.state, 'done');
  assert.equal(ok.files[0].blob, null, 'a confirmed photo is dropped from the device');
  assert.equal(bad.state, 'needs-attention');
  assert.match(bad.message, /checksum/);
  assert.ok(bad.files[0].blob, 'an unconfirmed photo is kept');
});

test('an item captured by another person is left for its author', async () => {
  const { server, Outbox } = setup();
  await Outbox.enqueue('answer', {}, { label: 'theirs', user_id: 99 });
  await Outbox.enqueue('answer', {}, { label: 'mine', user_id: 7 });
  await Outbox.flush();
  assert.equal(server.received.length, 1);
  assert.deepEqual(await states(Outbox), [['theirs', 'queued'], ['mine', 'done']]);
});

test('a point and its photos are stored in one transaction: all of them or none', async () => {
  const { Outbox } = setup();
  const rows = await Outbox.enqueueAll([
    { kind: 'finding.create', payload: { client_id: 'p1' }, options: { label: 'point' } },
    { kind: 'photo.add', payload: { finding_client_id: 'p1' }, options: { label: 'photo 1', files: [photo('a')] } },
  ]);
  assert.deepEqual(rows.map((r) => r.seq), [1, 2]);
  // A batch whose last record cannot be stored (its op_id is taken) keeps none of its records.
  await assert.rejects(Outbox.enqueueAll([
    { kind: 'finding.create', payload: { client_id: 'p2' }, options: { label: 'point 2' } },
    { kind: 'photo.add', payload: { finding_client_id: 'p2' }, options: { label: 'photo 2', files: [photo('b')] } },
    { kind: 'photo.add', payload: { finding_client_id: 'p2' }, options: { label: 'photo 3', op_id: rows[1].op_id, files: [photo('c')] } },
  ]));
  assert.deepEqual((await Outbox.all()).map((r) => r.label), ['point', 'photo 1']);
});

test('export of unsent items carries the photos as base64 and skips what the server has', async () => {
  const { Outbox } = setup({ answer: (op, photos, n) => (n === 2 ? { network: true } : null) });
  await Outbox.enqueue('answer', {}, { label: 'sent' });
  await Outbox.enqueue('photo.add', { n: 1 }, { label: 'waiting', files: [photo('hello')] });
  await Outbox.flush();
  const doc = plain(await Outbox.exportUnsent({ id: 7 }));
  assert.equal(doc.format, 'wsi-unsent-items');
  assert.deepEqual(doc.items.map((i) => i.label), ['waiting']);
  assert.equal(Buffer.from(doc.items[0].files.photo[0].base64, 'base64').toString(), 'hello');
});
