// Parameters are read per item; values without an expression are read once, and
// `={{ $json.field }}` straight from the item (n8n's expression engine is not needed for it).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
	API_KEY,
	idsItems,
	jsonOf,
	requestsFor,
	restCredentials,
	run,
	sandbox,
	webhookCredentials,
} from './harness.mjs';

let sb;
before(async () => {
	sb = await sandbox();
});
after(() => sb.stop());

describe('per-item parameters', () => {
	test('options from an expression differ per item: dry run, onNotCancellable, maxAttempts', async () => {
		await sb.addCalls([
			{ call_id: 'p_dry' },
			{ call_id: 'p_ok' },
			{ call_id: 'p_ring', status: 'ringing' },
			{ call_id: 'p_ring2', status: 'ringing' },
		]);
		await sb.faults([{ path_prefix: '/v1/calls/p_ok/cancel', status: 503, times: 1 }]);
		const items = [
			{ call_id: 'p_dry', opts: { dryRun: true } },
			{ call_id: 'p_ok', opts: { maxAttempts: 1 } },
			{ call_id: 'p_ring', opts: { onNotCancellable: 'error' } },
			{ call_id: 'p_ring2', opts: {} },
		];
		const { output, calls } = await run({
			items,
			parameters: { options: '={{ $json.opts }}x' },
			resolve: { options: (i, item) => item.json.opts },
			credentials: restCredentials(sb.url),
			continueOnFail: true,
			onError: 'continueRegularOutput',
		});
		const out = jsonOf(output);
		assert.equal(out[0].outcome, 'dry_run');
		assert.equal(
			out[1].outcome,
			'server_error',
			'maxAttempts 1 for item 1: the 503 is not retried',
		);
		assert.equal(out[1].attempts, 1);
		assert.equal(out[2].outcome, 'not_cancellable');
		assert.match(out[2].error, /ringing/);
		assert.equal(out[3].outcome, 'not_cancellable');
		assert.equal(out[3].error, undefined);
		assert.equal(calls.getNodeParameter.options, 4, 'read per item');
		assert.equal(requestsFor(await sb.requests(), 'p_dry').length, 0);
		await sb.faults([]);
	});

	test('call ids from an expression n8n must evaluate are read per item through getNodeParameter', async () => {
		await sb.addCalls([{ call_id: 'p_expr_a' }, { call_id: 'p_expr_b' }]);
		const { output, calls } = await run({
			items: [{ n: 'a' }, { n: 'b' }],
			parameters: { callId: '={{ "p_expr_" + $json.n }}' },
			resolve: { callId: (i, item) => `p_expr_${item.json.n}` },
			credentials: restCredentials(sb.url),
		});
		assert.deepEqual(
			jsonOf(output).map((j) => [j.callId, j.outcome]),
			[
				['p_expr_a', 'cancelled'],
				['p_expr_b', 'cancelled'],
			],
		);
		assert.equal(calls.getNodeParameter.callId, 2);
	});

	test('the default ={{ $json.call_id }}, $json["field"] and constant options need no expression evaluation', async () => {
		await sb.addCalls([{ call_id: 'p_fast_1' }, { call_id: 'p_fast_2' }, { call_id: 'p_fast_3' }]);
		const a = await run({
			items: idsItems(['p_fast_1']),
			parameters: { options: { concurrency: 2 } },
			credentials: restCredentials(sb.url),
		});
		assert.equal(a.output[0].json.outcome, 'cancelled');
		const b = await run({
			items: [{ id: 'p_fast_2' }, { id: '  p_fast_3 ' }],
			parameters: { callId: '={{ $json["id"] }}' },
			credentials: restCredentials(sb.url),
		});
		assert.deepEqual(
			jsonOf(b.output).map((j) => [j.callId, j.outcome]),
			[
				['p_fast_2', 'cancelled'],
				['p_fast_3', 'cancelled'],
			],
		);
		for (const { calls } of [a, b]) {
			assert.equal(calls.getNodeParameter.callId, undefined);
			assert.equal(calls.getNodeParameter.options, undefined);
			assert.equal(calls.getNodeParameter.authentication, undefined);
		}
	});

	test('a fixed call id (no expression) applies to every item', async () => {
		await sb.addCalls([{ call_id: 'p_fixed' }]);
		const { output } = await run({
			items: [{}, {}],
			parameters: { callId: 'p_fixed' },
			credentials: restCredentials(sb.url),
		});
		assert.deepEqual(
			jsonOf(output).map((j) => [j.callId, j.outcome]),
			[
				['p_fixed', 'cancelled'],
				['p_fixed', 'cancelled'],
			],
		);
	});

	test('authentication per item: each credential type is read once, each item goes its own way', async () => {
		const ids = ['p_auth_rest1', 'p_auth_hook1', 'p_auth_rest2', 'p_auth_hook2'];
		await sb.addCalls(ids.map((call_id) => ({ call_id })));
		const { output, calls } = await run({
			items: ids.map((call_id) => ({
				call_id,
				via: call_id.includes('hook') ? 'webhook' : 'apiKey',
			})),
			parameters: { authentication: '={{ $json.via }}x' },
			resolve: { authentication: (i, item) => item.json.via },
			credentials: { ...restCredentials(sb.url), ...webhookCredentials(sb.url) },
		});
		assert.deepEqual(
			jsonOf(output).map((j) => [j.callId, j.via, j.outcome]),
			[
				['p_auth_rest1', 'rest', 'cancelled'],
				['p_auth_hook1', 'webhook', 'cancelled'],
				['p_auth_rest2', 'rest', 'cancelled'],
				['p_auth_hook2', 'webhook', 'cancelled'],
			],
		);
		assert.deepEqual(calls.getCredentials, [
			{ type: 'huskyVoiceApi', itemIndex: 0 },
			{ type: 'huskyVoiceWebhookApi', itemIndex: 1 },
		]);
		const log = requestsFor(await sb.requests(), ids);
		assert.equal(log.filter((r) => r.headers.authorization === `Bearer ${API_KEY}`).length, 2);
		assert.equal(log.filter((r) => r.path === '/v1/hooks/(redacted)').length, 2);
	});

	test('out-of-range values are named by the core: an item option fails its item, a run setting the run', async () => {
		await sb.addCalls([{ call_id: 'p_range_ok' }]);
		const { output } = await run({
			items: [
				{ call_id: 'p_range_bad', opts: { maxAttempts: 0 } },
				{ call_id: 'p_range_ok', opts: {} },
			],
			parameters: { options: '={{ $json.opts }}x' },
			resolve: { options: (i, item) => item.json.opts },
			credentials: restCredentials(sb.url),
			continueOnFail: true,
		});
		const [bad, ok] = jsonOf(output);
		assert.equal(bad.outcome, 'invalid_options');
		assert.equal(bad.attempts, 0);
		assert.match(bad.error, /Option "maxAttempts" must be a whole number from 1 to 100; got 0\./);
		assert.equal(ok.outcome, 'cancelled');
		const { error } = await run({
			items: idsItems(['p_range_ok']),
			parameters: { options: { concurrency: 0 } },
			credentials: restCredentials(sb.url),
		});
		assert.match(error.message, /"concurrency" must be a whole number from 1 to 1000; got 0\./);
	});
});

describe('Include Input Fields', () => {
	let sb2;
	before(async () => {
		sb2 = await sandbox();
	});
	after(() => sb2.stop());

	test('the input fields come out next to the cancel fields, which win on a clash; off by default', async () => {
		await sb2.addCalls([{ call_id: 'iif_1' }, { call_id: 'iif_2' }]);
		const items = [
			{ call_id: 'iif_1', crm_id: 'crm-77', outcome: 'from the CRM' },
			{ call_id: 'iif_2', crm_id: 'crm-78' },
		];
		const { output } = await run({
			items,
			parameters: { options: { includeInputFields: true } },
			credentials: restCredentials(sb2.url),
		});
		const [a, b] = jsonOf(output);
		assert.equal(a.crm_id, 'crm-77');
		assert.equal(a.call_id, 'iif_1');
		assert.equal(a.outcome, 'cancelled', "the cancel's field wins");
		assert.equal(b.crm_id, 'crm-78');
		const plain = await run({ items: [{ call_id: 'iif_1', crm_id: 'x' }], credentials: restCredentials(sb2.url) });
		assert.equal(jsonOf(plain.output)[0].crm_id, undefined);
	});
});
