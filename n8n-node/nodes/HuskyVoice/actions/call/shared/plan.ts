import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

import type {
	OperationName,
	RunCredential,
	RunJob,
	RunJobOptions,
	Via,
} from '../../../../../core/huskyvoice_core';
import { readCredential } from './credentials';
import { includesInputFields, jobOptions, parameterReader, runOptions } from './params';
import type { CredentialTransport, PlannedRun } from './types';

/** What one operation puts in its jobs: the call id or the call to create, as the item gives it. */
export type JobInput = Pick<RunJob, 'callId' | 'call' | 'field'>;

/**
 * The run the core will decide: one job per item (its input as given, its credential and
 * options), the credentials once each, and the run-wide settings from the first item. Nothing
 * is validated here: the core names every bad value.
 */
export async function planRun(
	ctx: IExecuteFunctions,
	node: INode,
	items: INodeExecutionData[],
	operation: OperationName,
	jobInput: (itemIndex: number) => JobInput,
	runId?: string,
): Promise<PlannedRun> {
	const authentication = parameterReader(ctx, node, items, 'authentication', 'apiKey');
	const optionsParam = parameterReader(ctx, node, items, 'options', {});

	const credentials: RunCredential[] = [];
	const transport: CredentialTransport[] = [];
	const credentialIndex: Partial<Record<Via, number>> = {};
	const options: RunJobOptions[] = [];
	const jobs: RunJob[] = new Array(items.length);
	const inputFields: Array<IDataObject | undefined> = new Array(items.length);
	let lastRaw: unknown;
	let firstRaw: unknown;
	for (let i = 0; i < items.length; i++) {
		const via: Via = authentication.read(i) === 'webhook' ? 'webhook' : 'rest';
		let credential = credentialIndex[via];
		if (credential === undefined) {
			const read = await readCredential(ctx, node, via, i);
			credential = credentials.push(read.credential) - 1;
			transport.push(read.transport);
			credentialIndex[via] = credential;
		}
		// Items usually share one options object: one entry for a run of equal ones.
		const raw = optionsParam.read(i);
		if (i === 0) firstRaw = raw;
		if (includesInputFields(raw)) inputFields[i] = items[i].json;
		if (options.length === 0 || raw !== lastRaw) {
			options.push(jobOptions(raw));
			lastRaw = raw;
		}
		jobs[i] = { ...jobInput(i), credential, options: options.length - 1 };
	}
	const first = runOptions(firstRaw);
	return {
		plan: {
			operation,
			...(runId === undefined ? {} : { runId }),
			...first,
			stopOnFailure: !ctx.continueOnFail(),
			seed: Math.floor(Math.random() * 4_294_967_296),
			credentials: credentials.length > 0 ? credentials : [{ via: 'rest' }],
			options,
			jobs,
		},
		transport,
		inputFields,
	};
}
