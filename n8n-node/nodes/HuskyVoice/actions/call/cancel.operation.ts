import type {
	IAdditionalCredentialOptions,
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeProperties,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import {
	buildCancelRequests,
	interpretCancelResponse,
	redactSecrets,
	retryDelayMs,
} from '../../../../core/huskyvoice_core';
import type {
	CancelOptions,
	CancelRequest,
	CancelResult,
	RetryPolicy,
	Via,
} from '../../../../core/huskyvoice_core';
import { API_CREDENTIAL, sendCancelRequest, WEBHOOK_CREDENTIAL } from '../../transport/request';
import type { RawResponse } from '../../transport/request';

const DEFAULT_CALL_ID = '={{ $json.call_id }}';

export const description: INodeProperties[] = [
	{
		displayName: 'Call ID',
		name: 'callId',
		type: 'string',
		required: true,
		default: DEFAULT_CALL_ID,
		placeholder: 'call_abc_123',
		description: 'ID of the queued call to cancel',
		hint: 'A HuskyVoice call ID such as call_abc_123: 1 to 128 letters, digits, _ or - (surrounding spaces are trimmed)',
		displayOptions: {
			show: {
				resource: ['call'],
				operation: ['cancel'],
			},
		},
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: {
			show: {
				resource: ['call'],
				operation: ['cancel'],
			},
		},
		options: [
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 100 },
				default: 5,
				description:
					'How many cancel requests may be in flight at once. Items still come out in input order. Read from the first item.',
			},
			{
				displayName: 'Dry Run',
				name: 'dryRun',
				type: 'boolean',
				default: false,
				description:
					'Whether to only validate the item and show the request that would be sent (secrets redacted), without sending anything',
			},
			{
				displayName: 'Max Attempts',
				name: 'maxAttempts',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 10 },
				default: 3,
				description:
					'Attempts per call, the first included, when HuskyVoice rate limits (429) or fails (5xx, timeout, dropped connection). Other answers are never retried.',
			},
			{
				displayName: 'Max Total Wait (Seconds)',
				name: 'maxTotalWaitSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 30,
				description:
					'The longest one call may wait between its retries in total, Retry-After included; past it the item fails',
			},
			{
				displayName: 'On Not Cancellable',
				name: 'onNotCancellable',
				type: 'options',
				options: [
					{
						name: 'Output the Item',
						value: 'output',
						description:
							'The item comes out with outcome "not_cancellable" and the state the call reached',
					},
					{
						name: 'Fail the Item',
						value: 'error',
						description: 'Treat it as an error (error output with "On Error: Continue")',
					},
				],
				default: 'output',
				description:
					'What to do when the call has already left the queue (initiated, ringing, in progress or ended) and can no longer be cancelled',
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeoutSeconds',
				type: 'number',
				typeOptions: { minValue: 0.1 },
				default: 30,
				description:
					'How long to wait for an answer to one request; a timeout counts as a failed attempt and is retried',
			},
		],
	},
];

type OnNotCancellable = 'output' | 'error';

interface Options {
	onNotCancellable: OnNotCancellable;
	dryRun: boolean;
	concurrency: number;
	timeoutMs: number;
	policy: RetryPolicy;
	maxAttempts: number;
}

interface Credential {
	data: ICredentialDataDecryptedObject;
	/** Passed to `httpRequestWithAuthentication` so n8n does not decrypt again per request. */
	additional: IAdditionalCredentialOptions | undefined;
	/** Values that must never be shown (API key; webhook URL and token). */
	secrets: string[];
}

/** What a user sees on an output item. */
interface Output extends IDataObject {
	callId: string | null;
	outcome: string;
	cancelled: boolean;
	callStatus: string | null;
	message: string;
	httpStatus: number | null;
	via: Via;
	attempts: number;
}

interface Plan {
	via: Via;
	callId: string | null;
	options: Options;
	credential: Credential;
	request?: CancelRequest;
}

/** Outcomes that fail the item (besides not_cancellable with onNotCancellable = error). */
const FAILING_OUTCOMES = new Set([
	'not_found',
	'unauthorized',
	'forbidden',
	'rate_limited',
	'server_error',
	'invalid_response',
]);

// ---------------------------------------------------------------------------------------------
// Parameters. Every parameter is read per item, but a value that cannot differ between items
// (no expression in it) is read once, and the default `={{ $json.call_id }}` (or any
// `={{ $json.field }}`) is read straight from the item's json: n8n would otherwise run its
// expression engine once per item, which costs more than the whole cancel request.

const JSON_FIELD_EXPRESSION =
	/^=\s*\{\{\s*\$json\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*(["'])([^"'\\]*)\2\s*\])\s*\}\}\s*$/;

function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

function parameterReader(
	ctx: IExecuteFunctions,
	node: INode,
	items: INodeExecutionData[],
	name: string,
	fallback: unknown,
): (itemIndex: number) => unknown {
	const raw = node.parameters[name] === undefined ? fallback : node.parameters[name];
	if (!hasExpression(raw)) return () => raw;
	if (typeof raw === 'string') {
		const match = JSON_FIELD_EXPRESSION.exec(raw);
		if (match) {
			const field = match[1] ?? match[3];
			return (itemIndex) => items[itemIndex]?.json?.[field];
		}
	}
	return (itemIndex) => ctx.getNodeParameter(name, itemIndex, fallback);
}

function numberOption(value: unknown, fallback: number, min: number, max: number): number {
	const n = typeof value === 'number' ? value : Number(value);
	if (value === undefined || value === null || value === '' || !Number.isFinite(n)) return fallback;
	return Math.min(max, Math.max(min, n));
}

function normaliseOptions(raw: unknown): Options {
	const o = (raw !== null && typeof raw === 'object' ? raw : {}) as IDataObject;
	const maxAttempts = Math.floor(numberOption(o.maxAttempts, 3, 1, 10));
	const maxTotalWaitMs = Math.round(numberOption(o.maxTotalWaitSeconds, 30, 0, 86_400) * 1000);
	return {
		onNotCancellable: o.onNotCancellable === 'error' ? 'error' : 'output',
		dryRun: o.dryRun === true || o.dryRun === 'true',
		concurrency: Math.floor(numberOption(o.concurrency, 5, 1, 100)),
		timeoutMs: Math.round(numberOption(o.timeoutSeconds, 30, 0.1, 3_600) * 1000),
		policy: { maxAttempts, maxTotalWaitMs },
		maxAttempts,
	};
}

// ---------------------------------------------------------------------------------------------
// Credentials: read (and decrypted) once per credential type and execution.

function webhookToken(webhook: string): string | undefined {
	const match = /\/hooks\/([^/?#\s]+)/.exec(webhook);
	return match ? match[1] : undefined;
}

async function readCredential(
	ctx: IExecuteFunctions,
	node: INode,
	via: Via,
	itemIndex: number,
): Promise<Credential> {
	const type = via === 'rest' ? API_CREDENTIAL : WEBHOOK_CREDENTIAL;
	const data = await ctx.getCredentials<ICredentialDataDecryptedObject>(type, itemIndex);
	const secrets: string[] = [];
	const push = (value: unknown) => {
		const s = typeof value === 'string' ? value.trim() : '';
		if (s.length > 0 && !secrets.includes(s)) secrets.push(s);
	};
	let additional: IAdditionalCredentialOptions | undefined;
	if (via === 'rest') {
		push(data.apiKey);
		const ref = node.credentials?.[type];
		if (ref?.id) {
			additional = { credentialsDecrypted: { id: ref.id, name: ref.name, type, data } };
		}
	} else {
		const webhook = typeof data.webhook === 'string' ? data.webhook.trim() : '';
		push(webhookToken(webhook));
		push(webhook);
	}
	return { data, additional, secrets };
}

function text(value: unknown): string | null {
	return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function cancelOptions(plan: Plan, rawCallId: unknown): CancelOptions {
	const { data } = plan.credential;
	// The core validates the call id's type too (a number or null gets a clear message).
	const callId = rawCallId as string;
	if (plan.via === 'rest') {
		const apiKey = text(data.apiKey);
		return {
			via: 'rest',
			callId,
			baseUrl: text(data.baseUrl),
			// The credential's `authenticate` adds the header to real requests; a dry run shows it redacted.
			...(plan.options.dryRun && apiKey !== null ? { apiKey, redact: true } : {}),
		};
	}
	return {
		via: 'webhook',
		callId,
		webhook: typeof data.webhook === 'string' ? data.webhook : '',
		baseUrl: text(data.baseUrl),
		redact: plan.options.dryRun,
	};
}

function displayCallId(raw: unknown): string | null {
	if (raw === undefined || raw === null) return null;
	return typeof raw === 'string' ? raw : JSON.stringify(raw);
}

// ---------------------------------------------------------------------------------------------
// Errors

function plural(n: number, word: string): string {
	return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function makeError(
	node: INode,
	output: Output,
	itemIndex: number,
	description: string,
): NodeApiError | NodeOperationError {
	if (output.httpStatus !== null) {
		const httpCode = String(output.httpStatus);
		const error = new NodeApiError(node, { message: output.message, httpCode } as JsonObject, {
			message: output.message,
			description,
			httpCode,
			itemIndex,
		});
		// NodeApiError swaps in a generic text when the message happens to contain an error code
		// such as EPERM; the core's message is the precise one.
		error.message = output.message;
		return error;
	}
	return new NodeOperationError(node, output.message, { itemIndex, description });
}

/** The item for "Continue On Fail": n8n's error output takes json holding only error/message/details. */
function failedItemJson(output: Output, description: string, toErrorOutput: boolean): IDataObject {
	if (toErrorOutput) return { error: output.message, details: { ...output, description } };
	return { ...output, error: output.message, description };
}

// ---------------------------------------------------------------------------------------------

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const node = this.getNode();
	const count = items.length;
	const continueOnFail = this.continueOnFail();
	const toErrorOutput = node.onError === 'continueErrorOutput';
	const abortSignal = this.getExecutionCancelSignal?.();

	const readAuthentication = parameterReader(this, node, items, 'authentication', 'apiKey');
	const readCallId = parameterReader(this, node, items, 'callId', DEFAULT_CALL_ID);
	const readOptions = parameterReader(this, node, items, 'options', {});

	// 1. Parameters per item, credentials once per type, then every request built in one call
	//    into the core (validation included).
	const credentials: Partial<Record<Via, Credential>> = {};
	const plans: Plan[] = new Array(count);
	const rawCallIds: unknown[] = new Array(count);
	const requests: CancelOptions[] = new Array(count);
	let lastRawOptions: unknown;
	let lastOptions: Options | undefined;
	for (let i = 0; i < count; i++) {
		const via: Via = readAuthentication(i) === 'webhook' ? 'webhook' : 'rest';
		const credential =
			credentials[via] ?? (credentials[via] = await readCredential(this, node, via, i));
		const rawOptions = readOptions(i);
		if (lastOptions === undefined || rawOptions !== lastRawOptions) {
			lastOptions = normaliseOptions(rawOptions);
			lastRawOptions = rawOptions;
		}
		const rawCallId = readCallId(i);
		const plan: Plan = { via, callId: null, options: lastOptions, credential };
		plans[i] = plan;
		rawCallIds[i] = rawCallId;
		requests[i] = cancelOptions(plan, rawCallId);
	}
	const built = buildCancelRequests(requests);

	const results: IDataObject[] = new Array(count);
	const network: number[] = [];
	// The earliest failing item (without "Continue On Fail"): its error fails the run.
	const failure: { first?: { index: number; error: NodeApiError | NodeOperationError } } = {};
	const fail = (index: number, output: Output, description: string) => {
		const secrets = plans[index].credential.secrets;
		output.message = redactSecrets(output.message, secrets);
		const safeDescription = redactSecrets(description, secrets);
		if (continueOnFail) {
			results[index] = failedItemJson(output, safeDescription, toErrorOutput);
		} else if (failure.first === undefined || index < failure.first.index) {
			failure.first = { index, error: makeError(node, output, index, safeDescription) };
		}
	};
	// A failed run outputs no items, so its error must say what was already done: a cancel that
	// succeeded before the failure is real and must not be lost from the record.
	const throwFirstFailure = () => {
		if (failure.first === undefined) return;
		const { error, index } = failure.first;
		const cancelledIds: string[] = [];
		let notSent = 0;
		for (const i of network) {
			const r = results[i];
			if (r === undefined) {
				if (i !== index) notSent++;
			} else if (r.cancelled === true) {
				cancelledIds.push(String(r.callId));
			}
		}
		if (network.length > 0) {
			const shown = cancelledIds.slice(0, 20).join(', ');
			const more = cancelledIds.length > 20 ? ` and ${cancelledIds.length - 20} more` : '';
			const summary =
				cancelledIds.length === 0
					? 'No call was cancelled before the run failed'
					: `Before the run failed, ${plural(cancelledIds.length, 'call')} ${cancelledIds.length === 1 ? 'was' : 'were'} cancelled: ${shown}${more}`;
			error.description = `${error.description ?? ''} ${summary}; ${plural(notSent, 'item')} ${notSent === 1 ? 'was' : 'were'} not sent. Use "On Error: Continue" to get one output item per call.`.trim();
		}
		throw error;
	};

	for (let i = 0; i < count; i++) {
		const plan = plans[i];
		const result = built[i];
		if (!result.ok) {
			fail(
				i,
				{
					callId: displayCallId(rawCallIds[i]),
					outcome: result.error.code.toLowerCase(),
					cancelled: false,
					callStatus: null,
					message: result.error.message,
					httpStatus: null,
					via: plan.via,
					attempts: 0,
				},
				`Item ${i}: nothing was sent to HuskyVoice for this item (${result.error.code}).`,
			);
			continue;
		}
		plan.callId = String(rawCallIds[i]).trim();
		if (plan.options.dryRun) {
			const { method, url, headers, body } = result.request;
			results[i] = {
				callId: plan.callId,
				outcome: 'dry_run',
				cancelled: false,
				callStatus: null,
				message: `Dry run: call ${plan.callId} is valid; nothing was sent. "request" shows what would be sent, secrets redacted.`,
				httpStatus: null,
				via: plan.via,
				attempts: 0,
				request: body === undefined ? { method, url, headers } : { method, url, headers, body },
			};
			continue;
		}
		plan.request = result.request;
		network.push(i);
	}
	// A bad item fails the run before anything is sent.
	throwFirstFailure();

	// 2. Send with bounded concurrency; results land at their input index, so order is kept.
	let stopped = false;
	const settle = (index: number, result: CancelResult, attempts: number, raw: RawResponse) => {
		const plan = plans[index];
		const output: Output = {
			callId: plan.callId,
			outcome: result.outcome,
			cancelled: result.outcome === 'cancelled',
			callStatus: result.callStatus ?? null,
			message: result.message,
			httpStatus: result.httpStatus,
			via: plan.via,
			attempts,
		};
		const failing =
			FAILING_OUTCOMES.has(result.outcome) ||
			(result.outcome === 'not_cancellable' && plan.options.onNotCancellable === 'error');
		if (!failing) {
			results[index] = output;
			return;
		}
		if (result.retryable) {
			const { maxAttempts, policy } = plan.options;
			let why: string;
			if (attempts >= maxAttempts) why = `Max Attempts is ${maxAttempts}`;
			else if (stopped) why = 'another item failed the run';
			else why = `another wait would exceed Max Total Wait (${(policy.maxTotalWaitMs ?? 0) / 1000} s)`;
			output.message = `${output.message} Gave up after ${plural(attempts, 'attempt')}: ${why}.`;
		}
		const facts = [
			`Call ID ${plan.callId}`,
			`outcome ${result.outcome}`,
			result.httpStatus === null ? 'no HTTP response' : `HTTP ${result.httpStatus}`,
			`${plural(attempts, 'attempt')} via ${plan.via === 'rest' ? 'the REST API' : 'the inbound webhook'}`,
		];
		if (raw.transportError) {
			facts.push(
				`last transport error: ${[raw.errorCode, raw.errorMessage].filter(Boolean).join(' ') || raw.transportError}`,
			);
		}
		fail(index, output, `${facts.join('; ')}.`);
		if (!continueOnFail) stopped = true;
	};

	const cancelled = () =>
		new NodeOperationError(node, 'The execution was cancelled', {
			description: 'No further HuskyVoice requests were sent.',
		});

	const cancelOne = async (index: number) => {
		const plan = plans[index];
		const request = plan.request as CancelRequest;
		const { secrets, additional } = plan.credential;
		let attempts = 0;
		let waitedMs = 0;
		for (;;) {
			attempts++;
			const raw = await sendCancelRequest.call(
				this,
				plan.via,
				request,
				plan.options.timeoutMs,
				additional,
				abortSignal,
			);
			const result = interpretCancelResponse({
				via: plan.via,
				callId: plan.callId as string,
				statusCode: raw.statusCode,
				headers: raw.headers,
				body: raw.body,
				transportError: raw.transportError ?? null,
				secrets,
			});
			if (result.retryable && !stopped) {
				const delay = retryDelayMs(result, attempts, plan.options.policy, waitedMs);
				if (delay !== null) {
					try {
						await sleep(delay, abortSignal);
					} catch {
						throw cancelled();
					}
					if (abortSignal?.aborted) throw cancelled();
					waitedMs += delay;
					continue;
				}
			}
			settle(index, result, attempts, raw);
			return;
		}
	};

	if (network.length > 0) {
		const concurrency = Math.min(plans[network[0]].options.concurrency, network.length);
		let next = 0;
		const worker = async () => {
			while (next < network.length && !stopped) {
				const index = network[next++];
				await cancelOne(index);
			}
		};
		const workers: Array<Promise<void>> = [];
		for (let w = 0; w < concurrency; w++) workers.push(worker());
		await Promise.all(workers);
	}
	throwFirstFailure();

	const returnData: INodeExecutionData[] = new Array(count);
	for (let i = 0; i < count; i++) {
		returnData[i] = { json: results[i], pairedItem: { item: i } };
	}
	return [returnData];
}
