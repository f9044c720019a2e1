// cancelCall / cancelCalls against the sandbox (real HTTP): order and outcomes, bad ids as
// outcomes with no request, the webhook, dry runs, redaction, the rate limit at a compressed
// window, abort, progress, retries and option errors.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

import * as esm from 'huskyvoice-core';
import { cancelCall, cancelCalls } from 'huskyvoice-core';
import { rejectsWithCode } from '../helpers/client.mjs';
import { startSandbox } from '../helpers/sandbox.mjs';

const KEY = 'sk_live_clientTestSecret_4f9a2c';
// A key of its own for the test that needs an empty minute window: the pacer of a key is
// shared by every run in the process, so the other tests' requests would count against it.
const PACED_KEY = 'sk_live_pacedTestSecret_0c3e';
const TOKEN = 'hook-token-clientTestSecret-77';
const QUEUED = Array.from({ length: 120 }, (_, i) => `call_q${i}`);
const seed = {
  calls: [
    ...QUEUED.map((call_id) => ({ call_id })),
    { call_id: 'call_ringing', status: 'ringing' },
    { call_id: 'call_done', status: 'completed' },
  ],
};

let sb;
// Pacing off unless a test is about it (see PACED_KEY).
const rest = (extra = {}) => ({ apiKey: KEY, baseUrl: sb.url, requestsPerMinute: 0, ...extra });
const paths = async () => (await sb.requests()).map((r) => r.path);

before(async () => {
  sb = await startSandbox({ args: ['--api-key', KEY, '--api-key', PACED_KEY, '--webhook-token', TOKEN], seed });
});
after(async () => {
  await sb?.stop();
});
beforeEach(async () => {
  await sb.reset();
});

const expectCode = rejectsWithCode([KEY, TOKEN]);

describe('cancelCalls', () => {
  it('returns one outcome per id in input order; bad ids are outcomes and nothing is sent for them', async () => {
    const ids = ['call_q0', 'call_ringing', 'bad/id', 'call_missing', ' call_q1 ', 'call_done', '', null, 42, 'call_q0'];
    const out = await cancelCalls(ids, rest());
    assert.equal(out.length, ids.length);
    assert.deepEqual(
      out.map((o) => o.outcome),
      ['cancelled', 'not_cancellable', 'invalid_call_id', 'not_found', 'cancelled', 'not_cancellable', 'invalid_call_id', 'invalid_call_id', 'invalid_call_id', 'cancelled'],
    );
    assert.deepEqual(
      out.map((o) => o.callId),
      ['call_q0', 'call_ringing', 'bad/id', 'call_missing', 'call_q1', 'call_done', '', null, '42', 'call_q0'],
    );
    for (const o of out) {
      assert.deepEqual(
        Object.keys(o).filter((k) => !['error', 'description'].includes(k)),
        ['callId', 'outcome', 'cancelled', 'callStatus', 'message', 'httpStatus', 'via', 'attempts'],
      );
      assert.equal(o.via, 'rest');
    }
    assert.equal(out[0].cancelled, true);
    assert.equal(out[0].httpStatus, 200);
    assert.equal(out[1].callStatus, 'ringing');
    assert.equal(out[1].httpStatus, 409);
    assert.equal(out[2].attempts, 0);
    assert.equal(out[2].httpStatus, null);
    assert.match(out[2].message, /'\/' at position 4/);
    assert.equal(out[3].httpStatus, 404);
    // Only the six valid ids were sent, each once.
    const sent = await paths();
    assert.equal(sent.length, 6);
    assert.ok(sent.every((p) => /^\/v1\/calls\/call_[a-z0-9_]+\/cancel$/.test(p)), sent.join(' '));
    assert.equal((await sb.getCall('call_q1')).status, 'cancelled');
  });

  it('an empty list resolves to an empty list', async () => {
    assert.deepEqual(await cancelCalls([], rest()), []);
    assert.equal((await sb.stats()).requests_total, 0);
  });

  it('cancelCall cancels one call and reports a bad id as an outcome', async () => {
    const one = await cancelCall('call_q2', rest());
    assert.equal(one.outcome, 'cancelled');
    assert.equal(one.attempts, 1);
    const bad = await cancelCall('call?x', rest());
    assert.equal(bad.outcome, 'invalid_call_id');
    assert.equal((await sb.stats()).requests_total, 1);
  });

  it('cancels through the inbound webhook, from its token or its whole URL', async () => {
    const byToken = await cancelCalls(['call_q3', 'call_missing'], { webhook: TOKEN, baseUrl: sb.url, requestsPerMinute: 0 });
    assert.deepEqual(byToken.map((o) => [o.outcome, o.via]), [['cancelled', 'webhook'], ['not_found', 'webhook']]);
    const byUrl = await cancelCall('call_q4', { webhook: `${sb.url}/v1/hooks/${TOKEN}`, requestsPerMinute: 0 });
    assert.equal(byUrl.outcome, 'cancelled');
    const log = await sb.requests();
    assert.equal(log.length, 3);
    for (const r of log) {
      assert.equal(r.method, 'POST');
      assert.equal(r.path, '/v1/hooks/(redacted)');
    }
    assert.deepEqual(JSON.parse(log[2].body), { action: 'call.cancel', data: { call_id: 'call_q4' } });
    assert.equal((await sb.getCall('call_q4')).status, 'cancelled');
  });

  it('a dry run sends nothing and shows each request with its secrets redacted', async () => {
    const out = await cancelCalls(['call_q5', 'bad id'], rest({ dryRun: true }));
    assert.deepEqual(out.map((o) => o.outcome), ['dry_run', 'invalid_call_id']);
    assert.equal(out[0].request.url, `${sb.url}/v1/calls/call_q5/cancel`);
    assert.match(out[0].request.headers.Authorization, /^Bearer sk_live_…\(redacted\)$/);
    const hook = await cancelCall('call_q5', { webhook: TOKEN, baseUrl: sb.url, dryRun: true });
    assert.ok(!hook.request.url.includes(TOKEN));
    assert.equal((await sb.stats()).requests_total, 0);
    assert.equal((await sb.getCall('call_q5')).status, 'queued');
  });

  it('never shows the key or the token, in outcomes or in errors', async () => {
    const wrongKey = 'sk_live_wrongSecretKey_93b1';
    const wrongToken = 'wrong-token-secret-5521';
    const outcomes = [
      ...(await cancelCalls(['call_q6'], { apiKey: wrongKey, baseUrl: sb.url })),
      ...(await cancelCalls(['call_q6'], { webhook: wrongToken, baseUrl: sb.url })),
      ...(await cancelCalls(['call_q6', 'a/b'], rest({ dryRun: true }))),
      ...(await cancelCalls(['call_q6'], { webhook: TOKEN, baseUrl: sb.url, dryRun: true })),
    ];
    assert.deepEqual(outcomes.map((o) => o.outcome), ['unauthorized', 'unauthorized', 'dry_run', 'invalid_call_id', 'dry_run']);
    const text = JSON.stringify(outcomes);
    for (const secret of [wrongKey, wrongToken, KEY, TOKEN]) assert.ok(!text.includes(secret), `${secret} leaked`);
    await expectCode(cancelCalls(['call_q6'], { apiKey: KEY, baseUrl: 'http://example.com' }), 'INVALID_BASE_URL');
    await expectCode(cancelCalls(['call_q6'], { webhook: `${TOKEN}!`, baseUrl: sb.url }), 'INVALID_WEBHOOK');
    await expectCode(cancelCalls(['call_q6'], { webhook: `https://api.huskyvoice.ai/v1/hooks/${TOKEN}`, baseUrl: sb.url }), 'INVALID_OPTIONS', /base URL/);
    await expectCode(cancelCalls(['call_q6'], { apiKey: `${KEY} x`, baseUrl: sb.url }), 'INVALID_OPTIONS');
  });

  it('paces under the limit: 50 ids at 20 per 2 s window get zero 429s and are all cancelled', async () => {
    await sb.config({ rate_limit: '20/2s' });
    const t0 = Date.now();
    const out = await cancelCalls(QUEUED.slice(0, 50), rest({ requestsPerMinute: 20, rateLimitWindowMs: 2000, concurrency: 10 }));
    const ms = Date.now() - t0;
    const stats = await sb.stats();
    assert.equal(out.filter((o) => o.cancelled).length, 50);
    assert.ok(out.every((o) => o.attempts === 1), JSON.stringify({ stats, retried: out.filter((o) => o.attempts !== 1) }));
    assert.equal(stats.rate_limited_total, 0);
    assert.equal(stats.requests_total, 50);
    assert.ok(stats.max_in_window <= 20, `max_in_window ${stats.max_in_window}`);
    // 20 at once, 20 after one window, 10 after two.
    assert.ok(ms >= 3900, `took ${ms} ms`);
  });

  it('two runs at once with the same key share one limit', async () => {
    await sb.config({ rate_limit: '10/1s' });
    const opts = rest({ requestsPerMinute: 10, rateLimitWindowMs: 1000, concurrency: 5 });
    const [a, b] = await Promise.all([cancelCalls(QUEUED.slice(0, 15), opts), cancelCalls(QUEUED.slice(15, 30), opts)]);
    assert.equal([...a, ...b].filter((o) => o.cancelled).length, 30);
    const stats = await sb.stats();
    assert.equal(stats.rate_limited_total, 0);
    assert.ok(stats.max_in_window <= 10, `max_in_window ${stats.max_in_window}`);
  });

  it('a 429 from the gateway pauses the key and the call is retried', async () => {
    await sb.faults([{ path_prefix: '/v1/calls/call_q7', times: 1, status: 429, headers: { 'Retry-After': '1' }, body: '{"error":{"code":"RATE_LIMIT_EXCEEDED","message":"slow down"}}' }]);
    const t0 = Date.now();
    const [o] = await cancelCalls(['call_q7'], rest({ requestsPerMinute: 0 }));
    assert.equal(o.outcome, 'cancelled');
    assert.equal(o.attempts, 2);
    assert.ok(Date.now() - t0 >= 950, 'waited for Retry-After');
  });

  it('retries server errors and dropped connections, and times out slow answers', async () => {
    await sb.faults([
      { path_prefix: '/v1/calls/call_q8', times: 1, status: 503, body: '<html>503</html>' },
      { path_prefix: '/v1/calls/call_q9', times: 1, drop: true },
      { path_prefix: '/v1/calls/call_q10', times: 5, delay_ms: 1500 },
    ]);
    const out = await cancelCalls(['call_q8', 'call_q9', 'call_q10'], rest({ timeoutSeconds: 0.2, maxAttempts: 2, maxTotalWaitSeconds: 5 }));
    assert.deepEqual(out.map((o) => [o.outcome, o.attempts]), [['cancelled', 2], ['cancelled', 2], ['server_error', 2]]);
    assert.equal(out[2].httpStatus, null);
    assert.match(out[2].message, /timed out/);
  });

  it('an abort stops sending and resolves with every outcome: not_sent, interrupted', async () => {
    await sb.config({ latency_ms: 1500 });
    const controller = new AbortController();
    const pending = cancelCalls(QUEUED.slice(0, 12), rest({ concurrency: 4, signal: controller.signal }));
    setTimeout(() => controller.abort(), 300);
    const t0 = Date.now();
    const out = await pending;
    assert.ok(Date.now() - t0 < 1200, 'resolved without waiting for the answers');
    assert.equal(out.length, 12);
    assert.deepEqual(out.slice(0, 4).map((o) => o.outcome), Array(4).fill('interrupted'));
    assert.deepEqual(out.slice(4).map((o) => o.outcome), Array(8).fill('not_sent'));
    assert.ok(out.slice(4).every((o) => o.attempts === 0 && o.callId !== null));
    assert.equal((await sb.stats()).requests_total, 4);
  });

  it('an abort during a paced wait resolves at once', async () => {
    const controller = new AbortController();
    const pending = cancelCalls(QUEUED.slice(20, 30), rest({ apiKey: PACED_KEY, requestsPerMinute: 3, signal: controller.signal }));
    // The first three go at once; the rest wait for the next minute.
    while ((await sb.stats()).requests_total < 3) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    const out = await pending;
    assert.deepEqual(out.map((o) => o.outcome), [...Array(3).fill('cancelled'), ...Array(7).fill('not_sent')]);
  });

  it('an already aborted signal sends nothing', async () => {
    const out = await cancelCalls(['call_q11', 'bad/x'], rest({ signal: AbortSignal.abort() }));
    assert.deepEqual(out.map((o) => o.outcome), ['not_sent', 'invalid_call_id']);
    assert.equal((await sb.stats()).requests_total, 0);
  });

  it('onProgress counts every call once, bad ids included', async () => {
    const seen = [];
    const ids = ['call_q12', 'x/y', 'call_q13', 'call_missing', 'call_q14'];
    const out = await cancelCalls(ids, rest({ onProgress: (done, total, outcome, index) => seen.push({ done, total, outcome, index }) }));
    assert.deepEqual(seen.map((s) => s.done), [1, 2, 3, 4, 5]);
    assert.ok(seen.every((s) => s.total === 5));
    assert.deepEqual([...seen.map((s) => s.index)].sort(), [0, 1, 2, 3, 4]);
    for (const s of seen) assert.equal(s.outcome, out[s.index].outcome);
    assert.equal(seen[0].outcome, 'invalid_call_id');
  });

  it('an onProgress that throws stops the run and rejects with its error', async () => {
    const boom = new Error('boom');
    await assert.rejects(
      cancelCalls(QUEUED.slice(40, 60), rest({ concurrency: 1, onProgress: () => { throw boom; } })),
      (e) => e === boom,
    );
    assert.ok((await sb.stats()).requests_total < 20);
  });

  it('bad options throw an Error with a code before anything is sent', async () => {
    await expectCode(cancelCalls(['call_q15'], { baseUrl: sb.url }), 'INVALID_OPTIONS', /"apiKey".*"webhook"/);
    await expectCode(cancelCalls(['call_q15'], { apiKey: KEY, webhook: TOKEN, baseUrl: sb.url }), 'INVALID_OPTIONS', /not both/);
    await expectCode(cancelCalls('call_q15', rest()), 'INVALID_OPTIONS', /array/);
    await expectCode(cancelCalls(['call_q15']), 'INVALID_OPTIONS');
    await expectCode(cancelCalls(['call_q15'], rest({ concurrency: 0 })), 'INVALID_OPTIONS', /"concurrency"/);
    await expectCode(cancelCalls(['call_q15'], rest({ requestsPerMinute: -1 })), 'INVALID_OPTIONS', /"requestsPerMinute"/);
    await expectCode(cancelCalls(['call_q15'], rest({ maxAttempts: 0 })), 'INVALID_OPTIONS', /"maxAttempts"/);
    await expectCode(cancelCalls(['call_q15'], rest({ timeoutSeconds: 0 })), 'INVALID_OPTIONS', /"timeoutSeconds"/);
    await expectCode(cancelCalls(['call_q15'], rest({ dryRun: 'yes' })), 'INVALID_OPTIONS', /"dryRun"/);
    await expectCode(cancelCalls(['call_q15'], rest({ requestPerMinute: 5 })), 'INVALID_OPTIONS', /unknown option "requestPerMinute"/);
    await expectCode(cancelCalls(['call_q15'], rest({ signal: 'stop' })), 'INVALID_OPTIONS', /"signal"/);
    await expectCode(cancelCall('call_q15', { apiKey: KEY, baseUrl: 'ftp://x' }), 'INVALID_BASE_URL');
    assert.equal((await sb.stats()).requests_total, 0);
  });

  it('is the same function from require()', () => {
    const cjs = createRequire(import.meta.url)('huskyvoice-core');
    assert.equal(cjs.cancelCalls, cancelCalls);
    assert.equal(cjs.cancelCall, cancelCall);
    for (const name of ['drive', 'Run', 'Pacers', 'validateCallId', 'buildCancelRequest']) assert.equal(typeof cjs[name], 'function', name);
    // The ESM entry names every CommonJS export, and nothing else.
    assert.deepEqual(Object.keys(esm).filter((k) => k !== 'default').sort(), Object.keys(cjs).sort());
    for (const name of Object.keys(cjs)) assert.equal(esm[name], cjs[name], name);
  });
});
