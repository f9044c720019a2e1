import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { RunReport } from '../../../../../core/huskyvoice_core';
import { makeError } from './errors';

/**
 * The run's report as n8n output: one item per input item in input order, each the core's
 * output for it (one shape whatever happened). A run the core stopped (no "Continue On Fail")
 * becomes the error of its failing item.
 *
 * Under "Continue (using error output)" n8n moves an item to the error output only when its
 * json holds nothing but `error`, `message` and `details` (an item with `.error` set is
 * routed too, but n8n then replaces its json with `{ error }`: n8n-core's
 * `handleNodeErrorOutput` and `normalizeNodeErrors`, 2.8 to 2.41). So there `message` stays
 * on top, all the fields go in `details`, and n8n adds the input item's fields beside them.
 */
export function outputItems(
	node: INode,
	report: RunReport,
	toErrorOutput: boolean,
	inputFields: Array<IDataObject | undefined>,
): INodeExecutionData[] {
	if (report.aborted) {
		throw new NodeOperationError(node, 'The execution was cancelled', {
			description: `No further HuskyVoice requests were sent. ${report.done}`,
		});
	}
	if (report.failure) {
		const { failure } = report;
		throw makeError(
			node,
			{
				...failure,
				description: `${failure.description} Use "On Error: Continue" to get one output item per call.`,
			},
			failure.itemIndex,
		);
	}
	return report.items.map((item, i): INodeExecutionData => {
		const own = item as unknown as IDataObject;
		const input = inputFields[i];
		const json = input === undefined ? own : { ...input, ...own };
		if (toErrorOutput && item.error !== undefined) {
			// n8n adds the input item's fields itself on the error output.
			return {
				json: { error: item.error, message: item.message, details: own },
				pairedItem: { item: i },
			};
		}
		return { json, pairedItem: { item: i } };
	});
}
