// The main job: real n8n cancelling and scheduling calls on the local HuskyVoice sandbox, no
// account needed.
//   npm run demo            run the example workflows and print what happened: cancel calls in
//                           every state; schedule payment reminders twice (the second run calls
//                           no one); pay one invoice through the reminders' webhook (its call stops);
//                           the calls that go ahead end, and their signed events start "React to
//                           finished calls" once each
//   npm run demo -- --ui    the same, then leave n8n's editor and the sandbox running
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox, DEMO_API_KEY } from '../tests/helpers/sandbox.mjs';
import {
  ensureN8n, createInstance, importCredentials, importWorkflow, execute, nodeItems, n8nCommand, startServer, waitForWebhook, cleanup,
  settledExecutions, executionItems,
} from '../tests/e2e/lib/n8n.mjs';
import { buildAndPackNode } from '../tests/e2e/lib/pack.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const ui = process.argv.includes('--ui');
const t0 = performance.now();
const say = (msg) => console.log(`[demo ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}`);
const readJson = (p) => JSON.parse(readFileSync(path.join(root, p), 'utf8'));

// What the seed implies for each call: the demo fails if n8n reports anything else.
const EXPECTED = {
  queued: 'cancelled', cancelled: 'cancelled', initiated: 'not_cancellable', ringing: 'not_cancellable',
  in_progress: 'not_cancellable', completed: 'not_cancellable', failed: 'not_cancellable', unknown: 'not_found',
};

async function step(label, fn, hint) {
  say(`${label}...`);
  try {
    return await fn();
  } catch (e) {
    console.error(`\n[demo] FAILED at: ${label}\n${e.message}\nWhat to do: ${hint}`);
    process.exit(1);
  }
}

const seed = readJson('examples/sandbox-seed.json');
/** The signing secret the sandbox signs its call events with, and the trigger's credential holds. */
const EVENTS_SECRET = 'whsec_demo_sandbox_events';
// HuskyVoice's documented limit: 60 requests per sliding minute per API key. The sandbox
// enforces it, and the node keeps to it by itself (its Requests per Minute option, default 60).
const LIMIT = '60/60s';
const sandbox = await step(`starting the HuskyVoice sandbox with calls in every state, at the documented limit (${LIMIT} per key)`,
  () => startSandbox({ seed: path.join(root, 'examples/sandbox-seed.json'), args: ['--rate-limit', LIMIT] }),
  'build it with `cargo build --release -p huskyvoice-sandbox` and read the error above.');
say(`sandbox listening on ${sandbox.url}`);
const n8n = await step('getting n8n 2.41.1 (installed once into a cache outside the repo; first time takes ~5 min)',
  () => ensureN8n({ onProgress: (m) => say(`  n8n: ${m}`) }),
  'check the npm registry is reachable; re-running resumes the install.');
const packed = await step('building and packing the n8n-nodes-huskyvoice node',
  () => buildAndPackNode({ onProgress: (m) => say(`  ${m}`) }),
  'run `bash scripts/setup.sh` first, then `npm run build`.');
if (packed.skipped) {
  console.error(`[demo] ${packed.skipped}`);
  process.exit(1);
}
const inst = await step('creating a fresh n8n user folder and installing the node as a community package',
  () => createInstance(n8n, { packages: [packed.tarball] }), 'see the npm output above.');

const credentials = [
  { id: 'hvExampleApi', name: 'HuskyVoice API', type: 'huskyVoiceApi', data: { apiKey: DEMO_API_KEY, baseUrl: sandbox.url } },
  { id: 'hvExampleHook', name: 'HuskyVoice Inbound Webhook', type: 'huskyVoiceWebhookApi', data: { webhook: `${sandbox.url}/v1/hooks/sandbox-token` } },
  { id: 'hvExampleEvents', name: 'HuskyVoice Outbound Webhook', type: 'huskyVoiceOutboundWebhookApi', data: { secret: EVENTS_SECRET } },
];
const workflows = ['01-cancel-queued-calls', '02-crm-webhook-cancel', '03-route-by-outcome', '04-payment-reminders-auto-stop', '05-react-to-finished-calls']
  .map((n) => readJson(`examples/${n}.json`));
await step('importing the sandbox credentials and the example workflows', async () => {
  await importCredentials(inst, credentials);
  await importWorkflow(inst, workflows);
}, 'see the n8n output above.');

const stateBefore = new Map(seed.calls.map((c) => [c.call_id, c.status]));
const result = await step('running "Cancel queued calls" headless (n8n execute)', () => execute(inst, workflows[0].id),
  'see n8n\'s output above.');
const items = nodeItems(result, 'Cancel Call').map((i) => i.json);
const rows = items.map((j) => {
  const before = stateBefore.get(j.callId) ?? 'unknown';
  const outcome = j.outcome ?? 'error';
  return { callId: j.callId ?? '?', before, outcome, ok: EXPECTED[before] === outcome, message: j.message ?? j.error ?? '' };
});
const width = (k, min) => Math.max(min, ...rows.map((r) => String(r[k]).length));
const [w1, w2, w3] = [width('callId', 7), width('before', 12), width('outcome', 7)];
console.log(`\nHuskyVoice sandbox at the documented rate limit, ${LIMIT.replace('/', ' requests per ')} per API key; the node paces itself to it.`);
console.log(`${'call id'.padEnd(w1)}  ${'state before'.padEnd(w2)}  ${'outcome'.padEnd(w3)}  message`);
console.log(`${'-'.repeat(w1)}  ${'-'.repeat(w2)}  ${'-'.repeat(w3)}  ${'-'.repeat(40)}`);
for (const r of rows) console.log(`${r.callId.padEnd(w1)}  ${r.before.padEnd(w2)}  ${(r.ok ? r.outcome : `${r.outcome} (!)`).padEnd(w3)}  ${r.message}`);
const sent = (await sandbox.requests()).filter((r) => r.path.endsWith('/cancel')).length;
const { rate_limited_total: refused } = await sandbox.stats();
const mismatches = rows.filter((r) => !r.ok).length + (rows.length === seed.calls.length + 1 ? 0 : 1);
console.log(`\n${rows.length} calls, ${sent} cancel requests sent, ${refused} refused by the rate limit, ${mismatches ? `${mismatches} unexpected outcome(s)` : 'every outcome as the seed implies'}; ${((performance.now() - t0) / 1000).toFixed(1)} s in all.`);

// Payment reminders: one call per unpaid invoice, its Idempotency-Key from the invoice, so the
// second run calls no one; then the payment webhook stops the first invoice's call.
const reminders = await step('running "Payment reminders with auto-stop" (its schedule part) headless', () => execute(inst, workflows[3].id),
  'see n8n\'s output above.');
const scheduled = nodeItems(reminders, 'Schedule reminder call').map((i) => i.json);
console.log(`\n${'invoice'.padEnd(9)}  ${'number'.padEnd(13)}  ${'outcome'.padEnd(9)}  ${'call id'.padEnd(24)}  idempotency key`);
for (const j of scheduled) console.log(`${String(j.invoice).padEnd(9)}  ${String(j.contactNumber).padEnd(13)}  ${String(j.outcome).padEnd(9)}  ${String(j.callId ?? j.message).padEnd(24)}  ${j.idempotencyKey}`);
const created = (await sandbox.stats()).calls_created;
console.log(`${scheduled.length} reminder calls scheduled, ${created} created on the sandbox${created === 3 ? '' : ' (!)'}.`);
const rerun = await step('running it again (tomorrow\'s run, or a re-run after a failure)', () => execute(inst, workflows[3].id),
  'see n8n\'s output above.');
const again = nodeItems(rerun, 'Schedule reminder call').map((i) => i.json);
const createdAgain = (await sandbox.stats()).calls_created - created;
const sameCalls = again.length === 3 && again.every((j, i) => j.replayed && j.callId === scheduled[i]?.callId);
console.log(`second run: ${createdAgain} new calls${createdAgain === 0 ? '' : ' (!)'}; HuskyVoice answered ${again.filter((j) => j.replayed).length} from their keys with the same call ids${sameCalls ? '' : ' (!)'}.`);

await step('publishing "Payment reminders with auto-stop" and "React to finished calls" so their webhooks listen', async () => {
  for (const wf of [workflows[3], workflows[4]]) {
    const res = await n8nCommand(inst, ['publish:workflow', `--id=${wf.id}`]);
    if (res.code !== 0) throw new Error(res.stderr + res.stdout);
  }
}, 'see the n8n output above.');
const server = await step('starting n8n (server mode, loopback only)', () => startServer(inst),
  'see the server log printed above.');
const payUrl = `${server.url}/webhook/huskyvoice-payment-received`;
const paid = scheduled[0];
const answer = await step(`the payment for ${paid?.invoice} arrives: POST ${payUrl}`, async () => {
  await waitForWebhook(server.url, 'huskyvoice-payment-received');
  const res = await fetch(payUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ call_id: paid?.callId }) });
  if (res.status !== 200) throw new Error(`n8n answered ${res.status}: ${await res.text()}`);
  return res.json();
}, 'see the server log printed above.');
const states = await Promise.all(scheduled.map(async (j) => [j.invoice, (await sandbox.getCall(j.callId))?.status]));
console.log(`the webhook answered ${JSON.stringify(answer)}`);
console.log(`calls on the sandbox now: ${states.map(([inv, st]) => `${inv} ${st}`).join(', ')}`);
const stopped = answer.outcome === 'cancelled' && states.map(([, st]) => st).join() === 'cancelled,queued,queued';
const remindersOk = scheduled.length === 3 && scheduled.every((j) => j.scheduled) && created === 3 && createdAgain === 0 && sameCalls && stopped;
console.log(remindersOk
  ? 'payment reminders: 3 calls, none on the second run, the paid invoice\'s call stopped while queued: as expected.'
  : 'payment reminders: something differed from what is expected (marked (!) above).');

// React to finished calls: the sandbox sends each call's events, signed, to the trigger's
// production URL; the trigger starts the workflow for completed, failed and disallowed calls.
const trigger = workflows[4].nodes.find((n) => n.type === 'n8n-nodes-huskyvoice.huskyVoiceTrigger');
const eventsUrl = `${server.url}/webhook/${trigger.webhookId}/webhook`;
await step(`pointing the sandbox's call events at the trigger's Production URL (in HuskyVoice: Integrations › Outbound Webhooks) ${eventsUrl}`, async () => {
  await waitForWebhook(server.url, `${trigger.webhookId}/webhook`);
  await sandbox.config({ events_url: eventsUrl, events_secret: EVENTS_SECRET });
}, 'see the server log printed above.');
const events = await step('the calls still going ahead are dialled, answered and end (the sandbox moves them along)', async () => {
  for (let i = 0; i < 4; i++) await sandbox.advance();
  return sandbox.eventsSettled();
}, 'see the server log printed above.');
const finishedEvents = events.filter((e) => ['call.completed', 'call.failed', 'call.disallowed'].includes(e.event_type));
const reactions = await step('reading the executions of "React to finished calls"', async () => {
  const runs = await settledExecutions(server, workflows[4].id);
  return Promise.all(runs.map(async (r) => (await executionItems(server, r.id))['Follow-up record'][0]));
}, 'see the server log printed above.');
console.log(`\n${'call id'.padEnd(24)}  ${'event'.padEnd(15)}  ${'seconds'.padStart(7)}  summary / reason`);
for (const j of reactions) console.log(`${String(j.call_id).padEnd(24)}  ${String(j.event).padEnd(15)}  ${String(j.duration_seconds ?? '').padStart(7)}  ${j.summary || j.reason}`);
const reactedOnce = reactions.length === finishedEvents.length
  && finishedEvents.every((e) => reactions.filter((j) => j.event_id === e.event_id).length === 1);
const unpaidFinished = scheduled.slice(1).every((j) => reactions.some((r) => r.call_id === j.callId && r.event === 'call.completed'));
const eventsRefused = events.filter((e) => e.last_status !== 200).length;
console.log(`${events.length} signed events sent (${events.length - finishedEvents.length} of them dialling or answered: acknowledged, nothing started), ${eventsRefused} refused; ${reactions.length} executions for ${finishedEvents.length} finished calls${reactedOnce ? ', one each' : ' (!)'}; the two unpaid invoices' reminder calls among them${unpaidFinished ? '' : ' (!)'}.`);
const eventsOk = reactedOnce && unpaidFinished && eventsRefused === 0;
const failedChecks = mismatches + (remindersOk ? 0 : 1) + (eventsOk ? 0 : 1);

if (!ui) {
  await server.stop();
  await cleanup(inst);
  await sandbox.stop();
  process.exit(failedChecks ? 1 : 0);
}

console.log(`\nn8n editor:  ${server.url}/workflow/${workflows[3].id} (payment reminders; the other examples under Overview)`);
console.log(`login:       ${server.owner.email} / ${server.owner.password}`);
console.log(`sandbox:     ${sandbox.url} (API key ${DEMO_API_KEY}; state at ${sandbox.url}/__sandbox/calls/demo_queued_1)`);
console.log(`call events: curl -X POST ${sandbox.url}/__sandbox/calls -H 'Content-Type: application/json' -d '{"calls": [{"call_id": "demo_more_1"}, {"call_id": "demo_more_1", "status": "failed"}]}'`);
console.log('             (a call that fails: the sandbox sends call.failed, signed, and "React to finished calls" runs once)');
console.log(`payment:     curl -X POST ${payUrl} -H 'Content-Type: application/json' -d '{"call_id": "${scheduled[1]?.callId ?? 'call_…'}"}'`);
console.log(`             (the payment for ${scheduled[1]?.invoice ?? 'the second invoice'} arrived: its reminder call is cancelled while still queued)`);
console.log('Open the workflow and press "Execute workflow". Ctrl-C stops n8n and the sandbox.');
const shutdown = async () => {
  say('stopping n8n and the sandbox');
  await server.stop();
  await sandbox.stop();
  await cleanup(inst);
  process.exit(0);
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
