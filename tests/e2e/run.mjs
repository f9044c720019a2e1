#!/usr/bin/env node
// `npm run test:e2e`: the end-to-end suite in real n8n.
//
//   node tests/e2e/run.mjs                  everything
//   node tests/e2e/run.mjs harness retries  only the test files whose name contains a word
//
// 1. installs (once, into a cache outside the repository) n8n 2.41.1 on Node 24 and n8n 2.8.4
//    on this Node 20; 2. builds and packs n8n-node/ (`npm run build`, `npm pack`) once;
// 3. runs tests/e2e/*.test.mjs in ONE child process, so they share one n8n instance (the package
//    installed into its N8N_USER_FOLDER) and the sandbox servers; 4. runs tests/browser/*.test.mjs
//    (issue 7's editor test), if any, in a second child process with the same packed node.
// Without n8n-node/ the node scenarios are skipped with a message and the harness self-test
// (the vendor's HTTP Request recipe) still runs.
//
// Environment: HUSKYVOICE_N8N_CACHE (cache folder), HUSKYVOICE_E2E_TARBALL (use this packed node,
// no build), HUSKYVOICE_E2E_SKIP_BUILD=1 (pack what is built), HUSKYVOICE_E2E_SKIP_SMOKE=1 (no n8n
// 2.8.4), HUSKYVOICE_E2E_SKIP_BROWSER=1 (no tests/browser), HUSKYVOICE_E2E_KEEP=1 (keep the n8n
// instance folders for inspection).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runChild, timedSteps } from '../helpers/step.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BROWSER_DIR = path.join(HERE, '..', 'browser');
const CHILD_FLAG = '--e2e-child';
const say = (msg) => process.stderr.write(`[e2e] ${msg}\n`);

if (process.argv.includes(CHILD_FLAG)) await child();
else await parent();

function selection(words) {
  const pick = (dir) => (fs.existsSync(dir) ? fs.readdirSync(dir) : [])
    .filter((f) => f.endsWith('.test.mjs'))
    .filter((f) => words.length === 0 || words.some((w) => f.includes(w)))
    .sort()
    .map((f) => path.join(dir, f));
  let e2e = pick(HERE);
  if (process.env.HUSKYVOICE_E2E_SKIP_SMOKE) e2e = e2e.filter((f) => !path.basename(f).startsWith('node20-smoke'));
  const browser = process.env.HUSKYVOICE_E2E_SKIP_BROWSER ? [] : pick(BROWSER_DIR);
  return { e2e, browser };
}

async function parent() {
  const t0 = performance.now();
  const words = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const { e2e, browser } = selection(words);
  if (e2e.length + browser.length === 0) {
    say(`no test file matches ${words.join(' ')}`);
    process.exit(2);
  }
  const { ensureN8n, cacheRoot } = await import('./lib/n8n.mjs');
  const { buildAndPackNode } = await import('./lib/pack.mjs');
  const step = timedSteps(say);

  say(`n8n cache: ${cacheRoot()}`);
  await step('n8n 2.41.1 ready', () => ensureN8n({ version: '2.41.1' }));
  if (e2e.some((f) => path.basename(f).startsWith('node20-smoke'))) {
    await step('n8n 2.8.4 ready', () => ensureN8n({ version: '2.8.4' }));
  }
  const node = await step('build + npm pack n8n-node', () => buildAndPackNode({ onProgress: say }));
  const env = { ...process.env };
  if (node.skipped) {
    say(`NOTE: ${node.skipped}.`);
    say('NOTE: the harness self-test (the vendor HTTP Request recipe) still runs.');
  } else {
    say(`packed ${path.basename(node.tarball)}: ${node.files.length} files, ${node.size ?? '?'} bytes`);
    env.HUSKYVOICE_E2E_TARBALL = node.tarball;
  }

  let failed = 0;
  if (e2e.length) {
    const code = await runChild(['--test-reporter=spec', fileURLToPath(import.meta.url), CHILD_FLAG, ...e2e], env);
    if (code !== 0) failed++;
  }
  if (browser.length) {
    if (node.skipped) say('browser test skipped: it needs the node');
    else {
      say(`browser test: ${browser.map((f) => path.relative(process.cwd(), f)).join(' ')}`);
      const code = await runChild(['--test', '--test-reporter=spec', '--test-concurrency=1', ...browser], env);
      if (code !== 0) failed++;
    }
  }
  if (!node.skipped && !process.env.HUSKYVOICE_E2E_TARBALL && path.basename(path.dirname(node.tarball)).startsWith('huskyvoice-pack-')) {
    fs.rmSync(path.dirname(node.tarball), { recursive: true, force: true });
  }
  say(`e2e wall time: ${((performance.now() - t0) / 1000).toFixed(1)} s; ${failed ? `${failed} phase(s) FAILED` : 'all passed'}`);
  process.exit(failed ? 1 : 0);
}

async function child() {
  const files = process.argv.slice(process.argv.indexOf(CHILD_FLAG) + 1);
  const fixture = await import('./lib/fixture.mjs');
  await fixture.loadSandboxHelper().catch((e) => {
    say(`FAILED at "find the sandbox helper": ${e.message}`);
    process.exit(1);
  });
  const t0 = performance.now();
  const { after } = await import('node:test');
  after(() => {
    say('timings:');
    for (const line of fixture.timingLines()) process.stderr.write(`${line}\n`);
    say(`tests/e2e suite: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  });
  // All at once: their tests then run one after the other in this process and share the fixture.
  await Promise.all(files.map((f) => import(pathToFileURL(f).href)));
}
