// The node as a user meets it: real n8n in server mode, the example workflow opened in
// headless Chromium (Debian's package, driven by playwright-core), the HuskyVoice node's
// panel opened. Saves docs/n8n-editor.png, the screenshot the README shows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEditor, signIn } from './session.mjs';
import { DEMO_API_KEY } from '../helpers/sandbox.mjs';
import { importCredentials, importWorkflow } from '../e2e/lib/n8n.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const log = (m) => process.stderr.write(`[browser] ${m}\n`);
let session, server, browser;

before(async () => {
  session = await startEditor({
    log,
    prepare: async (inst, sandbox) => {
      await importCredentials(inst, [
        { id: 'hvExampleApi', name: 'HuskyVoice API', type: 'huskyVoiceApi', data: { apiKey: DEMO_API_KEY, baseUrl: sandbox.url } },
      ]);
      await importWorkflow(inst, JSON.parse(readFileSync(path.join(root, 'examples/01-cancel-queued-calls.json'), 'utf8')));
    },
  });
  ({ server, browser } = session);
}, { timeout: 900_000 });

after(async () => {
  await session?.stop();
});

test('the HuskyVoice node shows Cancel Call, the credential selector and the Call ID field', { timeout: 180_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await signIn(page, server);

  await page.goto(`${server.url}/workflow/hvExample01`);
  const node = page.locator('[data-test-id="canvas-node"][data-node-name="Cancel Call"]');
  await node.waitFor({ timeout: 60_000 });
  await node.dblclick();
  const panel = page.locator('[data-test-id="ndv"]');
  await panel.waitFor({ timeout: 30_000 });

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
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await signIn(page, server);
  await page.goto(`${server.url}/workflow/hvExample01`);
  const node = page.locator('[data-test-id="canvas-node"][data-node-name="Cancel Call"]');
  await node.waitFor({ timeout: 60_000 });
  await node.dblclick();
  const panel = page.locator('[data-test-id="ndv"]');
  await panel.waitFor({ timeout: 30_000 });
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
