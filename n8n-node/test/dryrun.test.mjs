// Dry run: validates, shows the request that would be sent (secrets redacted), sends nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
	API_KEY,
	idsItems,
	jsonOf,
	restCredentials,
	run,
	sandbox,
	WEBHOOK_TOKEN,
	webhookCredentials,
} from './harness.mjs';

let sb;
before(async () => {
	sb = await sandbox();
});
after(() => sb.stop());

describe('dry run', () => {
	test('REST: the POST with its URL and a redacted Authorization header; zero requests', async () => {
		await sb.reset();
		await sb.addCalls([{ call_id: 'd_1' }]);
		const { output, calls } = await run({
			items: idsItems([' d_1 ']),
			parameters: { options: { dryRun: true } },
			credentials: restCredentials(sb.url),
		});
		const j = output[0].json;
		assert.equal(j.callId, 'd_1');
		assert.equal(j.outcome, 'dry_run');
		assert.equal(j.cancelled, false);
		assert.equal(j.attempts, 0);
		assert.equal(j.httpStatus, null);
		assert.equal(j.request.method, 'POST');
		assert.equal(j.request.url, `${sb.url}/v1/calls/d_1/cancel`);
		assert.match(j.request.headers.Authorization, /^Bearer sk_test_.*redacted/);
		assert.ok(!j.request.headers.Authorization.includes(API_KEY));
		assert.equal(calls.httpRequestWithAuthentication + calls.httpRequest, 0);
		assert.deepEqual(await sb.requests(), []);
		assert.equal((await sb.getCall('d_1')).status, 'queued');
	});

	test('webhook: the redacted hook URL and the call.cancel body; zero requests', async () => {
		const { output } = await run({
			items: idsItems(['d_2']),
			parameters: { authentication: 'webhook', options: { dryRun: true } },
			credentials: webhookCredentials(sb.url),
		});
		const { request } = output[0].json;
		assert.match(request.url, /\/v1\/hooks\/.*redacted/);
		assert.ok(!request.url.includes(WEBHOOK_TOKEN));
		assert.deepEqual(JSON.parse(request.body), { action: 'call.cancel', data: { call_id: 'd_2' } });
		assert.deepEqual(await sb.requests(), []);
	});

	test('a bad call id still fails in a dry run', async () => {
		const { error, output } = await run({
			items: idsItems(['d_ok', 'd bad']),
			parameters: { options: { dryRun: true } },
			credentials: restCredentials(sb.url),
			continueOnFail: true,
			onError: 'continueRegularOutput',
		});
		assert.equal(error, undefined);
		assert.deepEqual(
			jsonOf(output).map((j) => j.outcome),
			['dry_run', 'invalid_call_id'],
		);
		assert.deepEqual(await sb.requests(), []);
	});
});
