import type { IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { DriverIo } from '../../../core/driver';
import type { CredentialTransport } from '../actions/call/shared/types';
import { sendRequest } from './request';

/** The driver loop's I/O inside n8n: its HTTP helpers, its sleep, its cancel signal. */
export function n8nIo(
	ctx: IExecuteFunctions,
	transport: CredentialTransport[],
	signal: AbortSignal | undefined,
): DriverIo {
	return {
		send: async (step) =>
			await sendRequest.call(ctx, step, transport[step.credential]?.additional, signal),
		sleep: async (ms, wake) => await sleep(ms, wake),
		now: () => Date.now(),
		signal,
	};
}
