// Scenarios 5, 6 and 7 of issue 5: retries in real n8n under faults the sandbox injects
// (429 with Retry-After, 502/503 HTML pages, dropped connections, a slow answer past the timeout).
// One workflow (workflows/node-retries.json), one branch per case, one `n8n execute`.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  errorFields, errorText, leakedSecrets, NODE_MISSING, requestsFor, seed, show, suite, teardownSuite,
} from './lib/fixture.mjs';
import { nodeOutput } from './lib/n8n.mjs';

after(teardownSuite);

const HTML_502 = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
const HTML_503 = '<html><head><title>503 Service Temporarily Unavailable</title></head><body><h1>503 Service Temporarily Unavailable</h1></body></html>';
const IDS = ['e2e_s5_1', 'e2e_s6_1', 'e2e_s6_2', 'e2e_s7_1', 'e2e_s7_2', 'e2e_s7_3'];

async function prepare({ sandbox }) {
  await seed(sandbox, Object.fromEntries(IDS.map((id) => [id, 'queued'])));
  const p = (id) => `/v1/calls/${id}/cancel`;
  await sandbox.faults([
    { path_prefix: p('e2e_s5_1'), status: 429, headers: { 'Retry-After': '1' }, times: 1 },
    { path_prefix: p('e2e_s6_1'), status: 502, body: HTML_502, times: 2 },
    { path_prefix: p('e2e_s6_2'), status: 503, body: HTML_503, times: 100 },
    { path_prefix: p('e2e_s7_1'), drop: true, times: 1 },
    { path_prefix: p('e2e_s7_2'), drop: true, times: 100 },
    { path_prefix: p('e2e_s7_3'), delay_ms: 2500, times: 100 },
  ]);
}

describe('HuskyVoice node retries in n8n 2.41.1 (faults injected by the sandbox)', () => {
  let ctx;
  let res;
  before(async () => {
    ctx = await suite();
    if (ctx.hasNode) res = await ctx.execute('e2eNodeRetries', { prepare });
  });
  const it = (name, fn) => test(name, async (t) => {
    if (!res) return t.skip(NODE_MISSING);
    return fn(t);
  });
  const reqs = (id) => requestsFor(res.requests, id);
  const one = (node) => {
    const out = nodeOutput(res, node);
    assert.equal(out.length, 1, show(out));
    return out[0];
  };

  it('the execution succeeds (errors are items, continue-on-fail) and leaks no secret', () => {
    assert.equal(res.status, 'success', res.stdout.slice(-3000) + res.stderr.slice(-2000));
    assert.deepEqual(leakedSecrets(res.stdout + res.stderr), []);
  });

  it('5. 429 with Retry-After: 1, then success: one retry, after at least the given time', async () => {
    const j = one('S5 Cancel (429 then ok)');
    assert.equal(j.outcome, 'cancelled', show(j));
    assert.equal(j.attempts, 2);
    const r = reqs('e2e_s5_1');
    assert.equal(r.length, 2);
    const gap = r[1].at_ms - r[0].at_ms;
    assert.ok(gap >= 1000, `waited ${gap} ms between the 429 and the retry; Retry-After said 1 s`);
    assert.equal((await ctx.sandbox.getCall('e2e_s5_1')).status, 'cancelled');
  });

  it('6. 502 HTML page twice, then success: retried, cancelled', async () => {
    const j = one('S6 Cancel (502 twice then ok)');
    assert.equal(j.outcome, 'cancelled', show(j));
    assert.equal(j.cancelled, true);
    assert.equal(j.attempts, 3);
    assert.equal(reqs('e2e_s6_1').length, 3);
    assert.equal((await ctx.sandbox.getCall('e2e_s6_1')).status, 'cancelled');
  });

  it('6. 503 forever: a clear error after maxAttempts (3), no more requests than that', async () => {
    const j = one('S6 Cancel (503 forever)');
    assert.equal(errorFields(j).outcome, 'server_error', show(j));
    assert.notEqual(j.cancelled, true);
    const text = errorText(j) || j.message;
    assert.match(text, /503|server|unavailable/i, text);
    assert.match(text, /3|attempt|retr/i, text);
    assert.ok(!/<html/i.test(text), `the HTML page is not dumped into the message: ${text}`);
    assert.equal(reqs('e2e_s6_2').length, 3);
    assert.equal((await ctx.sandbox.getCall('e2e_s6_2')).status, 'queued');
  });

  it('7. a dropped connection, then success: retried, cancelled', () => {
    const j = one('S7 Cancel (dropped once then ok)');
    assert.equal(j.outcome, 'cancelled', show(j));
    assert.equal(j.attempts, 2);
    assert.equal(reqs('e2e_s7_1').length, 2);
  });

  it('7. connections dropped every time: retried up to maxAttempts, then a clear error', () => {
    const j = one('S7 Cancel (dropped forever)');
    assert.equal(errorFields(j).outcome, 'server_error', show(j));
    const text = errorText(j) || j.message;
    assert.match(text, /connect|socket|network|reset|closed|hang up|attempt/i, text);
    assert.equal(reqs('e2e_s7_2').length, 3);
  });

  it('7. an answer slower than timeoutSeconds: retried up to maxAttempts (2), then a clear error', () => {
    const j = one('S7 Cancel (timeout)');
    assert.equal(errorFields(j).outcome, 'server_error', show(j));
    assert.notEqual(j.cancelled, true);
    const text = errorText(j) || j.message;
    assert.match(text, /time(d)?\s*out|timeout/i, text);
    assert.equal(reqs('e2e_s7_3').length, 2);
  });
});
