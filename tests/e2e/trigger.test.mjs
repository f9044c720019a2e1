// The HuskyVoice Trigger in real n8n 2.41.1 (issue 29), with the example workflow "React to
// finished calls" (examples/05-…: the trigger, for call.completed / failed / disallowed, then a
// Set node) imported as a user imports it and published. The sandbox sends its signed events
// (bodies as Python writes them) through a tap in this process that records every delivery's
// exact bytes and forwards them unchanged to n8n's production URL, so a test can replay them,
// re-serialise them, or make a delivery look failed to the sandbox.
//
// Counts are executions of the workflow as n8n's REST API lists them; the time from the
// sandbox's send (its event record's sent_at_ms) to an execution's startedAt is printed, and
// n8n's answer time to a burst beside that of n8n's own Webhook node. Last, n8n is restarted:
// the replay guard comes back from the workflow's static data.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { after, describe } from 'node:test';
import {
  E2E_DIR, leakedSecrets, log, n8nlib, SANDBOX_ARGS, show, teardownSuite, withOwnSandbox,
} from './lib/fixture.mjs';

after(teardownSuite);

const EXAMPLE = JSON.parse(fs.readFileSync(path.join(E2E_DIR, '..', '..', 'examples', '05-react-to-finished-calls.json'), 'utf8'));
const TRIGGER = EXAMPLE.nodes.find((n) => n.type === 'n8n-nodes-huskyvoice.huskyVoiceTrigger');
const SET = 'Follow-up record';
const WEBHOOK_PATH = `${TRIGGER.webhookId}/webhook`;
const EVENTS_SECRET = 'whsec_e2eTriggerSecret_4c8e';
const credential = () => {
  const { id, name } = TRIGGER.credentials.huskyVoiceOutboundWebhookApi;
  return { id, name, type: 'huskyVoiceOutboundWebhookApi', data: { secret: EVENTS_SECRET } };
};

/** n8n's own Webhook node (answering at once) before the example's Set node: the same workflow
 * with n8n's trigger, which checks nothing, for a side-by-side answer time. */
const PLAIN = {
  id: 'e2eTrigPlainHook',
  name: 'Plain n8n webhook (comparison)',
  nodes: [
    { id: 'c0000000-0000-4000-8000-000000000001', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'e2e-plain-webhook', parameters: { httpMethod: 'POST', path: 'e2e-plain-webhook', responseMode: 'onReceived', options: {} } },
    { ...EXAMPLE.nodes.find((n) => n.name === SET), id: 'c0000000-0000-4000-8000-000000000002' },
  ],
  connections: { Webhook: { main: [[{ node: SET, type: 'main', index: 0 }]] } },
  settings: EXAMPLE.settings,
  active: false,
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

/**
 * A proxy between the sandbox and n8n. Records every delivery ({eventId, callId, attempt, body:
 * Buffer, signature, status}). `rules.set(callId, (attempt) => how)` decides per attempt of the
 * call's events: 'forward' (the default), 'hold' (answer 200, never forward: n8n never sees it),
 * 'drop' (answer 500 without forwarding) or 'lose' (forward, then answer 500 whatever n8n said:
 * the answer was lost on the way back).
 */
function startTap() {
  const tap = { target: null, deliveries: [], rules: new Map() };
  tap.server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const eventId = /"event_id": "([^"]+)"/.exec(text)?.[1];
      const callId = /"call_id": "([^"]+)"/.exec(text)?.[1];
      const attempt = tap.deliveries.filter((d) => d.eventId === eventId).length + 1;
      const record = { eventId, callId, attempt, body, signature: req.headers['x-husky-signature'], status: null, receivedAt: Date.now(), answeredAt: null };
      tap.deliveries.push(record);
      const how = tap.rules.get(callId)?.(attempt) ?? 'forward';
      let status = { hold: 200, drop: 500 }[how];
      if (how === 'forward' || how === 'lose') {
        const answer = await tap.send(body, record.signature);
        record.answeredAt = Date.now();
        status = how === 'lose' ? 500 : answer.status;
      }
      record.status = status;
      res.writeHead(status).end();
    });
  });
  /** POSTs bytes to n8n's production URL as the sandbox would. */
  tap.send = async (body, signature) => {
    const headers = { 'content-type': 'application/json' };
    if (signature !== undefined) headers['x-husky-signature'] = signature;
    const r = await fetch(tap.target, { method: 'POST', headers, body });
    return { status: r.status, text: await r.text() };
  };
  return new Promise((resolve) => tap.server.listen(0, '127.0.0.1', () => {
    tap.url = `http://127.0.0.1:${tap.server.address().port}/`;
    resolve(tap);
  }));
}

describe('HuskyVoice Trigger, example "React to finished calls", published in n8n 2.41.1', () => {
  let ctx;
  let sb;
  let tap;
  const it = withOwnSandbox({
    args: [...SANDBOX_ARGS, '--events-secret', EVENTS_SECRET, '--events-retry-ms', '200'],
    prepare: async (c, s) => {
      [ctx, sb] = [c, s];
      tap = await startTap();
      await sb.config({ events_url: tap.url });
      await n8nlib.importCredentials(ctx.inst, [credential()]);
      await n8nlib.importWorkflow(ctx.inst, [EXAMPLE, PLAIN]);
    },
  });
  after(() => tap && new Promise((r) => tap.server.close(r)));

  it('executions started: signed 1, forged 0, replayed 1 (also after a restart), re-serialised 0, retried after a 500 1; the send-to-start time', async (t) => {
    await ctx.exclusive(async () => {
      for (const id of [EXAMPLE.id, PLAIN.id]) {
        const pub = await n8nlib.n8nCommand(ctx.inst, ['publish:workflow', `--id=${id}`]);
        assert.equal(pub.code, 0, pub.stderr + pub.stdout);
      }
      let server = await n8nlib.startServer(ctx.inst);
      try {
        await n8nlib.waitForWebhook(server.url, WEBHOOK_PATH);
        await n8nlib.waitForWebhook(server.url, 'e2e-plain-webhook');
        tap.target = `${server.url}/webhook/${WEBHOOK_PATH}`;

        const executions = () => n8nlib.settledExecutions(server, EXAMPLE.id);
        /** The trigger's item and the Set node's output of one execution. */
        const itemsOf = async (id) => {
          const items = await n8nlib.executionItems(server, id);
          return { trigger: items[TRIGGER.name], set: items[SET] };
        };
        const settled = () => sb.eventsSettled();
        let before = (await executions()).length;
        const started = async () => {
          const all = await executions();
          const fresh = all.slice(before);
          before = all.length;
          return fresh;
        };
        const results = {};

        // 1. A signed event from the sandbox: one execution, the right fields, through the Set node.
        await sb.addCalls([{ call_id: 'call_trig_signed' }]);
        await sb.addCalls([{ call_id: 'call_trig_signed', status: 'completed' }]);
        const [signedEvent] = (await settled()).filter((e) => e.call_id === 'call_trig_signed');
        assert.equal(signedEvent.event_type, 'call.completed');
        assert.equal(signedEvent.last_status, 200);
        const signedDelivery = tap.deliveries.find((d) => d.eventId === signedEvent.event_id);
        const signedRuns = await started();
        results.signed = signedRuns.length;
        assert.equal(signedRuns.length, 1);
        assert.equal(signedRuns[0].status, 'success', show(signedRuns[0]));
        assert.equal(signedRuns[0].mode, 'webhook');
        const { trigger, set } = await itemsOf(signedRuns[0].id);
        const sent = JSON.parse(signedDelivery.body);
        assert.deepEqual(trigger, [{
          eventId: signedEvent.event_id, eventType: 'call.completed', callId: 'call_trig_signed',
          agentId: sent.data.agent_id ?? null, status: 'completed', createdAt: signedEvent.created_at,
          orgId: sent.org_id, data: sent.data,
        }], show(trigger));
        assert.equal(set[0].call_id, 'call_trig_signed');
        assert.equal(set[0].answered, true);
        assert.equal(set[0].duration_seconds, sent.data.duration_seconds);
        assert.equal(set[0].summary, sent.data.summary, 'non-ASCII text arrives as sent');
        const single = {
          start: Date.parse(signedRuns[0].startedAt) - signedEvent.sent_at_ms,
          answer: signedDelivery.answeredAt - signedDelivery.receivedAt,
        };

        // 2. Forged: the sandbox signs with a wrong secret (one attempt), then a missing and a
        // wrong header sent directly: each 401, none starts.
        await sb.config({ events_wrong_secret: true, events_max_attempts: 1 });
        await sb.addCalls([{ call_id: 'call_trig_forged' }]);
        await sb.addCalls([{ call_id: 'call_trig_forged', status: 'completed' }]);
        const [forgedEvent] = (await settled()).filter((e) => e.call_id === 'call_trig_forged');
        await sb.config({ events_wrong_secret: false, events_max_attempts: 6 });
        assert.equal(forgedEvent.last_status, 401);
        const forgedBody = tap.deliveries.find((d) => d.eventId === forgedEvent.event_id).body;
        const unsigned = await tap.send(forgedBody, undefined);
        const wrong = await tap.send(forgedBody, 'f'.repeat(64));
        assert.deepEqual([unsigned.status, wrong.status], [401, 401]);
        assert.equal(JSON.parse(unsigned.text).error, 'missing_signature');
        assert.equal(JSON.parse(wrong.text).error, 'wrong_signature');
        results.forged = (await started()).length;
        assert.equal(results.forged, 0);

        // 3. Replayed: a new event's first delivery, then its exact bytes and signature twice
        // more: one execution in all.
        await sb.addCalls([{ call_id: 'call_trig_replay' }]);
        await sb.addCalls([{ call_id: 'call_trig_replay', status: 'failed' }]);
        const [replayEvent] = (await settled()).filter((e) => e.call_id === 'call_trig_replay');
        const genuine = tap.deliveries.find((d) => d.eventId === replayEvent.event_id);
        const again = [await tap.send(genuine.body, genuine.signature), await tap.send(genuine.body, genuine.signature)];
        assert.deepEqual(again.map((a) => a.status), [200, 200]);
        assert.deepEqual(again.map((a) => JSON.parse(a.text).reason), ['duplicate', 'duplicate']);
        results.replayed = (await started()).length;
        assert.equal(results.replayed, 1, 'the same event delivered 3 times starts once');

        // 4. Re-serialised: the same JSON written by JSON.stringify, with the genuine signature.
        // The sandbox's original is held back by the tap (n8n never sees it).
        tap.rules.set('call_trig_reser', () => 'hold');
        await sb.addCalls([{ call_id: 'call_trig_reser' }]);
        await sb.addCalls([{ call_id: 'call_trig_reser', status: 'disallowed' }]);
        await settled();
        const original = tap.deliveries.find((d) => d.callId === 'call_trig_reser');
        const reserialised = JSON.stringify(JSON.parse(original.body));
        assert.notEqual(reserialised, original.body.toString('utf8'));
        const reserAnswer = await tap.send(reserialised, original.signature);
        assert.equal(reserAnswer.status, 401);
        assert.equal(JSON.parse(reserAnswer.text).error, 'wrong_signature');
        results.reserialised = (await started()).length;
        assert.equal(results.reserialised, 0);
        // The original bytes with the same signature do start it: only re-serialising broke it.
        assert.equal((await tap.send(original.body, original.signature)).status, 200);
        assert.equal((await started()).length, 1);

        // 5. The sandbox's retry after a 500: once when the 500 came before n8n (a proxy dropped
        // it), once when n8n had accepted it and its answer was lost. One execution each.
        tap.rules.set('call_trig_drop', (attempt) => (attempt === 1 ? 'drop' : 'forward'));
        tap.rules.set('call_trig_lost', (attempt) => (attempt === 1 ? 'lose' : 'forward'));
        await sb.addCalls([{ call_id: 'call_trig_drop' }, { call_id: 'call_trig_lost' }]);
        await sb.addCalls([{ call_id: 'call_trig_drop', status: 'completed' }, { call_id: 'call_trig_lost', status: 'completed' }]);
        const retried = (await settled()).filter((e) => ['call_trig_drop', 'call_trig_lost'].includes(e.call_id));
        assert.deepEqual(retried.map((e) => [e.attempts, e.delivered]), [[2, true], [2, true]], show(retried));
        const lostRetry = tap.deliveries.find((d) => d.callId === 'call_trig_lost' && d.attempt === 2);
        assert.equal(lostRetry.status, 200, 'n8n acknowledged the retry of the event it had started');
        const retryRuns = await started();
        const retryItems = await Promise.all(retryRuns.map(async (r) => (await itemsOf(r.id)).trigger[0].callId));
        assert.deepEqual(retryItems.sort(), ['call_trig_drop', 'call_trig_lost']);
        results.retried = retryRuns.length;

        // 6. Filters in n8n: initiated and answered events of a call are acknowledged, start nothing.
        await sb.addCalls([{ call_id: 'call_trig_progress' }]);
        // queued → initiated → ringing (no event) → in progress (answered) → completed.
        for (let i = 0; i < 4; i++) await sb.advance();
        const progress = (await settled()).filter((e) => e.call_id === 'call_trig_progress');
        const progressRuns = await started();
        assert.deepEqual(progress.map((e) => [e.event_type, e.last_status]).sort(), [
          ['call.answered', 200], ['call.completed', 200], ['call.initiated', 200],
        ]);
        assert.equal(progressRuns.length, 1, 'only call.completed is selected');

        // 7. The time from the sandbox's send to the execution's start: 30 finished calls at once.
        const N = 30;
        const ids = Array.from({ length: N }, (_, i) => `call_trig_lat_${i}`);
        await sb.addCalls(ids.map((call_id) => ({ call_id })));
        await sb.addCalls(ids.map((call_id, i) => ({ call_id, status: ['completed', 'failed', 'disallowed'][i % 3] })));
        const latEvents = (await settled()).filter((e) => ids.includes(e.call_id));
        const latRuns = await started();
        assert.equal(latRuns.length, N);
        const sentAt = new Map(latEvents.map((e) => [e.event_id, e.sent_at_ms]));
        const delays = [];
        const parts = { toTap: [], n8nAnswer: [] };
        for (const run of latRuns) {
          const { trigger: [item] } = await itemsOf(run.id);
          delays.push(Date.parse(run.startedAt) - sentAt.get(item.eventId));
          const d = tap.deliveries.find((x) => x.eventId === item.eventId);
          parts.toTap.push(d.receivedAt - sentAt.get(item.eventId));
          parts.n8nAnswer.push(d.answeredAt - d.receivedAt);
        }
        log(`of which: sandbox to tap p50 ${percentile(parts.toTap, 50)} ms; n8n's answer to the tap p50 ${percentile(parts.n8nAnswer, 50)} ms, p95 ${percentile(parts.n8nAnswer, 95)} ms`);
        assert.equal(new Set(latRuns.map((r) => r.id)).size, N);
        const p50 = percentile(delays, 50);
        const p95 = percentile(delays, 95);

        // 8. Side by side, the same burst of 30 bodies posted at once: n8n's own Webhook node
        // (no checks) and the trigger (30 new events, signed here). n8n's answer time, in ms.
        const burst = async (url, bodies) => Promise.all(bodies.map(async ({ body, signature }) => {
          const t0 = performance.now();
          const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature ? { 'x-husky-signature': signature } : {}) }, body });
          await r.text();
          assert.equal(r.status, 200);
          return performance.now() - t0;
        }));
        const bodies = Array.from({ length: N }, (_, i) => {
          const body = JSON.stringify({ event_id: `evt_e2e_burst_${i}`, event_type: 'call.completed', created_at: new Date().toISOString(), org_id: 'org_sandbox', data: { call_id: `call_burst_${i}`, status: 'completed' } });
          return { body, signature: createHmac('sha256', EVENTS_SECRET).update(body).digest('hex') };
        });
        const plainTimes = await burst(`${server.url}/webhook/e2e-plain-webhook`, bodies.map(({ body }) => ({ body })));
        await sleep(2000);
        const triggerTimes = await burst(tap.target, bodies);
        assert.equal((await started()).length, N);
        const ms = (v) => Math.round(v);
        const compare = `answer to 30 posted at once: n8n Webhook node p50 ${ms(percentile(plainTimes, 50))} ms, p95 ${ms(percentile(plainTimes, 95))} ms; HuskyVoice Trigger p50 ${ms(percentile(triggerTimes, 50))} ms, p95 ${ms(percentile(triggerTimes, 95))} ms`;
        t.diagnostic(compare);
        log(compare);

        // 9. Across a restart of n8n. n8n 2.41.1 keeps nothing a trigger writes to static data
        // when the delivery starts an execution; the trigger writes its guard again on the next
        // delivery that starts nothing, which n8n does save. Here: a repeat of one burst event.
        const repeat = await tap.send(bodies[0].body, bodies[0].signature);
        assert.equal(JSON.parse(repeat.text).reason, 'duplicate');
        const stored = (await server.json('GET', `/rest/workflows/${EXAMPLE.id}`)).staticData;
        const savedIds = new Set(stored[`node:${TRIGGER.name}`].huskyVoiceReplayGuard.seen.map(([id]) => id));
        const startedIds = [genuine.eventId, ...latEvents.map((e) => e.event_id), ...bodies.map((b) => JSON.parse(b.body).event_id)];
        assert.deepEqual(startedIds.filter((id) => !savedIds.has(id)), [], 'every started event is in the saved static data');
        const logs = server.logs();
        await server.stop();
        // A new process: the guard comes back from the static data alone.
        server = await n8nlib.startServer(ctx.inst);
        await n8nlib.waitForWebhook(server.url, WEBHOOK_PATH);
        tap.target = `${server.url}/webhook/${WEBHOOK_PATH}`;
        const afterRestart = [await tap.send(genuine.body, genuine.signature), await tap.send(bodies[1].body, bodies[1].signature)];
        assert.deepEqual(afterRestart.map((a) => [a.status, JSON.parse(a.text).reason]), [[200, 'duplicate'], [200, 'duplicate']]);
        results.afterRestart = (await started()).length;
        assert.equal(results.afterRestart, 0);

        assert.deepEqual(leakedSecrets(logs + server.logs(), { EVENTS_SECRET }), []);
        const line = `trigger executions started: signed ${results.signed}, forged ${results.forged}, replayed (3 deliveries) ${results.replayed}, replayed after a restart of n8n ${results.afterRestart} (2 events), re-serialised ${results.reserialised}, sandbox retry after a 500 ${results.retried} for 2 events; send to execution start: one event alone ${single.start} ms (n8n answered in ${single.answer} ms), ${N} events sent together p50 ${p50} ms, p95 ${p95} ms, max ${Math.max(...delays)} ms`;
        t.diagnostic(line);
        log(line);
      } finally {
        await server.stop();
      }
    });
  });
});
