// Schedule, Get and Delete through the built node against the sandbox: what is sent, what comes
// out, and that a create is never made twice (lost answers, Retry On Fail, a retried execution).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { jsonOf, restCredentials, run, sandbox, webhookCredentials } from './harness.mjs';

let sb;
before(async () => {
	sb = await sandbox();
});
after(() => sb.stop());
beforeEach(async () => {
	await sb.reset();
});

const schedule = {
	operation: 'schedule',
	agentId: 'agt_reminders',
	contactNumber: '={{ $json.phone }}',
	additionalFields: {},
};
const phone = (i) => `+91 98${String(i).padStart(3, '0')} 0${String(i).padStart(4, '0')}`;
const people = (n) => Array.from({ length: n }, (_, i) => ({ phone: phone(i) }));
const huskyRequests = async () => (await sb.requests()).filter((r) => r.path.startsWith('/v1/'));

describe('schedule', () => {
	test('REST: one call per item, normalised number, its Idempotency-Key sent, one output shape', async () => {
		const { output, error } = await run({
			items: people(3),
			parameters: {
				...schedule,
				additionalFields: { contactName: 'Priya', additionalInfo: '{"invoice":"INV-7"}' },
			},
			credentials: restCredentials(sb.url),
		});
		assert.equal(error, undefined);
		const items = jsonOf(output);
		assert.deepEqual(
			items.map((j) => [j.outcome, j.scheduled, j.replayed, j.callStatus, j.contactNumber]),
			[0, 1, 2].map((i) => ['scheduled', true, false, 'queued', phone(i).replace(/ /g, '')]),
		);
		assert.ok(items.every((j) => /^call_/.test(j.callId) && /^hv1-[0-9a-f]{32}$/.test(j.idempotencyKey)));
		assert.equal(new Set(items.map((j) => j.idempotencyKey)).size, 3);
		const log = await huskyRequests();
		assert.equal(log.length, 3);
		for (const r of log) {
			assert.equal(r.method, 'POST');
			assert.equal(r.path, '/v1/calls');
			assert.match(r.headers['idempotency-key'], /^hv1-/);
			const body = JSON.parse(r.body);
			assert.equal(body.agent_id, 'agt_reminders');
			assert.equal(body.contact_name, 'Priya');
			assert.deepEqual(body.additional_info, { invoice: 'INV-7' });
		}
		assert.equal((await sb.stats()).calls_created, 3);
	});

	test('answers dropped after the create: every item still makes exactly one call; a retried execution makes none', async () => {
		const n = 40;
		await sb.faults([
			{ path: '/v1/calls', method: 'POST', drop_after: true, probability: 0.5, seed: 7, times: null },
		]);
		const context = {};
		const first = await run({
			items: people(n),
			parameters: { ...schedule, options: { maxAttempts: 10, maxTotalWaitSeconds: 60 } },
			credentials: restCredentials(sb.url),
			executionId: 'exec_first',
			context,
		});
		assert.equal(first.error, undefined);
		const items = jsonOf(first.output);
		assert.ok(items.every((j) => j.scheduled), JSON.stringify(items.filter((j) => !j.scheduled)));
		assert.ok(items.some((j) => j.attempts > 1), 'some answers were dropped');
		assert.ok(items.filter((j) => j.attempts > 1).every((j) => j.replayed));
		let stats = await sb.stats();
		assert.equal(stats.calls_created, n);
		assert.deepEqual(Object.values(stats.calls_created_by_key), Array(n).fill(1));

		// n8n's "retry execution": a new execution id, the node context of the failed one.
		await sb.faults([]);
		const again = await run({
			items: people(n),
			parameters: schedule,
			credentials: restCredentials(sb.url),
			executionId: 'exec_retry',
			context,
		});
		assert.deepEqual(
			jsonOf(again.output).map((j) => [j.callId, j.replayed]),
			items.map((j) => [j.callId, true]),
		);
		stats = await sb.stats();
		assert.equal(stats.calls_created, n, 'the retry created no call');
	});

	test('Additional Info as name/value fields: the same body as the JSON form, values keep their type; both forms at once fail the item, nothing sent', async () => {
		const info = (i) => ({
			field: [
				{ name: 'invoice', value: `INV-${i}` },
				{ name: 'amount_due', value: 1499.5 + i },
			],
		});
		const { output, error } = await run({
			items: people(2),
			parameters: { ...schedule, additionalFields: { additionalInfoFields: '={{ per item }}' } },
			resolve: { additionalFields: (i) => ({ additionalInfoFields: info(i) }) },
			credentials: restCredentials(sb.url),
		});
		assert.equal(error, undefined);
		assert.deepEqual(jsonOf(output).map((j) => j.outcome), ['scheduled', 'scheduled']);
		const fromFields = (await huskyRequests()).map((r) => JSON.parse(r.body).additional_info);
		const byInvoice = (a, b) => a.invoice.localeCompare(b.invoice);
		assert.deepEqual(fromFields.sort(byInvoice), [{ invoice: 'INV-0', amount_due: 1499.5 }, { invoice: 'INV-1', amount_due: 1500.5 }]);

		await sb.reset();
		const both = await run({
			items: people(2),
			parameters: {
				...schedule,
				additionalFields: { additionalInfoFields: info(1), additionalInfo: '{"invoice":"INV-1"}' },
			},
			credentials: restCredentials(sb.url),
		});
		assert.equal(both.output, undefined);
		assert.match(both.error.description, /Items 1, 2: additional_info is given both as JSON and as fields/);
		const dup = await run({
			items: people(1),
			parameters: {
				...schedule,
				additionalFields: { additionalInfoFields: { field: [{ name: 'invoice', value: 'a' }, { name: 'invoice', value: 'b' }] } },
			},
			credentials: restCredentials(sb.url),
		});
		assert.match(dup.error.message, /^additional_info field 2 repeats the name "invoice" of field 1: give each name once/);
		assert.match(dup.error.description, /Nothing was sent to HuskyVoice: item 1 of 1 is invalid/);
		assert.equal((await huskyRequests()).length, 0);
	});

	test('a sheet with bad rows, Continue (using error output) and Include Input Fields: good rows scheduled beside their fields, each bad row paired with its reason, nothing sent for it', async () => {
		const rows = [
			{ phone: '+91 98765 43210', invoice: 'INV-1' },
			{ phone: '98765 4321', invoice: 'INV-2' },
			{ phone: '+91 91234 56789', invoice: 'INV-3', email: 'priya@' },
			{ phone: '+91 70000 12345', invoice: 'INV-4' },
		];
		const { output } = await run({
			items: rows,
			parameters: {
				...schedule,
				additionalFields: { idempotencyKey: '={{ per item }}', contactEmail: '={{ per item }}' },
				options: { includeInputFields: true },
			},
			resolve: {
				additionalFields: (i, item) => ({ idempotencyKey: `reminder-${item.json.invoice}`, contactEmail: item.json.email }),
			},
			credentials: restCredentials(sb.url),
			continueOnFail: true,
			onError: 'continueErrorOutput',
		});
		assert.deepEqual(output.map((o) => o.pairedItem.item), [0, 1, 2, 3]);
		const [a, b, c, d] = jsonOf(output);
		assert.deepEqual([a, d].map((j) => [j.invoice, j.outcome, j.idempotencyKey]), [
			['INV-1', 'scheduled', 'reminder-INV-1'],
			['INV-4', 'scheduled', 'reminder-INV-4'],
		]);
		assert.deepEqual([b, c].map((j) => [Object.keys(j).sort().join(), j.details.outcome]), [
			['details,error,message', 'invalid_input'],
			['details,error,message', 'invalid_input'],
		]);
		assert.match(b.message, /contact_number "98765 4321" has no country code/);
		assert.match(c.message, /contact_email "priya@" is not an email address/);
		const sent = await huskyRequests();
		assert.deepEqual(sent.map((r) => r.headers['idempotency-key']).sort(), ['reminder-INV-1', 'reminder-INV-4']);
	});

	test('an invalid phone number fails the run naming the item, and nothing is sent', async () => {
		const { output, error } = await run({
			items: [{ phone: '+91 98765 43210' }, { phone: '98765 4321' }, { phone: '+44 20 7946 0958' }],
			parameters: schedule,
			credentials: restCredentials(sb.url),
		});
		assert.equal(output, undefined);
		assert.match(error.message, /2 of 3 items are invalid/);
		assert.match(error.description, /Item 2: contact_number "98765 4321" has no country code/);
		assert.match(error.description, /Item 3: contact_number .* only Indian numbers/);
		assert.equal((await huskyRequests()).length, 0);
	});

	test('the webhook: call.create with the same key header; your own key is used as given', async () => {
		const { output } = await run({
			items: [{ phone: '+919876500001' }],
			parameters: {
				...schedule,
				authentication: 'webhook',
				additionalFields: { idempotencyKey: 'invoice-INV-9' },
			},
			credentials: webhookCredentials(sb.url),
		});
		const [item] = jsonOf(output);
		assert.deepEqual([item.outcome, item.idempotencyKey, item.via], ['scheduled', 'invoice-INV-9', 'webhook']);
		const [r] = await huskyRequests();
		assert.equal(r.headers['idempotency-key'], 'invoice-INV-9');
		assert.equal(JSON.parse(r.body).action, 'call.create');
		// The same key for another call is refused by HuskyVoice, and the outcome names the key.
		const reused = await run({
			items: [{ phone: '+919876500002' }],
			parameters: { ...schedule, additionalFields: { idempotencyKey: 'invoice-INV-9' } },
			credentials: restCredentials(sb.url),
			continueOnFail: true,
		});
		const [refused] = jsonOf(reused.output);
		assert.equal(refused.outcome, 'rejected');
		assert.match(refused.message, /Idempotency-Key invoice-INV-9 was already used/);
	});
});

describe('get and delete', () => {
	test('get: found with the status and fields, not_found as an answer; the webhook is refused before sending', async () => {
		await sb.addCalls([{ call_id: 'g_1', status: 'ringing' }]);
		const { output } = await run({
			items: [{ call_id: 'g_1' }, { call_id: 'g_missing' }],
			parameters: { operation: 'get' },
			credentials: restCredentials(sb.url),
		});
		assert.deepEqual(
			jsonOf(output).map((j) => [j.outcome, j.found, j.callStatus, j.call?.call_id ?? null]),
			[
				['found', true, 'ringing', 'g_1'],
				['not_found', false, null, null],
			],
		);
		const hook = await run({
			items: [{ call_id: 'g_1' }],
			parameters: { operation: 'get', authentication: 'webhook' },
			credentials: webhookCredentials(sb.url),
		});
		assert.match(hook.error.message, /Get needs the API key/);
		assert.equal((await huskyRequests()).length, 2);
	});

	test('delete: an ended call is deleted (Bearer and x-api-key), a queued one is not_ended, a repeat not_found', async () => {
		await sb.addCalls([
			{ call_id: 'd_done', status: 'completed' },
			{ call_id: 'd_queued', status: 'queued' },
		]);
		const { output } = await run({
			items: [{ call_id: 'd_done' }, { call_id: 'd_queued' }],
			parameters: { operation: 'delete' },
			credentials: restCredentials(sb.url),
		});
		assert.deepEqual(
			jsonOf(output).map((j) => [j.outcome, j.deleted, j.callStatus]),
			[
				['deleted', true, null],
				['not_ended', false, 'queued'],
			],
		);
		const [r] = (await huskyRequests()).filter((x) => x.path === '/v1/calls/d_done');
		assert.equal(r.method, 'DELETE');
		assert.match(r.headers.authorization, /^Bearer /);
		assert.equal(r.headers['x-api-key'], r.headers.authorization.slice(7));
		// A repeat is an answer (nothing left to delete), not a failure, unless On Not Found says so.
		const repeat = await run({
			items: [{ call_id: 'd_done' }],
			parameters: { operation: 'delete' },
			credentials: restCredentials(sb.url),
		});
		assert.equal(repeat.error, undefined);
		const [gone] = jsonOf(repeat.output);
		assert.deepEqual([gone.outcome, gone.deleted, gone.httpStatus, gone.error], ['not_found', false, 404, undefined]);
		const strict = await run({
			items: [{ call_id: 'd_done' }],
			parameters: { operation: 'delete', options: { onNotFound: 'error' } },
			credentials: restCredentials(sb.url),
			continueOnFail: true,
		});
		const [failed] = jsonOf(strict.output);
		assert.equal(failed.outcome, 'not_found');
		assert.match(failed.error, /no ended call d_done to delete/);
	});
});
