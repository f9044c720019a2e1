// Retries: only rate limiting (429) and server failures (5xx, dropped connection, timeout), waiting
// as the core says (Retry-After honoured), bounded by maxAttempts and maxTotalWaitSeconds.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { idsItems, requestsFor, restCredentials, run, sandbox } from './harness.mjs';

let sb;
before(async () => {
	sb = await sandbox();
});
after(() => sb.stop());

const path = (id) => `/v1/calls/${id}/cancel`;
const continueRegular = { continueOnFail: true, onError: 'continueRegularOutput' };
const HTML_502 =
	'<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>';

async function one(id, faults, options = {}, extra = continueRegular) {
	await sb.addCalls([{ call_id: id }]);
	await sb.faults(faults.map((f) => ({ path_prefix: path(id), ...f })));
	const res = await run({
		items: idsItems([id]),
		parameters: { options },
		credentials: restCredentials(sb.url),
		...extra,
	});
	const log = requestsFor(await sb.requests(), id);
	return { ...res, j: res.output?.[0]?.json, log };
}

describe('retries', () => {
	test('429 with Retry-After: 1, then success: one retry, at least 1 s later', async () => {
		const { j, log } = await one('t_429', [
			{ status: 429, headers: { 'Retry-After': '1' }, times: 1 },
		]);
		assert.equal(j.outcome, 'cancelled');
		assert.equal(j.attempts, 2);
		assert.equal(log.length, 2);
		const gap = log[1].at_ms - log[0].at_ms;
		assert.ok(gap >= 1000, `waited ${gap} ms; Retry-After said 1 s`);
		assert.ok(gap < 2500, `waited ${gap} ms: far more than Retry-After`);
	});

	test('503 with Retry-After: 2 is honoured too (at least 2 s)', async () => {
		const { j, log } = await one('t_503_ra', [
			{ status: 503, headers: { 'Retry-After': '2' }, times: 1 },
		]);
		assert.equal(j.outcome, 'cancelled');
		assert.equal(log.length, 2);
		assert.ok(log[1].at_ms - log[0].at_ms >= 2000, `waited ${log[1].at_ms - log[0].at_ms} ms`);
	});

	test('502 HTML page twice, then success: retried with backoff, cancelled after 3 attempts', async () => {
		const { j, log } = await one('t_502', [{ status: 502, body: HTML_502, times: 2 }]);
		assert.equal(j.outcome, 'cancelled');
		assert.equal(j.cancelled, true);
		assert.equal(j.attempts, 3);
		assert.equal(log.length, 3);
		// Exponential backoff with equal jitter (base 500 ms): at least 250 ms, then at least 500 ms.
		assert.ok(log[1].at_ms - log[0].at_ms >= 240, `first wait ${log[1].at_ms - log[0].at_ms} ms`);
		assert.ok(log[2].at_ms - log[1].at_ms >= 490, `second wait ${log[2].at_ms - log[1].at_ms} ms`);
	});

	test('503 forever: exactly maxAttempts requests, then a clear error without the HTML page', async () => {
		const { j, log } = await one(
			't_503',
			[{ status: 503, body: '<html><body>503 Service Unavailable</body></html>', times: 100 }],
			{ maxAttempts: 3 },
		);
		assert.equal(log.length, 3);
		assert.equal(j.outcome, 'server_error');
		assert.equal(j.httpStatus, 503);
		assert.equal(j.attempts, 3);
		assert.match(j.error, /503/);
		assert.match(j.error, /Gave up after 3 attempts: Max Attempts is 3/);
		assert.doesNotMatch(j.error, /<html/i);
	});

	test('503 forever without continue-on-fail: NodeApiError with itemIndex, after maxAttempts', async () => {
		const { error, log } = await one(
			't_503_throw',
			[{ status: 503, times: 100 }],
			{ maxAttempts: 2 },
			{},
		);
		assert.equal(error?.name, 'NodeApiError');
		assert.equal(error.context.itemIndex, 0);
		assert.equal(error.httpCode, '503');
		assert.match(error.message, /2 attempts/);
		assert.equal(log.length, 2);
	});

	test('maxAttempts 1: no retry at all', async () => {
		const { j, log } = await one('t_max1', [{ status: 500, times: 100 }], { maxAttempts: 1 });
		assert.equal(j.outcome, 'server_error');
		assert.equal(log.length, 1);
	});

	test('maxTotalWaitSeconds caps the wait after server errors: a Retry-After of 5 s beyond a 2 s budget is not waited for', async () => {
		const t0 = Date.now();
		const { j, log } = await one(
			't_budget',
			[{ status: 503, headers: { 'Retry-After': '5' }, times: 100 }],
			{ maxTotalWaitSeconds: 2 },
		);
		assert.equal(j.outcome, 'server_error');
		assert.equal(j.httpStatus, 503);
		assert.match(j.message, /Gave up after 1 attempt: another wait would exceed Max Total Wait \(2 s\)/);
		assert.equal(log.length, 1);
		assert.ok(Date.now() - t0 < 1500, 'gave up at once');
	});

	test('no retry for 4xx answers (401, 403, 404, 409) or a malformed 200', async () => {
		// Covered per outcome in rest.test.mjs (one request each); here: several at once.
		await sb.addCalls([{ call_id: 't_nr_ringing', status: 'ringing' }]);
		await sb.faults([{ path_prefix: path('t_nr_bad'), status: 200, body: 'not json', times: 10 }]);
		const ids = ['t_nr_ringing', 't_nr_missing', 't_nr_bad'];
		await run({ items: idsItems(ids), credentials: restCredentials(sb.url), ...continueRegular });
		assert.equal(requestsFor(await sb.requests(), ids).length, 3);
	});

	test('a dropped connection, then success: retried, cancelled', async () => {
		const { j, log } = await one('t_drop1', [{ drop: true, times: 1 }]);
		assert.equal(j.outcome, 'cancelled');
		assert.equal(j.attempts, 2);
		assert.equal(log.length, 2);
	});

	test('connections dropped every time: maxAttempts requests, then a connection error', async () => {
		const { j, log } = await one('t_drop', [{ drop: true, times: 100 }]);
		assert.equal(log.length, 3);
		assert.equal(j.outcome, 'server_error');
		assert.equal(j.httpStatus, null);
		assert.match(j.error, /connection/i);
		assert.match(j.message, /\((ECONNRESET|EPIPE)\)/, 'the transport code is kept in the message');
	});

	test('an answer slower than timeoutSeconds: a timeout, retried up to maxAttempts, then a timeout error', async () => {
		const t0 = Date.now();
		const { j, log } = await one('t_slow', [{ delay_ms: 1500, times: 100 }], {
			timeoutSeconds: 0.3,
			maxAttempts: 2,
		});
		assert.equal(log.length, 2);
		assert.equal(j.outcome, 'server_error');
		assert.equal(j.httpStatus, null);
		assert.match(j.error, /timed out/i);
		// Two slow answers waited out would take 3 s or more.
		assert.ok(Date.now() - t0 < 2900, 'did not wait for the slow answers');
	});

	test('without continue-on-fail, a transport failure is a NodeOperationError with itemIndex', async () => {
		const { error } = await one(
			't_drop_throw',
			[{ drop: true, times: 100 }],
			{ maxAttempts: 2 },
			{},
		);
		assert.equal(error?.name, 'NodeOperationError');
		assert.equal(error.context.itemIndex, 0);
		assert.match(error.message, /No response from HuskyVoice for call t_drop_throw: the connection failed/);
		assert.match(error.message, /Gave up after 2 attempts: Max Attempts is 2\./);
	});
});
