// The inbound-webhook transport: the secret token is the URL, so it must never show.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
	idsItems,
	jsonOf,
	requestsFor,
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

const webhook = { authentication: 'webhook' };

describe('webhook cancel', () => {
	test('full webhook URL: call.cancel body, JSON content type, no Authorization, cancelled, no token shown', async () => {
		const ids = ['w_1', 'w_2'];
		await sb.addCalls(ids.map((call_id) => ({ call_id })));
		const { output, calls } = await run({
			items: idsItems(ids),
			parameters: webhook,
			credentials: webhookCredentials(sb.url),
		});
		assert.deepEqual(
			jsonOf(output).map((j) => [
				j.callId,
				j.outcome,
				j.cancelled,
				j.callStatus,
				j.via,
				j.attempts,
			]),
			[
				['w_1', 'cancelled', true, 'cancelled', 'webhook', 1],
				['w_2', 'cancelled', true, 'cancelled', 'webhook', 1],
			],
		);
		const log = requestsFor(await sb.requests(), ids);
		assert.equal(log.length, 2);
		// Requests run concurrently: match them to ids by body, not by arrival order.
		for (const r of log) {
			assert.equal(r.method, 'POST');
			assert.equal(r.path, '/v1/hooks/(redacted)');
			assert.match(r.headers['content-type'], /^application\/json/);
			assert.equal(r.headers.authorization, undefined);
			const body = JSON.parse(r.body);
			assert.deepEqual(body, { action: 'call.cancel', data: { call_id: body.data.call_id } });
		}
		assert.deepEqual(log.map((r) => JSON.parse(r.body).data.call_id).sort(), ids);
		assert.equal(calls.httpRequest, 2);
		assert.equal(calls.httpRequestWithAuthentication, 0);
		assert.equal(calls.getCredentials.length, 1);
	});

	test('just the token plus a base URL works the same', async () => {
		await sb.addCalls([{ call_id: 'w_token' }]);
		const { output } = await run({
			items: idsItems(['w_token']),
			parameters: webhook,
			credentials: { huskyVoiceWebhookApi: { webhook: WEBHOOK_TOKEN, baseUrl: sb.url } },
		});
		assert.equal(output[0].json.outcome, 'cancelled');
		assert.equal((await sb.getCall('w_token')).status, 'cancelled');
	});

	test('a 2xx that does not confirm the cancellation is "accepted", not "cancelled"', async () => {
		await sb.faults([{ path_prefix: '/v1/hooks/', status: 202, body: '{"success": true}' }]);
		const { output } = await run({
			items: idsItems(['w_accepted']),
			parameters: webhook,
			credentials: webhookCredentials(sb.url),
		});
		const j = output[0].json;
		assert.equal(j.outcome, 'accepted');
		assert.equal(j.cancelled, false);
		assert.equal(j.httpStatus, 202);
		assert.equal(j.error, undefined);
		await sb.faults([]);
	});

	test('the webhook answers the cancel outcomes too: not_cancellable, not_found', async () => {
		await sb.addCalls([{ call_id: 'w_ringing', status: 'ringing' }]);
		const { output } = await run({
			items: idsItems(['w_ringing', 'w_missing']),
			parameters: webhook,
			credentials: webhookCredentials(sb.url),
			continueOnFail: true,
			onError: 'continueRegularOutput',
		});
		assert.deepEqual(
			jsonOf(output).map((j) => [j.outcome, j.callStatus, j.httpStatus]),
			[
				['not_cancellable', 'ringing', 409],
				['not_found', null, 404],
			],
		);
	});

	test('a wrong token: unauthorized naming the webhook credential; neither token is shown', async () => {
		const wrong = 'wrong-token-abcdef';
		await sb.addCalls([{ call_id: 'w_401' }]);
		const { error } = await run({
			items: idsItems(['w_401']),
			parameters: webhook,
			credentials: webhookCredentials(sb.url, wrong),
			secrets: [WEBHOOK_TOKEN, wrong],
		});
		assert.equal(error?.httpCode, '401');
		assert.match(error.message, /webhook/i);
		assert.equal((await sb.getCall('w_401')).status, 'queued');
	});

	test('a dropped connection on the webhook: the error (and its transport detail) carries no token', async () => {
		await sb.faults([{ path_prefix: '/v1/hooks/', drop: true, times: 10 }]);
		const { output } = await run({
			items: idsItems(['w_drop']),
			parameters: { ...webhook, options: { maxAttempts: 2 } },
			credentials: webhookCredentials(sb.url),
			continueOnFail: true,
			onError: 'continueErrorOutput',
		});
		const j = output[0].json;
		assert.deepEqual(Object.keys(j).sort(), ['details', 'error', 'message']);
		assert.equal(j.details.outcome, 'server_error');
		assert.equal(j.details.attempts, 2);
		assert.match(j.error, /\((ECONNRESET|EPIPE)\)/);
		await sb.faults([]);
	});
});
