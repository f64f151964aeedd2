/*
 * Walk-through pages: presentation only. Every form here works without this file.
 *
 * - Grade grid: shows the picked cell's score and band live, in the band's colour, with the
 *   reason a rule raised it. The server put each cell's graded result in data attributes, so no
 *   risk rule is repeated here.
 * - Guidance: one button opens or closes every item's guidance.
 * - Discreet mode: one tap hides photos and descriptions; remembered on this device
 *   (localStorage, and the cookie the server reads so the next page is discreet from the start).
 * - Photos: shrunk with WSI.downscale (downscale.js) as soon as they are chosen, so the form
 *   uploads at most 1600 px JPEGs; a submit waits for any shrink still running.
 */
(function () {
  'use strict';

  var DISCREET_KEY = 'wsi.discreet';
  var DISCREET_COOKIE = 'wsi_discreet';

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // --- grade grid ---------------------------------------------------------------------------
  function showGrade(grid) {
    var result = grid.querySelector('[data-grade-result]');
    var picked = grid.querySelector('input[name="grade"]:checked');
    if (!result || !picked) return;
    var d = picked.dataset;
    var parts = picked.value.split('x');
    result.textContent = '';
    var line = el('p');
    line.appendChild(el('span', 'chip chip--' + d.band, d.bandLabel));
    line.appendChild(document.createTextNode(' Score ' + d.score + ': likelihood ' + parts[0] +
      ' × consequence ' + parts[1] + '.'));
    result.appendChild(line);
    var reasons = [];
    if (d.reasons) reasons.push(d.reasons);
    var form = grid.closest('form');
    var low = form && form.querySelector('input[name="low_level"]');
    if (low && low.checked && grid.dataset.lowLevelReason && reasons.join(' ').indexOf(grid.dataset.lowLevelReason) < 0) {
      reasons.push(grid.dataset.lowLevelReason);
    }
    if (d.matrixBand !== d.bandLabel) {
      result.appendChild(el('p', 'grade-result__why', 'The matrix alone gives ' + d.matrixBand + '.'));
    }
    reasons.forEach(function (text) { result.appendChild(el('p', 'grade-result__why', text)); });
  }

  function initGrades() {
    document.querySelectorAll('[data-grade-grid]').forEach(function (grid) {
      grid.addEventListener('change', function () { showGrade(grid); });
      var form = grid.closest('form');
      var low = form && form.querySelector('input[name="low_level"]');
      if (low) low.addEventListener('change', function () { showGrade(grid); });
    });
  }

  // --- guidance -----------------------------------------------------------------------------
  function initGuidance() {
    var tools = document.querySelector('[data-guidance-tools]');
    var button = document.querySelector('[data-guidance-all]');
    var all = document.querySelectorAll('details[data-guidance]');
    if (!tools || !button || !all.length) return;
    tools.hidden = false;
    button.addEventListener('click', function () {
      var open = button.getAttribute('aria-pressed') !== 'true';
      all.forEach(function (d) { d.open = open; });
      button.setAttribute('aria-pressed', open ? 'true' : 'false');
      button.textContent = open ? 'Hide all guidance' : 'Show all guidance';
    });
  }

  // --- discreet mode ------------------------------------------------------------------------
  function setDiscreet(on) {
    document.body.classList.toggle('is-discreet', on);
    document.querySelectorAll('[data-discreet-toggle] button').forEach(function (b) {
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
    });
    try { localStorage.setItem(DISCREET_KEY, on ? '1' : '0'); } catch (err) { /* private mode: cookie only */ }
    var secure = location.protocol === 'https:' ? '; Secure' : '';
    document.cookie = DISCREET_COOKIE + '=' + (on ? '1' : '0') + '; path=/; max-age=31536000; SameSite=Lax' + secure;
  }

  function initDiscreet() {
    var stored = null;
    try { stored = localStorage.getItem(DISCREET_KEY); } catch (err) { stored = null; }
    if (stored !== null && (stored === '1') !== document.body.classList.contains('is-discreet')) {
      setDiscreet(stored === '1');
    }
    document.querySelectorAll('[data-discreet-toggle]').forEach(function (form) {
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        setDiscreet(!document.body.classList.contains('is-discreet'));
      });
    });
  }

  // --- photo downscale before upload ----------------------------------------------------------
  function previewList(input) {
    var form = input.closest('form');
    return form && form.querySelector('[data-photo-previews]');
  }

  function showMessage(input, text) {
    var box = input.parentNode.querySelector('[data-photo-message]');
    if (!box) {
      box = el('p', 'field__error');
      box.setAttribute('data-photo-message', '');
      box.setAttribute('role', 'alert');
      input.insertAdjacentElement('afterend', box);
    }
    box.textContent = text;
    box.hidden = !text;
  }

  async function shrink(input) {
    var files = Array.prototype.slice.call(input.files || []);
    var list = previewList(input);
    if (list) list.textContent = '';
    showMessage(input, '');
    if (!files.length || !window.WSI || typeof window.WSI.downscale !== 'function') return;
    var out = new DataTransfer();
    for (var i = 0; i < files.length; i++) {
      var file = files[i];
      try {
        var blob = await window.WSI.downscale(file);
        var name = file.name.replace(/\.[^.]*$/, '') + '.jpg';
        file = blob === file ? file : new File([blob], name, { type: 'image/jpeg', lastModified: Date.now() });
      } catch (err) {
        showMessage(input, err.message); // the server checks the original again and explains
      }
      out.items.add(file);
      if (list) {
        var item = el('li');
        var img = el('img', 'thumb sensitive');
        img.src = URL.createObjectURL(file);
        img.alt = 'Selected photo ' + (i + 1);
        img.width = 120;
        img.height = 90;
        item.appendChild(img);
        list.appendChild(item);
      }
    }
    input.files = out.files;
  }

  function initPhotos() {
    document.querySelectorAll('input[type="file"][data-downscale]').forEach(function (input) {
      var form = input.closest('form');
      var pending = null;
      input.addEventListener('change', function () {
        pending = shrink(input).finally(function () { pending = null; });
      });
      if (!form) return;
      form.addEventListener('submit', function (event) {
        if (!pending) return;
        // Wait for the shrink, then submit again with the same button.
        event.preventDefault();
        event.stopImmediatePropagation();
        var submitter = event.submitter;
        pending.then(function () { form.requestSubmit(submitter || undefined); });
      });
    });
  }

  function init() {
    initGrades();
    initGuidance();
    initDiscreet();
    initPhotos();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
