import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
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
	Via,
} from '../../../../core/huskyvoice_core';
import { sendCancelRequest } from '../../transport/request';
import type { RawResponse } from '../../transport/request';
import { cancelOptions, displayCallId, readCredential } from './cancel/credentials';
import { failedItemJson, makeError, plural } from './cancel/errors';
import { DEFAULT_CALL_ID, normaliseOptions, parameterReader } from './cancel/params';
import { FAILING_OUTCOMES } from './cancel/types';
import type { Credential, Options, Output, Plan } from './cancel/types';

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
			error.description =
				`${error.description ?? ''} ${summary}; ${plural(notSent, 'item')} ${notSent === 1 ? 'was' : 'were'} not sent. Use "On Error: Continue" to get one output item per call.`.trim();
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
			else
				why = `another wait would exceed Max Total Wait (${(policy.maxTotalWaitMs ?? 0) / 1000} s)`;
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
