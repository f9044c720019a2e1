// verifyEvent, ReplayGuard and receiveEvent, for every shipped form of huskyvoice-core (suite.cjs calls
// this). Signatures are made here with node:crypto, an HMAC the core does not share.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { createHmac } = require('node:crypto');

const SECRET = 'whsec_eventsSuiteSecret_5b1d';
const sign = (body, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');
// As a sender may write it: spaces, members in its own order, non-ASCII text.
const BODY = '{"event_type": "call.completed", "event_id":"evt_01J8", "created_at":"2026-12-07T03:22:42Z",\n "org_id":"org_7", "data":{"call_id":"call_42","status":"completed","duration_seconds":61,"summary":"Zahlung bestätigt ✓"}}';

function expectCoreError(fn, code, fragment) {
  assert.throws(fn, (e) => e instanceof Error && e.code === code && e.message.includes(fragment), `${code} ${fragment}`);
}

module.exports = function defineEventSuite(core) {
  describe('verifyEvent', () => {
    it('verifies the raw body as Buffer, Uint8Array or string, hex in either case, with or without sha256=', () => {
      const bytes = Buffer.from(BODY, 'utf8');
      for (const body of [bytes, new Uint8Array(bytes), BODY]) {
        for (const header of [sign(BODY), sign(BODY).toUpperCase(), `sha256=${sign(BODY)}`]) {
          const got = core.verifyEvent(SECRET, body, header);
          assert.equal(got.verified, true, header);
          assert.deepEqual(got.event, {
            event_id: 'evt_01J8', event_type: 'call.completed', created_at: '2026-12-07T03:22:42Z', org_id: 'org_7',
            data: { call_id: 'call_42', status: 'completed', duration_seconds: 61, summary: 'Zahlung bestätigt ✓' },
          });
        }
      }
    });

    it('refuses forged, re-serialised and unsigned deliveries with the status to answer', () => {
      const flipped = Buffer.from(BODY);
      flipped[40] ^= 0x01;
      const cases = [
        [BODY, undefined, 'missing_signature', 401],
        [BODY, null, 'missing_signature', 401],
        [BODY, '', 'missing_signature', 401],
        [BODY, sign(BODY).slice(0, 40), 'malformed_signature', 401],
        [BODY, `t=1,v1=${sign(BODY)}`, 'malformed_signature', 401],
        [BODY, sign(BODY, 'whsec_someoneElse'), 'wrong_signature', 401],
        [flipped, sign(BODY), 'wrong_signature', 401],
        [JSON.stringify(JSON.parse(BODY)), sign(BODY), 'wrong_signature', 401],
        ['{"hello":"world"}', sign('{"hello":"world"}'), 'not_an_event', 400],
      ];
      for (const [body, header, reason, status] of cases) {
        const got = core.verifyEvent(SECRET, body, header);
        assert.deepEqual([got.verified, got.reason, got.status], [false, reason, status], `${reason} ${header}`);
        assert.ok(got.message.length > 20 && !got.message.includes(SECRET) && !got.message.includes(sign(BODY).slice(0, 12)), got.message);
        assert.equal(got.event, undefined);
      }
      for (const secret of ['', ' ', undefined, null]) {
        const noSecret = core.verifyEvent(secret, BODY, sign(BODY, ''));
        assert.deepEqual([noSecret.verified, noSecret.reason, noSecret.status], [false, 'no_secret', 500], String(secret));
      }
    });

    it('takes the secrets of a rotation as a list: either verifies, no other does', () => {
      for (const signer of ['whsec_new', 'whsec_old']) {
        assert.equal(core.verifyEvent(['whsec_new', 'whsec_old'], BODY, sign(BODY, signer)).verified, true, signer);
      }
      assert.equal(core.verifyEvent(['whsec_new', 'whsec_old'], BODY, sign(BODY)).reason, 'wrong_signature');
      assert.equal(core.verifyEvent([undefined, ''], BODY, sign(BODY)).reason, 'no_secret');
      expectCoreError(() => core.verifyEvent(['whsec_new', 5], BODY, sign(BODY)), 'INVALID_OPTIONS', 'a list of them during a rotation');
    });

    it('throws for a parsed body or a signature that is not a string, naming the fix', () => {
      expectCoreError(() => core.verifyEvent(SECRET, JSON.parse(BODY), sign(BODY)), 'INVALID_OPTIONS', 'not a parsed object');
      expectCoreError(() => core.verifyEvent(SECRET, BODY, ['a', 'b']), 'INVALID_OPTIONS', 'X-Husky-Signature');
      expectCoreError(() => core.verifyEvent(Buffer.from(SECRET), BODY, sign(BODY)), 'INVALID_OPTIONS', 'secret must be');
    });
  });

  describe('ReplayGuard', () => {
    const event = (id, created_at = '2026-12-07T03:22:42Z') => ({ event_id: id, event_type: 'call.failed', created_at, org_id: 'org_7', data: {} });
    const NOW = Date.parse('2026-12-07T03:23:00Z');

    it('says first_seen once, then duplicate, and survives JSON between requests', () => {
      let guard = new core.ReplayGuard();
      assert.equal(guard.check(event('evt_1'), NOW), 'first_seen');
      assert.equal(guard.check(event('evt_1'), NOW + 1000), 'duplicate');
      assert.equal(guard.check(event('evt_2'), NOW), 'first_seen');
      const saved = JSON.parse(JSON.stringify(guard));
      assert.deepEqual(saved, guard.toJSON());
      assert.deepEqual(saved.seen.map(([id]) => id).sort(), ['evt_1', 'evt_2']);
      guard = core.ReplayGuard.fromJSON(saved);
      assert.equal(guard.size, 2);
      assert.equal(guard.check(event('evt_2'), NOW), 'duplicate');
      // The event verifyEvent returned is what it takes.
      const verified = core.verifyEvent(SECRET, BODY, sign(BODY)).event;
      assert.equal(guard.check(verified, NOW), 'first_seen');
      assert.equal(guard.check(verified, NOW), 'duplicate');
    });

    it('keeps its limits: too old by age, and by size never new again', () => {
      const guard = new core.ReplayGuard({ maxEvents: 2, maxAgeMs: 60_000 });
      assert.equal(guard.check(event('evt_old', '2026-12-07T03:21:59Z'), NOW), 'too_old');
      for (const id of ['evt_a', 'evt_b', 'evt_c']) assert.equal(guard.check(event(id), NOW), 'first_seen');
      assert.equal(guard.size, 2);
      assert.equal(guard.check(event('evt_a'), NOW) === 'first_seen', false);
      assert.equal(guard.toJSON().max_events, 2);
      const bigger = core.ReplayGuard.fromJSON(guard.toJSON(), { maxEvents: 10 });
      assert.equal(bigger.toJSON().max_events, 10);
      assert.equal(bigger.size, 2);
    });

    it('names bad limits and a state that is not one', () => {
      expectCoreError(() => new core.ReplayGuard({ maxEvents: 0 }), 'INVALID_OPTIONS', 'maxEvents is 0');
      expectCoreError(() => new core.ReplayGuard({ maxAgeMs: 10 }), 'INVALID_OPTIONS', 'maxAgeMs is 10');
      expectCoreError(() => new core.ReplayGuard({ maxEvent: 5 }), 'INVALID_OPTIONS', 'unknown limit "maxEvent"');
      expectCoreError(() => new core.ReplayGuard({ maxEvents: 2.5 }), 'INVALID_OPTIONS', 'maxEvents is 2.5');
      expectCoreError(() => core.ReplayGuard.fromJSON({ seen: 'x' }), 'INVALID_OPTIONS', 'start a new guard');
      expectCoreError(() => new core.ReplayGuard().check({ event_id: 'evt_1' }), 'INVALID_OPTIONS', 'pass the event verifyEvent returned');
    });
  });

  describe('receiveEvent', () => {
    const NOW = Date.parse('2026-12-07T03:23:00Z');
    const other = (id, type, agent) =>
      `{"event_id": "${id}", "event_type": "${type}", "created_at": "2026-12-07T03:22:50Z", "org_id": "org_7", "data": {"call_id": "call_${id}", "agent_id": "${agent}", "status": "x"}}`;

    it('starts a signed new event once with the item, then skips its repeats', () => {
      const guard = new core.ReplayGuard();
      const first = core.receiveEvent(guard, SECRET, Buffer.from(BODY), sign(BODY), undefined, NOW);
      assert.deepEqual(first, {
        action: 'start',
        status: 200,
        item: {
          eventId: 'evt_01J8', eventType: 'call.completed', callId: 'call_42', agentId: null, status: 'completed',
          createdAt: '2026-12-07T03:22:42Z', orgId: 'org_7', data: JSON.parse(BODY).data,
        },
      });
      for (let i = 0; i < 3; i++) {
        const again = core.receiveEvent(guard, SECRET, BODY, sign(BODY), null, NOW);
        assert.equal(again.action, 'skip');
        assert.equal(again.status, 200);
        assert.equal(again.reason, 'duplicate');
      }
      assert.equal(guard.size, 1);
    });

    it('refuses forged, unsigned and re-serialised bodies and remembers none', () => {
      const guard = new core.ReplayGuard();
      const reserialised = JSON.stringify(JSON.parse(BODY));
      const cases = [
        [BODY, sign(BODY, 'whsec_wrong'), 401, 'wrong_signature'],
        [BODY, undefined, 401, 'missing_signature'],
        [reserialised, sign(BODY), 401, 'wrong_signature'],
        ['{"not": "an event"}', sign('{"not": "an event"}'), 400, 'not_an_event'],
      ];
      for (const [body, signature, status, reason] of cases) {
        const got = core.receiveEvent(guard, SECRET, body, signature, undefined, NOW);
        assert.equal(got.action, 'refuse', reason);
        assert.equal(got.status, status, reason);
        assert.equal(got.reason, reason);
        assert.ok(!got.message.includes(SECRET));
      }
      assert.equal(core.receiveEvent(guard, '', BODY, sign(BODY), undefined, NOW).status, 500);
      assert.equal(guard.size, 0);
    });

    it('skips the event types and agents not selected, before the guard', () => {
      const guard = new core.ReplayGuard();
      const filter = { eventTypes: ['call.completed', 'call.failed'], agentIds: 'agent_a, agent_b' };
      const judge = (body) => core.receiveEvent(guard, SECRET, body, sign(body), filter, NOW);
      assert.equal(judge(other('evt_1', 'call.answered', 'agent_a')).reason, 'event_type_not_selected');
      assert.equal(judge(other('evt_2', 'call.failed', 'agent_z')).reason, 'agent_not_selected');
      assert.equal(guard.size, 0);
      const started = judge(other('evt_3', 'call.failed', 'agent_b'));
      assert.equal(started.action, 'start');
      assert.equal(started.item.agentId, 'agent_b');
    });

    it('names a wrong filter or body and changes nothing', () => {
      const guard = new core.ReplayGuard();
      expectCoreError(() => core.receiveEvent(guard, SECRET, BODY, sign(BODY), { eventTypes: [] }, NOW), 'INVALID_OPTIONS', 'choose at least one');
      expectCoreError(() => core.receiveEvent(guard, SECRET, BODY, sign(BODY), { eventTypes: ['call.ended'] }, NOW), 'INVALID_OPTIONS', '"call.ended" is not an event');
      expectCoreError(() => core.receiveEvent(guard, SECRET, JSON.parse(BODY), sign(BODY), undefined, NOW), 'INVALID_OPTIONS', 'not a parsed object');
      assert.equal(guard.size, 0);
    });
  });

  describe('checkReceiver', () => {
    it('passes a plausible secret and filter, and names plain mistakes without quoting them', () => {
      assert.deepEqual(core.checkReceiver(SECRET), { ok: true });
      assert.deepEqual(core.checkReceiver([SECRET, ''], { eventTypes: ['call.completed'], agentIds: 'a1' }), { ok: true });
      const cases = [
        [[undefined], undefined, 'is empty'],
        [[], undefined, 'is empty'],
        ['sk_live_abcdef123456', undefined, 'looks like an API key'],
        ['https://api.huskyvoice.ai/v1/hooks/tok_12345678', undefined, 'is a URL'],
        [[SECRET, 'two words'], undefined, 'Previous secret: '],
        [SECRET, { eventTypes: [] }, 'choose at least one'],
      ];
      for (const [secret, filter, fragment] of cases) {
        const got = core.checkReceiver(secret, filter);
        assert.equal(got.ok, false, fragment);
        assert.ok(got.message.includes(fragment), got.message);
        for (const s of [secret].flat()) if (s && s.length > 3) assert.ok(!got.message.includes(s));
      }
    });
  });
};
