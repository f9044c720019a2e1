import type { INodeProperties } from 'n8n-workflow';

import * as cancel from './cancel.operation';

export { cancel };

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
				name: 'Cancel Call',
				value: 'cancel',
				description: 'Cancel a call that is still queued',
				action: 'Cancel a queued call',
			},
		],
		default: 'cancel',
	},
	...cancel.description,
];
