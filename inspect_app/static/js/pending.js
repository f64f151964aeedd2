/*
 * What waits in the outbox, drawn into the page, so a page reloaded offline still shows it: the
 * answers captured on this device pressed on their items (and the room's "x of y answered" and
 * remaining-items count kept in step), a product check on its fixture's row, and each ligature
 * point recorded on this device with its photos and their state (saved, uploading, confirmed by
 * SHA-256, needs attention). Drawn on each 'wsi:outbox' event from app.js, and once on load.
 * capture.js puts the forms into the outbox; correct.js shows a refused point's kept photos with
 * WSI.pending.photoFigure.
 */
(function () {
  'use strict';

  var WSI = (window.WSI = window.WSI || {});
  var Outbox = window.WSIOutbox;
  var el = function () { return WSI.el.apply(null, arguments); };

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
      // Check items are never in a bulk answer (answering.remaining_items): each is answered on its own.
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

  WSI.pending = { photoFigure: photoFigure };

  if (Outbox && window.indexedDB) {
    document.addEventListener('wsi:outbox', function (event) { render(event.detail); });
    // app.js refreshes as soon as it runs, and its first event can come before this script has
    // run (scripts from the cache arrive in any order): read the outbox once for this page too.
    Outbox.all().then(render, function () {});
  }
})();
