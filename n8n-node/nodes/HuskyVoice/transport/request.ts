import type {
	IExecuteFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	IAdditionalCredentialOptions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { CancelRequest, Via } from '../../../core/huskyvoice_core';

export const API_CREDENTIAL = 'huskyVoiceApi';
export const WEBHOOK_CREDENTIAL = 'huskyVoiceWebhookApi';

/** One response as `interpretCancelResponse` wants it, or a transport failure. */
export interface RawResponse {
	statusCode: number | null;
	/** Only `retry-after` (the one header the core reads), when present. */
	headers: Record<string, string> | null;
	body: string;
	transportError?: 'timeout' | 'connection';
	/** Short machine code of a transport failure (ECONNRESET, ...), for the error description. */
	errorCode?: string;
	/** The transport error's own message; may hold a URL, so redact it before showing it. */
	errorMessage?: string;
}

function bodyText(body: unknown): string {
	if (typeof body === 'string') return body;
	if (body === undefined || body === null) return '';
	if (body instanceof Uint8Array) return new TextDecoder().decode(body);
	// Some n8n versions parse JSON despite `json: false`; hand the core the same text.
	return JSON.stringify(body);
}

function retryAfterOf(headers: unknown): Record<string, string> | null {
	if (!headers || typeof headers !== 'object') return null;
	const h = headers as Record<string, unknown>;
	let value = h['retry-after'];
	if (value === undefined) {
		const key = Object.keys(h).find((k) => k.toLowerCase() === 'retry-after');
		value = key === undefined ? undefined : h[key];
	}
	if (Array.isArray(value)) value = value[0];
	if (value === undefined || value === null) return null;
	return { 'retry-after': String(value) };
}

interface ErrorLike {
	code?: unknown;
	message?: unknown;
	cause?: unknown;
	name?: unknown;
}

/** Timeout or connection failure, found on the error or its causes (n8n wraps axios errors). */
function classifyTransportError(
	error: unknown,
): Pick<RawResponse, 'transportError' | 'errorCode' | 'errorMessage'> {
	let code: string | undefined;
	let timeout = false;
	let message: string | undefined;
	let e = error as ErrorLike | undefined;
	for (let depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
		const c = typeof e.code === 'string' ? e.code : undefined;
		const m = typeof e.message === 'string' ? e.message : '';
		if (c && /^[A-Z0-9_]{2,40}$/.test(c)) {
			code ??= c;
			if (
				c === 'ETIMEDOUT' ||
				c.includes('TIMEOUT') ||
				(c === 'ECONNABORTED' && /timeout/i.test(m))
			) {
				timeout = true;
			}
		}
		if (/\btime(d)?\s*out\b|timeout of \d+ms/i.test(m)) timeout = true;
		if (m && (message === undefined || c)) message = m;
		e = e.cause as ErrorLike | undefined;
	}
	return {
		transportError: timeout ? 'timeout' : 'connection',
		errorCode: code,
		errorMessage: message?.slice(0, 300),
	};
}

/**
 * Sends one cancel request through n8n's HTTP helpers and returns the raw response, whatever its
 * status. REST goes through `httpRequestWithAuthentication` (the credential adds the Bearer
 * header; `credentials`, decrypted once per execution, saves n8n from decrypting them again for
 * every request). The webhook's URL carries its own token, so it needs no authentication.
 */
export async function sendCancelRequest(
	this: IExecuteFunctions,
	via: Via,
	request: CancelRequest,
	timeoutMs: number,
	credentials: IAdditionalCredentialOptions | undefined,
	abortSignal: AbortSignal | undefined,
): Promise<RawResponse> {
	const options: IHttpRequestOptions = {
		method: request.method,
		url: request.url,
		headers: { ...request.headers },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		json: false,
		encoding: 'text',
		timeout: timeoutMs,
		// A redirect is not a cancel answer (the core reports a 3xx as invalid_response), and the
		// API key must not follow it to another host. It also spares axios its redirect wrapper.
		disableFollowRedirect: true,
	};
	if (request.body !== undefined) options.body = request.body;
	if (abortSignal) options.abortSignal = abortSignal;

	let response: IN8nHttpFullResponse;
	try {
		response =
			via === 'rest'
				? ((await this.helpers.httpRequestWithAuthentication.call(
						this,
						API_CREDENTIAL,
						options,
						credentials,
					)) as IN8nHttpFullResponse)
				: ((await this.helpers.httpRequest(options)) as IN8nHttpFullResponse);
	} catch (error) {
		if (abortSignal?.aborted) {
			throw new NodeOperationError(this.getNode(), 'The execution was cancelled', {
				description: 'No further HuskyVoice requests were sent.',
			});
		}
		return { statusCode: null, headers: null, body: '', ...classifyTransportError(error) };
	}
	return {
		statusCode: typeof response.statusCode === 'number' ? response.statusCode : null,
		headers: retryAfterOf(response.headers),
		body: bodyText(response.body),
	};
}
