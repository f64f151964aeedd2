/* capture.js: a form marked data-op goes to the outbox instead of the network. The page's scripts
   are loaded as base.html loads them (outbox.js, downscale.js, app.js, pending.js, capture.js,
   correct.js), offline. */
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { webcrypto } = require('node:crypto');
const { load, makeForm, FakeElement, plain, until } = require('./harness');

const JPEG = [0xff, 0xd8, 0xff, 0xe0];

function setup() {
  let n = 0;
  const ids = { collide: false };
  const ctx = load(['outbox.js', 'downscale.js', 'app.js', 'pending.js', 'capture.js', 'correct.js'], {
    // Every id the scripts make is predictable here; `collide` makes them all the same.
    crypto: { subtle: webcrypto.subtle, randomUUID: () => (ids.collide ? 'same-id' : 'id-' + (++n)) },
    // The device decodes JPEGs (100 x 100 px here) and nothing else.
    createImageBitmap: async (file) => {
      const head = new Uint8Array(await file.slice(0, 3).arrayBuffer());
      if (head[0] !== 0xff || head[1] !== 0xd8) throw new Error('cannot decode');
      return { width: 100, height: 100, close() {} };
    },
    Image: class { set src(url) { setImmediate(() => this.onerror({ type: 'error' })); } },
    location: { pathname: '/ligature-points/new', search: '?inspection_id=3&room_id=5&item_id=11', hash: '',
                assign: (url) => ctx.assigned.push(url) },
  });
  ctx.localStorage.setItem('wsi-user', JSON.stringify({ id: 7 }));
  return { ctx, Outbox: ctx.WSIOutbox, ids };
}

const jpeg = (text) => new Blob([new Uint8Array(JPEG), text], { type: 'image/jpeg' });

function pointForm(ctx, photos) {
  return makeForm(ctx.document, { 'data-op': 'finding.create' }, [
    { name: 'csrf_token', type: 'hidden', value: 'secret' },
    { name: 'inspection_id', type: 'hidden', value: '3' },
    { name: 'room_id', type: 'hidden', value: '5' },
    { name: 'item_id', type: 'hidden', value: '11' },
    { name: 'category', tag: 'select', type: 'select-one', value: 'door_handle' },
    { name: 'description', value: 'Lever handle on en-suite door' },
    { name: 'location', value: 'En-suite door, inside' },
    { name: 'photos', type: 'file', files: photos },
  ]);
}

function submit(ctx, form) {
  const submitter = new FakeElement('button', { type: 'submit', name: '', value: '' });
  let prevented = false;
  ctx.document.dispatchEvent({ type: 'submit', target: form, submitter, preventDefault: () => { prevented = true; } });
  return () => prevented;
}

const note = (form) => {
  const p = form.querySelector('[data-capture-note]');
  return p ? p.textContent : null;
};

test('a ligature point and its photos are stored together, in order, each photo its own operation', async () => {
  const { ctx, Outbox } = setup();
  const form = pointForm(ctx, [jpeg('first'), jpeg('second')]);
  const prevented = submit(ctx, form);
  assert.equal(prevented(), true, 'the form does not go to the network');
  await until(() => ctx.assigned.length, 'the page to move on');
  assert.deepEqual(ctx.assigned, ['/inspections/3/rooms/5'], 'back to the room, as without JavaScript');
  assert.equal(note(form), 'Saved on this device.');
  const drawn = ctx.document.querySelector('[data-outbox-pending]');
  assert.match(drawn.textContent, /Recorded on this device.*Saved on this device Lever handle on en-suite door/);
  assert.equal(drawn.querySelectorAll('[data-photo-state="queued"]').length, 2, 'both photos shown as waiting');
  const rows = plain(await Outbox.all());
  assert.deepEqual(rows.map((r) => r.kind), ['finding.create', 'photo.add', 'photo.add']);
  const [point, ...photos] = rows;
  assert.equal(point.user_id, 7);
  assert.equal(point.form_url, '/ligature-points/new?inspection_id=3&room_id=5&item_id=11');
  assert.equal(point.label, 'Ligature point: Lever handle on en-suite door');
  assert.equal(point.payload.csrf_token, undefined, 'the CSRF token is not stored');
  assert.equal(point.payload.photos, undefined);
  assert.deepEqual(point.payload.photo_uuids, photos.map((p) => p.payload.photo_uuid));
  photos.forEach((p) => {
    assert.equal(p.payload.finding_client_id, point.payload.client_id);
    assert.equal(p.files.length, 1);
    assert.equal(p.files[0].photo_uuid, p.payload.photo_uuid);
    assert.match(p.files[0].sha256, /^[0-9a-f]{64}$/);
  });
  const stored = await Outbox.all();
  assert.equal(Buffer.from(await stored[2].files[0].blob.arrayBuffer()).subarray(4).toString(), 'second');
});

test('a photo the device cannot open refuses the whole point: nothing is stored, the person is told', async () => {
  const { ctx, Outbox } = setup();
  const form = pointForm(ctx, [jpeg('fine'), new Blob(['HEIC?'], { type: 'image/heic' })]);
  submit(ctx, form);
  await until(() => note(form), 'the message');
  assert.match(note(form), /could not be opened on this device/);
  assert.equal((await Outbox.all()).length, 0);
  assert.equal(ctx.assigned.length, 0, 'the person stays on the form');
});

test('if storing any one of them fails, neither the point nor any photo is kept', async () => {
  const { ctx, Outbox, ids } = setup();
  const form = pointForm(ctx, [jpeg('a'), jpeg('b')]);
  ids.collide = true; // every op_id the same: the first photo's record cannot be stored
  submit(ctx, form);
  await until(() => note(form), 'the message');
  assert.match(note(form), /^This could not be saved on the device/);
  assert.equal((await Outbox.all()).length, 0);
  assert.equal(ctx.assigned.length, 0);
});

test('an answer "fail" needs its note before anything is stored', async () => {
  const { ctx, Outbox } = setup();
  const row = ctx.document.body.appendChild(new FakeElement('li'));
  row.setAttribute('data-item-id', '11');
  const form = makeForm(ctx.document, { 'data-op': 'answer' }, [
    { name: 'inspection_id', type: 'hidden', value: '3' },
    { name: 'room_id', type: 'hidden', value: '5' },
    { name: 'item_id', type: 'hidden', value: '11' },
    { name: 'comment', value: '' },
  ]);
  row.appendChild(form);
  const fail = new FakeElement('button', { type: 'submit', name: 'value', value: 'fail', textContent: 'Fail' });
  ctx.document.dispatchEvent({ type: 'submit', target: form, submitter: fail, preventDefault() {} });
  await until(() => note(form), 'the message');
  assert.match(note(form), /say what failed/);
  assert.equal((await Outbox.all()).length, 0);
  form.elements[3].value = 'Rail loose';
  ctx.document.dispatchEvent({ type: 'submit', target: form, submitter: fail, preventDefault() {} });
  await until(() => note(form) === 'Saved on this device.', 'the capture');
  const [answer] = plain(await Outbox.all());
  assert.deepEqual(answer.payload, { inspection_id: '3', room_id: '5', item_id: '11', comment: 'Rail loose', value: 'fail' });
});
