#!/usr/bin/env node
// `npm run test:queue`: the HuskyVoice node in n8n's queue mode (issue 14).
//
// 0. on a fresh clone, the project setup (scripts/setup.sh) first;
// 1. n8n 2.41.1 on Node 24, installed once into a cache outside the repository (tests/e2e/lib/n8n.mjs);
// 2. Debian's redis-server and postgresql, installed with apt-get only when missing;
// 3. builds and packs n8n-node/ (`npm run build`, `npm pack`);
// 4. runs tests/queue/*.test.mjs with `node --test` in a child process, whose temporary folders
//    all live in one folder made here; afterwards any process still running from that folder is
//    killed (and reported as a failure) and the folder is removed.
//
//   node tests/queue/run.mjs
//   HUSKYVOICE_E2E_TARBALL=x.tgz ...          use a packed node, no build
//   HUSKYVOICE_QUEUE_KEEP=1 ...               keep the cluster folder (logs, databases) for inspection
//   HUSKYVOICE_QUEUE_PACED_OPTIONS='{"requestsPerMinute":30}' ...   node options of the 60/60s wave

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild, timedSteps } from '../helpers/step.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const say = (msg) => process.stderr.write(`[queue] ${msg}\n`);
const t0 = performance.now();

const step = timedSteps(say);

const files = fs.readdirSync(HERE).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => path.join(HERE, f));
if (!files.length) {
  say('no tests/queue/*.test.mjs');
  process.exit(2);
}

const { ensureN8n, cacheRoot } = await import('../e2e/lib/n8n.mjs');
const { buildAndPackNode } = await import('../e2e/lib/pack.mjs');
const { ensureDebianPackages, leftovers } = await import('./lib/services.mjs');

// A fresh clone: the project setup first (idempotent; `npm test` has run it already).
const REPO = path.resolve(HERE, '..', '..');
const needsSetup = ['node_modules/.setup-stamp', 'packages/huskyvoice-core/embedded/huskyvoice_core.js',
  'target/release/huskyvoice-sandbox'].filter((f) => !fs.existsSync(path.join(REPO, f)));
if (needsSetup.length) {
  await step(`project setup (bash scripts/setup.sh; missing: ${needsSetup.join(', ')})`, () => new Promise((resolve, reject) => {
    const c = spawn('bash', ['scripts/setup.sh'], { cwd: REPO, stdio: 'inherit' });
    c.on('exit', (rc) => (rc === 0 ? resolve() : reject(new Error(`scripts/setup.sh exited with ${rc}`))));
    c.on('error', reject);
  }));
}

say(`n8n cache: ${cacheRoot()}`);
await step('n8n 2.41.1 ready', () => ensureN8n({ version: '2.41.1' }));
await step('redis-server and postgresql installed (apt-get only when missing)', () => ensureDebianPackages({ onProgress: say }));
const node = await step('build + npm pack n8n-node', () => buildAndPackNode({ onProgress: say }));
if (node.skipped) {
  say(`FAILED: ${node.skipped}`);
  process.exit(1);
}
say(`packed ${path.basename(node.tarball)}: ${node.files.length || '?'} files`);

// Every temporary folder of the child (cluster, n8n user folders, databases) goes in here.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'huskyvoice-queue-run-'));
fs.chmodSync(scratch, 0o755);
const env = { ...process.env, HUSKYVOICE_QUEUE_TARBALL: node.tarball, TMPDIR: scratch };

const code = await runChild(['--test', '--test-reporter=spec', '--test-concurrency=1', ...files], env);

// Nothing may outlive the run: kill what is left (and fail), remove the folder.
let failed = code !== 0;
const left = leftovers(scratch);
if (left.length) {
  failed = true;
  say(`FAILED: processes left behind by the tests (killed now):\n${left.map((p) => `  ${p.pid} ${p.cmd}`).join('\n')}`);
  for (const p of left) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
}
if (process.env.HUSKYVOICE_QUEUE_KEEP) {
  say(`kept ${scratch} (HUSKYVOICE_QUEUE_KEEP)`);
} else {
  // Ours (cluster, n8n user folders, databases, sandbox seeds) must be gone; n8n's own temp
  // folders (n8nDataTableUploads, node-compile-cache) go with the scratch folder.
  const inside = fs.readdirSync(scratch).filter((f) => /^(huskyvoice-|hv-)/.test(f));
  if (inside.length && code === 0) {
    failed = true;
    say(`FAILED: folders left behind by the tests: ${inside.join(', ')}`);
  }
  fs.rmSync(scratch, { recursive: true, force: true });
}
if (!process.env.HUSKYVOICE_E2E_TARBALL && path.basename(path.dirname(node.tarball)).startsWith('huskyvoice-pack-')) {
  fs.rmSync(path.dirname(node.tarball), { recursive: true, force: true });
}
say(`queue-mode wall time: ${((performance.now() - t0) / 1000).toFixed(1)} s; ${failed ? 'FAILED' : 'all passed'}`);
process.exit(failed ? 1 : 0);
