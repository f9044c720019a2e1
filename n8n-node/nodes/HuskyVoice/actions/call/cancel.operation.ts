import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { drive } from '../../../../core/driver';
import { Run } from '../../../../core/huskyvoice_core';
import type { RunReport } from '../../../../core/huskyvoice_core';
import { PACERS } from '../../pacers';
import { n8nIo } from '../../transport/io';
import { outputItems } from './cancel/output';
import { DEFAULT_CALL_ID, TOOL_CALL_ID, TOOL_DESCRIPTION } from './cancel/params';
import { planRun } from './cancel/plan';

/** Shown only when the node is an AI agent's tool (n8n lists the tool variant as `…Tool`). */
const tool = { '@tool': [true] };

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
			hide: tool,
		},
	},
	// As a tool, the model gives the call id: n8n's $fromAI asks it for one, described.
	{
		displayName: 'Call ID',
		name: 'callId',
		type: 'string',
		required: true,
		default: TOOL_CALL_ID,
		placeholder: 'call_abc_123',
		description: 'ID of the queued call to cancel; by default the AI model fills it in',
		displayOptions: {
			show: {
				resource: ['call'],
				operation: ['cancel'],
				...tool,
			},
		},
	},
	{
		displayName: 'Tool Description',
		name: 'toolDescription',
		type: 'string',
		typeOptions: { rows: 3 },
		default: TOOL_DESCRIPTION,
		description: 'What the AI model is told this tool does',
		displayOptions: { show: tool },
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
				displayOptions: { hide: tool },
				description:
					'How many cancel requests may be in flight at once. Items still come out in input order. One value for the whole run: if it differs between items, the first item\'s is used.',
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
				displayName: 'Include Input Fields',
				name: 'includeInputFields',
				type: 'boolean',
				default: false,
				description:
					"Whether to put the input item's fields next to the cancel's own in the output (a CRM ID beside the call ID, say); on a clash the cancel's field wins",
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
					'The longest one call may wait in total between retries after server errors (5xx, timeouts); past it the item fails. Waiting for the rate limit does not count.',
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
				displayName: 'Rate Limit Window (Seconds)',
				name: 'rateLimitWindowSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 60,
				displayOptions: { hide: tool },
				description:
					'The window Requests per Minute is counted in. HuskyVoice counts 60 seconds; change it only for a gateway that counts differently. One value for the whole run.',
			},
			{
				displayName: 'Requests per Minute',
				name: 'requestsPerMinute',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 60,
				displayOptions: { hide: tool },
				description:
					'The most requests sent with one credential in any minute, across every execution on this n8n instance: HuskyVoice allows 60 per API key. A long list then keeps to the limit instead of being refused (500 calls take about 8 minutes). 0 turns pacing off. One value for the whole run.',
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

/**
 * The core decides the whole run (validation, pacing, retries, what fails, every message); this
 * reads the parameters, drives the core's run with n8n's HTTP helpers and turns its report into
 * items or an error.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const node = this.getNode();
	const planned = await planRun(this, node, this.getInputData());
	let run: Run;
	try {
		run = new Run(planned.plan, PACERS);
	} catch (error) {
		throw new NodeOperationError(node, (error as Error).message);
	}
	let report: RunReport;
	try {
		report = await drive(run, n8nIo(this, planned.transport, this.getExecutionCancelSignal?.()));
	} finally {
		run.free();
	}
	const toErrorOutput = this.continueOnFail() && node.onError === 'continueErrorOutput';
	return [outputItems(node, report, toErrorOutput, planned.inputFields)];
}
