import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as call from './call/Call.resource';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	// Both are `noDataExpression` choices that pick the code path; they cannot differ per item.
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;

	if (resource === 'call' && operation === 'cancel') {
		return await call.cancel.execute.call(this);
	}
	throw new NodeOperationError(
		this.getNode(),
		`The operation "${operation}" of resource "${resource}" is not supported`,
	);
}
