import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { credentialTestRequest, readCredentialTest } from '../../core/huskyvoice_core';
import type { RunAnswer, RunCredential, Via } from '../../core/huskyvoice_core';
import { failureOf } from './transport/request';

// The credentials' Test buttons. n8n's declarative test can only match a body field, so a
// server that is not HuskyVoice passed it; here the core builds a request that touches no call
// and decides what the answer proves, with the same checks of the credential a run makes.

function text(value: unknown): string | null {
	return typeof value === 'string' && value.trim() !== '' ? value : null;
}

async function test(
	ctx: ICredentialTestFunctions,
	via: Via,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = (credential.data ?? {}) as IDataObject;
	const spec: RunCredential =
		via === 'rest'
			? { via, apiKey: text(data.apiKey), baseUrl: text(data.baseUrl) }
			: { via, webhook: typeof data.webhook === 'string' ? data.webhook : '', baseUrl: text(data.baseUrl) };
	let request;
	try {
		request = credentialTestRequest(spec);
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
	let answer: RunAnswer;
	try {
		const response = (await ctx.helpers.request({
			method: request.method,
			uri: request.url,
			headers: request.headers,
			...(request.body === undefined ? {} : { body: request.body }),
			json: false,
			resolveWithFullResponse: true,
			simple: false,
			followRedirect: false,
			timeout: 15_000,
		})) as { statusCode?: unknown; body?: unknown };
		const body = response.body;
		answer =
			typeof response.statusCode === 'number'
				? {
						statusCode: response.statusCode,
						body: typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body),
					}
				: { statusCode: null, transportError: 'connection', errorCode: null };
	} catch (error) {
		answer = failureOf(error);
	}
	return readCredentialTest(via, answer);
}

export async function huskyVoiceApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	return await test(this, 'rest', credential);
}

export async function huskyVoiceWebhookApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	return await test(this, 'webhook', credential);
}
