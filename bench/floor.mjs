// The floor: a plain Node script that sends the same cancel requests as the n8n workflows
// (POST /v1/calls/<id>/cancel with the Bearer key), N of them at a fixed concurrency, over a
// keep-alive agent, and checks every answer. No n8n, no core: what the machine and the sandbox
// allow at that concurrency.
//
//   node bench/floor.mjs --url http://127.0.0.1:PORT --n 10000 --concurrency 20 [--key KEY] [--prefix bench_]
// Prints one JSON line: { n, concurrency, ms, callsPerSec, cancelled, statuses, maxRssKb, node }.
import http from 'node:http';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const base = new URL(opt('--url', 'http://127.0.0.1:4010'));
if (!['127.0.0.1', 'localhost', '[::1]'].includes(base.hostname)) {
  console.error('floor.mjs sends traffic to loopback only');
  process.exit(2);
}
const N = Number(opt('--n', 1000));
const C = Number(opt('--concurrency', 20));
const KEY = opt('--key', 'sk_test_sandbox');
const PREFIX = opt('--prefix', 'bench_');

const agent = new http.Agent({ keepAlive: true, maxSockets: C });
const headers = { Authorization: `Bearer ${KEY}`, Accept: 'application/json' };

function cancel(id) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      agent, host: base.hostname, port: base.port, method: 'POST', path: `/v1/calls/${id}/cancel`, headers,
    }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        let status = null;
        try { status = JSON.parse(Buffer.concat(chunks).toString('utf8')).status; } catch { /* not JSON */ }
        resolve({ code: res.statusCode, status });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

let next = 0;
let cancelled = 0;
const statuses = {};
async function worker() {
  while (next < N) {
    const i = next++;
    const r = await cancel(`${PREFIX}${i}`);
    statuses[r.code] = (statuses[r.code] ?? 0) + 1;
    if (r.code === 200 && r.status === 'cancelled') cancelled++;
  }
}

const t0 = performance.now();
await Promise.all(Array.from({ length: Math.min(C, N) }, worker));
const ms = performance.now() - t0;
agent.destroy();
console.log(JSON.stringify({
  n: N,
  concurrency: C,
  ms: Number(ms.toFixed(1)),
  callsPerSec: Number((N / (ms / 1000)).toFixed(1)),
  cancelled,
  statuses,
  maxRssKb: process.resourceUsage().maxRSS,
  node: process.version,
}));
