// Reading the calls to schedule for `huskyvoice schedule --from FILE`: a CSV whose header names
// the API's fields. Only the table is read here; whether a call is valid (agent, phone rule,
// email, additional_info) is the core's check, reported per row as `invalid_input`.
import { createHash } from 'node:crypto';

import { csvRecords, IdListError } from './ids';

/** The columns a schedule CSV may have, in the API's names. */
export const CALL_COLUMNS = ['agent_id', 'contact_number', 'contact_name', 'contact_email', 'additional_info', 'idempotency_key'] as const;
type CallColumn = (typeof CALL_COLUMNS)[number];

export type CsvCall = Partial<Record<CallColumn, string>>;

/** `Contact Number`, `contactNumber` and `contact-number` all name `contact_number`. */
function columnOf(header: string): CallColumn | undefined {
	const snake = header
		.trim()
		.replace(/([a-z])([A-Z])/g, '$1_$2')
		.replace(/[\s-]+/g, '_')
		.toLowerCase();
	return CALL_COLUMNS.find((c) => c === snake);
}

/**
 * One call per data row; empty cells are left out (optional fields absent). Throws for a
 * table the command cannot read: no header, an unknown or repeated column, no agent_id or
 * contact_number column.
 */
export function callsFromCsv(text: string): CsvCall[] {
	const [header, ...rows] = csvRecords(text);
	if (!header) throw new IdListError(`the CSV is empty: it needs a header row naming its columns (${CALL_COLUMNS.join(', ')}).`);
	const columns = header.map(columnOf);
	const unknown = header.filter((_, i) => columns[i] === undefined);
	if (unknown.length > 0) {
		throw new IdListError(
			`the CSV has column(s) ${unknown.map((h) => JSON.stringify(h)).join(', ')} that are not fields of a call; ` +
				`the columns are ${CALL_COLUMNS.join(', ')}. Custom fields go in additional_info as a JSON object.`,
		);
	}
	const seen = new Set<CallColumn>();
	for (const c of columns as CallColumn[]) {
		if (seen.has(c)) throw new IdListError(`the CSV has the column ${c} twice.`);
		seen.add(c);
	}
	for (const required of ['agent_id', 'contact_number'] as const) {
		if (!seen.has(required)) throw new IdListError(`the CSV has no ${required} column; every call needs one.`);
	}
	return rows.map((row) => {
		const call: CsvCall = {};
		columns.forEach((c, i) => {
			const cell = (row[i] ?? '').trim();
			if (c !== undefined && cell !== '') call[c] = cell;
		});
		return call;
	});
}

/**
 * Gives every row without its own idempotency_key one derived from what the row holds, the
 * how-many-th such row it is, and `scope`. So running the same file again (after a failure,
 * or after fixing one bad row) makes no second call for any row HuskyVoice already has;
 * two identical rows stay two calls; a new `scope` schedules the same rows afresh.
 */
export function withRowKeys(calls: readonly CsvCall[], scope: string): CsvCall[] {
	const occurrences = new Map<string, number>();
	return calls.map((call) => {
		if (call.idempotency_key !== undefined) return call;
		const content = JSON.stringify(CALL_COLUMNS.slice(0, 5).map((c) => call[c] ?? null));
		const nth = (occurrences.get(content) ?? 0) + 1;
		occurrences.set(content, nth);
		const digest = createHash('sha256').update(`huskyvoice-csv\n${scope}\n${content}\n${nth}`).digest('hex');
		return { ...call, idempotency_key: `hv1-csv-${digest.slice(0, 32)}` };
	});
}
