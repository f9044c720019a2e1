// The example workflow "Payment reminders with auto-stop" (examples/04-…), imported as a user
// imports it, in real n8n 2.41.1 against a sandbox of this file's own (issue 27):
// - its schedule half makes one reminder call per unpaid invoice, and run again (tomorrow's run,
//   a re-run after a failure: a new execution) makes none, because each call's Idempotency Key
//   comes from the invoice;
// - its Webhook half, published, cancels the reminder of the invoice paid while it is queued and
//   answers the payment provider with the outcome.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe } from 'node:test';
import {
  E2E_DIR, leakedSecrets, log, n8nlib, SANDBOX_ARGS, SECRETS, show, teardownSuite, withOwnSandbox,
} from './lib/fixture.mjs';
import { nodeOutput } from './lib/n8n.mjs';

after(teardownSuite);

const EXAMPLE = JSON.parse(fs.readFileSync(path.join(E2E_DIR, '..', '..', 'examples', '04-payment-reminders-auto-stop.json'), 'utf8'));
const SCHEDULE = 'Schedule reminder call';
const WEBHOOK_PATH = EXAMPLE.nodes.find((n) => n.type === 'n8n-nodes-base.webhook').parameters.path;
/** The credential the example names, pointed at this file's sandbox. */
const credentialOf = (url) => {
  const { id, name } = EXAMPLE.nodes.find((n) => n.name === SCHEDULE).credentials.huskyVoiceApi;
  return { id, name, type: 'huskyVoiceApi', data: { apiKey: SECRETS.API_KEY, baseUrl: url.replace(/\/$/, '') } };
};

describe('example "Payment reminders with auto-stop" in n8n 2.41.1', () => {
  let ctx;
  let sb;
  let first;
  const it = withOwnSandbox({
    args: SANDBOX_ARGS,
    prepare: async (c, s) => {
      [ctx, sb] = [c, s];
      await n8nlib.importCredentials(ctx.inst, [credentialOf(sb.url)]);
      await n8nlib.importWorkflow(ctx.inst, [EXAMPLE]);
    },
  });
  const runOnce = () => ctx.exclusive(() => n8nlib.execute(ctx.inst, EXAMPLE.id));

  it('run twice, the invoice-derived key makes each reminder call once: 3 calls, then 0', async (t) => {
    await sb.reset();
    const one = await runOnce();
    assert.equal(one.status, 'success', one.stdout.slice(-3000));
    first = nodeOutput(one, SCHEDULE);
    assert.deepEqual(first.map((j) => [j.invoice, j.outcome, j.replayed, j.idempotencyKey]), [
      ['INV-1001', 'scheduled', false, 'reminder-INV-1001-2026-12-10'],
      ['INV-1002', 'scheduled', false, 'reminder-INV-1002-2026-12-11'],
      ['INV-1003', 'scheduled', false, 'reminder-INV-1003-2026-12-12'],
    ], show(first));
    const sent = (await sb.requests()).filter((r) => r.path === '/v1/calls').map((r) => JSON.parse(r.body));
    assert.deepEqual(sent.map((b) => [b.contact_number, b.contact_name, b.additional_info]).sort(), [
      ['+917000012345', 'Kavya Nair', { invoice: 'INV-1003', amount_due: 2300, due_date: '2026-12-12' }],
      ['+919123456789', 'Arjun Mehta', { invoice: 'INV-1002', amount_due: 820, due_date: '2026-12-11' }],
      ['+919876543210', 'Priya Sharma', { invoice: 'INV-1001', amount_due: 1499.5, due_date: '2026-12-10' }],
    ]);
    const createdFirst = (await sb.stats()).calls_created;
    assert.equal(createdFirst, 3);

    const two = await runOnce();
    assert.equal(two.status, 'success', two.stdout.slice(-3000));
    const again = nodeOutput(two, SCHEDULE);
    assert.deepEqual(again.map((j) => [j.callId, j.outcome, j.replayed]), first.map((j) => [j.callId, 'scheduled', true]));
    const stats = await sb.stats();
    assert.equal(stats.calls_created, 3, 'the second run made no call');
    assert.deepEqual(Object.values(stats.calls_created_by_key), [1, 1, 1]);
    assert.deepEqual(leakedSecrets(one.stdout + one.stderr + two.stdout + two.stderr), []);
    const line = `example run twice (key from the invoice): first run ${createdFirst} calls, second run ${stats.calls_created - createdFirst} new calls (${again.filter((j) => j.replayed).length} answered from their key)`;
    t.diagnostic(line);
    log(line);
  });

  it('published, the payment webhook cancels the paid invoice\'s queued reminder and answers with the outcome', async (t) => {
    assert.ok(first?.length === 3, 'the schedule half ran');
    await ctx.exclusive(async () => {
      const pub = await n8nlib.n8nCommand(ctx.inst, ['publish:workflow', `--id=${EXAMPLE.id}`]);
      assert.equal(pub.code, 0, pub.stderr + pub.stdout);
      const server = await n8nlib.startServer(ctx.inst);
      try {
        await n8nlib.waitForWebhook(server.url, WEBHOOK_PATH);
        const pay = async (callId) => {
          const res = await fetch(`${server.url}/webhook/${WEBHOOK_PATH}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ call_id: callId }),
          });
          assert.equal(res.status, 200, await res.clone().text());
          return res.json();
        };
        const paid = first[0].callId;
        const answer = await pay(paid);
        assert.deepEqual([answer.call_id, answer.outcome, answer.cancelled], [paid, 'cancelled', true], show(answer));
        assert.equal((await sb.getCall(paid)).status, 'cancelled');
        for (const j of first.slice(1)) assert.equal((await sb.getCall(j.callId)).status, 'queued', 'unpaid invoices keep their call');
        // The provider delivers the same notification again: HuskyVoice answers the cancel of a
        // cancelled call as cancelled (API-CONTRACT §1: a repeat cancel is safe), and nothing else changes.
        const repeat = await pay(paid);
        assert.deepEqual([repeat.call_id, repeat.outcome], [paid, 'cancelled'], show(repeat));
        assert.equal((await sb.stats()).calls_created, 3);
        const line = `example payment webhook: ${answer.outcome} for ${first[0].invoice}; a repeated delivery: ${repeat.outcome}; the other two stay queued`;
        t.diagnostic(line);
        log(line);
      } finally {
        await server.stop();
      }
    });
  });
});
