// Types of the CommonJS entry (index.js): the wasm core, the driver loop and the Node client.
import type * as core from './pkg/huskyvoice_core';

export * from './pkg/huskyvoice_core';
export { drive } from './pkg/driver';
export type { DriverIo, EngineRun } from './pkg/driver';
export { scheduleCall, scheduleCalls, getCall, getCalls, cancelCall, cancelCalls, deleteCall, deleteCalls } from './pkg/client';
export type {
  CallProgress,
  CallsError,
  CallsOptions,
  CancelCallsError,
  CancelCallsOptions,
  CancelOutcome,
  CancelProgress,
  DeleteCallsOptions,
  DeleteOutcome,
  GetCallsOptions,
  GetOutcome,
  ScheduleCallsOptions,
  ScheduleOutcome,
} from './pkg/client';

// The core's functions, declared from its own declarations (pkg/huskyvoice_core.d.ts, where
// they are documented) so that this file lists the whole API by name.

/** Returns the normalised call id or throws an `Error` with code `INVALID_CALL_ID`. */
export function validateCallId(...args: Parameters<typeof core.validateCallId>): ReturnType<typeof core.validateCallId>;
/** Builds the request that cancels one call, or throws an `Error` with a `code`. */
export function buildCancelRequest(...args: Parameters<typeof core.buildCancelRequest>): ReturnType<typeof core.buildCancelRequest>;
/** Builds many requests in one crossing; one result per item, in order. */
export function buildCancelRequests(...args: Parameters<typeof core.buildCancelRequests>): ReturnType<typeof core.buildCancelRequests>;
/** Maps one response (or a transport failure) to exactly one outcome. */
export function interpretCancelResponse(...args: Parameters<typeof core.interpretCancelResponse>): ReturnType<typeof core.interpretCancelResponse>;
/** Interprets many responses in one crossing. */
export function interpretCancelResponses(...args: Parameters<typeof core.interpretCancelResponses>): ReturnType<typeof core.interpretCancelResponses>;
/** Milliseconds to wait before the next attempt, or `null` to stop. */
export function retryDelayMs(...args: Parameters<typeof core.retryDelayMs>): ReturnType<typeof core.retryDelayMs>;
/** Replaces every occurrence of each secret in `text` by its redacted form. */
export function redactSecrets(...args: Parameters<typeof core.redactSecrets>): ReturnType<typeof core.redactSecrets>;
/** Checks a call event's `X-Husky-Signature` against the raw body, then its envelope: `{verified, event}` or `{verified: false, reason, status, message}`. */
export function verifyEvent(...args: Parameters<typeof core.verifyEvent>): ReturnType<typeof core.verifyEvent>;
/** Judges one delivery to a trigger whole (signature, envelope, filter, replay guard): `start` with an item, `skip` (200, start nothing) or `refuse` (answer `status`). */
export function receiveEvent(...args: Parameters<typeof core.receiveEvent>): ReturnType<typeof core.receiveEvent>;
/** Checks a receiver's signing secret(s) and filter before the first delivery: `{ok: true}` or `{ok: false, message}`. */
export function checkReceiver(...args: Parameters<typeof core.checkReceiver>): ReturnType<typeof core.checkReceiver>;
