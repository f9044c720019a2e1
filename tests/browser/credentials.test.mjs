// Issue 12: the credentials and the node as a user meets them in the real editor (n8n 2.41.1 in
// server mode, the packed node, headless Debian Chromium). Through the UI only: creates both
// HuskyVoice credentials, saves (n8n runs the node's credential test on save) and reads the
// banner — a wrong key, a Base URL that is not HuskyVoice (the n8n server itself), a wrong
// webhook token, then the right values; adds the node from the node panel of a new workflow and
// the tool variant from an AI Agent's tools. Secrets never appear in the page afterwards.
// Saves docs/n8n-credential-test.png (the wrong-key failure).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEditor, signIn } from './session.mjs';
import { DEMO_API_KEY, DEMO_WEBHOOK_TOKEN } from '../helpers/sandbox.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const log = (m) => process.stderr.write(`[browser] ${m}\n`);
const WRONG_KEY = 'sk_test_browser_wrong_key_1';
const WRONG_TOKEN = 'browser-wrong-token-1';
const SECRETS = [DEMO_API_KEY, WRONG_KEY, DEMO_WEBHOOK_TOKEN, WRONG_TOKEN];
const UI_TIMEOUT = 60_000;

let session, sandbox, server, browser, context;
const saved = {}; // credential type → the name n8n gave it

before(async () => {
  session = await startEditor({ log });
  ({ sandbox, server, browser } = session);

  // One browser context for the file: log in once, every test opens its own page.
  context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  context.setDefaultTimeout(UI_TIMEOUT);
  const page = await context.newPage();
  await signIn(page, server, UI_TIMEOUT);
  await page.close();
}, { timeout: 900_000 });

after(async () => {
  await context?.close().catch(() => {});
  await session?.stop();
});

const sandboxUrl = () => sandbox.url.replace(/\/$/, '');

/** Credentials page → "Create credential" → search the picker → the type → Continue. */
async function openNewCredential(page, typeName) {
  await page.goto(`${server.url}/home/credentials`);
  await page.locator('[data-test-id="add-resource-credential"]').first().click();
  const picker = page.locator('[data-test-id="new-credential-type-select"]');
  await picker.locator('input').fill('HuskyVoice');
  const option = page.locator('[data-test-id="new-credential-type-select-option"]')
    .filter({ hasText: new RegExp(`^\\s*${typeName}\\s*$`) });
  await option.click();
  await page.locator('[data-test-id="new-credential-type-button"]').click();
  const modal = page.locator('[data-test-id="editCredential-modal"]');
  await modal.waitFor();
  const subtitle = await modal.innerText();
  assert.ok(subtitle.includes(typeName), `the credential modal should be for ${typeName}; it shows:\n${subtitle}`);
  return modal;
}

/** Fills the credential's fields (by parameter name), presses Save and waits for n8n's test. */
async function saveWith(page, modal, fields) {
  for (const [name, value] of Object.entries(fields)) {
    const input = modal.locator(`[data-test-id="parameter-input-${name}"] input`).first();
    await input.fill(value);
    // Leaving the field commits it (n8n debounces typing); a Save before that can save stale values.
    await input.press('Tab');
  }
  await page.waitForTimeout(500);
  const save = modal.locator('[data-test-id="credential-save-button"]');
  const t0 = Date.now();
  // n8n tests the credential after each save. A click that lands while the form is still
  // settling is sometimes not a save; one more click then (the modal's text is logged).
  for (let attempt = 1; ; attempt++) {
    const tested = page.waitForResponse((r) => r.url().includes('/rest/credentials/test'), { timeout: UI_TIMEOUT / 3 });
    await save.click();
    try {
      await tested;
      break;
    } catch (error) {
      const text = await modal.innerText().catch(() => '');
      if (attempt === 2) throw new Error(`no credential test after Save (${Object.keys(fields).join(', ')}); the modal shows:\n${text}`, { cause: error });
      log(`no credential test ${UI_TIMEOUT / 3000} s after Save; clicking Save again. The modal shows: ${text.replace(/\s+/g, ' ').slice(0, 300)}`);
    }
  }
  log(`saved ${Object.keys(fields).join(', ')}: tested in ${Date.now() - t0} ms`);
}

/** Waits until the modal's banner shows `re` (opening "More details"); fails with the modal text. */
async function expectBanner(page, modal, re, what) {
  const deadline = Date.now() + UI_TIMEOUT;
  let text = '';
  while (Date.now() < deadline) {
    const more = modal.getByText('More details', { exact: true });
    if (await more.isVisible().catch(() => false)) await more.click().catch(() => {});
    text = await modal.innerText().catch(() => '');
    if (re.test(text)) return text;
    await page.waitForTimeout(250);
  }
  assert.fail(`${what}: expected ${re} in the credential modal; it shows:\n${text}`);
}

/**
 * No secret in the page's text. With `values`, none in any field's value nor in the page's HTML
 * either: true once a saved credential is reopened (n8n sends a placeholder, not the secret);
 * while the modal that saved it is open, the password <input> still holds what was typed, masked.
 */
async function assertNoSecrets(page, where, { values = false } = {}) {
  const text = await page.locator('body').innerText();
  const html = values ? await page.content() : '';
  const fieldValues = values ? await page.locator('input, textarea').evaluateAll((els) => els.map((e) => e.value)) : [];
  for (const s of SECRETS) {
    assert.ok(!text.includes(s), `${where}: the page text shows the secret ${s.slice(0, 8)}…`);
    const at = html.indexOf(s);
    assert.ok(at < 0, `${where}: the page's HTML holds the secret ${s.slice(0, 8)}…, here: `
      + html.slice(Math.max(0, at - 300), at + s.length + 100).replaceAll(s, '<SECRET>'));
    assert.ok(!fieldValues.some((v) => v.includes(s)), `${where}: a field holds the secret ${s.slice(0, 8)}…`);
  }
}

async function assertPasswordField(modal, name) {
  const type = await modal.locator(`[data-test-id="parameter-input-${name}"] input`).first().getAttribute('type');
  assert.equal(type, 'password', `the ${name} field should be a password field`);
}

test('HuskyVoice API credential: a wrong key and a non-HuskyVoice Base URL fail, the right ones pass', { timeout: 300_000 }, async () => {
  const page = await context.newPage();
  try {
    const modal = await openNewCredential(page, 'HuskyVoice API');
    await assertPasswordField(modal, 'apiKey');

    await saveWith(page, modal, { apiKey: WRONG_KEY, baseUrl: sandboxUrl() });
    const failure = await expectBanner(page, modal, /rejected the API key/, 'a wrong API key');
    assert.match(failure, /Couldn.t connect/);
    // For the screenshot: the "created" toast gone.
    await page.locator('.el-notification').first().waitFor({ state: 'hidden', timeout: 20_000 }).catch(() => {});
    const shot = path.join(root, 'docs', 'n8n-credential-test.png');
    await page.screenshot({ path: shot });
    assert.ok(existsSync(shot));
    log(`screenshot saved to ${path.relative(root, shot)}`);
    await assertNoSecrets(page, 'after saving a wrong key');

    await saveWith(page, modal, { apiKey: DEMO_API_KEY, baseUrl: server.url });
    await expectBanner(page, modal, /does not answer like HuskyVoice/, 'the n8n server\'s own URL as Base URL');

    await saveWith(page, modal, { apiKey: DEMO_API_KEY, baseUrl: sandboxUrl() });
    const ok = await expectBanner(page, modal, /Connection tested successfully/, 'the right key and the sandbox URL');
    assert.doesNotMatch(ok, /Couldn.t connect/);
    await assertPasswordField(modal, 'apiKey');
    await assertNoSecrets(page, 'after saving the right key');
    saved.huskyVoiceApi = (await modal.locator('[data-test-id="credential-name"]').innerText()).trim();
    log(`API credential saved as ${JSON.stringify(saved.huskyVoiceApi)}`);
  } finally {
    await page.close();
  }
});

test('HuskyVoice Inbound Webhook API credential: a wrong token fails, the right URL passes', { timeout: 300_000 }, async () => {
  const page = await context.newPage();
  try {
    const modal = await openNewCredential(page, 'HuskyVoice Inbound Webhook API');
    await assertPasswordField(modal, 'webhook');

    await saveWith(page, modal, { webhook: `${sandboxUrl()}/v1/hooks/${WRONG_TOKEN}` });
    await expectBanner(page, modal, /rejected the inbound webhook token/, 'a wrong webhook token');
    await assertNoSecrets(page, 'after saving a wrong token');

    await saveWith(page, modal, { webhook: `${sandboxUrl()}/v1/hooks/${DEMO_WEBHOOK_TOKEN}` });
    const ok = await expectBanner(page, modal, /Connection tested successfully/, 'the right webhook URL');
    assert.doesNotMatch(ok, /Couldn.t connect/);
    await assertPasswordField(modal, 'webhook');
    await assertNoSecrets(page, 'after saving the right webhook URL');
    saved.huskyVoiceWebhookApi = (await modal.locator('[data-test-id="credential-name"]').innerText()).trim();
    log(`webhook credential saved as ${JSON.stringify(saved.huskyVoiceWebhookApi)}`);

    // Both credentials are listed; reopened, neither field holds its secret.
    await page.keyboard.press('Escape');
    await modal.waitFor({ state: 'hidden' });
    await page.goto(`${server.url}/home/credentials`);
    await page.getByText('HuskyVoice Inbound Webhook API').first().waitFor();
    await assertNoSecrets(page, 'the credentials list', { values: true });
    for (const name of Object.values(saved)) {
      await page.getByText(name, { exact: true }).first().click();
      await modal.waitFor();
      await modal.locator('[data-test-id="credential-connection-parameter"]').first().waitFor();
      await assertNoSecrets(page, `the reopened credential ${name}`, { values: true });
      await page.keyboard.press('Escape');
      await modal.waitFor({ state: 'hidden' });
    }
  } finally {
    await page.close();
  }
});

test('the node panel adds HuskyVoice → "Cancel a queued call" with Call ID and the credential selector', { timeout: 300_000 }, async () => {
  const page = await context.newPage();
  try {
    await page.goto(`${server.url}/workflow/new`);
    await page.locator('[data-test-id="canvas-plus-button"]').click();
    const creator = page.locator('[data-test-id="node-creator"]');
    await creator.locator('[data-test-id="node-creator-search-bar"]').fill('HuskyVoice');
    const item = creator.locator('[data-test-id="item-iterator-item"]').filter({ hasText: 'HuskyVoice' }).first();
    await item.waitFor().catch(async (e) => {
      throw new Error(`HuskyVoice not found in the node panel; it shows:\n${await creator.innerText().catch(() => '')}\n${e.message}`);
    });
    await item.click();
    const action = creator.locator('[data-test-id="item-iterator-item"]').filter({ hasText: 'Cancel a queued call' });
    // On an empty canvas n8n lists the package's triggers first (the HuskyVoice Trigger's events)
    // and folds its actions under "Actions (4)".
    if (!(await action.waitFor({ timeout: 5_000 }).then(() => true, () => false))) {
      await creator.getByText(/^Actions \(\d+\)$/).first().click({ timeout: 10_000 }).catch(() => {});
    }
    await action.waitFor().catch(async (e) => {
      throw new Error(`the action "Cancel a queued call" is not listed; the panel shows:\n${await creator.innerText().catch(() => '')}\n${e.message}`);
    });
    await action.click();

    const panel = page.locator('[data-test-id="ndv"]');
    await panel.waitFor();
    await panel.locator('[data-test-id="parameter-input-callId"]').waitFor();
    const panelText = await panel.innerText();
    assert.match(panelText, /Call ID/, `panel text:\n${panelText}`);
    const operation = await panel.locator('[data-test-id="parameter-input-operation"] input').first().inputValue().catch(() => '');
    assert.match(operation, /Cancel/, `the Operation field should show Cancel; panel text:\n${panelText}`);
    const credential = panel.locator('[data-test-id="node-credentials-select"]').first();
    await credential.waitFor();
    const credentialValue = await credential.locator('input').first().inputValue().catch(() => '');
    log(`the new node's credential selector shows ${JSON.stringify(credentialValue)}`);
    // n8n preselects the most recent credential of the node's types (and sets Authentication to match).
    const names = Object.values(saved);
    if (names.length) {
      assert.ok(names.includes(credentialValue),
        `the credential selector should show a saved credential (${names.join(' or ')}), it shows ${JSON.stringify(credentialValue)}; panel text:\n${panelText}`);
    }
    const nodes = await page.locator('[data-test-id="canvas-node"]').evaluateAll((ns) => ns.map((n) => n.getAttribute('data-node-type')));
    assert.ok(nodes.includes('n8n-nodes-huskyvoice.huskyVoice'), `canvas nodes: ${nodes.join(', ')}`);
    await assertNoSecrets(page, 'the node panel', { values: true });
  } finally {
    await page.close();
  }
});

test('an AI Agent\'s tools list "HuskyVoice Tool"', { timeout: 300_000 }, async () => {
  const page = await context.newPage();
  try {
    await page.goto(`${server.url}/workflow/new`);
    await page.locator('[data-test-id="canvas-plus-button"]').click();
    const creator = page.locator('[data-test-id="node-creator"]');
    await creator.locator('[data-test-id="node-creator-search-bar"]').fill('AI Agent');
    await creator.locator('[data-test-id="item-iterator-item"]').filter({ hasText: /^\s*AI Agent/ }).first().click();
    const panel = page.locator('[data-test-id="ndv"]');
    await panel.waitFor();
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'hidden' });

    await page.locator('[data-test-id="canvas-node-input-handle"][data-connection-type="ai_tool"] [data-test-id="canvas-handle-plus"]')
      .first().click();
    await creator.locator('[data-test-id="node-creator-search-bar"]').fill('HuskyVoice');
    const tool = creator.locator('[data-test-id="item-iterator-item"]').filter({ hasText: 'HuskyVoice Tool' }).first();
    await tool.waitFor().catch(async (e) => {
      throw new Error(`"HuskyVoice Tool" is not among the agent's tools; the panel shows:\n${await creator.innerText().catch(() => '')}\n${e.message}`);
    });
    await tool.click();
    await panel.waitFor();
    await panel.locator('[data-test-id="parameter-input-callId"]').waitFor();
    const panelText = await panel.innerText();
    assert.match(panelText, /\$fromAI\('callId'/, `the tool asks the model for the call id; panel text:\n${panelText}`);
    const nodes = await page.locator('[data-test-id="canvas-node"]').evaluateAll((ns) => ns.map((n) => n.getAttribute('data-node-type')));
    assert.ok(nodes.includes('n8n-nodes-huskyvoice.huskyVoiceTool'), `canvas nodes: ${nodes.join(', ')}`);
  } finally {
    await page.close();
  }
});
