import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * HuskyVoice inbound webhook. The secret token in the URL is the only credential, so the node
 * never shows it: outputs, errors and dry runs carry a redacted URL.
 */
export class HuskyVoiceWebhookApi implements ICredentialType {
	name = 'huskyVoiceWebhookApi';

	displayName = 'HuskyVoice Inbound Webhook API';

	icon: Icon = {
		light: 'file:../nodes/HuskyVoice/huskyvoice.svg',
		dark: 'file:../nodes/HuskyVoice/huskyvoice.dark.svg',
	};

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-huskyvoice#credentials';

	properties: INodeProperties[] = [
		// The URL's last path segment is the secret token, so the field stays masked. (The rule only
		// knows names such as "token"; the field is called `webhook` because it takes a URL too.)
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password
		{
			displayName: 'Inbound Webhook URL or Token',
			name: 'webhook',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			placeholder: 'https://api.huskyvoice.ai/v1/hooks/...',
			description:
				'The whole inbound webhook URL from HuskyVoice, or just its secret token. Anyone holding it can act on your calls: treat it like a password.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://api.huskyvoice.ai',
			description:
				'Only used when the field above holds just the token (default https://api.huskyvoice.ai). Must agree with a pasted URL.',
		},
	];

	// The Test button is the HuskyVoice node's `credentialTest` (testedBy): the core decides what
	// an answer proves, which a declarative test cannot (see nodes/HuskyVoice/credentialTest.ts).
}
