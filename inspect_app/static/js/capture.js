/*
 * Offline capture: forms marked data-op="<kind>" go to the outbox instead of the network, after
 * the checks the server would make (data-rules) and with their photos shrunk on the device.
 *
 * The walk-through pages mark their write forms (answer, finding.create, finding.update,
 * finding.grade, photo.add, room.access, carry_forward). Without JavaScript the same forms POST
 * normally. A ligature point's photos become separate photo.add operations that name the point
 * by its client_id, so each photo is confirmed (by SHA-256) on its own.
 *
 * pending.js draws what waits into the page, so a page reloaded offline still shows it;
 * correct.js fills a form opened to correct a refused item (saving it comes back here) or opened
 * offline for one checklist item.
 */
(function () {
  'use strict';

  var WSI = (window.WSI = window.WSI || {});
  var Outbox = window.WSIOutbox;
  var el = function () { return WSI.el.apply(null, arguments); };
  var LABELS = { answer: 'Answer', 'answers.remaining_compliant': 'Remaining items marked compliant', 'finding.create': 'Ligature point', 'finding.update': 'Ligature point edit',
                 'finding.grade': 'Grade', 'finding.withdraw': 'Point withdrawn as recorded in error', 'photo.add': 'Photo', 'room.access': 'Room access',
                 carry_forward: 'Earlier ligature point outcome', 'fixture.check': 'Product check',
                 'trust_check.answer': 'Trust-wide check answer',
                 'point.pin': 'Pin on the ward plan', 'briefing.confirm': 'Ligature briefing read' };
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

  WSI.capture = { announce: announce, rulesOf: rulesOf };  // for correct.js

  if (Outbox && window.indexedDB) document.addEventListener('submit', onSubmit);
})();
