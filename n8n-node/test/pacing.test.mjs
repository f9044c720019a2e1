// The rate limit HuskyVoice documents (per API key, a sliding window): the node keeps to it
// by itself, across executions that share a credential, and a 429 pauses the credential.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { idsItems, jsonOf, restCredentials, run, sandbox } from './harness.mjs';

let sb;
before(async () => {
	sb = await sandbox();
});
after(() => sb.stop());

const range = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix}_${String(i).padStart(3, '0')}`);

async function limited(ids, rateLimit) {
	await sb.reset();
	await sb.config({ rate_limit: rateLimit });
	await sb.addCalls(ids.map((call_id) => ({ call_id })));
}

describe('pacing to the rate limit', () => {
	test('25 cancels at 10 per second: no 429, never more than 10 in a window, all cancelled', async () => {
		const ids = range('pace', 25);
		await limited(ids, '10/1s');
		const { output, ms } = await run({
			items: idsItems(ids),
			parameters: { options: { requestsPerMinute: 10, rateLimitWindowSeconds: 1 } },
			credentials: restCredentials(sb.url),
		});
		assert.ok(jsonOf(output).every((j) => j.outcome === 'cancelled' && j.attempts === 1));
		const stats = await sb.stats();
		assert.equal(stats.rate_limited_total, 0);
		assert.ok(stats.max_in_window <= 10, `max in window ${stats.max_in_window}`);
		// 10 at once, 10 a window later, 5 a window after that: two windows at least.
		assert.ok(ms >= 2000, `${Math.round(ms)} ms is faster than the limit allows`);
	});

	test('two executions at once with one credential keep the limit together', async () => {
		const a = range('share_a', 12);
		const b = range('share_b', 12);
		await limited([...a, ...b], '8/1s');
		const spec = (ids) => ({
			items: idsItems(ids),
			parameters: { options: { requestsPerMinute: 8, rateLimitWindowSeconds: 1 } },
			credentials: restCredentials(sb.url),
			credentialId: 'shared-credential',
		});
		const [ra, rb] = await Promise.all([run(spec(a)), run(spec(b))]);
		for (const r of [ra, rb]) assert.ok(jsonOf(r.output).every((j) => j.outcome === 'cancelled'));
		const stats = await sb.stats();
		assert.equal(stats.rate_limited_total, 0, 'the shared pacer kept both under the limit');
		assert.ok(stats.max_in_window <= 8, `max in window ${stats.max_in_window}`);
	});

	test('a 429 from a limit the node did not know about pauses the credential and every call still goes through', async () => {
		const ids = range('surprise', 12);
		await limited(ids, '5/1s');
		const { output } = await run({
			items: idsItems(ids),
			parameters: { options: { requestsPerMinute: 0, concurrency: 3 } },
			credentials: restCredentials(sb.url),
			continueOnFail: true,
		});
		const out = jsonOf(output);
		assert.ok(out.every((j) => j.outcome === 'cancelled'), JSON.stringify(out.map((j) => j.outcome)));
		assert.ok((await sb.stats()).rate_limited_total > 0);
		assert.ok(out.every((j) => j.attempts <= 3));
	});

	test('an exhausted daily quota: the rest come out quota_exceeded with no request', async () => {
		const ids = range('quota', 10);
		await sb.reset();
		await sb.addCalls(ids.map((call_id) => ({ call_id })));
		await sb.config({ daily_quota: 4 });
		const { output } = await run({
			items: idsItems(ids),
			parameters: { options: { concurrency: 1 } },
			credentials: restCredentials(sb.url),
			continueOnFail: true,
		});
		const out = jsonOf(output);
		assert.equal(out.filter((j) => j.outcome === 'cancelled').length, 4);
		assert.equal(out.filter((j) => j.outcome === 'quota_exceeded').length, 6);
		assert.equal((await sb.stats()).requests_total, 5, 'one refused request, then none');
		assert.match(out[9].message, /^Not sent: HuskyVoice answered that the request quota is used up/);
		await sb.config({ daily_quota: null });
	});
});
