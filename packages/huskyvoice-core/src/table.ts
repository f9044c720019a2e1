// The CLI's text output: the result table, the summary line and the progress line.
import type { RunItemBase } from './huskyvoice_core';

/** What the table shows of an outcome; schedule's also has the number it called. */
type Row = RunItemBase & { contactNumber?: string | null };

/** `850 ms`, `12 s`, `7 min 20 s`, `1 h 05 min`. */
export function duration(ms: number): string {
	if (!Number.isFinite(ms) || ms < 0) return '?';
	if (ms < 1000) return `${Math.round(ms)} ms`;
	const s = Math.round(ms / 1000);
	if (s < 60) return `${s} s`;
	const m = Math.floor(s / 60);
	if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
	return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

function clip(text: string, width: number): string {
	if (text.length <= width) return text;
	return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
}

/**
 * One row per call: CALL ID, OUTCOME, HTTP, ATTEMPTS, MESSAGE (a call to schedule that has no
 * id yet shows the number it was for). With `width` (a terminal's
 * columns) the message is clipped to fit; otherwise it is written whole.
 */
export function table(outcomes: readonly Row[], width?: number): string {
	const head = ['CALL ID', 'OUTCOME', 'HTTP', 'ATTEMPTS', 'MESSAGE'];
	const rows = outcomes.map((o) => [
		o.callId ?? (o.contactNumber ? `(to ${o.contactNumber})` : '(none)'),
		o.outcome,
		o.httpStatus === null ? '-' : String(o.httpStatus),
		String(o.attempts),
		o.message.replace(/\s+/g, ' '),
	]);
	const widths = head.slice(0, 4).map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
	const line = (cells: string[]): string => {
		const fixed = cells
			.slice(0, 4)
			.map((cell, c) => cell.padEnd(widths[c] ?? 0))
			.join('  ');
		const message = cells[4] ?? '';
		const room = width === undefined ? Infinity : width - fixed.length - 2;
		return `${fixed}  ${room === Infinity ? message : clip(message, Math.max(10, room))}`.trimEnd();
	};
	return [line(head), ...rows.map(line)].join('\n');
}

/** Counts by outcome, most frequent first: `3 cancelled, 1 not_found`. */
export function counts(outcomes: readonly Row[]): string {
	const by = new Map<string, number>();
	for (const o of outcomes) by.set(o.outcome, (by.get(o.outcome) ?? 0) + 1);
	return [...by.entries()]
		.sort((a, b) => b[1] - a[1])
		.map(([outcome, n]) => `${n} ${outcome}`)
		.join(', ');
}

export interface ProgressState {
	done: number;
	total: number;
	/** Items that got what the command asked for, and what that is called (`cancelled`). */
	succeeded: number;
	word: string;
	elapsedMs: number;
	/** The pacer's limit (requests per `windowMs`), or 0 when pacing is off. */
	requestsPerWindow: number;
	windowMs: number;
}

/** How long the pacer takes to send `n` calls (one window's worth at once, then one more per window), in ms. */
export function pacedEstimateMs(n: number, requestsPerWindow: number, windowMs: number): number {
	if (requestsPerWindow <= 0 || n <= requestsPerWindow) return 0;
	return Math.ceil((n - requestsPerWindow) / requestsPerWindow) * windowMs;
}

function pace(requestsPerWindow: number, windowMs: number): string {
	if (requestsPerWindow <= 0) return 'no pacing';
	return windowMs === 60_000 ? `${requestsPerWindow}/min` : `${requestsPerWindow} per ${duration(windowMs)}`;
}

/** `37/500 done (12 cancelled) · paced at 60/min · about 7 min 20 s left` */
export function progressLine(p: ProgressState): string {
	const parts = [`${p.done}/${p.total} done (${p.succeeded} ${p.word})`, `paced at ${pace(p.requestsPerWindow, p.windowMs)}`];
	const measured = p.elapsedMs >= 2000 && p.done > 0;
	if (measured && p.requestsPerWindow <= 0) parts.push(`${Math.round((p.done / p.elapsedMs) * 60_000)}/min`);
	if (p.done < p.total) {
		// The measured rate once there is one, but never sooner than the pacer allows (it sends
		// one window's worth at once, then one more per window).
		const byRate = measured ? ((p.total - p.done) * p.elapsedMs) / p.done : 0;
		const byPacer = pacedEstimateMs(p.total, p.requestsPerWindow, p.windowMs) - p.elapsedMs;
		const eta = Math.max(byRate, byPacer);
		if (eta >= 1000) parts.push(`about ${duration(eta)} left`);
	}
	return parts.join(' · ');
}
