// Starts the huskyvoice-sandbox binary for JS tests and wraps its /__sandbox/ test controls.
// ESM, Node 20+, no dependencies (global fetch, node:child_process).
//
//   import { startSandbox } from './helpers/sandbox.mjs';
//   const sb = await startSandbox({ seed: { calls: [{ call_id: 'call_a', status: 'queued' }] } });
//   await fetch(`${sb.url}/v1/calls/call_a/cancel`, { method: 'POST',
//     headers: { Authorization: 'Bearer sk_test_sandbox' } });
//   await sb.stop();

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEMO_API_KEY = 'sk_test_sandbox';
export const DEMO_WEBHOOK_TOKEN = 'sandbox-token';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN_NAME = process.platform === 'win32' ? 'huskyvoice-sandbox.exe' : 'huskyvoice-sandbox';
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

// Children still running when the test process exits are killed, so none outlive a run.
const running = new Set();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * The binary to run: $HUSKYVOICE_SANDBOX_BIN, else target/release, else target/debug,
 * else build the release one.
 */
export function locateSandboxBinary() {
  const fromEnv = process.env.HUSKYVOICE_SANDBOX_BIN;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`HUSKYVOICE_SANDBOX_BIN=${fromEnv} does not exist`);
    return fromEnv;
  }
  const candidates = ['release', 'debug'].map((p) => path.join(REPO_ROOT, 'target', p, BIN_NAME));
  // Release first: benchmarks must not measure a debug server. scripts/setup.sh rebuilds it,
  // so it is not stale; `cargo test` only refreshes the debug one.
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found) return found;

  const build = spawnSync('cargo', ['build', '--release', '-p', 'huskyvoice-sandbox'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (build.error || build.status !== 0) {
    throw new Error(
      `could not build huskyvoice-sandbox (cargo build --release -p huskyvoice-sandbox): ${
        build.error?.message ?? `exit code ${build.status}`
      }`,
    );
  }
  return candidates[0];
}

/**
 * Starts a sandbox on a free loopback port.
 * @param {{ args?: string[], seed?: string | { calls: Array<{ call_id: string, status?: string }> } }} [options]
 *   args: extra command-line flags; seed: a seed file path, or an object written to a temp file.
 */
export async function startSandbox({ args = [], seed } = {}) {
  const bin = locateSandboxBinary();
  let seedDir;
  const fullArgs = ['--port', '0', ...args];
  if (seed !== undefined) {
    let seedPath = seed;
    if (typeof seed !== 'string') {
      seedDir = mkdtempSync(path.join(tmpdir(), 'hv-sandbox-'));
      seedPath = path.join(seedDir, 'seed.json');
      writeFileSync(seedPath, JSON.stringify(seed));
    }
    fullArgs.push('--seed', seedPath);
  }

  const child = spawn(bin, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  exited.then(() => {
    running.delete(child);
    if (seedDir) rmSync(seedDir, { recursive: true, force: true });
  });

  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-8192);
  });

  let url;
  try {
    url = await readListeningUrl(child, () => stderr);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }

  const admin = async (method, route, body) => {
    const res = await fetch(`${url}/__sandbox${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok && !(method === 'GET' && res.status === 404)) {
      throw new Error(`sandbox ${method} /__sandbox${route} -> ${res.status}: ${text}`);
    }
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  return {
    url,
    process: child,
    /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      return exited;
    },
    /**
     * Back to the startup state: seeded calls, no faults, empty log, zeroed stats, and the
     * command-line latency, logging and limits (empty rate-limit windows, quota count 0).
     */
    reset: async () => (await admin('POST', '/reset', {})).body,
    /** calls: [{ call_id, status? }] (status defaults to "queued"). */
    addCalls: async (calls) => (await admin('POST', '/calls', { calls })).body,
    /**
     * { call_id, status, cancel_requests, delete_requests, history, source } or null when
     * unknown (or deleted). A created call (source "rest" or "webhook") also has agent_id,
     * contact_number (normalised), contact_name, contact_email, additional_info, created_at
     * and idempotency_key (absent without one).
     */
    getCall: async (id) => {
      const { status, body } = await admin('GET', `/calls/${encodeURIComponent(id)}`);
      return status === 404 ? null : body;
    },
    /** Every call the sandbox holds, sorted by call_id, each as getCall() shows it. */
    calls: async () => (await admin('GET', '/calls')).body.calls,
    /** [{ at_ms, method, path, headers, body }] in arrival order (webhook tokens redacted). */
    requests: async () => (await admin('GET', '/requests')).body,
    /**
     * { requests_total, in_flight, peak_in_flight, logged_requests, rate_limited_total,
     *   quota_exceeded_total, max_in_window, calls_created, calls_created_by_key,
     *   calls_created_without_key, idempotent_replays, idempotency_key_reused,
     *   calls_deleted }: rate_limited_total counts 429 RATE_LIMIT_EXCEEDED answers,
     * quota_exceeded_total 429 QUOTA_EXCEEDED and 402 answers, max_in_window the most
     * accepted requests one credential's window held (0 without a rate limit);
     * calls_created the calls created by POST /v1/calls and call.create (not replays),
     * calls_created_by_key { "<Idempotency-Key>": n }, idempotent_replays the answers
     * replayed with Idempotent-Replayed: true, idempotency_key_reused the 422
     * IDEMPOTENCY_KEY_REUSED answers, calls_deleted the calls erased.
     * POST /__sandbox/stats/reset zeroes them.
     */
    stats: async () => (await admin('GET', '/stats')).body,
    /**
     * Replaces the fault rules: [{ path_prefix? | path?, method?, times? (null = without end),
     * every?, probability?, seed?, status?, headers?, body?, delay_ms?, drop?, drop_after? }].
     * Drop after accept (the request takes effect, its answer is lost), for a random ~30%
     * of creates: { path: '/v1/calls', method: 'POST', drop_after: true, probability: 0.3,
     * times: null }. See the crate README, "Fault rules".
     */
    faults: async (rules) => (await admin('POST', '/faults', rules)).body,
    /**
     * Changes settings at runtime; fields left out stay as they are. An invalid value
     * rejects (HTTP 400) and changes nothing.
     * @param {{
     *   latency_ms?: number,
     *   log_requests?: boolean,
     *   rate_limit?: string | null,
     *   daily_quota?: number | null,
     *   zero_balance?: boolean,
     * }} [obj]
     *   rate_limit: "COUNT/WINDOW" (units ms, s, m; "60/60s" is HuskyVoice's documented
     *   limit) per API key and per webhook token, null = off; setting it clears the windows.
     *   daily_quota: requests per UTC day across all keys and tokens, null = off.
     *   zero_balance: true answers every /v1 request 402 INSUFFICIENT_CREDITS.
     *   events_url, events_secret: where signed call events go and their secret (null = off);
     *   events_wrong_secret: sign with another secret; events_retry_ms: the first wait before
     *   a retry (doubling); events_max_attempts: attempts per event.
     * @returns {Promise<{ latency_ms: number, log_requests: boolean, advance_every_ms: number | null,
     *   rate_limit: string | null, daily_quota: number | null, zero_balance: boolean,
     *   quota_used: number, events_url: string | null, events_secret_set: boolean,
     *   events_wrong_secret: boolean, events_retry_ms: number, events_max_attempts: number }>}
     *   the resulting config (rate_limit normalised, e.g. "1m" reads "60s").
     */
    config: async (obj = {}) => (await admin('POST', '/config', obj)).body,
    /** Moves every non-terminal call one state along (sending their events); how many moved. */
    advance: async () => (await admin('POST', '/advance', {})).body.moved,
    /** The call events sent since the last reset: id, type, call, attempts, last status. */
    events: async () => (await admin('GET', '/events')).body.events,
    /**
     * Waits until every event emitted so far is delivered or given up (retries included), then
     * resolves `events()`. Throws after `timeoutMs` with the stats.
     */
    eventsSettled: async ({ timeoutMs = 60_000 } = {}) => {
      for (const t0 = Date.now(); ;) {
        const s = (await admin('GET', '/stats')).body;
        if (s.events_delivered + s.events_gave_up === s.events_emitted) return (await admin('GET', '/events')).body.events;
        if (Date.now() - t0 > timeoutMs) throw new Error(`sandbox events not settled after ${timeoutMs} ms: ${JSON.stringify(s)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

function readListeningUrl(child, getStderr) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const fail = (why) => {
      cleanup();
      const stderr = getStderr().trim();
      reject(new Error(`huskyvoice-sandbox ${why}${stderr ? `; stderr:\n${stderr}` : ''}`));
    };
    const onData = (chunk) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline === -1) return;
      const line = buffered.slice(0, newline).trim();
      const match = /^listening on (http:\/\/\S+)$/.exec(line);
      if (!match) return fail(`printed an unexpected first line: ${JSON.stringify(line)}`);
      cleanup();
      child.stdout.resume(); // keep draining so the child never blocks on a full pipe
      resolve(match[1]);
    };
    const timer = setTimeout(() => fail(`did not report "listening on" within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    const onExit = () => {
      // Let stderr arrive before reporting it.
      setTimeout(() => fail(`exited before listening (exit code ${child.exitCode}, signal ${child.signalCode})`), 50);
    };
    const onError = (err) => fail(`could not be started: ${err.message}`);
    function cleanup() {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    }
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}
