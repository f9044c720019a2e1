//! TypeScript declarations of the run engine's plan, steps, answers and report.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const RUN_TYPES: &'static str = r#"
/** A credential of a run. Runs (sharing one `Pacers`) that give the same `key` share its limit. */
export interface RunCredential {
  /** Names the credential's pacer, e.g. n8n's credential id. Default `credential-<index>`. */
  key?: string;
  via: Via;
  /** REST: the API key. Also used to redact it from every message. */
  apiKey?: string | null;
  /** Webhook: the whole inbound webhook URL, or its token. */
  webhook?: string | null;
  baseUrl?: string | null;
  /** Put `Authorization: Bearer <apiKey>` on requests (default true; n8n adds it itself). */
  authorize?: boolean;
}

/** Options per item (jobs refer to them by index). */
export interface RunJobOptions {
  /** Attempts in all, the first included (default 3; 1 to 100). */
  maxAttempts?: number;
  /** Budget for backoff waits after server errors (default 30000). Rate-limit waits do not count. */
  maxTotalWaitMs?: number;
  /** Per request (default 30000). */
  timeoutMs?: number;
  /** Cancel: `error` makes a call that can no longer be cancelled fail its item (default `output`). */
  onNotCancellable?: 'output' | 'error';
  /** Delete: `error` makes a call that has not ended yet fail its item (default `output`). */
  onNotEnded?: 'output' | 'error';
  /** Delete: `error` makes a call that is not found (a wrong id, or already deleted) fail its item (default `output`). */
  onNotFound?: 'output' | 'error';
  /** Validate and show the request, send nothing. */
  dryRun?: boolean;
}

/** A call to schedule, in the API's field names (camelCase works too). Checked by the core. */
export interface NewCallInput {
  agent_id: unknown;
  /** `+91` and 10 digits; spaces, dashes and parentheses are removed. */
  contact_number: unknown;
  contact_name?: unknown;
  contact_email?: unknown;
  /** A JSON object of custom fields (or text holding one). */
  additional_info?: unknown;
  /** The same as a list of `{name, value}` pairs (n8n's key/value list); one of the two. */
  additional_info_fields?: unknown;
  /** Your own Idempotency-Key; else one is derived from the plan's `runId` (see `keysFrom`). */
  idempotency_key?: unknown;
}

export interface RunJob {
  /** Get, cancel, delete: the call id as the item holds it (anything else: `invalid_call_id`). */
  callId?: unknown;
  /** Schedule: the call to create (anything invalid: `invalid_input`). */
  call?: NewCallInput | Record<string, unknown>;
  /** Index into `credentials` (default 0). */
  credential?: number;
  /** Index into `options` (default 0). */
  options?: number;
  /** The item field the id was read from, for the message when the item lacks it. */
  field?: string;
}

/** The operations of a run. */
export type OperationName = 'schedule' | 'get' | 'cancel' | 'delete';

export interface RunPlan {
  /** Default `cancel`. */
  operation?: OperationName;
  /**
   * Schedule: the run's id, the seed of the Idempotency-Key of every call that has none of its
   * own (n8n: workflow, first execution and node), so a repeat of the same run sends the same
   * keys and creates no second call. `hv1-` + SHA-256 of the run id and the item's place.
   */
  runId?: string;
  /**
   * Schedule: what places an item in the run for its key. `index` (default): its index, for
   * repeats of the same items in the same order. `content`: its checked body and how many
   * earlier items had the same body, so a list run again after removing, reordering or fixing
   * items keeps the keys of the untouched ones.
   */
  keysFrom?: 'index' | 'content';
  /** Requests in flight at once (default 5; 1 to 1000). */
  concurrency?: number;
  /** The client-side pacer: at most this many requests per `windowMs` per credential (default 60, HuskyVoice's documented limit; 0 = off). */
  requestsPerMinute?: number;
  /** The pacer's window in ms (default 60000). */
  windowMs?: number;
  /** Stop at the first failing item and report the run as failed (default true). */
  stopOnFailure?: boolean;
  /** Seeds the jitter of retry waits (default 0). */
  seed?: number;
  credentials: RunCredential[];
  options?: RunJobOptions[];
  jobs: RunJob[];
}

export interface SendStep {
  kind: 'send';
  ticket: number;
  /** The item, 0-based. */
  index: number;
  credential: number;
  via: Via;
  request: HttpRequest;
  timeoutMs: number;
}

/** Compatibility name of `HttpRequest` (cancel was the first operation). */
export type CancelRequest = HttpRequest;

/** What to do next: send, sleep until `untilMs` (or an answer), wait for an answer, or stop. */
export type RunStep = SendStep | { kind: 'wait'; untilMs: number } | { kind: 'idle' } | { kind: 'done' };

/** An answer for `respond`: the HTTP response, or the failure to get one. */
export type RunAnswer =
  | { statusCode: number; retryAfter?: string | null; body: string; /** `Idempotent-Replayed: true` */ replayed?: boolean }
  | { statusCode?: null; transportError: 'timeout' | 'connection'; errorCode?: string | null };

/** Outcomes of an item: an answer's, an input error, or how the run left it. */
export type ItemOutcome =
  | Outcome
  | 'invalid_call_id'
  | 'invalid_input'
  | 'invalid_credential'
  | 'invalid_options'
  | 'dry_run'
  | 'not_sent'
  | 'interrupted';

/** The fields every item of every operation has; `error`/`description` only when it failed. */
export interface RunItemBase {
  /** The call id asked for, or the one a create returned (null before that). */
  callId: string | null;
  outcome: ItemOutcome;
  callStatus: CallStatus | null;
  message: string;
  httpStatus: number | null;
  via: Via;
  attempts: number;
  error?: string;
  description?: string;
  /** Dry run: the request that would be sent, secrets redacted. */
  request?: HttpRequest;
}

/** Cancel. */
export interface CancelItem extends RunItemBase {
  /** True only when HuskyVoice said the call is cancelled. */
  cancelled: boolean;
}

/** Schedule. */
export interface ScheduleItem extends RunItemBase {
  /** True only when HuskyVoice answered with the new call's id. */
  scheduled: boolean;
  /** The key every attempt of this item sent (null for an invalid item). */
  idempotencyKey: string | null;
  /** HuskyVoice had already made this call for the key: it answered with it, made none. */
  replayed: boolean;
  agentId: string | null;
  /** Normalised E.164. */
  contactNumber: string | null;
}

/** Get. */
export interface GetItem extends RunItemBase {
  found: boolean;
  /** The call's fields as HuskyVoice gave them, when found. */
  call: Record<string, unknown> | null;
}

/** Delete. */
export interface DeleteItem extends RunItemBase {
  /** True only when HuskyVoice said the call's data is deleted. */
  deleted: boolean;
}

/** One item's output, in the operation's one shape. */
export type RunItem = CancelItem | ScheduleItem | GetItem | DeleteItem;

/** What a credential's Test answer proves (n8n's credential test result). */
export interface CredentialTestResult {
  status: 'OK' | 'Error';
  message: string;
}

/** An item that got its final outcome (from `Run.settled()`). */
export interface RunSettled {
  index: number;
  outcome: ItemOutcome;
  /** The operation got what it asked for (cancelled, scheduled, found, deleted). */
  succeeded: boolean;
}

export interface RunFailure {
  /** The first failing item, 0-based. */
  itemIndex: number;
  outcome: ItemOutcome;
  message: string;
  description: string;
  httpStatus: number | null;
}

export interface RunSummary {
  items: number;
  /** Items cancelled, scheduled, found or deleted, as the operation asked. */
  succeeded: number;
  failed: number;
  notSent: number;
  requests: number;
  /** 429 answers that were the rate limit. */
  rateLimited: number;
  retries: number;
}

export interface RunReport<Item extends RunItemBase = RunItem> {
  items: Item[];
  /** Set when the run stopped at a failure (`stopOnFailure`): the error to raise. */
  failure: RunFailure | null;
  aborted: boolean;
  /** What was done, in one sentence, for an error about a stopped run. */
  done: string;
  summary: RunSummary;
}
"#;
