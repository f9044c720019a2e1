// The whole call lifecycle in real n8n 2.41.1 (issue 17): Schedule → Get (queued) → Cancel → Get
// (cancelled); Schedule while the sandbox drops create answers after accepting them (each item
// makes exactly one call); n8n's "retry execution" of a failed schedule makes none; a workflow run
// twice with a key from the item's data makes its calls once (derived keys: twice); Delete of an
// ended call (then Get finds nothing), of a queued one (409) and a repeat (404), with the API key
// and through the inbound webhook; an invalid call id or phone number sends nothing.
// The workflows are built here (one linear chain each) against a sandbox of this file's own.

import assert from 'node:assert/strict';
import { after, describe } from 'node:test';
import {
  leakedSecrets, log, n8nlib, SANDBOX_ARGS, SECRETS, show, teardownSuite, withOwnSandbox,
} from './lib/fixture.mjs';
import { nodeOutput } from './lib/n8n.mjs';

after(teardownSuite);

const CREDENTIAL = { huskyVoiceApi: { id: 'e2eHvApiLife', name: 'HuskyVoice lifecycle sandbox (API key)' } };
const HOOK_CREDENTIAL = { huskyVoiceWebhookApi: { id: 'e2eHvHookLife', name: 'HuskyVoice lifecycle sandbox (inbound webhook)' } };
const HV = 'n8n-nodes-huskyvoice.huskyVoice';
const DROP_ITEMS = 200;

/** Four hex digits per workflow, so node ids differ between workflows. */
const tag = (id) => ([...id].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7) % 65536).toString(16).padStart(4, '0');

/** A workflow: Start → Code (returns `items`) → the given nodes, in a line. */
function chain(id, items, nodes) {
  const all = [
    { name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
    { name: 'Items', type: 'n8n-nodes-base.code', typeVersion: 2, parameters: { jsCode: `return ${JSON.stringify(items)}.map((json) => ({ json }));` } },
    ...nodes,
  ].map((n, i) => ({
    id: `e2e00017-${tag(id)}-4000-8000-${String(i).padStart(12, '0')}`,
    position: [i * 220, 0],
    ...n,
    ...(n.type === HV && !n.credentials ? { credentials: CREDENTIAL } : {}),
  }));
  const connections = {};
  for (let i = 0; i + 1 < all.length; i++) {
    connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
  }
  return { id, name: `e2e: ${id}`, nodes: all, connections, settings: { executionOrder: 'v1' }, active: false, pinData: {} };
}

const hv = (name, operation, parameters = {}, extra = {}) => ({
  name,
  type: HV,
  typeVersion: 1,
  parameters: { authentication: 'apiKey', resource: 'call', operation, options: {}, ...parameters },
  ...extra,
});
const schedule = (name, options = {}) =>
  hv(name, 'schedule', { agentId: 'agt_e2e', contactNumber: '={{ $json.phone }}', additionalFields: {}, options });
const byId = { callId: '={{ $json.callId }}' };
/**
 * Delete (an ended call and a queued one) → only the deleted → Get (API key: the webhook cannot
 * read) → Delete again; Delete through the given credential.
 */
function deleteChain(id, authentication) {
  const extra = authentication === 'webhook' ? { credentials: HOOK_CREDENTIAL } : {};
  const del = (name) => hv(name, 'delete', { ...byId, authentication }, extra);
  return chain(id, [{ callId: 'e2e_del_done' }, { callId: 'e2e_del_queued' }], [
    del('Delete'),
    { name: 'Deleted only', type: 'n8n-nodes-base.code', typeVersion: 2, parameters: { jsCode: 'return $input.all().filter((i) => i.json.deleted);' } },
    hv('Get (deleted)', 'get', byId),
    del('Delete again'),
  ]);
}
const phone = (i) => `+91 97${String(i).padStart(4, '0')} ${String(i).padStart(4, '0')}`;
const people = (n, from = 0) => Array.from({ length: n }, (_, i) => ({ phone: phone(from + i) }));
const invoices = (n, from) => people(n, from).map((p, i) => ({ ...p, invoice: `INV-${from + i}`, amount_due: 100 + i / 2 }));
const OWN_KEY_ITEMS = 60;

const WORKFLOWS = [
  chain('e2eLifeFlow', people(2), [
    schedule('Schedule', { requestsPerMinute: 0 }),
    hv('Get (queued)', 'get', byId),
    hv('Cancel', 'cancel', byId),
    hv('Get (cancelled)', 'get', byId),
  ]),
  chain('e2eLifeGet', [{ callId: 'e2e_get_queued' }], [
    hv('Get (queued)', 'get', byId),
    hv('Cancel', 'cancel', byId),
    hv('Get (cancelled)', 'get', byId),
  ]),
  chain('e2eLifeGetMissing', [{ callId: 'e2e_get_missing' }, { callId: ' e2e_get_queued ' }], [hv('Get', 'get', byId)]),
  chain('e2eLifeGetInvalid', [{ callId: 'e2e_get_queued' }, { callId: 'call/../x' }], [hv('Get', 'get', byId)]),
  chain('e2eLifeDrop', people(DROP_ITEMS, 100), [
    schedule('Schedule (answers dropped)', { requestsPerMinute: 0, concurrency: 10, maxAttempts: 10, maxTotalWaitSeconds: 120 }),
  ]),
  chain('e2eLifeRetry', people(40, 1000), [schedule('Schedule (fails)', { requestsPerMinute: 0, maxAttempts: 1 })]),
  chain('e2eLifeOwnKey', invoices(OWN_KEY_ITEMS, 3000), [hv('Schedule (key from the invoice)', 'schedule', {
    authentication: 'webhook',
    agentId: 'agt_e2e',
    contactNumber: '={{ $json.phone }}',
    additionalFields: {
      idempotencyKey: '=reminder-{{ $json.invoice }}',
      additionalInfoFields: { field: [{ name: 'invoice', value: '={{ $json.invoice }}' }, { name: 'amount_due', value: '={{ $json.amount_due }}' }] },
    },
    options: { requestsPerMinute: 0, concurrency: 10, maxAttempts: 10, maxTotalWaitSeconds: 120 },
  }, { credentials: HOOK_CREDENTIAL })]),
  chain('e2eLifeDerivedKey', people(10, 4000), [schedule('Schedule (derived keys)', { requestsPerMinute: 0 })]),
  deleteChain('e2eLifeDelete', 'apiKey'),
  deleteChain('e2eLifeDeleteHook', 'webhook'),
  chain('e2eLifeDeleteInvalid', [{ callId: 'e2e_del_done' }, { callId: 'call/../x' }], [hv('Delete', 'delete', byId)]),
  chain('e2eLifeInvalid', [{ phone: '+91 98765 43210' }, { phone: '98765 4321' }], [schedule('Schedule (bad number)')]),
];

describe('the call lifecycle in n8n 2.41.1 (Schedule, Get, Cancel, Delete)', () => {
  let ctx;
  let sb;
  const it = withOwnSandbox({
    args: SANDBOX_ARGS,
    prepare: async (c, s) => {
      [ctx, sb] = [c, s];
      const credentials = [{
        id: CREDENTIAL.huskyVoiceApi.id,
        name: CREDENTIAL.huskyVoiceApi.name,
        type: 'huskyVoiceApi',
        data: { apiKey: SECRETS.API_KEY, baseUrl: sb.url.replace(/\/$/, '') },
      }, {
        id: HOOK_CREDENTIAL.huskyVoiceWebhookApi.id,
        name: HOOK_CREDENTIAL.huskyVoiceWebhookApi.name,
        type: 'huskyVoiceWebhookApi',
        data: { webhook: `${sb.url.replace(/\/$/, '')}/v1/hooks/${SECRETS.WEBHOOK_TOKEN}`, baseUrl: '' },
      }];
      await n8nlib.importCredentials(ctx.inst, credentials);
      await n8nlib.importWorkflow(ctx.inst, WORKFLOWS);
      for (const wf of WORKFLOWS) ctx.workflows[wf.id] = wf;
    },
  });
  const run = (id, prepare) => ctx.execute(id, { sandbox: sb, prepare: async () => { await sb.reset(); await prepare?.(); } });

  it('Schedule → Get (queued) → Cancel → Get (cancelled), one call per item', async () => {
    const res = await run('e2eLifeFlow');
    assert.equal(res.status, 'success', res.stdout.slice(-3000));
    const scheduled = nodeOutput(res, 'Schedule');
    assert.deepEqual(scheduled.map((j) => [j.outcome, j.scheduled, j.callStatus]), [['scheduled', true, 'queued'], ['scheduled', true, 'queued']], show(scheduled));
    assert.deepEqual(nodeOutput(res, 'Get (queued)').map((j) => [j.outcome, j.found, j.callStatus, j.call.contact_number]),
      [0, 1].map((i) => ['found', true, 'queued', phone(i).replace(/ /g, '')]));
    assert.deepEqual(nodeOutput(res, 'Cancel').map((j) => [j.outcome, j.cancelled]), [['cancelled', true], ['cancelled', true]]);
    assert.deepEqual(nodeOutput(res, 'Get (cancelled)').map((j) => [j.callId, j.callStatus]), scheduled.map((j) => [j.callId, 'cancelled']));
    assert.equal((await sb.stats()).calls_created, 2);
    assert.deepEqual(leakedSecrets(res.stdout + res.stderr), []);
  });

  it('Get (queued) → Cancel → Get (cancelled) on an existing call; an unknown id is not_found, not a failure', async (t) => {
    const res = await run('e2eLifeGet', () => sb.addCalls([{ call_id: 'e2e_get_queued', status: 'queued' }]));
    assert.equal(res.status, 'success', res.stdout.slice(-3000));
    const pick = (node) => nodeOutput(res, node).map((j) => ({ callId: j.callId, outcome: j.outcome, callStatus: j.callStatus, httpStatus: j.httpStatus }));
    const steps = { 'Get (queued)': pick('Get (queued)'), Cancel: pick('Cancel'), 'Get (cancelled)': pick('Get (cancelled)') };
    assert.deepEqual(steps, {
      'Get (queued)': [{ callId: 'e2e_get_queued', outcome: 'found', callStatus: 'queued', httpStatus: 200 }],
      Cancel: [{ callId: 'e2e_get_queued', outcome: 'cancelled', callStatus: 'cancelled', httpStatus: 200 }],
      'Get (cancelled)': [{ callId: 'e2e_get_queued', outcome: 'found', callStatus: 'cancelled', httpStatus: 200 }],
    });
    const [got] = nodeOutput(res, 'Get (queued)');
    assert.deepEqual(Object.keys(got).slice(0, 4), ['callId', 'outcome', 'found', 'call']);
    assert.equal(got.call.call_id, 'e2e_get_queued');
    assert.equal(got.call.status, 'queued');
    assert.deepEqual(res.requests.map((r) => `${r.method} ${r.path}`), [
      'GET /v1/calls/e2e_get_queued', 'POST /v1/calls/e2e_get_queued/cancel', 'GET /v1/calls/e2e_get_queued',
    ]);

    const missing = await run('e2eLifeGetMissing', () => sb.addCalls([{ call_id: 'e2e_get_queued', status: 'queued' }]));
    assert.equal(missing.status, 'success', missing.stdout.slice(-3000));
    const out = nodeOutput(missing, 'Get').map((j) => ({ callId: j.callId, outcome: j.outcome, found: j.found, callStatus: j.callStatus, httpStatus: j.httpStatus, call: j.call && { call_id: j.call.call_id, status: j.call.status } }));
    assert.deepEqual(out, [
      { callId: 'e2e_get_missing', outcome: 'not_found', found: false, callStatus: null, httpStatus: 404, call: null },
      { callId: 'e2e_get_queued', outcome: 'found', found: true, callStatus: 'queued', httpStatus: 200, call: { call_id: 'e2e_get_queued', status: 'queued' } },
    ]);
    assert.deepEqual(leakedSecrets(res.stdout + res.stderr + missing.stdout + missing.stderr), []);
    const line = `get e2e: ${JSON.stringify(steps)} then ${JSON.stringify(out)}`;
    t.diagnostic(line);
    log(line);
  });

  it('Get with an invalid call id fails the execution naming the item, and sends nothing', async (t) => {
    const res = await run('e2eLifeGetInvalid', () => sb.addCalls([{ call_id: 'e2e_get_queued', status: 'queued' }]));
    assert.equal(res.status, 'error');
    assert.match(res.stdout + res.stderr, /item 2/);
    assert.equal(res.requests.length, 0, 'no request reached the sandbox, not even for the valid item');
    t.diagnostic('get with an invalid id: 0 requests sent');
    log('get with an invalid id: 0 requests sent');
  });

  it(`answers dropped after the create (about 30 %): each of ${DROP_ITEMS} items makes exactly one call`, async (t) => {
    const res = await run('e2eLifeDrop', () =>
      sb.faults([{ path: '/v1/calls', method: 'POST', drop_after: true, probability: 0.3, seed: 17, times: null }]));
    await sb.faults([]);
    assert.equal(res.status, 'success', res.stdout.slice(-3000));
    const out = nodeOutput(res, 'Schedule (answers dropped)');
    assert.equal(out.length, DROP_ITEMS);
    assert.deepEqual(out.filter((j) => !j.scheduled).map((j) => [j.outcome, j.message]), []);
    const stats = await sb.stats();
    const perKey = Object.values(stats.calls_created_by_key);
    assert.equal(stats.calls_created, DROP_ITEMS);
    assert.equal(perKey.length, DROP_ITEMS);
    assert.ok(perKey.every((n) => n === 1), `calls per key: ${JSON.stringify(stats.calls_created_by_key).slice(0, 400)}`);
    const retried = out.filter((j) => j.attempts > 1);
    assert.ok(retried.length > DROP_ITEMS / 10, `${retried.length} items were retried`);
    assert.ok(retried.every((j) => j.replayed), 'a retried create is answered from its key');
    const line = `drop-after-accept: ${DROP_ITEMS} items, ${res.requests.length} requests, ${retried.length} retried, calls per item min ${Math.min(...perKey)} max ${Math.max(...perKey)}, ${stats.idempotent_replays} replays`;
    t.diagnostic(line);
    log(line);
  });

  it('n8n "retry execution" of a failed schedule creates no second call', async (t) => {
    const failed = await run('e2eLifeRetry', () =>
      sb.faults([{ path: '/v1/calls', method: 'POST', drop_after: true, probability: 0.5, seed: 5, times: null }]));
    assert.equal(failed.status, 'error', 'answers lost with Max Attempts 1 fail the run');
    await sb.faults([]);
    const createdBefore = (await sb.stats()).calls_created;
    assert.ok(createdBefore > 0 && createdBefore <= 40, `${createdBefore} calls were made before the failure`);
    await ctx.exclusive(async () => {
      const server = await n8nlib.startServer(ctx.inst);
      try {
        const list = await server.json('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: 'e2eLifeRetry' }))}`);
        const execution = (list.results ?? list).find((e) => e.status === 'error');
        assert.ok(execution, `a failed execution to retry: ${show(list)}`);
        const retried = await server.json('POST', `/rest/executions/${execution.id}/retry`, { loadWorkflow: false });
        assert.equal(retried.status, 'success', show(retried));
        const stats = await sb.stats();
        const perKey = Object.values(stats.calls_created_by_key);
        assert.equal(stats.calls_created, 40, 'the retry made only the calls the failed run never reached');
        assert.ok(perKey.every((n) => n === 1), show(stats.calls_created_by_key));
        const line = `retry execution: ${createdBefore} of 40 calls made before the failure, ${stats.calls_created - createdBefore} by the retry, ${stats.idempotent_replays} answered from their key, calls per item max ${Math.max(...perKey)}`;
        t.diagnostic(line);
        log(line);
      } finally {
        await server.stop();
      }
    });
  });

  const runAgain = (id) => ctx.exclusive(() => n8nlib.execute(ctx.inst, id));

  it(`a workflow run twice with a key from the item's data (inbound webhook, answers dropped on the first run): ${OWN_KEY_ITEMS} calls, then 0`, async (t) => {
    await sb.reset();
    await sb.faults([{ path_prefix: '/v1/hooks/', method: 'POST', drop_after: true, probability: 0.3, seed: 27, times: null }]);
    const first = await runAgain('e2eLifeOwnKey');
    await sb.faults([]);
    assert.equal(first.status, 'success', first.stdout.slice(-3000));
    const node = 'Schedule (key from the invoice)';
    const out = nodeOutput(first, node);
    assert.deepEqual(out.filter((j) => !j.scheduled).map((j) => [j.outcome, j.message]), []);
    assert.deepEqual(out.map((j) => [j.idempotencyKey, j.via]), invoices(OWN_KEY_ITEMS, 3000).map((j) => [`reminder-${j.invoice}`, 'webhook']));
    const lost = out.filter((j) => j.attempts > 1).length;
    assert.ok(lost > 0, 'some answers were dropped');
    const sent = (await sb.requests()).filter((r) => r.path.startsWith('/v1/hooks/')).map((r) => JSON.parse(r.body));
    assert.ok(sent.every((b) => b.action === 'call.create'));
    const info = sent.find((b) => b.data.additional_info.invoice === 'INV-3001').data.additional_info;
    assert.deepEqual(info, { invoice: 'INV-3001', amount_due: 100.5 }, 'a value from an expression keeps its type');
    const createdFirst = (await sb.stats()).calls_created;
    assert.equal(createdFirst, OWN_KEY_ITEMS);

    const second = await runAgain('e2eLifeOwnKey');
    assert.equal(second.status, 'success', second.stdout.slice(-3000));
    assert.deepEqual(nodeOutput(second, node).map((j) => [j.callId, j.replayed]), out.map((j) => [j.callId, true]));
    const stats = await sb.stats();
    const perKey = Object.values(stats.calls_created_by_key);
    assert.equal(stats.calls_created, OWN_KEY_ITEMS, 'the second run made no call');
    assert.ok(perKey.length === OWN_KEY_ITEMS && perKey.every((n) => n === 1), show(stats.calls_created_by_key));

    // Derived keys, for contrast: a new execution is a new run, so its calls are new calls.
    await sb.reset();
    const derived = [await runAgain('e2eLifeDerivedKey'), await runAgain('e2eLifeDerivedKey')];
    assert.ok(derived.every((r) => r.status === 'success'));
    const derivedCalls = (await sb.stats()).calls_created;
    assert.equal(derivedCalls, 20, 'two executions with derived keys: 10 calls each');
    const line = `run twice, key from the data (${OWN_KEY_ITEMS} items, webhook, ${lost} answers lost on the first run): first run ${createdFirst} calls, second run ${stats.calls_created - createdFirst} new calls, calls per item max ${Math.max(...perKey)}; derived keys (10 items) run twice: ${derivedCalls} calls`;
    t.diagnostic(line);
    log(line);
  });

  const deleteOutcomes = async (id, t) => {
    const res = await run(id, () => sb.addCalls([
      { call_id: 'e2e_del_done', status: 'completed' },
      { call_id: 'e2e_del_queued', status: 'queued' },
    ]));
    assert.equal(res.status, 'success', res.stdout.slice(-3000));
    const pick = (node, ...fields) => nodeOutput(res, node).map((j) => Object.fromEntries(['callId', 'outcome', ...fields, 'httpStatus'].map((f) => [f, j[f]])));
    const steps = {
      Delete: pick('Delete', 'deleted', 'callStatus'),
      'Get (deleted)': pick('Get (deleted)', 'found'),
      'Delete again': pick('Delete again', 'deleted'),
    };
    assert.deepEqual(steps, {
      Delete: [
        { callId: 'e2e_del_done', outcome: 'deleted', deleted: true, callStatus: null, httpStatus: 200 },
        { callId: 'e2e_del_queued', outcome: 'not_ended', deleted: false, callStatus: 'queued', httpStatus: 409 },
      ],
      'Get (deleted)': [{ callId: 'e2e_del_done', outcome: 'not_found', found: false, httpStatus: 404 }],
      'Delete again': [{ callId: 'e2e_del_done', outcome: 'not_found', deleted: false, httpStatus: 404 }],
    }, show(steps));
    const [notEnded] = nodeOutput(res, 'Delete').slice(1);
    assert.match(notEnded.message, /has not ended: it is queued.*cancel it first or wait until it ends/);
    assert.equal((await sb.getCall('e2e_del_queued')).status, 'queued', 'a call that has not ended keeps its data');
    assert.equal(await sb.getCall('e2e_del_done'), null);
    assert.deepEqual(leakedSecrets(res.stdout + res.stderr + JSON.stringify(res.requests.map((r) => r.path))), []);
    const line = `delete e2e (${id}): ${JSON.stringify(steps)}`;
    t.diagnostic(line);
    log(line);
    return res;
  };

  it('Delete (API key): an ended call is deleted and Get then finds nothing; a queued one is not_ended (409) with its state; a repeat is not_found (404)', async (t) => {
    const res = await deleteOutcomes('e2eLifeDelete', t);
    const del = res.requests.filter((r) => r.method === 'DELETE');
    // The first two are in flight together (either may arrive first); the repeat comes after Get.
    const paths = del.map((r) => r.path);
    assert.deepEqual([...paths.slice(0, 2).sort(), paths[2]], ['/v1/calls/e2e_del_done', '/v1/calls/e2e_del_queued', '/v1/calls/e2e_del_done']);
    assert.ok(del.every((r) => r.headers['x-api-key'] && r.headers.authorization === `Bearer ${r.headers['x-api-key']}`), 'the key as Bearer and as x-api-key');
  });

  it('Delete (inbound webhook): the same outcomes through call.delete', async (t) => {
    const res = await deleteOutcomes('e2eLifeDeleteHook', t);
    const hooks = res.requests.filter((r) => r.path.startsWith('/v1/hooks/'));
    const sent = hooks.map((r) => [r.method, r.path, typeof r.body === 'string' ? JSON.parse(r.body) : r.body]);
    const byCall = (a, b) => a[2].data.call_id.localeCompare(b[2].data.call_id);
    // The first two are in flight together (either may arrive first); the repeat comes after Get.
    assert.deepEqual([...sent.slice(0, 2).sort(byCall), sent[2]], ['e2e_del_done', 'e2e_del_queued', 'e2e_del_done'].map((call_id) =>
      ['POST', '/v1/hooks/(redacted)', { action: 'call.delete', data: { call_id } }]));
    assert.ok(hooks.every((r) => r.headers.authorization === undefined && r.headers['x-api-key'] === undefined), 'no API key on the webhook');
    assert.equal(res.requests.filter((r) => r.method === 'DELETE').length, 0);
  });

  it('Delete with an invalid call id fails the execution naming the item, and sends nothing', async (t) => {
    const res = await run('e2eLifeDeleteInvalid', () => sb.addCalls([{ call_id: 'e2e_del_done', status: 'completed' }]));
    assert.equal(res.status, 'error');
    assert.match(res.stdout + res.stderr, /item 2/);
    assert.equal(res.requests.length, 0, 'no request reached the sandbox, not even for the valid item');
    assert.equal((await sb.getCall('e2e_del_done')).status, 'completed');
    t.diagnostic('delete with an invalid id: 0 requests sent');
    log('delete with an invalid id: 0 requests sent');
  });

  it('an invalid phone number fails the execution naming the item, and nothing is sent', async () => {
    const res = await run('e2eLifeInvalid');
    assert.equal(res.status, 'error');
    const text = res.stdout + res.stderr;
    assert.match(text, /contact_number "98765 4321" has no country code/);
    assert.equal(res.requests.length, 0, 'no request reached the sandbox');
    log('invalid input: 0 requests sent');
  });
});
