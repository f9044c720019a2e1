// `npm run bench`: every benchmark of issue 6 in one run, written to BENCHMARKS.md and
// bench/results.json.
//
//   1. real n8n 2.41.1: Manual Trigger -> Code node making N items -> the cancel step, the vendor's
//      recipe (HTTP Request 4.2 + Header Auth, defaults) vs the HuskyVoice node at concurrency 5
//      and 20, N = 1,000 and 10,000, sandbox latency 0 and 20 ms; plus "one 404 among 10 items";
//   2. the floor: a plain Node script, keep-alive, same concurrency, N and latency;
//   3. the core: validate + build + interpret per item, WASM (bench/core.bench.mjs) vs plain
//      TypeScript (bench/plain-ts/), at 1, 1,000 and 100,000 items; cold load; sizes;
//   4. scaling: the node at 100 ... 100,000 items;
//   5. the run engine's own cost per job, native and WASM (bench/engine.bench.mjs), and the cost
//      of verifying one signed 2 KB call event, WASM, plain Node and native (bench/events.bench.mjs);
//   6. under HuskyVoice's documented limit (60/min per key): 300 cancels, the recipe vs the node
//      (bench/limit.bench.mjs, about 6 minutes).
// Every figure is the median of --runs runs; runs of different contenders are interleaved
// (round 1 of everything, then round 2, ...) so a change in the machine's load hits all alike.
//
// Options:
//   --runs N        runs per figure (default 3; --quick: 1)
//   --quick         smoke run, about 3 minutes: N = 1,000 only, scaling to 1,000, fewer core runs
//   --only LIST     comma-separated sections: n8n,floor,reliability,scaling,core,engine,events,limit,client (default: all)
//   --no-build      pack n8n-node/ as built (no `npm run build`); HUSKYVOICE_E2E_TARBALL=x.tgz also works
//   --out DIR       where BENCHMARKS.md goes (default: the repository root); results.json goes to bench/
//                   unless --out is given (then DIR/results.json)
//   --no-profile    skip the CPU profiles of the node and of the recipe (bench/profile.mjs), made
//                   by default except with --quick (--profile makes them in a quick run too)
//   --no-profile-recipe  profile the node only
//   --keep          keep the n8n instance folder (printed)

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildAndPackNode } from '../tests/e2e/lib/pack.mjs';
import { ensureN8n, run } from '../tests/e2e/lib/n8n.mjs';
import { median } from './lib/measure.mjs';
import {
  CALL_PREFIX, executeMeasured, MISSING_ID, N8N_VERSION, REPO_ROOT, setup, workflow,
} from './lib/setup.mjs';
import { renderMarkdown, writeBenchmarks } from './report.mjs';
import { computeRatios, computeTargets } from './lib/targets.mjs';

// ---------------------------------------------------------------------------------------------
// options

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name, def) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : def;
};
const QUICK = flag('--quick');
const RUNS = Math.max(1, Number(value('--runs', QUICK ? 1 : 3)));
const ONLY = new Set(String(value('--only', 'n8n,floor,reliability,scaling,core,engine,events,limit,client')).split(',').map((s) => s.trim()));
const OUT_DIR = path.resolve(value('--out', REPO_ROOT));
const RESULTS_FILE = flag('--out') ? path.join(OUT_DIR, 'results.json') : path.join(REPO_ROOT, 'bench', 'results.json');
const MD_FILE = path.join(OUT_DIR, 'BENCHMARKS.md');
if (flag('--keep')) process.env.HUSKYVOICE_E2E_KEEP = '1';
if (flag('--no-build')) process.env.HUSKYVOICE_E2E_SKIP_BUILD = '1';

const NS = QUICK ? [1000] : [1000, 10_000];
const LATENCIES = [0, 20];
const CONCURRENCIES = [5, 20];
const SCALING_NS = QUICK ? [100, 1000] : [100, 1000, 10_000, 100_000];
const SCALING_CONCURRENCY = 20;
const CORE_SIZES = [1, 1000, 100_000];
// Runs inside one core measurement (median taken by the benchmark script itself).
const CORE_INNER_RUNS = QUICK ? { 1: 101, 1000: 11, 100000: 1 } : { 1: 501, 1000: 51, 100000: 7 };
const COLD_LOAD_RUNS = QUICK ? 3 : 9;
const RELIABILITY_N = 10;
const PROFILE_N = 2000;
const RELIABILITY_MISSING_AT = 4;

const t0 = Date.now();
const log = (msg) => process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);

/** Execution timeout: generous, but bounded, so one stuck run cannot hang the benchmark. */
function timeoutFor(n, latencyMs) {
  return Math.min(900_000, 120_000 + n * (latencyMs > 0 ? 12 : 6));
}

// ---------------------------------------------------------------------------------------------
// facts about the machine and versions

function tryText(cmd, args, opts = {}) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], ...opts }).trim();
  } catch {
    return null;
  }
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGb: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    distro: (() => {
      try {
        return /PRETTY_NAME="([^"]+)"/.exec(fs.readFileSync('/etc/os-release', 'utf8'))?.[1] ?? null;
      } catch {
        return null;
      }
    })(),
  };
}

function gitInfo() {
  const commit = tryText('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT });
  const dirty = tryText('git', ['status', '--porcelain', '--', 'n8n-node', 'crates', 'packages'], { cwd: REPO_ROOT });
  return { commit, dirty: Boolean(dirty) };
}

// ---------------------------------------------------------------------------------------------
// helpers

const kb2mb = (kb) => (kb == null ? null : Number((kb / 1024).toFixed(1)));

function summariseN8nRun(r, n) {
  const items = r.items ?? [];
  let cancelled = 0;
  for (const it of items) {
    const j = it.json ?? {};
    if (j.outcome === 'cancelled' || (j.outcome === undefined && j.status === 'cancelled')) cancelled++;
  }
  return {
    ok: r.ok && items.length === n,
    status: r.status,
    timedOut: r.timedOut,
    cancelMs: r.cancelMs,
    wallMs: Number(r.wallMs.toFixed(0)),
    codeMs: r.codeMs,
    callsPerSec: r.cancelMs ? Number((n / (r.cancelMs / 1000)).toFixed(1)) : null,
    perItemMs: r.cancelMs ? Number((r.cancelMs / n).toFixed(4)) : null,
    peakTreeRssMb: kb2mb(r.peakTreeRssKb),
    peakProcessRssMb: kb2mb(r.peakProcessRssKb),
    cpuMs: r.cpuMs,
    processes: r.processes,
    requests: r.requests,
    peakInFlight: r.peakInFlight,
    outputItems: items.length,
    cancelled,
    load1: Number(os.loadavg()[0].toFixed(2)),
    error: r.ok ? undefined : (r.cancelError?.message ?? r.data?.data?.resultData?.error?.message
      ?? (r.timedOut ? 'timed out' : `exit ${r.code}: ${(r.stderr || r.stdout).split('\n').filter(Boolean).slice(-3).join(' | ')}`)),
  };
}

function medianOf(runs, keys) {
  const good = runs.filter((r) => r.ok);
  const use = good.length ? good : runs;
  const out = { runs: runs.length, okRuns: good.length };
  for (const k of keys) out[k] = median(use.map((r) => r[k]));
  return out;
}

const N8N_KEYS = ['cancelMs', 'wallMs', 'codeMs', 'callsPerSec', 'perItemMs', 'peakTreeRssMb', 'peakProcessRssMb', 'cpuMs', 'requests', 'peakInFlight', 'load1'];

/**
 * Runs a script with the benchmark's Node (asynchronously: the event loop must keep serving the
 * sandbox's pooled connections meanwhile), returns its last JSON line.
 */
async function nodeJson(nodeBin, args, { timeoutMs = 600_000 } = {}) {
  const r = await run(nodeBin, args, { cwd: REPO_ROOT, timeoutMs });
  const line = (r.stdout ?? '').trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`${path.basename(args[0])} ${args.slice(1).join(' ')} printed no JSON (exit ${r.code}${r.timedOut ? ', timed out' : ''}): ${(r.stderr || '').slice(-800)}`);
  return JSON.parse(line);
}

// ---------------------------------------------------------------------------------------------
// sections

async function runN8nSections(results, { tarball, nodeBin }) {
  const wantN8n = ONLY.has('n8n');
  const wantFloor = ONLY.has('floor');
  const wantScaling = ONLY.has('scaling') && tarball;
  const wantReliability = ONLY.has('reliability');
  const maxN = Math.max(...(wantN8n || wantFloor ? NS : [0]), ...(wantScaling ? SCALING_NS : [0]), RELIABILITY_N);

  const specs = []; // every n8n measurement of a round, in order
  const wfs = new Map();
  const addWf = (w) => { wfs.set(w.id, w); return w.id; };
  const urlHolder = { url: null };
  const mk = (o) => workflow({ ...o, sandboxUrl: urlHolder.url });

  const buildWorkflows = (url) => {
    urlHolder.url = url;
    wfs.clear();
    specs.length = 0;
    for (const n of NS) {
      for (const latencyMs of LATENCIES) {
        if (wantN8n) {
          specs.push({ section: 'n8n', contender: 'recipe', concurrency: null, n, latencyMs, id: addWf(mk({ kind: 'recipe', n })) });
          if (tarball) {
            for (const c of CONCURRENCIES) {
              specs.push({ section: 'n8n', contender: 'node', concurrency: c, n, latencyMs, id: addWf(mk({ kind: 'node', n, concurrency: c })) });
            }
          }
        }
        if (wantFloor) for (const c of CONCURRENCIES) specs.push({ section: 'floor', concurrency: c, n, latencyMs });
      }
    }
    if (wantScaling) {
      for (const n of SCALING_NS) {
        const dup = wantN8n && NS.includes(n) && CONCURRENCIES.includes(SCALING_CONCURRENCY);
        if (!dup) {
          specs.push({ section: 'scaling', contender: 'node', concurrency: SCALING_CONCURRENCY, n, latencyMs: 0, id: addWf(mk({ kind: 'node', n, concurrency: SCALING_CONCURRENCY })) });
        }
      }
    }
    const rel = [];
    if (wantReliability) {
      for (const onError of [null, 'continueRegularOutput']) {
        rel.push({ contender: 'recipe', onError, id: addWf(mk({ kind: 'recipe', n: RELIABILITY_N, missingAt: RELIABILITY_MISSING_AT, onError })) });
        if (tarball) rel.push({ contender: 'node', onError, id: addWf(mk({ kind: 'node', n: RELIABILITY_N, concurrency: 5, missingAt: RELIABILITY_MISSING_AT, onError })) });
      }
    }
    // Warm-up workflows (first execution of each node type compiles and caches code).
    addWf(mk({ kind: 'recipe', n: 10 }));
    if (tarball) addWf(mk({ kind: 'node', n: 10, concurrency: 5 }));
    buildWorkflows.reliability = rel;
    return [...wfs.values()];
  };

  if (specs.length === 0 && !wantReliability && !wantN8n && !wantFloor && !wantScaling) return null;

  log(`setting up: sandbox with ${maxN} queued calls, n8n ${N8N_VERSION} instance${tarball ? ' with the node' : ' (no node: recipe and floor only)'}`);
  const ctx = await setup({ tarball, maxN, workflows: buildWorkflows, onProgress: log });
  results.meta.sandboxUrl = ctx.sandbox.url;
  try {
    // the node's embedded core as installed in n8n, for the cold-load figure
    const installedCore = path.join(ctx.inst.userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-huskyvoice', 'dist', 'core', 'huskyvoice_core.js');
    if (tarball && fs.existsSync(installedCore) && ONLY.has('core')) {
      const coldFile = path.join(os.tmpdir(), `hv-bench-core-${process.pid}.js`);
      fs.copyFileSync(installedCore, coldFile);
      results.core.coldLoad = await coldLoad(nodeBin, coldFile, 'n8n-nodes-huskyvoice/dist/core/huskyvoice_core.js (as installed in n8n)');
      fs.rmSync(coldFile, { force: true });
    }

    if (!wantReliability) {
      // The reliability runs warm up both node types otherwise (first executions compile code).
      log('warm-up executions');
      await executeMeasured(ctx, 'benchRecipe10n', { timeoutMs: 120_000 });
      if (tarball) await executeMeasured(ctx, 'benchNode5c10n', { timeoutMs: 120_000 });
    }

    if (wantReliability) {
      results.reliability = [];
      for (const spec of buildWorkflows.reliability) {
        const r = await executeMeasured(ctx, spec.id, { timeoutMs: 120_000 });
        const ids = Array.from({ length: RELIABILITY_N }, (_, i) => (i === RELIABILITY_MISSING_AT ? MISSING_ID : `${CALL_PREFIX}${i}`));
        let cancelledInSandbox = 0;
        for (const id of ids) {
          const c = await ctx.admin((sb) => sb.getCall(id));
          if (c?.status === 'cancelled') cancelledInSandbox++;
        }
        const items = r.items ?? [];
        const failed = items[RELIABILITY_MISSING_AT]?.json ?? null;
        const row = {
          contender: spec.contender,
          onError: spec.onError ?? 'stop (default)',
          status: r.status,
          outputItems: items.length,
          itemsNamingTheirCall: items.filter((it, i) => ids[i] !== undefined && JSON.stringify(it.json ?? {}).includes(`"${ids[i]}"`)).length,
          requests: r.requests,
          cancelledInSandbox,
          failedItem: failed ? describeFailedItem(failed) : null,
          runError: r.ok ? null : (r.cancelError?.message ?? r.data?.data?.resultData?.error?.message ?? null),
        };
        results.reliability.push(row);
        log(`reliability ${spec.contender} onError=${row.onError}: status ${row.status}, ${row.outputItems} items out, ${row.requests} requests, ${row.cancelledInSandbox} cancelled`);
      }
    }

    const raw = new Map();
    const key = (s) => `${s.section === 'floor' ? 'floor' : s.contender}|${s.concurrency}|${s.n}|${s.latencyMs}`;
    for (let round = 1; round <= RUNS; round++) {
      for (const spec of specs) {
        const k = key(spec);
        if (!raw.has(k)) raw.set(k, { spec, runs: [] });
        const label = `round ${round}/${RUNS}: ${spec.section === 'floor' ? 'floor' : spec.contender}${spec.concurrency ? ` c${spec.concurrency}` : ''} N=${spec.n} latency ${spec.latencyMs} ms`;
        if (spec.section === 'floor') {
          const restartsBefore = ctx.sandboxRestarts;
          await ctx.admin(async (sb) => {
            await sb.reset();
            await sb.config({ latency_ms: spec.latencyMs, log_requests: false });
          });
          let res;
          try {
            res = await nodeJson(nodeBin, [path.join(REPO_ROOT, 'bench', 'floor.mjs'), '--url', ctx.sandbox.url, '--n', String(spec.n),
              '--concurrency', String(spec.concurrency), '--prefix', CALL_PREFIX], { timeoutMs: timeoutFor(spec.n, spec.latencyMs) });
          } catch (e) {
            res = { error: e.message };
          }
          const stats = await ctx.admin((sb) => sb.stats());
          if (ctx.sandboxRestarts !== restartsBefore) res.error = res.error ?? 'the sandbox exited during the run';
          const row = {
            ok: !res.error && res.cancelled === spec.n,
            ms: res.ms ?? null,
            callsPerSec: res.callsPerSec ?? null,
            maxRssMb: kb2mb(res.maxRssKb),
            requests: stats.requests_total,
            peakInFlight: stats.peak_in_flight,
            cancelled: res.cancelled ?? null,
            load1: Number(os.loadavg()[0].toFixed(2)),
            error: res.error,
          };
          raw.get(k).runs.push(row);
          log(`${label}: ${row.ok ? `${row.ms} ms, ${row.callsPerSec} calls/s, peak in flight ${row.peakInFlight}` : `FAILED ${row.error ?? ''}`}`);
        } else {
          const r = await executeMeasured(ctx, spec.id, { latencyMs: spec.latencyMs, timeoutMs: timeoutFor(spec.n, spec.latencyMs) });
          const row = summariseN8nRun(r, spec.n);
          if (r.sandboxRestarted) row.error = `the sandbox exited during the run; ${row.error ?? ''}`;
          raw.get(k).runs.push(row);
          log(`${label}: ${row.ok ? `cancel step ${row.cancelMs} ms (${row.callsPerSec} calls/s), wall ${(row.wallMs / 1000).toFixed(1)} s, peak RSS ${row.peakTreeRssMb} MB, ${row.requests} requests, peak in flight ${row.peakInFlight}` : `FAILED: ${row.error}`}`);
        }
      }
    }

    if (ctx.sandboxRestarts) results.meta.notes.push(`The sandbox process exited ${ctx.sandboxRestarts} time(s) during the run (ended from outside) and was started again on the same port; the runs it interrupted count as failed.`);
    results.n8n = [];
    results.floor = [];
    results.scaling = [];
    for (const { spec, runs } of raw.values()) {
      if (spec.section === 'floor') {
        results.floor.push({ concurrency: spec.concurrency, n: spec.n, latencyMs: spec.latencyMs, median: medianOf(runs, ['ms', 'callsPerSec', 'maxRssMb', 'requests', 'peakInFlight', 'load1']), runs });
      } else {
        const entry = { contender: spec.contender, concurrency: spec.concurrency, n: spec.n, latencyMs: spec.latencyMs, median: medianOf(runs, N8N_KEYS), runs };
        (spec.section === 'scaling' ? results.scaling : results.n8n).push(entry);
      }
    }
    if (wantScaling) {
      // 1,000 and 10,000 at concurrency 20 and 0 ms were measured in section 1: the same runs.
      for (const e of results.n8n) {
        if (e.contender === 'node' && e.concurrency === SCALING_CONCURRENCY && e.latencyMs === 0 && SCALING_NS.includes(e.n)) {
          results.scaling.push({ ...e, sharedWithSection1: true });
        }
      }
      results.scaling.sort((a, b) => a.n - b.n);
    }
  } finally {
    await ctx.close();
  }
  return true;
}

/** What an output item says about a failed call, in one line. */
function describeFailedItem(j) {
  if (j.outcome) return `outcome "${j.outcome}", callId "${j.callId}", message "${String(j.message ?? j.error ?? '').slice(0, 160)}"`;
  const msg = typeof j.error === 'string' ? j.error : j.error?.message ?? j.message ?? JSON.stringify(j);
  return `error "${String(msg).slice(0, 160)}" (no call id)`;
}

async function coldLoad(nodeBin, file, label) {
  const runs = [];
  for (let i = 0; i < COLD_LOAD_RUNS; i++) runs.push((await nodeJson(nodeBin, [path.join(REPO_ROOT, 'bench', 'cold-load.mjs'), file])).ms);
  return { file: label, bytes: fs.statSync(file).size, runs, medianMs: median(runs) };
}

async function runCoreSection(results, { nodeBin }) {
  log('core: compiling bench/plain-ts with the repository\'s TypeScript');
  const outDir = path.join(REPO_ROOT, '.cache', 'bench-plain-ts');
  fs.rmSync(outDir, { recursive: true, force: true });
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const tscVersion = tryText(process.execPath, [tsc, '--version']);
  const c = await run(process.execPath, [tsc, '-p', path.join(REPO_ROOT, 'bench', 'plain-ts', 'tsconfig.json'), '--outDir', outDir], { cwd: REPO_ROOT, timeoutMs: 180_000 });
  if (c.code !== 0) throw new Error(`tsc failed:\n${c.stdout}\n${c.stderr}`);
  const plainJs = path.join(outDir, 'core.js');
  results.meta.versions.typescript = tscVersion;

  const plainBench = path.join(REPO_ROOT, 'bench', 'plain-ts', 'bench.mjs');
  let parity;
  try {
    parity = await nodeJson(nodeBin, [plainBench, '--impl', plainJs, '--parity', '--json']);
  } catch (e) {
    parity = { error: e.message };
  }
  results.core.parity = parity;
  log(`core: plain TypeScript vs WASM parity ${parity.agree}/${parity.cases}`);

  results.core.sizes = [];
  for (const items of CORE_SIZES) {
    const inner = String(CORE_INNER_RUNS[items]);
    let wasm;
    let plain;
    try {
      wasm = await nodeJson(nodeBin, [path.join(REPO_ROOT, 'bench', 'core.bench.mjs'), '--items', String(items), '--runs', inner, '--json']);
    } catch (e) {
      wasm = { error: e.message };
    }
    try {
      plain = await nodeJson(nodeBin, [plainBench, '--impl', plainJs, '--items', String(items), '--runs', inner, '--json']);
    } catch (e) {
      plain = { error: e.message };
    }
    results.core.sizes.push({ items, runs: Number(inner), wasm: wasm.perItemMicros ?? null, plain: plain.perItemMicros ?? null, errors: [wasm.error, plain.error].filter(Boolean) });
    if (wasm.wasmBytes) {
      results.core.wasmBytes = wasm.wasmBytes;
      results.core.wasmGzipBytes = wasm.wasmGzipBytes;
      results.core.coreBenchColdLoadMs = wasm.coldLoadMs;
    }
    log(`core ${items} items: WASM ${JSON.stringify(wasm.perItemMicros ?? wasm.error)} µs, plain TS ${JSON.stringify(plain.perItemMicros ?? plain.error)} µs`);
  }
  if (!results.core.wasmBytes) {
    // core.bench.mjs changed its output: measure the sizes here.
    const wasmFile = path.join(REPO_ROOT, 'packages', 'huskyvoice-core', 'pkg', 'huskyvoice_core_bg.wasm');
    if (fs.existsSync(wasmFile)) {
      const bytes = fs.readFileSync(wasmFile);
      results.core.wasmBytes = bytes.length;
      results.core.wasmGzipBytes = gzipSync(bytes, { level: 9 }).length;
    }
  }
  if (!results.core.coldLoad) {
    const candidates = [
      [path.join(REPO_ROOT, 'n8n-node', 'dist', 'core', 'huskyvoice_core.js'), 'n8n-node/dist/core/huskyvoice_core.js'],
      [path.join(REPO_ROOT, 'packages', 'huskyvoice-core', 'embedded', 'huskyvoice_core.js'), 'huskyvoice-core/embedded'],
    ];
    const found = candidates.find(([f]) => fs.existsSync(f));
    if (found) results.core.coldLoad = await coldLoad(nodeBin, found[0], found[1]);
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const started = new Date();
  const results = {
    meta: {
      date: started.toISOString(),
      machine: machine(),
      versions: {
        systemNode: process.version,
        n8n: N8N_VERSION,
        git: gitInfo(),
        nodePackage: readJson(path.join(REPO_ROOT, 'n8n-node', 'package.json'))?.version ?? null,
        core: readJson(path.join(REPO_ROOT, 'packages', 'huskyvoice-core', 'package.json'))?.version ?? null,
        sandbox: /^version = "([^"]+)"/m.exec(fs.readFileSync(path.join(REPO_ROOT, 'crates', 'huskyvoice-sandbox', 'Cargo.toml'), 'utf8'))?.[1] ?? null,
      },
      options: { argv, runs: RUNS, quick: QUICK, only: [...ONLY], ns: NS, latencies: LATENCIES, concurrencies: CONCURRENCIES, scalingNs: SCALING_NS },
      loadavgStart: os.loadavg().map((x) => Number(x.toFixed(2))),
      notes: [],
    },
    core: {},
  };

  // Node 24 (n8n's) runs the floor and the core benchmarks too, so every figure is on one runtime.
  let nodeBin = process.execPath;
  const needsN8n = ['n8n', 'floor', 'reliability', 'scaling'].some((s) => ONLY.has(s));
  if (needsN8n || ONLY.has('core')) {
    try {
      const n8n = await ensureN8n({ version: N8N_VERSION, onProgress: log });
      nodeBin = n8n.nodeBin;
    } catch (e) {
      if (needsN8n) throw e;
      results.meta.notes.push(`n8n ${N8N_VERSION} is not installed: core figures use the system Node.`);
    }
  }
  results.meta.versions.benchNode = tryText(nodeBin, ['--version']);

  let tarball = null;
  if (needsN8n || ONLY.has('core')) {
    log('building and packing n8n-node/');
    let packed;
    try {
      packed = await buildAndPackNode({ onProgress: log });
    } catch (e) {
      if (process.env.HUSKYVOICE_E2E_SKIP_BUILD) throw e;
      log(`build failed; packing what is built instead: ${e.message.split('\n')[0]}`);
      results.meta.notes.push(`\`npm run build\` in n8n-node/ failed during this run; the node was packed as it was last built. First line of the error: ${e.message.split('\n')[0]}`);
      process.env.HUSKYVOICE_E2E_SKIP_BUILD = '1';
      packed = await buildAndPackNode({ onProgress: log });
    }
    if (packed.skipped) {
      results.meta.notes.push(packed.skipped);
      log(packed.skipped);
    } else {
      tarball = packed.tarball;
      results.core.tarball = { name: path.basename(packed.tarball), bytes: fs.statSync(packed.tarball).size, files: packed.files.length };
      log(`packed ${results.core.tarball.name}: ${results.core.tarball.bytes} bytes, ${packed.files.length} files`);
    }
  }

  if (needsN8n) await runN8nSections(results, { tarball, nodeBin });
  // A failing section is noted, not fatal: the n8n sections before it took a quarter hour.
  if (ONLY.has('core')) {
    try {
      await runCoreSection(results, { nodeBin });
    } catch (e) {
      results.meta.notes.push(`The core benchmark failed: ${e.message.split('\n')[0]}`);
    }
  }
  if (ONLY.has('engine')) {
    log('engine: the run engine per job, native and WASM (bench/engine.bench.mjs)');
    try {
      results.engine = await nodeJson(nodeBin, [path.join(REPO_ROOT, 'bench', 'engine.bench.mjs'), '--jobs', QUICK ? '20000' : '100000', '--runs', QUICK ? '3' : '5', '--json']);
    } catch (e) {
      results.meta.notes.push(`The engine benchmark failed: ${e.message.split('\n')[0]}`);
    }
  }
  if (ONLY.has('events')) {
    log('events: one signed 2 KB call event verified, WASM, plain Node and native (bench/events.bench.mjs)');
    try {
      results.events = await nodeJson(nodeBin, [path.join(REPO_ROOT, 'bench', 'events.bench.mjs'), '--n', QUICK ? '5000' : '20000', '--runs', QUICK ? '3' : '5', '--json']);
    } catch (e) {
      results.meta.notes.push(`The call-event benchmark failed: ${e.message.split('\n')[0]}`);
    }
  }
  if (ONLY.has('limit') && !QUICK) {
    log('limit: 300 cancels at 60/min per key, the recipe vs the node (bench/limit.bench.mjs, about 6 minutes)');
    try {
      results.limit = await nodeJson(process.execPath, [path.join(REPO_ROOT, 'bench', 'limit.bench.mjs'), '--json'], { timeoutMs: 1_800_000 });
    } catch (e) {
      results.meta.notes.push(`The rate-limit benchmark failed: ${e.message.split('\n')[0]}`);
    }
  }

  if (ONLY.has('client')) {
    log('client: huskyvoice-core cancelCalls vs the plain-Node floor (bench/client.bench.mjs)');
    try {
      const args = [path.join(REPO_ROOT, 'bench', 'client.bench.mjs'), '--json', '--rounds', QUICK ? '1' : '3'];
      if (QUICK) args.push('--big', '2000');
      results.client = await nodeJson(nodeBin, args, { timeoutMs: 1_800_000 });
    } catch (e) {
      results.meta.notes.push(`The Node client benchmark failed: ${e.message.split('\n')[0]}`);
    }
  }

  const wantProfile = flag('--profile') || (!QUICK && !flag('--no-profile') && ONLY.has('n8n'));
  if (wantProfile && tarball) {
    const { profileNode } = await import('./profile.mjs');
    results.profiles = [];
    for (const recipe of flag('--no-profile-recipe') ? [false] : [false, true]) {
      log(`profiling the ${recipe ? 'recipe' : 'node'} (bench/profile.mjs, ${PROFILE_N} items)`);
      try {
        results.profiles.push(await profileNode({ tarball, n: PROFILE_N, concurrency: 20, latencyMs: 0, recipe, onProgress: log }));
      } catch (e) {
        results.meta.notes.push(`The CPU profile of the ${recipe ? 'recipe' : 'node'} failed: ${e.message.split('\n')[0]}`);
      }
    }
  }

  results.ratios = computeRatios(results);
  results.targets = computeTargets(results);
  results.meta.loadavgEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
  results.meta.durationS = Math.round((Date.now() - t0) / 1000);
  if (tarball) fs.rmSync(path.dirname(tarball), { recursive: true, force: true });

  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  fs.mkdirSync(OUT_DIR, { recursive: true });
  writeBenchmarks(MD_FILE, renderMarkdown(results));
  log(`wrote ${path.relative(process.cwd(), MD_FILE) || MD_FILE} and ${path.relative(process.cwd(), RESULTS_FILE)} in ${results.meta.durationS} s`);
  for (const t of results.targets) log(`target ${t.pass == null ? 'n/a ' : t.pass ? 'PASS' : 'FAIL'}: ${t.name}: ${t.measured ?? 'not measured'}`);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e.stack ?? e}\n`);
  process.exit(1);
});
