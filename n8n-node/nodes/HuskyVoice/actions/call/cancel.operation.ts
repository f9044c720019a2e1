import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { callIdJobs, runOperation } from './shared/execute';
import { callIdParameters, optionsCollection, outputOrFail, toolDescriptionParameter } from './shared/options';

export const TOOL_DESCRIPTION =
	'Cancels one HuskyVoice AI voice call that is still queued, so that it is never dialled. Give it the call id (such as call_abc_123). Only a queued call can be cancelled: if the call is already ringing, in progress or finished, the tool answers that it can no longer be cancelled (outcome not_cancellable) and the call goes on. The answer says what happened: outcome cancelled means HuskyVoice confirmed it.';

export const description: INodeProperties[] = [
	toolDescriptionParameter('cancel', TOOL_DESCRIPTION),
	...callIdParameters(
		'cancel',
		'cancel (it must still be queued)',
		'The HuskyVoice call id to cancel, such as call_abc_123 (letters, digits, _ and - only)',
	),
	optionsCollection('cancel', 'cancel', [
		outputOrFail(
			'On Not Cancellable',
			'onNotCancellable',
			'The item comes out with outcome "not_cancellable" and the state the call reached',
			'What to do when the call has already left the queue (initiated, ringing, in progress or ended) and can no longer be cancelled',
		),
	]),
];

/** `POST /v1/calls/{id}/cancel` (or the webhook's `call.cancel`) for every item. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runOperation(this, 'cancel', callIdJobs(this));
}
