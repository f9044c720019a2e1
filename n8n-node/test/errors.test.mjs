// Failures: bad input before anything is sent, errors with itemIndex, "Continue On Fail" with the
// regular output and with the error output, onNotCancellable = error.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
	idsItems,
	jsonOf,
	requestsFor,
	restCredentials,
	run,
	sandbox,
	WEBHOOK_TOKEN,
} from './harness.mjs';

const OUTPUT_FIELDS = ['callId', 'outcome', 'cancelled', 'callStatus', 'message', 'httpStatus', 'via', 'attempts'];

let sb;
before(async () => {
	sb = await sandbox();
});
after(() => sb.stop());

const BAD = [
	'',
	'a b',
	'../x',
	'a/b',
	'a?b',
	'%2F',
	'x'.repeat(200),
	'café',
	12345,
	null,
	undefined,
	{ id: 'x' },
];

describe('invalid call ids', () => {
	test('without continue-on-fail: NodeOperationError naming the item and the character; nothing sent at all', async () => {
		await sb.reset();
		await sb.addCalls([{ call_id: 'e_ok' }]);
		const { error } = await run({
			items: [{ call_id: 'e_ok' }, { call_id: 'a/b' }],
			credentials: restCredentials(sb.url),
		});
		assert.equal(error?.name, 'NodeOperationError');
		assert.equal(error.context.itemIndex, 1);
		assert.match(error.message, /'\/' at position 2/);
		assert.match(error.description, /Nothing was sent to HuskyVoice: item 2 of 2 is invalid\./);
		assert.deepEqual(
			await sb.requests(),
			[],
			'not even the valid item: the run fails before sending',
		);
		assert.equal((await sb.getCall('e_ok')).status, 'queued');
	});

	for (const bad of BAD) {
		test(`rejects ${JSON.stringify(bad)?.slice(0, 30) ?? 'undefined'} without sending it`, async () => {
			const { error } = await run({
				items: [{ call_id: bad }],
				credentials: restCredentials(sb.url),
			});
			assert.equal(error?.name, 'NodeOperationError');
			assert.equal(error.context.itemIndex, 0);
			assert.ok(error.message.length > 10, error.message);
		});
	}

	test('with continue-on-fail (error output): one error item per bad id, paired; good ids (trimmed) cancelled', async () => {
		await sb.reset();
		await sb.addCalls([{ call_id: 'e_good1' }, { call_id: 'e_good2' }]);
		const items = [
			{ call_id: 'e_good1' },
			...BAD.map((call_id) => ({ call_id })),
			{ call_id: '  e_good2\t' },
		];
		const { output } = await run({
			items,
			credentials: restCredentials(sb.url),
			continueOnFail: true,
			onError: 'continueErrorOutput',
		});
		assert.equal(output.length, items.length);
		assert.deepEqual(
			output.map((o) => o.pairedItem.item),
			items.map((_, i) => i),
		);
		const [first, ...rest] = jsonOf(output);
		const last = rest.pop();
		assert.deepEqual(
			[first.callId, first.outcome, last.callId, last.outcome],
			['e_good1', 'cancelled', 'e_good2', 'cancelled'],
		);
		for (const j of rest) {
			// n8n moves items whose json holds only error/message/details to the error output.
			assert.deepEqual(Object.keys(j).sort(), ['details', 'error', 'message']);
		assert.equal(j.message, j.details.message);
			assert.deepEqual(Object.keys(j.details).sort(), [...OUTPUT_FIELDS, 'description', 'error'].sort());
			assert.equal(j.details.outcome, 'invalid_call_id');
			assert.equal(j.details.cancelled, false);
			assert.equal(j.details.attempts, 0);
			assert.equal(typeof j.error, 'string');
		}
		const log = await sb.requests();
		assert.equal(log.length, 2, 'only the good ids were sent');
		assert.deepEqual(requestsFor(log, ['e_good1', 'e_good2']).length, 2);
	});

	test('an invalid base URL in the credential fails every item with the core message, nothing sent', async () => {
		const { error } = await run({
			items: idsItems(['e_x']),
			credentials: { huskyVoiceApi: { apiKey: 'sk_test_sandbox', baseUrl: 'http://example.com' } },
		});
		assert.equal(error?.name, 'NodeOperationError');
		assert.match(error.message, /^The API key credential cannot be used: Base URL uses plain http/);
		assert.match(error.message, /https/i);
	});

	test('a webhook credential that is neither a URL nor a token: a clear error without the value', async () => {
		const value = `not a token ${WEBHOOK_TOKEN}!`;
		const { error } = await run({
			items: idsItems(['e_y']),
			parameters: { authentication: 'webhook' },
			credentials: { huskyVoiceWebhookApi: { webhook: value } },
		});
		assert.equal(error?.name, 'NodeOperationError');
		assert.match(error.message, /^The inbound webhook credential cannot be used: Webhook token has a space/);
	});

	test('a missing credential fails the run', async () => {
		const { error } = await run({ items: idsItems(['e_z']), credentials: {} });
		assert.match(error.message, /credentials/);
	});
});

describe('failed calls', () => {
	test('continue-on-fail, regular output: every field, plus error and description', async () => {
		await sb.reset();
		await sb.addCalls([{ call_id: 'f_ok' }]);
		const { output } = await run({
			items: idsItems(['f_ok', 'f_missing']),
			credentials: restCredentials(sb.url),
			continueOnFail: true,
			onError: 'continueRegularOutput',
		});
		const [ok, missing] = jsonOf(output);
		assert.equal(ok.outcome, 'cancelled');
		assert.equal(ok.error, undefined);
		assert.deepEqual(
			{ ...missing, message: undefined, error: undefined, description: undefined },
			{
				callId: 'f_missing',
				outcome: 'not_found',
				cancelled: false,
				callStatus: null,
				message: undefined,
				httpStatus: 404,
				via: 'rest',
				attempts: 1,
				error: undefined,
				description: undefined,
			},
		);
		assert.equal(missing.error, missing.message);
		assert.match(missing.description, /outcome not_found; HTTP 404; 1 attempt via the REST API/);
	});

	test('continue-on-fail, error output: { error, message, details } with the output fields in details', async () => {
		const { output } = await run({
			items: idsItems(['f_missing2']),
			credentials: restCredentials(sb.url),
			continueOnFail: true,
			onError: 'continueErrorOutput',
		});
		const j = output[0].json;
		assert.deepEqual(Object.keys(j).sort(), ['details', 'error', 'message']);
		assert.equal(j.message, j.details.message);
		assert.equal(j.details.callId, 'f_missing2');
		assert.equal(j.details.outcome, 'not_found');
		assert.equal(j.details.httpStatus, 404);
		assert.match(j.error, /not found/);
	});

	test('onNotCancellable = error: the not-cancellable item fails, the queued one is cancelled', async () => {
		await sb.addCalls([{ call_id: 'f_q' }, { call_id: 'f_ringing', status: 'ringing' }]);
		const { output } = await run({
			items: idsItems(['f_q', 'f_ringing']),
			parameters: { options: { onNotCancellable: 'error' } },
			credentials: restCredentials(sb.url),
			continueOnFail: true,
			onError: 'continueErrorOutput',
		});
		const [q, r] = jsonOf(output);
		assert.equal(q.outcome, 'cancelled');
		assert.equal(r.details.outcome, 'not_cancellable');
		assert.equal(r.details.callStatus, 'ringing');
		assert.match(r.error, /ringing/);
		const thrown = await run({
			items: idsItems(['f_ringing']),
			parameters: { options: { onNotCancellable: 'error' } },
			credentials: restCredentials(sb.url),
		});
		assert.equal(thrown.error?.httpCode, '409');
		assert.match(thrown.error.message, /can no longer be cancelled: it is ringing/);
	});

	test('without continue-on-fail: the earliest failing item is reported and no new request starts after it', async () => {
		await sb.reset();
		const ids = ['f_s0', 'f_s1', 'f_s2_missing', 'f_s3', 'f_s4', 'f_s5', 'f_s6', 'f_s7'];
		await sb.addCalls(ids.filter((id) => !id.includes('missing')).map((call_id) => ({ call_id })));
		const { error } = await run({
			items: idsItems(ids),
			parameters: { options: { concurrency: 1 } },
			credentials: restCredentials(sb.url),
		});
		assert.equal(error.context.itemIndex, 2);
		assert.equal(error.httpCode, '404');
		const sent = (await sb.requests()).length;
		assert.equal(sent, 3, 'with concurrency 1, nothing after the failing item');
		// No item comes out of a failed run, so the error keeps the record of what was done.
		assert.match(error.description, /Before the run stopped, 2 calls were cancelled: f_s0, f_s1; 5 items were not sent\./);
		for (const id of ['f_s0', 'f_s1']) assert.equal((await sb.getCall(id)).status, 'cancelled');
	});

	test('a failure before anything is sent says so, and names every invalid item at once', async () => {
		await sb.reset();
		await sb.addCalls([{ call_id: 'f_v0' }]);
		const { error } = await run({
			items: [{ call_id: 'f_v0' }, { call_id: 'bad/one' }, { call_id: 'f_v0' }, {}, { call_id: 'bad?two' }],
			credentials: restCredentials(sb.url),
		});
		assert.equal(error.message, '3 of 5 items are invalid; nothing was sent to HuskyVoice');
		assert.equal(error.context.itemIndex, 1);
		const lines = error.description.split('\n');
		assert.match(lines[0], /^Item 2: Call ID "bad\/one" has '\/' at position 4/);
		assert.match(lines[1], /^Item 4: The item's "call_id" field is missing or null/);
		assert.match(lines[2], /^Item 5: Call ID "bad\?two" has '\?' at position 4/);
		assert.deepEqual(await sb.requests(), []);
	});

	test('an execution cancelled during a retry wait stops at once', async () => {
		await sb.addCalls([{ call_id: 'f_abort' }]);
		await sb.faults([
			{
				path_prefix: '/v1/calls/f_abort/cancel',
				status: 429,
				headers: { 'Retry-After': '5' },
				times: 10,
			},
		]);
		const abortController = new AbortController();
		const t0 = Date.now();
		const pending = run({
			items: idsItems(['f_abort']),
			credentials: restCredentials(sb.url),
			abortController,
		});
		setTimeout(() => abortController.abort(), 300);
		const { error } = await pending;
		assert.ok(Date.now() - t0 < 2000, 'did not sit out the Retry-After');
		assert.match(error.message, /cancelled/);
		await sb.faults([]);
	});
});
