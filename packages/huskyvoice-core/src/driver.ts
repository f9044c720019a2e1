// The one driver loop of the run engine (the core's `Run`). It sends what the engine says
// to send, sleeps until the engine's next deadline or the next answer, whichever comes
// first, and stops at once on the caller's signal. It decides nothing: pacing, retries,
// the concurrency cap and when to stop are the engine's. Written once, for the n8n node
// (n8n's HTTP helpers and sleep) and the Node client (node:http agents and timers): only
// `io` differs.
//
// No timers, globals or Node APIs here: the n8n node ships this file, and n8n's
// community-package rules forbid them. Time, sleeping and I/O come in through `io`.
import type { RunAnswer, RunReport, RunSettled, RunStep, SendStep } from './huskyvoice_core';

/** The engine's side of the loop; the core's `Run` class has exactly these methods. */
export interface EngineRun {
	poll(nowMs: number): RunStep;
	respond(ticket: number, answer: RunAnswer, nowMs: number): void;
	abort(nowMs: number): void;
	report(): RunReport;
	/** Items settled since the last call (only asked for when `io.onSettled` is given). */
	settled(): RunSettled[];
}

/** What the loop needs from its surroundings. */
export interface DriverIo {
	/** Sends one request. A failed request is an answer (`transportError`), not a rejection. */
	send(step: SendStep): Promise<RunAnswer>;
	/** Resolves after `ms`; may resolve or reject early once `signal` aborts. */
	sleep(ms: number, signal: AbortSignal): Promise<void>;
	/** Milliseconds since some fixed point (`Date.now` is fine). */
	now(): number;
	/** The caller's stop signal: nothing more is sent once it aborts. */
	signal?: AbortSignal;
	/** Called after the engine has read each answer (logs). */
	onAnswer?(step: SendStep, answer: RunAnswer): void;
	/** Called once per item when it gets its final outcome (progress). */
	onSettled?(item: RunSettled): void;
}

/** What a rejected `send` becomes: the engine treats it like a dropped connection. */
function failure(error: unknown): RunAnswer {
	const code =
		error !== null && typeof error === 'object' && typeof (error as { code?: unknown }).code === 'string'
			? (error as { code: string }).code
			: null;
	return { statusCode: null, transportError: 'connection', errorCode: code };
}

/** Runs `run` to its end (or until `io.signal` aborts) and returns its report. */
export async function drive(run: EngineRun, io: DriverIo): Promise<RunReport> {
	const arrived: Array<{ step: SendStep; answer: RunAnswer }> = [];
	let wake: (() => void) | undefined;
	const rouse = (): void => {
		const resolve = wake;
		wake = undefined;
		if (resolve) resolve();
	};
	const signal = io.signal;
	signal?.addEventListener('abort', rouse);
	try {
		for (;;) {
			if (signal?.aborted) {
				run.abort(io.now());
				break;
			}
			for (const { step, answer } of arrived.splice(0)) {
				run.respond(step.ticket, answer, io.now());
				io.onAnswer?.(step, answer);
			}
			const next = run.poll(io.now());
			if (io.onSettled) for (const item of run.settled()) io.onSettled(item);
			if (next.kind === 'send') {
				void io
					.send(next)
					.then(
						(answer) => answer,
						(error: unknown) => failure(error),
					)
					.then((answer) => {
						arrived.push({ step: next, answer });
						rouse();
					});
				continue;
			}
			if (next.kind === 'done') break;
			const woken = new Promise<void>((resolve) => {
				wake = resolve;
			});
			if (arrived.length > 0) continue;
			if (next.kind === 'wait') {
				// The sleep is cut short when an answer comes first, so no timer outlives the run.
				const sleeping = new AbortController();
				const ms = Math.max(0, next.untilMs - io.now());
				await Promise.race([woken, io.sleep(ms, sleeping.signal).catch(() => undefined)]);
				sleeping.abort();
			} else {
				await woken;
			}
		}
		return run.report();
	} finally {
		signal?.removeEventListener('abort', rouse);
	}
}
