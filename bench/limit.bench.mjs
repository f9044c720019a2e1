// Under HuskyVoice's documented limit: 300 cancels against a sandbox that enforces 60 requests
// per sliding minute per API key (`--rate-limit 60/60s`), in real n8n 2.41.1, the vendor's
// HTTP Request recipe vs the HuskyVoice node, both at their defaults. Reports, per contender:
// calls cancelled (the sandbox's own record), items failed, 429s received, and the time against
// the least the limit allows (the 300th request can go no sooner than 4 minutes after the 1st).
//   node bench/limit.bench.mjs [--calls 300] [--json]        (about 6 minutes)
import { buildAndPackNode } from '../tests/e2e/lib/pack.mjs';
import { CANCEL_NODE, executeMeasured, setup, workflow } from './lib/setup.mjs';

const args = process.argv.slice(2);
const CALLS = args.includes('--calls') ? Number(args[args.indexOf('--calls') + 1]) : 300;
const LIMIT = 60;
const WINDOW_MS = 60_000;
const log = (m) => process.stderr.write(`[limit] ${m}\n`);

const minimumMs = Math.floor((CALLS - 1) / LIMIT) * WINDOW_MS;
const node = await buildAndPackNode({ onProgress: log });
if (node.skipped) throw new Error(node.skipped);
const specs = [
  { contender: 'recipe', wf: (url) => workflow({ kind: 'recipe', n: CALLS, sandboxUrl: url }) },
  { contender: 'node', wf: (url) => workflow({ kind: 'node', n: CALLS, paced: true, sandboxUrl: url }) },
];
const ctx = await setup({
  tarball: node.tarball,
  maxN: CALLS,
  sandboxArgs: ['--rate-limit', `${LIMIT}/60s`],
  workflows: (url) => specs.map((s) => s.wf(url)),
  onProgress: log,
});
const rows = [];
try {
  for (const s of specs) {
    const id = s.wf(ctx.sandbox.url).id;
    log(`${s.contender}: ${CALLS} cancels at ${LIMIT}/min ...`);
    const r = await executeMeasured(ctx, id, { timeoutMs: minimumMs + 600_000 });
    const stats = await ctx.sandbox.stats();
    const calls = await (await fetch(`${ctx.sandbox.url}/__sandbox/calls`)).json();
    const cancelled = calls.calls.filter((c) => c.status === 'cancelled').length;
    const items = r.items ?? [];
    const failed = r.status === 'success'
      ? items.filter((i) => i.json?.error !== undefined || (i.json?.outcome && i.json.outcome !== 'cancelled')).length
      : CALLS - cancelled;
    const row = {
      contender: s.contender,
      status: r.status,
      cancelled,
      failed,
      rateLimited: stats.rate_limited_total,
      requests: stats.requests_total,
      maxInWindow: stats.max_in_window,
      cancelStepMs: r.cancelMs,
      wallMs: r.wallMs,
      minimumMs,
      error: r.cancelError?.message ?? null,
    };
    rows.push(row);
    log(`${s.contender}: ${row.status}, ${cancelled} cancelled, ${failed} failed, ${row.rateLimited} × 429, ${row.requests} requests, cancel step ${Math.round((row.cancelStepMs ?? 0) / 1000)} s (minimum ${minimumMs / 1000} s)`);
  }
} finally {
  await ctx.close();
}
const result = { calls: CALLS, limit: `${LIMIT}/60s`, minimumMs, rows, cancelNode: CANCEL_NODE };
if (args.includes('--json')) console.log(JSON.stringify(result));
else console.table(rows);
