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
  /** `error`: a call that can no longer be cancelled fails its item (default `output`). */
  onNotCancellable?: 'output' | 'error';
  /** Validate and show the request, send nothing. */
  dryRun?: boolean;
}

export interface RunJob {
  /** The call id as the item holds it: anything that is not a valid id becomes `invalid_call_id`. */
  callId: unknown;
  /** Index into `credentials` (default 0). */
  credential?: number;
  /** Index into `options` (default 0). */
  options?: number;
  /** The item field the id was read from, for the message when the item lacks it. */
  field?: string;
}

export interface RunPlan {
  operation?: 'cancel';
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
  request: CancelRequest;
  timeoutMs: number;
}

/** What to do next: send, sleep until `untilMs` (or an answer), wait for an answer, or stop. */
export type RunStep = SendStep | { kind: 'wait'; untilMs: number } | { kind: 'idle' } | { kind: 'done' };

/** An answer for `respond`: the HTTP response, or the failure to get one. */
export type RunAnswer =
  | { statusCode: number; retryAfter?: string | null; body: string }
  | { statusCode?: null; transportError: 'timeout' | 'connection'; errorCode?: string | null };

/** Outcomes of an item: an answer's, an input error, or how the run left it. */
export type ItemOutcome =
  | Outcome
  | 'invalid_call_id'
  | 'invalid_credential'
  | 'invalid_options'
  | 'dry_run'
  | 'not_sent'
  | 'interrupted';

/** One item's output: the same fields for every item; `error`/`description` only when it failed. */
export interface RunItem {
  callId: string | null;
  outcome: ItemOutcome;
  /** True only when HuskyVoice said the call is cancelled. */
  cancelled: boolean;
  callStatus: CallStatus | null;
  message: string;
  httpStatus: number | null;
  via: Via;
  attempts: number;
  error?: string;
  description?: string;
  /** Dry run: the request that would be sent, secrets redacted. */
  request?: CancelRequest;
}

/** What a credential's Test answer proves (n8n's credential test result). */
export interface CredentialTestResult {
  status: 'OK' | 'Error';
  message: string;
}

/** An item that got its final outcome (from `Run.settled()`). */
export interface RunSettled {
  index: number;
  outcome: ItemOutcome;
  cancelled: boolean;
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
  cancelled: number;
  failed: number;
  notSent: number;
  requests: number;
  /** 429 answers that were the rate limit. */
  rateLimited: number;
  retries: number;
}

export interface RunReport {
  items: RunItem[];
  /** Set when the run stopped at a failure (`stopOnFailure`): the error to raise. */
  failure: RunFailure | null;
  aborted: boolean;
  /** What was done, in one sentence, for an error about a stopped run. */
  done: string;
  summary: RunSummary;
}
"#;
