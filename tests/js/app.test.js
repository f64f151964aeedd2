/* app.js over outbox.js: the replay's back-off after a failure, and sign-out blocked while items wait. */
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { load, FakeElement, until } = require('./harness');
const { makeServer } = require('./server');

function setup(options) {
  const server = makeServer(options);
  const ctx = load(['outbox.js', 'app.js'], { fetch: (url, init) => server.fetch(url, init) });
  return { server, ctx, Outbox: ctx.WSIOutbox, WSI: ctx.WSI };
}

test('after a network failure the replay is retried with doubling back-off, capped at two minutes', async () => {
  let online = false;
  const { server, ctx, Outbox, WSI } = setup({ answer: () => (online ? null : { network: true }) });
  await Outbox.enqueue('answer', {}, { label: 'x' });
  await WSI.sync(false);
  const delays = [];
  for (let i = 0; i < 8; i += 1) {
    assert.equal(ctx.timers.pending.length, 1, 'exactly one retry is scheduled');
    delays.push(ctx.timers.fire()); // the timer's replay fails again and schedules the next one
    await until(() => ctx.timers.pending.length === 1, 'the next retry');
  }
  assert.deepEqual(delays, [2000, 4000, 8000, 16000, 32000, 64000, 120000, 120000]);
  // "Sync now" starts the back-off again from the beginning.
  ctx.timers.pending.length = 0;
  await WSI.sync(true);
  assert.equal(ctx.timers.fire(), 2000);
  await until(() => ctx.timers.pending.length === 1, 'the next retry');
  ctx.timers.pending.length = 0;
  // Once the replay gets through, nothing more is scheduled and the item is done.
  online = true;
  await WSI.sync(false);
  assert.equal(ctx.timers.pending.length, 0);
  assert.equal((await Outbox.all())[0].state, 'done');
  assert.ok(server.received.length >= 10);
});

test('a refusal (4xx) is not retried by itself: it waits for the person', async () => {
  const { ctx, Outbox, WSI } = setup({ answer: () => ({ status: 422, body: { message: 'no' } }) });
  await Outbox.enqueue('answer', {}, { label: 'x' });
  await WSI.sync(false);
  assert.equal(ctx.timers.pending.length, 0);
  assert.equal((await Outbox.all())[0].state, 'needs-attention');
});

function signOut(ctx) {
  const form = new FakeElement('form');
  form.setAttribute('data-signout', '');
  let submitted = 0;
  form.submit = () => { submitted += 1; };
  ctx.document.body.appendChild(form);
  const button = form.appendChild(new FakeElement('button'));
  let prevented = false;
  ctx.document.dispatchEvent({ type: 'submit', target: button, preventDefault: () => { prevented = true; } });
  return { form, prevented: () => prevented, submitted: () => submitted };
}

test('sign-out is blocked while items wait, with the count, "Sync now" and "Export unsent items"', async () => {
  const { ctx, Outbox } = setup({ answer: (op) => (op.payload.n === 2 ? { status: 422, body: { message: 'no' } } : null) });
  await Outbox.enqueue('answer', { n: 1 }, { label: 'a' });
  await Outbox.enqueue('answer', { n: 2 }, { label: 'b' });
  ctx.localStorage.setItem('wsi-user', '{"id":7}');
  const attempt = signOut(ctx);
  await until(() => ctx.document.querySelector('[data-signout-dialog]'), 'the dialog');
  const dialog = ctx.document.querySelector('[data-signout-dialog]');
  assert.equal(dialog.open, true, 'the dialog is shown');
  assert.equal(attempt.prevented(), true);
  assert.equal(attempt.submitted(), 0, 'the sign-out form is not sent');
  assert.equal(dialog.querySelector('[data-signout-count]').textContent, '2 items have not reached the server yet.');
  const buttons = dialog.querySelectorAll('button').map((b) => b.textContent);
  assert.deepEqual(buttons, ['Sync now', 'Export unsent items', 'Stay signed in']);
  assert.equal(ctx.localStorage.getItem('wsi-user'), '{"id":7}', 'the author is still remembered');
  // One sent, one refused: an item that needs attention has not reached the server either.
  await ctx.WSI.sync(true);
  assert.deepEqual((await Outbox.all()).map((r) => r.state), ['done', 'needs-attention']);
  dialog.close();
  const again = signOut(ctx);
  await until(() => dialog.open, 'the dialog again');
  assert.equal(again.submitted(), 0);
  assert.equal(dialog.querySelector('[data-signout-count]').textContent, '1 item has not reached the server yet.');
});

test('with nothing waiting, sign-out goes ahead and forgets the remembered user', async () => {
  const { ctx, Outbox } = setup();
  await Outbox.enqueue('answer', {}, { label: 'a' });
  await ctx.WSI.sync(true); // sent and confirmed
  ctx.localStorage.setItem('wsi-user', '{"id":7}');
  const attempt = signOut(ctx);
  await until(() => attempt.submitted() === 1, 'the sign-out');
  assert.equal(attempt.form.dataset.cleared, '1');
  assert.equal(ctx.localStorage.getItem('wsi-user'), null);
  assert.equal(ctx.document.querySelector('[data-signout-dialog]'), null);
});
