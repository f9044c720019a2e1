import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { callIdJobs, runOperation } from './shared/execute';
import { callIdParameters, optionsCollection, outputOrFail, toolDescriptionParameter } from './shared/options';

export const TOOL_DESCRIPTION =
	"Permanently deletes the personal data of one ended HuskyVoice call (transcript, recording metadata, contact details); this cannot be undone. Give it the call id (such as call_abc_123). Only ended calls (completed, failed, cancelled, disallowed) can be deleted: a call that has not ended answers not_ended and nothing is deleted. Outcome deleted means HuskyVoice confirmed it.";

export const description: INodeProperties[] = [
	toolDescriptionParameter('delete', TOOL_DESCRIPTION),
	{
		displayName:
			"Delete erases the call's personal data (transcript, recording metadata, contact details) for good. It cannot be undone, and only ended calls can be deleted.",
		name: 'deleteWarning',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['call'], operation: ['delete'] } },
	},
	...callIdParameters(
		'delete',
		'delete (it must have ended)',
		'The id of the ended HuskyVoice call whose data to delete for good, such as call_abc_123',
	),
	optionsCollection('delete', 'delete', [
		outputOrFail(
			'On Not Ended',
			'onNotEnded',
			'The item comes out with outcome "not_ended" and the state the call is in',
			'What to do when the call has not ended yet (queued, ringing, in progress), so its data cannot be deleted',
		),
		outputOrFail(
			'On Not Found',
			'onNotFound',
			'The item comes out with outcome "not_found": there is nothing to delete',
			"What to do when there is no ended call with this ID: a wrong ID, another account's call, or one whose data is already deleted (a repeat delete)",
		),
	]),
];

/** `DELETE /v1/calls/{id}` (or the webhook's `call.delete`) for every item. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runOperation(this, 'delete', callIdJobs(this));
}
