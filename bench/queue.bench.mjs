#!/usr/bin/env node
// Queue mode: one worker vs two (issue 14). Real n8n 2.41.1 in queue mode (main + workers,
// PostgreSQL, Redis; tests/queue/lib), the packed node, a published Webhook → Cancel Call
// workflow, the sandbox without a rate limit and the node's pacing off (Requests per Minute 0).
// N webhook-triggered cancels, W at a time from the client, first through one worker, then
// through two (a second worker is started on the same cluster). Each stage is warmed up first.
//
//   node bench/queue.bench.mjs                 1,000 cancels per stage, 20 at a time
//   node bench/queue.bench.mjs --n 200 --width 10
//   node bench/queue.bench.mjs --write         also (re)writes the section in BENCHMARKS.md
//
// BENCHMARKS.md is otherwise rendered by bench/report.mjs, which does not know this section:
// after `npm run bench`, run this again with --write.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureN8n } from '../tests/e2e/lib/n8n.mjs';
import { buildAndPackNode, REPO_ROOT } from '../tests/e2e/lib/pack.mjs';
import { cancelWorkflow, percentile, pool, postJson, startCluster } from '../tests/queue/lib/cluster.mjs';
import {
  ensureDebianPackages, postgresBinDir, redisServerBin, startPostgres, startRedis, stopAll, tempRoot,
} from '../tests/queue/lib/services.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const N = opt('n', 1000);
const WIDTH = opt('width', 20);
const CONCURRENCY = opt('concurrency', 5);
const WARMUP = 40;
const WRITE = args.includes('--write');
const say = (m) => process.stderr.write(`[queue-bench] ${m}\n`);
const HEADING = '## Queue mode: one worker vs two';

const cred = { id: 'hvBenchQueue', name: 'HuskyVoice sandbox (bench)', type: 'huskyVoiceApi' };

async function stage(cluster, sandbox, label, n) {
  const url = cluster.webhookUrl('hv-bench-queue');
  const mk = (prefix, count) => Array.from({ length: count }, (_, i) => `${prefix}_${String(i).padStart(5, '0')}`);
  const warm = mk(`bw_${label}`, WARMUP);
  const ids = mk(`bq_${label}`, n);
  await sandbox.addCalls([...warm, ...ids].map((call_id) => ({ call_id, status: 'queued' })));
  await pool(warm, WIDTH, (id) => postJson(url, { call_id: id }, { timeoutMs: 120_000 }));
  const before = cluster.workers.filter((w) => !w.killed).map((w) => w.started().length);
  const t0 = performance.now();
  const answers = await pool(ids, WIDTH, (id) => postJson(url, { call_id: id }, { timeoutMs: 120_000 }));
  const ms = performance.now() - t0;
  const ok = answers.filter((a, i) => a.status === 200 && a.body?.callId === ids[i] && a.body?.outcome === 'cancelled').length;
  const per = cluster.workers.filter((w) => !w.killed).map((w, i) => w.started().length - before[i]);
  const times = answers.map((a) => a.ms);
  return {
    workers: per.length,
    n,
    seconds: ms / 1000,
    perSecond: n / (ms / 1000),
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    failed: n - ok,
    perWorker: per,
  };
}

function table(rows) {
  const lines = [
    '| workers (concurrency 5 each) | cancels | wall time | calls/s | p50 answer | p95 answer | failed | executions per worker |',
    '|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.workers} | ${r.n} | ${r.seconds.toFixed(1)} s | ${r.perSecond.toFixed(1)} | ${Math.round(r.p50)} ms | ${Math.round(r.p95)} ms | ${r.failed} | ${r.perWorker.join(' / ')} |`);
  }
  return lines.join('\n');
}

function section(rows, meta) {
  const [one, two] = rows;
  const ratio = two && one ? (two.perSecond / one.perSecond).toFixed(2) : '?';
  return `${HEADING}

${N.toLocaleString('en-US')} webhook-triggered cancels per row, ${WIDTH} at a time from the client, through n8n ${meta.n8n} in queue
mode (main + workers, PostgreSQL ${meta.pg}, Redis ${meta.redis}, all on this ${meta.cores}-core machine), workflow
Webhook → HuskyVoice › Cancel Call (answers with the item), sandbox without a rate limit, node option
Requests per Minute 0 (no pacing). Each row after a ${WARMUP}-call warm-up; the second worker joins the
same cluster for row 2. An answer's time runs from the webhook request to its answer (queueing in Redis
included). 5-minute load average at the end of the run: ${meta.load} (other jobs shared the machine when it is above ${meta.cores}).

${table(rows)}

Two workers: ${ratio}× the calls per second of one. On 2 cores the processes (main, workers and their
task runners, PostgreSQL, Redis, sandbox, client) share the CPUs, so a second worker on the same
machine adds little; on separate machines each worker brings its own cores. Per call the work is
n8n's (webhook, enqueue, execution rows in PostgreSQL, result back to main), not the node's.

\`\`\`sh
node bench/queue.bench.mjs --write     # ${meta.minutes} min here; --n 200 for a quick run
\`\`\`

This section is written by \`bench/queue.bench.mjs --write\`, not by \`bench/report.mjs\`.
`;
}

function writeSection(text) {
  const file = path.join(REPO_ROOT, 'BENCHMARKS.md');
  let md = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const at = md.indexOf(HEADING);
  if (at >= 0) {
    const next = md.indexOf('\n## ', at + HEADING.length);
    md = md.slice(0, at) + text + (next >= 0 ? md.slice(next + 1) : '');
  } else {
    md = `${md.replace(/\s*$/, '')}\n\n${text}`;
  }
  fs.writeFileSync(file, md);
  say(`wrote the section "${HEADING.slice(3)}" in ${file}`);
}

const t0 = performance.now();
let sandbox;
let cluster;
try {
  const n8n = await ensureN8n({ version: '2.41.1' });
  const node = await buildAndPackNode({ onProgress: say });
  if (node.skipped) throw new Error(node.skipped);
  await ensureDebianPackages({ onProgress: say });
  const root = await tempRoot('huskyvoice-queue-bench-');
  const redis = await startRedis(root);
  const postgres = await startPostgres(root);
  const { startSandbox } = await import(pathToFileURL(path.join(REPO_ROOT, 'tests', 'helpers', 'sandbox.mjs')).href);
  sandbox = await startSandbox({ args: ['--no-log'] });
  const wf = cancelWorkflow({ id: 'hvQueueBench01', name: 'HuskyVoice queue bench', webhookPath: 'hv-bench-queue', credential: cred, options: { requestsPerMinute: 0 } });
  say('starting n8n main + 1 worker');
  cluster = await startCluster({
    n8n, tarball: node.tarball, root, redis, postgres, workers: 1, concurrency: CONCURRENCY,
    credentials: [{ ...cred, data: { apiKey: 'sk_test_sandbox', baseUrl: sandbox.url } }],
    workflows: [wf],
    // As in tests/queue/queue.test.mjs: completed jobs stay in Redis a while, so main's wait for a
    // job that finished very fast cannot miss it (one webhook answer never came without this).
    env: { N8N_EXECUTIONS_QUEUE_KEEP_LAST_COMPLETED: '1000', N8N_EXECUTIONS_QUEUE_KEEP_LAST_FAILED: '1000' },
  });
  const rows = [];
  say(`1 worker: ${N} cancels, ${WIDTH} at a time`);
  rows.push(await stage(cluster, sandbox, 'w1', N));
  say(JSON.stringify(rows[0]));
  say('starting a second worker');
  await cluster.startWorker();
  say(`2 workers: ${N} cancels, ${WIDTH} at a time`);
  rows.push(await stage(cluster, sandbox, 'w2', N));
  say(JSON.stringify(rows[1]));
  const version = (bin, flag, re) => (spawnSync(bin, [flag], { encoding: 'utf8' }).stdout?.match(re) ?? [])[1] ?? '?';
  const meta = {
    n8n: n8n.version,
    pg: version(path.join(postgresBinDir(), 'postgres'), '--version', /(\d+\.\d+)/),
    redis: version(redisServerBin(), '--version', /v=(\d+\.\d+\.\d+)/),
    cores: os.cpus().length,
    load: os.loadavg()[1].toFixed(1),
    minutes: Math.max(1, Math.round((performance.now() - t0) / 60000)),
  };
  const text = section(rows, meta);
  process.stdout.write(`\n${text}\n`);
  if (rows.some((r) => r.failed)) process.exitCode = 1;
  if (WRITE) writeSection(text);
  if (!process.env.HUSKYVOICE_E2E_TARBALL) fs.rmSync(path.dirname(node.tarball), { recursive: true, force: true });
} catch (e) {
  say(`FAILED: ${e.message}`);
  process.exitCode = 1;
} finally {
  await cluster?.stop().catch(() => {});
  await sandbox?.stop().catch(() => {});
  await stopAll();
  say(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
