// Publishing the way n8n requires (issue 14): the packed tarball holds exactly what n8n loads,
// `n8n-node release` would find nothing to fix, and the GitHub Actions workflows that publish it
// parse and reference only actions, scripts and files that exist.
//
// What ships: package.json, README.md, LICENSE (when there is one), and from dist/ the compiled
// .js, the node's codex .node.json, its __schema__ JSON and its icons. What does not: TypeScript
// sources, source maps, declaration files (.d.ts: n8n never reads them and the package exports
// no API to type; they would only mirror the sources), tsconfig.tsbuildinfo, the copy of
// package.json tsc puts in dist/, and tests.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const NODE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO_ROOT = path.resolve(NODE_DIR, '..');
const pkg = JSON.parse(readFileSync(path.join(NODE_DIR, 'package.json'), 'utf8'));
const bin = (name) => {
	for (const dir of [NODE_DIR, REPO_ROOT]) {
		const p = path.join(dir, 'node_modules', '.bin', name);
		if (existsSync(p)) return p;
	}
	return name;
};

function cleanEnv(extra = {}) {
	const env = { ...process.env };
	for (const k of Object.keys(env)) {
		if (k.startsWith('npm_') || k === 'RELEASE_MODE' || k === 'INIT_CWD') delete env[k];
	}
	return { ...env, ...extra };
}

function walk(dir, base = dir) {
	const out = [];
	for (const e of readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, e.name);
		if (e.isDirectory()) out.push(...walk(p, base));
		else out.push(path.relative(base, p).split(path.sep).join('/'));
	}
	return out;
}

/** What n8n needs from a built file under dist/ (path relative to the package). */
function shipsFromDist(file) {
	if (!file.startsWith('dist/')) return false;
	if (file.endsWith('.map') || file.endsWith('.d.ts') || file.endsWith('.tsbuildinfo'))
		return false;
	if (file === 'dist/package.json') return false;
	return (
		file.endsWith('.js') ||
		file.endsWith('.node.json') ||
		/\/__schema__\/.+\.json$/.test(file) ||
		/\.(svg|png)$/.test(file)
	);
}

describe('the npm tarball', () => {
	const distExists = existsSync(path.join(NODE_DIR, 'dist'));
	const packed = () => {
		const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--loglevel=error'], {
			cwd: NODE_DIR,
			encoding: 'utf8',
			env: cleanEnv(),
		});
		return JSON.parse(out.slice(out.indexOf('[')))[0].files.map((f) => f.path);
	};

	test(
		'holds exactly package.json, README, LICENSE if any, and the built .js / .node.json / __schema__ / icons',
		{ skip: !distExists && 'build first (npm run build)' },
		() => {
			const files = packed().sort();
			const built = walk(path.join(NODE_DIR, 'dist')).map((f) => `dist/${f}`);
			const license = readdirSync(NODE_DIR).filter((f) => /^LICEN[CS]E(\.(md|txt))?$/i.test(f));
			const expected = [
				'package.json',
				'README.md',
				...license,
				...built.filter(shipsFromDist),
			].sort();
			assert.deepEqual(files, expected);
			for (const f of files) {
				assert.ok(!/\.[cm]?tsx?$/.test(f) || f.endsWith('.d.ts'), `${f}: no TypeScript source`);
				assert.ok(!f.endsWith('.d.ts'), `${f}: no declaration file`);
				assert.ok(!f.endsWith('.map'), `${f}: no source map`);
				assert.ok(
					!/(^|\/)(test|tests|__tests__)\//.test(f) && !/\.test\.[cm]?js$/.test(f),
					`${f}: no test file`,
				);
				assert.ok(!f.endsWith('.wasm'), `${f}: the core is embedded, never a .wasm file`);
			}
			// Left out of what tsc and n8n-node build made: only maps, declarations and build leftovers.
			const dropped = built.filter((f) => !shipsFromDist(f));
			for (const f of dropped) {
				assert.match(
					f,
					/(\.map|\.d\.ts|tsconfig\.tsbuildinfo|^dist\/package\.json)$/,
					`${f} is built but not shipped`,
				);
			}
		},
	);

	test(
		'every n8n entry, icon and relative require() resolves inside the tarball',
		{ skip: !distExists && 'build first (npm run build)' },
		() => {
			const files = new Set(packed());
			for (const entry of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
				assert.ok(files.has(entry), `${entry} (package.json "n8n" section) ships`);
			}
			for (const f of files) {
				if (!f.endsWith('.js')) continue;
				const text = readFileSync(path.join(NODE_DIR, f), 'utf8');
				for (const m of text.matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
					const target = path.posix.normalize(path.posix.join(path.posix.dirname(f), m[1]));
					const hit = [target, `${target}.js`, `${target}.json`, `${target}/index.js`].find((c) =>
						files.has(c),
					);
					assert.ok(hit, `${f} requires ${m[1]}, which is not in the tarball`);
				}
				for (const m of text.matchAll(/['"]file:([^'"]+)['"]/g)) {
					const icon = path.posix.normalize(path.posix.join(path.posix.dirname(f), m[1]));
					assert.ok(files.has(icon), `${f} names icon ${m[1]}, which is not in the tarball`);
				}
			}
		},
	);
});

describe('n8n-node release would find nothing to fix', () => {
	test('scripts: release is `n8n-node release`, plain npm publish is guarded by `n8n-node prerelease`', () => {
		assert.equal(pkg.scripts.release, 'n8n-node release');
		assert.equal(pkg.scripts.prepublishOnly, 'n8n-node prerelease');
		assert.equal(pkg.scripts.lint, 'n8n-node lint');
		assert.ok(pkg.scripts.build, 'a build script (n8n-node release runs lint, then build)');
	});

	test('`n8n-node prerelease` refuses a plain npm publish and lets the release through (offline)', () => {
		const plain = spawnSync(bin('n8n-node'), ['prerelease'], {
			cwd: NODE_DIR,
			encoding: 'utf8',
			env: cleanEnv(),
		});
		assert.equal(plain.status, 1, 'without RELEASE_MODE it stops npm publish');
		assert.match(plain.stdout + plain.stderr, /run release/);
		const release = spawnSync(bin('n8n-node'), ['prerelease'], {
			cwd: NODE_DIR,
			encoding: 'utf8',
			env: cleanEnv({ RELEASE_MODE: 'true' }),
		});
		assert.equal(
			release.status,
			0,
			`with RELEASE_MODE (set by n8n-node release) it passes: ${release.stdout}${release.stderr}`,
		);
	});

	test(
		'`n8n-node lint` passes in strict mode (the first thing n8n-node release runs in CI)',
		{ timeout: 180_000 },
		() => {
			assert.equal(pkg.n8n.strict, true, 'package.json n8n.strict');
			const r = spawnSync(bin('n8n-node'), ['lint'], {
				cwd: NODE_DIR,
				encoding: 'utf8',
				env: cleanEnv(),
				timeout: 170_000,
			});
			assert.equal(r.status, 0, `n8n-node lint:\n${r.stdout}${r.stderr}`);
		},
	);
});

// ---------------------------------------------------------------------------------------------
// GitHub Actions workflows

const WORKFLOWS = path.join(REPO_ROOT, '.github', 'workflows');
/** Actions the workflows may use: each exists at that ref. */
const KNOWN_ACTIONS = new Set([
	'actions/checkout@v4',
	'actions/setup-node@v4',
	'actions/cache@v4',
	'dtolnay/rust-toolchain@stable',
]);

function parseYaml(file) {
	const text = readFileSync(file, 'utf8');
	const require = createRequire(path.join(NODE_DIR, 'package.json'));
	try {
		return require('js-yaml').load(text);
	} catch (e) {
		if (e.code !== 'MODULE_NOT_FOUND') throw new Error(`${file}: ${e.message}`);
	}
	const py = spawnSync(
		'python3',
		[
			'-c',
			'import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1])), default=str))',
			file,
		],
		{ encoding: 'utf8' },
	);
	if (py.status !== 0)
		throw new Error(
			`no YAML parser: js-yaml is not installed and python3 -c 'import yaml' failed: ${py.stderr}`,
		);
	return JSON.parse(py.stdout);
}

/** `on:` of a workflow (YAML 1.1 parsers read the key as the boolean true). */
const triggers = (wf) => wf.on ?? wf.true;

function scriptsOf(dir) {
	const p = path.join(REPO_ROOT, dir, 'package.json');
	return JSON.parse(readFileSync(p, 'utf8')).scripts ?? {};
}

/** Checks one `run:` block: npm scripts, files and node test paths it names exist. */
function checkRun(run, workingDirectory, where) {
	const wd = workingDirectory ?? '.';
	for (const raw of run.split('\n')) {
		const line = raw.trim();
		if (!line || line.startsWith('#')) continue;
		for (const m of line.matchAll(
			/npm run (?:--silent )?([\w:-]+)(?: --workspace[= ]([\w@/-]+))?/g,
		)) {
			const dir = m[2] ? (m[2] === pkg.name ? 'n8n-node' : m[2]) : wd;
			assert.ok(
				m[1] in scriptsOf(dir),
				`${where}: \`npm run ${m[1]}\` in ${dir}/ has no such script`,
			);
		}
		for (const m of line.matchAll(/\bbash ((?:\.\/)?[\w./-]+\.sh)\b/g)) {
			assert.ok(existsSync(path.join(REPO_ROOT, wd, m[1])), `${where}: ${m[1]} does not exist`);
		}
		for (const m of line.matchAll(/\bnode --test ((?:[\w./-]+\s*)+)/g)) {
			for (const f of m[1].trim().split(/\s+/)) {
				if (f.startsWith('-')) continue;
				assert.ok(
					existsSync(path.join(REPO_ROOT, wd, f)),
					`${where}: node --test ${f}: no such file`,
				);
			}
		}
	}
}

function checkWorkflow(name) {
	const file = path.join(WORKFLOWS, name);
	assert.ok(existsSync(file), `${file} exists`);
	const text = readFileSync(file, 'utf8');
	const wf = parseYaml(file);
	assert.equal(typeof wf, 'object');
	assert.ok(wf.name, `${name}: has a name`);
	assert.ok(triggers(wf), `${name}: has triggers (on:)`);
	const steps = [];
	for (const [jobName, job] of Object.entries(wf.jobs ?? {})) {
		assert.ok(job['runs-on'], `${name}: job ${jobName} has runs-on`);
		assert.ok(Array.isArray(job.steps) && job.steps.length, `${name}: job ${jobName} has steps`);
		for (const [i, s] of job.steps.entries()) {
			const where = `${name} › ${jobName} › step ${i + 1}${s.name ? ` (${s.name})` : ''}`;
			assert.ok(s.uses || s.run, `${where}: uses or run`);
			if (s.uses) assert.ok(KNOWN_ACTIONS.has(s.uses), `${where}: unknown action ${s.uses}`);
			if (s.run) checkRun(String(s.run), s['working-directory'], where);
			steps.push({ ...s, job: jobName, jobDef: job });
		}
	}
	// The node-cli 0.48.3 generator drops `${{ ... }}`: every expression must be whole.
	for (const m of text.matchAll(/\$\{\{([^}]*)\}\}/g))
		assert.ok(m[1].trim().length > 0, `${name}: empty expression`);
	assert.ok(!/\$\{\s*\}|\$\{\{\s*$/m.test(text), `${name}: broken \${{ }} expression`);
	return { wf, text, steps };
}

describe('GitHub Actions workflows (.github/workflows)', () => {
	test('ci.yml: install, lint, build and the tests that need no n8n, on pushes and pull requests', () => {
		const { wf, steps, text } = checkWorkflow('ci.yml');
		const on = triggers(wf);
		assert.ok('pull_request' in on && 'push' in on, 'runs on push and pull_request');
		const runs = steps
			.filter((s) => s.run)
			.map((s) => String(s.run))
			.join('\n');
		assert.match(
			runs,
			/bash scripts\/setup\.sh/,
			'installs with the project setup (Rust tools, npm, builds)',
		);
		assert.match(
			runs,
			/npm run lint --workspace n8n-nodes-huskyvoice/,
			'lints (n8n-node lint, strict)',
		);
		assert.match(runs, /npm run build\b/, 'builds');
		assert.match(runs, /npm run test:core/);
		assert.match(runs, /npm run test:node/);
		assert.doesNotMatch(runs, /test:e2e|test:queue|npm test\b/, 'no test that installs n8n');
		assert.ok(
			steps.some(
				(s) =>
					s.uses === 'dtolnay/rust-toolchain@stable' &&
					/wasm32-unknown-unknown/.test(s.with?.targets ?? ''),
			),
			'Rust with the wasm32 target',
		);
		assert.match(text, /\$\{\{ github\.ref \}\}/, 'concurrency group expression kept');
	});

	test('publish.yml: on a version tag, id-token: write, npm run release (n8n-node release) in n8n-node/, provenance', () => {
		const { wf, steps } = checkWorkflow('publish.yml');
		const tags = triggers(wf).push?.tags ?? [];
		assert.ok(tags.length, 'triggered by tags');
		const glob = (g) =>
			new RegExp(`^${g.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
		assert.ok(
			tags.some((t) => glob(t).test(`v${pkg.version}`)),
			`a tag v${pkg.version} triggers it (${tags.join(', ')})`,
		);
		assert.ok(!tags.some((t) => glob(t).test('main')), 'a branch name does not');
		assert.equal(Object.keys(wf.jobs).length, 1, 'one publish job');
		const job = Object.values(wf.jobs)[0];
		const perms = { ...(wf.permissions ?? {}), ...(job.permissions ?? {}) };
		assert.equal(perms['id-token'], 'write', 'permissions: id-token: write (npm provenance)');
		assert.equal(perms.contents, 'read', 'contents: read');
		const release = steps.find((s) => /npm run release\b/.test(String(s.run ?? '')));
		assert.ok(release, 'a step runs npm run release');
		assert.equal(release['working-directory'], 'n8n-node', 'in the package folder');
		assert.match(
			String(release.env?.NODE_AUTH_TOKEN ?? ''),
			/^\$\{\{ secrets\.NPM_TOKEN \}\}$/,
			'token fallback expression kept',
		);
		const node = steps.find((s) => s.uses === 'actions/setup-node@v4');
		assert.equal(
			node?.with?.['registry-url'],
			'https://registry.npmjs.org',
			'setup-node writes the npm registry .npmrc',
		);
		const before = steps
			.slice(0, steps.indexOf(release))
			.map((s) => String(s.run ?? ''))
			.join('\n');
		assert.match(
			before,
			/bash scripts\/setup\.sh/,
			'the core is built (Rust, wasm-pack) before the release builds the node',
		);
	});
});
