/*
 * The server's capture rules, checked on the device before anything is queued.
 *
 * A capture form carries the JSON Schema of its operation's payload in data-rules (written by
 * the server from inspect_app/api/rules.py, the same schema the sync API checks). This file
 * implements the small part of JSON Schema those schemas use (type, pattern, maxLength, enum,
 * const, required, properties, anyOf, allOf, if/then/else, minItems) and reports each broken
 * rule as {field, message} with the schema's own x-message, exactly as the server words it.
 * WSI.markErrors puts the messages on the fields; WSI.clearErrors takes them off.
 */
(function () {
  'use strict';

  var WSI = (window.WSI = window.WSI || {});

  function typeOf(value) {
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'array';
    if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
    return typeof value;
  }

  function has(object, key) {
    return object !== null && typeof object === 'object' && object[key] !== undefined;
  }

  /* Does value satisfy schema (ignoring messages)? */
  function valid(schema, value) {
    if (schema.type !== undefined) {
      var types = [].concat(schema.type);
      var t = typeOf(value);
      if (types.indexOf(t) === -1 && !(t === 'integer' && types.indexOf('number') !== -1)) return false;
    }
    if (schema.enum && schema.enum.indexOf(value) === -1) return false;
    if ('const' in schema && schema.const !== value) return false;
    if (typeof value === 'string') {
      if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) return false;
      if (schema.maxLength !== undefined && Array.from(value).length > schema.maxLength) return false;
    }
    if (Array.isArray(value) && schema.minItems !== undefined && value.length < schema.minItems) return false;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      if ((schema.required || []).some(function (k) { return !has(value, k); })) return false;
      var props = schema.properties || {};
      if (Object.keys(props).some(function (k) { return has(value, k) && !valid(props[k], value[k]); })) return false;
    }
    if (schema.anyOf && !schema.anyOf.some(function (s) { return valid(s, value); })) return false;
    if (schema.allOf && !schema.allOf.every(function (s) { return valid(s, value); })) return false;
    if (schema['if']) {
      var branch = valid(schema['if'], value) ? schema.then : schema['else'];
      if (branch && !valid(branch, value)) return false;
    }
    return true;
  }

  /* Every broken rule of a payload, as [{field, message}], worded as the server words it. */
  function problems(schema, payload) {
    var out = [];
    var seen = {};
    function add(field, message) {
      if (field && seen[field]) return;
      if (field) seen[field] = true;
      out.push({ field: field || null, message: message || 'Check what you entered and try again.' });
    }
    (schema.required || []).forEach(function (k) {
      if (!has(payload, k)) add(k, (schema['x-messages'] || {})[k] || k + ' is missing.');
    });
    var props = schema.properties || {};
    Object.keys(props).forEach(function (k) {
      if (has(payload, k) && !valid(props[k], payload[k])) add(k, props[k]['x-message']);
    });
    (schema.allOf || []).forEach(function (s) { if (!valid(s, payload)) add(s['x-field'], s['x-message']); });
    if (schema['if']) {
      var branch = valid(schema['if'], payload) ? schema.then : schema['else'];
      if (branch && !valid(branch, payload)) add(branch['x-field'], branch['x-message']);
    }
    return out;
  }

  function container(control) {
    return control.closest('.field, fieldset') || control.parentElement;
  }

  function clearErrors(form) {
    form.querySelectorAll('[data-rule-error]').forEach(function (node) { node.remove(); });
    form.querySelectorAll('[data-rule-invalid]').forEach(function (c) {
      c.removeAttribute('aria-invalid');
      c.removeAttribute('data-rule-invalid');
      var ids = (c.getAttribute('aria-describedby') || '').split(' ').filter(function (id) {
        return id && id.indexOf('rule-error-') !== 0;
      });
      if (ids.length) c.setAttribute('aria-describedby', ids.join(' ')); else c.removeAttribute('aria-describedby');
    });
    form.querySelectorAll('.field--rule-error').forEach(function (c) { c.classList.remove('field--rule-error'); });
  }

  /* Put each message on its field (or at the top of the form when no field matches); focus the
     first. Returns the messages joined, for the form's status line. */
  function markErrors(form, list) {
    clearErrors(form);
    var first = null;
    list.forEach(function (problem) {
      var controls = problem.field ? form.querySelectorAll('[name="' + problem.field + '"]') : [];
      var id = 'rule-error-' + (problem.field || 'form');
      var note = WSI.el('p', { 'class': 'field__error', id: id, 'data-rule-error': '' }, problem.message);
      if (!controls.length) {
        note.setAttribute('role', 'alert');
        form.prepend(note);
        return;
      }
      var box = container(controls[0]);
      box.classList.add('field--rule-error');
      var legend = box.querySelector(':scope > legend');
      var label = box.querySelector(':scope > .field__label');
      var after = legend || label;
      if (after && after.nextSibling) after.parentNode.insertBefore(note, after.nextSibling);
      else box.prepend(note);
      Array.prototype.forEach.call(controls, function (c) {
        if (c.type !== 'hidden') {
          c.setAttribute('aria-invalid', 'true');
          c.setAttribute('data-rule-invalid', '');
          var ids = (c.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
          ids.unshift(id);
          c.setAttribute('aria-describedby', ids.join(' '));
        }
      });
      if (!first) first = controls[0].type === 'hidden' ? null : controls[0];
    });
    if (first) {
      first.focus({ preventScroll: true });
      container(first).scrollIntoView({ block: 'center' });
    }
    return list.map(function (p) { return p.message; }).join(' ');
  }

  WSI.rules = { valid: valid, problems: problems };
  WSI.markErrors = markErrors;
  WSI.clearErrors = clearErrors;
})();
