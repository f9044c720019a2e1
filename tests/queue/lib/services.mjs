// Redis and PostgreSQL for the queue-mode tests: installed from Debian's packages when missing
// (idempotent: nothing is installed when the binaries are there), started as plain processes on
// 127.0.0.1 inside one temporary folder (never as a system service), stopped and removed at the end.
//
// ESM, Node 20+, no dependencies. Everything started here is recorded in a registry, so
// `stopAll()` (and, as a last resort, the process 'exit' handler) kills every process group it
// started and removes every folder it made, also when a step failed half-way.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../e2e/lib/n8n.mjs';

export const log = (msg) => process.stderr.write(`[queue] ${msg}\n`);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

// ---------------------------------------------------------------------------------------------
// registry of what this process started

const started = new Set(); // { name, pid, group: boolean, exited: boolean }
const folders = new Set();

function track(name, child) {
  const entry = { name, pid: child.pid, exited: false };
  child.once('exit', () => { entry.exited = true; started.delete(entry); });
  started.add(entry);
  return entry;
}

function killGroup(pid, sig) {
  try { process.kill(-pid, sig); return true; } catch { /* no such group */ }
  try { process.kill(pid, sig); return true; } catch { return false; }
}

/** Records a child spawned elsewhere (in its own process group) so `stopAll()` stops it too. */
export function adopt(name, child) {
  if (child.exitCode === null && child.signalCode === null) track(name, child);
}

function lastResort() {
  for (const e of started) killGroup(e.pid, 'SIGKILL');
  if (!process.env.HUSKYVOICE_QUEUE_KEEP) {
    for (const d of folders) { try { fs.rmSync(d, { recursive: true, force: true }); } catch { /* busy */ } }
  }
}
process.once('exit', lastResort);
// A signal would end the process without 'exit': stop what was started here first.
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.once(sig, () => {
    lastResort();
    process.exit(code);
  });
}

/**
 * A fresh temporary folder (mode 0755 so the PostgreSQL user can reach its data folder inside),
 * removed by `stopAll()` or at exit.
 */
export async function tempRoot(prefix = 'huskyvoice-queue-') {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), prefix));
  await fsp.chmod(dir, 0o755);
  folders.add(dir);
  return dir;
}

/**
 * Spawns a long-running process in its own process group, both streams appended to `logFile`.
 * Returns `{ name, child, pid, logFile, logs(), exited (promise), stop(sig, graceMs), kill() }`.
 */
export function startProcess(name, cmd, args, { env = process.env, cwd, logFile } = {}) {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', out, out], detached: true });
  fs.closeSync(out);
  track(name, child);
  let exitInfo = null;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => { exitInfo = { code, signal }; resolve(exitInfo); });
    child.once('error', (e) => { exitInfo = { code: null, signal: null, error: e }; resolve(exitInfo); });
  });
  const proc = {
    name,
    child,
    pid: child.pid,
    logFile,
    exited,
    get exitInfo() { return exitInfo; },
    logs: () => { try { return fs.readFileSync(logFile, 'utf8'); } catch { return ''; } },
    /** Sends `sig` to the whole process group, SIGKILL after `graceMs`; resolves once it exited. */
    async stop(sig = 'SIGTERM', graceMs = 15_000) {
      if (exitInfo) { killGroup(child.pid, 'SIGKILL'); return exitInfo; }
      killGroup(child.pid, sig);
      const t = setTimeout(() => killGroup(child.pid, 'SIGKILL'), graceMs);
      const r = await exited;
      clearTimeout(t);
      killGroup(child.pid, 'SIGKILL'); // children that outlived the leader (task runners)
      return r;
    },
    /** SIGKILL to the whole group at once: the machine or container died. */
    async kill() {
      killGroup(child.pid, 'SIGKILL');
      return exited;
    },
  };
  return proc;
}

/** Polls `check()` (truthy = ready) until `timeoutMs`; throws naming `what` with `detail()`. */
export async function waitFor(what, check, { timeoutMs = 120_000, intervalMs = 250, detail = () => '', failIf } = {}) {
  const t0 = Date.now();
  for (;;) {
    const why = failIf?.();
    if (why) throw new Error(`${what}: ${why}\n${detail()}`);
    try {
      const r = await check();
      if (r) return r;
    } catch { /* not yet */ }
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not ready after ${Math.round(timeoutMs / 1000)} s\n${detail()}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export { freePort };

function tail(text, n = 30) {
  return String(text).split('\n').filter(Boolean).slice(-n).join('\n');
}

// ---------------------------------------------------------------------------------------------
// install

/** Folder of the newest PostgreSQL server binaries from Debian's packages, or null. */
export function postgresBinDir() {
  const base = '/usr/lib/postgresql';
  let versions = [];
  try { versions = fs.readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)); } catch { /* none */ }
  for (const v of versions) {
    const dir = path.join(base, v, 'bin');
    if (fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'postgres'))) return dir;
  }
  return null;
}

/** The redis-server binary, or null. */
export function redisServerBin() {
  for (const p of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) if (fs.existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

/**
 * Installs Debian's `redis-server` and `postgresql` when their binaries are missing (as root, or
 * through passwordless sudo). A temporary policy-rc.d keeps apt from starting them as services.
 * Idempotent: returns at once when both are there. Returns `{ installed: [...], ms }`.
 */
export async function ensureDebianPackages({ onProgress = log } = {}) {
  const t0 = performance.now();
  const missing = [];
  if (!redisServerBin()) missing.push('redis-server');
  if (!postgresBinDir()) missing.push('postgresql');
  if (missing.length === 0) return { installed: [], ms: 0 };

  const hasSudo = !isRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (!isRoot && !hasSudo) {
    throw new Error(`step "install ${missing.join(' ')}": not installed, and this user is neither root nor has `
      + `passwordless sudo.\nWhat to do: sudo apt-get install -y ${missing.join(' ')}, then run again.`);
  }
  const asRoot = (args) => (isRoot ? ['env', args] : ['sudo', ['-n', 'env', ...args]]);
  const aptEnv = ['DEBIAN_FRONTEND=noninteractive', 'NEEDRESTART_MODE=a'];
  const sh = (args, timeoutMs = 900_000) => new Promise((resolve) => {
    const [cmd, a] = asRoot([...aptEnv, ...args]);
    const c = spawn(cmd, a, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('close', (code) => { clearTimeout(timer); resolve({ code, out }); });
    c.on('error', (e) => { clearTimeout(timer); resolve({ code: -1, out: e.message }); });
  });

  // No service may start: invoke-rc.d asks policy-rc.d, exit 101 = "action forbidden".
  const policy = '/usr/sbin/policy-rc.d';
  let madePolicy = false;
  if (!fs.existsSync(policy)) {
    const r = await sh(['sh', '-c', `printf '#!/bin/sh\\nexit 101\\n' > ${policy} && chmod 755 ${policy}`], 10_000);
    madePolicy = r.code === 0;
  }
  try {
    onProgress(`installing Debian packages ${missing.join(', ')} (apt-get, once)`);
    const install = ['apt-get', 'install', '-y', '--no-install-recommends', '-o', 'Dpkg::Options::=--force-confdef', ...missing];
    let r = await sh(install);
    if (r.code !== 0) {
      onProgress('apt-get install failed; running apt-get update and trying again');
      const u = await sh(['apt-get', 'update']);
      if (u.code !== 0) throw new Error(`step "apt-get update" failed (exit ${u.code}):\n${tail(u.out)}`);
      r = await sh(install);
    }
    if (r.code !== 0) throw new Error(`step "apt-get install ${missing.join(' ')}" failed (exit ${r.code}):\n${tail(r.out)}`);
  } finally {
    if (madePolicy) await sh(['rm', '-f', policy], 10_000);
  }
  const still = [];
  if (!redisServerBin()) still.push('redis-server');
  if (!postgresBinDir()) still.push('postgresql (no /usr/lib/postgresql/*/bin/initdb)');
  if (still.length) throw new Error(`step "install": apt-get succeeded but ${still.join(', ')} is still missing`);
  const ms = performance.now() - t0;
  onProgress(`installed ${missing.join(', ')} in ${(ms / 1000).toFixed(1)} s`);
  return { installed: missing, ms };
}

// ---------------------------------------------------------------------------------------------
// redis

/** Sends PING over a raw socket; resolves true on +PONG. */
function redisPing(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = '';
    const done = (v) => { s.destroy(); resolve(v); };
    s.setTimeout(2000, () => done(false));
    s.on('error', () => done(false));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => { buf += d; if (buf.includes('\r\n')) done(buf.startsWith('+PONG')); });
  });
}

/** `redis-server` on 127.0.0.1, no persistence, data folder `<root>/redis`. */
export async function startRedis(root, { port } = {}) {
  const bin = redisServerBin();
  if (!bin) throw new Error('step "start redis": redis-server is not installed (ensureDebianPackages first)');
  port = port ?? (await freePort());
  const dir = path.join(root, 'redis');
  await fsp.mkdir(dir, { recursive: true });
  const proc = startProcess('redis-server', bin, [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'warning',
  ], { cwd: dir, logFile: path.join(root, 'redis.log') });
  await waitFor('step "start redis"', () => redisPing(port), {
    timeoutMs: 30_000,
    failIf: () => proc.exitInfo && `redis-server exited (${JSON.stringify(proc.exitInfo)})`,
    detail: () => tail(proc.logs()),
  });
  return { host: '127.0.0.1', port, proc, stop: () => proc.stop('SIGTERM', 5000) };
}

// ---------------------------------------------------------------------------------------------
// postgres

/** Runs a command as `user` (setpriv: no extra process in between) when we are root. */
function asUser(user, cmd, args) {
  if (!isRoot) return [cmd, args];
  return ['setpriv', ['--reuid', user, '--regid', user, '--init-groups', '--', cmd, ...args]];
}

function runSync(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, ...opts });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
}

/**
 * A PostgreSQL cluster in `<root>/pg` (initdb, trust auth on loopback, no fsync: a test
 * database), its server on 127.0.0.1:`port` with its socket in the same folder, and one database.
 * As root the server runs as the `postgres` user (PostgreSQL refuses root).
 * Returns `{ host, port, user, database, proc, stop() }`.
 */
export async function startPostgres(root, { port, database = 'n8n', user = 'n8n' } = {}) {
  const bin = postgresBinDir();
  if (!bin) throw new Error('step "start postgres": PostgreSQL is not installed (ensureDebianPackages first)');
  port = port ?? (await freePort());
  const dir = path.join(root, 'pg');
  const data = path.join(dir, 'data');
  await fsp.mkdir(dir, { recursive: true });
  const osUser = isRoot ? 'postgres' : os.userInfo().username;
  if (isRoot) {
    if (runSync('id', ['-u', 'postgres']).code !== 0) {
      throw new Error('step "start postgres": running as root but there is no "postgres" user (the postgresql package creates it)');
    }
    const c = runSync('chown', ['postgres:postgres', dir]);
    if (c.code !== 0) throw new Error(`step "start postgres": chown postgres ${dir} failed: ${c.out}`);
  }
  const [icmd, iargs] = asUser(osUser, path.join(bin, 'initdb'), [
    '-D', data, '-U', user, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync',
  ]);
  const init = runSync(icmd, iargs, { cwd: dir });
  if (init.code !== 0) throw new Error(`step "initdb" failed (exit ${init.code}):\n${tail(init.out)}`);

  const [pcmd, pargs] = asUser(osUser, path.join(bin, 'postgres'), [
    '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    '-c', 'max_connections=100', '-c', 'shared_buffers=64MB',
  ]);
  const logFile = path.join(root, 'postgres.log');
  fs.writeFileSync(logFile, '');
  const proc = startProcess('postgres', pcmd, pargs, { cwd: dir, logFile });
  const isReady = path.join(bin, 'pg_isready');
  await waitFor('step "start postgres"', () => runSync(isReady, ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'postgres'], { timeout: 5000 }).code === 0, {
    timeoutMs: 60_000,
    failIf: () => proc.exitInfo && `postgres exited (${JSON.stringify(proc.exitInfo)})`,
    detail: () => tail(proc.logs()),
  });
  const psql = fs.existsSync(path.join(bin, 'psql')) ? path.join(bin, 'psql') : 'psql';
  const mk = runSync(psql, ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'postgres', '-v', 'ON_ERROR_STOP=1',
    '-c', `CREATE DATABASE ${database}`]);
  if (mk.code !== 0) throw new Error(`step "create database ${database}" failed: ${tail(mk.out)}`);
  // SIGINT: PostgreSQL's "fast shutdown" (ends sessions, no long wait).
  return { host: '127.0.0.1', port, user, database, proc, stop: () => proc.stop('SIGINT', 10_000) };
}

// ---------------------------------------------------------------------------------------------
// teardown

/** Kills every process group started here (SIGTERM, then SIGKILL) and removes the folders. */
export async function stopAll({ graceMs = 10_000 } = {}) {
  const list = [...started];
  for (const e of list) killGroup(e.pid, 'SIGTERM');
  const t0 = Date.now();
  while ([...started].length && Date.now() - t0 < graceMs) await new Promise((r) => setTimeout(r, 100));
  for (const e of [...started]) killGroup(e.pid, 'SIGKILL');
  while ([...started].length && Date.now() - t0 < graceMs + 5000) await new Promise((r) => setTimeout(r, 100));
  for (const e of list) killGroup(e.pid, 'SIGKILL'); // stragglers of the groups
  if (!process.env.HUSKYVOICE_QUEUE_KEEP) {
    for (const d of [...folders]) {
      await fsp.rm(d, { recursive: true, force: true }).catch(() => {});
      folders.delete(d);
    }
  }
}

/**
 * Processes whose command line, working folder or environment mention `root` (what a test
 * started there and left running). Linux /proc only; [] elsewhere. Each: `{ pid, cmd }`.
 */
export function leftovers(root) {
  const found = [];
  let pids = [];
  try { pids = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)); } catch { return found; }
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    let cmd = '';
    let cwd = '';
    let environ = '';
    try { cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim(); } catch { continue; }
    try { cwd = fs.readlinkSync(`/proc/${pid}/cwd`); } catch { /* gone or not ours */ }
    try { environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8'); } catch { /* not ours */ }
    if (cmd.includes(root) || cwd.startsWith(root) || environ.includes(root)) found.push({ pid: Number(pid), cmd: cmd.slice(0, 200) });
  }
  return found;
}
