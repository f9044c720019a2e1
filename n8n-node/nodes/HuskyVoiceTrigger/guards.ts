import { ReplayGuard } from '../../core/huskyvoice_core';
import type { ReplayGuardState } from '../../core/huskyvoice_core';

/** A trigger's guard in this process, and whether n8n may not have saved its last change. */
export interface KeptGuard {
	guard: ReplayGuard;
	unsaved: boolean;
}

/**
 * One replay guard per trigger node and mode in this n8n process. n8n loads the workflow's
 * static data afresh for every request and saves it after, so two deliveries arriving together
 * would each start from the same saved guard and the later save would drop the other's event
 * id. Kept here, every delivery this process receives is checked against one guard; the static
 * data brings it back after a restart.
 */
const guards = new Map<string, KeptGuard>();

/** The core's defaults: a day of events, up to 1,000 ids (about 45 KB of static data). */
const LIMITS = {};

/** The guard for `key`, restored from `saved` (the static data) the first time. */
export function guardFor(key: string, saved: unknown): KeptGuard {
	let kept = guards.get(key);
	if (kept === undefined) {
		kept = { guard: restore(saved), unsaved: false };
		guards.set(key, kept);
	}
	return kept;
}

function restore(saved: unknown): ReplayGuard {
	if (saved !== null && typeof saved === 'object') {
		try {
			return ReplayGuard.fromJSON(saved as ReplayGuardState, LIMITS);
		} catch {
			// Static data edited by hand or left by another version: start afresh rather than
			// refuse every event; an id it held may then start once more.
		}
	}
	return new ReplayGuard(LIMITS);
}
