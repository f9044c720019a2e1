import type { INodeProperties } from 'n8n-workflow';

import * as cancel from './cancel.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as schedule from './schedule.operation';

export { cancel, del as delete, get, schedule };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: {
			show: {
				resource: ['call'],
			},
		},
		options: [
			{
				name: 'Cancel',
				value: 'cancel',
				description: 'Cancel a call that is still queued, so it is never dialled',
				action: 'Cancel a queued call',
			},
			{
				name: 'Delete',
				value: 'delete',
				description:
					"Erase an ended call's personal data (transcript, recording, contact details); cannot be undone",
				action: 'Delete the personal data of an ended call permanently',
			},
			{
				name: 'Get',
				value: 'get',
				description: "Get a call's status and fields (needs the API key credential)",
				action: 'Get a call',
			},
			{
				name: 'Schedule',
				value: 'schedule',
				description: 'Queue an outbound AI voice call, never created twice for one item',
				action: 'Schedule a call',
			},
		],
		default: 'cancel',
	},
	...schedule.description,
	...get.description,
	...cancel.description,
	...del.description,
];
