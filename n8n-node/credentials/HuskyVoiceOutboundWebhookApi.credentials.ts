import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The signing secret of an outbound webhook endpoint registered in HuskyVoice (Integrations ›
 * Outbound Webhooks). HuskyVoice signs every event with it; the HuskyVoice Trigger starts
 * nothing for a delivery it did not sign. HuskyVoice offers no API call that proves a secret,
 * so there is no Test button: a wrong secret shows as 401 answers in HuskyVoice's delivery log.
 */
export class HuskyVoiceOutboundWebhookApi implements ICredentialType {
	name = 'huskyVoiceOutboundWebhookApi';

	displayName = 'HuskyVoice Outbound Webhook API';

	icon: Icon = {
		light: 'file:../nodes/HuskyVoice/huskyvoice.svg',
		dark: 'file:../nodes/HuskyVoice/huskyvoice.dark.svg',
	};

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-huskyvoice#huskyvoice-trigger';

	properties: INodeProperties[] = [
		{
			displayName: 'Signing Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				"The endpoint's webhook secret, from HuskyVoice: Integrations › Outbound Webhooks, the endpoint whose URL is this trigger's Production URL",
		},
		{
			displayName: 'Previous Signing Secret',
			name: 'previousSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Only while rotating the secret: the one being replaced, still accepted until every event signed with it has arrived. Leave empty otherwise.',
		},
	];
}
