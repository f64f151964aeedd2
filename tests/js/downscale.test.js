/* downscale.js: photos shrunk on the phone before they are queued. The browser's image decoding and
   canvas are stood in for: a "photo" here is a Blob whose pixel size the fake decoder knows. */
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { load } = require('./harness');

const JPEG = [0xff, 0xd8, 0xff, 0xe0];
const PNG = [0x89, 0x50, 0x4e, 0x47];

function browser({ bitmap = true, offscreen = true, imgLoads = true, encodedSize = () => 1000, encodeFails = false } = {}) {
  const pixels = new WeakMap();
  const urls = new Map();
  const log = { draws: [], qualities: [], closed: 0, fills: [], canvases: [] };
  function makeCanvas(width, height) {
    const canvas = { width, height };
    const ctx = {
      canvas, fillStyle: null,
      fillRect: (x, y, w, h) => log.fills.push([ctx.fillStyle, w, h]),
      drawImage: (source, x, y, w, h) => log.draws.push([w, h]),
    };
    canvas.getContext = () => ctx;
    const blobAt = (quality) => {
      log.qualities.push(Math.round(quality * 100) / 100);
      return new Blob([new Uint8Array(encodedSize(quality))], { type: 'image/jpeg' });
    };
    if (offscreen) {
      canvas.convertToBlob = ({ type, quality }) => {
        assert.equal(type, 'image/jpeg');
        return encodeFails ? Promise.reject(new Error('encoder broke')) : Promise.resolve(blobAt(quality));
      };
    } else {
      canvas.toBlob = (done, type, quality) => setImmediate(() => done(encodeFails ? null : blobAt(quality)));
    }
    log.canvases.push(canvas);
    return canvas;
  }
  const globals = {
    URL: {
      createObjectURL: (blob) => { const url = 'blob:' + urls.size; urls.set(url, blob); return url; },
      revokeObjectURL: (url) => urls.delete(url),
    },
    Image: class {
      set src(url) {
        const size = pixels.get(urls.get(url));
        setImmediate(() => {
          if (size && imgLoads) { this.naturalWidth = size[0]; this.naturalHeight = size[1]; this.onload(); }
          else this.onerror({ type: 'error' });
        });
      }
    },
  };
  if (bitmap) {
    globals.createImageBitmap = async (file, options) => {
      if (!options || options.imageOrientation !== 'from-image') throw new Error('EXIF orientation not applied');
      if (bitmap === 'no-options') throw new TypeError('options not supported');
      const size = pixels.get(file);
      if (!size) throw new DOMException('The source image could not be decoded.', 'InvalidStateError');
      return { width: size[0], height: size[1], close: () => { log.closed += 1; } };
    };
  }
  if (offscreen) globals.OffscreenCanvas = class { constructor(w, h) { return makeCanvas(w, h); } };
  const ctx = load(['downscale.js'], globals);
  if (!offscreen) ctx.document.createElement = (tag) => { assert.equal(tag, 'canvas'); return makeCanvas(0, 0); };
  const photo = (head, width, height, bytes = 5000) => {
    const blob = new Blob([new Uint8Array(head), new Uint8Array(bytes - head.length)], { type: 'image/x-any' });
    pixels.set(blob, [width, height]);
    return blob;
  };
  return { downscale: ctx.WSI.downscale, photo, log };
}

test('a JPEG already within 1600 px and 400 KB is queued as it is', async () => {
  const { downscale, photo, log } = browser();
  const file = photo(JPEG, 1200, 900);
  assert.equal(await downscale(file), file);
  assert.equal(log.draws.length, 0);
  assert.equal(log.closed, 1, 'the decoded bitmap is released');
});

test('a camera photo is drawn at 1600 px on its long edge and encoded as JPEG at 0.82', async () => {
  const { downscale, photo, log } = browser();
  const out = await downscale(photo(JPEG, 3000, 4000));
  assert.equal(out.type, 'image/jpeg');
  assert.deepEqual(log.draws, [[1200, 1600]]);
  assert.deepEqual(log.qualities, [0.82]);
  assert.deepEqual(log.fills, [['#fff', 1200, 1600]], 'transparent pixels become white, as on the server');
  assert.equal(log.closed, 1);
  assert.equal(log.canvases[0].width, 0, 'the canvas memory is given back');
});

test('a PNG is always re-encoded as JPEG, even when small', async () => {
  const { downscale, photo, log } = browser();
  const out = await downscale(photo(PNG, 800, 600, 2000));
  assert.equal(out.type, 'image/jpeg');
  assert.deepEqual(log.draws, [[800, 600]]);
});

test('a result over 400 KB is encoded again at lower quality, never below 0.5', async () => {
  const big = browser({ encodedSize: () => 500 * 1024 });
  const out = await big.downscale(big.photo(JPEG, 4000, 3000));
  assert.deepEqual(big.log.qualities, [0.82, 0.72, 0.62, 0.52]);
  assert.equal(out.size, 500 * 1024, 'the smallest it could make is still sent');
  const shrinks = browser({ encodedSize: (q) => (q > 0.7 ? 450 * 1024 : 300 * 1024) });
  const smaller = await shrinks.downscale(shrinks.photo(JPEG, 4000, 3000));
  assert.deepEqual(shrinks.log.qualities, [0.82, 0.72, 0.62]);
  assert.equal(smaller.size, 300 * 1024);
});

test('a photo the device cannot open is refused with code "unreadable" and a message for the person', async () => {
  const { downscale } = browser();
  const junk = new Blob(['not a picture']);
  await assert.rejects(downscale(junk), (error) => {
    assert.equal(error.code, 'unreadable');
    assert.match(error.message, /could not be opened on this device/);
    return true;
  });
});

test('without createImageBitmap options or OffscreenCanvas (older Safari) the <img> and <canvas> route is used', async () => {
  const { downscale, photo, log } = browser({ bitmap: 'no-options', offscreen: false });
  const out = await downscale(photo(JPEG, 2000, 1000, 600 * 1024));
  assert.equal(out.type, 'image/jpeg');
  assert.deepEqual(log.draws, [[1600, 800]]);
  assert.equal(log.canvases[0].width, 0);
});

test('a failure after decoding says the photo could not be prepared (the caller then sends the original)', async () => {
  const { downscale, photo, log } = browser({ encodeFails: true });
  await assert.rejects(downscale(photo(JPEG, 4000, 3000)), (error) => {
    assert.equal(error.code, undefined);
    assert.match(error.message, /could not be prepared for upload/);
    return true;
  });
  assert.equal(log.closed, 1);
});
