import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { credentialTestRequest, readCredentialTest } from '../../core/huskyvoice_core';
import type { RunAnswer, Via } from '../../core/huskyvoice_core';
import { runCredentialOf } from './transport/credentialData';
import { answerOf, failureOf } from './transport/request';

// The credentials' Test buttons. n8n's declarative test can only match a body field, so a
// server that is not HuskyVoice passed it; here the core builds a request that touches no call
// and decides what the answer proves, with the same checks of the credential a run makes.

async function test(
	ctx: ICredentialTestFunctions,
	via: Via,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const spec = runCredentialOf(via, credential.data ?? {});
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
		})) as { statusCode?: unknown; headers?: unknown; body?: unknown };
		answer = answerOf(response.statusCode, response.headers, response.body);
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
