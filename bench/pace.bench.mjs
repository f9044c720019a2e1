// One operation at HuskyVoice's documented limit: N gets or N schedules (default 100) through
// the Node client against a sandbox that enforces 60 requests per sliding minute per API key
// (`--rate-limit 60/60s`), with the client's default pacing (60/min). Reports the outcomes,
// 429s the sandbox answered, the most requests one window held, and the time against the least
// the limit allows (request 61 can go no sooner than one window after request 1); for
// schedule, the calls created per item too. Then invalid inputs beside a valid one: how many
// requests the invalid ones cost (must be 0).
//   node bench/pace.bench.mjs [--op get|schedule] [--n 100] [--json]   (about 1 minute per 60 past the first 60)
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startSandbox } from '../tests/helpers/sandbox.mjs';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const { getCalls, scheduleCalls } = createRequire(import.meta.url)(path.join(ROOT, 'packages', 'huskyvoice-core'));

const args = process.argv.slice(2);
const arg = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const OP = arg('--op', 'get');
const N = Number(arg('--n', 100));
const LIMIT = 60;
const WINDOW_MS = 60_000;
const KEY = 'sk_test_paceBench';
const log = (m) => process.stderr.write(`[pace ${OP}] ${m}\n`);

const OPS = {
  get: {
    inputs: Array.from({ length: N }, (_, i) => `call_pace_${String(i).padStart(4, '0')}`),
    invalid: ['call/../x', 'call abc', '', 'call_%2F', 'x'.repeat(129)],
    run: getCalls,
    options: {},
  },
  schedule: {
    inputs: Array.from({ length: N }, (_, i) => ({ agent_id: 'agent_pace', contact_number: `+91 98${String(i).padStart(8, '0')}` })),
    invalid: [
      { agent_id: 'agent_pace', contact_number: '+1 415 555 0100' },
      { agent_id: 'agent_pace', contact_number: '98765 43210' },
      { contact_number: '+919876543210' },
      { agent_id: 'agent_pace', contact_number: '+919876543210', contact_email: 'asha@' },
      { agent_id: 'agent_pace', contact_number: '+919876543210', additional_info: '[1]' },
    ],
    run: scheduleCalls,
    options: { runId: 'pace-bench' },
  },
};
const op = OPS[OP];
if (!op) throw new Error(`--op get or schedule; got ${OP}`);

const seedCalls = OP === 'get' ? op.inputs.map((call_id, i) => ({ call_id, status: i % 2 ? 'completed' : 'queued' })) : [];
const sb = await startSandbox({ args: ['--api-key', KEY, '--rate-limit', `${LIMIT}/60s`], seed: { calls: seedCalls } });
try {
  const minimumMs = Math.floor((N - 1) / LIMIT) * WINDOW_MS;
  log(`${N} at ${LIMIT}/min (minimum ${minimumMs / 1000} s) ...`);
  const t0 = performance.now();
  const out = await op.run(op.inputs, { apiKey: KEY, baseUrl: sb.url, ...op.options });
  const ms = performance.now() - t0;
  const stats = await sb.stats();
  const outcomes = {};
  for (const o of out) outcomes[o.outcome] = (outcomes[o.outcome] ?? 0) + 1;
  const perItem = OP === 'schedule' ? out.map((o) => stats.calls_created_by_key[o.idempotencyKey] ?? 0) : null;

  await sb.config({ rate_limit: null });
  const before = (await sb.stats()).requests_total;
  const mixed = await op.run([...op.invalid, op.inputs[0]], { apiKey: KEY, baseUrl: sb.url, requestsPerMinute: 0, ...op.options });
  const invalidRequests = (await sb.stats()).requests_total - before - 1;

  const result = {
    operation: OP,
    n: N,
    limit: `${LIMIT}/60s`,
    outcomes,
    ...(perItem ? { callsCreated: stats.calls_created, callsPerItemMin: Math.min(...perItem), callsPerItemMax: Math.max(...perItem) } : {}),
    rateLimited: stats.rate_limited_total,
    requests: stats.requests_total,
    maxInWindow: stats.max_in_window,
    ms: Math.round(ms),
    minimumMs,
    overMinimumPct: minimumMs ? Number((((ms - minimumMs) / minimumMs) * 100).toFixed(2)) : null,
    invalidInputs: op.invalid.length,
    invalidOutcomes: mixed.slice(0, op.invalid.length).map((o) => o.outcome),
    requestsForInvalidInputs: invalidRequests,
  };
  const calls = perItem ? `, calls per item ${result.callsPerItemMin}..${result.callsPerItemMax}` : '';
  log(`${JSON.stringify(outcomes)}${calls}, ${result.rateLimited} × 429, ${result.requests} requests, at most ${result.maxInWindow} in a window, ${(ms / 1000).toFixed(1)} s against ${minimumMs / 1000} s (+${result.overMinimumPct} %); ${op.invalid.length} invalid inputs cost ${invalidRequests} requests`);
  if (args.includes('--json')) console.log(JSON.stringify(result));
  else console.table([result]);
} finally {
  await sb.stop();
}
