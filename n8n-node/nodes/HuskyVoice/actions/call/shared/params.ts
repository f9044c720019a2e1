import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

import type { RunJobOptions } from '../../../../../core/huskyvoice_core';

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

export interface ParameterReader {
	read: (itemIndex: number) => unknown;
	/** The item field a `={{ $json.field }}` parameter reads, for messages about a missing id. */
	field?: string;
}

export function parameterReader(
	ctx: IExecuteFunctions,
	node: INode,
	items: INodeExecutionData[],
	name: string,
	fallback: unknown,
): ParameterReader {
	const raw = node.parameters[name] === undefined ? fallback : node.parameters[name];
	if (!hasExpression(raw)) return { read: () => raw };
	if (typeof raw === 'string') {
		const match = JSON_FIELD_EXPRESSION.exec(raw);
		if (match) {
			const field = match[1] ?? match[3];
			return { read: (itemIndex) => items[itemIndex]?.json?.[field], field };
		}
	}
	return { read: (itemIndex) => ctx.getNodeParameter(name, itemIndex, fallback) };
}

/** Seconds as the editor shows them, in the milliseconds the core counts; other values as given. */
function ms(seconds: unknown): unknown {
	if (seconds === undefined || seconds === null || seconds === '') return undefined;
	const n = typeof seconds === 'number' ? seconds : Number(seconds);
	return Number.isFinite(n) ? Math.round(n * 1000) : seconds;
}

/** The Options collection of one item, in the core's terms. The core checks every value. */
export function jobOptions(raw: unknown): RunJobOptions {
	const o = (raw !== null && typeof raw === 'object' ? raw : {}) as IDataObject;
	const options: Record<string, unknown> = {
		maxAttempts: o.maxAttempts,
		maxTotalWaitMs: ms(o.maxTotalWaitSeconds),
		timeoutMs: ms(o.timeoutSeconds),
		onNotCancellable: o.onNotCancellable,
		onNotEnded: o.onNotEnded,
		onNotFound: o.onNotFound,
		dryRun: o.dryRun === 'true' ? true : o.dryRun,
	};
	return options as RunJobOptions;
}

/** The options that apply to the whole run, read from the first item. */
export function runOptions(raw: unknown): {
	concurrency?: number;
	requestsPerMinute?: number;
	windowMs?: number;
} {
	const o = (raw !== null && typeof raw === 'object' ? raw : {}) as IDataObject;
	return {
		concurrency: o.concurrency as number | undefined,
		requestsPerMinute: o.requestsPerMinute as number | undefined,
		windowMs: ms(o.rateLimitWindowSeconds) as number | undefined,
	};
}

/** Whether an item's options ask for its input fields in the output. */
export function includesInputFields(raw: unknown): boolean {
	const o = (raw !== null && typeof raw === 'object' ? raw : {}) as IDataObject;
	return o.includeInputFields === true || o.includeInputFields === 'true';
}
