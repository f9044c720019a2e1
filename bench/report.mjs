// Renders BENCHMARKS.md from the results object that bench/run.mjs writes to bench/results.json.
//   node bench/report.mjs [bench/results.json] [BENCHMARKS.md]   re-render without re-measuring

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeRatios, computeTargets } from './lib/targets.mjs';

const fmt = (x, digits = 0) => (x == null || Number.isNaN(x) ? '–' : Number(x).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const sec = (ms) => (ms == null ? '–' : `${fmt(ms / 1000, ms < 10_000 ? 2 : 1)} s`);
const ratio = (x) => (x == null ? '–' : `${fmt(x, x < 10 ? 2 : 1)}×`);
const pct = (x) => (x == null ? '–' : `${fmt(x * 100, 0)} %`);
const mb = (x) => (x == null ? '–' : `${fmt(x, 0)} MB`);
const us = (x) => (x == null ? '–' : `${fmt(x, x < 10 ? 3 : 1)} µs`);

function table(head, rows, leftColumns = 1) {
  return [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i < leftColumns ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function contenderName(e) {
  return e.contender === 'recipe' ? 'vendor recipe (HTTP Request 4.2)' : `HuskyVoice node, concurrency ${e.concurrency}`;
}

export function renderMarkdown(res) {
  const m = res.meta;
  const v = m.versions;
  const L = [];
  L.push('# Benchmarks');
  L.push('');
  const flags = m.options.argv
    ? m.options.argv.map((a) => ` ${a}`).join('')
    : `${m.options.quick ? ' --quick' : ''}${m.options.runs !== (m.options.quick ? 1 : 3) ? ` --runs ${m.options.runs}` : ''}`;
  L.push(`Written by ${flags ? `\`node bench/run.mjs${flags}\`` : '`npm run bench` (`node bench/run.mjs`)'} on ${m.date.slice(0, 16).replace('T', ' ')} UTC in ${Math.round(m.durationS / 60)} min; raw figures, every run: [bench/results.json](bench/results.json). `
    + `Each figure is the **median of ${m.options.runs} run${m.options.runs === 1 ? '' : 's'}**; the runs of all contenders were interleaved (round 1 of everything, then round 2, ...), and every ratio is computed from figures of this one run.`);
  L.push('');
  L.push(`- Machine: ${m.machine.cpu}, ${m.machine.cores} cores, ${m.machine.memoryGb} GB, ${m.machine.distro ?? ''} (${m.machine.os}); loopback only.`);
  L.push(`- Load average (1/5/15 min) at the start ${m.loadavgStart.join(' / ')}, at the end ${m.loadavgEnd?.join(' / ') ?? '–'}: the machine is shared with other work, so absolute figures move between runs; the ratios, measured side by side, move less.`);
  L.push(`- Versions: n8n ${v.n8n} on Node ${v.benchNode?.replace(/^v/, '')} (the floor and the core benchmarks run on the same Node), n8n-nodes-huskyvoice ${v.nodePackage}, huskyvoice-core ${v.core}, huskyvoice-sandbox ${v.sandbox} (release build, \`--no-log\`), TypeScript ${v.typescript?.replace(/^Version /, '') ?? '–'}; repository at ${v.git?.commit ?? '?'}${v.git?.dirty ? ' with uncommitted changes in n8n-node/, crates/ or packages/' : ''}.`);
  for (const n of m.notes ?? []) L.push(`- Note: ${n}`);
  L.push('');

  // targets
  L.push('## Targets the issues set (6: the node and the core; 13: the Node client)');
  L.push('');
  L.push('Reported, not enforced (nothing fails on them).');
  L.push('');
  for (const t of res.targets ?? []) {
    const mark = t.pass == null ? 'n/a' : t.pass ? 'PASS' : 'FAIL';
    L.push(`- **${mark}** ${t.name}: ${t.measured ?? 'not measured in this run'}${t.note ? ` (${t.note})` : ''}`);
  }
  L.push('');

  // section 1
  if (res.n8n?.length) {
    L.push(`## 1. Real n8n ${v.n8n}: the vendor recipe vs the HuskyVoice node`);
    L.push('');
    L.push('Workflow: Manual Trigger → Code node making N items `{ call_id: "bench_<i>" }` → the cancel step, run with `n8n execute --id=… --rawOutput` against the sandbox, whose calls are reset to `queued` before every execution. '
      + 'The recipe is HuskyVoice\'s documented one: HTTP Request node 4.2, `POST <base>/v1/calls/{{ $json.call_id }}/cancel`, generic credential Header Auth (`Authorization: Bearer …`), every option at its default. '
      + 'The node: `callId = {{ $json.call_id }}`, credential HuskyVoice API, option Concurrency 5 or 20, everything else default.');
    L.push('');
    L.push('- **cancel step**: n8n\'s own timing of the cancel node (`executionTime` in the run data); **calls/s** = N / cancel step;');
    L.push('- **wall**: the whole `n8n execute` process (start-up, Code node, cancel step, printing the result);');
    L.push('- **peak RSS**: largest sum of the resident memory of the n8n process tree (main process + task runner), sampled every 100 ms from /proc; **largest process**: the kernel\'s exact peak of the biggest single process (GNU time %M);');
    L.push('- **requests**, **peak in flight**: counted by the sandbox. At 0 ms latency a request never waits in the sandbox, so "in flight" there stays near its 2 worker threads whatever the client does; at 20 ms it shows the client\'s real concurrency.');
    L.push('');
    const byCase = new Map();
    for (const e of res.n8n) {
      const k = `${e.n}|${e.latencyMs}`;
      if (!byCase.has(k)) byCase.set(k, []);
      byCase.get(k).push(e);
    }
    const rows = [];
    for (const [k, list] of byCase) {
      const [n, lat] = k.split('|').map(Number);
      list.sort((a, b) => (a.contender === 'recipe' ? -1 : b.contender === 'recipe' ? 1 : a.concurrency - b.concurrency));
      for (const e of list) {
        const r = res.ratios?.find((x) => x.n === n && x.latencyMs === lat && x.concurrency === e.concurrency);
        const md = e.median;
        const fl = e.contender === 'node' ? res.floor?.find((f) => f.n === n && f.latencyMs === lat && f.concurrency === e.concurrency) : null;
        rows.push([
          `${fmt(n)} items, ${lat} ms`,
          contenderName(e),
          sec(md.cancelMs),
          fmt(md.callsPerSec),
          e.contender === 'node' ? ratio(r?.vsRecipe) : '1×',
          e.contender === 'node' ? (fl ? `${pct(r?.ofFloor)} of ${fmt(fl.median.callsPerSec)}` : '–') : '–',
          sec(md.wallMs),
          mb(md.peakTreeRssMb),
          mb(md.peakProcessRssMb),
          fmt(md.requests),
          fmt(md.peakInFlight),
          md.okRuns === md.runs ? `${md.runs}` : `**${md.okRuns}/${md.runs} ok**`,
        ]);
      }
    }
    L.push(table(['case', 'contender', 'cancel step', 'calls/s', 'vs recipe', 'of the floor (calls/s)', 'wall', 'peak RSS', 'largest process', 'requests', 'peak in flight', 'runs'], rows, 2));
    L.push('');
    const failed = [...res.n8n, ...(res.scaling ?? [])].flatMap((e) => e.runs.filter((r) => !r.ok).map((r) => `${contenderName(e)}, ${fmt(e.n)} items, ${e.latencyMs} ms: ${r.error ?? `${r.outputItems} items out, ${r.cancelled} cancelled`}`));
    if (failed.length) {
      L.push('Failed runs (left out of the medians when at least one run of the case succeeded):');
      L.push('');
      for (const f of [...new Set(failed)]) L.push(`- ${f}`);
      L.push('');
    }
  }

  if (res.reliability?.length) {
    L.push('### One unknown call id (404) among 10 items');
    L.push('');
    L.push(`Ten items, the fifth (\`${'bench_missing_404'}\`) unknown to the sandbox; the other nine are queued calls. With each node's default error handling, and with "On Error: Continue (regular output)".`);
    L.push('');
    L.push(table(['contender', 'On Error', 'execution', 'items out', 'items naming their call id', 'requests sent', 'calls actually cancelled', 'what the run says about the 404'],
      res.reliability.map((r) => [
        r.contender === 'recipe' ? 'vendor recipe' : 'HuskyVoice node',
        r.onError,
        r.status,
        fmt(r.outputItems),
        fmt(r.itemsNamingTheirCall),
        fmt(r.requests),
        fmt(r.cancelledInSandbox),
        (r.runError ? `run fails: "${r.runError}"` : r.failedItem ? `item 5: ${r.failedItem}` : '–').replace(/\n/g, ' ').replace(/\|/g, '\\|'),
      ]), 2));
    L.push('');
  }

  if (res.floor?.length) {
    L.push('## 2. The floor: a plain Node script');
    L.push('');
    L.push('`bench/floor.mjs`: the same POST requests with the same Bearer header, `http.Agent({ keepAlive: true, maxSockets: C })`, C workers, every answer read and checked; no n8n, no core. The time is from the first request to the last answer.');
    L.push('');
    L.push(table(['case', 'concurrency', 'time', 'calls/s', 'requests', 'peak in flight', 'RSS'], res.floor
      .slice().sort((a, b) => a.n - b.n || a.latencyMs - b.latencyMs || a.concurrency - b.concurrency)
      .map((f) => [`${fmt(f.n)} items, ${f.latencyMs} ms`, f.concurrency, sec(f.median.ms), fmt(f.median.callsPerSec), fmt(f.median.requests), fmt(f.median.peakInFlight), mb(f.median.maxRssMb)])));
    L.push('');
  }

  const c = res.core ?? {};
  if (c.sizes?.length || c.coldLoad || c.tarball) {
    L.push('## 3. The core: WebAssembly vs plain TypeScript');
    L.push('');
    if (c.sizes?.length) {
      const p = c.parity;
      L.push('Validate + build + interpret one cancel per item (a 200 `cancelled` answer), the workload of `bench/core.bench.mjs`. **single**: `validateCallId`, `buildCancelRequest`, `interpretCancelResponse` per item (three crossings of the WASM boundary per item); **batched**: `buildCancelRequests` and `interpretCancelResponses` over all items (two crossings in all). '
        + 'The plain TypeScript implementation of the same rules (`bench/plain-ts/core.ts`, compiled in the run with the repository\'s TypeScript; kept in `bench/` only) runs the same loops. '
        + (p?.cases ? `Before timing, it was checked against the WASM core on ${p.cases} inputs (valid and invalid ids, base URLs, keys, webhooks; every status and body shape): ${p.agree} give identical results${p.agree === p.cases ? '' : ` — **${p.cases - p.agree} differ**`}.` : ''));
      L.push('');
      L.push(table(['items', 'WASM single', 'WASM batched', 'plain TS single', 'plain TS batched', 'batched: WASM / plain TS', 'runs (median)'], c.sizes.map((s) => [
        fmt(s.items), us(s.wasm?.single), us(s.wasm?.batched), us(s.plain?.single), us(s.plain?.batched),
        s.wasm?.batched && s.plain?.batched ? ratio(s.wasm.batched / s.plain.batched) : '–', fmt(s.runs),
      ])));
      L.push('');
      L.push('Per item, median of the runs; at 1 item a "run" is a single call, so that row is the fixed cost of one crossing (JIT warm).');
      L.push('');
    }
    const rowsS = [];
    if (c.coldLoad) rowsS.push([`cold load of the node's embedded core (\`${c.coldLoad.file}\`, ${fmt(c.coldLoad.bytes / 1024)} kB, the .wasm inlined), fresh process, median of ${c.coldLoad.runs.length}`, `${fmt(c.coldLoad.medianMs, 1)} ms`]);
    if (c.wasmBytes) rowsS.push(['`huskyvoice_core_bg.wasm`, raw', `${fmt(c.wasmBytes)} bytes (${fmt(c.wasmBytes / 1024, 0)} kB)`]);
    if (c.wasmGzipBytes) rowsS.push(['`huskyvoice_core_bg.wasm`, gzip -9', `${fmt(c.wasmGzipBytes)} bytes (${fmt(c.wasmGzipBytes / 1024, 0)} kB)`]);
    if (c.tarball) rowsS.push([`packed node (\`npm pack\`: ${c.tarball.name}, ${c.tarball.files} files)`, `${fmt(c.tarball.bytes)} bytes (${fmt(c.tarball.bytes / 1024, 0)} kB)`]);
    if (rowsS.length) {
      L.push(table(['what', 'size / time'], rowsS));
      L.push('');
    }
  }

  if (res.scaling?.length) {
    L.push('## 4. Scaling: the node at 100 to 100,000 items');
    L.push('');
    L.push('Concurrency 20, sandbox latency 0 ms (so the figure is n8n\'s and the node\'s own cost per item). Rows marked ¹ are the same runs as in section 1.');
    L.push('');
    L.push(table(['items', 'cancel step', 'per item', 'calls/s', 'wall', 'CPU (whole n8n process tree)', 'peak RSS', 'largest process', 'requests', 'runs'], res.scaling.map((e) => [
      `${fmt(e.n)}${e.sharedWithSection1 ? ' ¹' : ''}`, sec(e.median.cancelMs), e.median.perItemMs == null ? '–' : `${fmt(e.median.perItemMs * 1000, 0)} µs`,
      fmt(e.median.callsPerSec), sec(e.median.wallMs), sec(e.median.cpuMs), mb(e.median.peakTreeRssMb), mb(e.median.peakProcessRssMb), fmt(e.median.requests),
      e.median.okRuns === e.median.runs ? `${e.median.runs}` : `**${e.median.okRuns}/${e.median.runs} ok**`,
    ])));
    L.push('');
  }

  for (const p of res.profiles ?? []) {
    L.push(`## Where the ${p.contender === 'node' ? 'node' : 'recipe'} spends its time (CPU profile)`);
    L.push('');
    L.push(p.markdown ?? '');
    L.push('');
    if (p.contender === 'node') {
      L.push('How to read it: "Node.js internals", axios, follow-redirects, @n8n/backend-network and proxy-from-env are n8n\'s HTTP helper (`httpRequestWithAuthentication`) doing one request: in n8n 2.41.1 it builds a new `http.Agent` for every request, so every cancel opens and closes its own TCP connection (`internalConnect`, `Socket`), resolves proxy settings from the environment and merges an axios config. "HuskyVoice node" and "huskyvoice core" are everything the node itself does per item.');
    } else {
      L.push('How to read it: per item the recipe fetches and decrypts its credential (@n8n/typeorm, sqlite3, `hkdfSync`, key objects), evaluates its URL expression in the isolated-vm expression runtime, and then does the same HTTP helper work as the node.');
    }
    L.push('');
  }

  if (res.limit?.rows?.length) {
    const lim = res.limit;
    L.push("## Under HuskyVoice's documented limit (60 requests per minute per API key)");
    L.push('');
    L.push(`${lim.calls} cancels of queued calls in real n8n ${v.n8n} against the sandbox at \`--rate-limit ${lim.limit}\` (a sliding window per key, 429 with \`Retry-After\` past it), both contenders at their defaults (the node: Requests per Minute 60). `
      + `The least time the limit allows: the ${lim.calls}th request no sooner than ${Math.floor((lim.calls - 1) / 60)} windows after the first, ${sec(lim.minimumMs)}. One run each (\`node bench/limit.bench.mjs\`).`);
    L.push('');
    L.push(table(['contender', 'execution', 'cancelled', 'failed items', '429s received', 'requests', 'most in one window', 'cancel step', 'vs the minimum'],
      lim.rows.map((r) => [r.contender === 'recipe' ? 'vendor recipe (HTTP Request 4.2)' : 'HuskyVoice node (defaults)', r.status, fmt(r.cancelled), fmt(r.failed), fmt(r.rateLimited), fmt(r.requests), fmt(r.maxInWindow),
        sec(r.cancelStepMs), r.cancelStepMs == null ? '–' : `${fmt((r.cancelStepMs / lim.minimumMs) * 100, 1)} %`])));
    L.push('');
  }
  if (res.engine) {
    const e = res.engine;
    L.push("## The run engine's own cost per job");
    L.push('');
    L.push(`${fmt(e.jobs)} cancels through \`Run.poll\` / \`Run.respond\` with every answer a 200 "cancelled" (no network, no pacing, concurrency 20), then \`Run.report\`; median of ${e.runs} (\`node bench/engine.bench.mjs\`).`);
    L.push('');
    L.push(table(['', 'per job'], [
      ['native Rust (`cargo run --release -p huskyvoice-core --example engine_speed`)', us(e.native?.perJobMicros)],
      ['native, with the report', us(e.native?.perJobWithReportMicros)],
      ['WASM, the poll/respond loop (engine + boundary + report)', us(e.wasmBareMicros)],
      ['WASM, through `drive()` (the shared driver loop added)', us(e.wasmDrivenMicros)],
    ]));
    L.push('');
  }

  if (res.events) {
    const v = res.events;
    L.push('## Verifying one signed call event');
    L.push('');
    L.push(`A \`call.completed\` event of ${fmt(v.bytes)} bytes with a valid \`X-Husky-Signature\`: HMAC-SHA256 over the bytes, constant-time compare, envelope parsed; median of ${v.runs} × ${fmt(v.n)} (\`node bench/events.bench.mjs\`).`);
    L.push('');
    L.push(table(['', 'per event'], [
      ['native Rust `verify_event` (`--example verify_speed`, the release profile: opt-level z)', us(v.native?.perVerifyMicros)],
      ['WASM `verifyEvent` (the event handed to JS as an object)', us(v.wasmMicros)],
      ['plain Node: `node:crypto` HMAC + `timingSafeEqual` + `JSON.parse`', us(v.plainNodeMicros)],
    ]));
    L.push('');
  }

  if (res.client?.floor) {
    const f = res.client.floor;
    const b = res.client.big;
    L.push('## The Node client (`huskyvoice-core` `cancelCalls`) vs the plain-Node floor');
    L.push('');
    L.push(`\`cancelCalls\` (the run engine in WASM, the shared driver loop, node:http keep-alive agents) against the sandbox with no limit and the client's pacer off, next to \`bench/floor.mjs\` (bare keep-alive requests, nothing decided) with the same concurrency, alternating in fresh processes; medians of ${f.rounds} rounds (\`node bench/client.bench.mjs\`).`);
    L.push('');
    const rows = [[`calls/s, ${fmt(f.n)} ids, concurrency ${f.concurrency}, ${f.latencyMs} ms latency`, fmt(f.clientCallsPerSec, 1), fmt(f.floorCallsPerSec, 1), `${fmt(f.ratio * 100, 1)} %`]];
    if (b) {
      rows.push([`total, ${fmt(b.n)} ids at 0 ms`, `${fmt(b.clientMs)} ms`, `${fmt(b.floorMs)} ms`, `${fmt((b.floorMs / b.clientMs) * 100, 1)} %`]);
      rows.push(['per id at 0 ms', us(b.clientUsPerId), us(b.floorUsPerId), '']);
      rows.push([`of which the engine (\`poll\` ${us(b.pollUsPerJob)} + \`respond\` ${us(b.respondUsPerJob)})`, us(b.engineUsPerJob), '', '']);
    }
    L.push(table(['', 'client', 'floor', 'client / floor'], rows));
    L.push('');
  }

  L.push('## Reproduce');
  L.push('');
  L.push('```sh');
  L.push('npm run setup            # once: toolchain, core build, sandbox build');
  L.push('npm run bench            # everything, about 20 minutes on 2 cores (n8n 2.41.1 is installed into a cache outside the repository on first use)');
  L.push('node bench/run.mjs --quick            # smoke run, about 3 minutes');
  L.push('node bench/run.mjs --runs 5 --only n8n,floor');
  L.push('node bench/profile.mjs --n 2000       # CPU profile of the node inside n8n (--recipe: of the recipe)');
  L.push('node bench/report.mjs                 # re-render this file from bench/results.json');
  L.push('```');
  L.push('');
  return `${L.join('\n')}\n`;
}

/**
 * Writes BENCHMARKS.md, keeping the sections other scripts own (they say "not by
 * `bench/report.mjs`", e.g. bench/queue.bench.mjs's) from the file being replaced.
 */
export function writeBenchmarks(file, md) {
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const kept = old
    .split(/\n(?=## )/)
    .filter((section) => section.startsWith('## ') && section.includes('not by `bench/report.mjs`'))
    .filter((section) => !md.includes(section.split('\n')[0]));
  fs.writeFileSync(file, kept.length ? `${md.replace(/\s*$/, '')}\n\n${kept.map((k) => k.replace(/\s*$/, '')).join('\n\n')}\n` : md);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const input = process.argv[2] ?? path.join(here, 'results.json');
  const output = process.argv[3] ?? path.join(here, '..', 'BENCHMARKS.md');
  const res = JSON.parse(fs.readFileSync(input, 'utf8'));
  // Recomputed, so a change in how ratios or targets are judged applies without re-measuring.
  res.ratios = computeRatios(res);
  res.targets = computeTargets(res);
  fs.writeFileSync(input, `${JSON.stringify(res, null, 2)}\n`);
  writeBenchmarks(output, renderMarkdown(res));
  console.log(`wrote ${output}`);
}
