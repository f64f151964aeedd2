/*
 * Offline capture: forms marked data-op="<kind>" go to the outbox instead of the network, and
 * what is waiting is drawn into the page, so a page reloaded offline still shows it.
 *
 * The walk-through pages mark their write forms (answer, finding.create, finding.update,
 * finding.grade, photo.add, room.access, carry_forward). Without JavaScript the same forms POST
 * normally. A ligature point's photos become separate photo.add operations that name the point
 * by its client_id, so each photo is confirmed (by SHA-256) on its own.
 */
(function () {
  'use strict';

  var WSI = (window.WSI = window.WSI || {});
  var Outbox = window.WSIOutbox;
  var el = function () { return WSI.el.apply(null, arguments); };
  var LABELS = { answer: 'Answer', 'finding.create': 'Ligature point', 'finding.update': 'Ligature point edit',
                 'finding.grade': 'Grade', 'photo.add': 'Photo', 'room.access': 'Room access',
                 carry_forward: 'Earlier ligature point outcome', 'fixture.check': 'Product check' };
  var LIGATURE = ['ligature_point', 'ligature_point_controlled'];

  function controls(form) {
    return Array.prototype.filter.call(form.elements, function (c) {
      return c.name && !c.disabled && c.name !== 'csrf_token' && c.type !== 'submit' && c.type !== 'button';
    });
  }

  /* The form's values as strings; checkboxes as "1"/"0"; files left out (handled separately). */
  function values(form, submitter) {
    var out = {};
    controls(form).forEach(function (c) {
      if (c.type === 'file') return;
      if (c.type === 'checkbox') out[c.name] = c.checked ? '1' : '0';
      else if (c.type === 'radio') { if (c.checked) out[c.name] = c.value; }
      else out[c.name] = c.value;
    });
    if (submitter && submitter.name) out[submitter.name] = submitter.value;
    return out;
  }

  /* Only the fields the person changed, so a field-by-field merge keeps other people's edits. */
  function changed(form) {
    var out = {};
    controls(form).forEach(function (c) {
      if (c.type === 'file' || c.type === 'hidden') return;
      if (c.type === 'checkbox') { if (c.checked !== c.defaultChecked) out[c.name] = c.checked ? '1' : '0'; }
      else if (c.type === 'radio') { if (c.checked && !c.defaultChecked) out[c.name] = c.value; }
      else if (c.tagName === 'SELECT') {
        var original = Array.prototype.find.call(c.options, function (o) { return o.defaultSelected; });
        if (!original || original.value !== c.value) out[c.name] = c.value;
      } else if (c.value !== c.defaultValue) out[c.name] = c.value;
    });
    return out;
  }

  function files(form, name) {
    var input = form.querySelector('input[type=file][name="' + name + '"]');
    return input && input.files ? Array.prototype.slice.call(input.files) : [];
  }

  function shrink(file) {
    if (!WSI.downscale) return Promise.resolve(file);
    return WSI.downscale(file).catch(function () { return file; }); // the server validates either way
  }

  /* The photos as photo.add operations, each shrunk first (one after another: memory on tablets). */
  function photoOps(list, base, user) {
    var ops = [];
    return list.reduce(function (chain, file) {
      return chain.then(function () {
        return shrink(file).then(function (blob) {
          var uuid = Outbox.uuid();
          ops.push({ kind: 'photo.add', payload: Object.assign({ photo_uuid: uuid }, base), options: {
            user_id: user, label: 'Photo ' + (file.name || ''),
            files: [{ field: 'photo', name: file.name || 'photo.jpg', type: blob.type || 'image/jpeg', blob: blob, photo_uuid: uuid }],
          } });
        });
      });
    }, Promise.resolve()).then(function () { return ops; });
  }

  function capture(form, submitter) {
    var kind = form.dataset.op;
    var user = (WSI.currentUser() || {}).id || null;
    var payload = values(form, submitter);
    var label = LABELS[kind] || kind;
    if (kind === 'finding.create') {
      delete payload.photos;
      payload.client_id = payload.client_id || Outbox.uuid();
      label += ': ' + (payload.description || payload.category || '').slice(0, 60);
      var photos = files(form, 'photos');
      // Shrink first, then store the point and its photos in one transaction.
      return photoOps(photos, { finding_client_id: payload.client_id, inspection_id: payload.inspection_id,
                                room_id: payload.room_id }, user).then(function (ops) {
        return Outbox.enqueueAll([{ kind: kind, payload: payload, options: { user_id: user, label: label } }].concat(ops));
      });
    }
    if (kind === 'photo.add') {
      delete payload.photo;
      var base = { finding_id: payload.finding_id, finding_client_id: payload.finding_client_id };
      return photoOps(files(form, 'photo'), base, user).then(Outbox.enqueueAll);
    }
    if (kind === 'fixture.check') {  // what the server would refuse, said before it is stored
      if (!payload.result) return Promise.reject(new Error('choose pass or fail.'));
      if (payload.result === 'fail' && !(payload.notes || '').trim()) {
        return Promise.reject(new Error('say what failed, so it can be repaired and re-checked.'));
      }
      var lead = document.querySelector('h1 + .lead');
      if (lead) label += ': ' + lead.textContent.trim().slice(0, 80);
    }
    if (kind === 'answer') {  // as the server: N/A needs a reason (words for "other"), a fail its note
      if (payload.value === 'not_applicable' && !payload.na_reason) {
        return Promise.reject(new Error('choose why the item is not applicable.'));
      }
      if (payload.value === 'not_applicable' && payload.na_reason === 'other' && !(payload.na_detail || '').trim()) {
        return Promise.reject(new Error('say in your words why the item is not applicable.'));
      }
      if (payload.value === 'fail' && !(payload.comment || '').trim()) {
        return Promise.reject(new Error('say what failed, so it can be put right and checked again.'));
      }
    }
    if (kind === 'finding.update') {
      var edits = changed(form);
      if (!Object.keys(edits).length) return Promise.resolve('unchanged');
      var now = new Date().toISOString();
      var stamps = {};
      Object.keys(edits).forEach(function (k) { stamps[k] = now; });
      payload = Object.assign({ finding_id: payload.finding_id, edited_at: stamps }, edits);
    }
    return Outbox.enqueue(kind, payload, { user_id: user, label: label });
  }

  /* Where the page goes next, as it would without JavaScript: a new point returns to its room;
     answering "ligature point" for an item with no point yet opens the point's form. */
  function nextPage(form, submitter) {
    var p = values(form, submitter);
    if (form.dataset.op === 'finding.create') return '/inspections/' + p.inspection_id + '/rooms/' + p.room_id;
    if (form.dataset.op !== 'answer') return null;
    var row = form.closest('[data-item-id]');
    if (LIGATURE.indexOf(p.value) === -1 || (row && row.querySelector('.item-row__points'))) return null;
    return '/ligature-points/new?' + new URLSearchParams({ inspection_id: p.inspection_id, room_id: p.room_id,
                                                           item_id: p.item_id }).toString();
  }

  function announce(form, text) {
    var note = form.querySelector('[data-capture-note]');
    if (!note) {
      note = el('p', { 'class': 'capture-note', role: 'status', 'data-capture-note': '' });
      form.appendChild(note);
    }
    note.textContent = text;
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form.matches || !form.matches('form[data-op]') || !Outbox) return;
    event.preventDefault();
    var submitter = event.submitter;
    capture(form, submitter).then(function (outcome) {
      if (outcome === 'unchanged') return announce(form, 'Nothing was changed.');
      form.dataset.captured = '1';
      announce(form, 'Saved on this device.');
      WSI.queued();
      var after = form.dataset.after || nextPage(form, submitter);
      if (after) return WSI.refresh().then(function () { window.location.assign(after); });
      if (form.dataset.op === 'finding.create' || form.dataset.op === 'photo.add') form.reset();
      return WSI.refresh();
    }).catch(function (error) {
      announce(form, 'This could not be saved on the device: ' + (error && error.message ? error.message : error));
    });
  }

  /* ---- what is waiting, drawn into the page ---- */

  function pageScope() {
    var form = document.querySelector('form[data-op] input[name=room_id]');
    var inspection = document.querySelector('form[data-op] input[name=inspection_id], [data-inspection-id]');
    return {
      room: form ? form.value : null,
      inspection: inspection ? (inspection.value || inspection.getAttribute('data-inspection-id')) : null,
    };
  }

  function shortSum(sum) { return sum ? sum.slice(0, 12) + '…' : ''; }

  function photoChip(record, file) {
    var chip = el('span', { 'class': 'state-chip state-chip--' + record.state, 'data-photo-state': record.state });
    if (record.state === 'done') {
      chip.textContent = 'Confirmed · SHA-256 ' + shortSum((record.result && record.result.sha256) || file.sha256);
      chip.title = (record.result && record.result.sha256) || file.sha256;
    } else {
      chip.textContent = record.state === 'sending' ? 'Uploading' :
        record.state === 'needs-attention' ? 'Needs attention' : 'Saved on this device';
    }
    return chip;
  }

  function photoFigure(record) {
    var file = record.files[0] || {};
    var figure = el('figure', { 'class': 'pending-photo', 'data-photo-uuid': file.photo_uuid || '' });
    if (file.blob) figure.appendChild(el('img', { 'class': 'sensitive', src: URL.createObjectURL(file.blob), alt: 'Photo taken on this device', width: '120' }));
    var caption = el('figcaption', {});
    caption.appendChild(photoChip(record, file));
    figure.appendChild(caption);
    return figure;
  }

  function pointCard(record, photos) {
    var p = record.payload;
    var done = record.state === 'done' && record.result;
    var card = el('li', { 'class': 'pending-point', 'data-client-id': p.client_id });
    var head = el('p', { 'class': 'pending-point__head' });
    head.appendChild(el('span', { 'class': 'state-chip state-chip--' + record.state },
      done ? 'Sent · ' + record.result.ref : (record.state === 'needs-attention' ? 'Needs attention' : 'Saved on this device')));
    head.appendChild(document.createTextNode(' ' + (p.description || p.category || 'Ligature point')));
    card.appendChild(head);
    var meta = [p.category, p.location, p.grade ? 'grade ' + p.grade : 'not graded'].filter(Boolean).join(' · ');
    card.appendChild(el('p', { 'class': 'pending-point__meta' }, meta));
    if (record.message) card.appendChild(el('p', { 'class': 'outbox-list__message' }, record.message));
    photos.forEach(function (ph) { card.appendChild(photoFigure(ph)); });
    return card;
  }

  function answerForms(p) {
    return Array.prototype.filter.call(document.querySelectorAll('form[data-op=answer]'), function (form) {
      var item = form.querySelector('input[name=item_id]');
      var room = form.querySelector('input[name=room_id]');
      return item && item.value === String(p.item_id) && (!room || room.value === String(p.room_id));
    });
  }

  /* One form per item, one button per answer choice (it sends its value): press the one captured. */
  function markAnswer(record) {
    var p = record.payload;
    answerForms(p).forEach(function (form) {
      form.querySelectorAll('button[name=value]').forEach(function (button) {
        button.setAttribute('aria-pressed', button.value === p.value ? 'true' : 'false');
      });
      var row = form.closest('[data-item-id]');
      if (row) { row.setAttribute('data-answer', p.value); row.classList.add('item-row--answered'); }
    });
  }

  /* A product check made on this device shows on its fixture's row (room page, ward checks): saved
     on the device until it is sent, then the row as the server now has it (last check, next due). */
  function markChecks(rows) {
    rows.forEach(function (r) {
      if (r.kind !== 'fixture.check') return;
      var row = document.querySelector('tr[data-fixture-id="' + r.payload.fixture_id + '"]');
      if (!row) return;
      var fresh = r.result && r.result.row;
      if (fresh && Number(row.getAttribute('data-last-check') || 0) >= fresh.last_check_id) return;
      var chip = row.querySelector('[data-check-pending="' + r.op_id + '"]');
      if (!chip) {
        chip = el('span', { 'data-check-pending': r.op_id });
        row.lastElementChild.appendChild(chip);
      }
      var result = r.payload.result === 'fail' ? 'Fail' : 'Pass';
      chip.className = 'state-chip state-chip--' + r.state;
      chip.textContent = r.state === 'done' ? result + ' recorded' :
        r.state === 'needs-attention' ? result + ': needs attention' : result + ' saved on this device';
      if (fresh && r.state === 'done') {
        var cells = row.children;
        cells[3].textContent = '';
        cells[3].appendChild(el('span', { 'class': 'result result--' + fresh.last_result }, fresh.last_result_label));
        cells[3].appendChild(document.createTextNode(' ' + fresh.last_checked));
        cells[4].textContent = fresh.next_due;
        cells[4].appendChild(el('br', {}));
        cells[4].appendChild(el('span', { 'class': 'check-state check-state--' + fresh.state }, fresh.state_label));
        row.classList.toggle('row--overdue', fresh.state === 'overdue');
        row.setAttribute('data-last-check', String(fresh.last_check_id));
      }
    });
  }

  function render(rows) {
    markChecks(rows);
    var scope = pageScope();
    if (!scope.inspection) return;
    rows.forEach(function (r) { if (r.kind === 'answer' && String(r.payload.inspection_id) === scope.inspection) markAnswer(r); });
    var points = rows.filter(function (r) {
      if (r.kind !== 'finding.create' || String(r.payload.inspection_id) !== scope.inspection) return false;
      if (scope.room && String(r.payload.room_id) !== scope.room) return false;
      // Once the server has it, the page (when reloaded online) shows it itself.
      return !(r.result && document.querySelector('[data-finding-id="' + r.result.finding_id + '"]'));
    });
    var region = document.querySelector('[data-outbox-pending]');
    if (!points.length) { if (region) region.hidden = true; return; }
    if (!region) {
      region = el('section', { 'class': 'pending-points', 'data-outbox-pending': '', 'aria-labelledby': 'pending-title' });
      region.appendChild(el('h2', { id: 'pending-title' }, 'Recorded on this device'));
      region.appendChild(el('ul', { 'class': 'pending-points__list' }));
      var heading = document.querySelector('main h1');
      var anchor = heading && heading.closest('main > *'); // after the page's heading block
      if (anchor) anchor.insertAdjacentElement('afterend', region); else document.querySelector('main').prepend(region);
    }
    region.hidden = false;
    var list = region.querySelector('ul');
    list.textContent = '';
    points.forEach(function (r) {
      var photos = rows.filter(function (x) { return x.kind === 'photo.add' && x.payload.finding_client_id === r.payload.client_id; });
      list.appendChild(pointCard(r, photos));
    });
  }

  /* Offline, a form opened for one checklist item is the room's blank form: fill the item in. */
  function fillItemFromUrl() {
    var params = new URLSearchParams(window.location.search);
    var form = document.querySelector('form[data-op="finding.create"]');
    if (!form || !params.get('item_id')) return;
    var item = form.querySelector('[name=item_id]');
    if (item && !item.value) {
      item.value = params.get('item_id');
      var category = WSI.itemCategory && WSI.itemCategory(params.get('item_id'));
      var select = form.querySelector('[name=category]');
      if (category && select && !select.value) select.value = category;
    }
  }

  if (Outbox && window.indexedDB) {
    document.addEventListener('submit', onSubmit);
    document.addEventListener('wsi:outbox', function (event) { render(event.detail); });
    // app.js refreshes as soon as it runs, and its first event can come before this script has
    // run (scripts from the cache arrive in any order): read the outbox once for this page too.
    Outbox.all().then(render, function () {});
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fillItemFromUrl);
    else fillItemFromUrl();
  }
})();
