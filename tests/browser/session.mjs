// What every browser test file starts with: headless Chromium, the sandbox, and real n8n in
// server mode with the packed node installed; and signing in as the instance's owner.
import assert from 'node:assert/strict';
import { launchChromium } from './chromium.mjs';
import { startSandbox } from '../helpers/sandbox.mjs';
import { ensureN8n, createInstance, startServer, cleanup } from '../e2e/lib/n8n.mjs';
import { buildAndPackNode } from '../e2e/lib/pack.mjs';

/**
 * Starts it all; `prepare(inst, sandbox)` runs before the server starts (imports).
 * `stop()` ends whatever was started, also after a failed start.
 */
export async function startEditor({ log, prepare = async () => {} }) {
  const s = { browser: null, sandbox: null, inst: null, server: null };
  s.stop = async () => {
    await s.browser?.close();
    if (s.inst) await cleanup(s.inst);
    await s.sandbox?.stop();
  };
  s.browser = await launchChromium(log);
  s.sandbox = await startSandbox();
  const n8n = await ensureN8n({ onProgress: log });
  const packed = await buildAndPackNode({ onProgress: log });
  assert.ok(!packed.skipped, packed.skipped);
  s.inst = await createInstance(n8n, { packages: [packed.tarball] });
  await prepare(s.inst, s.sandbox);
  s.server = await startServer(s.inst);
  log(`n8n ready at ${s.server.url} after ${Math.round(s.server.readyMs)} ms; sandbox at ${s.sandbox.url}`);
  return s;
}

/** Signs `page` in as the owner n8n was set up with. */
export async function signIn(page, server, timeout = 60_000) {
  await page.goto(`${server.url}/signin`);
  await page.locator('input[type="email"], input[name="emailOrLdapLoginId"]').first().fill(server.owner.email);
  await page.locator('input[type="password"]').first().fill(server.owner.password);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout });
}
