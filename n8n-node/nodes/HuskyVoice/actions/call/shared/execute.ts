import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { drive } from '../../../../../core/driver';
import { Run } from '../../../../../core/huskyvoice_core';
import type { OperationName, RunReport } from '../../../../../core/huskyvoice_core';
import { PACERS } from '../../../pacers';
import { n8nIo } from '../../../transport/io';
import { outputItems } from './output';
import { DEFAULT_CALL_ID, parameterReader } from './params';
import { planRun } from './plan';
import type { JobInput } from './plan';

/**
 * The core decides the whole run (validation, pacing, retries, what fails, every message); this
 * reads the parameters, drives the core's run with n8n's HTTP helpers and turns its report into
 * items or an error. Every operation of the Call resource runs through here.
 */
export async function runOperation(
	ctx: IExecuteFunctions,
	operation: OperationName,
	jobInput: (itemIndex: number) => JobInput,
	runId?: string,
): Promise<INodeExecutionData[][]> {
	const node = ctx.getNode();
	const planned = await planRun(ctx, node, ctx.getInputData(), operation, jobInput, runId);
	let run: Run;
	try {
		run = new Run(planned.plan, PACERS);
	} catch (error) {
		throw new NodeOperationError(node, (error as Error).message);
	}
	let report: RunReport;
	try {
		report = await drive(run, n8nIo(ctx, planned.transport, ctx.getExecutionCancelSignal?.()));
	} finally {
		run.free();
	}
	const toErrorOutput = ctx.continueOnFail() && node.onError === 'continueErrorOutput';
	return [outputItems(node, report, toErrorOutput, planned.inputFields)];
}

/** The jobs of get, cancel and delete: each item's Call ID as given. */
export function callIdJobs(ctx: IExecuteFunctions): (itemIndex: number) => JobInput {
	const callId = parameterReader(ctx, ctx.getNode(), ctx.getInputData(), 'callId', DEFAULT_CALL_ID);
	return (i) => ({
		callId: callId.read(i),
		...(callId.field === undefined ? {} : { field: callId.field }),
	});
}
