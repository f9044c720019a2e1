// Debian's Chromium for the browser test; installed with apt-get when missing (browsers
// cannot be downloaded by test tools here, and Debian's package is the one that works).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/chromium-headless-shell'];

export async function ensureChromium(log = () => {}) {
  const found = () => [process.env.HUSKYVOICE_CHROMIUM, ...CANDIDATES].find((p) => p && existsSync(p));
  if (found()) return found();
  log('Chromium is missing: installing Debian\'s chromium package (apt-get, about a minute)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'chromium']]) {
    const r = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(`apt-get ${args.join(' ')} failed (${r.status ?? r.error}): ${r.stderr?.slice(-500)}\n`
        + 'What to do: install Debian\'s chromium package as root, or set HUSKYVOICE_CHROMIUM to a Chromium binary.');
    }
  }
  if (!found()) throw new Error('chromium was installed but no binary was found at /usr/bin/chromium');
  return found();
}

/** Headless Chromium through playwright-core (each launch gets a fresh temporary profile). */
export async function launchChromium(log = () => {}) {
  const executablePath = await ensureChromium(log);
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}
