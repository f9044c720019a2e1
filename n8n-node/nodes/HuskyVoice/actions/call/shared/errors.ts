import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/** The n8n error for a failed item or run: `NodeApiError` when HuskyVoice answered. */
export function makeError(
	node: INode,
	failure: { message: string; description?: string; httpStatus: number | null },
	itemIndex: number,
): NodeApiError | NodeOperationError {
	const description = failure.description ?? '';
	if (failure.httpStatus !== null) {
		const httpCode = String(failure.httpStatus);
		const error = new NodeApiError(node, { message: failure.message, httpCode } as JsonObject, {
			message: failure.message,
			description,
			httpCode,
			itemIndex,
		});
		// n8n's errors swap in a generic text when the message happens to contain an error code
		// such as ECONNRESET; the core's message is the precise one.
		error.message = failure.message;
		return error;
	}
	const error = new NodeOperationError(node, failure.message, { itemIndex, description });
	error.message = failure.message;
	return error;
}
