import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

import type { Options } from './types';

export const DEFAULT_CALL_ID = '={{ $json.call_id }}';

// ---------------------------------------------------------------------------------------------
// Parameters. Every parameter is read per item, but a value that cannot differ between items
// (no expression in it) is read once, and the default `={{ $json.call_id }}` (or any
// `={{ $json.field }}`) is read straight from the item's json: n8n would otherwise run its
// expression engine once per item, which costs more than the whole cancel request.

const JSON_FIELD_EXPRESSION =
	/^=\s*\{\{\s*\$json\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*(["'])([^"'\\]*)\2\s*\])\s*\}\}\s*$/;

function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

export function parameterReader(
	ctx: IExecuteFunctions,
	node: INode,
	items: INodeExecutionData[],
	name: string,
	fallback: unknown,
): (itemIndex: number) => unknown {
	const raw = node.parameters[name] === undefined ? fallback : node.parameters[name];
	if (!hasExpression(raw)) return () => raw;
	if (typeof raw === 'string') {
		const match = JSON_FIELD_EXPRESSION.exec(raw);
		if (match) {
			const field = match[1] ?? match[3];
			return (itemIndex) => items[itemIndex]?.json?.[field];
		}
	}
	return (itemIndex) => ctx.getNodeParameter(name, itemIndex, fallback);
}

function numberOption(value: unknown, fallback: number, min: number, max: number): number {
	const n = typeof value === 'number' ? value : Number(value);
	if (value === undefined || value === null || value === '' || !Number.isFinite(n)) return fallback;
	return Math.min(max, Math.max(min, n));
}

export function normaliseOptions(raw: unknown): Options {
	const o = (raw !== null && typeof raw === 'object' ? raw : {}) as IDataObject;
	const maxAttempts = Math.floor(numberOption(o.maxAttempts, 3, 1, 10));
	const maxTotalWaitMs = Math.round(numberOption(o.maxTotalWaitSeconds, 30, 0, 86_400) * 1000);
	return {
		onNotCancellable: o.onNotCancellable === 'error' ? 'error' : 'output',
		dryRun: o.dryRun === true || o.dryRun === 'true',
		concurrency: Math.floor(numberOption(o.concurrency, 5, 1, 100)),
		timeoutMs: Math.round(numberOption(o.timeoutSeconds, 30, 0.1, 3_600) * 1000),
		policy: { maxAttempts, maxTotalWaitMs },
		maxAttempts,
	};
}
