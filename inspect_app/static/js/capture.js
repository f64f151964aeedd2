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
  var LABELS = { answer: 'Answer', 'answers.remaining_compliant': 'Remaining items marked compliant', 'finding.create': 'Ligature point', 'finding.update': 'Ligature point edit',
                 'finding.grade': 'Grade', 'finding.withdraw': 'Point withdrawn as recorded in error', 'photo.add': 'Photo', 'room.access': 'Room access',
                 carry_forward: 'Earlier ligature point outcome', 'fixture.check': 'Product check',
                 'trust_check.answer': 'Trust-wide check answer' };
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

  /* A photo this device cannot open is refused here, on its field: queued, it would only be
     refused by the server after the person has left the room. Any other failure to shrink it
     sends the original (the server validates it either way). */
  function shrink(file) {
    if (!WSI.downscale) return Promise.resolve(file);
    return WSI.downscale(file).catch(function (error) {
      if (error && error.code === 'unreadable') throw refused([{ field: 'photos', message: error.message }]);
      return file;
    });
  }

  function refused(problems) {
    var error = new Error(problems.map(function (p) { return p.message; }).join(' '));
    error.problems = problems;
    return error;
  }

  function rulesOf(form) {
    if (!form.dataset.rules || !WSI.rules) return null;
    try { return JSON.parse(form.dataset.rules); } catch (e) { return null; }
  }

  /* The server's rules for this form (data-rules), checked before anything is stored. */
  function check(form, payload, photoCount) {
    var schema = rulesOf(form);
    if (!schema) return;
    var probe = Object.assign({}, payload);
    if (form.dataset.op === 'finding.create') {
      probe.photo_uuids = [];
      for (var i = 0; i < photoCount; i += 1) probe.photo_uuids.push('photo');
    }
    var problems = WSI.rules.problems(schema, probe);
    if (problems.length) throw refused(problems);
  }

  function formUrl() {
    var params = new URLSearchParams(window.location.search);
    params.delete('outbox');
    var query = params.toString();
    return window.location.pathname + (query ? '?' + query : '');
  }

  /* The photos of a point still on this device (not yet confirmed by the server). */
  function keptPhotos(rows, clientId) {
    return rows.filter(function (r) {
      return r.kind === 'photo.add' && r.state !== 'done' && r.payload.finding_client_id === clientId;
    });
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

  /* A ward's answer to a trust-wide check: the ticked points as one list, and the photos shrunk
     and carried by the same operation, so the answer and its evidence arrive together or not at all. */
  function checkAnswer(form, payload, options) {
    payload.finding_ids = Array.prototype.filter.call(form.querySelectorAll('input[name=finding_ids]'), function (c) {
      return c.checked;
    }).map(function (c) { return c.value; }).join(',');
    delete payload.photos;
    if (!(payload.note || '').trim()) return Promise.reject(new Error('say what you found.'));
    var out = [];
    return files(form, 'photos').reduce(function (chain, file) {
      return chain.then(function () {
        return shrink(file).then(function (blob) {
          out.push({ field: 'photos', name: file.name || 'photo.jpg', type: blob.type || 'image/jpeg', blob: blob,
                     photo_uuid: Outbox.uuid() });
        });
      });
    }, Promise.resolve()).then(function () {
      payload.photo_uuids = out.map(function (f) { return f.photo_uuid; });
      options.files = out;
      return Outbox.enqueue('trust_check.answer', payload, options);
    });
  }

  function capture(form, submitter) {
    return Promise.resolve().then(function () { return captureChecked(form, submitter); });
  }

  function captureChecked(form, submitter) {
    var kind = form.dataset.op;
    var user = (WSI.currentUser() || {}).id || null;
    var payload = values(form, submitter);
    var label = LABELS[kind] || kind;
    var correcting = form.dataset.correcting || null;  // the op_id of a refused item being corrected
    var options = { user_id: user, label: label, form_url: formUrl() };
    if (kind === 'finding.create') {
      delete payload.photos;
      payload.client_id = payload.client_id || Outbox.uuid();
      label += ': ' + (payload.description || payload.category || '').slice(0, 60);
      options.label = label;
      var photos = files(form, 'photos');
      var kept = JSON.parse(form.dataset.keptPhotos || '[]');
      check(form, payload, photos.length + kept.length);
      // Shrink first, then store the point and its photos in one transaction.
      return photoOps(photos, { finding_client_id: payload.client_id, inspection_id: payload.inspection_id,
                                room_id: payload.room_id }, user).then(function (ops) {
        payload.photo_uuids = kept.concat(ops.map(function (op) { return op.payload.photo_uuid; }));
        if (correcting) {
          return Outbox.amend(correcting, payload, label).then(function () { return ops.length ? Outbox.enqueueAll(ops) : null; });
        }
        return Outbox.enqueueAll([{ kind: kind, payload: payload, options: options }].concat(ops));
      });
    }
    if (kind === 'trust_check.answer') return checkAnswer(form, payload, options);
    check(form, payload, 0);
    if (kind === 'photo.add') {
      delete payload.photo;
      var base = { finding_id: payload.finding_id, finding_client_id: payload.finding_client_id };
      return photoOps(files(form, 'photo'), base, user).then(Outbox.enqueueAll);
    }
    if (kind === 'fixture.check') {  // the rules (data-rules) have already refused what the server would
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
    if (correcting) return Outbox.amend(correcting, payload, label);
    options.label = label;
    return Outbox.enqueue(kind, payload, options);
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

  /* A grade saved on the device shows at the top of the point's page at once, marked as such. */
  function showGrade(form) {
    var cell = form.querySelector('input[name=grade]:checked');
    var state = document.querySelector('[data-grade-state]');
    if (!cell || !state) return;
    var chip = state.querySelector('[data-grade-pending]');
    if (!chip) {
      chip = el('span', { 'class': 'state-chip state-chip--queued', 'data-grade-pending': '' });
      state.appendChild(chip);
    }
    chip.textContent = 'New grade ' + cell.getAttribute('data-band-label') + ' (score ' + cell.getAttribute('data-score') +
      ') saved on this device';
  }

  function announce(form, text) {
    var note = form.querySelector('[data-capture-note]');
    if (!note) {
      note = el('p', { 'class': 'capture-note', role: 'status', 'data-capture-note': '' });
      form.appendChild(note);
    }
    note.textContent = text;
  }

  /* Answering Compliant (or N/A) on an item with a ligature point recorded against it: ask first
     whether the point was recorded in error (withdraw it) or is real (keep it, and the answer). */
  function pointsOf(form, submitter) {
    if (form.dataset.op !== 'answer' || !submitter || LIGATURE.indexOf(submitter.value) !== -1) return [];
    var row = form.closest('[data-item-id]');
    return row ? Array.prototype.slice.call(row.querySelectorAll('.item-row__points a[href]')) : [];
  }

  function askAboutPoints(links, answerLabel) {
    var dialog = document.querySelector('[data-point-dialog]');
    if (dialog) dialog.remove();
    var refs = links.map(function (a) { return a.textContent.trim(); }).join(', ');
    dialog = el('dialog', { 'class': 'signout-dialog', 'data-point-dialog': '', 'aria-labelledby': 'point-dialog-title' });
    dialog.appendChild(el('h2', { id: 'point-dialog-title' }, 'A ligature point is recorded for this item'));
    dialog.appendChild(el('p', {}, refs + (links.length === 1 ? ' is' : ' are') + ' recorded against this item, so it cannot be answered "' +
      answerLabel + '" as it stands. Was the point recorded in error?'));
    var row = el('div', { 'class': 'button-row' });
    var withdraw = el('a', { 'class': 'button button--danger', href: links[0].getAttribute('href') + '#withdraw' },
                      'Withdraw ' + links[0].textContent.trim() + ' (recorded in error)');
    var keep = el('button', { type: 'button', 'class': 'button button--primary', 'data-keep-point': '' }, 'Keep the point');
    keep.addEventListener('click', function () { dialog.close(); dialog.remove(); });
    row.appendChild(withdraw);
    row.appendChild(keep);
    dialog.appendChild(row);
    document.body.appendChild(dialog);
    dialog.showModal();
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form.matches || !form.matches('form[data-op]') || !Outbox) return;
    event.preventDefault();
    var submitter = event.submitter;
    var recorded = pointsOf(form, submitter);
    if (recorded.length) return askAboutPoints(recorded, submitter.textContent.trim());
    if (WSI.clearErrors) WSI.clearErrors(form);
    capture(form, submitter).then(function (outcome) {
      if (outcome === 'unchanged') return announce(form, 'Nothing was changed.');
      form.dataset.captured = '1';
      if (form.dataset.correcting) {
        delete form.dataset.correcting;
        delete form.dataset.keptPhotos;
        var banner = form.querySelector('[data-correction-banner]');
        if (banner) banner.remove();
        window.history.replaceState(null, '', formUrl());
      }
      announce(form, 'Saved on this device.');
      if (form.dataset.op === 'finding.grade') showGrade(form);
      WSI.queued();
      var after = form.dataset.after || nextPage(form, submitter);
      if (after) return WSI.refresh().then(function () { window.location.assign(after); });
      if (form.dataset.op === 'finding.create' || form.dataset.op === 'photo.add') form.reset();
      return WSI.refresh();
    }).catch(function (error) {
      if (error && error.problems && WSI.markErrors) {
        WSI.markErrors(form, error.problems);
        return announce(form, 'Not saved: correct the marked ' + (error.problems.length === 1 ? 'field' : 'fields') + '.');
      }
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

  function pressAnswer(row, value) {
    row.querySelectorAll('form[data-op=answer] button[name=value]').forEach(function (button) {
      button.setAttribute('aria-pressed', button.value === value ? 'true' : 'false');
    });
    row.setAttribute('data-answer', value);
    row.classList.add('item-row--answered');
  }

  /* One form per item, one button per answer choice (it sends its value): press the one captured. */
  function markAnswer(record) {
    var p = record.payload;
    answerForms(p).forEach(function (form) {
      var row = form.closest('[data-item-id]');
      if (row) pressAnswer(row, p.value);
    });
  }

  /* "Mark remaining items compliant" captured: every row still unanswered on this page is now
     Compliant (rows answered since were answered first, as the outbox replays in order). */
  function markRemaining(record) {
    var p = record.payload;
    if (String(p.room_id) !== pageScope().room) return;
    var ids = record.result && record.result.item_ids ? record.result.item_ids.map(String) : null;
    document.querySelectorAll('[data-item-id]').forEach(function (row) {
      // Check items are never in a bulk answer (services.remaining_items): each is answered on its own.
      var open = !row.getAttribute('data-answer') && row.getAttribute('data-kind') !== 'check';
      if (ids ? ids.indexOf(row.getAttribute('data-item-id')) !== -1 : open) {
        pressAnswer(row, 'compliant');
      }
    });
  }

  /* The room's progress ("x of y answered") and the remaining-items form, from the rows on the
     page, so they change as answers are given, without a reload. */
  function updateProgress() {
    var rows = document.querySelectorAll('[data-item-id]');
    if (!rows.length) return;
    var answered = Array.prototype.filter.call(rows, function (r) { return r.getAttribute('data-answer'); }).length;
    var remaining = Array.prototype.filter.call(rows, function (r) {  // ligature items only, as the server
      return !r.getAttribute('data-answer') && r.getAttribute('data-kind') !== 'check';
    }).length;
    var progress = document.querySelector('[data-room-progress]');
    if (progress) {
      var bar = progress.querySelector('progress');
      if (bar) { bar.max = rows.length; bar.value = answered; }
      var text = progress.lastChild;
      if (text && text.nodeType === 3) text.textContent = ' ' + answered + ' of ' + rows.length + ' answered';
    }
    var box = document.querySelector('[data-remaining]');
    if (box) {
      box.hidden = remaining === 0;
      var count = box.querySelector('[data-remaining-count]');
      if (count) count.value = String(remaining);
      var words = box.querySelector('[data-remaining-text]');
      if (words) words.textContent = remaining + ' unanswered item' + (remaining === 1 ? '' : 's');
      var button = box.querySelector('[data-remaining-button]');
      if (button) button.textContent = String(remaining);
    }
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
    rows.forEach(function (r) {
      if (String(r.payload.inspection_id) !== scope.inspection) return;
      if (r.kind === 'answer') markAnswer(r);
      else if (r.kind === 'answers.remaining_compliant') markRemaining(r);
    });
    updateProgress();
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

  /* "Correct it" on a refused item opens its form with ?outbox=<op_id>: the form is filled with
     what was captured, the server's message is put on its field, and saving replaces the item in
     the outbox (its photos stay on the device and are sent after it). */
  function setControl(form, name, value) {
    Array.prototype.forEach.call(form.querySelectorAll('[name="' + name + '"]'), function (c) {
      if (c.type === 'file' || c.type === 'submit' || c.type === 'button') return;
      if (c.type === 'radio') {
        c.checked = c.value === String(value);
        if (c.checked) c.dispatchEvent(new Event('change', { bubbles: true })); // the grade's summary
      }
      else if (c.type === 'checkbox') c.checked = ['1', 'true', 'on', 'yes'].indexOf(String(value)) !== -1;
      else if (value !== null && value !== undefined) c.value = String(value);
    });
  }

  function openCorrection() {
    var opId = new URLSearchParams(window.location.search).get('outbox');
    if (!opId) return Promise.resolve();
    return Promise.all([Outbox.byOpId(opId), Outbox.all()]).then(function (found) {
      var record = found[0];
      var form = record && document.querySelector('form[data-op="' + record.kind + '"]');
      if (!form) return;
      if (record.state === 'done') return announce(form, 'That item has reached the server; nothing to correct.');
      Object.keys(record.payload).forEach(function (name) {
        if (name !== 'csrf_token') setControl(form, name, record.payload[name]);
      });
      var details = form.closest('details');
      if (details) details.open = true;
      form.dataset.correcting = record.op_id;
      var banner = el('div', { 'class': 'flash flash--error', role: 'alert', 'data-correction-banner': '' });
      banner.appendChild(el('p', {}, 'The server refused this item: correct it and save it again.'));
      if (record.kind === 'finding.create') {
        var photos = keptPhotos(found[1], record.payload.client_id);
        form.dataset.keptPhotos = JSON.stringify(photos.map(function (p) { return p.payload.photo_uuid; }));
        if (photos.length) {
          banner.appendChild(el('p', {}, photos.length + (photos.length === 1 ? ' photo is' : ' photos are') +
                                ' kept on this device and will be sent with it.'));
          var list = el('div', { 'class': 'kept-photos' });
          photos.forEach(function (ph) { list.appendChild(photoFigure(ph)); });
          banner.appendChild(list);
        }
      }
      form.prepend(banner);
      var schema = rulesOf(form);
      var field = record.field;
      if (!field && schema) {
        var probe = Object.assign({}, record.payload);
        var local = WSI.rules.problems(schema, probe);
        field = local.length ? local[0].field : null;
      }
      if (WSI.markErrors) WSI.markErrors(form, [{ field: field, message: record.message || 'The server refused this item.' }]);
    });
  }

  if (Outbox && window.indexedDB) {
    document.addEventListener('submit', onSubmit);
    document.addEventListener('wsi:outbox', function (event) { render(event.detail); });
    // app.js refreshes as soon as it runs, and its first event can come before this script has
    // run (scripts from the cache arrive in any order): read the outbox once for this page too.
    Outbox.all().then(render, function () {});
    var ready = function () {
      fillItemFromUrl();
      openCorrection();
      var target = window.location.hash === '#withdraw' && document.getElementById('withdraw');
      if (target) { target.open = true; target.scrollIntoView({ block: 'center' }); }
    };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready);
    else ready();
  }
})();
