// The node as a user meets it: real n8n in server mode, the example workflow opened in
// headless Chromium (Debian's package, driven by playwright-core), the HuskyVoice node's
// panel opened. Saves docs/n8n-editor.png, the screenshot the README shows, and the other
// docs/n8n-*.png screenshots (the operations, Get's notice, Schedule, the trigger).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEditor, signIn } from './session.mjs';
import { DEMO_API_KEY, DEMO_WEBHOOK_TOKEN } from '../helpers/sandbox.mjs';
import { importCredentials, importWorkflow } from '../e2e/lib/n8n.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const log = (m) => process.stderr.write(`[browser] ${m}\n`);
let session, server, browser;

/** A HuskyVoice node set to Get with the inbound-webhook credential, as a user might leave it. */
const GET_BY_WEBHOOK = {
  id: 'hvGetByWebhook01',
  name: 'Get with the webhook credential',
  active: false,
  settings: { executionOrder: 'v1' },
  pinData: {},
  nodes: [
    { id: 'b0e1a5f0-0000-4000-8000-000000000001', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
    {
      id: 'b0e1a5f0-0000-4000-8000-000000000002',
      name: 'Get Call',
      type: 'n8n-nodes-huskyvoice.huskyVoice',
      typeVersion: 1,
      position: [260, 0],
      parameters: { authentication: 'webhook', resource: 'call', operation: 'get', callId: 'call_abc_123', options: {} },
      credentials: { huskyVoiceWebhookApi: { id: 'hvExampleHook', name: 'HuskyVoice inbound webhook' } },
    },
  ],
  connections: { Start: { main: [[{ node: 'Get Call', type: 'main', index: 0 }]] } },
};

before(async () => {
  session = await startEditor({
    log,
    prepare: async (inst, sandbox) => {
      await importCredentials(inst, [
        { id: 'hvExampleApi', name: 'HuskyVoice API', type: 'huskyVoiceApi', data: { apiKey: DEMO_API_KEY, baseUrl: sandbox.url } },
        { id: 'hvExampleHook', name: 'HuskyVoice inbound webhook', type: 'huskyVoiceWebhookApi', data: { webhook: `${sandbox.url}/v1/hooks/${DEMO_WEBHOOK_TOKEN}`, baseUrl: '' } },
        { id: 'hvExampleEvents', name: 'HuskyVoice Outbound Webhook', type: 'huskyVoiceOutboundWebhookApi', data: { secret: 'whsec_editor_test_secret' } },
      ]);
      const example = (name) => JSON.parse(readFileSync(path.join(root, 'examples', name), 'utf8'));
      await importWorkflow(inst, [example('01-cancel-queued-calls.json'), example('04-payment-reminders-auto-stop.json'), example('05-react-to-finished-calls.json'), GET_BY_WEBHOOK]);
    },
  });
  ({ server, browser } = session);
}, { timeout: 900_000 });

after(async () => {
  await session?.stop();
});

/** Signs in, opens workflow `workflowId` and the panel of its node `nodeName`. */
async function openNode(workflowId, nodeName) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await signIn(page, server);
  await page.goto(`${server.url}/workflow/${workflowId}`);
  const node = page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`);
  await node.waitFor({ timeout: 60_000 });
  await node.dblclick();
  const panel = page.locator('[data-test-id="ndv"]');
  await panel.waitFor({ timeout: 30_000 });
  return { page, panel };
}

test('the HuskyVoice node shows Cancel Call, the credential selector and the Call ID field', { timeout: 180_000 }, async () => {
  const { page, panel } = await openNode('hvExample01', 'Cancel Call');

  // The operation, the credential selector and the Call ID field, as a user sees them.
  const callId = panel.locator('[data-test-id="parameter-input-callId"]');
  await callId.waitFor();
  const shot = path.join(root, 'docs', 'n8n-editor.png');
  await page.screenshot({ path: shot });
  const panelText = await panel.innerText();
  const operation = panel.locator('[data-test-id="parameter-input-operation"]');
  const operationText = `${await operation.innerText()} ${await operation.locator('input').first().inputValue().catch(() => '')}`;
  log(`operation field shows: ${JSON.stringify(operationText.trim())}`);
  assert.match(operationText, /Cancel/, `the Operation field should show Cancel; panel text:\n${panelText}`);
  const credential = panel.locator('[data-test-id="node-credentials-select"]').first();
  const credentialText = `${await credential.innerText()} ${await credential.locator('input').first().inputValue().catch(() => '')}`;
  assert.match(credentialText, /HuskyVoice API/, `the credential selector should show the imported credential; panel text:\n${panelText}`);
  assert.match(panelText, /Call ID/);
  assert.ok(!panelText.includes(DEMO_API_KEY), 'the API key must not be shown in the editor');

  assert.ok(existsSync(shot));
  log(`screenshot saved to ${path.relative(root, shot)}`);
});

test('the Operation list shows Schedule, Get, Cancel and Delete (docs/n8n-operations.png)', { timeout: 180_000 }, async () => {
  const { page, panel } = await openNode('hvExample01', 'Cancel Call');
  await panel.locator('[data-test-id="parameter-input-operation"]').click();
  // n8n renders the open list outside the panel, as a popper.
  const list = page.locator('.el-select-dropdown:visible, .el-popper:visible [role="listbox"]').last();
  await list.waitFor({ timeout: 30_000 });
  const text = await list.innerText();
  log(`operation list: ${JSON.stringify(text)}`);
  for (const name of ['Schedule', 'Get', 'Cancel', 'Delete']) assert.match(text, new RegExp(`\\b${name}\\b`), text);
  assert.match(text, /cannot be undone/, 'Delete says it erases data for good');
  const shot = path.join(root, 'docs', 'n8n-operations.png');
  await page.screenshot({ path: shot });
  assert.ok(existsSync(shot));
  log(`screenshot saved to ${path.relative(root, shot)}`);
});

test('Get with the inbound webhook credential: the panel says it needs the API key', { timeout: 180_000 }, async () => {
  const { page, panel } = await openNode(GET_BY_WEBHOOK.id, 'Get Call');
  const notice = /Get reads a call through the REST API, so it needs the API key credential/;
  // n8n 2.41 switches Authentication through the Credential selector: with the webhook
  // credential picked, the notice stands above the Call ID.
  await panel.getByText(notice).first().waitFor({ timeout: 30_000 });
  const text = await panel.innerText();
  const credential = panel.locator('[data-test-id="node-credentials-select"]').first();
  const credentialText = `${await credential.innerText()} ${await credential.locator('input').first().inputValue().catch(() => '')}`;
  assert.match(credentialText, /HuskyVoice inbound webhook/, 'the webhook credential is the selected one');
  assert.match(text, /Choose a HuskyVoice API credential/);
  assert.ok(!text.includes(DEMO_WEBHOOK_TOKEN), 'the webhook token must not be shown in the editor');
  const shot = path.join(root, 'docs', 'n8n-get-webhook-notice.png');
  await page.screenshot({ path: shot });
  log(`Get + Inbound Webhook: the panel shows "${text.match(notice)[0]} …"; screenshot ${path.relative(root, shot)}`);
});

test('Schedule in the example "Payment reminders": Agent ID, Contact Number, Additional Info fields, Idempotency Key (docs/n8n-schedule.png)', { timeout: 180_000 }, async () => {
  const { page, panel } = await openNode('hvExample04', 'Schedule reminder call');
  await panel.locator('[data-test-id="parameter-input-agentId"]').waitFor({ timeout: 30_000 });
  await panel.getByText('Idempotency Key').first().waitFor({ timeout: 30_000 });
  const text = await panel.innerText();
  for (const label of ['Agent ID', 'Contact Number', 'Contact Name', 'Additional Info (Fields)', 'Idempotency Key']) {
    assert.ok(text.includes(label), `the panel shows ${label}:\n${text}`);
  }
  // The three name/value pairs of the example, as rows of the key/value list.
  const names = await panel.locator('[data-test-id="parameter-input-name"] input').evaluateAll((inputs) => inputs.map((i) => i.value));
  assert.deepEqual(names, ['invoice', 'amount_due', 'due_date'], text);
  const shot = path.join(root, 'docs', 'n8n-schedule.png');
  await page.setViewportSize({ width: 1440, height: 1560 }); // the whole panel, Idempotency Key included
  await panel.getByText('Idempotency Key').first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot });
  assert.ok(existsSync(shot));
  log(`Schedule panel: ${names.length} Additional Info fields (${names.join(', ')}); screenshot ${path.relative(root, shot)}`);
});

test('the HuskyVoice Trigger in "React to finished calls": its Production URL, where it goes in HuskyVoice, the events (docs/n8n-trigger.png)', { timeout: 180_000 }, async () => {
  const workflow = JSON.parse(readFileSync(path.join(root, 'examples', '05-react-to-finished-calls.json'), 'utf8'));
  const trigger = workflow.nodes.find((n) => n.type === 'n8n-nodes-huskyvoice.huskyVoiceTrigger');
  const { page, panel } = await openNode(workflow.id, trigger.name);
  await panel.getByText('Integrations › Outbound Webhooks').first().waitFor({ timeout: 30_000 });
  // n8n shows the trigger's URLs in a fold above the parameters, Test URL first.
  await panel.getByText('Webhook URLs').first().click({ timeout: 10_000 }).catch(() => {});
  await panel.getByText('Production URL', { exact: true }).first().click({ timeout: 10_000 }).catch(() => {});
  const url = `/webhook/${trigger.webhookId}/webhook`;
  await panel.getByText(url, { exact: false }).first().waitFor({ timeout: 10_000 }).catch(() => {});
  const text = await panel.innerText();
  assert.ok(text.includes(url), `the panel shows the production URL ${url}:\n${text}`);
  for (const label of ['Events', 'Call Completed', 'Call Failed', 'Call Disallowed', 'Only These Agents', 'Integrations › Outbound Webhooks']) {
    assert.ok(text.includes(label), `the panel shows ${label}:\n${text}`);
  }
  const shot = path.join(root, 'docs', 'n8n-trigger.png');
  await page.screenshot({ path: shot });
  assert.ok(existsSync(shot));
  log(`Trigger panel: production URL …${url}; screenshot ${path.relative(root, shot)}`);
});
