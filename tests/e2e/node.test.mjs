// Scenarios 1-4, 8, 9, 10 and 12 of issue 5: the HuskyVoice node installed as a community
// package in real n8n 2.41.1, against the sandbox. Most scenarios are independent branches of
// one workflow (workflows/node-main.json, one `n8n execute`); two more workflows check that a
// node error without continue-on-fail fails the execution clearly.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  errorFields, errorText, header, leakedSecrets, NODE_MISSING, OUTPUT_FIELDS, requestsFor, safeJson, SECRETS, seed,
  show, suite, teardownSuite,
} from './lib/fixture.mjs';
import { nodeError, nodeItems, nodeOutput } from './lib/n8n.mjs';

after(teardownSuite);

const MAIN = 'e2eNodeMain';
const S1 = ['e2e_s1_1', 'e2e_s1_2', 'e2e_s1_3', 'e2e_s1_4', 'e2e_s1_5'];
const S3 = {
  e2e_s3_queued: 'queued',
  e2e_s3_cancelled: 'cancelled',
  e2e_s3_initiated: 'initiated',
  e2e_s3_ringing: 'ringing',
  e2e_s3_in_progress: 'in_progress',
  e2e_s3_completed: 'completed',
  e2e_s3_failed: 'failed',
};
const S10_GOOD = ['e2e_s10_ok1', 'e2e_s10_ok2'];
// Indexes (in the S10 Code node) of the bad ids: '', 'a b', '../x', 'a/b', 'a?b', '%2F',
// 200 characters, 'café', 12345 (a number), null.
const S10_BAD_INDEXES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** Every HuskyVoice endpoint path the sandbox may legitimately see from these workflows. */
const KNOWN_PATH = /^\/v1\/(calls\/e2e_[a-z0-9_]+\/cancel|hooks\/\(redacted\))$/;

async function prepareMain({ sandbox }) {
  await seed(sandbox, {
    ...Object.fromEntries(S1.map((id) => [id, 'queued'])),
    e2e_s2_1: 'queued', e2e_s2_2: 'queued', e2e_s2_3: 'queued',
    ...S3,
    e2e_s3e_queued: 'queued', e2e_s3e_ringing: 'ringing',
    e2e_s4_1: 'queued', e2e_s4_2: 'queued',
    e2e_s8_1: 'queued', e2e_s8_2: 'queued',
    e2e_s9_1: 'queued', e2e_s9_2: 'queued',
    e2e_s10_ok1: 'queued', e2e_s10_ok2: 'queued',
    e2e_s12_1: 'queued', e2e_s12_2: 'queued',
  });
  // `times` above 1 so that a retry (there must be none) would show up in the request log.
  await sandbox.faults([
    { path_prefix: '/v1/calls/e2e_s8_1/cancel', status: 200, times: 5,
      body: '{"success": true, "call_id": "e2e_s8_1", "status": "cancel' },
    { path_prefix: '/v1/calls/e2e_s8_2/cancel', status: 200, times: 5,
      body: '<html><body><h1>OK</h1><p>Your request has been processed.</p></body></html>' },
  ]);
}

describe('HuskyVoice node in n8n 2.41.1 (main workflow: independent branches)', () => {
  let ctx;
  let res;
  before(async () => {
    ctx = await suite();
    if (ctx.hasNode) res = await ctx.execute(MAIN, { prepare: prepareMain });
  });
  const it = (name, fn) => test(name, async (t) => {
    if (!res) return t.skip(NODE_MISSING);
    return fn(t);
  });
  const reqs = (ids) => requestsFor(res.requests, ids);

  it('the execution succeeds (every branch ran)', () => {
    assert.equal(res.status, 'success', res.stdout.slice(-3000) + res.stderr.slice(-2000));
  });

  it("no API key or webhook token anywhere in n8n's output or logs", () => {
    assert.deepEqual(leakedSecrets(res.stdout + res.stderr), []);
  });

  it('the sandbox saw no request outside the scenarios\' call ids (nothing odd was sent)', () => {
    const odd = res.requests.filter((r) => !KNOWN_PATH.test(r.path.split('?')[0]));
    assert.deepEqual(odd.map((r) => `${r.method} ${r.path}`), []);
  });

  it('1. REST cancel of several queued calls: all cancelled, one request each, Bearer header', async () => {
    const items = nodeItems(res, 'S1 Cancel (REST)');
    assert.equal(items.length, S1.length);
    items.forEach((item, i) => {
      const j = item.json;
      for (const f of OUTPUT_FIELDS) assert.ok(f in j, `item ${i} lacks ${f}: ${show(j)}`);
      assert.equal(j.callId, S1[i], 'input order');
      assert.equal(j.outcome, 'cancelled', show(j));
      assert.equal(j.cancelled, true);
      assert.equal(j.callStatus, 'cancelled');
      assert.equal(j.httpStatus, 200);
      assert.equal(j.attempts, 1);
      assert.match(String(j.via), /rest|api/i);
      assert.equal(typeof j.message, 'string');
      assert.equal(item.pairedItem?.item ?? item.pairedItem, i, `pairedItem of item ${i}: ${show(item.pairedItem)}`);
    });
    for (const id of S1) {
      const r = reqs(id);
      assert.equal(r.length, 1, `requests for ${id}`);
      assert.equal(r[0].method, 'POST');
      assert.equal(header(r[0], 'authorization'), `Bearer ${SECRETS.API_KEY}`);
      assert.equal((await ctx.sandbox.getCall(id)).status, 'cancelled');
    }
  });

  it('2. webhook cancel (full URL and token + base URL): action body as specified, no token in output', async () => {
    const out = [
      ...nodeOutput(res, 'S2 Cancel (webhook URL)'),
      ...nodeOutput(res, 'S2 Cancel (webhook token)'),
    ];
    const ids = ['e2e_s2_1', 'e2e_s2_2', 'e2e_s2_3'];
    assert.deepEqual(out.map((j) => j.callId), ids);
    for (const j of out) {
      // The sandbox's hook answers with status "cancelled", so the outcome is confirmed.
      assert.equal(j.outcome, 'cancelled', show(j));
      assert.equal(j.cancelled, true);
      assert.match(String(j.via), /hook/i);
    }
    assert.ok(!JSON.stringify(out).includes(SECRETS.WEBHOOK_TOKEN), 'token in output items');
    for (const id of ids) {
      const r = reqs(id);
      assert.equal(r.length, 1, `requests for ${id}`);
      assert.equal(r[0].method, 'POST');
      assert.equal(r[0].path, '/v1/hooks/(redacted)');
      assert.match(header(r[0], 'content-type') ?? '', /^application\/json/);
      assert.deepEqual(safeJson(r[0].body), { action: 'call.cancel', data: { call_id: id } });
      assert.equal(header(r[0], 'authorization'), undefined, 'no API key on the webhook');
      assert.equal((await ctx.sandbox.getCall(id)).status, 'cancelled');
    }
  });

  it('3. mixed states: the right outcome per item, in input order', () => {
    const out = nodeOutput(res, 'S3 Cancel (mixed states)');
    const expected = [
      ['e2e_s3_queued', 'cancelled', 'cancelled'],
      ['e2e_s3_cancelled', 'cancelled', 'cancelled'],
      ['e2e_s3_initiated', 'not_cancellable', 'initiated'],
      ['e2e_s3_ringing', 'not_cancellable', 'ringing'],
      ['e2e_s3_in_progress', 'not_cancellable', 'in_progress'],
      ['e2e_s3_completed', 'not_cancellable', 'completed'],
      ['e2e_s3_failed', 'not_cancellable', 'failed'],
      ['e2e_s3_unknown', 'not_found', undefined],
    ];
    assert.equal(out.length, expected.length, show(out));
    expected.forEach(([id, outcome, status], i) => {
      const j = out[i];
      const f = j.error ? errorFields(j) : j;
      assert.equal(f.callId, id, `item ${i}: ${show(j)}`);
      assert.equal(f.outcome, outcome, `item ${i}: ${show(j)}`);
      assert.equal(j.cancelled === true, outcome === 'cancelled', `item ${i}: ${show(j)}`);
      if (outcome === 'not_cancellable') {
        assert.equal(j.callStatus, status, show(j));
        assert.equal(j.httpStatus, 409);
      }
      if (outcome === 'not_found') assert.ok(errorText(j) || j.message, `a message for ${id}: ${show(j)}`);
    });
    for (const [id] of expected) assert.equal(reqs(id).length, 1, `one request for ${id} (no retry)`);
  });

  it('3b. onNotCancellable=error sends the not-cancellable item to the error output, the rest through', () => {
    const ok = nodeOutput(res, 'S3 Cancel (onNotCancellable=error)', { output: 0 });
    const failed = nodeItems(res, 'S3 Cancel (onNotCancellable=error)', { output: 1 });
    assert.deepEqual(ok.map((j) => [j.callId, j.outcome]), [['e2e_s3e_queued', 'cancelled']]);
    assert.equal(failed.length, 1, show(failed));
    const f = errorFields(failed[0].json);
    assert.equal(failed[0].json.call_id ?? f.callId, 'e2e_s3e_ringing', show(failed[0].json));
    assert.equal(f.outcome, 'not_cancellable', show(failed[0].json));
    assert.match(errorText(failed[0].json), /ringing|cancel/i);
    // The shape n8n routes there: error and message on top, every output field in details,
    // the input item's fields beside them (added by n8n).
    const { error, message, details, ...input } = failed[0].json;
    assert.equal(typeof error, 'string', show(failed[0].json));
    assert.equal(message, details.message, show(failed[0].json));
    for (const k of ['callId', 'outcome', 'cancelled', 'callStatus', 'message', 'httpStatus', 'via', 'attempts']) {
      assert.ok(k in details, `details.${k}: ${show(failed[0].json)}`);
    }
    assert.equal(details.callStatus, 'ringing');
    assert.equal(input.call_id, 'e2e_s3e_ringing');
  });

  it('4. repeat cancel of the same call: cancelled both times (idempotent)', () => {
    const first = nodeOutput(res, 'S4 Cancel');
    const again = nodeOutput(res, 'S4 Cancel again');
    const ids = ['e2e_s4_1', 'e2e_s4_2', 'e2e_s4_2'];
    assert.deepEqual(first.map((j) => [j.callId, j.outcome, j.cancelled]), ids.map((id) => [id, 'cancelled', true]));
    assert.deepEqual(again.map((j) => [j.callId, j.outcome, j.cancelled]), ids.map((id) => [id, 'cancelled', true]));
    assert.equal(reqs('e2e_s4_1').length, 2);
    assert.equal(reqs('e2e_s4_2').length, 4);
  });

  it('8. malformed JSON (and an HTML page) with 200: invalid_response, never cancelled, no retry', async () => {
    const out = nodeOutput(res, 'S8 Cancel (malformed 200)');
    assert.deepEqual(out.map((j) => errorFields(j).callId), ['e2e_s8_1', 'e2e_s8_2']);
    for (const j of out) {
      assert.equal(errorFields(j).outcome, 'invalid_response', show(j));
      assert.notEqual(j.cancelled, true);
      assert.notEqual(j.callStatus, 'cancelled');
    }
    for (const id of ['e2e_s8_1', 'e2e_s8_2']) {
      assert.equal(reqs(id).length, 1, `requests for ${id}`);
      assert.equal((await ctx.sandbox.getCall(id)).status, 'queued');
    }
  });

  it('9. 401 (wrong key) and 403 (key without calls:cancel): clear errors naming the credential, no key', async () => {
    const c401 = nodeItems(res, 'S9 Cancel (wrong key)', { output: 1 });
    const c403 = nodeItems(res, 'S9 Cancel (read-only key)', { output: 1 });
    assert.equal(nodeItems(res, 'S9 Cancel (wrong key)', { output: 0 }).length, 0);
    assert.equal(c401.length, 1, show(c401));
    assert.equal(c403.length, 1, show(c403));
    assert.equal(errorFields(c401[0].json).outcome, 'unauthorized', show(c401[0].json));
    assert.equal(errorFields(c403[0].json).outcome, 'forbidden', show(c403[0].json));
    const t401 = errorText(c401[0].json);
    const t403 = errorText(c403[0].json);
    assert.match(t401, /api key|credential/i, t401);
    assert.match(t403, /calls:cancel|scope|permission/i, t403);
    assert.deepEqual(leakedSecrets(JSON.stringify([c401, c403])), []);
    for (const id of ['e2e_s9_1', 'e2e_s9_2']) {
      assert.equal(reqs(id).length, 1, `one request for ${id} (no retry on 401/403)`);
      assert.equal((await ctx.sandbox.getCall(id)).status, 'queued');
    }
  });

  it('10. bad call ids: per-item errors naming the item, zero requests for them, good items cancelled', () => {
    const ok = nodeItems(res, 'S10 Cancel (bad ids, continue on fail)', { output: 0 });
    const bad = nodeItems(res, 'S10 Cancel (bad ids, continue on fail)', { output: 1 });
    assert.deepEqual(ok.map((i) => [i.json.callId, i.json.outcome]), S10_GOOD.map((id) => [id, 'cancelled']),
      'the good items (the second with surrounding spaces, trimmed) are cancelled');
    assert.deepEqual(ok.map((i) => i.pairedItem?.item ?? i.pairedItem), [0, 11]);
    assert.deepEqual(bad.map((i) => i.pairedItem?.item ?? i.pairedItem), S10_BAD_INDEXES,
      `one error item per bad id, paired with its input item: ${show(bad.map((i) => i.json))}`);
    // What each message must name (the offending character, the length, the type), loosely worded.
    const names = {
      1: /empty/i, 2: /space|' '/i, 3: /'\.'|"\."|\.\./, 4: /'\/'|"\/"/, 5: /'\?'|"\?"/, 6: /'%'|"%"/,
      7: /200|128/, 8: /é|U\+00E9|ASCII/i, 9: /number|text|string/i, 10: /null|missing/i,
    };
    for (const i of bad) {
      const f = errorFields(i.json);
      const idx = i.pairedItem?.item ?? i.pairedItem;
      assert.match(f.text, names[idx], `item ${idx}: ${show(i.json)}`);
      assert.equal(f.outcome, 'invalid_call_id', show(i.json));
      assert.notEqual(i.json.cancelled, true);
    }
    // Exactly one request per good id and none for any bad one.
    for (const id of S10_GOOD) assert.equal(reqs(id).length, 1, `requests for ${id}`);
  });

  it('12. dryRun: nothing sent, the request shown with secrets redacted', async () => {
    const rest = nodeOutput(res, 'S12 Dry run (REST)');
    const hook = nodeOutput(res, 'S12 Dry run (webhook)');
    assert.equal(rest.length, 1, show(rest));
    assert.equal(hook.length, 1, show(hook));
    for (const j of [...rest, ...hook]) {
      assert.notEqual(j.cancelled, true, show(j));
      assert.notEqual(j.outcome, 'cancelled', show(j));
    }
    const restText = JSON.stringify(rest);
    const hookText = JSON.stringify(hook);
    assert.match(restText, /\/v1\/calls\/e2e_s12_1\/cancel/, restText);
    assert.match(restText, /POST/, restText);
    assert.match(hookText, /\/v1\/hooks\//, hookText);
    assert.match(hookText, /call\.cancel/, hookText);
    assert.match(restText + hookText, /redacted/i);
    assert.deepEqual(leakedSecrets(restText + hookText), []);
    assert.equal(reqs(['e2e_s12_1', 'e2e_s12_2']).length, 0, 'a dry run sends nothing');
    assert.equal((await ctx.sandbox.getCall('e2e_s12_1')).status, 'queued');
    assert.equal((await ctx.sandbox.getCall('e2e_s12_2')).status, 'queued');
  });
});

describe('HuskyVoice node errors without continue-on-fail fail the execution clearly', () => {
  let ctx;
  before(async () => {
    ctx = await suite();
  });

  test('9. wrong API key: the execution fails naming the credential problem, without the key', async (t) => {
    if (!ctx.hasNode) return t.skip(NODE_MISSING);
    const res = await ctx.execute('e2eNodeAuthFail', { prepare: ({ sandbox }) => seed(sandbox, { e2e_s9f_1: 'queued' }) });
    assert.equal(res.status, 'error', res.stdout.slice(-2000));
    const err = nodeError(res, 'Cancel (wrong key)') ?? res.error;
    const text = [err?.message, err?.description].join(' ');
    assert.match(text, /api key|credential/i, text);
    assert.match(text, /401|unauthori[sz]ed|invalid|wrong/i, text);
    assert.deepEqual(leakedSecrets(res.stdout + res.stderr), []);
    assert.equal(requestsFor(res.requests, 'e2e_s9f_1').length, 1);
    assert.equal((await ctx.sandbox.getCall('e2e_s9f_1')).status, 'queued');
  });

  test('10. a bad call id: the execution fails naming the item, and nothing is sent for it', async (t) => {
    if (!ctx.hasNode) return t.skip(NODE_MISSING);
    const res = await ctx.execute('e2eNodeBadIdFail', { prepare: ({ sandbox }) => seed(sandbox, { e2e_s10f_ok: 'queued' }) });
    assert.equal(res.status, 'error', res.stdout.slice(-2000));
    const err = nodeError(res, 'Cancel (bad id)') ?? res.error;
    const text = [err?.message, err?.description].join(' ');
    const itemIndex = err?.context?.itemIndex ?? err?.itemIndex;
    assert.ok(itemIndex === 1 || /item\s*(index\s*)?#?\s*1\b|item 2\b/i.test(text),
      `the error names item 1 (itemIndex ${itemIndex}): ${text}`);
    assert.match(text, /\//, `the error names the offending character: ${text}`);
    const sent = res.requests.filter((r) => /^\/v1\/calls\/a/.test(r.path) || r.path.includes('%2F'));
    assert.deepEqual(sent.map((r) => r.path), [], 'nothing sent for the bad id');
  });
});
