// Issue 11 in real n8n 2.41.1: HuskyVoice's documented limit (60 requests per sliding minute per
// API key), with the node at its defaults, against a sandbox that enforces it. The window is
// compressed to 6 s, in the sandbox and in the node (its Rate Limit Window option) together,
// so a run that must wait one window takes seconds, not a minute. Then: a daily quota that runs
// out mid-run, and two executions at once on one credential through production webhooks (server
// mode), which must keep the limit together.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe } from 'node:test';
import {
  E2E_DIR, leakedSecrets, loadJson, log, n8nlib, SANDBOX_ARGS, SECRETS, show, teardownSuite, withOwnSandbox,
} from './lib/fixture.mjs';
import { nodeOutput } from './lib/n8n.mjs';

after(teardownSuite);

const WINDOW_MS = 6_000;
const ids = (prefix, n, width = 3) => Array.from({ length: n }, (_, i) => `${prefix}_${String(i).padStart(width, '0')}`);

describe('HuskyVoice node under the documented rate limit (n8n 2.41.1)', () => {
  let ctx;
  let limited;
  const it = withOwnSandbox({
    args: [...SANDBOX_ARGS, '--rate-limit', `60/${WINDOW_MS}ms`, '--latency-ms', '5'],
    prepare: async (c, s) => {
      [ctx, limited] = [c, s];
      const vars = { ...ctx.vars, LIMITED_SANDBOX_URL: limited.url.replace(/\/$/, '') };
      const dir = path.join(E2E_DIR, 'limits');
      const workflows = ['node-limit-100.json', 'node-quota.json', 'node-limit-hook.json'].map((f) => loadJson(path.join(dir, f), vars));
      await n8nlib.importCredentials(ctx.inst, loadJson(path.join(dir, 'credentials.json'), vars));
      await n8nlib.importWorkflow(ctx.inst, workflows);
      for (const wf of workflows) ctx.workflows[wf.id] = wf;
    },
  });

  it('100 queued calls at 60 per window, node defaults: all cancelled, no failure, within 15 % of the minimum', async (t) => {
    const list = ids('e2e_l', 100);
    const res = await ctx.execute('e2eNodeLimit100', {
      sandbox: limited,
      prepare: async () => {
        await limited.reset();
        await limited.addCalls(list.map((call_id) => ({ call_id })));
      },
    });
    assert.equal(res.status, 'success', res.stdout.slice(-3000));
    const out = nodeOutput(res, 'L Cancel (defaults, 6 s window)');
    assert.equal(out.length, 100);
    assert.deepEqual(out.filter((j) => j.outcome !== 'cancelled').map((j) => [j.callId, j.outcome, j.message]), []);
    const stats = await limited.stats();
    assert.ok(stats.rate_limited_total <= 3, `${stats.rate_limited_total} answers were 429 (a handful at most)`);
    assert.ok(stats.max_in_window <= 60, `the sandbox saw ${stats.max_in_window} requests in one window`);
    // 60 at once, the other 40 one window later: the run's requests span one window.
    const times = res.requests.map((r) => r.at_ms);
    const span = Math.max(...times) - Math.min(...times);
    assert.ok(span >= WINDOW_MS * 0.98, `${span} ms: faster than the limit allows`);
    assert.ok(span <= WINDOW_MS * 1.15, `${span} ms is more than 15 % over the ${WINDOW_MS} ms minimum`);
    t.diagnostic(`100 cancels: span ${span} ms (minimum ${WINDOW_MS}), ${stats.rate_limited_total} × 429, max ${stats.max_in_window} per window, execution ${Math.round(res.ms)} ms`);
    log(`limits: 100 cancels span ${span} ms over a ${WINDOW_MS} ms window; 429s: ${stats.rate_limited_total}`);
    assert.deepEqual(leakedSecrets(res.stdout + res.stderr), []);
  });

  it('a daily quota exhausted mid-run: the rest come out quota_exceeded, no further request sent', async () => {
    const list = ids('e2e_q', 12, 2);
    const res = await ctx.execute('e2eNodeQuota', {
      sandbox: limited,
      prepare: async () => {
        await limited.reset();
        await limited.addCalls(list.map((call_id) => ({ call_id })));
        await limited.config({ daily_quota: 5 });
      },
    });
    await limited.config({ daily_quota: null });
    assert.equal(res.status, 'success', res.stdout.slice(-3000));
    const out = nodeOutput(res, 'Q Cancel (quota runs out)');
    assert.deepEqual(out.map((j) => j.outcome), [...Array(5).fill('cancelled'), ...Array(7).fill('quota_exceeded')], show(out));
    assert.equal(res.requests.length, 6, 'five accepted, one refused, then nothing');
    assert.match(out[5].message, /quota/i);
    assert.equal(out[5].httpStatus, 429);
    assert.equal(out[11].attempts, 0);
    assert.match(out[11].message, /^Not sent: /);
  });

  it('two executions at once on one credential (production webhooks): together within the limit', async (t) => {
    const a = ids('e2e_h_a', 30, 2);
    const b = ids('e2e_h_b', 30, 2);
    await limited.reset();
    await limited.config({ rate_limit: '20/3s' });
    await limited.addCalls([...a, ...b].map((call_id) => ({ call_id })));
    await ctx.exclusive(async () => {
      const pub = await n8nlib.n8nCommand(ctx.inst, ['publish:workflow', '--id=e2eNodeLimitHook']);
      assert.equal(pub.code, 0, pub.stderr + pub.stdout);
      const server = await n8nlib.startServer(ctx.inst);
      try {
        const waited = await n8nlib.waitForWebhook(server.url, 'e2e-limit');
        t.diagnostic(`webhook registered ${waited} ms after the server answered`);
        const url = `${server.url}/webhook/e2e-limit`;
        const call = async (batch) => {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ batch }),
          });
          assert.equal(res.status, 200, await res.clone().text());
          return res.json();
        };
        const t0 = performance.now();
        const [ra, rb] = await Promise.all([call('a'), call('b')]);
        const ms = performance.now() - t0;
        for (const [answer, list] of [[ra, a], [rb, b]]) {
          assert.deepEqual(answer.map((j) => [j.callId, j.outcome]), list.map((id) => [id, 'cancelled']), show(answer));
        }
        const stats = await limited.stats();
        assert.equal(stats.rate_limited_total, 0, 'one pacer for the credential: the two executions never overran it');
        assert.ok(stats.max_in_window <= 20, `max ${stats.max_in_window} per window`);
        t.diagnostic(`two executions × 30 cancels at 20 per 3 s: ${Math.round(ms)} ms, max ${stats.max_in_window} per window`);
      } finally {
        await server.stop();
        await limited.config({ rate_limit: `60/${WINDOW_MS}ms` });
      }
    });
  });
});
