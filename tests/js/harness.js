/*
 * Loads the real browser scripts (inspect_app/static/js/*.js) into a node:vm context with the
 * browser APIs they use: IndexedDB from fake-indexeddb (a fresh database per context), Web Crypto,
 * Blob and FormData from Node, and small hand-written stand-ins for the DOM, fetch and timers.
 * Nothing of ours is copied or mocked: the scripts run as the browser runs them.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { webcrypto } = require('node:crypto');
const { IDBFactory } = require('fake-indexeddb');

const JS_DIR = path.join(__dirname, '..', '..', 'inspect_app', 'static', 'js');

/* ---- a minimal DOM: enough for app.js and capture.js (compound and descendant selectors) ---- */

function parseCompound(text) {
  const m = { tag: null, classes: [], attrs: [] };
  const re = /([a-zA-Z][\w-]*)|\.([\w-]+)|\[([\w-]+)(?:=(?:"([^"]*)"|'([^']*)'|([^\]]*)))?\]|(\*)/g;
  let rest = text;
  let match;
  while ((match = re.exec(text))) {
    rest = rest.replace(match[0], '');
    if (match[1]) m.tag = match[1].toUpperCase();
    else if (match[2]) m.classes.push(match[2]);
    else if (match[3]) m.attrs.push([match[3], match[4] ?? match[5] ?? match[6] ?? null]);
  }
  if (rest.trim()) return null; // a combinator we do not support: matches nothing
  return m;
}

function matchesCompound(node, m) {
  if (!m || !(node instanceof FakeElement)) return false;
  if (m.tag && node.tagName !== m.tag) return false;
  if (m.classes.some((c) => !node.classList.contains(c))) return false;
  return m.attrs.every(([name, value]) => {
    const actual = node.getAttribute(name);
    return actual !== null && (value === null || actual === value);
  });
}

function matches(node, selector) {
  return selector.split(',').some((one) => {
    const parts = one.trim().split(/\s+/);
    if (parts.some((p) => p === '>' || p === '+' || p === '~')) return false;
    const compounds = parts.map(parseCompound);
    if (!matchesCompound(node, compounds[compounds.length - 1])) return false;
    let i = compounds.length - 2;
    for (let up = node.parentNode; up && i >= 0; up = up.parentNode) {
      if (matchesCompound(up, compounds[i])) i -= 1;
    }
    return i < 0;
  });
}

class FakeElement {
  constructor(tag, props) {
    this.tagName = tag.toUpperCase();
    this.attributes = new Map();
    this.childNodes = [];
    this.parentNode = null;
    this.dataset = {};
    this.listeners = {};
    this._text = '';
    const classes = new Set();
    const self = this;
    this.classList = {
      add: (c) => { classes.add(c); },
      remove: (c) => { classes.delete(c); },
      contains: (c) => classes.has(c) || (self.attributes.get('class') || '').split(/\s+/).includes(c),
      toggle: (c, on) => { if (on === undefined ? !classes.has(c) : on) classes.add(c); else classes.delete(c); },
    };
    Object.assign(this, props || {});
  }
  setAttribute(name, value) {
    this.attributes.set(name, String(value));
    if (name.startsWith('data-')) this.dataset[name.slice(5).replace(/-(\w)/g, (_, c) => c.toUpperCase())] = String(value);
  }
  getAttribute(name) {
    if (this.attributes.has(name)) return this.attributes.get(name);
    if (['name', 'type', 'value', 'id'].includes(name) && this[name] !== undefined) return String(this[name]);
    return null;
  }
  removeAttribute(name) { this.attributes.delete(name); }
  appendChild(child) {
    if (child.parentNode) child.remove();
    child.parentNode = this;
    this.childNodes.push(child);
    return child;
  }
  prepend(child) {
    if (child.parentNode) child.remove();
    child.parentNode = this;
    this.childNodes.unshift(child);
  }
  insertAdjacentElement(where, child) {
    const parent = this.parentNode;
    if (child.parentNode) child.remove();
    child.parentNode = parent;
    parent.childNodes.splice(parent.childNodes.indexOf(this) + (where === 'afterend' ? 1 : 0), 0, child);
    return child;
  }
  remove() {
    if (!this.parentNode) return;
    const siblings = this.parentNode.childNodes;
    siblings.splice(siblings.indexOf(this), 1);
    this.parentNode = null;
  }
  get children() { return this.childNodes.filter((c) => c instanceof FakeElement); }
  get lastElementChild() { const c = this.children; return c[c.length - 1] || null; }
  get textContent() { return this._text + this.childNodes.map((c) => c.textContent).join(''); }
  set textContent(value) { this.childNodes = []; this._text = String(value); }
  descendants() {
    return this.children.flatMap((c) => [c, ...c.descendants()]);
  }
  querySelectorAll(selector) { return this.descendants().filter((n) => matches(n, selector)); }
  querySelector(selector) { return this.querySelectorAll(selector)[0] || null; }
  matches(selector) { return matches(this, selector); }
  closest(selector) {
    for (let n = this; n instanceof FakeElement; n = n.parentNode) if (matches(n, selector)) return n;
    return null;
  }
  addEventListener(type, fn) { (this.listeners[type] = this.listeners[type] || []).push(fn); }
  removeEventListener(type, fn) { this.listeners[type] = (this.listeners[type] || []).filter((f) => f !== fn); }
  dispatchEvent(event) { (this.listeners[event.type] || []).forEach((fn) => fn(event)); return true; }
  showModal() { this.open = true; this.shown = (this.shown || 0) + 1; } // <dialog>
  close() { this.open = false; }
}

function makeDocument() {
  const doc = new FakeElement('#document');
  doc.readyState = 'complete';
  doc.body = doc.appendChild(new FakeElement('body'));
  doc.body.appendChild(new FakeElement('main')).appendChild(new FakeElement('h1'));
  doc.createElement = (tag) => new FakeElement(tag);
  doc.createTextNode = (text) => ({ textContent: String(text), nodeType: 3, parentNode: null,
                                    remove() {} });
  return doc;
}

/* A form with controls, as capture.js reads it (form.elements, input[type=file].files). */
function makeForm(doc, attrs, controls) {
  const form = new FakeElement('form');
  Object.entries(attrs).forEach(([k, v]) => form.setAttribute(k, v));
  form.elements = controls.map((c) => {
    const input = new FakeElement(c.tag || 'input', Object.assign({ type: 'text', disabled: false, value: '',
      checked: false, defaultValue: c.value, defaultChecked: false }, c));
    form.appendChild(input);
    return input;
  });
  form.reset = () => { form.wasReset = true; };
  doc.body.appendChild(form);
  return form;
}

/* ---- timers that the test runs by hand ---- */

function makeTimers() {
  const pending = [];
  let next = 1;
  return {
    pending,
    setTimeout(fn, delay) { const id = next++; pending.push({ id, fn, delay }); return id; },
    clearTimeout(id) { const i = pending.findIndex((t) => t.id === id); if (i !== -1) pending.splice(i, 1); },
    fire() { const t = pending.shift(); t.fn(); return t.delay; },
  };
}

/* ---- a context with the scripts loaded ---- */

function load(files, extra) {
  const timers = makeTimers();
  const storage = new Map();
  const document = makeDocument();
  const context = {
    console, Promise, URLSearchParams, TextEncoder, Blob, FormData, btoa, atob,
    crypto: webcrypto, // node:crypto's, as Node 18 has no global one
    indexedDB: new IDBFactory(),
    navigator: { onLine: false },
    document,
    location: { pathname: '/', search: '', hash: '', assign(url) { context.assigned.push(url); } },
    history: { replaceState() {} },
    localStorage: {
      getItem: (k) => (storage.has(k) ? storage.get(k) : null),
      setItem: (k, v) => storage.set(k, String(v)),
      removeItem: (k) => storage.delete(k),
    },
    CustomEvent: class { constructor(type, init) { this.type = type; this.detail = init && init.detail; } },
    Event: class { constructor(type) { this.type = type; } },
    URL: { createObjectURL: () => 'blob:fake', revokeObjectURL() {} },
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    fetch: () => Promise.reject(new TypeError('Failed to fetch')),
    addEventListener() {},
    assigned: [],
    timers,
  };
  Object.assign(context, extra || {});
  context.window = context;
  context.self = context;
  vm.createContext(context);
  files.forEach((file) => {
    const code = fs.readFileSync(path.join(JS_DIR, file), 'utf8');
    vm.runInContext(code, context, { filename: file });
  });
  return context;
}

/* Objects made inside the context have its own prototypes: compare plain copies. */
function plain(value) {
  return JSON.parse(JSON.stringify(value));
}

function settle() {
  return new Promise((resolve) => setImmediate(resolve));
}

/* Let the scripts' promise chains (and IndexedDB's events) run until `done()` holds. */
async function until(done, what) {
  for (let i = 0; i < 500; i += 1) {
    if (done()) return;
    await settle();
  }
  throw new Error('gave up waiting for ' + (what || 'a condition'));
}

module.exports = { load, makeForm, FakeElement, plain, settle, until };
