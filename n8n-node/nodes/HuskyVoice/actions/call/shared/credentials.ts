import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	INode,
} from 'n8n-workflow';

import type { RunCredential, Via } from '../../../../../core/huskyvoice_core';
import { runCredentialOf } from '../../../transport/credentialData';
import { API_CREDENTIAL, WEBHOOK_CREDENTIAL } from '../../../transport/request';
import type { CredentialTransport } from './types';

// ---------------------------------------------------------------------------------------------
// Credentials: read (and decrypted) once per credential type and execution.

/**
 * The credential of `via` as the core's run takes it, and how its requests are sent. Its pacer
 * key is n8n's credential id, so every execution in this n8n process that uses the credential
 * shares one rate limit.
 */
export async function readCredential(
	ctx: IExecuteFunctions,
	node: INode,
	via: Via,
	itemIndex: number,
): Promise<{ credential: RunCredential; transport: CredentialTransport }> {
	const type = via === 'rest' ? API_CREDENTIAL : WEBHOOK_CREDENTIAL;
	const data = await ctx.getCredentials<ICredentialDataDecryptedObject>(type, itemIndex);
	const ref = node.credentials?.[type];
	const key = `${type}:${ref?.id ?? ref?.name ?? 'unnamed'}`;
	const credential = { ...runCredentialOf(via, data), key };
	if (via === 'rest') {
		return {
			// n8n's `authenticate` adds the header to real requests; the key is for redaction and
			// dry runs.
			credential: { ...credential, authorize: false },
			transport: {
				additional: ref?.id
					? { credentialsDecrypted: { id: ref.id, name: ref.name, type, data } }
					: undefined,
			},
		};
	}
	return { credential, transport: { additional: undefined } };
}
