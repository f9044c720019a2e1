// Scenario 11 of issue 5: a call that leaves `queued` while the workflow runs. A second sandbox
// moves every call one state along each ADVANCE_EVERY_MS (`--advance-every`); the workflow seeds
// a queued call itself, waits, then cancels it: the node must say honestly that it was too late.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { leakedSecrets, NODE_MISSING, requestsFor, show, suite, teardownSuite } from './lib/fixture.mjs';
import { nodeOutput } from './lib/n8n.mjs';

after(teardownSuite);

const ID = 'e2e_s11_1';
const LATER = ['initiated', 'ringing', 'in_progress', 'completed'];

describe('HuskyVoice node when the call moves on during the run (n8n 2.41.1)', () => {
  let ctx;
  let res;
  before(async () => {
    ctx = await suite();
    if (ctx.hasNode) res = await ctx.execute('e2eNodeAdvance', { sandbox: ctx.advanceSandbox });
  });

  test('11. honest not_cancellable with the state the call reached', async (t) => {
    if (!res) return t.skip(NODE_MISSING);
    assert.equal(res.status, 'success', res.stdout.slice(-3000));
    const out = nodeOutput(res, 'S11 Cancel (call moved on)');
    assert.equal(out.length, 1, show(out));
    const j = out[0];
    assert.equal(j.callId, ID);
    assert.equal(j.outcome, 'not_cancellable', show(j));
    assert.equal(j.cancelled, false);
    assert.ok(LATER.includes(j.callStatus), `callStatus ${j.callStatus} is a state after queued`);
    assert.equal(j.httpStatus, 409);
    const call = await ctx.advanceSandbox.getCall(ID);
    assert.equal(call.history[0], 'queued');
    assert.ok(call.history.includes(j.callStatus), `the call really was ${j.callStatus}: ${show(call.history)}`);
    assert.ok(!call.history.includes('cancelled'), show(call.history));
    assert.equal(call.cancel_requests, 1, 'one request, not retried');
    assert.equal(requestsFor(res.requests, ID).length, 1);
    assert.deepEqual(leakedSecrets(res.stdout + res.stderr), []);
  });
});
