// The Node client (cancelCalls: the core's run engine, the shared driver loop, node:http keep-alive)
// against the plain-Node keep-alive floor (bench/floor.mjs) in the same run.
//
//   node bench/client.bench.mjs [--n 2000] [--concurrency 20] [--latency-ms 20] [--big 10000]
//                               [--rounds 3] [--node BIN] [--json]
//
// 1. Speed at the floor: N ids, concurrency C, the sandbox adding L ms to every answer, no
//    pacing (requestsPerMinute 0). The floor and the client run alternately in fresh processes
//    of the same Node, R rounds; the medians and their ratio are reported.
// 2. Cost per id: BIG ids at 0 ms latency (the client's own cost shows): total time and per id,
//    then the same run with Run.prototype.poll/respond wrapped to time the engine's share.
// Prints a table, or with --json one JSON object.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(HERE, '..');
const KEY = 'sk_test_sandbox';
const PREFIX = 'bench_';

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : def;
};

// ---------------------------------------------------------------------------------------------
// Child mode: one cancelCalls run, its figures as one JSON line.
if (opt('--child') !== undefined) {
  const require = createRequire(import.meta.url);
  const core = require(path.join(ROOT, 'packages', 'huskyvoice-core'));
  const n = Number(opt('--n'));
  const concurrency = Number(opt('--concurrency'));
  const engine = { poll: 0, respond: 0, polls: 0, responds: 0 };
  if (argv.includes('--time-engine')) {
    for (const method of ['poll', 'respond']) {
      const original = core.Run.prototype[method];
      core.Run.prototype[method] = function timed(...args) {
        const t = performance.now();
        try {
          return original.apply(this, args);
        } finally {
          engine[method] += performance.now() - t;
          engine[`${method}s`]++;
        }
      };
    }
  }
  const ids = Array.from({ length: n }, (_, i) => `${PREFIX}${i}`);
  const t0 = performance.now();
  const outcomes = await core.cancelCalls(ids, { apiKey: KEY, baseUrl: opt('--url'), requestsPerMinute: 0, concurrency });
  const ms = performance.now() - t0;
  console.log(JSON.stringify({
    n,
    concurrency,
    ms: Number(ms.toFixed(1)),
    callsPerSec: Number((n / (ms / 1000)).toFixed(1)),
    cancelled: outcomes.filter((o) => o.cancelled).length,
    requests: outcomes.reduce((s, o) => s + o.attempts, 0),
    engineMs: argv.includes('--time-engine') ? Number((engine.poll + engine.respond).toFixed(1)) : null,
    engine,
    maxRssKb: process.resourceUsage().maxRSS,
    node: process.version,
  }));
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Orchestrator.
const { startSandbox } = await import(path.join(ROOT, 'tests', 'helpers', 'sandbox.mjs'));
const N = Number(opt('--n', 2000));
const C = Number(opt('--concurrency', 20));
const LATENCY = Number(opt('--latency-ms', 20));
const BIG = Number(opt('--big', 10_000));
const ROUNDS = Number(opt('--rounds', 3));
const NODE = opt('--node', process.execPath);
const JSON_OUT = argv.includes('--json');
const log = (line) => {
  if (!JSON_OUT) process.stderr.write(`[client bench] ${line}\n`);
};

function nodeJson(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop();
      if (code !== 0 || !line) return reject(new Error(`${path.basename(args[0])} exited ${code}: ${err.trim()}`));
      resolve(JSON.parse(line));
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const sb = await startSandbox({
  args: ['--no-log'],
  seed: { calls: Array.from({ length: Math.max(N, BIG) }, (_, i) => ({ call_id: `${PREFIX}${i}` })) },
});
const loadStart = os.loadavg()[0];
const results = { meta: { node: null, cpus: os.cpus().length, loadavgStart: Number(loadStart.toFixed(2)) } };
try {
  async function measure(kind, n, latencyMs, extra = []) {
    await sb.reset();
    await sb.config({ latency_ms: latencyMs, log_requests: false });
    const args =
      kind === 'floor'
        ? [path.join(HERE, 'floor.mjs'), '--url', sb.url, '--n', String(n), '--concurrency', String(C), '--prefix', PREFIX]
        : [fileURLToPath(import.meta.url), '--child', 'client', '--url', sb.url, '--n', String(n), '--concurrency', String(C), ...extra];
    const r = await nodeJson(args);
    const stats = await sb.stats();
    if (r.cancelled !== n) throw new Error(`${kind}: ${r.cancelled} of ${n} cancelled`);
    results.meta.node ??= r.node;
    return { ...r, sandboxRequests: stats.requests_total, peakInFlight: stats.peak_in_flight };
  }

  // 1. The floor and the client side by side, alternating which goes first.
  const floorRuns = [];
  const clientRuns = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 ? ['floor', 'client'] : ['client', 'floor'];
    for (const kind of order) {
      const r = await measure(kind, N, LATENCY);
      (kind === 'floor' ? floorRuns : clientRuns).push(r);
      log(`round ${round}/${ROUNDS} ${kind}: N=${N} c${C} ${LATENCY} ms: ${r.ms} ms, ${r.callsPerSec} calls/s, peak in flight ${r.peakInFlight}`);
    }
  }
  const floorCps = median(floorRuns.map((r) => r.callsPerSec));
  const clientCps = median(clientRuns.map((r) => r.callsPerSec));
  results.floor = {
    n: N,
    concurrency: C,
    latencyMs: LATENCY,
    rounds: ROUNDS,
    floorCallsPerSec: floorCps,
    clientCallsPerSec: clientCps,
    ratio: Number((clientCps / floorCps).toFixed(3)),
    ratios: clientRuns.map((r, i) => Number((r.callsPerSec / floorRuns[i].callsPerSec).toFixed(3))),
    floorRuns,
    clientRuns,
  };
  log(`client/floor = ${(results.floor.ratio * 100).toFixed(1)} % (medians ${clientCps} / ${floorCps} calls/s)`);

  // 2. BIG ids at 0 ms: total and per id, then the engine's share (poll/respond timed).
  const plain = [];
  const timed = [];
  const floorBig = [];
  for (let round = 1; round <= ROUNDS; round++) {
    plain.push(await measure('client', BIG, 0));
    timed.push(await measure('client', BIG, 0, ['--time-engine']));
    floorBig.push(await measure('floor', BIG, 0));
    const p = plain.at(-1);
    const t = timed.at(-1);
    log(`round ${round}/${ROUNDS} N=${BIG} 0 ms: client ${p.ms} ms (${((p.ms * 1000) / BIG).toFixed(1)} µs/id), engine ${((t.engineMs * 1000) / BIG).toFixed(1)} µs/job, floor ${floorBig.at(-1).ms} ms`);
  }
  const perId = median(plain.map((r) => (r.ms * 1000) / BIG));
  const enginePerJob = median(timed.map((r) => (r.engineMs * 1000) / BIG));
  const floorPerId = median(floorBig.map((r) => (r.ms * 1000) / BIG));
  results.big = {
    n: BIG,
    concurrency: C,
    latencyMs: 0,
    rounds: ROUNDS,
    clientMs: median(plain.map((r) => r.ms)),
    clientUsPerId: Number(perId.toFixed(1)),
    engineUsPerJob: Number(enginePerJob.toFixed(1)),
    engineShare: Number((enginePerJob / median(timed.map((r) => (r.ms * 1000) / BIG))).toFixed(3)),
    pollUsPerJob: Number(median(timed.map((r) => (r.engine.poll * 1000) / BIG)).toFixed(1)),
    respondUsPerJob: Number(median(timed.map((r) => (r.engine.respond * 1000) / BIG)).toFixed(1)),
    floorMs: median(floorBig.map((r) => r.ms)),
    floorUsPerId: Number(floorPerId.toFixed(1)),
    clientMaxRssMb: Number((median(plain.map((r) => r.maxRssKb)) / 1024).toFixed(1)),
    plain,
    timed,
    floorRuns: floorBig,
  };
} finally {
  await sb.stop();
}
results.meta.loadavgEnd = Number(os.loadavg()[0].toFixed(2));

if (JSON_OUT) {
  console.log(JSON.stringify(results));
} else {
  const f = results.floor;
  const b = results.big;
  const rows = [
    ['measure', 'client', 'floor', 'client/floor'],
    [`calls/s, N=${f.n}, c${f.concurrency}, ${f.latencyMs} ms latency`, String(f.clientCallsPerSec), String(f.floorCallsPerSec), `${(f.ratio * 100).toFixed(1)} %`],
    [`total, N=${b.n}, c${b.concurrency}, 0 ms`, `${b.clientMs} ms`, `${b.floorMs} ms`, `${((b.floorMs / b.clientMs) * 100).toFixed(1)} %`],
    ['per id, 0 ms', `${b.clientUsPerId} µs`, `${b.floorUsPerId} µs`, ''],
    ['engine per job (poll + respond)', `${b.engineUsPerJob} µs (${(b.engineShare * 100).toFixed(1)} %)`, '', ''],
    ['  of which poll / respond', `${b.pollUsPerJob} / ${b.respondUsPerJob} µs`, '', ''],
    ['client peak RSS, N=' + b.n, `${b.clientMaxRssMb} MB`, '', ''],
  ];
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  console.log(rows.map((r) => r.map((cell, c) => cell.padEnd(w[c])).join('  ').trimEnd()).join('\n'));
  console.log(`medians of ${f.rounds} rounds; Node ${results.meta.node}; ${results.meta.cpus} CPUs; load ${results.meta.loadavgStart} -> ${results.meta.loadavgEnd}`);
}
