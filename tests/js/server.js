/*
 * A stand-in for the three endpoints the outbox calls (GET /api/v1/csrf, GET /api/v1/me,
 * POST /api/v1/ops), as fetch(). Each op is answered by `answer(op, photos)` (default: the
 * server's normal echo, with the SHA-256 of the photo it received); an answer may be
 * {network: true} (fetch rejects), or {status, body}.
 */
'use strict';

const { createHash } = require('node:crypto');

function response(status, body, type) {
  return {
    status, ok: status >= 200 && status < 300, type: type || 'basic',
    json: () => (body === undefined ? Promise.reject(new SyntaxError('no JSON')) : Promise.resolve(body)),
  };
}

function makeServer(options) {
  const server = {
    user: { id: 7, email: 'inspector@demo.nhs.test' },
    received: [], // every POST /api/v1/ops as it arrived: {op_id, kind, payload, photos}
    token: 'token-1',
    answer: null,
    ...(options || {}),
  };
  server.fetch = async (url, init) => {
    if (url === '/api/v1/csrf') return response(200, { csrf_token: server.token });
    if (url === '/api/v1/me') return response(200, server.user);
    if (url !== '/api/v1/ops') return response(404, { message: 'not found' });
    let op;
    const photos = [];
    if (typeof init.body === 'string') {
      op = JSON.parse(init.body);
    } else {
      op = JSON.parse(init.body.get('op'));
      for (const [field, value] of init.body.entries()) {
        if (field === 'op') continue;
        const bytes = Buffer.from(await value.arrayBuffer());
        photos.push({ field, sha256: createHash('sha256').update(bytes).digest('hex') });
      }
    }
    server.received.push({ ...op, photos, csrf: init.headers['X-CSRFToken'] });
    const answer = server.answer ? server.answer(op, photos, server.received.length) : null;
    if (answer && answer.network) throw new TypeError('Failed to fetch');
    if (answer) return response(answer.status, answer.body, answer.type);
    const result = photos.length ? { sha256: photos[0].sha256 } : { id: server.received.length };
    return response(200, { op_id: op.op_id, result });
  };
  return server;
}

module.exports = { makeServer };
