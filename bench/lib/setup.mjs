// What the n8n benchmarks share: the workflows (Manual Trigger -> Code node making N items ->
// the cancel step), the credentials, one sandbox seeded with enough queued calls, one n8n
// instance with the packed node installed, and a measured execution of one workflow.
//
// Reuses the e2e harness (tests/e2e/lib/n8n.mjs) for installing n8n, creating the instance and
// importing; executes through bench/lib/measure.mjs so the process tree's memory is sampled.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cleanup, createInstance, ensureN8n, importCredentials, importWorkflow, parseRawOutput, runData,
} from '../../tests/e2e/lib/n8n.mjs';
import { DEMO_API_KEY, startSandbox } from '../../tests/helpers/sandbox.mjs';
import { runMeasured } from './measure.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const N8N_VERSION = '2.41.1';
export const CALL_PREFIX = 'bench_';
export const MISSING_ID = 'bench_missing_404';
export const CANCEL_NODE = 'Cancel';
export const CODE_NODE = 'Make call ids';

const CRED_NODE = { id: 'benchHvApi', name: 'HuskyVoice bench sandbox (API key)' };
const CRED_RECIPE = { id: 'benchHeaderAuth', name: 'HuskyVoice bench sandbox (Header Auth, the vendor recipe)' };

/** Credentials for both contenders, pointing at the sandbox. */
export function credentials(sandboxUrl, { withNode = true } = {}) {
  const list = [{
    ...CRED_RECIPE,
    type: 'httpHeaderAuth',
    data: { name: 'Authorization', value: `Bearer ${DEMO_API_KEY}` },
  }];
  if (withNode) {
    list.push({ ...CRED_NODE, type: 'huskyVoiceApi', data: { apiKey: DEMO_API_KEY, baseUrl: sandboxUrl } });
  }
  return list;
}

/** The Code node's program: N items `{ call_id: 'bench_<i>' }`, optionally one unknown id. */
function codeFor(n, missingAt) {
  const miss = missingAt == null ? '' : `out[${missingAt}] = { json: { call_id: '${MISSING_ID}' } };\n`;
  return `const n = ${n};\nconst out = new Array(n);\nfor (let i = 0; i < n; i++) out[i] = { json: { call_id: '${CALL_PREFIX}' + i } };\n${miss}return out;`;
}

/** The vendor's recipe: HTTP Request 4.2, POST .../v1/calls/{{ $json.call_id }}/cancel, Header Auth, defaults. */
function recipeNode(sandboxUrl) {
  return {
    id: 'b0000000-0000-4000-8000-000000000003',
    name: CANCEL_NODE,
    type: 'n8n-nodes-base.httpRequest',
    typeVersion: 4.2,
    position: [440, 0],
    parameters: {
      method: 'POST',
      url: `=${sandboxUrl}/v1/calls/{{ $json.call_id }}/cancel`,
      authentication: 'genericCredentialType',
      genericAuthType: 'httpHeaderAuth',
      options: {},
    },
    credentials: { httpHeaderAuth: CRED_RECIPE },
  };
}

/**
 * Our node, REST with the API key credential, at a given concurrency. Unpaced (Requests per
 * Minute 0) unless `paced`: the sandbox of these benchmarks has no rate limit, and the figures
 * measure throughput; the paced node is measured against a limiting sandbox (limit.bench.mjs).
 */
function ourNode(concurrency, paced = false) {
  return {
    id: 'b0000000-0000-4000-8000-000000000004',
    name: CANCEL_NODE,
    type: 'n8n-nodes-huskyvoice.huskyVoice',
    typeVersion: 1,
    position: [440, 0],
    parameters: {
      authentication: 'apiKey',
      resource: 'call',
      operation: 'cancel',
      callId: '={{ $json.call_id }}',
      options: { ...(concurrency == null ? {} : { concurrency }), ...(paced ? {} : { requestsPerMinute: 0 }) },
    },
    credentials: { huskyVoiceApi: CRED_NODE },
  };
}

/**
 * One benchmark workflow. `kind`: 'recipe' | 'node'. Its id encodes the parameters so that one
 * import holds every variant.
 */
export function workflow({ kind, n, concurrency = null, missingAt = null, onError = null, paced = false, sandboxUrl }) {
  const id = `bench${kind === 'recipe' ? 'Recipe' : `Node${concurrency ?? 'D'}c${paced ? 'Paced' : ''}`}${n}n${missingAt == null ? '' : `m${missingAt}`}${onError ? 'Cont' : ''}`;
  const cancel = kind === 'recipe' ? recipeNode(sandboxUrl) : ourNode(concurrency, paced);
  if (onError) cancel.onError = onError;
  return {
    id,
    name: `bench: ${kind === 'recipe' ? 'vendor recipe (HTTP Request 4.2)' : `HuskyVoice node, concurrency ${concurrency ?? 'default'}`}, ${n} items${missingAt == null ? '' : `, one unknown id at ${missingAt}`}${onError ? `, On Error: ${onError}` : ''}`,
    nodes: [
      { id: 'b0000000-0000-4000-8000-000000000001', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
      { id: 'b0000000-0000-4000-8000-000000000002', name: CODE_NODE, type: 'n8n-nodes-base.code', typeVersion: 2, position: [220, 0], parameters: { jsCode: codeFor(n, missingAt) } },
      cancel,
    ],
    connections: {
      Start: { main: [[{ node: CODE_NODE, type: 'main', index: 0 }]] },
      [CODE_NODE]: { main: [[{ node: CANCEL_NODE, type: 'main', index: 0 }]] },
    },
    settings: { executionOrder: 'v1' },
    active: false,
    pinData: {},
  };
}

/**
 * Installs/reuses n8n, starts a sandbox seeded with `maxN` queued calls (`bench_0` ...), creates
 * an instance with the node tarball (if any) and imports the credentials and `workflows`
 * (a function of the sandbox URL). Returns `{ n8n, inst, sandbox, close() }`.
 */
export async function setup({ tarball, maxN, workflows, sandboxArgs = [], onProgress = () => {} }) {
  const n8n = await ensureN8n({ version: N8N_VERSION, onProgress });
  const calls = Array.from({ length: maxN }, (_, i) => ({ call_id: `${CALL_PREFIX}${i}` }));
  const sandbox = await startSandbox({ args: ['--no-log', ...sandboxArgs], seed: { calls } });
  const port = new URL(sandbox.url).port;
  let inst;
  try {
    onProgress(`sandbox at ${sandbox.url} (${maxN} queued calls); creating an n8n ${N8N_VERSION} instance`);
    inst = await createInstance(n8n, { packages: tarball ? [tarball] : [], prefix: 'huskyvoice-bench-' });
    await importCredentials(inst, credentials(sandbox.url, { withNode: Boolean(tarball) }));
    const list = workflows(sandbox.url);
    await importWorkflow(inst, list);
    onProgress(`imported ${list.length} workflows`);
  } catch (e) {
    await sandbox.stop();
    if (inst) await cleanup(inst);
    throw e;
  }
  const ctx = {
    n8n,
    inst,
    sandbox,
    sandboxRestarts: 0,
    /**
     * Runs `fn(sandbox)`; if the sandbox process has died (another session on a shared machine
     * may end it), starts it again on the same port with the same seed and retries once.
     */
    async admin(fn) {
      try {
        return await fn(ctx.sandbox);
      } catch (e) {
        const p = ctx.sandbox.process;
        if (p.exitCode === null && p.signalCode === null) {
          // Alive: most likely a pooled keep-alive connection the sandbox had closed while idle
          // ("other side closed"); a second attempt opens a fresh one.
          await new Promise((r) => setTimeout(r, 200));
          return fn(ctx.sandbox);
        }
        onProgress(`the sandbox exited (${p.exitCode ?? p.signalCode}); starting it again on port ${port}`);
        ctx.sandbox = await startSandbox({ args: ['--no-log', ...sandboxArgs, '--port', port], seed: { calls } });
        ctx.sandboxRestarts++;
        return fn(ctx.sandbox);
      }
    },
    async close() {
      await ctx.sandbox.stop();
      await cleanup(inst);
    },
  };
  return ctx;
}

/**
 * Resets the sandbox (every seeded call queued again, stats zeroed), sets its latency, runs
 * `n8n execute --id=<id> --rawOutput` measured, and reads the sandbox's stats. Resolves
 * `{ ok, status, timedOut, wallMs, cancelMs, codeMs, items, peakTreeRssKb, peakProcessRssKb,
 * processes, requests, peakInFlight, data, stdout, stderr }`. Never throws for a failed run.
 */
export async function executeMeasured(ctx, workflowId, { latencyMs = 0, env = {}, timeoutMs = 300_000 } = {}) {
  const { inst } = ctx;
  const restartsBefore = ctx.sandboxRestarts;
  await ctx.admin(async (sb) => {
    await sb.reset();
    await sb.config({ latency_ms: latencyMs, log_requests: false });
  });
  const r = await runMeasured(inst.n8n.nodeBin, [inst.n8n.n8nBin, 'execute', `--id=${workflowId}`, '--rawOutput'], {
    cwd: inst.dir,
    env: { ...inst.env, ...env },
    timeoutMs,
  });
  const stats = await ctx.admin((sb) => sb.stats());
  const data = parseRawOutput(r.stdout);
  const rd = data ? runData(data) : {};
  const cancelRun = rd[CANCEL_NODE]?.[0];
  const codeRun = rd[CODE_NODE]?.[0];
  const status = data?.status ?? (data?.data?.resultData?.error ? 'error' : data ? 'success' : 'error');
  return {
    ok: r.code === 0 && status === 'success' && !r.timedOut && ctx.sandboxRestarts === restartsBefore,
    code: r.code,
    status,
    timedOut: r.timedOut,
    wallMs: r.ms,
    cancelMs: cancelRun?.executionTime ?? null,
    codeMs: codeRun?.executionTime ?? null,
    items: cancelRun?.data?.main?.[0] ?? null,
    cancelError: cancelRun?.error ?? null,
    peakTreeRssKb: r.peakTreeRssKb,
    peakProcessRssKb: r.peakProcessRssKb,
    cpuMs: r.cpuMs,
    processes: r.processes,
    requests: stats.requests_total,
    peakInFlight: stats.peak_in_flight,
    sandboxRestarted: ctx.sandboxRestarts !== restartsBefore,
    data,
    stdout: r.stdout,
    stderr: r.stderr,
  };
}
