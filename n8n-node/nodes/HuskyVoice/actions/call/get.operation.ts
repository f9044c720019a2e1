import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { callIdJobs, runOperation } from './shared/execute';
import { callIdParameters, optionsCollection, toolDescriptionParameter } from './shared/options';

export const TOOL_DESCRIPTION =
	'Looks up one HuskyVoice AI voice call by its id (such as call_abc_123) and tells its current status (queued, ringing, in_progress, completed, failed, cancelled, ...) and its fields. Outcome found means the call exists; not_found means HuskyVoice has no call with that id.';

export const description: INodeProperties[] = [
	toolDescriptionParameter('get', TOOL_DESCRIPTION),
	{
		displayName:
			'Get reads a call through the REST API, so it needs the API key credential (a key with the calls:read scope): the inbound webhook has no action that reads a call. Choose a HuskyVoice API credential above (Authentication: API Key).',
		name: 'getNeedsApiKey',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['call'], operation: ['get'], authentication: ['webhook'] } },
	},
	...callIdParameters(
		'get',
		'look up',
		'The HuskyVoice call id to look up, such as call_abc_123 (letters, digits, _ and - only)',
	),
	optionsCollection('get', 'get'),
];

/** `GET /v1/calls/{id}` for every item: found (status and fields) or not_found. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runOperation(this, 'get', callIdJobs(this));
}
