// Compile-only check (tsc --noEmit, strict): the published declarations describe the API
// precisely enough for a TypeScript user, and reject what the core rejects at the type level.
import {
  cancelCall,
  cancelCalls,
  deleteCall,
  deleteCalls,
  getCall,
  getCalls,
  scheduleCall,
  scheduleCalls,
  drive,
  Pacers,
  Run,
  buildCancelRequest,
  buildCancelRequests,
  interpretCancelResponse,
  redactSecrets,
  retryDelayMs,
  validateCallId,
  verifyEvent,
  receiveEvent,
  ReplayGuard,
  type EventVerification,
  type HuskyVoiceEvent,
  type ReplayGuardState,
  type EventReception,
  type HuskyVoiceEventItem,
  type Sighting,
  type CancelRequest,
  type CancelResult,
  type HuskyVoiceCoreError,
  type Outcome,
  type CancelCallsOptions,
  type CancelOutcome,
  type DeleteOutcome,
  type GetOutcome,
  type ScheduleCallsOptions,
  type ScheduleOutcome,
  type DriverIo,
  type ItemOutcome,
  type RunReport,
} from 'huskyvoice-core';
import core from 'huskyvoice-core';

const id: string = validateCallId(' call_1 ');
const req: CancelRequest = buildCancelRequest({ via: 'rest', callId: id, apiKey: 'sk_test_x' });
const hook: CancelRequest = buildCancelRequest({ via: 'webhook', callId: id, webhook: 'tok' });
const method: 'POST' = req.method;
const body: string | undefined = hook.body;

for (const r of buildCancelRequests([{ via: 'rest', callId: 'a' }])) {
  if (r.ok) {
    const url: string = r.request.url;
    void url;
  } else {
    const code: HuskyVoiceCoreError['code'] = r.error.code;
    void code;
  }
}

const result: CancelResult = interpretCancelResponse({ via: 'rest', callId: id, statusCode: 200, headers: {}, body: '' });
const outcome: Outcome = result.outcome;
const status: number | null = result.httpStatus;
const wait: number | null = retryDelayMs(result, 1, { maxAttempts: 3 });
const waitByName: number | null = retryDelayMs('server_error', 2, undefined, 500);
const text: string = redactSecrets('x', ['y']);

// @ts-expect-error: a webhook cancel needs the webhook credential
buildCancelRequest({ via: 'webhook', callId: 'a' });
// @ts-expect-error: unknown transport
buildCancelRequest({ via: 'sms', callId: 'a' });

void [method, body, outcome, status, wait, waitByName, text];

// The client: options, outcomes, progress and abort, typed without any.
async function client(): Promise<void> {
  const controller = new AbortController();
  const options: CancelCallsOptions = {
    apiKey: process.env.HUSKYVOICE_API_KEY,
    baseUrl: 'http://127.0.0.1:4010',
    requestsPerMinute: 60,
    rateLimitWindowMs: 60_000,
    concurrency: 5,
    maxAttempts: 3,
    maxTotalWaitSeconds: 30,
    timeoutSeconds: 10,
    dryRun: false,
    signal: controller.signal,
    onProgress: (done: number, total: number, outcome: ItemOutcome, index: number) => void [done, total, outcome, index],
  };
  const all: CancelOutcome[] = await cancelCalls(['call_1', 'call_2'], options);
  const one: CancelOutcome = await cancelCall('call_1', { webhook: 'tok', requestsPerMinute: 0 });
  const cancelled: boolean = one.cancelled;
  const httpStatus: number | null = one.httpStatus;
  const callId: string | null = one.callId;
  const attempts: number = one.attempts;
  const via: 'rest' | 'webhook' = one.via;
  const itemOutcome: ItemOutcome = one.outcome;
  const first: CancelOutcome | undefined = all[0];
  const fromDefault: CancelOutcome[] = await core.cancelCalls([], options);
  void [cancelled, httpStatus, callId, attempts, via, itemOutcome, first, fromDefault];

  // @ts-expect-error: concurrency is a number
  await cancelCalls(['a'], { apiKey: 'k', concurrency: '5' });
  // @ts-expect-error: unknown option (the CLI's flag name, not the option's)
  await cancelCalls(['a'], { apiKey: 'k', rpm: 5 });
  // @ts-expect-error: onProgress gets numbers and an outcome name
  await cancelCalls(['a'], { apiKey: 'k', onProgress: (done: string) => void done });

  // The engine and the driver loop, as the client runs them.
  const run = new Run({ credentials: [{ via: 'rest', apiKey: 'k' }], jobs: [{ callId: 'call_1' }], stopOnFailure: false }, new Pacers());
  const io: DriverIo = {
    send: async () => ({ statusCode: 200, body: '{"status":"cancelled"}' }),
    sleep: async () => undefined,
    now: () => Date.now(),
  };
  const report: RunReport = await drive(run, io);
  void report.summary.succeeded;
  run.free();

  // The other operations: each resolves with its own item shape.
  const scheduleOptions: ScheduleCallsOptions = { ...options, runId: 'batch-7', keysFrom: 'content' };
  // @ts-expect-error keysFrom is 'index' or 'content'
  const badKeys: ScheduleCallsOptions = { ...options, keysFrom: 'order' };
  void badKeys;
  const made: ScheduleOutcome[] = await scheduleCalls(
    [{ agent_id: 'agent_1', contact_number: '+919876543210', additional_info: { invoice: 'INV-1' } }],
    scheduleOptions,
  );
  const madeOne: ScheduleOutcome = await scheduleCall({ agent_id: 'a', contact_number: '+919876543210', idempotency_key: 'k-1' }, options);
  const key: string | null = madeOne.idempotencyKey;
  const replayed: boolean = madeOne.replayed;
  const scheduled: boolean = madeOne.scheduled;
  const got: GetOutcome[] = await getCalls(['call_1'], options);
  const gotOne: GetOutcome = await getCall('call_1', options);
  const fields: Record<string, unknown> | null = gotOne.call;
  const gone: DeleteOutcome[] = await deleteCalls(['call_1'], options);
  const goneOne: DeleteOutcome = await deleteCall('call_1', options);
  const deleted: boolean = goneOne.deleted;
  void [made, key, replayed, scheduled, got, fields, gone, deleted];

  // @ts-expect-error: runId is text
  await scheduleCalls([], { apiKey: 'k', runId: 7 });
  // @ts-expect-error: a cancel outcome has no `deleted`
  void one.deleted;
}
void client;

// Signed call events: the verdict narrows on `verified`; the guard's state is plain JSON.
function receive(raw: Uint8Array, header: string | undefined, saved: ReplayGuardState | undefined): number {
  const verdict: EventVerification = verifyEvent(process.env['HUSKYVOICE_EVENTS_SECRET'], raw, header);
  if (!verdict.verified) {
    const reason: 'no_secret' | 'missing_signature' | 'malformed_signature' | 'wrong_signature' | 'not_an_event' = verdict.reason;
    void reason;
    return verdict.status;
  }
  const event: HuskyVoiceEvent = verdict.event;
  const guard = saved ? ReplayGuard.fromJSON(saved, { maxEvents: 500 }) : new ReplayGuard({ maxAgeMs: 3_600_000 });
  const seen: Sighting = guard.check(event, Date.now());
  const state: ReplayGuardState = guard.toJSON();
  void [seen, state, event.data['call_id'], guard.size];
  // @ts-expect-error: the event only exists on a verified delivery
  void verifyEvent('whsec_x', raw, header).event;
  // @ts-expect-error: the body must be the raw bytes or text, never a parsed object
  verifyEvent('whsec_x', { event_id: 'evt_1' }, header);
  return 200;
}
void receive;

// A trigger's whole judgement: the answer narrows on `action`; only `start` carries an item.
function trigger(raw: Uint8Array, header: string | undefined, guard: ReplayGuard): number {
  const answer: EventReception = receiveEvent(guard, ['whsec_new', 'whsec_old'], raw, header, { eventTypes: ['call.completed'], agentIds: 'agent_1' });
  if (answer.action === 'start') {
    const item: HuskyVoiceEventItem = answer.item;
    const callId: string | null = item.callId;
    void callId;
  }
  // @ts-expect-error: only a started event has an item
  void answer.item;
  // @ts-expect-error: only the documented event types can be selected
  receiveEvent(guard, 'whsec_x', raw, header, { eventTypes: ['call.ended'] });
  return answer.status;
}
void trigger;
