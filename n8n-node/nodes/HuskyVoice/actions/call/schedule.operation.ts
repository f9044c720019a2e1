import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { runOperation } from './shared/execute';
import { optionsCollection, TOOL, toolDescriptionParameter } from './shared/options';
import { parameterReader } from './shared/params';

export const TOOL_DESCRIPTION =
	'Schedules one outbound HuskyVoice AI voice call to an Indian mobile number (+91 and 10 digits, such as +919876543210). HuskyVoice queues it and its AI agent dials it. The answer gives the new call id (keep it to look the call up or cancel it) and outcome scheduled; outcome rejected says what HuskyVoice refused.';

const show = { resource: ['call'], operation: ['schedule'] };

export const description: INodeProperties[] = [
	toolDescriptionParameter('schedule', TOOL_DESCRIPTION),
	{
		displayName: 'Agent ID',
		name: 'agentId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'agt_payment_reminder',
		description: 'ID of the HuskyVoice agent that makes the call (Agents page of the dashboard)',
		displayOptions: { show },
	},
	{
		displayName: 'Contact Number',
		name: 'contactNumber',
		type: 'string',
		required: true,
		default: '={{ $json.contact_number }}',
		placeholder: '+919876543210',
		description: 'The number to call',
		hint: 'HuskyVoice calls Indian mobile numbers only for now: +91 and 10 digits starting with 6-9. Spaces, dashes and parentheses are removed.',
		displayOptions: { show, hide: TOOL },
	},
	{
		displayName: 'Contact Number',
		name: 'contactNumber',
		type: 'string',
		required: true,
		default:
			"={{ $fromAI('contactNumber', 'The Indian mobile number to call in E.164 form: +91 and 10 digits, such as +919876543210', 'string') }}",
		placeholder: '+919876543210',
		description: 'The number to call; by default the AI model fills it in',
		displayOptions: { show: { ...show, ...TOOL } },
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Additional Info (Fields)',
				name: 'additionalInfoFields',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Info Field',
				default: {},
				description:
					'Custom fields the agent can use in the conversation, one name and value each (an invoice number, an amount due, ...)',
				options: [
					{
						displayName: 'Field',
						name: 'field',
						values: [
							{
								displayName: 'Name',
								name: 'name',
								type: 'string',
								default: '',
								placeholder: 'invoice',
							},
							{
								displayName: 'Value',
								name: 'value',
								type: 'string',
								default: '',
								placeholder: 'INV-42',
							},
						],
					},
				],
			},
			{
				displayName: 'Additional Info (JSON)',
				name: 'additionalInfo',
				type: 'json',
				default: '{}',
				description:
					'Custom fields the agent can use in the conversation, as a JSON object (an invoice number, an amount due, ...). Give them either here or as Additional Info (Fields).',
			},
			{
				displayName: 'Contact Email',
				name: 'contactEmail',
				type: 'string',
				placeholder: 'name@email.com',
				default: '',
				description: 'Email address of the person called',
			},
			{
				displayName: 'Contact Name',
				name: 'contactName',
				type: 'string',
				default: '',
				description: 'Name of the person called, for the agent to greet them',
			},
			{
				displayName: 'Idempotency Key',
				name: 'idempotencyKey',
				type: 'string',
				default: '',
				placeholder: 'invoice-INV-42-reminder-1',
				description:
					'Makes the create safe to repeat: HuskyVoice makes at most one call per key (within 24 h). Leave empty to derive one from the execution, the node and the item, so Retry On Fail and retrying a failed execution never call anyone twice. Build your own from your data (reminder- and the invoice ID, say) so that running the workflow again for the same thing calls once; for a genuinely new call, change the key (add the date or a counter).',
			},
		],
	},
	optionsCollection('schedule', 'create'),
];

/**
 * The run id the core derives each item's Idempotency-Key from (with the item's index): the
 * workflow, the node and the first execution of this run. The execution id is kept in the node's context,
 * which n8n saves with a failed execution and hands back to its retry, so a retried execution
 * (a new id) sends the keys the failed one sent.
 */
function runId(ctx: IExecuteFunctions): string {
	const context = ctx.getContext('node');
	if (typeof context.huskyVoiceFirstExecution !== 'string') {
		context.huskyVoiceFirstExecution = ctx.getExecutionId() ?? 'manual';
	}
	const workflow = ctx.getWorkflow().id ?? 'unsaved';
	return `${workflow}:${String(context.huskyVoiceFirstExecution)}:${ctx.getNode().name}`;
}

/** The `{name, value}` pairs of Additional Info (Fields), as n8n keeps them under `field`. */
function infoFields(raw: unknown): unknown {
	return raw !== null && typeof raw === 'object' ? (raw as IDataObject).field : raw;
}

/** `POST /v1/calls` (or the webhook's `call.create`) for every item, each with its own key. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const node = this.getNode();
	const items = this.getInputData();
	const agentId = parameterReader(this, node, items, 'agentId', '');
	const contactNumber = parameterReader(this, node, items, 'contactNumber', '');
	const additional = parameterReader(this, node, items, 'additionalFields', {});
	const jobs = (i: number) => {
		const raw = additional.read(i);
		const more = (raw !== null && typeof raw === 'object' ? raw : {}) as IDataObject;
		return {
			call: {
				agent_id: agentId.read(i),
				contact_number: contactNumber.read(i),
				contact_name: more.contactName,
				contact_email: more.contactEmail,
				additional_info: more.additionalInfo,
				additional_info_fields: infoFields(more.additionalInfoFields),
				idempotency_key: more.idempotencyKey,
			},
			...(contactNumber.field === undefined ? {} : { field: contactNumber.field }),
		};
	};
	return await runOperation(this, 'schedule', jobs, runId(this));
}
