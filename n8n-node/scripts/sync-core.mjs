// Copies the embedded huskyvoice-core (wasm bytes inlined, no require/fs/globals) into the node.
//   node scripts/sync-core.mjs         packages/huskyvoice-core/embedded/* -> core/ (for tsc: the .d.ts),
//                                      and packages/huskyvoice-core/src/driver.ts -> core/ (the shared
//                                      driver loop, compiled with the node's own sources)
//   node scripts/sync-core.mjs --dist  core/huskyvoice_core.js -> dist/core/ (n8n-node build copies
//                                      only .png/.svg/__schema__ files, never a .js next to a .d.ts)
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const nodeDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(nodeDir, '..', 'packages', 'huskyvoice-core', 'embedded');
const coreDir = join(nodeDir, 'core');
const files = ['huskyvoice_core.js', 'huskyvoice_core.d.ts'];

if (process.argv.includes('--dist')) {
	const from = join(coreDir, 'huskyvoice_core.js');
	const to = join(nodeDir, 'dist', 'core', 'huskyvoice_core.js');
	mkdirSync(dirname(to), { recursive: true });
	copyFileSync(from, to);
	console.log(`[n8n-node] ${relative(nodeDir, from)} -> ${relative(nodeDir, to)}`);
} else {
	const missing = files.filter((f) => !existsSync(join(source, f)));
	if (missing.length > 0) {
		console.error(
			`[n8n-node] ${relative(nodeDir, source)}/${missing.join(', ')} missing: build the core first ` +
				'(`npm run build` at the repository root, after `bash scripts/setup.sh`).',
		);
		process.exit(1);
	}
	mkdirSync(coreDir, { recursive: true });
	// The driver loop is written once, in huskyvoice-core; the node compiles this copy.
	const driver = join(nodeDir, '..', 'packages', 'huskyvoice-core', 'src', 'driver.ts');
	writeFileSync(
		join(coreDir, 'driver.ts'),
		`// Copied from packages/huskyvoice-core/src/driver.ts by scripts/sync-core.mjs: edit that file.\n${readFileSync(driver, 'utf8')}`,
	);
	for (const f of files) {
		let text = readFileSync(join(source, f), 'utf8');
		// The declarations are linted with the package's TypeScript files (`n8n-node lint` in strict
		// mode lints every .ts); a blanket disable comment would only be reported as unused.
		if (f.endsWith('.d.ts')) text = text.replace(/^\/\* (tslint|eslint)-disable \*\/\n/gm, '');
		writeFileSync(join(coreDir, f), text);
	}
	console.log(`[n8n-node] ${relative(nodeDir, source)} -> core/`);
}
