// The package as n8n loads it: node and credential descriptions (the interface the e2e
// workflows in tests/e2e/workflows use), the tool variant, the output schema, the credentials'
// authenticate. The Test buttons are in credential-test.test.mjs.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { HuskyVoice, HuskyVoiceApi, HuskyVoiceWebhookApi, NODE_DIR } from './harness.mjs';

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
			[
				['cancel', 'Cancel', 'Cancel a queued call'],
				['delete', 'Delete', 'Delete the personal data of an ended call permanently'],
				['get', 'Get', 'Get a call'],
				['schedule', 'Schedule', 'Schedule a call'],
			],
		);
		assert.match(op.options.find((o) => o.value === 'delete').description, /cannot be undone/);
		assert.equal(op.default, 'cancel');
		assert.equal(prop('callId').default, '={{ $json.call_id }}');
		assert.ok(prop('callId').hint);
		// Every operation but schedule reads a Call ID; each has its own Options.
		for (const operation of ['get', 'cancel', 'delete']) {
			assert.ok(
				description.properties.some(
					(p) => p.name === 'callId' && p.displayOptions.show.operation.includes(operation),
				),
				operation,
			);
		}
		const optionsOf = (operation) =>
			Object.fromEntries(
				description.properties
					.find((p) => p.name === 'options' && p.displayOptions.show.operation.includes(operation))
					.options.map((o) => [o.name, o.default]),
			);
		const shared = {
			concurrency: 5,
			dryRun: false,
			maxAttempts: 3,
			maxTotalWaitSeconds: 30,
			includeInputFields: false,
			rateLimitWindowSeconds: 60,
			requestsPerMinute: 60,
			timeoutSeconds: 30,
		};
		assert.deepEqual(optionsOf('schedule'), shared);
		assert.deepEqual(optionsOf('get'), shared);
		assert.deepEqual(optionsOf('delete'), { ...shared, onNotEnded: 'output', onNotFound: 'output' });
		// Get through the webhook is explained in the panel, before any run.
		const notice = description.properties.find((p) => p.name === 'getNeedsApiKey');
		assert.equal(notice.type, 'notice');
		assert.deepEqual(notice.displayOptions.show.authentication, ['webhook']);
		const options = optionsOf('cancel');
		assert.deepEqual(options, {
			concurrency: 5,
			dryRun: false,
			maxAttempts: 3,
			maxTotalWaitSeconds: 30,
			onNotCancellable: 'output',
			includeInputFields: false,
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
		const schemaOf = (op) =>
			JSON.parse(readFileSync(path.join(dir, `__schema__/v1.0.0/call/${op}.json`), 'utf8'));
		assert.deepEqual(schemaOf('schedule').required.slice(2, 7), [
			'scheduled',
			'idempotencyKey',
			'replayed',
			'agentId',
			'contactNumber',
		]);
		assert.deepEqual(schemaOf('get').required.slice(2, 4), ['found', 'call']);
		assert.deepEqual(schemaOf('delete').required[2], 'deleted');
		const schema = schemaOf('cancel');
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

	test('credential tests are the node\'s (testedBy), so the core decides them; no declarative test', () => {
		assert.deepEqual(
			description.credentials.map((c) => [c.name, c.testedBy]),
			[
				['huskyVoiceApi', 'huskyVoiceApiTest'],
				['huskyVoiceWebhookApi', 'huskyVoiceWebhookApiTest'],
			],
		);
		const { credentialTest } = new HuskyVoice().methods;
		assert.deepEqual(Object.keys(credentialTest).sort(), ['huskyVoiceApiTest', 'huskyVoiceWebhookApiTest']);
		// n8n prefers a credential's own `test` over the node's: there must be none.
		assert.equal(new HuskyVoiceApi().test, undefined);
		assert.equal(new HuskyVoiceWebhookApi().test, undefined);
	});

	test('as an AI tool: the model gives the call id, the description says what cancelling does, no run-wide options', () => {
		const callIds = description.properties.filter((p) => p.name === 'callId');
		assert.equal(callIds.length, 6);
		const [forItems, forTool] = callIds.filter((p) => p.displayOptions.show.operation[0] === 'cancel');
		assert.deepEqual(forItems.displayOptions.hide, { '@tool': [true] });
		assert.deepEqual(forTool.displayOptions.show['@tool'], [true]);
		assert.match(forTool.default, /^=\{\{ \$fromAI\('callId', '[^']+', 'string'\) \}\}$/);
		const toolDescriptions = description.properties.filter((p) => p.name === 'toolDescription');
		assert.deepEqual(
			toolDescriptions.map((p) => p.displayOptions.show.operation[0]),
			['schedule', 'get', 'cancel', 'delete'],
		);
		const toolDescription = toolDescriptions[2];
		assert.deepEqual(toolDescription.displayOptions.show['@tool'], [true]);
		assert.match(toolDescriptions[3].default, /cannot be undone/);
		// As a tool, schedule's number comes from the model too.
		const numbers = description.properties.filter((p) => p.name === 'contactNumber');
		assert.match(numbers[1].default, /\$fromAI\('contactNumber'/);
		assert.match(toolDescription.default, /still queued/);
		assert.match(toolDescription.default, /can no longer be cancelled/);
		for (const name of ['concurrency', 'requestsPerMinute', 'rateLimitWindowSeconds']) {
			const o = description.properties
				.find((p) => p.name === 'options')
				.options.find((x) => x.name === name);
			assert.deepEqual(o.displayOptions?.hide, { '@tool': [true] }, name);
		}
		assert.match(description.subtitle, /Cancel a queued call/);
	});

	test('package.json leads users somewhere useful (n8n\'s "Report issue" opens bugs.url)', () => {
		assert.match(pkg.bugs.url, /^https:\/\//);
		assert.match(pkg.homepage, /^https:\/\//);
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
