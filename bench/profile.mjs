// CPU profile of the cancel step inside real n8n: runs the benchmark workflow once with
// NODE_OPTIONS=--cpu-prof, takes the n8n main process's profile, keeps the samples between the
// first and the last one that touches the cancel node's code, and sums self time by function and
// by package, per item.
//
//   node bench/profile.mjs [--n 2000] [--concurrency 20] [--latency 0] [--recipe] [--no-build] [--keep-profile DIR]
// Prints a summary; with --json the summary object. `profileNode()` is used by `run.mjs --profile`.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAndPackNode } from '../tests/e2e/lib/pack.mjs';
import { CANCEL_NODE, executeMeasured, setup, workflow } from './lib/setup.mjs';

/** Which package a profile frame belongs to. */
function category(url, name) {
  if (name === '(idle)') return 'idle (waiting for I/O: network, timers)';
  if (name === '(garbage collector)') return 'garbage collector';
  if (name === '(program)') return 'V8 / native (program)';
  if (url.startsWith('wasm://')) return 'huskyvoice core (WASM)';
  if (url.includes('n8n-nodes-huskyvoice/dist/core/')) return 'huskyvoice core (JS glue)';
  if (url.includes('n8n-nodes-huskyvoice/')) return 'HuskyVoice node (our TypeScript)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url.replace(/\\/g, '/'));
  if (m) {
    const all = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)];
    return all[all.length - 1][1];
  }
  if (url.startsWith('node:') || url === '') return name.startsWith('(') ? name : 'Node.js internals (http, net, streams, …)';
  return url;
}

function shortUrl(url) {
  const u = url.replace(/^file:\/\//, '');
  const i = u.lastIndexOf('node_modules/');
  if (i >= 0) return u.slice(i + 'node_modules/'.length);
  return u.replace(/^.*\/(n8n-nodes-huskyvoice\/)/, '$1');
}

/**
 * Summarises one .cpuprofile: self time per function and per package, and "inclusive" time of
 * functions (samples with the function anywhere on the stack), within [from, to] µs of the
 * profile's clock (or the whole profile).
 */
export function analyseProfile(profile, { window = null } = {}) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  const cats = new Map();
  const incl = new Map();
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const dt = profile.timeDeltas[i + 1] ?? 0; // time until the next sample is attributed to this one
    if (window && (t < window[0] || t > window[1])) continue;
    const node = nodes.get(profile.samples[i]);
    const cf = node.callFrame;
    const key = `${cf.functionName || '(anonymous)'} ${shortUrl(cf.url)}:${cf.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    const cat = category(cf.url, cf.functionName);
    cats.set(cat, (cats.get(cat) ?? 0) + dt);
    total += dt;
    const seen = new Set();
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const f = nodes.get(id).callFrame;
      if (!f.url || f.url.startsWith('node:')) continue;
      const k = `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}`;
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + dt);
    }
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]).map(([name, usTotal]) => ({ name, ms: usTotal / 1000 }));
  return { totalMs: total / 1000, self: sorted(self), categories: sorted(cats), inclusive: sorted(incl) };
}

/**
 * Frames that only run while the cancel step executes (not when n8n loads the node at start-up):
 * named functions of the node's operation and transport files, or the HTTP Request node's execute.
 */
export function markerFor(recipe) {
  if (recipe) return (f) => f.url.includes('nodes/HttpRequest/V3/') && f.functionName === 'execute';
  return (f) => f.functionName !== '' && /n8n-nodes-huskyvoice\/dist\/nodes\/HuskyVoice\/(actions\/call|transport)\//.test(f.url);
}

/** [first, last] sample times (µs, profile clock) with a marker frame on the stack. */
export function windowOf(profile, isMarker) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const touches = new Map();
  const touch = (id) => {
    if (touches.has(id)) return touches.get(id);
    const n = nodes.get(id);
    const p = parent.get(id);
    const v = isMarker(n.callFrame) || (p !== undefined && touch(p));
    touches.set(id, v);
    return v;
  };
  let t = profile.startTime;
  let first = null;
  let last = null;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (touch(profile.samples[i])) {
      if (first === null) first = t;
      last = t;
    }
  }
  return first === null ? null : [first, last];
}

export async function profileNode({ tarball, n = 2000, concurrency = 20, latencyMs = 0, recipe = false, keepDir = null, onProgress = () => {} } = {}) {
  const wf = (url) => [workflow({ kind: recipe ? 'recipe' : 'node', n, concurrency: recipe ? null : concurrency, sandboxUrl: url })];
  const ctx = await setup({ tarball: recipe ? tarball ?? null : tarball, maxN: n, workflows: wf, onProgress });
  const id = wf('x')[0].id;
  const dir = keepDir ? path.resolve(keepDir) : fs.mkdtempSync(path.join(os.tmpdir(), 'hv-bench-prof-'));
  fs.mkdirSync(dir, { recursive: true });
  try {
    // one warm-up execution without the profiler, then the profiled one
    await executeMeasured(ctx, id, { latencyMs, timeoutMs: 300_000 });
    const before = new Set(fs.readdirSync(dir));
    const r = await executeMeasured(ctx, id, {
      latencyMs,
      timeoutMs: 600_000,
      env: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir} --cpu-prof-interval=200` },
    });
    if (!r.ok) throw new Error(`profiled execution failed: ${r.cancelError?.message ?? r.status}\n${(r.stderr + r.stdout).slice(-3000)}`);
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f)).map((f) => path.join(dir, f));
    const marker = markerFor(recipe);
    let chosen = null;
    for (const f of files) {
      const p = JSON.parse(fs.readFileSync(f, 'utf8'));
      const w = windowOf(p, marker);
      if (w) { chosen = { file: f, profile: p, window: w }; break; }
    }
    if (!chosen) throw new Error(`none of the ${files.length} profiles shows the cancel step running`);
    const a = analyseProfile(chosen.profile, { window: chosen.window });
    const summary = summarise(a, chosen.window, { recipe, n, concurrency, latencyMs, cancelMs: r.cancelMs });
    summary.profileFile = keepDir ? chosen.file : null;
    return summary;
  } finally {
    if (!keepDir) fs.rmSync(dir, { recursive: true, force: true });
    await ctx.close();
  }
}

function summarise(a, window, { recipe, n, concurrency, latencyMs, cancelMs }) {
    const perItemUs = (ms) => Number(((ms * 1000) / n).toFixed(1));
    const summary = {
      contender: recipe ? 'recipe' : 'node',
      n,
      concurrency: recipe ? null : concurrency,
      latencyMs,
      cancelMs,
      windowMs: Number(((window[1] - window[0]) / 1000).toFixed(1)),
      profiledMs: Number(a.totalMs.toFixed(1)),
      perItemUs: perItemUs(a.totalMs),
      categories: a.categories.slice(0, 14).map((c) => ({ ...c, ms: Number(c.ms.toFixed(1)), perItemUs: perItemUs(c.ms), pct: Number(((100 * c.ms) / a.totalMs).toFixed(1)) })),
      topSelf: a.self.slice(0, 25).map((c) => ({ ...c, ms: Number(c.ms.toFixed(1)), perItemUs: perItemUs(c.ms) })),
      topInclusive: a.inclusive.slice(0, 30).map((c) => ({ ...c, ms: Number(c.ms.toFixed(1)), perItemUs: perItemUs(c.ms) })),
    };
    summary.markdown = toMarkdown(summary);
    return summary;
}

/** Analyses a saved .cpuprofile (from --keep-profile) again. */
export function analyseFile(file, { n, recipe = false, concurrency = 20, latencyMs = 0 }) {
  const p = JSON.parse(fs.readFileSync(file, 'utf8'));
  const w = windowOf(p, markerFor(recipe));
  if (!w) throw new Error(`${file} does not touch the cancel node`);
  return summarise(analyseProfile(p, { window: w }), w, { recipe, n, concurrency, latencyMs, cancelMs: null });
}

function toMarkdown(s) {
  const L = [];
  L.push(`${s.contender === 'node' ? `HuskyVoice node, concurrency ${s.concurrency}` : 'vendor recipe'}, ${s.n.toLocaleString('en-US')} items, sandbox latency ${s.latencyMs} ms, \`NODE_OPTIONS=--cpu-prof\` on \`n8n execute\` (the profiler slows everything somewhat). `
    + `Cancel step ${s.cancelMs} ms in that run; the samples between the first and the last that touch the ${s.contender === 'node' ? 'node\'s' : 'HTTP Request node\'s'} code span ${s.windowMs} ms, i.e. ${s.perItemUs} µs per item.`);
  L.push('');
  L.push('| where (self time) | ms | µs per item | share |');
  L.push('|---|---:|---:|---:|');
  for (const c of s.categories) L.push(`| ${c.name} | ${c.ms} | ${c.perItemUs} | ${c.pct} % |`);
  L.push('');
  L.push('Top functions by self time:');
  L.push('');
  L.push('| function | ms | µs per item |');
  L.push('|---|---:|---:|');
  for (const c of s.topSelf.slice(0, 15)) L.push(`| \`${c.name.replace(/\|/g, '\\|')}\` | ${c.ms} | ${c.perItemUs} |`);
  return L.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const value = (name, def) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : def;
  };
  if (argv.includes('--no-build')) process.env.HUSKYVOICE_E2E_SKIP_BUILD = '1';
  const log = (m) => process.stderr.write(`[profile] ${m}\n`);
  if (value('--from-profile', null)) {
    const s = analyseFile(value('--from-profile'), { n: Number(value('--n', 2000)), recipe: argv.includes('--recipe'), concurrency: Number(value('--concurrency', 20)), latencyMs: Number(value('--latency', 0)) });
    console.log(s.markdown);
    console.log('\nTop functions with the time they are on the stack (inclusive, synchronous part):');
    for (const c of s.topInclusive) console.log(`${String(c.ms).padStart(9)} ms ${String(c.perItemUs).padStart(8)} µs/item  ${c.name}`);
    process.exit(0);
  }
  const packed = await buildAndPackNode({ onProgress: log });
  if (packed.skipped && !argv.includes('--recipe')) throw new Error(packed.skipped);
  const s = await profileNode({
    tarball: packed.tarball ?? null,
    n: Number(value('--n', 2000)),
    concurrency: Number(value('--concurrency', 20)),
    latencyMs: Number(value('--latency', 0)),
    recipe: argv.includes('--recipe'),
    keepDir: value('--keep-profile', null),
    onProgress: log,
  });
  if (packed.tarball) fs.rmSync(path.dirname(packed.tarball), { recursive: true, force: true });
  if (argv.includes('--json')) console.log(JSON.stringify(s, null, 2));
  else {
    console.log(s.markdown);
    console.log('\nTop functions with the time they are on the stack (inclusive, synchronous part):');
    for (const c of s.topInclusive) console.log(`${String(c.ms).padStart(9)} ms ${String(c.perItemUs).padStart(8)} µs/item  ${c.name}`);
  }
}
