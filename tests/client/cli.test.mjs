// The `huskyvoice` CLI against the sandbox (real HTTP), run as a user runs it: a child process.
// Exit status 0 all done, 1 some not, 2 bad usage or no credential, 130 Ctrl-C.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startSandbox } from '../helpers/sandbox.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PKG = path.join(ROOT, 'packages', 'huskyvoice-core');
const CLI = path.join(PKG, readJsonBin());
const KEY = 'sk_live_cliTestSecret_8d2e51';
const TOKEN = 'cli-hook-token-secret-31';
const QUEUED = Array.from({ length: 40 }, (_, i) => `call_c${i}`);

function readJsonBin() {
  return JSON.parse(readFileSync(path.join(PKG, 'package.json'), 'utf8')).bin.huskyvoice;
}

let sb;
let dir;

before(async () => {
  sb = await startSandbox({
    args: ['--api-key', KEY, '--webhook-token', TOKEN],
    seed: {
      calls: [
        ...QUEUED.map((call_id) => ({ call_id })),
        { call_id: 'call_ringing', status: 'ringing' },
        { call_id: 'call_ended', status: 'completed' },
        { call_id: 'call_ended2', status: 'failed' },
      ],
    },
  });
  dir = mkdtempSync(path.join(tmpdir(), 'hv-cli-'));
});
after(async () => {
  await sb?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await sb.reset();
});

/** The environment without the runner's own HUSKYVOICE_* settings, plus `extra`. */
function envWith(extra) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HUSKYVOICE_')));
  return { ...env, ...extra };
}

function start(args, { env = { HUSKYVOICE_API_KEY: KEY }, input } = {}) {
  const child = spawn(process.execPath, [CLI, ...args], { env: envWith(env), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  if (input !== undefined) child.stdin.end(input);
  else child.stdin.end();
  const done = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

const run = (args, opts) => start(args, opts).done;
const cancel = (...args) => ['cancel', '--base-url', sb.url, '--rpm', '0', ...args];
const jsonLines = (text) => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const noSecrets = (r) => {
  for (const s of [KEY, TOKEN]) assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), `${s} leaked`);
};

describe('huskyvoice cancel', () => {
  it('exit 0 when every call is cancelled; a table on stdout, a summary on stderr', async () => {
    const r = await run(cancel('call_c0', 'call_c1'));
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^CALL ID\s+OUTCOME\s+HTTP\s+ATTEMPTS\s+MESSAGE$/);
    assert.match(lines[1], /^call_c0\s+cancelled\s+200\s+1\s+Call call_c0 is cancelled/);
    assert.match(lines[2], /^call_c1\s+cancelled\s+200\s+1\s/);
    assert.match(r.stderr, /2 calls: 2 cancelled; 2 requests/);
    assert.equal((await sb.getCall('call_c1')).status, 'cancelled');
    noSecrets(r);
  });

  it('exit 1 when some are not cancelled (not cancellable, not found, bad id)', async () => {
    const r = await run(cancel('call_c2', 'call_ringing', 'call_nope', 'bad/id', '--json'));
    assert.equal(r.code, 1, r.stderr);
    const out = jsonLines(r.stdout);
    assert.deepEqual(out.map((o) => [o.callId, o.outcome]), [
      ['call_c2', 'cancelled'],
      ['call_ringing', 'not_cancellable'],
      ['call_nope', 'not_found'],
      ['bad/id', 'invalid_call_id'],
    ]);
    assert.equal((await sb.stats()).requests_total, 3);
  });

  it('--json writes one object per call and line, in input order, with the outcome fields', async () => {
    const ids = QUEUED.slice(3, 13);
    const r = await run(cancel(...ids, '--json', '--concurrency', '4'));
    assert.equal(r.code, 0, r.stderr);
    const out = jsonLines(r.stdout);
    assert.deepEqual(out.map((o) => o.callId), ids);
    for (const o of out) {
      assert.deepEqual(Object.keys(o), ['callId', 'outcome', 'cancelled', 'callStatus', 'message', 'httpStatus', 'via', 'attempts']);
    }
  });

  it('--from FILE reads one id per line, blank lines skipped', async () => {
    const file = path.join(dir, 'ids.txt');
    writeFileSync(file, 'call_c13\n\n  call_c14  \r\n\ncall_c15\n');
    const r = await run(cancel('--from', file, '--json'));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(jsonLines(r.stdout).map((o) => o.callId), ['call_c13', 'call_c14', 'call_c15']);
  });

  it('--from - reads stdin', async () => {
    const r = await run(cancel('--from', '-', '--json'), { env: { HUSKYVOICE_API_KEY: KEY }, input: 'call_c16\ncall_c17\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(jsonLines(r.stdout).map((o) => o.outcome), ['cancelled', 'cancelled']);
  });

  it('--column reads one column of a CSV (quoted fields, empty cells skipped)', async () => {
    const file = path.join(dir, 'calls.csv');
    writeFileSync(file, 'name,Call ID,note\r\n"Doe, Jane",call_c18,x\r\nBob,"call_c19","say ""hi"""\r\nNo id,,\r\n');
    const r = await run(cancel('--from', file, '--column', 'call id', '--json'));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(jsonLines(r.stdout).map((o) => o.callId), ['call_c18', 'call_c19']);
    assert.match(r.stderr, /1 row\(s\) of .* have no call id: skipped/);
    const missing = await run(cancel('--from', file, '--column', 'id'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no column "id"; its header names "name", "Call ID", "note"/);
  });

  it('cancels through the webhook from --webhook or HUSKYVOICE_WEBHOOK', async () => {
    const byFlag = await run(cancel('call_c20', '--webhook', TOKEN, '--json'), { env: {} });
    assert.equal(byFlag.code, 0, byFlag.stderr);
    assert.equal(jsonLines(byFlag.stdout)[0].via, 'webhook');
    const byEnv = await run(cancel('call_c21', '--json'), { env: { HUSKYVOICE_WEBHOOK: `${sb.url}/v1/hooks/${TOKEN}` } });
    assert.equal(byEnv.code, 0, byEnv.stderr);
    assert.deepEqual((await sb.requests()).map((q) => q.path), ['/v1/hooks/(redacted)', '/v1/hooks/(redacted)']);
    noSecrets(byFlag);
    noSecrets(byEnv);
  });

  it('no key and no webhook: exit 2 with a message, nothing sent', async () => {
    const r = await run(cancel('call_c22'), { env: {} });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no credential: set HUSKYVOICE_API_KEY/);
    assert.equal(r.stdout, '');
    assert.equal((await sb.stats()).requests_total, 0);
  });

  it('bad usage exits 2 and sends nothing; a key on the command line is refused unechoed', async () => {
    const cases = [
      [[]],
      [['erase', 'call_c22']],
      [['cancel']],
      [cancel('call_c22', '--bogus')],
      [cancel('call_c22', '--rpm', 'fast')],
      [cancel('call_c22', '--concurrency', '0')],
      [cancel('--column', 'id', 'call_c22')],
      [cancel('--from', path.join(dir, 'missing.txt'))],
      [cancel('call_c22', '--api-key', KEY)],
      [cancel('call_c22', '--base-url', 'http://example.com')],
    ];
    for (const [args] of cases) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^huskyvoice: /);
      noSecrets(r);
    }
    assert.equal((await sb.stats()).requests_total, 0);
    const both = await run(cancel('call_c22'), { env: { HUSKYVOICE_API_KEY: KEY, HUSKYVOICE_WEBHOOK: TOKEN } });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /both HUSKYVOICE_API_KEY and HUSKYVOICE_WEBHOOK/);
  });

  it('--help prints the usage and exits 0', async () => {
    const r = await run(['--help'], { env: {} });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /usage: huskyvoice <schedule\|get\|cancel\|delete>/);
    assert.match(r.stdout, /HUSKYVOICE_API_KEY only/);
  });

  it('--dry-run sends nothing and exits 0 when every id is valid', async () => {
    const r = await run(cancel('call_c23', '--dry-run', '--json'));
    assert.equal(r.code, 0, r.stderr);
    const [o] = jsonLines(r.stdout);
    assert.equal(o.outcome, 'dry_run');
    assert.match(o.request.headers.Authorization, /redacted/);
    assert.equal((await run(cancel('call_c23', 'x/y', '--dry-run'))).code, 1);
    assert.equal((await sb.stats()).requests_total, 0);
    assert.equal((await sb.getCall('call_c23')).status, 'queued');
  });

  it('a wrong key is reported (exit 1) without showing it', async () => {
    const wrong = 'sk_live_wrongCliSecret_1f';
    const r = await run(cancel('call_c24', '--json'), { env: { HUSKYVOICE_API_KEY: wrong } });
    assert.equal(r.code, 1);
    assert.equal(jsonLines(r.stdout)[0].outcome, 'unauthorized');
    assert.ok(!r.stdout.includes(wrong) && !r.stderr.includes(wrong));
  });

  it('Ctrl-C during a paced run stops sending, prints what was done and exits 130', async () => {
    const ids = QUEUED.slice(25, 33);
    // 2 requests per minute: two go at once, the other six would wait minutes.
    const { child, done } = start(['cancel', '--base-url', sb.url, '--rpm', '2', '--json', ...ids]);
    const deadline = Date.now() + 10_000;
    while ((await sb.stats()).requests_total < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 130, r.stderr);
    const out = jsonLines(r.stdout);
    assert.deepEqual(out.map((o) => o.callId), ids);
    assert.deepEqual(out.map((o) => o.outcome), [...Array(2).fill('cancelled'), ...Array(6).fill('not_sent')]);
    assert.match(r.stderr, /8 calls at 2 requests\/min .* take about 3 min/);
    assert.match(r.stderr, /stopped by Ctrl-C\. 8 calls: 6 not_sent, 2 cancelled/);
    assert.equal((await sb.stats()).requests_total, 2);
  });
});

describe('huskyvoice schedule, get, delete', () => {
  const CSV_HEAD = 'agent_id,contact_number,Contact Name,contact_email,additional_info\n';
  const csvFile = (name, text) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const schedule = (...args) => ['schedule', '--base-url', sb.url, '--rpm', '0', ...args];

  it('schedule --from calls.csv makes one call per row; running the same file again makes none, --new-run makes them again', async () => {
    const file = csvFile(
      'calls.csv',
      `${CSV_HEAD}agent_1,+91 98765 43210,Asha,asha@example.com,"{""invoice"":""INV-9""}"\nagent_1,(+91) 91234-56789,Ravi,,\nagent_1,+91 98765 43210,Asha,asha@example.com,"{""invoice"":""INV-9""}"\n`,
    );
    const r = await run(schedule('--from', file, '--json'));
    assert.equal(r.code, 0, r.stderr);
    const out = jsonLines(r.stdout);
    assert.deepEqual(out.map((o) => o.outcome), ['scheduled', 'scheduled', 'scheduled']);
    assert.deepEqual(out.map((o) => o.contactNumber), ['+919876543210', '+919123456789', '+919876543210']);
    assert.equal(new Set(out.map((o) => o.idempotencyKey)).size, 3, 'two identical rows are still two calls');
    assert.deepEqual((await sb.getCall(out[0].callId)).additional_info, { invoice: 'INV-9' });
    assert.equal((await sb.stats()).calls_created, 3);

    const again = await run(schedule('--from', file, '--json'));
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(jsonLines(again.stdout).map((o) => [o.callId, o.replayed]), out.map((o) => [o.callId, true]));
    assert.equal((await sb.stats()).calls_created, 3, 'the same rows again make no new call');
    const fresh = await run(schedule('--from', file, '--new-run', '--json'));
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal((await sb.stats()).calls_created, 6, '--new-run schedules them afresh');
    const runId = /new run (\S+): every row is a new call.*--run-id \1/.exec(fresh.stderr)?.[1];
    assert.ok(runId, fresh.stderr);
    const resumed = await run(schedule('--from', file, '--run-id', runId, '--json'));
    assert.deepEqual(jsonLines(resumed.stdout).map((o) => o.callId), jsonLines(fresh.stdout).map((o) => o.callId), 'resuming the new run finds its calls');
    assert.equal((await sb.stats()).calls_created, 6);
    const both = await run(schedule('--from', file, '--new-run', '--run-id', runId));
    assert.equal(both.code, 2);
    assert.match(both.stderr, /not both/);
    const empty = await run(schedule('--from', file, '--run-id', ' '));
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /--run-id must be non-empty text.*Nothing was sent/);
    const onCancel = await run(['cancel', '--base-url', sb.url, '--new-run', 'call_x']);
    assert.equal(onCancel.code, 2);
    assert.match(onCancel.stderr, /only for schedule/);
  });

  it('schedule: 200 rows under drop-after-accept, run twice: one call per row, the second run makes none', async () => {
    await sb.faults([{ path: '/v1/calls', method: 'POST', drop_after: true, probability: 0.3, seed: 11, times: null }]);
    const rows = Array.from({ length: 200 }, (_, i) => `agent_1,+91 97${String(i).padStart(8, '0')},Row ${i},,`);
    const file = csvFile('two-hundred.csv', `${CSV_HEAD}${rows.join('\n')}\n`);
    const first = await run(schedule('--from', file, '--concurrency', '10', '--json'));
    const firstOut = jsonLines(first.stdout);
    const unconfirmed = firstOut.filter((o) => o.outcome !== 'scheduled').length;
    if (unconfirmed > 0) assert.match(first.stderr, new RegExp(`${unconfirmed} calls? (is|are) not scheduled: fix the rows .* run the same file again: rows HuskyVoice already has`));
    const afterFirst = await sb.stats();
    await sb.faults([]);
    const second = await run(schedule('--from', file, '--concurrency', '10', '--json'));
    assert.equal(second.code, 0, second.stderr);
    const out = jsonLines(second.stdout);
    const stats = await sb.stats();
    assert.equal(afterFirst.calls_created, 200, 'every row reached HuskyVoice in the first run');
    assert.equal(stats.calls_created - afterFirst.calls_created, 0, 'the second run made no new call');
    assert.ok(out.every((o) => o.outcome === 'scheduled' && o.replayed));
    const perRow = out.map((o) => stats.calls_created_by_key[o.idempotencyKey]);
    assert.ok(perRow.every((n) => n === 1), JSON.stringify(perRow));
    process.stderr.write(
      `[cli schedule 200 rows, drop-after-accept 0.3] first run: exit ${first.code}, ${firstOut.filter((o) => o.outcome === 'scheduled').length} scheduled, ` +
        `${afterFirst.requests_total} requests, ${afterFirst.calls_created} calls; second run: ${stats.calls_created - afterFirst.calls_created} new calls, ` +
        `${out.length} replayed; calls per row min ${Math.min(...perRow)} max ${Math.max(...perRow)}\n`,
    );
  });

  it('schedule: a file fixed, trimmed and reordered after a failed run calls no one twice', async () => {
    const rows = Array.from({ length: 6 }, (_, i) => `agent_1,+91 98765 4321${i},Name ${i},,`);
    rows[3] = 'agent_1,+1 415 555 0100,Name 3,,';
    const first = await run(schedule('--from', csvFile('run1.csv', `${CSV_HEAD}${rows.join('\n')}\n`), '--json'));
    assert.equal(first.code, 1, first.stderr);
    assert.equal((await sb.stats()).calls_created, 5);
    // The user fixes row 4, drops the first row, writes the numbers without spaces and sorts
    // the rows the other way.
    rows[3] = 'agent_1,+91 98765 43213,Name 3,,';
    const fixed = rows.slice(1).map((r) => r.replace('+91 98765 ', '+9198765')).reverse();
    const second = await run(schedule('--from', csvFile('run2.csv', `${CSV_HEAD}${fixed.join('\n')}\n`), '--json'));
    assert.equal(second.code, 0, second.stderr);
    const out = jsonLines(second.stdout);
    assert.deepEqual(out.map((o) => o.replayed), [true, true, false, true, true]);
    const stats = await sb.stats();
    assert.equal(stats.calls_created, 6, 'only the fixed row is a new call');
    assert.ok(Object.values(stats.calls_created_by_key).every((n) => n === 1));
  });

  it('schedule: columns that are not fields of a call go into additional_info', async () => {
    const file = csvFile('extra.csv', 'agent_id,contact_number,Invoice ID,amount_due\nagent_1,+919876543210,INV-7,1200\nagent_1,+919876543211,,300\n');
    const r = await run(schedule('--from', file, '--json'));
    assert.equal(r.code, 0, r.stderr);
    const [a, b] = jsonLines(r.stdout);
    assert.deepEqual((await sb.getCall(a.callId)).additional_info, { 'Invoice ID': 'INV-7', amount_due: '1200' });
    assert.deepEqual((await sb.getCall(b.callId)).additional_info, { amount_due: '300' });
    const mixed = await run(schedule('--from', csvFile('mixed.csv', 'agent_id,contact_number,additional_info,notes\na,+919876543210,{},x\n')));
    assert.equal(mixed.code, 2);
    assert.match(mixed.stderr, /additional_info column and the custom column\(s\) "notes".*not both/);
    assert.equal((await sb.stats()).calls_created, 2);
  });

  it('schedule: invalid rows are reported (exit 1) and not sent; a table it cannot read exits 2', async () => {
    const file = csvFile('bad.csv', `${CSV_HEAD}agent_1,+1 415 555 0100,,,\n,+919876543210,,,\nagent_1,+919876543211,,,\n`);
    const r = await run(schedule('--from', file));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /\(none\)\s+invalid_input\s+-\s+0\s+.*\+91/);
    assert.match(r.stderr, /3 calls: 2 invalid_input, 1 scheduled; 1 request/);
    assert.equal((await sb.stats()).requests_total, 1);
    const twice = await run(schedule('--from', csvFile('twice.csv', 'agent_id,contact_number,Contact Number\na,+919876543210,x\n')));
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /the column "contact_number" twice/);
    const positional = await run(['schedule', 'call_x']);
    assert.equal(positional.code, 2);
    assert.match(positional.stderr, /--from calls\.csv/);
    assert.equal((await sb.stats()).requests_total, 1);
  });

  it('schedule --from - reads the CSV from stdin, through the webhook too', async () => {
    const r = await run(schedule('--from', '-', '--json', '--webhook', TOKEN), { env: {}, input: 'agent_id,contact_number\nagent_2,+918765432109\n' });
    assert.equal(r.code, 0, r.stderr);
    const [o] = jsonLines(r.stdout);
    assert.equal(o.via, 'webhook');
    assert.equal((await sb.getCall(o.callId)).agent_id, 'agent_2');
    noSecrets(r);
  });

  it('get shows each call\'s status (exit 1 when one is not found); the webhook cannot get', async () => {
    const r = await run(['get', '--base-url', sb.url, 'call_c30', 'call_ended', 'call_nope', '--json']);
    assert.equal(r.code, 1, r.stderr);
    const out = jsonLines(r.stdout);
    assert.deepEqual(out.map((o) => [o.outcome, o.callStatus]), [['found', 'queued'], ['found', 'completed'], ['not_found', null]]);
    assert.equal(out[0].call.call_id, 'call_c30');
    const table = await run(['get', '--base-url', sb.url, 'call_ended']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /call_ended\s+found\s+200\s+1\s/);
    const hook = await run(['get', '--base-url', sb.url, '--webhook', TOKEN, 'call_ended'], { env: {} });
    assert.equal(hook.code, 2);
    assert.match(hook.stderr, /API key/);
    noSecrets(hook);
  });

  it('delete --yes erases ended calls; one not ended is exit 1 with its state', async () => {
    const r = await run(['delete', '--base-url', sb.url, 'call_ended', 'call_c31', '--yes', '--json']);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(jsonLines(r.stdout).map((o) => [o.outcome, o.callStatus]), [['deleted', null], ['not_ended', 'queued']]);
    assert.equal(await sb.getCall('call_ended'), null);
    assert.equal((await sb.getCall('call_c31')).status, 'queued');
    const repeat = await run(['delete', '--base-url', sb.url, 'call_ended', '-y', '--json']);
    assert.equal(jsonLines(repeat.stdout)[0].outcome, 'not_found');
    noSecrets(r);
  });

  it('delete without --yes and without a terminal (a script, a pipe, --from -) refuses: exit 2, nothing sent', async () => {
    const piped = await run(['delete', '--base-url', sb.url, 'call_ended', 'call_ended2']);
    assert.equal(piped.code, 2, piped.stderr);
    assert.match(piped.stderr, /erases the data of 2 calls \(transcript, recording metadata, contact details\) for good, and standard input is not a terminal to ask on\. Add --yes to confirm\. Nothing was sent\./);
    assert.equal(piped.stdout, '');
    const fromStdin = await run(['delete', '--base-url', sb.url, '--from', '-'], { input: 'call_ended\n' });
    assert.equal(fromStdin.code, 2, fromStdin.stderr);
    assert.match(fromStdin.stderr, /Add --yes to confirm/);
    // A yes piped in is not a confirmation: only --yes is, where nobody can be asked.
    const yesPiped = await run(['delete', '--base-url', sb.url, 'call_ended'], { input: 'yes\n' });
    assert.equal(yesPiped.code, 2, yesPiped.stderr);
    assert.equal((await sb.stats()).requests_total, 0);
    assert.equal((await sb.getCall('call_ended')).status, 'completed');
    // A dry run sends nothing, so it needs no confirmation.
    const dry = await run(['delete', '--base-url', sb.url, 'call_ended', '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    const [shown] = jsonLines(dry.stdout);
    assert.equal(shown.outcome, 'dry_run');
    // The request it would send: the key as Bearer and as x-api-key, both redacted.
    assert.deepEqual([shown.request.method, shown.request.headers.Authorization, shown.request.headers['x-api-key']], ['DELETE', 'Bearer sk_live_…(redacted)', 'sk_live_…(redacted)']);
    const withIds = await run(['delete', '--base-url', sb.url, '--from', '-', '--yes', '--json'], { input: 'call_ended\n' });
    assert.equal(withIds.code, 0, withIds.stderr);
    assert.equal(jsonLines(withIds.stdout)[0].outcome, 'deleted');
    assert.equal((await sb.stats()).requests_total, 1);
    for (const r of [piped, fromStdin, yesPiped, dry, withIds]) noSecrets(r);
  });

  it('delete on a terminal asks; only yes deletes, anything else sends nothing (exit 2)', { skip: spawnSync('script', ['--version']).status !== 0 && 'needs script(1) for a terminal' }, async () => {
    // script(1) gives the CLI a terminal as stdin, as a person typing the command has; what we
    // write to script's stdin is what that person types.
    const line = (extra) => [process.execPath, CLI, 'delete', '--base-url', sb.url, 'call_ended2', ...extra].map((a) => `'${a}'`).join(' ');
    const inTerminal = (extra, typed) =>
      new Promise((resolve) => {
        const child = spawn('script', ['-qec', line(extra), '/dev/null'], { env: envWith({ HUSKYVOICE_API_KEY: KEY }), stdio: ['pipe', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d) => {
          out += d;
          // Type only once the question is on the screen, as a person does.
          if (typed !== undefined && out.includes('Type yes to delete: ')) {
            child.stdin.write(typed);
            typed = undefined;
          }
        });
        // A prompt that never came must fail the test, not hang it.
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, out });
        });
      });
    const refused = await inTerminal([], 'no\r');
    assert.equal(refused.code, 2, refused.out);
    assert.match(refused.out, /erase the data of 1 call \(transcript, recording metadata, contact details\) for good\? This cannot be undone\. Type yes to delete:/);
    assert.match(refused.out, /not confirmed \(type yes, or y, to delete\)\. Nothing was sent\./);
    assert.equal((await sb.stats()).requests_total, 0);
    assert.equal((await sb.getCall('call_ended2')).status, 'failed');

    const confirmed = await inTerminal([], 'yes\r');
    assert.equal(confirmed.code, 0, confirmed.out);
    assert.match(confirmed.out, /1 call: 1 deleted; 1 request/);
    assert.equal(await sb.getCall('call_ended2'), null);

    await sb.reset();
    const flagged = await inTerminal(['--yes']);
    assert.equal(flagged.code, 0, flagged.out);
    assert.doesNotMatch(flagged.out, /Type yes/, '--yes asks nothing');
    assert.equal(await sb.getCall('call_ended2'), null);
    for (const r of [refused, confirmed, flagged]) assert.ok(!r.out.includes(KEY), 'the key leaked');
  });
});
