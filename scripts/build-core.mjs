// Builds the huskyvoice-core npm package from crates/huskyvoice-wasm, and its embedded form
// for the n8n node. Skips the build when no Rust source changed since the last one.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeEmbedded } from './embed-core.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkgDir = join(root, 'packages/huskyvoice-core/pkg');
const stampFile = join(pkgDir, '.source-hash');

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : [p];
  });
}

function sourceHash() {
  const h = createHash('sha256');
  const files = [
    join(root, 'Cargo.toml'),
    join(root, 'Cargo.lock'),
    join(root, 'scripts/embed-core.mjs'),
    join(root, 'packages/huskyvoice-core/tsconfig.json'),
    ...sourceFiles(join(root, 'packages/huskyvoice-core/src')),
    ...['huskyvoice-core', 'huskyvoice-wasm'].flatMap((c) => [
      join(root, 'crates', c, 'Cargo.toml'),
      ...sourceFiles(join(root, 'crates', c, 'src')),
    ]),
  ].sort();
  for (const f of files) if (existsSync(f)) h.update(f).update(readFileSync(f));
  return h.digest('hex');
}

const hash = sourceHash();
const force = process.argv.includes('--force');
if (!force && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash) {
  console.log('[build] huskyvoice-core is up to date');
} else {
  console.log('[build] compiling crates/huskyvoice-wasm to WebAssembly (wasm-pack, release)');
  // wasm-opt must be binaryen's npm build (node_modules/.bin), never Debian's: that one
  // silently corrupts the module.
  const bin = join(root, 'node_modules/.bin');
  if (!existsSync(join(bin, 'wasm-opt'))) {
    throw new Error('node_modules/.bin/wasm-opt is missing: run `bash scripts/setup.sh` (npm install brings binaryen).');
  }
  execFileSync(
    'wasm-pack',
    ['build', 'crates/huskyvoice-wasm', '--release', '--target', 'nodejs', '--mode', 'no-install',
      '--no-pack', '--out-dir', '../../packages/huskyvoice-core/pkg', '--out-name', 'huskyvoice_core'],
    { cwd: root, stdio: 'inherit', env: { ...process.env, PATH: `${bin}:${process.env.HOME}/.cargo/bin:${process.env.PATH}` } },
  );
  writeEmbedded(pkgDir, join(root, 'packages/huskyvoice-core/embedded'));
  // The TypeScript half (the driver loop, the client): compiled next to the wasm glue, whose
  // declarations it imports (tsconfig rootDirs), as CommonJS with declarations.
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'packages/huskyvoice-core/tsconfig.json'],
    { cwd: root, stdio: 'inherit' });
  writeFileSync(stampFile, hash);
  const wasm = readFileSync(join(pkgDir, 'huskyvoice_core_bg.wasm'));
  console.log(`[build] huskyvoice_core_bg.wasm: ${wasm.length} bytes`);
}
