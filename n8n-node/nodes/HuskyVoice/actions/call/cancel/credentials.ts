import type {
	IAdditionalCredentialOptions,
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	INode,
} from 'n8n-workflow';

import type { CancelOptions, Via } from '../../../../../core/huskyvoice_core';
import { API_CREDENTIAL, WEBHOOK_CREDENTIAL } from '../../../transport/request';
import type { Credential, Plan } from './types';

// ---------------------------------------------------------------------------------------------
// Credentials: read (and decrypted) once per credential type and execution.

function webhookToken(webhook: string): string | undefined {
	const match = /\/hooks\/([^/?#\s]+)/.exec(webhook);
	return match ? match[1] : undefined;
}

export async function readCredential(
	ctx: IExecuteFunctions,
	node: INode,
	via: Via,
	itemIndex: number,
): Promise<Credential> {
	const type = via === 'rest' ? API_CREDENTIAL : WEBHOOK_CREDENTIAL;
	const data = await ctx.getCredentials<ICredentialDataDecryptedObject>(type, itemIndex);
	const secrets: string[] = [];
	const push = (value: unknown) => {
		const s = typeof value === 'string' ? value.trim() : '';
		if (s.length > 0 && !secrets.includes(s)) secrets.push(s);
	};
	let additional: IAdditionalCredentialOptions | undefined;
	if (via === 'rest') {
		push(data.apiKey);
		const ref = node.credentials?.[type];
		if (ref?.id) {
			additional = { credentialsDecrypted: { id: ref.id, name: ref.name, type, data } };
		}
	} else {
		const webhook = typeof data.webhook === 'string' ? data.webhook.trim() : '';
		push(webhookToken(webhook));
		push(webhook);
	}
	return { data, additional, secrets };
}

function text(value: unknown): string | null {
	return typeof value === 'string' && value.trim() !== '' ? value : null;
}

export function cancelOptions(plan: Plan, rawCallId: unknown): CancelOptions {
	const { data } = plan.credential;
	// The core validates the call id's type too (a number or null gets a clear message).
	const callId = rawCallId as string;
	if (plan.via === 'rest') {
		const apiKey = text(data.apiKey);
		return {
			via: 'rest',
			callId,
			baseUrl: text(data.baseUrl),
			// The credential's `authenticate` adds the header to real requests; a dry run shows it redacted.
			...(plan.options.dryRun && apiKey !== null ? { apiKey, redact: true } : {}),
		};
	}
	return {
		via: 'webhook',
		callId,
		webhook: typeof data.webhook === 'string' ? data.webhook : '',
		baseUrl: text(data.baseUrl),
		redact: plan.options.dryRun,
	};
}

export function displayCallId(raw: unknown): string | null {
	if (raw === undefined || raw === null) return null;
	return typeof raw === 'string' ? raw : JSON.stringify(raw);
}
