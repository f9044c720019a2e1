// Builds the n8n community node (`n8n-node/`) and packs it with `npm pack`, the way it is published.
// ESM, Node 20+, no dependencies.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './n8n.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const NODE_DIR = path.join(REPO_ROOT, 'n8n-node');

function tail(text, n = 30) {
  return text.split('\n').filter(Boolean).slice(-n).join('\n');
}

/**
 * Builds and packs `n8n-node/`. Resolves `{ tarball, name, version, files, ms }`, or
 * `{ skipped: reason }` when `n8n-node/` does not exist yet. Throws with the failing step otherwise.
 * `HUSKYVOICE_E2E_TARBALL=path.tgz` uses a ready tarball instead (no build).
 * `HUSKYVOICE_E2E_SKIP_BUILD=1` packs what is already built.
 */
export async function buildAndPackNode({ onProgress = () => {}, outDir } = {}) {
  if (process.env.HUSKYVOICE_E2E_TARBALL) {
    const tarball = path.resolve(process.env.HUSKYVOICE_E2E_TARBALL);
    if (!fs.existsSync(tarball)) throw new Error(`HUSKYVOICE_E2E_TARBALL=${tarball} does not exist`);
    return { tarball, name: 'n8n-nodes-huskyvoice', version: '?', files: [], ms: 0 };
  }
  const pj = path.join(NODE_DIR, 'package.json');
  if (!fs.existsSync(pj)) {
    return { skipped: `n8n-node/ does not exist yet (${pj} missing): the HuskyVoice node scenarios are skipped` };
  }
  const pkg = JSON.parse(await fsp.readFile(pj, 'utf8'));
  const t0 = performance.now();
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('npm_') && k !== 'npm_config_registry') delete env[k];

  if (!process.env.HUSKYVOICE_E2E_SKIP_BUILD && pkg.scripts?.build) {
    onProgress(`building ${pkg.name} (npm run build in n8n-node/)`);
    const r = await run('npm', ['run', 'build'], { cwd: NODE_DIR, env, timeoutMs: 900_000 });
    if (r.code !== 0) {
      throw new Error(`building n8n-node failed (npm run build, exit ${r.code}):\n${tail(r.stdout + '\n' + r.stderr)}\n`
        + 'What to do: run the project setup (npm install at the repository root, and the core build), then `npm run build` in n8n-node/ to see the full error.');
    }
  }
  outDir = outDir ?? (await fsp.mkdtemp(path.join(os.tmpdir(), 'huskyvoice-pack-')));
  onProgress(`packing ${pkg.name} (npm pack)`);
  const r = await run('npm', ['pack', '--json', '--pack-destination', outDir, '--loglevel=error'], {
    cwd: NODE_DIR, env, timeoutMs: 300_000,
  });
  if (r.code !== 0) {
    throw new Error(`npm pack in n8n-node failed (exit ${r.code}):\n${tail(r.stdout + '\n' + r.stderr)}`);
  }
  const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')));
  const info = json[0];
  const tarball = path.join(outDir, info.filename);
  return {
    tarball,
    name: info.name,
    version: info.version,
    size: info.size,
    files: info.files.map((f) => f.path),
    ms: performance.now() - t0,
  };
}
