// Scenario 13 of issue 5: the node is listed as an AI tool. Starts the instance as a server
// (owner set up, logged in) and reads /types/nodes.json, as n8n's editor does.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { NODE_MISSING, suite, teardownSuite } from './lib/fixture.mjs';
import { listNodeTypes, startServer } from './lib/n8n.mjs';

after(teardownSuite);

describe('n8n 2.41.1 server lists the HuskyVoice node and its tool variant', () => {
  test('13. huskyVoice and huskyVoiceTool in /types/nodes.json, both credentials in /types/credentials.json', async (t) => {
    const ctx = await suite();
    if (!ctx.hasNode) return t.skip(NODE_MISSING);
    await ctx.exclusive(async () => {
      const t0 = performance.now();
      const server = await startServer(ctx.inst);
      const startMs = performance.now() - t0;
      try {
        const types = await listNodeTypes(server);
        const byName = new Map(types.map((d) => [d.name, d]));
        const node = byName.get('n8n-nodes-huskyvoice.huskyVoice');
        const tool = byName.get('n8n-nodes-huskyvoice.huskyVoiceTool');
        assert.ok(node, `huskyVoice listed; HuskyVoice-like names: ${[...byName.keys()].filter((n) => /husky/i.test(n)).join(', ')}`);
        assert.ok(tool, 'huskyVoiceTool listed (usableAsTool)');
        assert.equal(node.displayName, 'HuskyVoice');
        const credNames = (node.credentials ?? []).map((c) => c.name).sort();
        assert.deepEqual(credNames, ['huskyVoiceApi', 'huskyVoiceWebhookApi']);
        const res = await server.request('GET', '/types/credentials.json');
        assert.equal(res.status, 200);
        const creds = (await res.json()).map((c) => c.name);
        assert.ok(creds.includes('huskyVoiceApi') && creds.includes('huskyVoiceWebhookApi'), 'credential types listed');
        t.diagnostic(`server ready + owner + login in ${(startMs / 1000).toFixed(1)} s`);
      } finally {
        await server.stop();
      }
    });
  });
});
