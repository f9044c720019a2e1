// One behaviour suite for every shipped form of huskyvoice-core (CJS, ESM, embedded): the
// same assertions must hold whichever way a user loads it.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');

const OK_BODY = JSON.stringify({ success: true, call_id: 'call_1', status: 'cancelled', message: 'Call has been successfully cancelled.' });
const notCancellable = (state) => JSON.stringify({ success: false, error: { code: 'CALL_NOT_CANCELLABLE', message: `Call is ${state}`, status: state } });

// API-CONTRACT §3.4, row by row: [row, via, statusCode, headers, body, outcome, retryable, callStatus]
const TABLE = [
  ['cancelled (REST 200)', 'rest', 200, {}, OK_BODY, 'cancelled', false, 'cancelled'],
  ['cancelled (webhook 200)', 'webhook', 200, {}, OK_BODY, 'cancelled', false, 'cancelled'],
  ['cancelled (repeat cancel)', 'rest', 200, {}, OK_BODY, 'cancelled', false, 'cancelled'],
  ['accepted (webhook 202, no body)', 'webhook', 202, {}, '', 'accepted', false, undefined],
  ['accepted (webhook 200, body without status)', 'webhook', 200, {}, '{"success":true}', 'accepted', false, undefined],
  ...['initiated', 'ringing', 'in_progress', 'completed', 'failed'].flatMap((s) => [
    [`not_cancellable 409 ${s}`, 'rest', 409, {}, notCancellable(s), 'not_cancellable', false, s],
    [`not_cancellable 422 ${s}`, 'webhook', 422, {}, notCancellable(s), 'not_cancellable', false, s],
  ]),
  ['not_cancellable 400 wording', 'rest', 400, {}, '{"message":"Call can no longer be cancelled"}', 'not_cancellable', false, undefined],
  ['not_found 404', 'rest', 404, {}, '{"success":false,"error":{"code":"NOT_FOUND","message":"Call not found"}}', 'not_found', false, undefined],
  ['unauthorized 401', 'rest', 401, {}, '{"success":false,"code":"UNAUTHORIZED","message":"Invalid API key"}', 'unauthorized', false, undefined],
  ['forbidden 403', 'rest', 403, {}, '{"detail":"API key lacks scope calls:cancel"}', 'forbidden', false, undefined],
  ['rate_limited 429', 'rest', 429, { 'retry-after': '1' }, '{"message":"slow down"}', 'rate_limited', true, undefined],
  ['server_error 500', 'rest', 500, {}, '{"error":{"code":"INTERNAL_ERROR","message":"boom"}}', 'server_error', true, undefined],
  ['server_error 502 HTML', 'rest', 502, {}, '<html><body><h1>502 Bad Gateway</h1></body></html>', 'server_error', true, undefined],
  ['server_error 503', 'webhook', 503, { 'Retry-After': '2' }, '', 'server_error', true, undefined],
  ['invalid_response 200 not JSON', 'rest', 200, {}, '{"status": "cancel', 'invalid_response', false, undefined],
  ['invalid_response 200 no status', 'rest', 200, {}, '{"success":true}', 'invalid_response', false, undefined],
  ['invalid_response 200 HTML', 'rest', 200, {}, '<!doctype html><title>Login</title>', 'invalid_response', false, undefined],
  ['invalid_response 418', 'rest', 418, {}, 'teapot', 'invalid_response', false, undefined],
  ['invalid_response 301', 'rest', 301, {}, '', 'invalid_response', false, undefined],
  // API-CONTRACT §3.4/§6: a state named only in the message text; pre-dial and terminal states.
  ['not_cancellable 409 "already ringing"', 'rest', 409, {}, '{"error":{"code":"CONFLICT","message":"Call is already ringing"}}', 'not_cancellable', false, 'ringing'],
  ['not_cancellable 400 "call is in progress"', 'webhook', 400, {}, '{"message":"The call is in progress"}', 'not_cancellable', false, 'in_progress'],
  ['not_cancellable 422 "already initiated"', 'rest', 422, {}, '{"detail":"Call already initiated"}', 'not_cancellable', false, 'initiated'],
  ['not_cancellable 409 disallowed', 'rest', 409, {}, notCancellable('disallowed'), 'not_cancellable', false, 'disallowed'],
  ['invalid_response 409 pending (pre-dial)', 'rest', 409, {}, '{"error":{"status":"pending"}}', 'invalid_response', false, 'pending'],
  ['invalid_response 409 scheduled (pre-dial)', 'rest', 409, {}, '{"error":{"status":"scheduled"}}', 'invalid_response', false, 'scheduled'],
  ['invalid_response 400 "Cancellation failed" (no state claim)', 'rest', 400, {}, '{"message":"Cancellation failed"}', 'invalid_response', false, undefined],
];

function expectCoreError(fn, code, ...fragments) {
  let thrown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof Error, 'expected a real Error to be thrown');
  assert.equal(thrown.code, code, thrown.message);
  for (const f of fragments) assert.ok(thrown.message.includes(f), `message ${JSON.stringify(thrown.message)} should include ${JSON.stringify(f)}`);
  return thrown;
}

module.exports = function defineSuite(core, label) {
  describe(`huskyvoice-core (${label})`, () => {
    it('exports every documented function', () => {
      for (const name of ['validateCallId', 'buildCancelRequest', 'buildCancelRequests', 'interpretCancelResponse', 'interpretCancelResponses', 'retryDelayMs', 'redactSecrets']) {
        assert.equal(typeof core[name], 'function', name);
      }
    });

    describe('validateCallId', () => {
      it('trims and returns documented ids', () => {
        assert.equal(core.validateCallId('  call_abc_123\n'), 'call_abc_123');
        assert.equal(core.validateCallId('550e8400-e29b-41d4-a716-446655440000'), '550e8400-e29b-41d4-a716-446655440000');
      });
      const bad = [
        ['', 'empty'],
        ['call 1', 'a space at position 5'],
        ['../x', "'.' at position 1"],
        ['a/b', "'/' at position 2"],
        ['a?b', "'?' at position 2"],
        ['%2F', "'%' at position 1"],
        ['x'.repeat(200), '200 characters'],
        ['calé', 'U+00E9'],
      ];
      for (const [input, fragment] of bad) {
        it(`rejects ${JSON.stringify(input.slice(0, 12))}`, () => expectCoreError(() => core.validateCallId(input), 'INVALID_CALL_ID', fragment));
      }
      it('rejects non-strings with their type', () => {
        expectCoreError(() => core.validateCallId(42), 'INVALID_CALL_ID', 'the number 42');
        expectCoreError(() => core.validateCallId(null), 'INVALID_CALL_ID', 'missing');
        expectCoreError(() => core.validateCallId(undefined), 'INVALID_CALL_ID', 'missing');
      });
    });

    describe('buildCancelRequest', () => {
      it('builds the documented REST request', () => {
        const r = core.buildCancelRequest({ via: 'rest', callId: 'call_abc_123', apiKey: 'sk_live_abc123456' });
        assert.equal(r.method, 'POST');
        assert.equal(r.url, 'https://api.huskyvoice.ai/v1/calls/call_abc_123/cancel');
        assert.equal(r.headers.Authorization, 'Bearer sk_live_abc123456');
        assert.equal(r.body, undefined);
      });
      it('omits Authorization without apiKey and honours baseUrl', () => {
        const r = core.buildCancelRequest({ via: 'rest', callId: 'c1', baseUrl: 'http://127.0.0.1:4010/v1/' });
        assert.equal(r.url, 'http://127.0.0.1:4010/v1/calls/c1/cancel');
        assert.equal(r.headers.Authorization, undefined);
      });
      it('builds the documented webhook request from a URL or a token', () => {
        for (const webhook of ['https://api.huskyvoice.ai/v1/hooks/YOUR_SECRET_TOKEN', 'YOUR_SECRET_TOKEN']) {
          const r = core.buildCancelRequest({ via: 'webhook', callId: 'call_abc_789', webhook });
          assert.equal(r.url, 'https://api.huskyvoice.ai/v1/hooks/YOUR_SECRET_TOKEN');
          assert.equal(r.headers['Content-Type'], 'application/json');
          assert.deepEqual(JSON.parse(r.body), { action: 'call.cancel', data: { call_id: 'call_abc_789' } });
        }
      });
      it('redacts secrets on request', () => {
        const r = core.buildCancelRequest({ via: 'webhook', callId: 'c', webhook: 'abTOKENVALUE123', redact: true });
        assert.equal(r.url, 'https://api.huskyvoice.ai/v1/hooks/ab…(redacted)');
        const k = core.buildCancelRequest({ via: 'rest', callId: 'c', apiKey: 'sk_live_abcdef12345', redact: true });
        assert.equal(k.headers.Authorization, 'Bearer sk_live_…(redacted)');
      });
      it('throws coded errors that never contain secrets', () => {
        expectCoreError(() => core.buildCancelRequest({ via: 'rest', callId: 'a/b' }), 'INVALID_CALL_ID', 'position 2');
        expectCoreError(() => core.buildCancelRequest({ via: 'rest', callId: 'a', baseUrl: 'http://example.com' }), 'INVALID_BASE_URL', 'https://');
        const e1 = expectCoreError(() => core.buildCancelRequest({ via: 'webhook', callId: 'a', webhook: 'SECRETtok en' }), 'INVALID_WEBHOOK', 'position 10');
        assert.ok(!e1.message.includes('SECRETtok'));
        const e2 = expectCoreError(() => core.buildCancelRequest({ via: 'rest', callId: 'a', apiKey: 'sk_live_SECRET key' }), 'INVALID_OPTIONS', 'API key');
        assert.ok(!e2.message.includes('SECRET'));
        expectCoreError(() => core.buildCancelRequest({ via: 'sms', callId: 'a' }), 'INVALID_OPTIONS', '"sms"');
        expectCoreError(() => core.buildCancelRequest('call_1'), 'INVALID_OPTIONS', 'object');
        expectCoreError(() => core.buildCancelRequest({ via: 'webhook', callId: 'a' }), 'INVALID_WEBHOOK', 'missing');
      });
    });

    describe('buildCancelRequests', () => {
      it('returns one result per item, in order, without throwing for bad items', () => {
        const results = core.buildCancelRequests([
          { via: 'rest', callId: 'c1' },
          { via: 'rest', callId: 'bad id' },
          { via: 'webhook', callId: 'c3', webhook: 'tok' },
          null,
          { via: 'rest', callId: 7 },
        ]);
        assert.equal(results.length, 5);
        assert.equal(results[0].ok, true);
        assert.equal(results[0].request.url, 'https://api.huskyvoice.ai/v1/calls/c1/cancel');
        assert.deepEqual([results[1].ok, results[1].error.code], [false, 'INVALID_CALL_ID']);
        assert.match(results[1].error.message, /a space at position 4/);
        assert.equal(results[2].request.url, 'https://api.huskyvoice.ai/v1/hooks/tok');
        assert.deepEqual([results[3].ok, results[3].error.code], [false, 'INVALID_OPTIONS']);
        assert.deepEqual([results[4].ok, results[4].error.code], [false, 'INVALID_CALL_ID']);
      });
      it('rejects a non-array', () => expectCoreError(() => core.buildCancelRequests({}), 'INVALID_OPTIONS', 'array'));
      it('reads a lone UTF-16 surrogate as U+FFFD, like the single call', () => {
        const [batch] = core.buildCancelRequests([{ via: 'rest', callId: 'ab\ud800c' }]);
        assert.equal(batch.error.code, 'INVALID_CALL_ID');
        assert.match(batch.error.message, /U\+FFFD/);
        expectCoreError(() => core.buildCancelRequest({ via: 'rest', callId: 'ab\ud800c' }), 'INVALID_CALL_ID', 'U+FFFD', 'position 3');
        const long = 'x'.repeat(2000);
        const [big] = core.buildCancelRequests([{ via: 'rest', callId: `${long}\udfff` }]);
        assert.equal(big.error.code, 'INVALID_CALL_ID');
        assert.equal(core.buildCancelRequests([{ via: 'rest', callId: 'ok\\ud800' }])[0].error.code, 'INVALID_CALL_ID');
      });
      it('refuses circular and deeply nested values with a message, never a crash', () => {
        const loop = { via: 'rest' };
        loop.callId = loop;
        expectCoreError(() => core.buildCancelRequest(loop), 'INVALID_OPTIONS', 'buildCancelRequest');
        let deep = 'c';
        for (let i = 0; i < 200; i++) deep = [deep];
        expectCoreError(() => core.buildCancelRequest({ via: 'rest', callId: deep }), 'INVALID_OPTIONS', 'nested');
        assert.equal(core.validateCallId(' ok_1 '), 'ok_1');
      });
    });

    describe('interpretCancelResponse: the outcome table', () => {
      for (const [row, via, statusCode, headers, body, outcome, retryable, callStatus] of TABLE) {
        it(row, () => {
          const r = core.interpretCancelResponse({ via, callId: 'call_1', statusCode, headers, body });
          assert.equal(r.outcome, outcome);
          assert.equal(r.retryable, retryable);
          assert.equal(r.callStatus, callStatus);
          assert.equal(r.httpStatus, statusCode);
          assert.equal(r.callId, 'call_1');
          assert.equal(typeof r.message, 'string');
          assert.ok(r.message.length > 10);
          assert.ok(!r.message.includes('<html'), r.message);
        });
      }
      it('reads Retry-After in seconds and as an HTTP date', () => {
        const secs = core.interpretCancelResponse({ via: 'rest', callId: 'c', statusCode: 429, headers: { 'Retry-After': '3' }, body: '' });
        assert.equal(secs.retryAfterMs, 3000);
        const now = Date.UTC(2026, 0, 1, 0, 0, 0);
        const date = core.interpretCancelResponse({ via: 'rest', callId: 'c', statusCode: 429, headers: { 'retry-after': ['Thu, 01 Jan 2026 00:00:05 GMT'] }, body: '', nowMs: now });
        assert.equal(date.retryAfterMs, 5000);
      });
      it('maps timeouts and dropped connections to server_error', () => {
        for (const transportError of ['timeout', 'connection']) {
          const r = core.interpretCancelResponse({ via: 'rest', callId: 'c', statusCode: null, transportError });
          assert.deepEqual([r.outcome, r.httpStatus, r.retryable], ['server_error', null, true]);
        }
      });
      it('redacts given secrets from messages', () => {
        const r = core.interpretCancelResponse({ via: 'webhook', callId: 'c', statusCode: 401, body: '{"message":"bad token abTOKENVALUE123"}', secrets: ['abTOKENVALUE123'] });
        assert.ok(!r.message.includes('abTOKENVALUE123'));
        assert.ok(r.message.includes('ab…(redacted)'));
      });
      it('throws INVALID_OPTIONS for malformed input', () => {
        expectCoreError(() => core.interpretCancelResponse({ via: 'rest', callId: 'c', statusCode: 'x' }), 'INVALID_OPTIONS', 'statusCode');
        expectCoreError(() => core.interpretCancelResponse({ via: 'rest', callId: 'c', statusCode: 200, body: { status: 'cancelled' } }), 'INVALID_OPTIONS', 'raw response text');
        expectCoreError(() => core.interpretCancelResponse(undefined), 'INVALID_OPTIONS');
        const e = expectCoreError(() => core.interpretCancelResponse({ via: 'rest', callId: 'c', statusCode: 200, headers: 'x' }), 'INVALID_OPTIONS', 'headers');
        assert.doesNotMatch(e.message, /line \d+ column/, 'no position in text the caller never wrote');
      });
      it('interprets a batch', () => {
        const rs = core.interpretCancelResponses([
          { via: 'rest', callId: 'a', statusCode: 200, body: OK_BODY.replace('call_1', 'a') },
          { via: 'rest', callId: 'b', statusCode: 404, body: '' },
        ]);
        assert.deepEqual(rs.map((r) => r.outcome), ['cancelled', 'not_found']);
      });
    });

    describe('retryDelayMs', () => {
      it('never retries final outcomes', () => {
        for (const o of ['cancelled', 'accepted', 'not_cancellable', 'not_found', 'unauthorized', 'forbidden', 'invalid_response']) {
          assert.equal(core.retryDelayMs(o, 1), null, o);
        }
      });
      it('backs off exponentially with jitter within bounds', () => {
        const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, maxTotalWaitMs: 60000 };
        for (let i = 0; i < 50; i++) {
          const d1 = core.retryDelayMs('server_error', 1, policy);
          const d3 = core.retryDelayMs('server_error', 3, policy);
          assert.ok(d1 >= 50 && d1 <= 100, `attempt 1: ${d1}`);
          assert.ok(d3 >= 200 && d3 <= 400, `attempt 3: ${d3}`);
        }
        assert.equal(core.retryDelayMs('server_error', 5, policy), null);
      });
      it('honours retryAfterMs and the total wait budget', () => {
        const r = core.interpretCancelResponse({ via: 'rest', callId: 'c', statusCode: 429, headers: { 'retry-after': '1' }, body: '' });
        const d = core.retryDelayMs(r, 1);
        assert.ok(d >= 1000 && d <= 1125, String(d));
        assert.equal(core.retryDelayMs(r, 1, { maxTotalWaitMs: 500 }), null);
        assert.equal(core.retryDelayMs('server_error', 1, { maxTotalWaitMs: 1000 }, 1000), null);
      });
      it('uses defaults of 3 attempts', () => {
        assert.notEqual(core.retryDelayMs('rate_limited', 2), null);
        assert.equal(core.retryDelayMs('rate_limited', 3), null);
      });
      it('rejects bad arguments', () => {
        expectCoreError(() => core.retryDelayMs('nope', 1), 'INVALID_OPTIONS', 'unknown outcome');
        expectCoreError(() => core.retryDelayMs('server_error', 0), 'INVALID_OPTIONS', 'attempt');
        expectCoreError(() => core.retryDelayMs('server_error', 1, { maxAttempts: 0 }), 'INVALID_OPTIONS', 'maxAttempts');
      });
    });

    describe('redactSecrets', () => {
      it('replaces every secret', () => {
        const out = core.redactSecrets('Bearer sk_live_abcdef12345 at /v1/hooks/tokTOKEN9876', ['sk_live_abcdef12345', 'tokTOKEN9876']);
        assert.equal(out, 'Bearer sk_live_…(redacted) at /v1/hooks/to…(redacted)');
      });
      it('rejects bad arguments', () => expectCoreError(() => core.redactSecrets(5, []), 'INVALID_OPTIONS', 'string'));
    });

    require('./events.cjs')(core);
  });
};
