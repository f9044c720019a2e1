// Reading the calls to schedule for `huskyvoice schedule --from FILE`: a CSV whose header names
// the API's fields. Only the table is read here; whether a call is valid (agent, phone rule,
// email, additional_info) is the core's check, reported per row as `invalid_input`.
import { csvRecords, IdListError } from './ids';

/** The columns a schedule CSV may have, in the API's names. */
export const CALL_COLUMNS = ['agent_id', 'contact_number', 'contact_name', 'contact_email', 'additional_info', 'idempotency_key'] as const;
type CallColumn = (typeof CALL_COLUMNS)[number];

/** A row: the API's fields as text; other columns are gathered into `additional_info`. */
export type CsvCall = Partial<Record<Exclude<CallColumn, 'additional_info'>, string>> & {
	additional_info?: string | Record<string, string>;
};

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
 * One call per data row; empty cells are left out (optional fields absent). A column that is
 * not a field of a call (say `invoice_id`) becomes a key of the row's `additional_info`, as
 * HuskyVoice's custom fields. Throws for a table the command cannot read: no header, a repeated
 * or unnamed column, no agent_id or contact_number column, or custom columns next to an
 * additional_info column (one or the other: merging them would have to pick a winner).
 */
export function callsFromCsv(text: string): CsvCall[] {
	const [header, ...rows] = csvRecords(text);
	if (!header) throw new IdListError(`the CSV is empty: it needs a header row naming its columns (${CALL_COLUMNS.join(', ')}).`);
	const columns = header.map(columnOf);
	const custom = header.map((h, i) => (columns[i] === undefined ? h.trim() : undefined));
	const seen = new Set<string>();
	header.forEach((h, i) => {
		const name = columns[i] ?? custom[i] ?? '';
		if (name === '') throw new IdListError(`column ${i + 1} of the header has no name; name it, or remove the column.`);
		if (seen.has(name)) throw new IdListError(`the CSV has the column ${JSON.stringify(name)} twice.`);
		seen.add(name);
	});
	const customNames = custom.filter((c): c is string => c !== undefined);
	if (customNames.length > 0 && seen.has('additional_info')) {
		throw new IdListError(
			`the CSV has an additional_info column and the custom column(s) ${customNames.map((c) => JSON.stringify(c)).join(', ')}: ` +
				'give custom fields either as their own columns or as a JSON object in additional_info, not both.',
		);
	}
	for (const required of ['agent_id', 'contact_number'] as const) {
		if (!seen.has(required)) throw new IdListError(`the CSV has no ${required} column; every call needs one.`);
	}
	return rows.map((row) => {
		const call: CsvCall = {};
		const info: Record<string, string> = {};
		columns.forEach((c, i) => {
			const cell = (row[i] ?? '').trim();
			if (cell === '') return;
			if (c !== undefined) call[c] = cell;
			else info[custom[i] as string] = cell;
		});
		if (Object.keys(info).length > 0) call.additional_info = info;
		return call;
	});
}
