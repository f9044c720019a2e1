// n8n in queue mode on one machine: a main process (`n8n start`: editor, production webhooks,
// enqueues executions in Redis) and workers (`n8n worker --concurrency N`), all on one PostgreSQL
// database and one Redis, each with its own N8N_USER_FOLDER (as separate machines or containers
// would have) holding the packed HuskyVoice node as a community package, its own task-broker
// port and its own health port. Logs go to files so a test can tell which worker ran what.
//
// ESM, Node 20+, no dependencies. Built on tests/e2e/lib/n8n.mjs; facts in /work/shared/N8N.md.

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import {
  createInstance, importCredentials, importWorkflow, n8nCommand, startServer, waitForWebhook,
} from '../../e2e/lib/n8n.mjs';
import { adopt, freePort, log, startProcess, waitFor } from './services.mjs';

export const NODE_TYPE = 'n8n-nodes-huskyvoice.huskyVoice';

function tail(text, n = 30) {
  return String(text).split('\n').filter(Boolean).slice(-n).join('\n');
}

/** Environment every process of the cluster shares (queue mode, Redis, PostgreSQL). */
export function queueEnv({ redis, postgres, env = {} }) {
  return {
    EXECUTIONS_MODE: 'queue',
    QUEUE_BULL_REDIS_HOST: redis.host,
    QUEUE_BULL_REDIS_PORT: String(redis.port),
    DB_TYPE: 'postgresdb',
    DB_POSTGRESDB_HOST: postgres.host,
    DB_POSTGRESDB_PORT: String(postgres.port),
    DB_POSTGRESDB_DATABASE: postgres.database,
    DB_POSTGRESDB_USER: postgres.user,
    DB_POSTGRESDB_PASSWORD: '',
    DB_POSTGRESDB_POOL_SIZE: '4',
    N8N_LOG_LEVEL: 'info',
    N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
    ...env,
  };
}

/**
 * The workflow of issue 14: Webhook (POST `<path>`, answers with the last node's first item) →
 * HuskyVoice › Cancel Call with `{{ $json.body.call_id }}`.
 */
export function cancelWorkflow({ id, name, webhookPath, credential, options = {}, webhookId = randomUUID() }) {
  return {
    id,
    name,
    nodes: [
      {
        id: randomUUID(),
        name: 'Webhook',
        type: 'n8n-nodes-base.webhook',
        typeVersion: 2,
        position: [0, 0],
        parameters: {
          httpMethod: 'POST',
          path: webhookPath,
          responseMode: 'lastNode',
          responseData: 'firstEntryJson',
          options: {},
        },
        webhookId,
      },
      {
        id: randomUUID(),
        name: 'Cancel Call',
        type: NODE_TYPE,
        typeVersion: 1,
        position: [220, 0],
        parameters: {
          authentication: 'apiKey',
          resource: 'call',
          operation: 'cancel',
          callId: '={{ $json.body.call_id }}',
          options,
        },
        credentials: { huskyVoiceApi: { id: credential.id, name: credential.name } },
      },
    ],
    connections: {
      Webhook: { main: [[{ node: 'Cancel Call', type: 'main', index: 0 }]] },
    },
    settings: { executionOrder: 'v1' },
    active: false,
    pinData: {},
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * Sets up and starts a cluster in `root`:
 * 1. the main instance's user folder with the tarball installed; each worker's folder gets a
 *    copy of its `.n8n/nodes` (what `npm install` made there);
 * 2. credentials and workflows imported into PostgreSQL (the first command runs the migrations),
 *    every workflow published (`n8n publish:workflow --id`), so main activates its webhooks;
 * 3. main (`n8n start`, owner set up, logged in) and `workers` workers, started at once, each
 *    waited for (`/healthz/readiness` of main and of each worker's health server).
 * Returns `{ main, workers, startWorker(), webhookUrl(path), stop(), timings }`.
 */
export async function startCluster({
  n8n, tarball, root, redis, postgres, credentials = [], workflows = [], workers = 2, concurrency = 5,
  env = {}, onProgress = log,
}) {
  const timings = {};
  const time = async (label, fn) => {
    const t0 = performance.now();
    try {
      return await fn();
    } catch (e) {
      e.message = `step "${label}" failed: ${e.message}`;
      throw e;
    } finally {
      timings[label] = Math.round(performance.now() - t0);
    }
  };
  const shared = queueEnv({ redis, postgres, env });

  const mainInst = await time('install the node (npm install of the tarball)', () => createInstance(n8n, {
    packages: [tarball], env: shared, parent: root, prefix: 'main-',
  }));
  const nodesDir = path.join(mainInst.userFolder, '.n8n', 'nodes');

  const makeWorkerInstance = async (i) => {
    const inst = await createInstance(n8n, { env: shared, parent: root, prefix: `worker${i}-` });
    await fsp.cp(nodesDir, path.join(inst.userFolder, '.n8n', 'nodes'), { recursive: true, verbatimSymlinks: true });
    return inst;
  };

  if (credentials.length) {
    await time('n8n import:credentials (runs the PostgreSQL migrations)', () => importCredentials(mainInst, credentials));
  }
  if (workflows.length) {
    await time('n8n import:workflow', () => importWorkflow(mainInst, workflows));
    for (const wf of workflows) {
      await time(`n8n publish:workflow --id=${wf.id}`, async () => {
        const r = await n8nCommand(mainInst, ['publish:workflow', `--id=${wf.id}`], { timeoutMs: 180_000 });
        if (r.code !== 0) throw new Error(`exit ${r.code}:\n${tail(r.stderr + r.stdout)}`);
      });
    }
  }

  const cluster = {
    root, mainInst, workers: [], timings, main: null, concurrency,
    webhookUrl: (p) => `${cluster.main.url}/webhook/${p}`,
  };

  /** Starts one more worker (a fresh process with its own user folder); resolves it once ready. */
  let workerCount = 0;
  cluster.startWorker = async () => {
    const n = ++workerCount;
    const label = `worker${n}`;
    const inst = await makeWorkerInstance(n);
    const healthPort = await freePort();
    const logFile = path.join(root, `${label}.log`);
    const proc = startProcess(label, inst.n8n.nodeBin, [inst.n8n.n8nBin, 'worker', `--concurrency=${concurrency}`], {
      cwd: inst.dir,
      logFile,
      env: {
        ...inst.env,
        QUEUE_HEALTH_CHECK_ACTIVE: 'true',
        QUEUE_HEALTH_CHECK_PORT: String(healthPort),
        N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
      },
    });
    const worker = { label, inst, proc, healthPort, logFile, logs: proc.logs, killed: false };
    worker.started = () => [...proc.logs().matchAll(/Worker started execution (\d+)/g)].map((m) => m[1]);
    worker.finished = () => [...proc.logs().matchAll(/Worker finished execution (\d+)/g)].map((m) => m[1]);
    worker.kill = async () => { worker.killed = true; return proc.kill(); };
    worker.stop = () => proc.stop('SIGTERM', 20_000);
    cluster.workers.push(worker);
    await waitFor(`step "start ${label}" (n8n worker --concurrency=${concurrency})`, async () => {
      const r = await fetch(`http://127.0.0.1:${healthPort}/healthz/readiness`);
      return r.ok;
    }, {
      timeoutMs: 180_000,
      intervalMs: 500,
      failIf: () => proc.exitInfo && `the worker exited (${JSON.stringify(proc.exitInfo)})`,
      detail: () => `last lines of ${logFile}:\n${tail(proc.logs(), 40)}`,
    });
    if (!/n8n worker is now ready/.test(proc.logs())) {
      await waitFor(`step "start ${label}": ready line`, () => /n8n worker is now ready/.test(proc.logs()), { timeoutMs: 30_000 });
    }
    return worker;
  };

  const startMain = async () => {
    const server = await startServer(mainInst, {
      readyTimeoutMs: 180_000,
      env: { QUEUE_HEALTH_CHECK_PORT: String(await freePort()) },
    });
    adopt('n8n main', server.child);
    return server;
  };

  await time(`start main + ${workers} workers`, async () => {
    const [main] = await Promise.all([
      startMain(),
      ...Array.from({ length: workers }, () => cluster.startWorker()),
    ]);
    cluster.main = main;
  });

  // Main activates published workflows at start-up; their production webhooks must answer.
  for (const wf of workflows) {
    await time(`workflow ${wf.id} active`, () => waitFor(`step "workflow ${wf.id} is active on main"`, async () => {
      const data = await cluster.main.json('GET', `/rest/workflows/${wf.id}`);
      return data.active === true || Boolean(data.activeVersionId);
    }, { timeoutMs: 60_000, detail: () => tail(cluster.main.logs(), 40) }));
    // Published is not yet registered: main stores the webhooks a moment after it answers.
    for (const hook of wf.nodes.filter((n) => n.type === 'n8n-nodes-base.webhook')) {
      await time(`workflow ${wf.id} webhook ${hook.parameters.path} registered`, () =>
        waitForWebhook(cluster.main.url, hook.parameters.path, { method: hook.parameters.httpMethod ?? 'GET' }));
    }
  }

  /** Stops the workers (graceful, then SIGKILL of the group) and main. */
  cluster.stop = async () => {
    await Promise.all(cluster.workers.map((w) => w.proc.stop('SIGTERM', 15_000).catch(() => {})));
    if (cluster.main) await cluster.main.stop().catch(() => {});
  };

  cluster.logs = () => [
    `--- main (${cluster.main?.logFile}):\n${tail(cluster.main?.logs() ?? '', 30)}`,
    ...cluster.workers.map((w) => `--- ${w.label}${w.killed ? ' (killed)' : ''} (${w.logFile}):\n${tail(w.logs(), 30)}`),
  ].join('\n');

  /** Every log line of every process (main and workers), for a secrets check. */
  cluster.allLogs = () => [cluster.main?.logs() ?? '', ...cluster.workers.map((w) => w.logs())].join('\n');

  return cluster;
}

// ---------------------------------------------------------------------------------------------
// webhook client

/**
 * POSTs JSON with node:http (one connection per request, no client-side timeout but `timeoutMs`).
 * Resolves `{ status, body, text, ms }`; `status` 0 and `error` when no answer arrived.
 */
export function postJson(url, body, { timeoutMs = 300_000 } = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const data = Buffer.from(JSON.stringify(body));
    const req = http.request(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': data.length },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed;
        try { parsed = JSON.parse(text); } catch { parsed = undefined; }
        resolve({ status: res.statusCode, body: parsed, text, ms: performance.now() - t0 });
      });
      res.on('error', (e) => resolve({ status: 0, error: e.message, text: '', ms: performance.now() - t0 }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ status: 0, error: e.message, text: '', ms: performance.now() - t0 }));
    req.end(data);
  });
}

/** Runs `fn(item, index)` over `items`, `width` at a time; resolves the results in input order. */
export async function pool(items, width, fn) {
  const out = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  });
  await Promise.all(lanes);
  return out;
}

/** p-th percentile (0..100) of numbers, nearest rank. */
export function percentile(values, p) {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** `fs.existsSync` re-exported for tests that check folders are gone. */
export const exists = (p) => fs.existsSync(p);
