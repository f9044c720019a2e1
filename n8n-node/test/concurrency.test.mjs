// Bounded concurrency: never more requests in flight than the option, output in input order.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { idsItems, jsonOf, requestsFor, restCredentials, run, sandbox } from './harness.mjs';

let sb;
before(async () => {
	sb = await sandbox();
});
after(() => sb.stop());

async function fresh(ids, latencyMs) {
	await sb.reset();
	await sb.config({ latency_ms: latencyMs });
	await sb.addCalls(ids.map((call_id) => ({ call_id })));
}
const range = (prefix, n) =>
	Array.from({ length: n }, (_, i) => `${prefix}_${String(i).padStart(3, '0')}`);

describe('concurrency', () => {
	for (const [concurrency, latency] of [
		[1, 20],
		[3, 60],
		[20, 150],
	]) {
		test(`concurrency ${concurrency}: peak in flight ${concurrency}, all cancelled, input order`, async () => {
			const ids = range(`c${concurrency}`, 30);
			await fresh(ids, latency);
			const { output, ms } = await run({
				items: idsItems(ids),
				parameters: { options: { concurrency } },
				credentials: restCredentials(sb.url),
			});
			const stats = await sb.stats();
			assert.ok(
				stats.peak_in_flight <= concurrency,
				`peak ${stats.peak_in_flight} > ${concurrency}`,
			);
			// Each request stays `latency` ms in the sandbox, long enough for the pool to fill.
			assert.equal(stats.peak_in_flight, concurrency, 'the pool is used fully');
			assert.equal(stats.requests_total, 30);
			assert.deepEqual(
				jsonOf(output).map((j) => j.callId),
				ids,
			);
			assert.ok(jsonOf(output).every((j) => j.outcome === 'cancelled'));
			assert.deepEqual(
				output.map((o) => o.pairedItem.item),
				ids.map((_, i) => i),
			);
			const floor = Math.ceil(30 / concurrency) * latency;
			assert.ok(
				ms >= floor * 0.9,
				`${Math.round(ms)} ms is below the ${floor} ms that ${concurrency} at a time takes`,
			);
		});
	}

	test('default concurrency is 5', async () => {
		const ids = range('cdef', 20);
		await fresh(ids, 60);
		await run({ items: idsItems(ids), credentials: restCredentials(sb.url) });
		assert.equal((await sb.stats()).peak_in_flight, 5);
	});

	test('slow early items do not reorder the output; requests start in input order', async () => {
		const ids = range('cslow', 8);
		await fresh(ids, 0);
		await sb.faults([
			{ path_prefix: `/v1/calls/${ids[0]}/cancel`, delay_ms: 300 },
			{ path_prefix: `/v1/calls/${ids[1]}/cancel`, delay_ms: 200 },
		]);
		const { output } = await run({
			items: idsItems(ids),
			parameters: { options: { concurrency: 4 } },
			credentials: restCredentials(sb.url),
		});
		assert.deepEqual(
			jsonOf(output).map((j) => j.callId),
			ids,
		);
		const log = requestsFor(await sb.requests(), ids);
		// Item i is only picked once i - 3 items have finished (4 in flight at most), so it cannot
		// arrive before them; a request may arrive late, though, so only that direction is bounded.
		log.forEach((r, k) => {
			const i = ids.indexOf(/calls\/([^/]+)\//.exec(r.path)[1]);
			assert.ok(i - k < 4, `request ${k} was item ${i}`);
		});
	});

	test('items waiting for a retry hold their slot: the limit holds under faults', async () => {
		const ids = range('cretry', 12);
		await fresh(ids, 20);
		await sb.faults(
			ids
				.slice(0, 6)
				.map((id) => ({ path_prefix: `/v1/calls/${id}/cancel`, status: 503, times: 1 })),
		);
		const { output } = await run({
			items: idsItems(ids),
			parameters: { options: { concurrency: 3 } },
			credentials: restCredentials(sb.url),
		});
		assert.ok((await sb.stats()).peak_in_flight <= 3);
		assert.deepEqual(
			jsonOf(output).map((j) => [j.callId, j.outcome]),
			ids.map((id) => [id, 'cancelled']),
		);
		assert.deepEqual(
			jsonOf(output).map((j) => j.attempts),
			ids.map((_, i) => (i < 6 ? 2 : 1)),
		);
	});

	test('1,000 items at 0 ms latency, concurrency 20, no pacing: all cancelled, in order, one request each', async () => {
		const ids = range('cbig', 1000);
		await fresh(ids, 0);
		const { output, ms } = await run({
			items: idsItems(ids),
			parameters: { options: { concurrency: 20, requestsPerMinute: 0 } },
			credentials: restCredentials(sb.url),
		});
		assert.equal(output.length, 1000);
		assert.ok(jsonOf(output).every((j, i) => j.callId === ids[i] && j.outcome === 'cancelled'));
		assert.equal((await sb.stats()).requests_total, 1000);
		assert.ok((await sb.stats()).peak_in_flight <= 20);
		process.stderr.write(`# 1,000 cancels through the stub context: ${Math.round(ms)} ms\n`);
	});
});
