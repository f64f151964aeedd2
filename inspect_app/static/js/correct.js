/*
 * A capture form opened on the device. Offline, a ligature point's form opened for one checklist
 * item is the room's blank form from the ward pack: the item (and its category) is filled in from
 * the URL. "Correct it" on a refused item opens its form with ?outbox=<op_id>: the form is filled
 * with what was captured and the server's message is put on its field; saving it again is
 * capture.js's (form.dataset.correcting replaces the item in the outbox). A link to #withdraw opens
 * the point's withdraw section.
 */
(function () {
  'use strict';

  var WSI = (window.WSI = window.WSI || {});
  var Outbox = window.WSIOutbox;
  var el = function () { return WSI.el.apply(null, arguments); };
  // From capture.js and pending.js, which base.html loads before this script.
  function announce(form, text) { return WSI.capture.announce(form, text); }
  function rulesOf(form) { return WSI.capture.rulesOf(form); }
  function photoFigure(record) { return WSI.pending.photoFigure(record); }

  /* The photos of a point still on this device (not yet confirmed by the server). */
  function keptPhotos(rows, clientId) {
    return rows.filter(function (r) {
      return r.kind === 'photo.add' && r.state !== 'done' && r.payload.finding_client_id === clientId;
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
