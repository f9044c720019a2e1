// n8n's own community-package scanner, run locally (no registry, no GitHub): the same
// `analyzePackage` that `npx @n8n/scan-community-package` runs, on
//   1. the source folder, with the scanner's source patterns (package.json, nodes/, credentials/);
//   2. the unpacked `npm pack` tarball, with its tarball patterns (every .js and package.json).
// Exits 1 on any violation. Build first (`npm run build`): the tarball holds dist/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
	analyzePackage,
	SOURCE_FILE_PATTERNS,
} from '@n8n/scan-community-package/scanner/scanner.mjs';

const nodeDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'hv-scan-'));
let failed = false;

function report(label, result, files) {
	if (result.passed) {
		console.log(
			`[scan] ${label}: no violations${result.message ? ` (${result.message})` : ''} - ${files}`,
		);
	} else {
		failed = true;
		console.error(`[scan] ${label}: ${result.message}\n${result.details ?? result.error ?? ''}`);
	}
}

try {
	// Canary: the scanner must flag a file that breaks the rules, or a "no violations" means nothing.
	const canary = join(work, 'canary');
	mkdirSync(join(canary, 'dist'), { recursive: true });
	writeFileSync(
		join(canary, 'dist', 'bad.js'),
		'setTimeout(() => {}, 1);\nconsole.log(process.env.HOME);\n',
	);
	const canaryResult = await analyzePackage(canary, ['**/*.js']);
	if (canaryResult.passed) {
		failed = true;
		console.error(
			'[scan] the scanner did not flag a file using setTimeout/console/process: it is not working',
		);
	}

	report(
		'source folder',
		await analyzePackage(nodeDir, SOURCE_FILE_PATTERNS),
		SOURCE_FILE_PATTERNS.join(', '),
	);

	const out = execFileSync(
		'npm',
		['pack', '--json', '--pack-destination', work, '--loglevel=error'],
		{
			cwd: nodeDir,
			encoding: 'utf8',
		},
	);
	const info = JSON.parse(out.slice(out.indexOf('[')))[0];
	execFileSync('tar', ['-xzf', join(work, info.filename), '-C', work]);
	const packageDir = join(work, 'package');
	const shipped = info.files.map((f) => f.path);
	if (!shipped.includes('dist/core/huskyvoice_core.js')) {
		failed = true;
		console.error(
			'[scan] the tarball lacks dist/core/huskyvoice_core.js: run `npm run build` first',
		);
	}
	if (shipped.some((f) => f.endsWith('.wasm'))) {
		failed = true;
		console.error('[scan] the tarball ships a .wasm file; the core must be embedded');
	}
	report(
		`npm pack tarball ${info.filename} (${shipped.length} files, ${Math.round(info.size / 1024)} KB)`,
		await analyzePackage(packageDir, ['**/*.js', 'package.json']),
		`${readdirSync(packageDir).join(', ')}`,
	);
} finally {
	rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
