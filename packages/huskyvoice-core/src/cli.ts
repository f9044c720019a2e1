#!/usr/bin/env node
// `huskyvoice schedule|get|cancel|delete`: the client's four operations on the command line.
// The API key is read only from HUSKYVOICE_API_KEY (a key on the command line leaks into shell
// history and `ps`).
//
// Exit status: 0 every call done (a dry run: every input valid), 1 some were not,
// 2 bad usage or no credential (nothing sent), 130 stopped by Ctrl-C (143 by SIGTERM); what was
// done is printed.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

import { callsFromCsv } from './calls';
import type { CsvCall } from './calls';
import { cancelCalls, deleteCalls, getCalls, scheduleCalls } from './client';
import type { CallsOptions, CancelOutcome, DeleteOutcome, GetOutcome, ScheduleOutcome } from './client';
import { idsFromCsv, idsFromLines, IdListError } from './ids';
import { counts, duration, pacedEstimateMs, progressLine, table } from './table';

const USAGE = `usage: huskyvoice <schedule|get|cancel|delete> [ids...] [--from FILE|-] [--column NAME]
                  [--webhook URL] [--base-url URL] [--rpm N] [--concurrency N] [--dry-run] [--json]

Drives HuskyVoice calls, paced under the rate limit (60 requests per minute by default).

  schedule --from FILE   schedule the calls of a CSV with a header row: agent_id,
                         contact_number (+91 and 10 digits), contact_name, contact_email,
                         additional_info (a JSON object), idempotency_key; other columns
                         go into additional_info. Every create carries an Idempotency-Key
                         (a row's own, or one the core derives from the row's content), so
                         running the same file again, even with rows fixed, removed or
                         reordered, calls no one twice within 24 h: rows HuskyVoice already
                         has get their first answer back. --new-run calls them again.
  get ids...             show each call's status and fields (needs the API key)
  cancel ids...          cancel queued calls
  delete ids... [--yes]  erase ended calls' data (transcript, recording, contact); cannot be
                         undone. On a terminal it asks you to type yes; in a script or a
                         pipe it needs --yes and otherwise sends nothing (exit 2).

  ids               call ids (e.g. call_abc_123)
  --from FILE|-     read ids from FILE (- for stdin): one per line, blank lines skipped
  --column NAME     FILE is a CSV with a header row; read the ids from column NAME
  --new-run         schedule: a fresh run id, so every row is a new call even if the same
                    rows were scheduled before; the id is printed, to resume with --run-id
  --run-id ID       schedule: the run id the keys derive from (default: one for all files,
                    so a row's key is its content's), e.g. to resume a --new-run
  --yes, -y         delete: confirm that the data is erased for good (no prompt)
  --webhook URL     use the inbound webhook (its URL or token); also HUSKYVOICE_WEBHOOK
  --base-url URL    API base URL (default https://api.huskyvoice.ai); also HUSKYVOICE_BASE_URL
  --rpm N           at most N requests per minute (default 60, HuskyVoice's limit; 0 = off)
  --concurrency N   requests in flight at once (default 5)
  --dry-run         check the input and show the requests; send nothing
  --json            one JSON object per call and line, instead of the table

The API key is read from HUSKYVOICE_API_KEY only, never from the command line.
Exit status: 0 all done (scheduled, found, cancelled, deleted), 1 some not, 2 bad usage or
no credential (nothing sent), 130 Ctrl-C.`;

const OPTIONS = {
	from: { type: 'string' },
	column: { type: 'string' },
	'new-run': { type: 'boolean' },
	'run-id': { type: 'string' },
	yes: { type: 'boolean', short: 'y' },
	webhook: { type: 'string' },
	'base-url': { type: 'string' },
	rpm: { type: 'string' },
	concurrency: { type: 'string' },
	'dry-run': { type: 'boolean' },
	json: { type: 'boolean' },
	help: { type: 'boolean', short: 'h' },
	// Accepted only to refuse it without echoing the key or taking it for a call id.
	'api-key': { type: 'string' },
} as const;

type CommandName = 'schedule' | 'get' | 'cancel' | 'delete';
const COMMANDS: readonly CommandName[] = ['schedule', 'get', 'cancel', 'delete'];

/** The outcome that is each command's success (and the progress line's word for it). */
const DONE_WORD: Record<CommandName, string> = { schedule: 'scheduled', get: 'found', cancel: 'cancelled', delete: 'deleted' };

type Outcome = CancelOutcome | ScheduleOutcome | GetOutcome | DeleteOutcome;

class UsageError extends Error {
	/** A mistake in the command line itself: the usage is shown with it. */
	constructor(message: string, readonly syntax = false) {
		super(message);
	}
}

function wholeNumber(flag: string, value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	if (!/^\d+$/.test(value.trim())) throw new UsageError(`${flag} must be a whole number; got ${JSON.stringify(value)}.`, true);
	return Number(value);
}

async function readStdin(): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

function say(line: string): void {
	process.stderr.write(`huskyvoice: ${line}\n`);
}

interface Command {
	name: CommandName;
	/** Call ids (get, cancel, delete) or the calls to schedule. */
	inputs: string[] | CsvCall[];
	source: string | null;
	options: CallsOptions;
	json: boolean;
	/** delete: --yes was given. */
	confirmed: boolean;
	/** schedule: the run id the keys derive from, and whether --new-run made it up. */
	runId: string | undefined;
	newRun: boolean;
}

/** The run id of a schedule without --new-run or --run-id: the same for every file. */
const DEFAULT_RUN_ID = 'huskyvoice-cli';

/** Whether stdin is a terminal (someone who can be asked), and how to ask; overridable for tests. */
export interface Terminal {
	stdinIsTTY: boolean;
	/** Shows `question` and resolves with the line typed, or null when the person pressed Ctrl-C or Ctrl-D. */
	ask?: (question: string) => Promise<string | null>;
}

function askOnTerminal(question: string): Promise<string | null> {
	return new Promise((resolve) => {
		const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
		let answered = false;
		const done = (answer: string | null): void => {
			if (answered) return;
			answered = true;
			rl.close();
			resolve(answer);
		};
		rl.on('SIGINT', () => {
			process.stderr.write('\n');
			done(null);
		});
		rl.on('close', () => done(null));
		rl.question(question, (answer) => done(answer));
	});
}

/**
 * Delete erases data for good, so it needs a yes: --yes, or typed at the prompt when stdin is a
 * terminal. Without a terminal (a script, a pipe, --from -) nobody can be asked: refuse.
 * Returns the exit status when the delete must not go ahead.
 */
async function confirmDelete(command: Command, terminal: Terminal): Promise<number | null> {
	if (command.confirmed || command.options.dryRun === true) return null;
	const n = command.inputs.length;
	const what = `the data of ${n} call${n === 1 ? '' : 's'} (transcript, recording metadata, contact details)`;
	if (!terminal.stdinIsTTY || command.source === '-') {
		say(`delete erases ${what} for good, and standard input is not a terminal to ask on. Add --yes to confirm. Nothing was sent.`);
		return 2;
	}
	const answer = await (terminal.ask ?? askOnTerminal)(`huskyvoice: erase ${what} for good? This cannot be undone. Type yes to delete: `);
	if (answer === null) {
		say('not confirmed (stopped at the prompt). Nothing was sent.');
		return 130;
	}
	if (!/^(y|yes)$/i.test(answer.trim())) {
		say('not confirmed (type yes, or y, to delete). Nothing was sent.');
		return 2;
	}
	return null;
}

async function readSource(from: string): Promise<string> {
	try {
		return from === '-' ? await readStdin() : readFileSync(from, 'utf8');
	} catch (error) {
		throw new UsageError(`cannot read ${JSON.stringify(from)}: ${(error as Error).message}`);
	}
}

async function parse(argv: string[], env: NodeJS.ProcessEnv): Promise<Command | 'help'> {
	let parsed;
	try {
		parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
	} catch (error) {
		// parseArgs names the flag, never a value.
		throw new UsageError((error as Error).message, true);
	}
	const { values, positionals } = parsed;
	if (values.help || positionals[0] === 'help') return 'help';
	const [command, ...ids] = positionals;
	if (command === undefined) throw new UsageError('give a command: huskyvoice schedule|get|cancel|delete.', true);
	const name = COMMANDS.find((c) => c === command);
	if (name === undefined) {
		throw new UsageError(`unknown command ${JSON.stringify(command)}; the commands are ${COMMANDS.join(', ')}.`, true);
	}
	if (values['api-key'] !== undefined) {
		throw new UsageError('--api-key is not accepted: a key on the command line leaks into shell history and ps. Set HUSKYVOICE_API_KEY instead.');
	}
	if (name === 'schedule') {
		if (ids.length > 0) throw new UsageError('schedule reads its calls from a CSV: huskyvoice schedule --from calls.csv (- for stdin).', true);
		if (values.from === undefined) throw new UsageError('schedule needs --from FILE: a CSV with the columns agent_id, contact_number, ….', true);
		if (values.column !== undefined) throw new UsageError('--column is for call ids; a schedule CSV names its columns in its header.', true);
		if (values['new-run'] === true && values['run-id'] !== undefined) throw new UsageError('give --new-run (a fresh run) or --run-id ID (that run), not both.', true);
	} else {
		if (values['new-run'] !== undefined || values['run-id'] !== undefined) throw new UsageError('--new-run and --run-id are only for schedule.', true);
		if (values.column !== undefined && values.from === undefined) throw new UsageError('--column needs --from FILE (a CSV file).', true);
		if (ids.length === 0 && values.from === undefined) throw new UsageError('give call ids, or --from FILE (- for stdin).', true);
	}
	if (values.yes !== undefined && name !== 'delete') throw new UsageError('--yes is only for delete.', true);

	const flagWebhook = values.webhook;
	const envWebhook = env.HUSKYVOICE_WEBHOOK?.trim() ? env.HUSKYVOICE_WEBHOOK : undefined;
	const apiKey = env.HUSKYVOICE_API_KEY?.trim() ? env.HUSKYVOICE_API_KEY : undefined;
	let credential: Pick<CallsOptions, 'apiKey' | 'webhook'>;
	if (flagWebhook !== undefined) credential = { webhook: flagWebhook };
	else if (envWebhook !== undefined && apiKey !== undefined) {
		throw new UsageError('both HUSKYVOICE_API_KEY and HUSKYVOICE_WEBHOOK are set: unset one, or pass --webhook to use the webhook.');
	} else if (apiKey !== undefined) credential = { apiKey };
	else if (envWebhook !== undefined) credential = { webhook: envWebhook };
	else {
		throw new UsageError('no credential: set HUSKYVOICE_API_KEY (REST API key), or HUSKYVOICE_WEBHOOK or --webhook (inbound webhook). Nothing was sent.');
	}

	const all: string[] = [...ids];
	let inputs: string[] | CsvCall[] = all;
	const from = values.from;
	if (from !== undefined) {
		const text = await readSource(from);
		const source = from === '-' ? 'stdin' : from;
		try {
			if (name === 'schedule') {
				inputs = callsFromCsv(text);
			} else if (values.column !== undefined) {
				const column = idsFromCsv(text, values.column);
				if (column.skipped > 0) say(`${column.skipped} row(s) of ${source} have no ${values.column}: skipped.`);
				all.push(...column.ids);
			} else {
				all.push(...idsFromLines(text));
			}
		} catch (error) {
			if (error instanceof IdListError) throw new UsageError(`${source}: ${error.message}`);
			throw error;
		}
	}
	const envBase = env.HUSKYVOICE_BASE_URL?.trim() ? env.HUSKYVOICE_BASE_URL : undefined;
	const options: CallsOptions = {
		...credential,
		baseUrl: values['base-url'] ?? envBase,
		requestsPerMinute: wholeNumber('--rpm', values.rpm),
		concurrency: wholeNumber('--concurrency', values.concurrency),
		dryRun: values['dry-run'] === true,
	};
	const runId = name === 'schedule' ? scheduleRunId(values['new-run'] === true, values['run-id']) : undefined;
	return { name, inputs, source: from ?? null, options, json: values.json === true, confirmed: values.yes === true, runId, newRun: values['new-run'] === true };
}

/**
 * The run id a schedule's keys derive from. A file's rows are keyed by their content, so one
 * fixed id by default lets a re-run of an edited file find the rows HuskyVoice already has;
 * --new-run makes a fresh (dated, so a user can tell runs apart) one.
 */
function scheduleRunId(newRun: boolean, given: string | undefined): string {
	if (newRun) return `new-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
	return given ?? DEFAULT_RUN_ID;
}

/** The client names its options; say them as the command line's flags. */
function inFlagTerms(message: string): string {
	return message
		.replace(/^(schedule|get|cancel|delete)Calls: /, '')
		.replace(/"requestsPerMinute"/g, '--rpm')
		.replace(/"concurrency"/g, '--concurrency')
		.replace(/"baseUrl"/g, '--base-url')
		.replace(/"webhook"/g, '--webhook')
		.replace(/"runId"/g, '--run-id');
}

/** Whether the operation got what it asked for (the outcome the engine counts as success). */
function succeeded(o: Outcome): boolean {
	if ('scheduled' in o) return o.scheduled;
	if ('found' in o) return o.found;
	if ('deleted' in o) return o.deleted;
	return o.cancelled;
}

function exitStatus(outcomes: readonly Outcome[], dryRun: boolean, stopped: number): number {
	if (stopped) return stopped;
	const ok = outcomes.every((o) => (dryRun ? o.outcome === 'dry_run' : succeeded(o)));
	return ok ? 0 : 1;
}

function runCommand(command: Command, options: CallsOptions): Promise<Outcome[]> {
	switch (command.name) {
		case 'schedule':
			return scheduleCalls(command.inputs as CsvCall[], { ...options, runId: command.runId, keysFrom: 'content' });
		case 'get':
			return getCalls(command.inputs, options);
		case 'delete':
			return deleteCalls(command.inputs, options);
		case 'cancel':
			return cancelCalls(command.inputs, options);
	}
}

export async function main(
	argv: string[],
	env: NodeJS.ProcessEnv = process.env,
	terminal: Terminal = { stdinIsTTY: process.stdin.isTTY === true },
): Promise<number> {
	let command: Command | 'help';
	try {
		command = await parse(argv, env);
	} catch (error) {
		if (!(error instanceof UsageError)) throw error;
		say(error.message);
		if (error.syntax) process.stderr.write(`${USAGE.split('\n\n')[0]}\nRun huskyvoice --help for more.\n`);
		return 2;
	}
	if (command === 'help') {
		process.stdout.write(`${USAGE}\n`);
		return 0;
	}
	const { inputs, options, json } = command;
	const noun = command.name === 'schedule' ? 'calls' : 'call ids';
	if (inputs.length === 0) {
		say(`no ${noun} in ${command.source === '-' ? 'stdin' : command.source}: nothing to do.`);
		return 0;
	}
	if (command.name === 'delete') {
		const refused = await confirmDelete(command, terminal);
		if (refused !== null) return refused;
	}
	if (command.newRun) say(`new run ${command.runId}: every row is a new call. If it stops part-way, resume it with --run-id ${command.runId} (not --new-run again).`);

	const rpm = options.requestsPerMinute ?? 60;
	const windowMs = 60_000;
	const estimate = options.dryRun ? 0 : pacedEstimateMs(inputs.length, rpm, windowMs);
	if (estimate >= 10_000) {
		say(`${inputs.length} calls at ${rpm} requests/min (HuskyVoice's limit is 60/min) take about ${duration(estimate)}. Ctrl-C stops sending and prints what was done.`);
	}

	const tty = process.stderr.isTTY === true;
	const controller = new AbortController();
	let stopped: 130 | 143 | 0 = 0;
	const onSignal = (signal: NodeJS.Signals): void => {
		if (stopped) process.exit(stopped);
		stopped = signal === 'SIGTERM' ? 143 : 130;
		controller.abort();
		if (tty) process.stderr.write('\r\x1b[K');
		say('stopping: no more requests are sent (Ctrl-C again to quit at once).');
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);

	const started = Date.now();
	const word = DONE_WORD[command.name];
	const state = { done: 0, total: inputs.length, succeeded: 0, word, elapsedMs: 0, requestsPerWindow: rpm, windowMs };
	let lastDraw = 0;
	const draw = (): void => {
		if (stopped) return;
		state.elapsedMs = Date.now() - started;
		process.stderr.write(`\r\x1b[K${progressLine(state)}`);
		lastDraw = Date.now();
	};
	const ticker = tty ? setInterval(draw, 1000) : undefined;
	let outcomes: Outcome[];
	try {
		outcomes = await runCommand(command, {
			...options,
			signal: controller.signal,
			onProgress: (done, _total, outcome) => {
				state.done = done;
				if (outcome === word) state.succeeded++;
				if (tty && (Date.now() - lastDraw >= 100 || done === state.total)) draw();
			},
		});
	} catch (error) {
		const code = (error as { code?: unknown }).code;
		if (typeof code === 'string' && code.startsWith('INVALID_')) {
			say(`${inFlagTerms((error as Error).message)} Nothing was sent.`);
			return 2;
		}
		throw error;
	} finally {
		if (ticker) clearInterval(ticker);
		if (tty) process.stderr.write('\r\x1b[K');
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
	}

	if (json) {
		process.stdout.write(outcomes.map((o) => `${JSON.stringify(o)}\n`).join(''));
	} else {
		process.stdout.write(`${table(outcomes, process.stdout.isTTY ? process.stdout.columns : undefined)}\n`);
	}
	const requests = outcomes.reduce((sum, o) => sum + o.attempts, 0);
	const n = inputs.length;
	const summary = `${n} call${n === 1 ? '' : 's'}: ${counts(outcomes)}; ${requests} request${requests === 1 ? '' : 's'} in ${duration(Date.now() - started)}.`;
	// A schedule's unconfirmed rows are settled by running it again with the same run id.
	const again = `run the same file again${command.newRun ? ` with --run-id ${command.runId}` : ''}: rows HuskyVoice already has are answered from their Idempotency-Key, never called twice`;
	const inDoubt = command.name === 'schedule' ? `may or may not be scheduled: ${again}` : `may or may not be ${word}`;
	say(stopped ? `stopped by ${stopped === 130 ? 'Ctrl-C' : 'SIGTERM'}. ${summary} "not_sent" calls were not sent; "interrupted" ones ${inDoubt}.` : summary);
	// Whatever kept a row from being scheduled, running the file again (once a bad row is
	// fixed) is safe: the advice needs no judgement of which outcomes are worth it.
	const unscheduled = command.name === 'schedule' && !stopped && !options.dryRun ? outcomes.filter((o) => !succeeded(o)).length : 0;
	if (unscheduled > 0) say(`${unscheduled} call${unscheduled === 1 ? ' is' : 's are'} not scheduled: fix the rows that are invalid or rejected, if any, and ${again}.`);
	return exitStatus(outcomes, options.dryRun === true, stopped);
}

if (require.main === module) {
	main(process.argv.slice(2)).then(
		(code) => {
			process.exitCode = code;
		},
		(error: unknown) => {
			say(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
			process.exitCode = 1;
		},
	);
}
