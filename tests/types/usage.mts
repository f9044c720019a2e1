// Compile-only check (tsc --noEmit, strict): the published declarations describe the API
// precisely enough for a TypeScript user, and reject what the core rejects at the type level.
import {
  buildCancelRequest,
  buildCancelRequests,
  interpretCancelResponse,
  redactSecrets,
  retryDelayMs,
  validateCallId,
  type CancelRequest,
  type CancelResult,
  type HuskyVoiceCoreError,
  type Outcome,
} from 'huskyvoice-core';

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
