// Per-item cost of the core's work for one cancel (validate + build + interpret), through
// the WebAssembly boundary: one call per item vs batched calls. Prints a table and JSON.
// Usage: node bench/core.bench.mjs [--items 100000] [--runs 5] [--mode both|batched|single] [--json]
//        [--core DIR]   another build's packages/huskyvoice-core folder (before/after comparisons)
// Medians are printed; with --detail also the fastest run (useful on a busy machine) and a
// breakdown of the batched path: each batch call alone, and the JS-only part of the JSON
// transport (JSON.stringify of the inputs + JSON.parse of equivalent outputs).
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { coreWorkload } from './lib/core-workload.mjs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const ITEMS = arg('--items', 100_000);
const RUNS = arg('--runs', 5);
const MODE = args.includes('--mode') ? args[args.indexOf('--mode') + 1] : 'both';
const DETAIL = args.includes('--detail');

const CORE_DIR = args.includes('--core') ? args[args.indexOf('--core') + 1] : null;
const embeddedPath = CORE_DIR ? `${CORE_DIR}/embedded/huskyvoice_core.js` : require.resolve('huskyvoice-core/embedded');
const wasmPath = CORE_DIR ? `${CORE_DIR}/pkg/huskyvoice_core_bg.wasm`
  : path.join(path.dirname(require.resolve('huskyvoice-core/package.json')), 'pkg/huskyvoice_core_bg.wasm');

const t0 = performance.now();
const core = require(embeddedPath);
const coldLoadMs = performance.now() - t0;

const { options, responses, single, batched } = coreWorkload(core, ITEMS);

function measure(fn, expect = ITEMS) {
  fn(); // warm up the JIT and the wasm allocator
  const times = [];
  for (let r = 0; r < RUNS; r++) {
    const start = performance.now();
    const n = fn();
    times.push(performance.now() - start);
    if (n !== expect) throw new Error(`expected ${expect} cancelled, got ${n}`);
  }
  times.sort((a, b) => a - b);
  const median = (times[Math.floor(times.length / 2)] * 1000) / ITEMS;
  measure.min = (times[0] * 1000) / ITEMS;
  return median;
}

function breakdown() {
  const builtText = JSON.stringify(core.buildCancelRequests(options));
  const resultsText = JSON.stringify(core.interpretCancelResponses(responses));
  const round = (x) => Number(x.toFixed(3));
  const out = {};
  out.buildBatch = round(measure(() => core.buildCancelRequests(options).length));
  out.interpretBatch = round(measure(() => core.interpretCancelResponses(responses).length));
  out.jsonTransportJsOnly = round(measure(() => {
    JSON.stringify(options);
    JSON.stringify(responses);
    return JSON.parse(builtText).length + JSON.parse(resultsText).length - ITEMS;
  }));
  return out;
}

const wasm = readFileSync(wasmPath);
const result = {
  items: ITEMS,
  runs: RUNS,
  node: process.version,
  coldLoadMs: Number(coldLoadMs.toFixed(2)),
  wasmBytes: wasm.length,
  wasmGzipBytes: gzipSync(wasm, { level: 9 }).length,
  perItemMicros: {},
};
for (const [name, fn] of [['single', single], ['batched', batched]]) {
  if (MODE !== 'both' && MODE !== name) continue;
  result.perItemMicros[name] = Number(measure(fn).toFixed(3));
  if (DETAIL) result.perItemMicros[`${name}Fastest`] = Number(measure.min.toFixed(3));
}
if (DETAIL) result.batchedBreakdownMicros = breakdown();
console.log(`huskyvoice-core, ${ITEMS} items, median of ${RUNS} runs, Node ${process.version}`);
console.log(`  cold load of the embedded core: ${result.coldLoadMs} ms`);
console.log(`  .wasm: ${result.wasmBytes} bytes raw, ${result.wasmGzipBytes} gzipped`);
const us = (k) => (result.perItemMicros[k] === undefined ? '-' : result.perItemMicros[k]);
console.log(`  validate + build + interpret per item: ${us('single')} µs single calls, ${us('batched')} µs batched (medians)`);
if (DETAIL) {
  console.log(`  fastest runs: ${us('singleFastest')} µs single, ${us('batchedFastest')} µs batched`);
  const b = result.batchedBreakdownMicros;
  console.log(`  batched breakdown (medians): buildCancelRequests ${b.buildBatch} µs, interpretCancelResponses ${b.interpretBatch} µs; JS-only JSON stringify+parse of the same data ${b.jsonTransportJsOnly} µs`);
}
if (args.includes('--json')) console.log(JSON.stringify(result));
