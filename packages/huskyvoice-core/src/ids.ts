// Reading call ids for the CLI's `--from`: one id per line, or one column of a CSV file.
// Only the list is read here; whether an id is valid is the core's call (a bad one becomes
// that call's `invalid_call_id` outcome).

/** A problem with the list itself (not with an id in it). */
export class IdListError extends Error {}

/** One id per line; blank lines are skipped, surrounding whitespace (and a CR) is dropped. */
export function idsFromLines(text: string): string[] {
	const ids: string[] = [];
	for (const line of stripBom(text).split('\n')) {
		const id = line.trim();
		if (id !== '') ids.push(id);
	}
	return ids;
}

function stripBom(text: string): string {
	return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** RFC 4180 records: `,` separated, `"` quoted (`""` inside quotes), CRLF or LF line ends. */
export function csvRecords(text: string): string[][] {
	const records: string[][] = [];
	let record: string[] = [];
	let field = '';
	let quoted = false;
	let i = 0;
	const src = stripBom(text);
	while (i < src.length) {
		const ch = src[i];
		if (quoted) {
			if (ch === '"') {
				if (src[i + 1] === '"') {
					field += '"';
					i += 2;
					continue;
				}
				quoted = false;
			} else {
				field += ch;
			}
			i++;
			continue;
		}
		if (ch === '"' && field === '') {
			quoted = true;
		} else if (ch === ',') {
			record.push(field);
			field = '';
		} else if (ch === '\n' || ch === '\r') {
			record.push(field);
			records.push(record);
			record = [];
			field = '';
			if (ch === '\r' && src[i + 1] === '\n') i++;
		} else {
			field += ch;
		}
		i++;
	}
	if (quoted) throw new IdListError('the CSV ends inside a quoted field (a " is not closed).');
	if (field !== '' || record.length > 0) {
		record.push(field);
		records.push(record);
	}
	return records.filter((r) => !(r.length === 1 && r[0]?.trim() === ''));
}

export interface CsvColumn {
	ids: string[];
	/** Data rows whose cell in the column was empty (not sent, not reported). */
	skipped: number;
}

/**
 * The values of column `name` (matched exactly, else ignoring case and surrounding spaces) of
 * a CSV whose first record is the header.
 */
export function idsFromCsv(text: string, name: string): CsvColumn {
	const [header, ...rows] = csvRecords(text);
	if (!header) throw new IdListError('the CSV is empty: it needs a header row naming its columns.');
	let at = header.indexOf(name);
	if (at < 0) {
		const wanted = name.trim().toLowerCase();
		at = header.findIndex((h) => h.trim().toLowerCase() === wanted);
	}
	if (at < 0) {
		const shown = header.map((h) => JSON.stringify(h)).join(', ');
		throw new IdListError(`the CSV has no column ${JSON.stringify(name)}; its header names ${shown}.`);
	}
	const ids: string[] = [];
	let skipped = 0;
	for (const row of rows) {
		const id = (row[at] ?? '').trim();
		if (id === '') skipped++;
		else ids.push(id);
	}
	return { ids, skipped };
}
