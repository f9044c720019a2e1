import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as call from './actions/call/Call.resource';
import { router } from './actions/router';
import { huskyVoiceApiTest, huskyVoiceWebhookApiTest } from './credentialTest';

export class HuskyVoice implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HuskyVoice',
		name: 'huskyVoice',
		icon: { light: 'file:huskyvoice.svg', dark: 'file:huskyvoice.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ { schedule: "Schedule a call", get: "Get a call", cancel: "Cancel a queued call", delete: "Delete a call\'s data" }[$parameter["operation"]] ?? $parameter["operation"] }}',
		description: 'Schedule, look up, cancel and delete HuskyVoice AI voice calls',
		defaults: {
			name: 'HuskyVoice',
		},
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'huskyVoiceApi',
				required: true,
				testedBy: 'huskyVoiceApiTest',
				displayOptions: { show: { authentication: ['apiKey'] } },
			},
			{
				name: 'huskyVoiceWebhookApi',
				required: true,
				testedBy: 'huskyVoiceWebhookApiTest',
				displayOptions: { show: { authentication: ['webhook'] } },
			},
		],
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'API Key',
						value: 'apiKey',
						description: 'Use the REST API with an API key (Authorization: Bearer): every operation',
					},
					{
						name: 'Inbound Webhook',
						value: 'webhook',
						description: "Use your account's inbound webhook URL (its secret token): Schedule, Cancel and Delete",
					},
				],
				default: 'apiKey',
			},
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Call',
						value: 'call',
					},
				],
				default: 'call',
			},
			...call.description,
		],
	};

	methods = {
		credentialTest: { huskyVoiceApiTest, huskyVoiceWebhookApiTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
