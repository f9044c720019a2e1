// Harness self-test: the vendor's documented recipe (built-in HTTP Request node 4.2 + generic
// Header Auth credential) against the sandbox, in real n8n 2.41.1. Needs no HuskyVoice node, so it
// proves the harness (install, instance, imports, execute, output parsing) on its own.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  header, leakedSecrets, requestsFor, suite, teardownSuite, template, SECRETS,
} from './lib/fixture.mjs';
import { nodeOutput, parseRawOutput } from './lib/n8n.mjs';

after(teardownSuite);

describe('harness', () => {
  test('parseRawOutput finds the JSON after log lines and before trailing lines', () => {
    const out = 'n8n Task Broker ready on 127.0.0.1, port 1\n{"status":"x"}\n';
    assert.deepEqual(parseRawOutput(out), { status: 'x' });
    const pretty = 'log {not json\n{\n  "a": {\n    "b": 1\n  }\n}\nError: trailing\n  at x\n';
    assert.deepEqual(parseRawOutput(pretty), { a: { b: 1 } });
    assert.equal(parseRawOutput('no json here\n'), null);
  });

  test('template fills %NAME% placeholders in nested strings only', () => {
    const t = template({ a: '%X%/v1', b: ['={{ $json.id }}', 3], c: { d: '%Y%' } }, { X: 'http://h', Y: 'y' });
    assert.deepEqual(t, { a: 'http://h/v1', b: ['={{ $json.id }}', 3], c: { d: 'y' } });
  });
});

describe("vendor recipe (HTTP Request 4.2 + Header Auth) in n8n 2.41.1", () => {
  let ctx;
  let res;
  const ids = ['e2e_recipe_1', 'e2e_recipe_2', 'e2e_recipe_3'];
  before(async () => {
    ctx = await suite();
    res = await ctx.execute('e2eRecipeHttpRequest', {
      prepare: ({ sandbox }) => sandbox.addCalls(ids.map((call_id) => ({ call_id, status: 'queued' }))),
    });
  });

  test('the execution succeeds and every call comes back cancelled', () => {
    assert.equal(res.status, 'success', res.stderr || res.stdout.slice(-2000));
    const out = nodeOutput(res, 'Cancel (HTTP Request)');
    assert.deepEqual(out.map((o) => [o.call_id, o.status]), ids.map((id) => [id, 'cancelled']));
  });

  test('the sandbox received exactly one POST per call, with the Bearer key', async () => {
    const reqs = requestsFor(res.requests, ids);
    assert.equal(reqs.length, ids.length);
    for (const r of reqs) {
      assert.equal(r.method, 'POST');
      assert.equal(header(r, 'authorization'), `Bearer ${SECRETS.API_KEY}`);
    }
    for (const id of ids) assert.equal((await ctx.sandbox.getCall(id)).status, 'cancelled');
  });

  test("n8n's output and logs do not contain the key", () => {
    assert.deepEqual(leakedSecrets(res.stdout + res.stderr), []);
  });
});
