// The JS helper starts the real sandbox and drives it over fetch.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { DEMO_API_KEY, startSandbox } from './helpers/sandbox.mjs';

let sandbox;
before(async () => {
  sandbox = await startSandbox({ seed: { calls: [{ call_id: 'call_seeded', status: 'ringing' }] } });
});
after(async () => {
  await sandbox?.stop();
});

test('starts on a loopback URL', () => {
  assert.match(sandbox.url, /^http:\/\/127\.0\.0\.1:\d+$/);
});

test('cancels a call with the demo key and logs the request', async () => {
  await sandbox.reset();
  await sandbox.addCalls([{ call_id: 'call_js', status: 'queued' }]);
  const res = await fetch(`${sandbox.url}/v1/calls/call_js/cancel`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${DEMO_API_KEY}` },
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    success: true,
    call_id: 'call_js',
    status: 'cancelled',
    message: 'Call has been successfully cancelled.',
  });
  assert.equal((await sandbox.getCall('call_js')).status, 'cancelled');
  assert.equal(await sandbox.getCall('call_missing'), null);

  const log = await sandbox.requests();
  assert.equal(log.length, 1);
  assert.equal(log[0].method, 'POST');
  assert.equal(log[0].path, '/v1/calls/call_js/cancel');
  assert.equal(log[0].headers.authorization, `Bearer ${DEMO_API_KEY}`);
  assert.equal((await sandbox.stats()).requests_total, 1);
});

test('seed, faults and config reach the sandbox', async () => {
  await sandbox.reset();
  assert.equal((await sandbox.getCall('call_seeded')).status, 'ringing');
  await sandbox.faults([{ path_prefix: '/v1/', status: 429, headers: { 'Retry-After': '2' } }]);
  const limited = await fetch(`${sandbox.url}/v1/calls/call_seeded/cancel`, { method: 'POST' });
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '2');
  await limited.body?.cancel();
  assert.deepEqual(await sandbox.config({ latency_ms: 5 }), {
    latency_ms: 5,
    log_requests: true,
    advance_every_ms: null,
    rate_limit: null,
    daily_quota: null,
    zero_balance: false,
    quota_used: 0,
    events_url: null,
    events_secret_set: false,
    events_wrong_secret: false,
    events_retry_ms: 500,
    events_max_attempts: 6,
  });
});

test('rate limit, quota and zero balance through config() and stats()', async () => {
  await sandbox.reset();
  const cancel = async () => {
    const res = await fetch(`${sandbox.url}/v1/calls/call_seeded/cancel`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${DEMO_API_KEY}` },
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
  };

  const shown = await sandbox.config({ rate_limit: '2/1m', daily_quota: 10 });
  assert.equal(shown.rate_limit, '2/60s');
  assert.equal(shown.daily_quota, 10);
  assert.equal((await cancel()).status, 409);
  assert.equal((await cancel()).status, 409);
  const limited = await cancel();
  assert.equal(limited.status, 429);
  assert.match(limited.retryAfter, /^\d+$/);
  assert.equal(limited.body.error.code, 'RATE_LIMIT_EXCEEDED');

  await sandbox.config({ rate_limit: null, zero_balance: true });
  const broke = await cancel();
  assert.equal(broke.status, 402);
  assert.equal(broke.body.error.code, 'INSUFFICIENT_CREDITS');

  const stats = await sandbox.stats();
  assert.equal(stats.rate_limited_total, 1);
  assert.equal(stats.quota_exceeded_total, 1);
  assert.equal(stats.max_in_window, 2);
  await assert.rejects(sandbox.config({ rate_limit: '0/1s' }), /400/);

  await sandbox.reset();
  const config = await sandbox.config();
  assert.equal(config.rate_limit, null);
  assert.equal(config.zero_balance, false);
  assert.equal(config.quota_used, 0);
  assert.equal((await cancel()).status, 409);
});

test('a failed start reports stderr', async () => {
  await assert.rejects(startSandbox({ seed: '/nonexistent/seed.json' }), /cannot read seed file/);
});

test('stop() waits for the process to exit', async () => {
  const extra = await startSandbox({ args: ['--no-log'] });
  const { code } = await extra.stop();
  assert.equal(code, 0);
  assert.notEqual(extra.process.exitCode, null);
  await assert.rejects(fetch(`${extra.url}/__sandbox/stats`));
});
