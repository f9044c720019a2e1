// Per-item cost of the core's work for one cancel (validate + build + interpret), through
// the WebAssembly boundary: one call per item vs batched calls. Prints a table and JSON.
// Usage: node bench/core.bench.mjs [--items 100000] [--runs 5]
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const ITEMS = arg('--items', 100_000);
const RUNS = arg('--runs', 5);

const t0 = performance.now();
const core = require('huskyvoice-core/embedded');
const coldLoadMs = performance.now() - t0;

const OK = (id) => `{"success":true,"call_id":"${id}","status":"cancelled","message":"Call has been successfully cancelled."}`;
const options = Array.from({ length: ITEMS }, (_, i) => ({ via: 'rest', callId: `call_${i}`, baseUrl: 'http://127.0.0.1:4010' }));
const responses = options.map((o) => ({ via: 'rest', callId: o.callId, statusCode: 200, headers: { 'content-type': 'application/json' }, body: OK(o.callId) }));

function single() {
  let n = 0;
  for (let i = 0; i < ITEMS; i++) {
    core.validateCallId(options[i].callId);
    const req = core.buildCancelRequest(options[i]);
    const res = core.interpretCancelResponse(responses[i]);
    if (req.url && res.outcome === 'cancelled') n++;
  }
  return n;
}

function batched() {
  // The node's shape: one batched build (it validates too), then the responses.
  const built = core.buildCancelRequests(options);
  const results = core.interpretCancelResponses(responses);
  let n = 0;
  for (let i = 0; i < ITEMS; i++) if (built[i].ok && results[i].outcome === 'cancelled') n++;
  return n;
}

function measure(fn) {
  fn(); // warm up the JIT and the wasm allocator
  const times = [];
  for (let r = 0; r < RUNS; r++) {
    const start = performance.now();
    const n = fn();
    times.push(performance.now() - start);
    if (n !== ITEMS) throw new Error(`expected ${ITEMS} cancelled, got ${n}`);
  }
  times.sort((a, b) => a - b);
  return (times[Math.floor(times.length / 2)] * 1000) / ITEMS;
}

const wasm = readFileSync(require.resolve('huskyvoice-core').replace(/huskyvoice_core\.js$/, 'huskyvoice_core_bg.wasm'));
const result = {
  items: ITEMS,
  runs: RUNS,
  node: process.version,
  coldLoadMs: Number(coldLoadMs.toFixed(2)),
  wasmBytes: wasm.length,
  wasmGzipBytes: gzipSync(wasm, { level: 9 }).length,
  perItemMicros: { single: Number(measure(single).toFixed(3)), batched: Number(measure(batched).toFixed(3)) },
};
console.log(`huskyvoice-core, ${ITEMS} items, median of ${RUNS} runs, Node ${process.version}`);
console.log(`  cold load of the embedded core: ${result.coldLoadMs} ms`);
console.log(`  .wasm: ${result.wasmBytes} bytes raw, ${result.wasmGzipBytes} gzipped`);
console.log(`  validate + build + interpret per item: ${result.perItemMicros.single} µs single calls, ${result.perItemMicros.batched} µs batched`);
if (args.includes('--json')) console.log(JSON.stringify(result));
