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
  });
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
