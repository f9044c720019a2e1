// The plain TypeScript rules (bench/plain-ts/core.ts, compiled by bench/run.mjs with the
// repository's TypeScript) timed exactly like bench/core.bench.mjs times the WASM core:
// the same items, the same single-call and batched loops, median of --runs runs.
//
//   node bench/plain-ts/bench.mjs --impl DIR/core.js [--items 100000] [--runs 5] [--json]
//   node bench/plain-ts/bench.mjs --impl DIR/core.js --parity [--json]   compare with the WASM core
//   node bench/plain-ts/bench.mjs --impl wasm ...                         the same loops on the WASM core
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { coreWorkload } from '../lib/core-workload.mjs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const ITEMS = Number(opt('--items', 100_000));
const RUNS = Number(opt('--runs', 5));
const implArg = opt('--impl', null);
if (!implArg) {
  console.error('usage: node bench/plain-ts/bench.mjs --impl <compiled core.js | wasm> [--items N] [--runs R] [--json] [--parity]');
  process.exit(2);
}

const t0 = performance.now();
const core = implArg === 'wasm' ? require('huskyvoice-core/embedded') : require(path.resolve(implArg));
const loadMs = performance.now() - t0;

if (args.includes('--parity')) {
  const report = parity(core, require('huskyvoice-core/embedded'));
  if (args.includes('--json')) console.log(JSON.stringify(report));
  else {
    console.log(`parity with the WASM core: ${report.agree}/${report.cases} cases agree`);
    for (const d of report.differences) console.log(`  differs: ${d.fn} ${d.input}\n    plain: ${d.plain}\n    wasm:  ${d.wasm}`);
  }
  process.exit(report.agree === report.cases ? 0 : 1);
}

const { single, batched } = coreWorkload(core, ITEMS);

function measure(fn) {
  fn();
  const times = [];
  for (let r = 0; r < RUNS; r++) {
    const start = performance.now();
    const n = fn();
    times.push(performance.now() - start);
    if (n !== ITEMS) throw new Error(`expected ${ITEMS} cancelled, got ${n}`);
  }
  times.sort((a, b) => a - b);
  return (times[Math.floor(times.length / 2)] * 1000) / ITEMS;
}

const result = {
  impl: implArg === 'wasm' ? 'wasm' : 'plain-ts',
  items: ITEMS,
  runs: RUNS,
  node: process.version,
  loadMs: Number(loadMs.toFixed(2)),
  perItemMicros: { single: Number(measure(single).toFixed(3)), batched: Number(measure(batched).toFixed(3)) },
};
if (args.includes('--json')) console.log(JSON.stringify(result));
else console.log(`${result.impl}, ${ITEMS} items, median of ${RUNS}: ${result.perItemMicros.single} µs single, ${result.perItemMicros.batched} µs batched`);

// ---- parity ----
function parity(plain, wasm) {
  const call = (lib, fn, input) => {
    try {
      return JSON.stringify(sortKeys({ value: lib[fn](input) }));
    } catch (e) {
      return JSON.stringify({ error: e.code ?? e.name, message: e.message });
    }
  };
  const now = 1_700_000_000_000;
  const ids = ['call_abc_123', '  call_1\t', '550e8400-e29b-41d4-a716-446655440000', '', '   ', 'a/b', '../x', 'a?b',
    '%2F', 'call#1', 'call 1', 'callé', 'ab\u0000', 'a'.repeat(128), 'a'.repeat(129), 'x😀y', 42, null, true, { a: 1 }, [1], 1.5];
  const bases = [undefined, '', '  ', 'https://api.huskyvoice.ai', 'https://api.huskyvoice.ai/v1/', 'HTTPS://API.HuskyVoice.ai/v1',
    'https://proxy.example.com:8443/husky/v1/', 'http://localhost:3000', 'http://127.0.0.1:4010/v1', 'http://127.1.2.3',
    'http://[::1]:8080', 'http://api.huskyvoice.ai', 'http://127.0.0.1.evil.com', 'http://10.0.0.1', 'api.huskyvoice.ai',
    'ftp://x', 'https://', 'https://user:pw@host', 'https://host?x=1', 'https://host:99999', 'https://host:', 'https://ho st',
    'https://host/a/../b', 'https://[::1', 'https://host//x', 'https://hé.com', 5];
  const hooks = ['sandbox-token', 'https://api.huskyvoice.ai/v1/hooks/secretTok/', 'http://127.0.0.1:9000/v1/hooks/sandbox-token',
    '', 'abc def', 's3cret/x', 'https://api.huskyvoice.ai/v2/s3cret', 'http://example.com/v1/hooks/s3cretValue',
    'https://api.huskyvoice.ai/v1/hooks/', 'x'.repeat(300), true];
  const builds = [];
  for (const callId of ids) builds.push({ via: 'rest', callId, baseUrl: 'http://127.0.0.1:4010' });
  for (const baseUrl of bases) builds.push({ via: 'rest', callId: 'call_1', baseUrl });
  for (const apiKey of ['sk_live_abcdef123456', ' Bearer sk_test_sandbox ', 'bearer ', '', 'sk live', 'k'.repeat(600), 'short']) {
    builds.push({ via: 'rest', callId: 'call_1', apiKey });
    builds.push({ via: 'rest', callId: 'call_1', apiKey, redact: true });
  }
  for (const webhook of hooks) {
    builds.push({ via: 'webhook', callId: 'call_1', webhook });
    builds.push({ via: 'webhook', callId: 'call_1', webhook, redact: true });
    builds.push({ via: 'webhook', callId: 'call_1', webhook, baseUrl: 'http://127.0.0.1:9000' });
  }
  builds.push({ callId: 'c' }, { via: 'sms', callId: 'c' }, { via: 1, callId: 'c' }, { via: 'rest', callId: 'c', redact: 'yes' },
    { via: 'rest', callId: 'c', webhook: 'tok' }, { via: 'webhook', callId: 'c', apiKey: 'k' }, { via: 'webhook', callId: 'c' }, 'x', null);

  const bodies = [
    '{"success":true,"call_id":"call_1","status":"cancelled","message":"Call has been successfully cancelled."}',
    '{"status":"cancelled"}', '{"status":"canceled"}', '{"success":false,"status":"cancelled"}', '{"call_id":"other","status":"cancelled"}',
    '{"data":{"status":"Ringing"}}', '{"error":{"status":"in-progress"}}', '{"status":"weird"}', '{"status":"queued"}', '{}',
    '{"success":false,"error":{"code":"CALL_NOT_CANCELLABLE","message":"Call is ringing.","status":"ringing"}}',
    '{"success":false,"error":{"code":"NOT_FOUND","message":"Call not found."}}', '{"error":{"code":"X","message":"m1"}}',
    '{"success":false,"code":"Y","message":"m2"}', '{"detail":"m3"}', '{"message":"Call can no longer be cancelled"}', '{"error":"m5"}',
    'plain words', '<html><body>502 Bad Gateway</body></html>', '<!DOCTYPE html><p>x', '{"success": tru', '"just a string"', '[1,2]',
    '', '   ', `{"message":"${'x'.repeat(1000)}"}`, '{"message":"a\\nb"}', '{"message":"key sk_live_abcdef123456 leaked"}',
    '{"message":"Call is already ringing"}', '{"error":{"code":"C","message":"The call is in progress"}}', '{"status":"pending"}',
    '{"error":{"status":"disallowed"}}', '{"message":"Cancellation failed"}', '{"status":"queued","status":"cancelled"}',
    '{"status":5,"error":{"status":"answered"}}', '{"error":{"code":"QUOTA_EXCEEDED","message":"Daily quota."}}',
    '{"error":{"code":"NOT_FOUND","message":"NOT_FOUND"}}',
  ];
  const statuses = [200, 201, 400, 401, 402, 403, 404, 409, 422, 429, 500, 502, 503, 302, 418];
  const responses = [];
  for (const via of ['rest', 'webhook']) {
    for (const statusCode of statuses) {
      for (const body of bodies) responses.push({ via, callId: ' call_1 ', statusCode, body, nowMs: now, secrets: ['sk_live_abcdef123456'] });
    }
  }
  for (const ra of ['1', ' 120 ', '99999999999999999999', 'Wed, 15 Nov 2023 00:00:00 GMT', 'Wednesday, 15-Nov-23 00:00:00 GMT',
    'Wed Nov 15 00:00:00 2023', 'Sun, 06 Nov 1994 08:49:37 GMT', '-1', '1.5', '', 'yesterday', 'Wed, 15 Foo 2023 00:00:00 GMT']) {
    responses.push({ via: 'rest', callId: 'c', statusCode: 429, headers: { 'Retry-After': ra }, body: '', nowMs: now });
    responses.push({ via: 'rest', callId: 'c', statusCode: 503, headers: { 'retry-after': [ra] }, body: '<html>x</html>', nowMs: now });
  }
  responses.push(
    { via: 'rest', callId: 'c', statusCode: 429, headers: { 'retry-after': 3 }, nowMs: now },
    { via: 'rest', callId: 'c', statusCode: null, transportError: 'timeout' },
    { via: 'webhook', callId: 'c', statusCode: 0, transportError: 'connection' },
    { via: 'rest', callId: 'c', transportError: 'TIMEOUT' },
    { via: 'x', callId: 'c', statusCode: 200 }, { via: 'rest', statusCode: 200 }, { via: 'rest', callId: 'c', statusCode: 99 },
    { via: 'rest', callId: 'c', statusCode: 200.5 }, { via: 'rest', callId: 'c' }, { via: 'rest', callId: 'c', statusCode: '200' },
    { via: 'rest', callId: 'c', statusCode: 200, body: { status: 'cancelled' } }, { via: 'rest', callId: 'c', statusCode: 200, secrets: 'x' },
  );

  const differences = [];
  let cases = 0;
  const check = (fn, input) => {
    cases++;
    const p = call(plain, fn, input);
    const w = call(wasm, fn, input);
    if (p !== w) differences.push({ fn, input: JSON.stringify(input)?.slice(0, 200), plain: p.slice(0, 400), wasm: w.slice(0, 400) });
  };
  for (const id of ids) check('validateCallId', id);
  for (const b of builds) check('buildCancelRequest', b);
  check('buildCancelRequests', builds.filter((b) => b && typeof b === 'object'));
  for (const r of responses) check('interpretCancelResponse', r);
  check('interpretCancelResponses', responses.slice(0, 50));
  return { cases, agree: cases - differences.length, differences };
}

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}
