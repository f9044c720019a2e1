#!/usr/bin/env node
// `npm run test:e2e`: the end-to-end suite in real n8n.
//
//   node tests/e2e/run.mjs                 everything
//   node tests/e2e/run.mjs harness retries only the test files whose name contains a word
//
// 1. installs (once, into a cache outside the repository) n8n 2.41.1 on Node 24 and n8n 2.8.4
//    on this Node 20; 2. builds and packs n8n-node/ (`npm run build`, `npm pack`); 3. runs the
//    test files in this one process, so they share one n8n instance (the package installed into
//    its N8N_USER_FOLDER) and the sandbox servers. Without n8n-node/ the node scenarios are
//    skipped with a message and the harness self-test (the vendor's HTTP Request recipe) still runs.
//
// Environment: HUSKYVOICE_N8N_CACHE (cache folder), HUSKYVOICE_E2E_TARBALL (use this packed node,
// no build), HUSKYVOICE_E2E_SKIP_BUILD=1 (pack what is built), HUSKYVOICE_E2E_SKIP_SMOKE=1 (no n8n
// 2.8.4), HUSKYVOICE_E2E_KEEP=1 (keep the n8n instance folders for inspection).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

// node:test prints TAP when stdout is not a terminal; re-run with the readable reporter.
if (!process.execArgv.some((a) => a.startsWith('--test-reporter'))) {
  const child = spawn(process.execPath, ['--test-reporter=spec', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  const forward = (sig) => () => child.kill(sig);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  await main();
}

async function main() {
  const t0 = performance.now();
  const say = (msg) => process.stderr.write(`[e2e] ${msg}\n`);
  const { ensureN8n, cacheRoot } = await import('./lib/n8n.mjs');
  const { buildAndPackNode } = await import('./lib/pack.mjs');
  const fixture = await import('./lib/fixture.mjs');

  const words = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const files = fs.readdirSync(HERE)
    .filter((f) => f.endsWith('.test.mjs'))
    .filter((f) => words.length === 0 || words.some((w) => f.includes(w)))
    .sort();
  const smoke = files.some((f) => f.startsWith('node20-smoke')) && !process.env.HUSKYVOICE_E2E_SKIP_SMOKE;
  const runFiles = smoke ? files : files.filter((f) => !f.startsWith('node20-smoke'));
  if (runFiles.length === 0) {
    say(`no test file matches ${words.join(' ')}`);
    process.exit(2);
  }

  const step = async (label, fn) => {
    try {
      return await fn();
    } catch (e) {
      say(`FAILED at "${label}":\n${e.message}`);
      process.exit(1);
    }
  };

  say(`n8n cache: ${cacheRoot()}`);
  let t = performance.now();
  await step('install n8n 2.41.1', () => ensureN8n({ version: '2.41.1' }));
  fixture.timings.steps['ensure n8n 2.41.1 (run.mjs)'] = Math.round(performance.now() - t);
  if (smoke) {
    t = performance.now();
    await step('install n8n 2.8.4', () => ensureN8n({ version: '2.8.4' }));
    fixture.timings.steps['ensure n8n 2.8.4 (run.mjs)'] = Math.round(performance.now() - t);
  }

  t = performance.now();
  const node = await step('build and pack n8n-node', () => buildAndPackNode({ onProgress: say }));
  fixture.timings.steps['build + npm pack n8n-node (run.mjs)'] = Math.round(performance.now() - t);
  if (node.skipped) {
    say(`NOTE: ${node.skipped}.`);
    say('NOTE: running the harness self-test (the vendor HTTP Request recipe) only.');
  } else {
    say(`packed ${path.basename(node.tarball)}: ${node.files.length} files, ${node.size ?? '?'} bytes`);
    process.env.HUSKYVOICE_E2E_TARBALL = node.tarball;
  }

  await step('find the sandbox helper', () => fixture.loadSandboxHelper());

  const { after } = await import('node:test');
  after(() => {
    say('timings:');
    for (const line of fixture.timingLines()) process.stderr.write(`${line}\n`);
    say(`e2e wall time: ${((performance.now() - t0) / 1000).toFixed(1)} s (n8n 2.41.1${smoke ? ' and 2.8.4' : ''})`);
  });
  // All at once: their tests then run one after the other in this process and share the fixture.
  await Promise.all(runFiles.map((f) => import(pathToFileURL(path.join(HERE, f)).href)));
}
