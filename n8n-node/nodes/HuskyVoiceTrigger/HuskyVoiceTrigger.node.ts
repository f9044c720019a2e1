import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IHookFunctions,
	INodeCredentialTestResult,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { checkReceiver, receiveEvent } from '../../core/huskyvoice_core';
import type { EventFilter, EventReception } from '../../core/huskyvoice_core';
import { guardFor } from './guards';

const EVENTS = [
	{
		name: 'Call Initiated',
		value: 'call.initiated',
		description: 'HuskyVoice began dialling the call',
	},
	{ name: 'Call Answered', value: 'call.answered', description: 'The contact picked up' },
	{
		name: 'Call Completed',
		value: 'call.completed',
		description: 'The call ended normally; data holds the duration and the summary',
	},
	{
		name: 'Call Failed',
		value: 'call.failed',
		description: 'The call could not be completed (no answer, busy, an error)',
	},
	{
		name: 'Call Disallowed',
		value: 'call.disallowed',
		description: 'HuskyVoice refused to place the call (for example a do-not-call registry)',
	},
];

/** The current secret, then the one a rotation replaces (empty when none). */
function secretsOf(data: ICredentialDataDecryptedObject): string[] {
	return [data.secret, data.previousSecret].map((s) => (typeof s === 'string' ? s : ''));
}

function filterOf(ctx: IHookFunctions | IWebhookFunctions): EventFilter {
	return {
		eventTypes: ctx.getNodeParameter('events', []) as EventFilter['eventTypes'],
		agentIds: ctx.getNodeParameter('agentIds', '') as string,
	};
}

/** Where the trigger keeps the ids of the events it has started (the workflow's static data). */
const STATIC_KEY = 'huskyVoiceReplayGuard';

export class HuskyVoiceTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HuskyVoice Trigger',
		name: 'huskyVoiceTrigger',
		icon: {
			light: 'file:../HuskyVoice/huskyvoice.svg',
			dark: 'file:../HuskyVoice/huskyvoice.dark.svg',
		},
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["events"] || []).join(", ") }}',
		description:
			'Starts the workflow when HuskyVoice reports a call event: only events it signed, each event once',
		defaults: {
			name: 'HuskyVoice Trigger',
		},
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'huskyVoiceOutboundWebhookApi',
				required: true,
				testedBy: 'huskyVoiceOutboundWebhookApiTest',
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				// HuskyVoice expects 200 at once; the workflow runs after the answer.
				responseMode: 'onReceived',
				// Without it n8n 2.41 answers a started delivery with the text "firstEntryJson".
				responseData: 'noData',
				path: 'webhook',
			},
		],
		properties: [
			{
				displayName:
					"In HuskyVoice, open Integrations › Outbound Webhooks, add an endpoint with this node's Production URL (above) and the events below, and copy its signing secret into the credential. Then publish the workflow.",
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: EVENTS,
				default: [
					'call.initiated',
					'call.answered',
					'call.completed',
					'call.failed',
					'call.disallowed',
				],
				description:
					'The call events that start the workflow. Others are acknowledged and start nothing.',
			},
			{
				displayName: 'Only These Agents',
				name: 'agentIds',
				type: 'string',
				default: '',
				placeholder: 'agent_123, agent_456',
				description:
					"Agent IDs separated by commas: only calls made by these agents start the workflow. Empty: every agent's calls.",
			},
		],
	};

	methods = {
		credentialTest: {
			// HuskyVoice has no call that proves a signing secret: the core catches what is plainly
			// not one (empty, a URL, an API key); a wrong one shows as 401s in HuskyVoice's log.
			async huskyVoiceOutboundWebhookApiTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const check = checkReceiver(secretsOf(credential.data ?? {}), undefined);
				return check.ok
					? {
							status: 'OK',
							message:
								'The secret is well formed. To prove it, send a test event from HuskyVoice (Integrations › Outbound Webhooks): a wrong secret is answered 401.',
						}
					: { status: 'Error', message: check.message };
			},
		},
	};

	// HuskyVoice registers endpoints only in its dashboard (no API), so publishing registers
	// nothing: it checks the secret and the filter, so a mistake stops the publish with its
	// message instead of answering every delivery with an error.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const credentials = await this.getCredentials('huskyVoiceOutboundWebhookApi');
				const check = checkReceiver(secretsOf(credentials), filterOf(this));
				if (!check.ok) throw new NodeOperationError(this.getNode(), check.message);
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				// The endpoint stays in HuskyVoice until removed there; its deliveries are then
				// answered 404 by n8n, and HuskyVoice stops after its retries.
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const credentials = await this.getCredentials('huskyVoiceOutboundWebhookApi');
		const request = this.getRequestObject();
		// The signature covers the bytes as sent: n8n keeps them in rawBody beside the parsed
		// body, which is never re-serialised to check it.
		const rawBody: Uint8Array = request.rawBody ?? new Uint8Array(0);
		const header = this.getHeaderData()['x-husky-signature'];
		const signature = Array.isArray(header) ? header.join(', ') : header;

		const staticData = this.getWorkflowStaticData('node');
		const kept = guardFor(
			`${this.getMode()}:${this.getWorkflow().id ?? ''}:${this.getNode().id}`,
			staticData[STATIC_KEY],
		);
		let answer: EventReception;
		try {
			answer = receiveEvent(
				kept.guard,
				secretsOf(credentials),
				rawBody,
				signature,
				filterOf(this),
				undefined,
			);
		} catch (error) {
			// Only the node's own settings can be wrong here: a delivery is always an answer.
			throw new NodeOperationError(this.getNode(), (error as Error).message);
		}

		// n8n 2.41 drops what a trigger writes to static data when the delivery starts an
		// execution (WorkflowRunner re-wraps the same static data for the execution context and
		// clears its "changed" flag before the save). A delivery that starts nothing is saved, so
		// the guard is written again on the next one: a duplicate, an unselected event, a refusal.
		if (answer.action === 'start' || kept.unsaved) {
			staticData[STATIC_KEY] = kept.guard.toJSON() as unknown as IDataObject;
			kept.unsaved = answer.action === 'start';
		}

		if (answer.action === 'refuse') {
			this.getResponseObject()
				.status(answer.status)
				.json({ error: answer.reason, message: answer.message });
			return { noWebhookResponse: true };
		}
		if (answer.action === 'skip') {
			return {
				webhookResponse: {
					received: true,
					started: false,
					reason: answer.reason,
					message: answer.message,
				},
			};
		}
		return { workflowData: [this.helpers.returnJsonArray(answer.item as unknown as IDataObject)] };
	}
}
