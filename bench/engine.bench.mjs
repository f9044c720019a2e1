// The run engine's own cost per job in WebAssembly, next to the native figure: 100,000 cancels
// through Run.poll / Run.respond with every answer a 200 "cancelled" (no network, no pacing,
// concurrency 20), then Run.report. Measured twice: the bare loop (the engine and its boundary
// only), and through drive() with a transport that answers at once (the shared driver's own
// overhead added). Median of --runs.
//   node bench/engine.bench.mjs [--jobs 100000] [--runs 5] [--json]
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const arg = (name, def) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : def);
const JOBS = arg('--jobs', 100_000);
const RUNS = arg('--runs', 5);
const { Run, Pacers } = require(path.join(ROOT, 'packages/huskyvoice-core/embedded/huskyvoice_core.js'));
const { drive } = require(path.join(ROOT, 'packages/huskyvoice-core/pkg/driver.js'));

const BODY = '{"success":true,"status":"cancelled","message":"Call has been successfully cancelled."}';
const plan = () => ({
  concurrency: 20,
  requestsPerMinute: 0,
  stopOnFailure: false,
  credentials: [{ via: 'rest', key: 'bench', apiKey: 'sk_test_bench_key', baseUrl: 'http://127.0.0.1:4010' }],
  jobs: Array.from({ length: JOBS }, (_, i) => ({ callId: `call_${i}` })),
});
const ANSWER = { statusCode: 200, retryAfter: null, body: BODY };

function bare() {
  const run = new Run(plan(), new Pacers());
  const inFlight = [];
  for (;;) {
    const step = run.poll(0);
    if (step.kind === 'send') inFlight.push(step.ticket);
    else if (step.kind === 'done') break;
    else for (const t of inFlight.splice(0)) run.respond(t, ANSWER, 0);
  }
  const report = run.report();
  run.free();
  return report.summary.succeeded;
}

async function driven() {
  const run = new Run(plan(), new Pacers());
  const report = await drive(run, {
    send: async () => ANSWER,
    sleep: async () => {},
    now: () => 0,
  });
  run.free();
  return report.summary.succeeded;
}

async function measure(fn) {
  await fn();
  const times = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const n = await fn();
    times.push(performance.now() - t0);
    if (n !== JOBS) throw new Error(`expected ${JOBS} cancelled, got ${n}`);
  }
  times.sort((a, b) => a - b);
  return Number(((times[Math.floor(times.length / 2)] * 1000) / JOBS).toFixed(3));
}

function native() {
  try {
    const out = execFileSync('cargo', ['run', '--release', '-q', '-p', 'huskyvoice-core', '--example', 'engine_speed', '--', '--json'],
      { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return JSON.parse(out.trim().split('\n').pop());
  } catch {
    return null;
  }
}

const result = { jobs: JOBS, runs: RUNS, node: process.version, wasmBareMicros: await measure(bare), wasmDrivenMicros: await measure(driven), native: native() };
if (args.includes('--json')) console.log(JSON.stringify(result));
else {
  console.log(`run engine, ${JOBS} jobs, median of ${RUNS}, Node ${process.version}`);
  console.log(`  WASM, poll/respond loop: ${result.wasmBareMicros} µs per job (engine + boundary + report)`);
  console.log(`  WASM, through drive():   ${result.wasmDrivenMicros} µs per job (+ the driver loop and its promises)`);
  if (result.native) console.log(`  native (cargo example engine_speed): ${result.native.perJobMicros} µs per job, ${result.native.perJobWithReportMicros} with the report`);
}
