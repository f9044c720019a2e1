import type {
	IAuthenticate,
	Icon,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * HuskyVoice REST API key. Requests get `Authorization: Bearer <key>` from `authenticate`.
 *
 * `authenticate` is a function rather than n8n's generic `{ headers: { Authorization:
 * '=Bearer {{$credentials.apiKey}}' } }` form: the generic form is an expression that n8n
 * evaluates (in its expression sandbox) on every single request, which dominated the cost of a
 * cancel in a profile of 2,000 items. The function does the same thing in a string concatenation.
 */
export class HuskyVoiceApi implements ICredentialType {
	name = 'huskyVoiceApi';

	displayName = 'HuskyVoice API';

	icon: Icon = {
		light: 'file:../nodes/HuskyVoice/huskyvoice.svg',
		dark: 'file:../nodes/HuskyVoice/huskyvoice.dark.svg',
	};

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-huskyvoice#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			placeholder: 'sk_live_...',
			description:
				'Your HuskyVoice API key. To cancel calls it needs the calls:cancel scope; the credential test also works with a key that has only calls:read.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.huskyvoice.ai',
			placeholder: 'https://api.huskyvoice.ai',
			description:
				'Change only for a proxy or a sandbox. With or without a trailing /v1. Must be https, except http to localhost or 127.0.0.1.',
		},
	];

	authenticate: IAuthenticate = async (credentials, requestOptions) => {
		requestOptions.headers = {
			...requestOptions.headers,
			Authorization: `Bearer ${String(credentials.apiKey ?? '')}`,
		};
		return requestOptions;
	};

	// The Test button is the HuskyVoice node's `credentialTest` (testedBy): the core decides what
	// an answer proves, which a declarative test cannot (see nodes/HuskyVoice/credentialTest.ts).
}
