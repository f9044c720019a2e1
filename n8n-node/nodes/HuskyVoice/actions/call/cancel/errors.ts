import type { IDataObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { Output } from './types';

// ---------------------------------------------------------------------------------------------
// Errors

export function plural(n: number, word: string): string {
	return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function makeError(
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
export function failedItemJson(
	output: Output,
	description: string,
	toErrorOutput: boolean,
): IDataObject {
	if (toErrorOutput) return { error: output.message, details: { ...output, description } };
	return { ...output, error: output.message, description };
}
