// Process measurement for the benchmark: run a command, and while it runs sample the resident
// memory of its whole process tree from /proc (n8n's main process plus its task-runner child,
// which runs the Code node). Also wraps the command with GNU time when it is there, for the
// kernel's exact peak RSS of the largest single process of the tree.
//
// ESM, Node 20+, no dependencies. Linux only for the memory figures (elsewhere they are null).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PAGE_KB = 4; // Linux page size on x86-64 and (usually) arm64, in kB
const GNU_TIME = '/usr/bin/time';
export const hasGnuTime = (() => {
  try {
    fs.accessSync(GNU_TIME, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();
const hasProc = fs.existsSync('/proc/self/stat');

/** ppid and rss (kB) of one process from /proc/PID/stat, or null when it is gone. */
function readStat(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, rss (pages) field 24.
  return { ppid: Number(fields[1]), rssKb: Number(fields[21]) * PAGE_KB };
}

/** All descendants of `root` (and root itself) with their rss, from one scan of /proc. */
function scanTree(root) {
  let entries;
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return new Map();
  }
  const info = new Map();
  const children = new Map();
  for (const e of entries) {
    const c = e.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(e);
    const st = readStat(pid);
    if (!st) continue;
    info.set(pid, st);
    if (!children.has(st.ppid)) children.set(st.ppid, []);
    children.get(st.ppid).push(pid);
  }
  const tree = new Map();
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop();
    const st = info.get(pid);
    if (!st) continue;
    tree.set(pid, st.rssKb);
    for (const ch of children.get(pid) ?? []) stack.push(ch);
  }
  return tree;
}

/**
 * Runs `cmd args` and resolves `{ code, signal, timedOut, stdout, stderr, ms, peakTreeRssKb,
 * peakProcessRssKb, processes }`:
 * - `peakTreeRssKb`: the largest sum of RSS over the process tree seen by sampling every
 *   `pollMs` (a lower bound of the true peak; the sampling misses spikes shorter than pollMs);
 * - `peakProcessRssKb`: GNU time's %M, the kernel's exact peak RSS of the largest single process
 *   of the tree (null without /usr/bin/time);
 * - `cpuMs`: user + system CPU time of the whole tree (GNU time %U + %S; null without it);
 * - `processes`: how many distinct processes the tree had.
 */
export function runMeasured(cmd, args, { env = process.env, cwd, timeoutMs = 0, pollMs = 100 } = {}) {
  return new Promise((resolve, reject) => {
    let timeFile = null;
    let file = cmd;
    let argv = args;
    if (hasGnuTime && hasProc) {
      timeFile = path.join(os.tmpdir(), `hv-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
      file = GNU_TIME;
      argv = ['-f', '%M %U %S', '-o', timeFile, cmd, ...args];
    }
    // stdout goes to a file, not a pipe: Node writes to a pipe asynchronously, and a CLI that
    // calls process.exit() right after printing tens of megabytes (n8n execute --rawOutput at
    // 100,000 items) loses the tail of it. Writes to a file are synchronous.
    const outFile = path.join(os.tmpdir(), `hv-bench-out-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
    const outFd = fs.openSync(outFile, 'w');
    const t0 = performance.now();
    let child;
    try {
      child = spawn(file, argv, { env, cwd, stdio: ['ignore', outFd, 'pipe'], detached: true });
    } finally {
      fs.closeSync(outFd);
    }
    const err = [];
    child.stderr.on('data', (d) => err.push(d));
    let peakTree = 0;
    const seen = new Set();
    const sample = () => {
      if (!hasProc || !child.pid) return;
      const tree = scanTree(child.pid);
      let sum = 0;
      for (const [pid, kb] of tree) {
        if (pid === child.pid && timeFile) continue; // GNU time itself is not n8n
        sum += kb;
        seen.add(pid);
      }
      if (sum > peakTree) peakTree = sum;
    };
    const poll = setInterval(sample, pollMs);
    let timedOut = false;
    const timer = timeoutMs > 0 ? setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    }, timeoutMs) : null;
    child.on('error', (e) => {
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      fs.rmSync(outFile, { force: true });
      reject(e);
    });
    child.on('close', (code, signal) => {
      const ms = performance.now() - t0;
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      // A task runner left behind by a killed n8n would distort the next run: end the group.
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
      let peakProcess = null;
      let cpuMs = null;
      if (timeFile) {
        try {
          const lines = fs.readFileSync(timeFile, 'utf8').trim().split('\n');
          const [kb, user, sys] = lines[lines.length - 1].split(' ').map(Number);
          if (Number.isFinite(kb)) peakProcess = kb;
          if (Number.isFinite(user) && Number.isFinite(sys)) cpuMs = Math.round((user + sys) * 1000);
          // GNU time writes "Command exited with non-zero status N" before %M: keep the code.
        } catch { /* no file: killed */ }
        fs.rmSync(timeFile, { force: true });
      }
      let stdout = '';
      try {
        stdout = fs.readFileSync(outFile, 'utf8');
      } catch { /* nothing written */ }
      fs.rmSync(outFile, { force: true });
      resolve({
        code,
        signal,
        timedOut,
        stdout,
        stderr: Buffer.concat(err).toString('utf8'),
        ms,
        peakTreeRssKb: hasProc ? peakTree : null,
        peakProcessRssKb: peakProcess,
        cpuMs,
        processes: seen.size,
      });
    });
  });
}

export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}
