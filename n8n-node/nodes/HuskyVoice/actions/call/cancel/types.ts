// Shapes shared by the Cancel Call operation's parts.
import type {
	IAdditionalCredentialOptions,
	ICredentialDataDecryptedObject,
	IDataObject,
} from 'n8n-workflow';

import type { CancelRequest, RetryPolicy, Via } from '../../../../../core/huskyvoice_core';

export type OnNotCancellable = 'output' | 'error';

export interface Options {
	onNotCancellable: OnNotCancellable;
	dryRun: boolean;
	concurrency: number;
	timeoutMs: number;
	policy: RetryPolicy;
	maxAttempts: number;
}

export interface Credential {
	data: ICredentialDataDecryptedObject;
	/** Passed to `httpRequestWithAuthentication` so n8n does not decrypt again per request. */
	additional: IAdditionalCredentialOptions | undefined;
	/** Values that must never be shown (API key; webhook URL and token). */
	secrets: string[];
}

/** What a user sees on an output item. */
export interface Output extends IDataObject {
	callId: string | null;
	outcome: string;
	cancelled: boolean;
	callStatus: string | null;
	message: string;
	httpStatus: number | null;
	via: Via;
	attempts: number;
}

export interface Plan {
	via: Via;
	callId: string | null;
	options: Options;
	credential: Credential;
	request?: CancelRequest;
}

/** Outcomes that fail the item (besides not_cancellable with onNotCancellable = error). */
export const FAILING_OUTCOMES = new Set([
	'not_found',
	'unauthorized',
	'forbidden',
	'rate_limited',
	'server_error',
	'invalid_response',
]);
