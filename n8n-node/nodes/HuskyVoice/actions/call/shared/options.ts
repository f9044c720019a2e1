import type { INodeProperties } from 'n8n-workflow';

// The Options every operation of the Call resource shares (pacing, retries, dry run, input
// fields), worded for the operation's own request. Each operation adds its own beside them.

/** Shown only when the node is an AI agent's tool (n8n lists the tool variant as `…Tool`). */
export const TOOL = { '@tool': [true] };

/**
 * An "On Not …" option: whether an answer that settles the item without doing what was asked
 * (the call has moved on, or is not there) comes out as an item or fails it.
 */
export function outputOrFail(
	displayName: string,
	name: string,
	whenOutput: string,
	description: string,
): INodeProperties {
	return {
		displayName,
		name,
		type: 'options',
		options: [
			{ name: 'Output the Item', value: 'output', description: whenOutput },
			{
				name: 'Fail the Item',
				value: 'error',
				description: 'Treat it as an error (error output with "On Error: Continue")',
			},
		],
		default: 'output',
		description,
	};
}

/** The Options collection of `operation`: the shared entries and `extra`, sorted by name. */
export function optionsCollection(
	operation: string,
	request: string,
	extra: INodeProperties[] = [],
): INodeProperties {
	const shared: INodeProperties[] = [
		{
			displayName: 'Concurrency',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 100 },
			default: 5,
			displayOptions: { hide: TOOL },
			description: `How many ${request} requests may be in flight at once. Items still come out in input order. One value for the whole run: if it differs between items, the first item's is used.`,
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
				"Whether to put the input item's fields next to the node's own in the output (a CRM ID beside the call ID, say); on a clash the node's field wins",
		},
		{
			displayName: 'Max Attempts',
			name: 'maxAttempts',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 10 },
			default: 3,
			description:
				'Attempts per item, the first included, when HuskyVoice rate limits (429) or fails (5xx, timeout, dropped connection). Other answers are never retried.',
		},
		{
			displayName: 'Max Total Wait (Seconds)',
			name: 'maxTotalWaitSeconds',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 30,
			description:
				'The longest one item may wait in total between retries after server errors (5xx, timeouts); past it the item fails. Waiting for the rate limit does not count.',
		},
		{
			displayName: 'Rate Limit Window (Seconds)',
			name: 'rateLimitWindowSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 60,
			displayOptions: { hide: TOOL },
			description:
				'The window Requests per Minute is counted in. HuskyVoice counts 60 seconds; change it only for a gateway that counts differently. One value for the whole run.',
		},
		{
			displayName: 'Requests per Minute',
			name: 'requestsPerMinute',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 60,
			displayOptions: { hide: TOOL },
			description:
				'The most requests sent with one credential in any minute, across every execution and operation on this n8n instance: HuskyVoice allows 60 per API key. A long list then keeps to the limit instead of being refused (500 items take about 8 minutes). 0 turns pacing off. One value for the whole run.',
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
	];
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { resource: ['call'], operation: [operation] } },
		options: [...shared, ...extra].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

/** The Call ID parameter of `operation`, and its variant for an AI agent's tool ($fromAI). */
export function callIdParameters(operation: string, purpose: string, toolPrompt: string): INodeProperties[] {
	const show = { resource: ['call'], operation: [operation] };
	return [
		{
			displayName: 'Call ID',
			name: 'callId',
			type: 'string',
			required: true,
			default: '={{ $json.call_id }}',
			placeholder: 'call_abc_123',
			description: `ID of the call to ${purpose}`,
			hint: 'A HuskyVoice call ID such as call_abc_123: 1 to 128 letters, digits, _ or - (surrounding spaces are trimmed)',
			displayOptions: { show, hide: TOOL },
		},
		// As a tool, the model gives the call id: n8n's $fromAI asks it for one, described.
		{
			displayName: 'Call ID',
			name: 'callId',
			type: 'string',
			required: true,
			default: `={{ $fromAI('callId', '${toolPrompt}', 'string') }}`,
			placeholder: 'call_abc_123',
			description: `ID of the call to ${purpose}; by default the AI model fills it in`,
			displayOptions: { show: { ...show, ...TOOL } },
		},
	];
}

/** What the AI model is told `operation` does, when the node is an agent's tool. */
export function toolDescriptionParameter(operation: string, text: string): INodeProperties {
	return {
		displayName: 'Tool Description',
		name: 'toolDescription',
		type: 'string',
		typeOptions: { rows: 3 },
		default: text,
		description: 'What the AI model is told this tool does',
		displayOptions: { show: { resource: ['call'], operation: [operation], ...TOOL } },
	};
}
