// The Node client: `scheduleCalls`, `getCalls`, `cancelCalls`, `deleteCalls` (and their single
// forms) are the run engine (the core's `Run`) driven by the one driver loop (`drive`) with
// node:http(s) as its transport. Everything about policy (which
// id is valid, what an answer means, retries, backoff, the pacer, the concurrency cap, when
// to stop) is the engine's; this file builds the plan, sends what the engine says to send,
// sleeps when it says to wait, and hands back its report.
import { createHash, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';

import { drive } from './driver';
import type { DriverIo } from './driver';
import { buildCancelRequest, Pacers, redactSecrets, Run } from './huskyvoice_core';
import type {
	CancelItem,
	DeleteItem,
	GetItem,
	ItemOutcome,
	NewCallInput,
	OperationName,
	RunAnswer,
	RunItemBase,
	RunJob,
	RunJobOptions,
	RunPlan,
	ScheduleItem,
	SendStep,
	Via,
} from './huskyvoice_core';

/**
 * One call's result: the same fields as the n8n node's output items (`error` and
 * `description` only when the call failed, `request` only for a dry run).
 */
export type CancelOutcome = CancelItem;
/** One scheduled call's result (`callId` is the new call's id once HuskyVoice made it). */
export type ScheduleOutcome = ScheduleItem;
/** One call's status and fields (`call`), when found. */
export type GetOutcome = GetItem;
/** One deletion's result. */
export type DeleteOutcome = DeleteItem;

/** Called once per call when it gets its final outcome. */
export type CallProgress = (done: number, total: number, outcome: ItemOutcome, index: number) => void;
/** The first name of `CallProgress`. */
export type CancelProgress = CallProgress;

/** The options every operation takes. */
export interface CallsOptions {
	/** REST: the API key (`sk_live_…`). Give this or `webhook`, not both. */
	apiKey?: string | null;
	/** The inbound webhook: its whole URL, or just its secret token. */
	webhook?: string | null;
	/** Default `https://api.huskyvoice.ai`; a trailing `/v1` or `/` is accepted. */
	baseUrl?: string | null;
	/**
	 * The client-side pacer: at most this many requests per minute per credential (default
	 * 60, HuskyVoice's documented limit; 0 turns pacing off). Every `cancelCalls` in this
	 * process that uses the same credential shares the limit.
	 */
	requestsPerMinute?: number;
	/** The pacer's window in ms (default 60000): for tests and gateways with another window. */
	rateLimitWindowMs?: number;
	/** Requests in flight at once (default 5; 1 to 1000). */
	concurrency?: number;
	/** Attempts per call, the first included (default 3; retries only after 429, 5xx, timeouts). */
	maxAttempts?: number;
	/** Budget per call for backoff waits after server errors, in seconds (default 30). */
	maxTotalWaitSeconds?: number;
	/** Per request, in seconds (default 30). */
	timeoutSeconds?: number;
	/** Check the ids and show the requests (`request`, secrets redacted); send nothing. */
	dryRun?: boolean;
	/**
	 * Stops sending when it aborts; the promise then resolves with every call's outcome
	 * (`not_sent` for the calls not sent, `interrupted` for those in flight).
	 */
	signal?: AbortSignal;
	/** Progress: `done` of `total` calls have their outcome; `index` is the call's position in the input. */
	onProgress?: CallProgress;
}

export type CancelCallsOptions = CallsOptions;
export type GetCallsOptions = CallsOptions;
export type DeleteCallsOptions = CallsOptions;

export interface ScheduleCallsOptions extends CallsOptions {
	/**
	 * The run's id (a batch id, say `reminders-2026-12-07`): the seed from which the core derives
	 * the Idempotency-Key of every call that has no `idempotency_key` of its own
	 * (`hv1-` + SHA-256 of the run id and the call's place, see `keysFrom`). Running the same
	 * list again with the same `runId` within HuskyVoice's 24 h makes no second call.
	 * Default: a random id per `scheduleCalls`, which keeps its own retries safe but not a
	 * second run of the list: give one whenever the list may be run again.
	 */
	runId?: string;
	/**
	 * What places a call in the run for its derived key. `'index'` (default): its position in
	 * the list. `'content'`: its checked fields and how many earlier calls had the same ones, so
	 * a list run again after removing, reordering or fixing calls keeps the keys of the
	 * untouched calls (the CLI's choice for files).
	 */
	keysFrom?: 'index' | 'content';
}

/** An error of the client's own checks: a real `Error` with a stable `code`, never a secret. */
export interface CallsError extends Error {
	code: 'INVALID_OPTIONS' | 'INVALID_BASE_URL' | 'INVALID_WEBHOOK';
}
/** The first name of `CallsError`. */
export type CancelCallsError = CallsError;

const OPTION_NAMES: ReadonlySet<string> = new Set([
	'apiKey',
	'webhook',
	'baseUrl',
	'requestsPerMinute',
	'rateLimitWindowMs',
	'concurrency',
	'maxAttempts',
	'maxTotalWaitSeconds',
	'timeoutSeconds',
	'dryRun',
	'signal',
	'onProgress',
]);
/** Options of one operation only. */
const OWN_OPTIONS: Partial<Record<OperationName, ReadonlySet<string>>> = { schedule: new Set(['runId', 'keysFrom']) };

/** The public function of each operation, for its error messages. */
const FUNCTION_OF: Record<OperationName, string> = {
	schedule: 'scheduleCalls',
	get: 'getCalls',
	cancel: 'cancelCalls',
	delete: 'deleteCalls',
};

/** The pacers of every run in this process: runs with the same credential share its limit. */
const shared = new Pacers();

type ErrorCode = CallsError['code'];

function optionsError(operation: OperationName, message: string, code: ErrorCode = 'INVALID_OPTIONS'): CallsError {
	return Object.assign(new Error(`${FUNCTION_OF[operation]}: ${message}`), { code });
}

/** A credential value: text, or absent (undefined, null, blank). */
function credentialText(operation: OperationName, name: string, value: unknown): string | null {
	if (value === undefined || value === null) return null;
	if (typeof value !== 'string') throw optionsError(operation, `"${name}" must be text; got ${typeof value}.`);
	return value.trim() === '' ? null : value;
}

/** Seconds in the milliseconds the engine counts; anything else as given, for the engine to name. */
function ms(seconds: unknown): unknown {
	return typeof seconds === 'number' && Number.isFinite(seconds) ? Math.round(seconds * 1000) : seconds;
}

/** The engine names its own fields; say them as the caller wrote them. */
function inCallerTerms(message: string): string {
	return message
		.replace(/^Run: /, '')
		.replace(/"maxTotalWaitMs"/g, '"maxTotalWaitSeconds" (times 1000)')
		.replace(/"timeoutMs"/g, '"timeoutSeconds" (times 1000)')
		.replace(/"windowMs"/g, '"rateLimitWindowMs"');
}

function isAbortSignal(value: unknown): value is AbortSignal {
	return (
		value !== null &&
		typeof value === 'object' &&
		typeof (value as AbortSignal).aborted === 'boolean' &&
		typeof (value as AbortSignal).addEventListener === 'function'
	);
}

interface Prepared {
	plan: RunPlan;
	secrets: string[];
	signal: AbortSignal | undefined;
	onProgress: CallProgress | undefined;
}

/** A valid call for the options check of a schedule run (never sent). */
const PROBE_CALL: NewCallInput = { agent_id: 'options_check', contact_number: '+919800000000', idempotency_key: 'options_check' };

/** Checks the options (through the core) and builds the run's plan; throws before anything is sent. */
function prepare(operation: OperationName, inputs: unknown, options: unknown): Prepared {
	const what = operation === 'schedule' ? 'calls to schedule' : 'call ids';
	if (!Array.isArray(inputs)) {
		throw optionsError(operation, `the ${what} must be an array; got ${inputs === null ? 'null' : typeof inputs}.`);
	}
	if (options === null || typeof options !== 'object') {
		throw optionsError(operation, 'give the options object, e.g. { apiKey: process.env.HUSKYVOICE_API_KEY }.');
	}
	const o = options as Record<string, unknown>;
	for (const name of Object.keys(o)) {
		if (!OPTION_NAMES.has(name) && !OWN_OPTIONS[operation]?.has(name)) {
			const elsewhere = Object.entries(OWN_OPTIONS).find(([, names]) => names?.has(name));
			const hint = elsewhere ? ` (it is an option of ${FUNCTION_OF[elsewhere[0] as OperationName]})` : '';
			throw optionsError(operation, `unknown option "${name}"${hint}.`);
		}
	}
	const apiKey = credentialText(operation, 'apiKey', o.apiKey);
	const webhook = credentialText(operation, 'webhook', o.webhook);
	const baseUrl = credentialText(operation, 'baseUrl', o.baseUrl);
	if (apiKey !== null && webhook !== null) {
		throw optionsError(operation, 'give "apiKey" (REST) or "webhook" (the inbound webhook), not both.');
	}
	if (apiKey === null && webhook === null) {
		throw optionsError(operation, 'give "apiKey" (REST, e.g. process.env.HUSKYVOICE_API_KEY) or "webhook" (the inbound webhook URL or token).');
	}
	const via: Via = apiKey !== null ? 'rest' : 'webhook';
	const secrets = [apiKey, webhook].filter((s): s is string => s !== null).map((s) => s.trim());
	if (o.signal !== undefined && !isAbortSignal(o.signal)) throw optionsError(operation, '"signal" must be an AbortSignal.');
	if (o.onProgress !== undefined && typeof o.onProgress !== 'function') {
		throw optionsError(operation, '"onProgress" must be a function (done, total, outcome, index).');
	}
	// The core checks both and derives the keys; only the default run id is chosen here.
	const keys = (operation === 'schedule' ? { runId: o.runId ?? `client:${randomUUID()}`, keysFrom: o.keysFrom } : {}) as Pick<RunPlan, 'runId' | 'keysFrom'>;

	// The core's own checks of the credential, the same every request of the run will pass.
	// Its errors never hold a secret.
	let probe;
	try {
		probe =
			via === 'rest'
				? buildCancelRequest({ via, callId: 'credential_check', apiKey, baseUrl })
				: buildCancelRequest({ via, callId: 'credential_check', webhook: webhook ?? '', baseUrl });
	} catch (error) {
		const code = (error as { code?: ErrorCode }).code ?? 'INVALID_OPTIONS';
		throw optionsError(operation, (error as Error).message, code);
	}
	// The pacer key: a digest of what identifies the credential at its gateway, never the secret.
	const endpoint = via === 'rest' ? probe.url.slice(0, probe.url.lastIndexOf('/v1/calls/')) : probe.url;
	if (via === 'webhook') secrets.push(probe.url.slice(probe.url.lastIndexOf('/') + 1));
	const digest = createHash('sha256').update(`${via}\n${endpoint}\n${apiKey ?? ''}`).digest('hex').slice(0, 32);

	const jobOptions: Record<string, unknown> = {
		maxAttempts: o.maxAttempts,
		maxTotalWaitMs: ms(o.maxTotalWaitSeconds),
		timeoutMs: ms(o.timeoutSeconds),
		dryRun: o.dryRun,
	};
	const plan: RunPlan = {
		operation,
		...keys,
		concurrency: o.concurrency as number | undefined,
		requestsPerMinute: o.requestsPerMinute as number | undefined,
		windowMs: o.rateLimitWindowMs as number | undefined,
		stopOnFailure: false,
		seed: Math.floor(Math.random() * 4_294_967_296),
		credentials: [{ key: `${via}:${digest}`, via, apiKey, webhook, baseUrl }],
		options: [jobOptions as RunJobOptions],
		jobs: [],
	};

	// The core checks the run's settings and the per-call options: a one-call run on pacers of
	// its own (nothing is sent) says whether they are valid, so a bad value throws here rather
	// than becoming every call's outcome.
	const probePacers = new Pacers();
	let check: Run | undefined;
	try {
		const probe: RunJob = operation === 'schedule' ? { call: PROBE_CALL } : { callId: 'options_check' };
		check = new Run({ ...plan, jobs: [probe] }, probePacers);
		const item = check.report().items[0];
		if (item && (item.outcome === 'invalid_options' || item.outcome === 'invalid_credential')) {
			throw Object.assign(new Error(item.message), { code: 'INVALID_OPTIONS' });
		}
	} catch (error) {
		const code = (error as { code?: ErrorCode }).code ?? 'INVALID_OPTIONS';
		throw optionsError(operation, inCallerTerms((error as Error).message), code);
	} finally {
		check?.free();
		probePacers.free();
	}

	const jobs: RunJob[] = new Array(inputs.length);
	if (operation === 'schedule') for (let i = 0; i < inputs.length; i++) jobs[i] = { call: inputs[i] as NewCallInput };
	else for (let i = 0; i < inputs.length; i++) jobs[i] = { callId: inputs[i] as unknown };
	plan.jobs = jobs;
	return {
		plan,
		secrets,
		signal: o.signal as AbortSignal | undefined,
		onProgress: o.onProgress as CallProgress | undefined,
	};
}

/** The transport's code for a failure (`ECONNREFUSED`, `ECONNRESET`, `EPROTO`, ...), from the error or its causes. */
function codeOf(error: unknown): string | null {
	let e = error as { code?: unknown; cause?: unknown } | undefined;
	for (let depth = 0; e !== null && typeof e === 'object' && depth < 6; depth++) {
		if (typeof e.code === 'string' && /^[A-Z0-9_]{2,40}$/.test(e.code)) return e.code;
		e = e.cause as typeof e;
	}
	return null;
}

// Keep-alive agents of this process: connections are reused across requests and runs (an idle
// one does not keep the process alive). node:http rather than fetch: fetch costs about twice
// the CPU per request, and with 20 in flight at 20 ms (2,000 cancels on the sandbox) it reached
// about 75 % of the plain-Node floor (bench/floor.mjs) where node:http reaches 90-100 %.
// An idle socket is closed after 4 s (Node's own global agent uses 5 s), before a server's or
// proxy's idle timeout can close it just as a request is written on it (ECONNRESET, a retry).
const agents = {
	http: new http.Agent({ keepAlive: true, timeout: 4_000 }),
	https: new https.Agent({ keepAlive: true, timeout: 4_000 }),
};

interface Origin {
	secure: boolean;
	hostname: string;
	port: string;
}

/** Parsed origins (`https://api.huskyvoice.ai`): a run's requests differ only in their path. */
const origins = new Map<string, Origin>();

/** The request's origin and path, or null for a URL that cannot be parsed. */
function target(href: string): { origin: Origin; path: string } | null {
	const slash = href.indexOf('/', href.indexOf('//') + 2);
	const key = slash < 0 ? href : href.slice(0, slash);
	let origin = origins.get(key);
	if (!origin) {
		let url: URL;
		try {
			url = new URL(key);
		} catch {
			return null;
		}
		origin = {
			secure: url.protocol === 'https:',
			hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
			port: url.port,
		};
		if (origins.size > 100) origins.clear();
		origins.set(key, origin);
	}
	return { origin, path: slash < 0 ? '/' : href.slice(slash) };
}

/**
 * Sends one request: the answer whatever its status (redirects are not followed: a 3xx is
 * the core's `invalid_response`, and the key must not follow it to another host), or the
 * failure to get one. `inFlight` holds a way to give each request up when the run stops.
 */
function send(step: SendStep, inFlight: Set<() => void>): Promise<RunAnswer> {
	return new Promise<RunAnswer>((resolve) => {
		const { request } = step;
		const to = target(request.url);
		if (!to) {
			resolve({ statusCode: null, transportError: 'connection', errorCode: null });
			return;
		}
		let timedOut = false;
		let settled = false;
		let timer: NodeJS.Timeout | undefined;
		const finish = (answer: RunAnswer): void => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			inFlight.delete(giveUp);
			resolve(answer);
		};
		const failed = (error: unknown): void =>
			finish({ statusCode: null, transportError: timedOut ? 'timeout' : 'connection', errorCode: timedOut ? null : codeOf(error) });
		const { secure, hostname, port } = to.origin;
		const req = (secure ? https : http).request(
			{
				method: request.method,
				hostname,
				port: port === '' ? undefined : port,
				path: to.path,
				headers: request.headers,
				agent: secure ? agents.https : agents.http,
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('end', () => {
					const retryAfter = res.headers['retry-after'];
					finish({
						statusCode: res.statusCode ?? 0,
						retryAfter: retryAfter === undefined ? null : String(retryAfter),
						body: Buffer.concat(chunks).toString('utf8'),
						replayed: res.headers['idempotent-replayed'] === 'true',
					});
				});
				res.on('error', failed);
				res.on('close', () => {
					if (!res.complete) failed(Object.assign(new Error('the connection closed mid-answer'), { code: 'ECONNRESET' }));
				});
			},
		);
		const giveUp = (): void => {
			req.destroy();
		};
		timer = setTimeout(() => {
			timedOut = true;
			req.destroy();
		}, step.timeoutMs);
		inFlight.add(giveUp);
		req.on('error', failed);
		req.end(request.body);
	});
}

function sleep(ms: number, wake: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		const done = (): void => {
			clearTimeout(timer);
			wake.removeEventListener('abort', done);
			resolve();
		};
		const timer = setTimeout(done, ms);
		wake.addEventListener('abort', done);
	});
}

/** Runs `operation` over `inputs`: one item per input, in input order. */
async function runCalls<Item extends RunItemBase>(operation: OperationName, inputs: readonly unknown[], options: CallsOptions): Promise<Item[]> {
	const { plan, secrets, signal, onProgress } = prepare(operation, inputs, options);
	const run = new Run(plan, shared);
	const inFlight = new Set<() => void>();
	// The loop's stop signal: the caller's, or a callback that threw.
	const stop = new AbortController();
	const onAbort = (): void => {
		stop.abort();
		for (const giveUp of inFlight) giveUp();
	};
	if (signal?.aborted) onAbort();
	signal?.addEventListener('abort', onAbort);
	let callbackError: { error: unknown } | undefined;
	try {
		const io: DriverIo = {
			send: (step) => send(step, inFlight),
			sleep,
			now: Date.now,
			signal: stop.signal,
		};
		if (onProgress) {
			const total = plan.jobs.length;
			let done = 0;
			const progress = (outcome: ItemOutcome, index: number): void => {
				if (callbackError) return;
				try {
					onProgress(++done, total, outcome, index);
				} catch (error) {
					callbackError = { error };
					onAbort();
				}
			};
			io.onSettled = (item) => progress(item.outcome, item.index);
		}
		const report = await drive(run, io);
		if (callbackError) throw callbackError.error;
		// The plan's one operation: every item is its shape.
		return report.items as unknown as Item[];
	} catch (error) {
		if (error instanceof Error && error !== callbackError?.error) {
			error.message = redactSecrets(error.message, secrets);
			if (error.stack) error.stack = redactSecrets(error.stack, secrets);
		}
		throw error;
	} finally {
		signal?.removeEventListener('abort', onAbort);
		for (const giveUp of inFlight) giveUp();
		run.free();
	}
}

/** The one outcome of a one-item run. */
async function single<Item extends RunItemBase>(operation: OperationName, input: unknown, options: CallsOptions): Promise<Item> {
	const [outcome] = await runCalls<Item>(operation, [input], options);
	if (!outcome) throw optionsError(operation, 'the run reported no outcome.');
	return outcome;
}

/**
 * Schedules every call in `calls` (`agent_id`, `contact_number`, optional `contact_name`,
 * `contact_email`, `additional_info`, `idempotency_key`) and resolves with one outcome per call,
 * in input order. Each call is checked first (an invalid one is outcome `invalid_input`, naming
 * the field and the fix; nothing is sent for it) and carries one Idempotency-Key for all its
 * attempts, so a retried create never makes a second call.
 */
export function scheduleCalls(calls: readonly (NewCallInput | Record<string, unknown>)[], options: ScheduleCallsOptions): Promise<ScheduleOutcome[]> {
	return runCalls<ScheduleOutcome>('schedule', calls, options);
}

/** Schedules one call; see `scheduleCalls`. */
export function scheduleCall(call: NewCallInput | Record<string, unknown>, options: ScheduleCallsOptions): Promise<ScheduleOutcome> {
	return single<ScheduleOutcome>('schedule', call, options);
}

/** Reads each call's status and fields (REST only: the inbound webhook cannot read calls). */
export function getCalls(callIds: readonly unknown[], options: GetCallsOptions): Promise<GetOutcome[]> {
	return runCalls<GetOutcome>('get', callIds, options);
}

/** Reads one call; see `getCalls`. */
export function getCall(callId: unknown, options: GetCallsOptions): Promise<GetOutcome> {
	return single<GetOutcome>('get', callId, options);
}

/**
 * Cancels every call in `callIds` and resolves with one outcome per id, in input order. A bad
 * id is an outcome (`invalid_call_id`; nothing is sent for it), never a thrown error; bad
 * options throw (an `Error` with a `code`) before anything is sent. Requests are paced under
 * `requestsPerMinute` per credential, shared by every call of this client in the process.
 */
export function cancelCalls(callIds: readonly unknown[], options: CancelCallsOptions): Promise<CancelOutcome[]> {
	return runCalls<CancelOutcome>('cancel', callIds, options);
}

/** Cancels one call; see `cancelCalls`. A bad id resolves as outcome `invalid_call_id`. */
export function cancelCall(callId: unknown, options: CancelCallsOptions): Promise<CancelOutcome> {
	return single<CancelOutcome>('cancel', callId, options);
}

/**
 * Deletes the data of every ended call in `callIds` (transcript, recording metadata, contact
 * details): it cannot be undone. A call that has not ended is outcome `not_ended`, with its state.
 */
export function deleteCalls(callIds: readonly unknown[], options: DeleteCallsOptions): Promise<DeleteOutcome[]> {
	return runCalls<DeleteOutcome>('delete', callIds, options);
}

/** Deletes one call's data; see `deleteCalls`. */
export function deleteCall(callId: unknown, options: DeleteCallsOptions): Promise<DeleteOutcome> {
	return single<DeleteOutcome>('delete', callId, options);
}
