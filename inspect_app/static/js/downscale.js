/*
 * Shrink a photo on the phone before it is queued for upload.
 *
 * A 12 MP camera JPEG is 2.5-4 MB; at 1600 px it is 150-400 KB, which is what makes an
 * offline queue of 50 photos practical on a ward with poor signal. The server makes its own
 * renditions and strips all metadata anyway (photos/imaging.py), so this is only about bytes
 * on the wire.
 *
 * Usage:  const blob = await WSI.downscale(file);            // image/jpeg Blob
 * On failure the promise rejects with an Error whose message can be shown to the user (code
 * "unreadable" when the photo cannot be opened at all); the caller still has the original File
 * and decides what to do with it.
 */
(function () {
  'use strict';

  var WSI = (window.WSI = window.WSI || {});

  var READ_ERROR =
    'This photo could not be opened on this device. Please take it again, or choose a JPEG or PNG photo.';
  var PREPARE_ERROR = 'This photo could not be prepared for upload. Please try again.';
  var LOWEST_QUALITY = 0.5;

  function userError(message, cause) {
    var error = new Error(message);
    error.cause = cause;
    return error;
  }

  async function isJpeg(file) {
    var head = new Uint8Array(await file.slice(0, 3).arrayBuffer());
    return head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
  }

  function decodeWithImg(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        URL.revokeObjectURL(url);
        resolve(img);
      };
      img.onerror = function (event) {
        URL.revokeObjectURL(url);
        reject(userError(READ_ERROR, event));
      };
      img.src = url; // browsers apply EXIF orientation to <img> by default
    });
  }

  async function decode(file) {
    if (typeof createImageBitmap === 'function') {
      try {
        return await createImageBitmap(file, { imageOrientation: 'from-image' });
      } catch (err) {
        // Some older Safari versions reject the options argument: try the <img> route.
      }
    }
    return decodeWithImg(file);
  }

  function fit(width, height, maxEdge) {
    var scale = Math.min(1, maxEdge / Math.max(width, height));
    return {
      width: Math.max(1, Math.round(width * scale)),
      height: Math.max(1, Math.round(height * scale)),
    };
  }

  function context2d(size) {
    // Safari 16.0-16.3 has OffscreenCanvas without a 2d context, hence the fallback.
    if (typeof OffscreenCanvas === 'function') {
      var offscreen = new OffscreenCanvas(size.width, size.height);
      var offscreenContext = offscreen.getContext('2d');
      if (offscreenContext) return offscreenContext;
    }
    var canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    return canvas.getContext('2d');
  }

  function encode(canvas, quality) {
    if (typeof canvas.convertToBlob === 'function') {
      return canvas.convertToBlob({ type: 'image/jpeg', quality: quality });
    }
    return new Promise(function (resolve, reject) {
      canvas.toBlob(
        function (blob) {
          if (blob) resolve(blob);
          else reject(new Error('canvas.toBlob gave no blob'));
        },
        'image/jpeg',
        quality
      );
    });
  }

  /**
   * @param {Blob} file  the photo the user picked or took
   * @param {{maxEdge?: number, quality?: number, maxBytes?: number}} options
   *   maxBytes: a JPEG already within maxEdge and maxBytes is returned as it is; an encoded
   *   result over maxBytes is encoded again at lower quality (down to 0.5).
   * @returns {Promise<Blob>} an image/jpeg Blob (or the untouched file)
   */
  WSI.downscale = async function (file, { maxEdge = 1600, quality = 0.82, maxBytes = 400 * 1024 } = {}) {
    var source;
    try {
      source = await decode(file);
    } catch (err) {
      var unreadable = err && err.message === READ_ERROR ? err : userError(READ_ERROR, err);
      unreadable.code = 'unreadable'; // the caller refuses this photo rather than queue it
      throw unreadable;
    }
    var width = source.naturalWidth || source.width;
    var height = source.naturalHeight || source.height;
    var ctx;
    try {
      if (Math.max(width, height) <= maxEdge && file.size <= maxBytes && (await isJpeg(file))) {
        return file;
      }
      var size = fit(width, height, maxEdge);
      ctx = context2d(size);
      ctx.fillStyle = '#fff'; // transparent PNG pixels become white, as on the server
      ctx.fillRect(0, 0, size.width, size.height);
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(source, 0, 0, size.width, size.height);
      var blob = await encode(ctx.canvas, quality);
      // A noisy low-light shot can stay big at 0.82; trade a little quality for the queue.
      for (var q = quality - 0.1; blob.size > maxBytes && q >= LOWEST_QUALITY - 1e-9; q -= 0.1) {
        blob = await encode(ctx.canvas, q);
      }
      return blob;
    } catch (err) {
      throw userError(PREPARE_ERROR, err);
    } finally {
      if (typeof source.close === 'function') source.close(); // ImageBitmap memory
      if (ctx) ctx.canvas.width = ctx.canvas.height = 0; // iOS keeps canvas memory otherwise
    }
  };
})();
