// Signed call events end to end outside n8n: the sandbox sends them as calls change state
// (signed by its own HMAC code, bodies written as Python's json.dumps writes them), through
// a tap that records every delivery, to the receiver of examples/node/receive-events.mjs
// (built on verifyEvent and ReplayGuard). Prints the figures issue 28 asks for.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { createHmac } from 'node:crypto';

import { verifyEvent } from 'huskyvoice-core';
import { createEventReceiver } from '../../examples/node/receive-events.mjs';
import { startSandbox } from '../helpers/sandbox.mjs';

const SECRET = 'whsec_eventsTestSecret_9c2f';
const N = 1000;

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
const close = (server) => new Promise((resolve) => server.close(() => resolve()));

let sb;
let receiver;
let receiverUrl;
let tap;
/** What the receiver did: events acted on, refusals by reason. */
const seen = { events: [], refused: {} };
/** Every delivery through the tap: raw body, signature, the receiver's status. */
let deliveries = [];
/** The tap answers this status itself (without forwarding) to the first attempts of an event. */
let failFirst = { attempts: 0, status: 500, forward: false };
const attemptsById = new Map();

/** Forwards the exact bytes and the signature to the receiver; resolves with its status. */
function forward(body, signature) {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'content-length': body.length };
    if (signature !== undefined) headers['x-husky-signature'] = signature;
    const req = request(`${receiverUrl}/huskyvoice/events`, { method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function waitFor(what, check, timeoutMs = 30_000) {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const settled = () => waitFor('every event delivered or given up', async () => {
  const s = await sb.stats();
  return s.events_emitted > 0 && s.events_delivered + s.events_gave_up === s.events_emitted ? s : null;
});

/** Calls that produce exactly `n` events: 3 per call advanced to completed (initiated,
 * answered, completed; ringing has none), the rest set to failed or disallowed. */
async function makeEvents(n) {
  const advanced = Math.floor((n * 0.9) / 3);
  const rest = n - advanced * 3;
  const ids = (prefix, count) => Array.from({ length: count }, (_, i) => `call_${prefix}_${i}`);
  await sb.addCalls([...ids('adv', advanced), ...ids('end', rest)].map((call_id) => ({ call_id })));
  await sb.addCalls(ids('end', rest).map((call_id, i) => ({ call_id, status: i % 2 ? 'disallowed' : 'failed' })));
  for (let i = 0; i < 4; i += 1) await sb.advance();
}

before(async () => {
  receiver = createEventReceiver({
    secret: SECRET,
    onEvent: (event) => seen.events.push(event),
    onRefused: (reason) => { seen.refused[reason] = (seen.refused[reason] ?? 0) + 1; },
  });
  receiverUrl = await listen(receiver);
  tap = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const signature = req.headers['x-husky-signature'];
      const id = JSON.parse(body.toString('utf8')).event_id;
      const attempt = (attemptsById.get(id) ?? 0) + 1;
      attemptsById.set(id, attempt);
      let status;
      if (attempt <= failFirst.attempts) {
        // Reached the receiver or not, the sender is told it failed, so it sends again.
        if (failFirst.forward) await forward(body, signature);
        status = failFirst.status;
      } else {
        status = await forward(body, signature);
      }
      deliveries.push({ id, body, signature, status, attempt });
      res.writeHead(status).end();
    });
  });
  const tapUrl = await listen(tap);
  sb = await startSandbox({ args: ['--events-url', `${tapUrl}/hook`, '--events-secret', SECRET, '--events-retry-ms', '20'] });
});

after(async () => {
  await sb?.stop();
  if (tap) await close(tap);
  if (receiver) await close(receiver);
});

beforeEach(async () => {
  await sb.reset();
  seen.events = [];
  seen.refused = {};
  deliveries = [];
  attemptsById.clear();
  failFirst = { attempts: 0, status: 500, forward: false };
});

describe('call events from the sandbox to a verifyEvent receiver', () => {
  it(`${N} events as calls change state: every one verified and acted on once`, async () => {
    await makeEvents(N);
    const stats = await settled();
    assert.equal(stats.events_emitted, N);
    assert.equal(stats.events_delivered, N);
    assert.equal(stats.events_retried, 0);
    assert.deepEqual(seen.refused, {});
    assert.equal(seen.events.length, N);
    assert.equal(new Set(seen.events.map((e) => e.event_id)).size, N);
    // What the receiver got is what the sandbox says it sent.
    const sent = new Map((await sb.events()).map((e) => [e.event_id, e]));
    for (const e of seen.events) {
      const record = sent.get(e.event_id);
      assert.ok(record, e.event_id);
      assert.deepEqual([e.event_type, e.data.call_id, record.delivered, record.attempts], [record.event_type, record.call_id, true, 1]);
    }
    const types = {};
    for (const e of seen.events) types[e.event_type] = (types[e.event_type] ?? 0) + 1;
    assert.deepEqual(Object.keys(types).sort(), ['call.answered', 'call.completed', 'call.disallowed', 'call.failed', 'call.initiated']);
    const completed = seen.events.find((e) => e.event_type === 'call.completed');
    assert.match(completed.data.summary, /धन्यवाद/);
    assert.equal(typeof completed.data.duration_seconds, 'number');
    // The bytes as sent are not what JSON.stringify gives (Python-style separators, \u escapes).
    assert.notEqual(deliveries[0].body.toString(), JSON.stringify(JSON.parse(deliveries[0].body)));
    console.log(`[events] ${N} sandbox events: ${seen.events.length} verified and acted on; types ${JSON.stringify(types)}`);
  });

  it(`${N} forgeries each of wrong secret, flipped byte and re-serialised body: none verified`, async () => {
    // Genuine deliveries to forge from.
    await makeEvents(N);
    await settled();
    const genuine = deliveries.slice(0, N);
    assert.equal(genuine.length, N);
    seen.events = [];
    seen.refused = {};
    const statuses = { flipped: [], reserialised: [], wrongSecret: [] };
    for (const [i, d] of genuine.entries()) {
      const flipped = Buffer.from(d.body);
      const at = (i * 7919) % flipped.length;
      flipped[at] ^= 1 << (i % 8);
      statuses.flipped.push(await forward(flipped, d.signature));
      statuses.reserialised.push(await forward(Buffer.from(JSON.stringify(JSON.parse(d.body))), d.signature));
    }
    // The sandbox signing with the wrong secret, one attempt each.
    await sb.reset();
    await sb.config({ events_wrong_secret: true, events_max_attempts: 1 });
    deliveries = [];
    await makeEvents(N);
    const stats = await settled();
    statuses.wrongSecret = deliveries.map((d) => d.status);
    assert.equal(stats.events_gave_up, N);
    const verified = Object.fromEntries(Object.entries(statuses).map(([k, v]) => [k, v.filter((s) => s === 200).length]));
    assert.deepEqual(verified, { flipped: 0, reserialised: 0, wrongSecret: 0 });
    for (const v of Object.values(statuses)) assert.equal(v.length, N);
    assert.ok(Object.values(statuses).flat().every((s) => s === 401));
    assert.equal(seen.events.length, 0);
    assert.deepEqual(seen.refused, { wrong_signature: 3 * N });
    console.log(`[events] forged, verified of ${N} each: wrong secret ${verified.wrongSecret}, flipped byte ${verified.flipped}, re-serialised ${verified.reserialised}`);
  });

  it('a delivery answered 500 is retried with the same event_id, bytes and signature, and acted on once', async () => {
    // The first two attempts of each event reach the receiver but the sender is told 500.
    failFirst = { attempts: 2, status: 500, forward: true };
    await makeEvents(30);
    const stats = await settled();
    assert.equal(stats.events_emitted, 30);
    assert.equal(stats.events_delivered, 30);
    assert.equal(stats.events_retried, 60);
    assert.equal(deliveries.length, 90);
    for (const [id, attempts] of attemptsById) {
      const mine = deliveries.filter((d) => d.id === id);
      assert.equal(attempts, 3, id);
      assert.equal(new Set(mine.map((d) => d.body.toString('base64'))).size, 1, 'same bytes');
      assert.equal(new Set(mine.map((d) => d.signature)).size, 1, 'same signature');
    }
    // The receiver saw every event three times and acted on each once.
    assert.equal(seen.events.length, 30);
    assert.equal(new Set(seen.events.map((e) => e.event_id)).size, 30);
    const records = await sb.events();
    assert.ok(records.every((r) => r.attempts === 3 && r.delivered && r.last_status === 200));
  });

  it('gives up after events_max_attempts and counts every attempt', async () => {
    await sb.config({ events_max_attempts: 3 });
    failFirst = { attempts: 99, status: 503, forward: false };
    await makeEvents(3);
    const stats = await settled();
    assert.deepEqual([stats.events_emitted, stats.event_attempts, stats.events_retried, stats.events_gave_up, stats.events_delivered], [3, 9, 6, 3, 0]);
    const records = await sb.events();
    assert.ok(records.every((r) => r.gave_up && r.attempts === 3 && r.last_status === 503));
    assert.equal(deliveries.filter((d) => d.id === records[0].event_id).length, 3);
  });

  it('the sandbox signs as HuskyVoice documents: lowercase hex HMAC-SHA256 of the exact body', async () => {
    await makeEvents(3);
    await settled();
    for (const d of deliveries) {
      assert.equal(d.signature, createHmac('sha256', SECRET).update(d.body).digest('hex'));
      assert.equal(verifyEvent(SECRET, d.body, d.signature).verified, true);
    }
  });

  it('runtime config: no URL sends nothing; a bad URL or a URL without a secret is refused', async () => {
    const config = await sb.config({ events_url: null });
    assert.equal(config.events_url, null);
    assert.equal(config.events_secret_set, true);
    await makeEvents(3);
    assert.equal((await sb.stats()).events_emitted, 0);
    await assert.rejects(sb.config({ events_url: 'https://example.com/x' }), /no TLS/);
    await assert.rejects(sb.config({ events_url: 'http://127.0.0.1:1/x', events_secret: null }), /needs events_secret/);
    assert.equal((await sb.config()).events_url, null, 'a refused update changes nothing');
  });
});
