// The credentials' Test buttons (the node's methods.credentialTest): only an answer HuskyVoice
// would give passes; a wrong key or token fails; any other server fails with a message that says
// so; the credential is checked with the run's own rules; nothing is ever cancelled.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import axios from 'axios';
import {
	API_KEY,
	CANCEL_ONLY_KEY,
	HuskyVoice,
	READONLY_KEY,
	WEBHOOK_TOKEN,
	WRONG_KEY,
	assertNoSecrets,
	sandbox,
} from './harness.mjs';

let sb;
let other;
before(async () => {
	sb = await sandbox();
	// A server that is not HuskyVoice: it answers whatever the path asks for.
	other = http.createServer((req, res) => {
		const [status, type, body] = {
			'/html': [200, 'text/html', '<html><body>n8n</body></html>'],
			'/yes': [200, 'application/json', '{"ok":true,"success":true}'],
			'/express': [404, 'application/json', '{"message":"Cannot GET"}'],
			'/redirect': [302, 'text/plain', ''],
		}[req.url.split('/v1/')[0]] ?? [404, 'text/plain', 'Not Found'];
		res.writeHead(status, { 'content-type': type, ...(status === 302 ? { location: 'https://example.com/' } : {}) });
		res.end(body);
	});
	await new Promise((r) => other.listen(0, '127.0.0.1', r));
});
after(async () => {
	await sb.stop();
	await new Promise((r) => other.close(r));
});
const otherUrl = (path) => `http://127.0.0.1:${other.address().port}${path}`;

/** n8n's credential-test context: `helpers.request`, the legacy request helper (axios inside). */
const context = {
	helpers: {
		async request(o) {
			const res = await axios.request({
				method: o.method,
				url: o.uri,
				headers: o.headers,
				data: o.body,
				timeout: o.timeout,
				maxRedirects: o.followRedirect === false ? 0 : 5,
				transformResponse: o.json === false ? (x) => x : undefined,
				validateStatus: o.simple === false ? () => true : undefined,
				httpAgent: new http.Agent(),
			});
			return o.resolveWithFullResponse ? { statusCode: res.status, body: res.data, headers: res.headers } : res.data;
		},
	},
};
const { huskyVoiceApiTest, huskyVoiceWebhookApiTest } = new HuskyVoice().methods.credentialTest;
const rest = (apiKey, baseUrl) => huskyVoiceApiTest.call(context, { id: 't', name: 't', type: 'huskyVoiceApi', data: { apiKey, baseUrl } });
const hook = (webhook, baseUrl = '') =>
	huskyVoiceWebhookApiTest.call(context, { id: 't', name: 't', type: 'huskyVoiceWebhookApi', data: { webhook, baseUrl } });

describe('credential tests', () => {
	test('the API key test passes for HuskyVoice answers only', async () => {
		await sb.reset();
		await sb.addCalls([{ call_id: 'ct_queued' }]);
		const ok = await rest(API_KEY, sb.url);
		assert.deepEqual(ok.status, 'OK', ok.message);
		const readOnly = await rest(READONLY_KEY, `${sb.url}/v1/`);
		assert.equal(readOnly.status, 'OK', readOnly.message);
		const noRead = await rest(CANCEL_ONLY_KEY, sb.url);
		assert.equal(noRead.status, 'OK', noRead.message);
		assert.match(noRead.message, /lacks calls:read/);
		const wrong = await rest(WRONG_KEY, sb.url);
		assert.equal(wrong.status, 'Error');
		assert.match(wrong.message, /rejected the API key \(HTTP 401\)/);
		for (const r of [ok, readOnly, noRead, wrong]) assertNoSecrets(r);
		// What it sent: one read of a call nobody has, per test; nothing was cancelled.
		const log = await sb.requests();
		assert.deepEqual(
			log.map((r) => `${r.method} ${r.path}`),
			Array(4).fill('GET /v1/calls/n8n_credential_test'),
		);
		assert.equal((await sb.getCall('ct_queued')).status, 'queued');
	});

	test('a Base URL that is not HuskyVoice fails, saying so', async () => {
		for (const path of ['/html', '/yes', '/express', '/redirect']) {
			const r = await rest(API_KEY, otherUrl(path));
			assert.equal(r.status, 'Error', `${path}: ${r.message}`);
			assert.match(r.message, /does not answer like HuskyVoice/, path);
			assertNoSecrets(r);
		}
		const r = await rest(API_KEY, otherUrl('/redirect'));
		assert.match(r.message, /a redirect/);
	});

	test('an unreachable or invalid Base URL fails with the reason in words', async () => {
		const refused = await rest(API_KEY, 'http://127.0.0.1:9');
		assert.equal(refused.status, 'Error');
		assert.match(refused.message, /refused.*\(ECONNREFUSED\)/);
		const plain = await rest(API_KEY, 'http://example.com');
		assert.equal(plain.status, 'Error');
		assert.match(plain.message, /https:\/\//);
		const empty = await rest('', sb.url);
		assert.match(empty.message, /API key is empty/);
	});

	test('the webhook test passes for a valid token, fails otherwise, and cancels nothing', async () => {
		await sb.reset();
		await sb.addCalls([{ call_id: 'ct_hook' }]);
		assert.equal((await hook(`${sb.url}/v1/hooks/${WEBHOOK_TOKEN}`)).status, 'OK');
		assert.equal((await hook(WEBHOOK_TOKEN, sb.url)).status, 'OK');
		const wrong = await hook(`${sb.url}/v1/hooks/not-the-token`);
		assert.equal(wrong.status, 'Error');
		assert.match(wrong.message, /rejected the inbound webhook token/);
		const yes = await hook(`${otherUrl('/yes')}/v1/hooks/${WEBHOOK_TOKEN}`);
		assert.equal(yes.status, 'Error');
		assert.match(yes.message, /does not answer like HuskyVoice/);
		// The run refuses a pasted URL with another Base URL: so does the test.
		const mixed = await hook(`${sb.url}/v1/hooks/${WEBHOOK_TOKEN}`, 'http://127.0.0.1:9');
		assert.equal(mixed.status, 'Error');
		assert.match(mixed.message, /base URL/i);
		assertNoSecrets([wrong, yes, mixed]);
		const log = await sb.requests();
		assert.ok(log.every((r) => r.method === 'POST' && JSON.parse(r.body).action === 'n8n.credential_test'));
		assert.equal((await sb.getCall('ct_hook')).status, 'queued');
	});
});
