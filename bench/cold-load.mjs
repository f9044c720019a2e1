// Cold load of the node's embedded core, in a fresh process: the time `require` takes to read,
// compile and instantiate huskyvoice_core.js (the .wasm is inlined in it), as n8n does on the
// first execution of the node. Prints one JSON line: { file, ms, node }.
//   node bench/cold-load.mjs <path to huskyvoice_core.js>
import { createRequire } from 'node:module';
import path from 'node:path';

const file = path.resolve(process.argv[2]);
const require = createRequire(import.meta.url);
const t0 = performance.now();
const core = require(file);
const ms = performance.now() - t0;
if (typeof core.buildCancelRequest !== 'function') throw new Error(`${file} is not the huskyvoice core`);
console.log(JSON.stringify({ file, ms: Number(ms.toFixed(2)), node: process.version }));
