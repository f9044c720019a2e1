import type {
	IExecuteFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	IAdditionalCredentialOptions,
} from 'n8n-workflow';
import type { RunAnswer, SendStep } from '../../../core/huskyvoice_core';

export const API_CREDENTIAL = 'huskyVoiceApi';
export const WEBHOOK_CREDENTIAL = 'huskyVoiceWebhookApi';

function bodyText(body: unknown): string {
	if (typeof body === 'string') return body;
	if (body === undefined || body === null) return '';
	if (body instanceof Uint8Array) return new TextDecoder().decode(body);
	// Some n8n versions parse JSON despite `json: false`; hand the core the same text.
	return JSON.stringify(body);
}

/** A response header (lower-case `name`) as text, whatever case the server used. */
function headerOf(headers: unknown, name: string): string | null {
	if (!headers || typeof headers !== 'object') return null;
	const h = headers as Record<string, unknown>;
	let value = h[name];
	if (value === undefined) {
		const key = Object.keys(h).find((k) => k.toLowerCase() === name);
		value = key === undefined ? undefined : h[key];
	}
	if (Array.isArray(value)) value = value[0];
	return value === undefined || value === null ? null : String(value);
}

interface ErrorLike {
	code?: unknown;
	message?: unknown;
	cause?: unknown;
	name?: unknown;
}

/** Timeout or connection failure, with its code, found on the error or its causes (n8n wraps axios errors). */
export function failureOf(error: unknown): RunAnswer {
	let code: string | undefined;
	let timeout = false;
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
		e = e.cause as ErrorLike | undefined;
	}
	return {
		statusCode: null,
		transportError: timeout ? 'timeout' : 'connection',
		errorCode: code ?? null,
	};
}

/**
 * Sends one request the core asked for through n8n's HTTP helpers and returns the answer,
 * whatever its status, or the failure to get one. REST goes through
 * `httpRequestWithAuthentication` (the credential adds the Bearer header; `credentials`,
 * decrypted once per execution, saves n8n from decrypting them again for every request). The
 * webhook's URL carries its own token, so it needs no authentication.
 */
export async function sendRequest(
	this: IExecuteFunctions,
	step: SendStep,
	credentials: IAdditionalCredentialOptions | undefined,
	abortSignal: AbortSignal | undefined,
): Promise<RunAnswer> {
	const { request } = step;
	const options: IHttpRequestOptions = {
		method: request.method,
		url: request.url,
		headers: { ...request.headers },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		json: false,
		encoding: 'text',
		timeout: step.timeoutMs,
		// A redirect is not a cancel answer (the core reports a 3xx as invalid_response), and the
		// API key must not follow it to another host. It also spares axios its redirect wrapper.
		disableFollowRedirect: true,
	};
	if (request.body !== undefined) options.body = request.body;
	if (abortSignal) options.abortSignal = abortSignal;

	let response: IN8nHttpFullResponse;
	try {
		response =
			step.via === 'rest'
				? ((await this.helpers.httpRequestWithAuthentication.call(
						this,
						API_CREDENTIAL,
						options,
						credentials,
					)) as IN8nHttpFullResponse)
				: ((await this.helpers.httpRequest(options)) as IN8nHttpFullResponse);
	} catch (error) {
		return failureOf(error);
	}
	return answerOf(response.statusCode, response.headers, response.body);
}

/** A full response, from whichever n8n helper, as the core reads answers. */
export function answerOf(statusCode: unknown, headers: unknown, body: unknown): RunAnswer {
	if (typeof statusCode !== 'number') {
		return { statusCode: null, transportError: 'connection', errorCode: null };
	}
	// The two headers the core reads: the 429's wait, and a create answered from its key.
	return {
		statusCode,
		retryAfter: headerOf(headers, 'retry-after'),
		body: bodyText(body),
		replayed: headerOf(headers, 'idempotent-replayed')?.trim().toLowerCase() === 'true',
	};
}
