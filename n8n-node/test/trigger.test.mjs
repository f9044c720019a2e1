// The HuskyVoice Trigger's webhook(), run with a small honest stand-in for n8n's webhook context:
// the request's raw bytes in `rawBody` beside its parsed body (as n8n's body parser keeps them),
// its headers lower-cased, the workflow's static data as one object per node, and an express-like
// response for the answers the node writes itself. Static data is loaded for each request and
// saved after it, as n8n does, so deliveries arriving together each start from the same save.
// Signatures are made here with node:crypto; one suite takes its events from the real sandbox
// (bodies written as Python writes them).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import path from 'node:path';
import { createRequire } from 'node:module';

import { NODE_DIR } from './harness.mjs';

const require = createRequire(import.meta.url);
const { HuskyVoiceTrigger } = require(
	path.join(NODE_DIR, 'dist/nodes/HuskyVoiceTrigger/HuskyVoiceTrigger.node.js'),
);
const { HuskyVoiceOutboundWebhookApi } = require(
	path.join(NODE_DIR, 'dist/credentials/HuskyVoiceOutboundWebhookApi.credentials.js'),
);
const { NodeOperationError } = require('n8n-workflow');

const SECRET = 'whsec_triggerTestSecret_71ad';
const OLD_SECRET = 'whsec_triggerOldSecret_03be';
const ALL = ['call.initiated', 'call.answered', 'call.completed', 'call.failed', 'call.disallowed'];
const sign = (body, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');
const minutesAgo = (m) => new Date(Date.now() - m * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

/** A body as a sender may write it: its own spacing and member order, non-ASCII text. */
function eventBody({ id, type = 'call.completed', agent = 'agent_a', created = minutesAgo(1) }) {
	return (
		`{"event_type": "${type}", "event_id": "${id}", "created_at": "${created}", "org_id": "org_7",\n` +
		` "data": {"call_id": "call_${id}", "agent_id": "${agent}", "status": "completed", "summary": "Zahlung bestätigt ✓"}}`
	);
}

let workflows = 0;
/** A fresh workflow (so a fresh guard in this process), with its static data. */
function workflow(parameters = {}, credentials = { secret: SECRET, previousSecret: '' }) {
	workflows += 1;
	return { id: `wf_trigger_${workflows}`, staticData: {}, parameters: { events: ALL, agentIds: '', ...parameters }, credentials };
}

/**
 * Delivers `body` (a string: its UTF-8 bytes are what arrives) with `headers` to the trigger of
 * `wf` in `mode`; `dropSaveOnStart` loses the static data of a delivery that starts. Resolves { result, response: {status, body} | null } (response: what the node wrote
 * itself; null when it left the answer to n8n).
 */
async function deliver(wf, body, headers = {}, mode = 'webhook', { dropSaveOnStart = false } = {}) {
	const raw = Buffer.from(body, 'utf8');
	let parsed;
	try {
		parsed = JSON.parse(body);
	} catch {
		parsed = {};
	}
	let response = null;
	const res = {
		status(code) {
			response = { status: code, body: undefined };
			return this;
		},
		json(payload) {
			response.body = payload;
			return this;
		},
	};
	// n8n loads the static data afresh for each request and saves it after the answer.
	const staticData = structuredClone(wf.staticData);
	const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
	const ctx = {
		getCredentials: async (name) => {
			assert.equal(name, 'huskyVoiceOutboundWebhookApi');
			return { ...wf.credentials };
		},
		getRequestObject: () => ({ rawBody: raw, body: parsed, headers: lower }),
		getResponseObject: () => res,
		getHeaderData: () => lower,
		getNodeParameter: (name, fallback) => wf.parameters[name] ?? fallback,
		getWorkflowStaticData: (type) => {
			assert.equal(type, 'node');
			return staticData;
		},
		getMode: () => mode,
		getWorkflow: () => ({ id: wf.id, name: 'Trigger test', active: true }),
		getNode: () => ({ id: 'trigger-node-1', name: 'HuskyVoice Trigger', type: 'n8n-nodes-huskyvoice.huskyVoiceTrigger', typeVersion: 1, parameters: wf.parameters }),
		helpers: { returnJsonArray: (json) => [json].flat().map((j) => ({ json: j })) },
	};
	const result = await new HuskyVoiceTrigger().webhook.call(ctx);
	// dropSaveOnStart: what n8n 2.41.1 does, keeping nothing a trigger wrote to static data when
	// the delivery starts an execution.
	if (!(dropSaveOnStart && result.workflowData)) wf.staticData = staticData;
	const text = JSON.stringify({ result, response });
	for (const secret of [SECRET, OLD_SECRET]) assert.ok(!text.includes(secret), 'a secret in the answer');
	return { result, response };
}

const started = ({ result }) => result.workflowData?.[0]?.map((i) => i.json) ?? [];
const signed = (body, secret = SECRET) => ({ 'X-Husky-Signature': sign(body, secret) });
const savedIds = (wf) => (wf.staticData.huskyVoiceReplayGuard?.seen ?? []).map(([id]) => id);

describe('HuskyVoice Trigger: signatures', () => {
	test('a signed event starts one execution with its item, and is answered by n8n (200 at once)', async () => {
		const wf = workflow();
		const body = eventBody({ id: 'evt_sig_1' });
		const got = await deliver(wf, body, signed(body));
		assert.equal(got.response, null, 'the node leaves the 200 to n8n (responseMode onReceived)');
		assert.equal(got.result.noWebhookResponse, undefined);
		const parsed = JSON.parse(body);
		assert.deepEqual(started(got), [
			{
				eventId: 'evt_sig_1',
				eventType: 'call.completed',
				callId: 'call_evt_sig_1',
				agentId: 'agent_a',
				status: 'completed',
				createdAt: parsed.created_at,
				orgId: 'org_7',
				data: parsed.data,
			},
		]);
		assert.deepEqual(savedIds(wf), ['evt_sig_1'], 'the guard is kept in the static data');
	});

	test('a missing, wrong or malformed signature is answered 401 and starts nothing', async () => {
		const wf = workflow();
		const body = eventBody({ id: 'evt_sig_2' });
		const cases = [
			[{}, 'missing_signature'],
			[signed(body, 'whsec_not_the_secret'), 'wrong_signature'],
			[{ 'X-Husky-Signature': sign(body).slice(0, 40) }, 'malformed_signature'],
			[{ 'X-Husky-Signature': [sign(body), sign(body)] }, 'malformed_signature'],
		];
		for (const [headers, reason] of cases) {
			const got = await deliver(wf, body, headers);
			assert.deepEqual(got.result, { noWebhookResponse: true }, reason);
			assert.equal(got.response.status, 401, reason);
			assert.equal(got.response.body.error, reason);
			assert.match(got.response.body.message, /\w/);
			assert.deepEqual(started(got), []);
		}
		assert.deepEqual(savedIds(wf), [], 'a refused delivery is not remembered');
		// The genuine delivery still starts afterwards.
		assert.equal(started(await deliver(wf, body, signed(body))).length, 1);
	});

	test('the same JSON re-serialised, or one byte changed, no longer matches its signature', async () => {
		const wf = workflow();
		const body = eventBody({ id: 'evt_sig_3' });
		const reserialised = JSON.stringify(JSON.parse(body));
		assert.notEqual(reserialised, body);
		const flipped = body.replace('"org_7"', '"org_8"');
		for (const forged of [reserialised, flipped]) {
			const got = await deliver(wf, forged, signed(body));
			assert.equal(got.response.status, 401);
			assert.equal(got.response.body.error, 'wrong_signature');
		}
	});

	test('during a rotation both secrets are accepted; no secret at all is a 500, so HuskyVoice retries', async () => {
		const wf = workflow({}, { secret: SECRET, previousSecret: OLD_SECRET });
		const a = eventBody({ id: 'evt_rot_new' });
		const b = eventBody({ id: 'evt_rot_old' });
		assert.equal(started(await deliver(wf, a, signed(a, SECRET))).length, 1);
		assert.equal(started(await deliver(wf, b, signed(b, OLD_SECRET))).length, 1);
		const none = workflow({}, { secret: '', previousSecret: '' });
		const got = await deliver(none, a, signed(a));
		assert.equal(got.response.status, 500);
		assert.equal(got.response.body.error, 'no_secret');
	});

	test('a signed body that is no event is answered 400 and starts nothing', async () => {
		const wf = workflow();
		const body = '{"hello": "world"}';
		const got = await deliver(wf, body, signed(body));
		assert.equal(got.response.status, 400);
		assert.equal(got.response.body.error, 'not_an_event');
	});
});

describe('HuskyVoice Trigger: each event once', () => {
	test('the same event delivered 3 times starts once; the repeats are acknowledged', async () => {
		const wf = workflow();
		const body = eventBody({ id: 'evt_dup_1' });
		const answers = [];
		for (let i = 0; i < 3; i++) answers.push(await deliver(wf, body, signed(body)));
		assert.deepEqual(answers.map((a) => started(a).length), [1, 0, 0]);
		for (const repeat of answers.slice(1)) {
			assert.equal(repeat.response, null, 'n8n answers the repeat 200');
			assert.deepEqual(repeat.result.webhookResponse, {
				received: true,
				started: false,
				reason: 'duplicate',
				message: 'Received before; this event was already acted on, so nothing was started.',
			});
			assert.equal(repeat.result.workflowData, undefined);
		}
	});

	test('the guard is restored from the static data (as after a restart of n8n)', async () => {
		const first = workflow();
		const body = eventBody({ id: 'evt_restart_1' });
		assert.equal(started(await deliver(first, body, signed(body))).length, 1);
		// Another workflow id is a guard this process has not built yet: it starts from the
		// saved static data alone.
		const restarted = workflow();
		restarted.staticData = JSON.parse(JSON.stringify(first.staticData));
		const again = await deliver(restarted, body, signed(body));
		assert.equal(again.result.webhookResponse.reason, 'duplicate');
		const unrelated = workflow();
		unrelated.staticData = { huskyVoiceReplayGuard: { seen: 'not a guard' } };
		assert.equal(started(await deliver(unrelated, body, signed(body))).length, 1, 'bad static data: a fresh guard');
	});

	test('deliveries arriving together are all remembered, though each saved its own static data', async () => {
		const wf = workflow();
		const bodies = Array.from({ length: 20 }, (_, i) => eventBody({ id: `evt_burst_${i}` }));
		const answers = await Promise.all(bodies.map((b) => deliver(wf, b, signed(b))));
		assert.equal(answers.flatMap(started).length, 20);
		assert.equal(savedIds(wf).length, 20);
		const repeats = await Promise.all(bodies.map((b) => deliver(wf, b, signed(b))));
		assert.equal(repeats.flatMap(started).length, 0);
	});

	test('where n8n drops the static data of a started delivery (2.41.1), the next delivery that starts nothing saves it', async () => {
		const wf = workflow();
		const bodies = ['evt_drop_1', 'evt_drop_2', 'evt_drop_3'].map((id) => eventBody({ id }));
		const lossy = { dropSaveOnStart: true };
		for (const b of bodies) assert.equal(started(await deliver(wf, b, signed(b), 'webhook', lossy)).length, 1);
		assert.deepEqual(savedIds(wf), [], 'nothing saved yet: every delivery started');
		// A repeat (or an unselected event, or a refusal) starts nothing, and is saved.
		const repeat = await deliver(wf, bodies[0], signed(bodies[0]), 'webhook', lossy);
		assert.equal(repeat.result.webhookResponse.reason, 'duplicate');
		assert.deepEqual(savedIds(wf).sort(), ['evt_drop_1', 'evt_drop_2', 'evt_drop_3']);
		// Nothing more to save: the next delivery that starts nothing does not write again.
		wf.staticData = { untouched: true };
		const forged = await deliver(wf, bodies[1], signed(bodies[1], 'whsec_wrong'), 'webhook', lossy);
		assert.equal(forged.response.status, 401);
		assert.deepEqual(wf.staticData, { untouched: true });
	});

	test('an event older than a day is acknowledged and starts nothing (it could be a replay)', async () => {
		const wf = workflow();
		const body = eventBody({ id: 'evt_old_1', created: minutesAgo(25 * 60) });
		const got = await deliver(wf, body, signed(body));
		assert.equal(got.result.webhookResponse.reason, 'too_old');
		assert.deepEqual(started(got), []);
	});

	test('test deliveries (manual mode) keep their own guard', async () => {
		const wf = workflow();
		const body = eventBody({ id: 'evt_mode_1' });
		assert.equal(started(await deliver(wf, body, signed(body), 'manual')).length, 1);
		wf.staticData = {};
		assert.equal(started(await deliver(wf, body, signed(body), 'webhook')).length, 1);
	});
});

describe('HuskyVoice Trigger: filters', () => {
	test('only the selected events and agents start; the others are acknowledged and not remembered', async () => {
		const wf = workflow({ events: ['call.completed', 'call.failed'], agentIds: 'agent_a, agent_b' });
		const cases = [
			[{ id: 'evt_f1', type: 'call.answered' }, 'event_type_not_selected'],
			[{ id: 'evt_f2', type: 'call.failed', agent: 'agent_z' }, 'agent_not_selected'],
			[{ id: 'evt_f3', type: 'call.failed', agent: 'agent_b' }, null],
			[{ id: 'evt_f4', type: 'call.completed' }, null],
		];
		for (const [event, reason] of cases) {
			const body = eventBody(event);
			const got = await deliver(wf, body, signed(body));
			if (reason) {
				assert.equal(got.result.webhookResponse.reason, reason, event.id);
				assert.deepEqual(started(got), []);
			} else {
				assert.equal(started(got)[0].eventId, event.id);
			}
		}
		assert.deepEqual(savedIds(wf).sort(), ['evt_f3', 'evt_f4']);
	});

	test('no event selected fails the delivery with a message that names the fix', async () => {
		const wf = workflow({ events: [] });
		const body = eventBody({ id: 'evt_none' });
		await assert.rejects(
			deliver(wf, body, signed(body)),
			(e) => e instanceof NodeOperationError && /choose at least one/.test(e.message),
		);
	});
});

describe('HuskyVoice Trigger: publishing and the credential', () => {
	function hookContext(parameters, credentials) {
		return {
			getCredentials: async () => credentials,
			getNodeParameter: (name, fallback) => parameters[name] ?? fallback,
			getNode: () => ({ id: 'trigger-node-1', name: 'HuskyVoice Trigger' }),
		};
	}
	const methods = new HuskyVoiceTrigger().webhookMethods.default;

	test('publishing checks the secret and the events, registers nothing, and stops on a mistake', async () => {
		assert.equal(await methods.checkExists.call(hookContext({}, {})), false);
		assert.equal(await methods.create.call(hookContext({ events: ALL, agentIds: '' }, { secret: SECRET })), true);
		await assert.rejects(
			methods.create.call(hookContext({ events: [] }, { secret: SECRET })),
			/choose at least one/,
		);
		await assert.rejects(
			methods.create.call(hookContext({ events: ALL }, { secret: 'sk_live_abcdef123456' })),
			(e) => /looks like an API key/.test(e.message) && !e.message.includes('sk_live_abcdef123456'),
		);
		assert.equal(await methods.delete.call(hookContext({}, {})), true);
	});

	test("the credential's Test button passes a plausible secret and names plain mistakes", async () => {
		const test = new HuskyVoiceTrigger().methods.credentialTest.huskyVoiceOutboundWebhookApiTest;
		const credential = (data) => ({ id: 'c1', name: 'c', type: 'huskyVoiceOutboundWebhookApi', data });
		const ok = await test.call({}, credential({ secret: SECRET, previousSecret: '' }));
		assert.equal(ok.status, 'OK');
		assert.match(ok.message, /Integrations › Outbound Webhooks/);
		for (const [data, fragment] of [
			[{ secret: '' }, 'is empty'],
			[{ secret: 'https://api.huskyvoice.ai/v1/hooks/tok_12345678' }, 'is a URL'],
			[{ secret: SECRET, previousSecret: 'two words' }, 'Previous secret'],
		]) {
			const got = await test.call({}, credential(data));
			assert.equal(got.status, 'Error', fragment);
			assert.ok(got.message.includes(fragment), got.message);
		}
		const cred = new HuskyVoiceOutboundWebhookApi();
		assert.deepEqual(cred.properties.map((p) => [p.name, p.typeOptions?.password]), [
			['secret', true],
			['previousSecret', true],
		]);
	});
});

describe('HuskyVoice Trigger: events from the sandbox', () => {
	let sb;
	let tap;
	const wf = workflow();
	const answers = [];
	before(async () => {
		// The sandbox posts to this server, which hands the exact bytes to the trigger.
		tap = createServer((req, res) => {
			const chunks = [];
			req.on('data', (c) => chunks.push(c));
			req.on('end', async () => {
				const got = await deliver(wf, Buffer.concat(chunks).toString('utf8'), req.headers);
				answers.push(got);
				res.writeHead(got.response?.status ?? 200).end();
			});
		});
		await new Promise((r) => tap.listen(0, '127.0.0.1', r));
		const { startSandbox } = await import(path.join(NODE_DIR, '..', 'tests/helpers/sandbox.mjs'));
		sb = await startSandbox({
			args: ['--events-url', `http://127.0.0.1:${tap.address().port}/`, '--events-secret', SECRET],
		});
	});
	after(async () => {
		await sb?.stop();
		await new Promise((r) => tap.close(r));
	});

	test('every state change of 10 calls starts once, with the fields the sandbox recorded', async () => {
		await sb.addCalls(Array.from({ length: 10 }, (_, i) => ({ call_id: `call_trigger_${i}` })));
		for (let i = 0; i < 4; i++) await sb.advance();
		let events;
		for (let waited = 0; waited < 10_000; waited += 50) {
			events = await sb.events();
			if (events.length === 30 && events.every((e) => e.delivered)) break;
			await new Promise((r) => setTimeout(r, 50));
		}
		assert.equal(events.length, 30, 'initiated, answered and completed for each call');
		const items = answers.flatMap(started);
		assert.equal(items.length, 30);
		const byId = new Map(items.map((i) => [i.eventId, i]));
		for (const e of events) {
			const item = byId.get(e.event_id);
			assert.ok(item, e.event_id);
			assert.equal(item.eventType, e.event_type);
			assert.equal(item.callId, e.call_id);
			assert.equal(item.createdAt, e.created_at);
		}
		assert.ok(items.filter((i) => i.eventType === 'call.completed').every((i) => /[^\x00-\x7f]/.test(i.data.summary)));
	});
});
