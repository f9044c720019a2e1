import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as call from './call/Call.resource';

type Execute = (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>;

const CALL_OPERATIONS: Record<string, Execute> = {
	schedule: call.schedule.execute,
	get: call.get.execute,
	cancel: call.cancel.execute,
	delete: call.delete.execute,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	// Both are `noDataExpression` choices that pick the code path; they cannot differ per item.
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;

	const execute = resource === 'call' ? CALL_OPERATIONS[operation] : undefined;
	if (execute) return await execute.call(this);
	throw new NodeOperationError(
		this.getNode(),
		`The operation "${operation}" of resource "${resource}" is not supported`,
	);
}
