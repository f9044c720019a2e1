// The package as n8n loads it: node and credential descriptions (the interface the e2e
// workflows in tests/e2e/workflows use), the output schema, the credentials' authenticate and
// test requests (run against the sandbox the way n8n's credential tester evaluates them).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
	API_KEY,
	CANCEL_ONLY_KEY,
	HuskyVoice,
	HuskyVoiceApi,
	HuskyVoiceWebhookApi,
	NODE_DIR,
	READONLY_KEY,
	sandbox,
	WEBHOOK_TOKEN,
	WRONG_KEY,
} from './harness.mjs';

const pkg = JSON.parse(readFileSync(path.join(NODE_DIR, 'package.json'), 'utf8'));
const description = new HuskyVoice().description;
const prop = (name) => description.properties.find((p) => p.name === name);

describe('package and descriptions', () => {
	test('package.json: community package, no runtime dependencies, n8n-workflow as the only peer, dist entries exist', () => {
		assert.ok(pkg.keywords.includes('n8n-community-node-package'));
		assert.equal(pkg.license, 'MIT');
		assert.equal(pkg.dependencies, undefined);
		assert.deepEqual(Object.keys(pkg.peerDependencies), ['n8n-workflow']);
		assert.equal(pkg.n8n.strict, true);
		for (const f of [...pkg.n8n.nodes, ...pkg.n8n.credentials, 'dist/core/huskyvoice_core.js']) {
			assert.ok(existsSync(path.join(NODE_DIR, f)), `${f} is built`);
		}
	});

	test('node: huskyVoice v1, usable as a tool, credentials by authentication', () => {
		assert.equal(description.name, 'huskyVoice');
		assert.equal(description.displayName, 'HuskyVoice');
		assert.equal(description.version, 1);
		assert.equal(description.usableAsTool, true);
		assert.deepEqual(
			description.credentials.map((c) => [c.name, c.displayOptions.show.authentication[0]]),
			[
				['huskyVoiceApi', 'apiKey'],
				['huskyVoiceWebhookApi', 'webhook'],
			],
		);
	});

	test('parameters and options match the e2e workflows', () => {
		assert.deepEqual(
			prop('authentication').options.map((o) => o.value),
			['apiKey', 'webhook'],
		);
		assert.equal(prop('authentication').default, 'apiKey');
		assert.deepEqual(
			prop('resource').options.map((o) => o.value),
			['call'],
		);
		const op = prop('operation');
		assert.deepEqual(
			op.options.map((o) => [o.value, o.name, o.action]),
			[['cancel', 'Cancel Call', 'Cancel a queued call']],
		);
		assert.equal(prop('callId').default, '={{ $json.call_id }}');
		assert.ok(prop('callId').hint);
		const options = Object.fromEntries(prop('options').options.map((o) => [o.name, o.default]));
		assert.deepEqual(options, {
			concurrency: 5,
			dryRun: false,
			maxAttempts: 3,
			maxTotalWaitSeconds: 30,
			onNotCancellable: 'output',
			rateLimitWindowSeconds: 60,
			requestsPerMinute: 60,
			timeoutSeconds: 30,
		});
		const workflows = path.join(NODE_DIR, '..', 'tests', 'e2e', 'workflows');
		if (existsSync(workflows)) {
			const text = ['node-main.json', 'node-retries.json']
				.map((f) => readFileSync(path.join(workflows, f), 'utf8'))
				.join('');
			for (const m of text.matchAll(/"options": \{([^}]*)\}/g)) {
				for (const key of m[1].matchAll(/"(\w+)":/g))
					assert.ok(key[1] in options, `e2e option ${key[1]}`);
			}
		}
	});

	test('the output schema and the codex file ship next to the node', () => {
		const dir = path.join(NODE_DIR, 'dist/nodes/HuskyVoice');
		const schema = JSON.parse(
			readFileSync(path.join(dir, '__schema__/v1.0.0/call/cancel.json'), 'utf8'),
		);
		assert.deepEqual(schema.required, [
			'callId',
			'outcome',
			'cancelled',
			'callStatus',
			'message',
			'httpStatus',
			'via',
			'attempts',
		]);
		const codex = JSON.parse(readFileSync(path.join(dir, 'HuskyVoice.node.json'), 'utf8'));
		assert.equal(codex.node, 'n8n-nodes-huskyvoice.huskyVoice');
		for (const icon of ['huskyvoice.svg', 'huskyvoice.dark.svg'])
			assert.ok(existsSync(path.join(dir, icon)));
	});

	test('credentials: names, fields, masked secrets', () => {
		const api = new HuskyVoiceApi();
		const hook = new HuskyVoiceWebhookApi();
		assert.equal(api.name, 'huskyVoiceApi');
		assert.equal(hook.name, 'huskyVoiceWebhookApi');
		assert.deepEqual(
			api.properties.map((p) => p.name),
			['apiKey', 'baseUrl'],
		);
		assert.deepEqual(
			hook.properties.map((p) => p.name),
			['webhook', 'baseUrl'],
		);
		assert.equal(api.properties[0].typeOptions.password, true);
		assert.equal(hook.properties[0].typeOptions.password, true);
		assert.equal(api.properties[1].default, 'https://api.huskyvoice.ai');
	});

	test('authenticate adds the Bearer header without an expression and keeps other headers', async () => {
		const out = await new HuskyVoiceApi().authenticate(
			{ apiKey: 'sk_live_x' },
			{ url: 'u', headers: { Accept: 'application/json' } },
		);
		assert.deepEqual(out.headers, {
			Accept: 'application/json',
			Authorization: 'Bearer sk_live_x',
		});
	});
});

// n8n evaluates `={{ ... }}` in the test request with `$credentials`; here plain JS does it.
function resolve(value, credentials) {
	if (typeof value !== 'string' || !value.startsWith('={{')) return value;
	return new Function('$credentials', `return (${value.slice(3, -2)});`)(credentials);
}

/** Runs a credential's declarative test like n8n's CredentialsTester: status errors ignored, rules on the body. */
async function credentialTest(credential, data) {
	const { request, rules } = credential.test;
	const url = new URL(resolve(request.url, data), resolve(request.baseURL, data) ?? undefined).href;
	let options = { method: request.method, url, headers: {}, body: request.body };
	if (typeof credential.authenticate === 'function')
		options = await credential.authenticate(data, options);
	const res = await fetch(url, {
		method: options.method,
		headers: {
			...options.headers,
			...(options.body ? { 'content-type': 'application/json' } : {}),
		},
		body: options.body ? JSON.stringify(options.body) : undefined,
	});
	assert.ok(request.ignoreHttpStatusErrors);
	let body;
	try {
		body = await res.json();
	} catch {
		body = {};
	}
	const get = (obj, key) => key.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
	const failed = rules.find(
		(r) => r.type === 'responseSuccessBody' && get(body, r.properties.key) === r.properties.value,
	);
	return { status: res.status, ok: !failed, message: failed?.properties.message };
}

describe('credential tests against the sandbox (nothing is cancelled)', () => {
	let sb;
	before(async () => {
		sb = await sandbox();
		await sb.addCalls([{ call_id: 'n8n_credential_test_guard' }]);
	});
	after(() => sb.stop());

	test('API key: a working key passes (404 for the probe id; 403 when it lacks calls:read), a wrong key fails (401)', async () => {
		const api = new HuskyVoiceApi();
		const good = await credentialTest(api, { apiKey: API_KEY, baseUrl: sb.url });
		assert.deepEqual([good.status, good.ok], [404, true]);
		const readonly = await credentialTest(api, { apiKey: READONLY_KEY, baseUrl: `${sb.url}/v1/` });
		assert.deepEqual([readonly.status, readonly.ok], [404, true]);
		const cancelOnly = await credentialTest(api, { apiKey: CANCEL_ONLY_KEY, baseUrl: sb.url });
		assert.deepEqual([cancelOnly.status, cancelOnly.ok], [403, true]);
		const wrong = await credentialTest(api, { apiKey: WRONG_KEY, baseUrl: sb.url });
		assert.deepEqual([wrong.status, wrong.ok], [401, false]);
		assert.match(wrong.message, /rejected the API key/);
	});

	test('webhook: a working token passes (400 unknown action), a wrong one fails (401); URL or token + base URL', async () => {
		const hook = new HuskyVoiceWebhookApi();
		const good = await credentialTest(hook, {
			webhook: `${sb.url}/v1/hooks/${WEBHOOK_TOKEN}`,
			baseUrl: '',
		});
		assert.deepEqual([good.status, good.ok], [400, true]);
		const token = await credentialTest(hook, { webhook: WEBHOOK_TOKEN, baseUrl: `${sb.url}/v1` });
		assert.deepEqual([token.status, token.ok], [400, true]);
		const wrong = await credentialTest(hook, {
			webhook: `${sb.url}/v1/hooks/nope-nope`,
			baseUrl: '',
		});
		assert.deepEqual([wrong.status, wrong.ok], [401, false]);
	});

	test('the tests changed no call', async () => {
		const log = await sb.requests();
		assert.ok(log.every((r) => !r.path.endsWith('/cancel')));
		assert.equal((await sb.getCall('n8n_credential_test_guard')).status, 'queued');
	});
});
