// Scenario 13 of issue 5: the node is listed as an AI tool. Starts the instance as a server
// (owner set up, logged in) and reads /types/nodes.json, as n8n's editor does. Issue 12: the
// tool variant asks the model for the call id and describes itself; the credentials' Test
// button (n8n's credential test endpoint, which the editor calls) passes only for HuskyVoice.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { leakedSecrets, NODE_MISSING, SECRETS, suite, teardownSuite } from './lib/fixture.mjs';
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

        // The tool variant, per operation: the call id from the model, a description that says
        // what the operation does (each operation shows its own, by its displayOptions).
        const forOperation = (name, operation) => tool.properties.find((p) =>
          p.name === name && p.displayOptions?.show?.['@tool'] && p.displayOptions.show.operation?.includes(operation));
        const said = { get: /Looks up one HuskyVoice/, cancel: /still queued/, delete: /Permanently deletes the personal data/ };
        for (const [operation, description] of Object.entries(said)) {
          assert.match(forOperation('callId', operation)?.default ?? '', /\$fromAI\('callId'/, `${operation}: the tool asks the model for the call id`);
          assert.match(forOperation('toolDescription', operation)?.default ?? '', description, `${operation}: its own tool description`);
        }
        // Schedule: the model gives the number to call; the agent and the rest are the workflow's.
        assert.match(forOperation('contactNumber', 'schedule')?.default ?? '', /\$fromAI\('contactNumber'/, 'schedule: the tool asks the model for the number');
        assert.match(forOperation('toolDescription', 'schedule')?.default ?? '', /Schedules one outbound HuskyVoice AI voice call/, 'schedule: its own tool description');
        assert.ok(!tool.properties.some((p) => p.name === 'descriptionType'), 'our own tool description, not n8n\'s generic one');

        // The Test button, as the editor presses it: the credential is saved, then tested.
        let n = 0;
        const testCredential = async (type, data) => {
          const saved = await server.json('POST', '/rest/credentials', { name: `e2e credential test ${++n}`, type, data });
          try {
            return await server.json('POST', '/rest/credentials/test', { credentials: { id: saved.id, name: saved.name, type, data } });
          } finally {
            await server.json('DELETE', `/rest/credentials/${saved.id}`).catch(() => {});
          }
        };
        const sb = ctx.sandbox.url.replace(/\/$/, '');
        const cases = [
          ['huskyVoiceApi', { apiKey: SECRETS.API_KEY, baseUrl: sb }, 'OK', /accepted the API key/],
          ['huskyVoiceApi', { apiKey: SECRETS.WRONG_KEY, baseUrl: sb }, 'Error', /rejected the API key/],
          ['huskyVoiceApi', { apiKey: SECRETS.API_KEY, baseUrl: server.url }, 'Error', /does not answer like HuskyVoice/],
          ['huskyVoiceWebhookApi', { webhook: `${sb}/v1/hooks/${SECRETS.WEBHOOK_TOKEN}`, baseUrl: '' }, 'OK', /accepted the inbound webhook token/],
          ['huskyVoiceWebhookApi', { webhook: `${sb}/v1/hooks/not-the-token`, baseUrl: '' }, 'Error', /rejected the inbound webhook token/],
          ['huskyVoiceWebhookApi', { webhook: `${sb}/v1/hooks/${SECRETS.WEBHOOK_TOKEN}`, baseUrl: server.url }, 'Error', /base URL/i],
        ];
        for (const [type, data, status, message] of cases) {
          const r = await testCredential(type, data);
          assert.equal(r.status, status, `${type} ${JSON.stringify({ ...data, apiKey: undefined, webhook: undefined })}: ${r.message}`);
          assert.match(r.message, message);
          assert.deepEqual(leakedSecrets(JSON.stringify(r)), []);
        }
      } finally {
        await server.stop();
      }
    });
  });
});
