// The shared e2e fixture: one real n8n instance (per test process) with the packed HuskyVoice
// node installed, the sandbox servers, and every credential and workflow under tests/e2e/
// imported once. Executions are memoised, so several test files can assert on one run of a
// workflow that holds several independent scenarios as separate branches.

import fs from 'node:fs';
import { after, before, test } from 'node:test';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as n8nlib from './n8n.mjs';
import { buildAndPackNode, REPO_ROOT } from './pack.mjs';

export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const WORKFLOWS_DIR = path.join(E2E_DIR, 'workflows');
export const CREDENTIALS_DIR = path.join(E2E_DIR, 'credentials');
export const SANDBOX_HELPER = path.join(REPO_ROOT, 'tests', 'helpers', 'sandbox.mjs');

/** Test credentials (the sandbox's defaults and two made-up keys). None may ever be printed. */
export const SECRETS = {
  API_KEY: 'sk_test_sandbox',
  WEBHOOK_TOKEN: 'sandbox-token',
  WRONG_KEY: 'sk_test_e2e_wrong_key_4711',
  READONLY_KEY: 'sk_test_e2e_readonly_key_0815',
};

/** Sandbox arguments: the default key (all scopes), a read-only key (403 on cancel), the token. */
export const SANDBOX_ARGS = [
  '--api-key', SECRETS.API_KEY,
  '--api-key', `${SECRETS.READONLY_KEY}:calls:read`,
  '--webhook-token', SECRETS.WEBHOOK_TOKEN,
];
/** Calls advance one state per tick on the second sandbox (scenario 11). */
export const ADVANCE_EVERY_MS = 1000;

export const log = (msg) => process.stderr.write(`[e2e] ${msg}\n`);

// ---------------------------------------------------------------------------------------------
// templating

/** Replaces `%NAME%` placeholders in every string of a JSON value. */
export function template(value, vars) {
  if (typeof value === 'string') {
    return value.replace(/%([A-Z][A-Z0-9_]*)%/g, (m, name) => (name in vars ? String(vars[name]) : m));
  }
  if (Array.isArray(value)) return value.map((v) => template(v, vars));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, template(v, vars)]));
  }
  return value;
}

/** Reads a JSON file under tests/e2e and fills in the placeholders; throws if one is left. */
export function loadJson(file, vars = {}) {
  const abs = path.isAbsolute(file) ? file : path.join(E2E_DIR, file);
  const data = template(JSON.parse(fs.readFileSync(abs, 'utf8')), vars);
  const left = JSON.stringify(data).match(/%[A-Z][A-Z0-9_]*%/g);
  if (left) throw new Error(`${abs}: placeholders without a value: ${[...new Set(left)].join(', ')}`);
  return data;
}

/** Names of the files in a folder (sorted), optionally filtered by a prefix. */
export function jsonFiles(dir, prefix = '') {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json') && f.startsWith(prefix)).sort();
}

// ---------------------------------------------------------------------------------------------
// secrets

/** Every secret that occurs in `text`, by name (for an assertion message without the value). */
export function leakedSecrets(text, secrets = SECRETS) {
  return Object.entries(secrets).filter(([, v]) => text.includes(v)).map(([k]) => k);
}

// ---------------------------------------------------------------------------------------------
// sandbox

let sandboxModule = null;
export async function loadSandboxHelper({ waitMs = 0 } = {}) {
  const t0 = Date.now();
  while (!fs.existsSync(SANDBOX_HELPER)) {
    if (Date.now() - t0 >= waitMs) {
      throw new Error(`${path.relative(REPO_ROOT, SANDBOX_HELPER)} does not exist yet: the sandbox server is needed for the e2e tests`);
    }
    await new Promise((r) => setTimeout(r, 5000));
  }
  sandboxModule ??= await import(pathToFileURL(SANDBOX_HELPER).href);
  return sandboxModule;
}

/** Request-log entries whose path mentions one of the call ids (exact path segment). */
export function requestsFor(requests, ids) {
  const set = new Set(Array.isArray(ids) ? ids : [ids]);
  return requests.filter((r) => {
    const m = /^\/v1\/calls\/([^/?]+)\/cancel/.exec(r.path);
    if (m) return set.has(decodeURIComponent(m[1]));
    if (/^\/v1\/hooks\//.test(r.path)) {
      const body = typeof r.body === 'string' ? safeJson(r.body) : r.body;
      return set.has(body?.data?.call_id);
    }
    return false;
  });
}

export function safeJson(text) {
  try { return JSON.parse(text); } catch { return undefined; }
}

/** A header of a logged request, whatever shape the log uses (object or [name, value] pairs). */
export function header(req, name) {
  const h = req.headers ?? {};
  const lower = name.toLowerCase();
  if (Array.isArray(h)) {
    const hit = h.find((p) => String(p[0] ?? p.name).toLowerCase() === lower);
    return hit ? (hit[1] ?? hit.value) : undefined;
  }
  for (const [k, v] of Object.entries(h)) if (k.toLowerCase() === lower) return Array.isArray(v) ? v.join(', ') : v;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// the suite

let suitePromise = null;
let suiteState = null;

/** Collected timings (ms), printed by run.mjs. */
export const timings = { steps: {}, executions: {} };

function record(name, ms) {
  timings.steps[name] = Math.round(ms);
}

/**
 * Sets everything up once per process and resolves the shared context:
 * `{ n8n, node, sandbox, advanceSandbox, inst, vars, workflows, execute(id), hasNode }`.
 */
export function suite() {
  suitePromise ??= setUp().catch((e) => {
    suitePromise = null;
    throw e;
  });
  return suitePromise;
}

async function setUp() {
  const state = { stops: [] };
  suiteState = state;
  let t = performance.now();
  const n8n = await n8nlib.ensureN8n({ version: n8nlib.DEFAULT_N8N_VERSION });
  record('ensure n8n 2.41.1', performance.now() - t);

  t = performance.now();
  const node = await buildAndPackNode({ onProgress: log });
  record('build+pack node', performance.now() - t);
  if (node.skipped) log(node.skipped);
  else if (node.files.length) log(`packed ${path.basename(node.tarball)} (${node.files.length} files)`);

  const { startSandbox } = await loadSandboxHelper();
  t = performance.now();
  const sandbox = await startSandbox({ args: SANDBOX_ARGS });
  state.stops.push(() => sandbox.stop());
  const advanceSandbox = await startSandbox({ args: [...SANDBOX_ARGS, '--advance-every', String(ADVANCE_EVERY_MS)] });
  state.stops.push(() => advanceSandbox.stop());
  record('start sandboxes', performance.now() - t);

  const vars = {
    SANDBOX_URL: sandbox.url.replace(/\/$/, ''),
    ADVANCE_SANDBOX_URL: advanceSandbox.url.replace(/\/$/, ''),
    ...SECRETS,
  };

  t = performance.now();
  const inst = await n8nlib.createInstance(n8n, { packages: node.skipped ? [] : [node.tarball] });
  state.stops.push(() => n8nlib.cleanup(inst));
  record('create instance (+ install package)', performance.now() - t);

  // Only what this n8n can load: the node's credentials and workflows need the package.
  const credFiles = jsonFiles(CREDENTIALS_DIR).filter((f) => !node.skipped || f.startsWith('recipe-'));
  const creds = credFiles.flatMap((f) => loadJson(path.join('credentials', f), vars));
  t = performance.now();
  await n8nlib.importCredentials(inst, creds);
  record('n8n import:credentials', performance.now() - t);

  const wfFiles = jsonFiles(WORKFLOWS_DIR).filter((f) => !f.startsWith('smoke-') && (!node.skipped || f.startsWith('recipe-')));
  const workflows = Object.fromEntries(wfFiles.map((f) => {
    const wf = loadJson(path.join('workflows', f), vars);
    return [wf.id, wf];
  }));
  t = performance.now();
  await n8nlib.importWorkflow(inst, Object.values(workflows));
  record(`n8n import:workflow (${wfFiles.length} workflows)`, performance.now() - t);

  const runs = new Map();
  // n8n processes run one after the other: 2 cores, one SQLite database.
  let queue = Promise.resolve();
  const ctx = {
    n8n,
    node,
    hasNode: !node.skipped,
    sandbox,
    advanceSandbox,
    inst,
    vars,
    workflows,
    /**
     * Executes a workflow once (memoised). `prepare()` runs just before (arm faults, seed calls).
     * Resolves the `execute` result plus `requests`: what the sandbox logged during this run
     * only. Other work on the shared instance (the credential tests' probes, earlier
     * executions) runs in the same queue, and which of it came first depends on how node:test
     * interleaves the files, so the whole log would make a test depend on that order.
     */
    execute(id, { prepare, sandbox: sb = sandbox } = {}) {
      if (!runs.has(id)) {
        const p = queue.then(async () => {
          if (!workflows[id]) throw new Error(`workflow ${id} was not imported`);
          if (prepare) await prepare(ctx);
          const logged = (await sb.requests()).length;
          const res = await n8nlib.execute(inst, id);
          timings.executions[id] = Math.round(res.ms);
          res.requests = (await sb.requests()).slice(logged);
          return res;
        });
        queue = p.catch(() => {});
        runs.set(id, p);
      }
      return runs.get(id);
    },
    /** Runs something that needs the instance alone (a server start) after queued executions. */
    exclusive(fn) {
      const p = queue.then(fn);
      queue = p.catch(() => {});
      return p;
    },
  };
  return ctx;
}

/** Stops the sandboxes, servers and removes the instance folder. Idempotent. */
export async function teardownSuite() {
  const state = suiteState;
  if (!state) return;
  suiteState = null;
  suitePromise = null;
  for (const stop of state.stops.reverse()) {
    try { await stop(); } catch (e) { log(`teardown: ${e.message}`); }
  }
}

/** Formats the collected timings as lines for the summary. */
export function timingLines() {
  const lines = [];
  for (const [k, v] of Object.entries(timings.steps)) lines.push(`  ${k.padEnd(44)} ${(v / 1000).toFixed(1).padStart(7)} s`);
  for (const [k, v] of Object.entries(timings.executions)) lines.push(`  ${`n8n execute ${k}`.padEnd(44)} ${(v / 1000).toFixed(1).padStart(7)} s`);
  return lines;
}

export { n8nlib, fsp };

// ---------------------------------------------------------------------------------------------
// helpers for the HuskyVoice node scenarios

export const NODE_MISSING = 'n8n-node/ is not there yet: HuskyVoice node scenario skipped';

/** The suite context, or null (and the test marked skipped) when the node is not built. */
export async function nodeSuite(t) {
  const ctx = await suite();
  if (!ctx.hasNode) {
    t.skip(NODE_MISSING);
    return null;
  }
  return ctx;
}

/**
 * The setup of a describe block with a sandbox of its own; call it inside the block. `before`:
 * the shared n8n instance, a sandbox started with `args`, then `prepare(ctx, sandbox)` (imports)
 * with the instance to itself; `after`: the sandbox stops. Returns `it`: a `test` that is
 * skipped when the node is not built.
 */
export function withOwnSandbox({ args, prepare }) {
  let ctx;
  let sb;
  before(async () => {
    ctx = await suite();
    if (!ctx.hasNode) return;
    const { startSandbox } = await loadSandboxHelper();
    sb = await startSandbox({ args });
    await ctx.exclusive(() => prepare(ctx, sb));
  });
  after(async () => {
    await sb?.stop();
  });
  return (name, fn) => test(name, async (t) => {
    if (!ctx?.hasNode) return t.skip(NODE_MISSING);
    return fn(t);
  });
}

/** Seeds calls: `{ id: status }`. */
export function seed(sandbox, map) {
  return sandbox.addCalls(Object.entries(map).map(([call_id, status]) => ({ call_id, status })));
}

/** The output fields issue 4 promises on every successful item. */
export const OUTPUT_FIELDS = ['callId', 'outcome', 'cancelled', 'callStatus', 'message', 'httpStatus', 'via', 'attempts'];

/** A readable one-line view of an item for assertion messages. */
export function show(x) {
  return JSON.stringify(x).slice(0, 600);
}

/**
 * The fields of an error item. n8n 2.41.1 routes an item to the error output only when its
 * json holds nothing but `error`, `message`, `details` (or when `item.error` is set, which then
 * replaces the whole json with `{error: message}`), merging the input item's json in; so a node
 * can carry callId/outcome either as top-level fields (regular output) or inside `details`.
 */
export function errorFields(json) {
  const d = json?.details && typeof json.details === 'object' ? json.details : {};
  return {
    callId: json?.callId ?? d.callId,
    outcome: json?.outcome ?? d.outcome,
    text: errorText(json),
  };
}

/** The message of an error item (`json.error` may be a string or an object) plus its description. */
export function errorText(json) {
  const e = json?.error;
  if (e == null) return '';
  const more = [json.message, json.description, typeof json.details === 'string' ? json.details : json.details?.description]
    .filter((x) => typeof x === 'string');
  if (typeof e === 'string') return [e, ...more].join(' ');
  return [e.message, e.description, e.name, ...more].filter(Boolean).join(' ');
}
