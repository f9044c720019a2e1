// getCalls at HuskyVoice's documented limit: N gets (default 100) through the Node client against
// a sandbox that enforces 60 requests per sliding minute per API key (`--rate-limit 60/60s`),
// with the client's default pacing (60/min). Reports calls found, 429s the sandbox answered,
// the most requests one window held, and the time against the least the limit allows (request
// 61 can go no sooner than one window after request 1). Then the same ids plus invalid ones:
// how many requests the invalid ids cost (must be 0).
//   node bench/get-pace.bench.mjs [--n 100] [--json]        (about 1 minute per 60 gets past the first 60)
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startSandbox } from '../tests/helpers/sandbox.mjs';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const { getCalls } = createRequire(import.meta.url)(path.join(ROOT, 'packages', 'huskyvoice-core'));

const args = process.argv.slice(2);
const N = args.includes('--n') ? Number(args[args.indexOf('--n') + 1]) : 100;
const LIMIT = 60;
const WINDOW_MS = 60_000;
const KEY = 'sk_test_getPaceBench';
const INVALID = ['call/../x', 'call abc', '', 'call_%2F', 'x'.repeat(129)];
const log = (m) => process.stderr.write(`[get-pace] ${m}\n`);

const ids = Array.from({ length: N }, (_, i) => `call_pace_${String(i).padStart(4, '0')}`);
const sb = await startSandbox({
  args: ['--api-key', KEY, '--rate-limit', `${LIMIT}/60s`],
  seed: { calls: ids.map((call_id, i) => ({ call_id, status: i % 2 ? 'completed' : 'queued' })) },
});
try {
  const minimumMs = Math.floor((N - 1) / LIMIT) * WINDOW_MS;
  log(`${N} gets at ${LIMIT}/min (minimum ${minimumMs / 1000} s) ...`);
  const t0 = performance.now();
  const out = await getCalls(ids, { apiKey: KEY, baseUrl: sb.url });
  const ms = performance.now() - t0;
  const stats = await sb.stats();
  const outcomes = {};
  for (const o of out) outcomes[o.outcome] = (outcomes[o.outcome] ?? 0) + 1;

  await sb.config({ rate_limit: null });
  const before = (await sb.stats()).requests_total;
  const mixed = await getCalls([...INVALID, ids[0]], { apiKey: KEY, baseUrl: sb.url, requestsPerMinute: 0 });
  const invalidRequests = (await sb.stats()).requests_total - before - 1;

  const result = {
    gets: N,
    limit: `${LIMIT}/60s`,
    outcomes,
    rateLimited: stats.rate_limited_total,
    requests: stats.requests_total,
    maxInWindow: stats.max_in_window,
    ms: Math.round(ms),
    minimumMs,
    overMinimumPct: minimumMs ? Number((((ms - minimumMs) / minimumMs) * 100).toFixed(2)) : null,
    invalidIds: INVALID.length,
    invalidOutcomes: mixed.slice(0, INVALID.length).map((o) => o.outcome),
    requestsForInvalidIds: invalidRequests,
  };
  log(`${result.outcomes.found ?? 0} found, ${result.rateLimited} × 429, ${result.requests} requests, at most ${result.maxInWindow} in a window, ${(ms / 1000).toFixed(1)} s against ${minimumMs / 1000} s (+${result.overMinimumPct} %); ${INVALID.length} invalid ids cost ${invalidRequests} requests`);
  if (args.includes('--json')) console.log(JSON.stringify(result));
  else console.table([result]);
} finally {
  await sb.stop();
}
