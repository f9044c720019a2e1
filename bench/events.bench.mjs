// The cost of judging one signed call event of about 2 KB: verifyEvent through WASM (the
// Node package), next to the same work in plain Node (node:crypto's HMAC, timingSafeEqual,
// JSON.parse) and to the core natively (cargo example verify_speed). Median of --runs.
//   node bench/events.bench.mjs [--n 20000] [--runs 5] [--json]
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const arg = (name, def) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : def);
const N = arg('--n', 20_000);
const RUNS = arg('--runs', 5);
const { verifyEvent } = require(path.join(ROOT, 'packages/huskyvoice-core'));

const SECRET = 'whsec_bench_0123456789abcdef';
// A call.completed event with a summary long enough to make the body 2 KB, as a sender writes it.
const sentence = 'The customer confirmed the invoice and will pay on Friday — धन्यवाद. ';
const event = {
  event_id: 'evt_01JBENCH000000000000000000', event_type: 'call.completed', created_at: '2026-12-07T03:22:42.120Z', org_id: 'org_bench',
  data: { call_id: 'call_bench_1', agent_id: 'agent_reminders', status: 'completed', duration_seconds: 73, summary: '' },
};
while (Buffer.byteLength(JSON.stringify(event), 'utf8') < 2048 - sentence.length) event.data.summary += sentence;
const BODY = Buffer.from(JSON.stringify(event, null, 1), 'utf8');
const SIGNATURE = createHmac('sha256', SECRET).update(BODY).digest('hex');

function wasm() {
  const v = verifyEvent(SECRET, BODY, SIGNATURE);
  if (!v.verified) throw new Error(v.message);
  return v.event.event_id;
}

function plainNode() {
  const expected = createHmac('sha256', SECRET).update(BODY).digest();
  const given = Buffer.from(SIGNATURE, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('mismatch');
  return JSON.parse(BODY.toString('utf8')).event_id;
}

function measure(fn) {
  for (let i = 0; i < 2000; i++) fn();
  const times = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) fn();
    times.push(((performance.now() - t0) * 1000) / N);
  }
  times.sort((a, b) => a - b);
  return Number(times[Math.floor(times.length / 2)].toFixed(3));
}

function native() {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'hv-events-')), 'event.json');
  writeFileSync(file, BODY);
  try {
    const out = execFileSync('cargo', ['run', '--release', '-q', '-p', 'huskyvoice-core', '--example', 'verify_speed', '--', file, SECRET, String(N * 5), '--json'],
      { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return JSON.parse(out.trim().split('\n').pop());
  } catch {
    return null;
  }
}

const result = { bytes: BODY.length, n: N, runs: RUNS, node: process.version, wasmMicros: measure(wasm), plainNodeMicros: measure(plainNode), native: native() };
if (args.includes('--json')) console.log(JSON.stringify(result));
else {
  console.log(`one signed call event of ${result.bytes} bytes, median of ${RUNS} × ${N}, Node ${process.version}`);
  console.log(`  WASM verifyEvent (HMAC + compare + envelope + event to JS): ${result.wasmMicros} µs`);
  console.log(`  plain Node (node:crypto HMAC + timingSafeEqual + JSON.parse): ${result.plainNodeMicros} µs`);
  if (result.native) console.log(`  native verify_event (cargo example verify_speed): ${result.native.perVerifyMicros} µs`);
}
