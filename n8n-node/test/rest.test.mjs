// REST transport, every outcome HuskyVoice can answer with, against the sandbox.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
	API_KEY,
	idsItems,
	jsonOf,
	READONLY_KEY,
	requestsFor,
	restCredentials,
	run,
	sandbox,
	WRONG_KEY,
} from './harness.mjs';

const FIELDS = [
	'callId',
	'outcome',
	'cancelled',
	'callStatus',
	'message',
	'httpStatus',
	'via',
	'attempts',
];
let sb;
before(async () => {
	sb = await sandbox();
});
after(() => sb.stop());

const continueRegular = { continueOnFail: true, onError: 'continueRegularOutput' };

describe('REST cancel', () => {
	test('queued calls are cancelled: one POST each with the Bearer key, output fields, pairedItem, order', async () => {
		const ids = ['r_ok_1', 'r_ok_2', 'r_ok_3'];
		await sb.addCalls(ids.map((call_id) => ({ call_id })));
		const { output, calls } = await run({
			items: idsItems(ids),
			credentials: restCredentials(sb.url),
		});
		assert.equal(output.length, 3);
		output.forEach((item, i) => {
			assert.deepEqual(Object.keys(item.json).sort(), [...FIELDS].sort());
			assert.deepEqual(item.json, {
				callId: ids[i],
				outcome: 'cancelled',
				cancelled: true,
				callStatus: 'cancelled',
				message: item.json.message,
				httpStatus: 200,
				via: 'rest',
				attempts: 1,
			});
			assert.match(item.json.message, /cancelled/i);
			assert.deepEqual(item.pairedItem, { item: i });
		});
		const log = requestsFor(await sb.requests(), ids);
		assert.equal(log.length, 3);
		for (const r of log) {
			assert.equal(r.method, 'POST');
			assert.equal(r.headers.authorization, `Bearer ${API_KEY}`);
			assert.equal(r.body, '');
		}
		for (const id of ids) assert.equal((await sb.getCall(id)).status, 'cancelled');
		// Credentials read (decrypted) once for the run, and handed to every request.
		assert.equal(calls.getCredentials.length, 1);
		assert.equal(calls.httpRequestWithAuthentication, 3);
		assert.equal(calls.credentialsDecryptedPassed, 3);
		assert.equal(calls.httpRequest, 0);
	});

	test('a repeat cancel of a cancelled call is cancelled again (idempotent); base URL with /v1/ works', async () => {
		await sb.addCalls([{ call_id: 'r_repeat', status: 'cancelled' }]);
		const { output } = await run({
			items: idsItems(['r_repeat', 'r_repeat']),
			credentials: { huskyVoiceApi: { apiKey: API_KEY, baseUrl: `${sb.url}/v1/` } },
		});
		assert.deepEqual(
			jsonOf(output).map((j) => [j.outcome, j.cancelled, j.callStatus]),
			[
				['cancelled', true, 'cancelled'],
				['cancelled', true, 'cancelled'],
			],
		);
	});

	test('calls past queued are not_cancellable with their state, output by default, one request, no retry', async () => {
		const states = ['initiated', 'ringing', 'in_progress', 'completed', 'failed'];
		const ids = states.map((s) => `r_nc_${s}`);
		await sb.addCalls(states.map((status, i) => ({ call_id: ids[i], status })));
		const { output } = await run({ items: idsItems(ids), credentials: restCredentials(sb.url) });
		jsonOf(output).forEach((j, i) => {
			assert.equal(j.outcome, 'not_cancellable');
			assert.equal(j.cancelled, false);
			assert.equal(j.callStatus, states[i]);
			assert.equal(j.httpStatus, 409);
			assert.equal(j.attempts, 1);
			assert.equal(j.error, undefined);
			assert.ok(j.message.includes(states[i]), j.message);
		});
		assert.equal(requestsFor(await sb.requests(), ids).length, ids.length);
	});

	test('unknown call: not_found fails the item (NodeApiError, itemIndex, HTTP 404)', async () => {
		await sb.addCalls([{ call_id: 'r_nf_ok' }]);
		const { error } = await run({
			items: idsItems(['r_nf_ok', 'r_nf_missing']),
			credentials: restCredentials(sb.url),
		});
		assert.equal(error?.name, 'NodeApiError');
		assert.equal(error.context.itemIndex, 1);
		assert.equal(error.httpCode, '404');
		assert.match(error.message, /r_nf_missing was not found/);
		assert.match(error.description, /outcome not_found/);
		const continued = await run({
			items: idsItems(['r_nf_missing2']),
			credentials: restCredentials(sb.url),
			...continueRegular,
		});
		const j = continued.output[0].json;
		assert.equal(j.outcome, 'not_found');
		assert.equal(j.httpStatus, 404);
		assert.equal(j.cancelled, false);
		assert.match(j.error, /not found/);
	});

	test('wrong key: unauthorized, names the credential, never the key, no retry', async () => {
		await sb.addCalls([{ call_id: 'r_401' }]);
		const { error } = await run({
			items: idsItems(['r_401']),
			credentials: restCredentials(sb.url, WRONG_KEY),
		});
		assert.equal(error?.httpCode, '401');
		assert.match(`${error.message} ${error.description}`, /API key/);
		assert.match(error.message, /credential/i);
		assert.equal(requestsFor(await sb.requests(), 'r_401').length, 1);
		assert.equal((await sb.getCall('r_401')).status, 'queued');
	});

	test('key without calls:cancel: forbidden, names the scope', async () => {
		await sb.addCalls([{ call_id: 'r_403' }]);
		const { output } = await run({
			items: idsItems(['r_403']),
			credentials: restCredentials(sb.url, READONLY_KEY),
			...continueRegular,
		});
		const j = output[0].json;
		assert.equal(j.outcome, 'forbidden');
		assert.equal(j.httpStatus, 403);
		assert.match(j.error, /calls:cancel/);
		assert.equal(requestsFor(await sb.requests(), 'r_403').length, 1);
	});

	test('200 with malformed JSON or an HTML page: invalid_response, never cancelled, no retry', async () => {
		await sb.addCalls([{ call_id: 'r_bad_json' }, { call_id: 'r_bad_html' }]);
		await sb.faults([
			{
				path_prefix: '/v1/calls/r_bad_json/cancel',
				status: 200,
				times: 5,
				body: '{"success": true, "status": "cancel',
			},
			{
				path_prefix: '/v1/calls/r_bad_html/cancel',
				status: 200,
				times: 5,
				body: '<html><body>OK</body></html>',
			},
		]);
		const { output } = await run({
			items: idsItems(['r_bad_json', 'r_bad_html']),
			credentials: restCredentials(sb.url),
			...continueRegular,
		});
		for (const j of jsonOf(output)) {
			assert.equal(j.outcome, 'invalid_response');
			assert.equal(j.cancelled, false);
			assert.equal(j.httpStatus, 200);
			assert.equal(j.attempts, 1);
		}
		assert.equal(requestsFor(await sb.requests(), ['r_bad_json', 'r_bad_html']).length, 2);
		await sb.faults([]);
	});

	test('an unexpected status (418) is invalid_response; a 422 naming the state is not_cancellable', async () => {
		await sb.faults([
			{ path_prefix: '/v1/calls/r_418/cancel', status: 418, body: 'teapot' },
			{
				path_prefix: '/v1/calls/r_422/cancel',
				status: 422,
				body: '{"success": false, "error": {"code": "CALL_NOT_CANCELLABLE", "message": "Call is ringing", "status": "ringing"}}',
			},
		]);
		const { output } = await run({
			items: idsItems(['r_418', 'r_422']),
			credentials: restCredentials(sb.url),
			...continueRegular,
		});
		assert.deepEqual(
			jsonOf(output).map((j) => [j.outcome, j.httpStatus, j.callStatus]),
			[
				['invalid_response', 418, null],
				['not_cancellable', 422, 'ringing'],
			],
		);
		await sb.faults([]);
	});

	test('a redirect is not followed: invalid_response, one request, the key not sent elsewhere', async () => {
		await sb.addCalls([{ call_id: 'r_moved' }]);
		await sb.faults([
			{
				path_prefix: '/v1/calls/r_redirect/cancel',
				status: 307,
				headers: { Location: `${sb.url}/v1/calls/r_moved/cancel` },
				body: '',
			},
		]);
		const { output } = await run({
			items: idsItems(['r_redirect']),
			credentials: restCredentials(sb.url),
			...continueRegular,
		});
		const j = output[0].json;
		assert.deepEqual([j.outcome, j.httpStatus, j.cancelled], ['invalid_response', 307, false]);
		assert.equal(requestsFor(await sb.requests(), ['r_redirect', 'r_moved']).length, 1);
		assert.equal((await sb.getCall('r_moved')).status, 'queued');
		await sb.faults([]);
	});

	test('a server echoing the key in its error body: the key is redacted in message and error', async () => {
		await sb.faults([
			{
				path_prefix: '/v1/calls/r_echo/cancel',
				status: 401,
				times: 2,
				body: `{"success": false, "error": {"code": "UNAUTHORIZED", "message": "bad key ${API_KEY}"}}`,
			},
		]);
		// run() asserts that no secret appears in the output or the error.
		const { output } = await run({
			items: idsItems(['r_echo']),
			credentials: restCredentials(sb.url),
			...continueRegular,
		});
		assert.match(output[0].json.message, /redacted/);
		const { error } = await run({
			items: idsItems(['r_echo']),
			credentials: restCredentials(sb.url),
		});
		assert.match(error.message, /redacted/);
		await sb.faults([]);
	});

	test('an empty input runs nothing', async () => {
		const { output, calls } = await run({ items: [], credentials: restCredentials(sb.url) });
		assert.deepEqual(output, []);
		assert.equal(calls.httpRequestWithAuthentication, 0);
	});
});
