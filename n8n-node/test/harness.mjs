// A small, honest stand-in for n8n's execution context, to run the compiled node's `execute`
// against the real sandbox server (tests/helpers/sandbox.mjs).
//
// What it does the way n8n 2.41 does it (see n8n-core's request helpers and
// @n8n/backend-network's axios transport):
// - HTTP through axios, a fresh http.Agent per request (so no keep-alive, like n8n),
//   `ignoreHttpStatusErrors` -> validateStatus always true, `returnFullResponse` ->
//   `{ body, headers, statusCode, statusMessage }`, `encoding` -> axios `responseType`;
// - `httpRequestWithAuthentication` takes the credentials from `credentialsDecrypted` when given,
//   else from `getCredentials`, runs the credential class's own `authenticate`, and wraps any
//   request error in `NodeApiError` (with the axios error as its cause);
// - `getNodeParameter` returns the stored value, resolves `={{ $json.field }}`, and resolves other
//   expressions through per-test resolver functions (standing in for n8n's expression engine);
// - `getCredentials` counts its calls (n8n decrypts on every call).
// Every run also asserts that no secret appears anywhere in the output items or the thrown error.

import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { setMaxListeners } from 'node:events';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import axios from 'axios';

const require = createRequire(import.meta.url);
export const NODE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO_ROOT = path.resolve(NODE_DIR, '..');

const { NodeApiError } = require('n8n-workflow');
const { HuskyVoice } = require(path.join(NODE_DIR, 'dist/nodes/HuskyVoice/HuskyVoice.node.js'));
const { HuskyVoiceApi } = require(
	path.join(NODE_DIR, 'dist/credentials/HuskyVoiceApi.credentials.js'),
);
const { HuskyVoiceWebhookApi } = require(
	path.join(NODE_DIR, 'dist/credentials/HuskyVoiceWebhookApi.credentials.js'),
);
export { HuskyVoice, HuskyVoiceApi, HuskyVoiceWebhookApi };

export const API_KEY = 'sk_test_sandbox';
export const WEBHOOK_TOKEN = 'sandbox-token';
export const WRONG_KEY = 'sk_test_node_wrong_key_1234';
export const READONLY_KEY = 'sk_test_node_readonly_key_5678';
export const CANCEL_ONLY_KEY = 'sk_test_node_cancel_only_9999';
export const SECRETS = [API_KEY, WEBHOOK_TOKEN, WRONG_KEY, READONLY_KEY, CANCEL_ONLY_KEY];

const CREDENTIAL_TYPES = {
	huskyVoiceApi: new HuskyVoiceApi(),
	huskyVoiceWebhookApi: new HuskyVoiceWebhookApi(),
};

/** Starts a sandbox with the default key, a read-only key, a cancel-only key and the default webhook token. */
export async function sandbox() {
	const { startSandbox } = await import(path.join(REPO_ROOT, 'tests/helpers/sandbox.mjs'));
	return startSandbox({
		args: [
			'--api-key',
			API_KEY,
			'--api-key',
			`${READONLY_KEY}:calls:read`,
			'--api-key',
			`${CANCEL_ONLY_KEY}:calls:cancel`,
			'--webhook-token',
			WEBHOOK_TOKEN,
		],
	});
}

function toAxios(options) {
	const config = {
		method: options.method ?? 'GET',
		url: options.baseURL ? new URL(options.url, options.baseURL).href : options.url,
		headers: { ...(options.headers ?? {}) },
		timeout: options.timeout,
		signal: options.abortSignal,
		maxRedirects: options.disableFollowRedirect ? 0 : options.maxRedirects,
		// A fresh agent per request: what n8n's transport does (so, as in n8n, no connection reuse).
		httpAgent: new http.Agent(),
		httpsAgent: new https.Agent(),
	};
	if (options.body !== undefined) config.data = options.body;
	if (options.encoding) config.responseType = options.encoding;
	if (options.ignoreHttpStatusErrors) config.validateStatus = () => true;
	return config;
}

async function request(options) {
	const res = await axios.request(toAxios(options));
	if (options.returnFullResponse) {
		return {
			body: res.data,
			headers: res.headers,
			statusCode: res.status,
			statusMessage: res.statusText,
		};
	}
	return res.data;
}

let runs = 0;

/**
 * Runs the node once. `spec`:
 *   items: [{ json }] | json objects; parameters: the node's stored parameters;
 *   resolve: { name: (itemIndex, item) => value } for parameters holding other expressions;
 *   credentials: { huskyVoiceApi?: data, huskyVoiceWebhookApi?: data };
 *   continueOnFail: boolean (default false); onError: 'continueRegularOutput' | 'continueErrorOutput';
 *   abortController; credentialId (share one pacer between runs);
 *   executionId, workflowId, context (the node context n8n keeps for a retried execution).
 * Resolves { output: items of output 0, error, calls, ms }.
 */
export async function run(spec) {
	const items = (spec.items ?? []).map((it) =>
		it && typeof it === 'object' && 'json' in it ? it : { json: it },
	);
	const parameters = {
		authentication: 'apiKey',
		resource: 'call',
		operation: 'cancel',
		callId: '={{ $json.call_id }}',
		options: {},
		...(spec.parameters ?? {}),
	};
	// Each run gets its own credential ids unless the test shares one on purpose: the node keeps
	// one pacer per credential for the whole process (as n8n does), and tests must not pace
	// each other.
	const credentialRefs = {};
	runs += 1;
	for (const type of Object.keys(spec.credentials ?? {}))
		credentialRefs[type] = { id: spec.credentialId ?? `cred_${type}_${runs}`, name: `Test ${type}` };
	const node = {
		id: 'node-1',
		name: 'HuskyVoice',
		type: 'n8n-nodes-huskyvoice.huskyVoice',
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: credentialRefs,
		...(spec.onError ? { onError: spec.onError } : {}),
	};
	const calls = {
		getNodeParameter: {},
		getCredentials: [],
		httpRequest: 0,
		httpRequestWithAuthentication: 0,
		credentialsDecryptedPassed: 0,
	};
	const abortController = spec.abortController ?? new AbortController();
	// n8n does the same on its execution's signal (WorkflowExecute), which every request listens to.
	setMaxListeners(Infinity, abortController.signal);

	const getCredentials = async (type, itemIndex) => {
		calls.getCredentials.push({ type, itemIndex });
		const data = spec.credentials?.[type];
		if (!data)
			throw new Error(`Node "HuskyVoice" does not have any credentials of type "${type}" set`);
		return { ...data };
	};
	const ctx = {
		getInputData: () => items,
		getNode: () => structuredClone(node),
		continueOnFail: () => spec.continueOnFail ?? false,
		getExecutionCancelSignal: () => abortController.signal,
		// n8n keeps the node context in the execution data and hands it to a retried execution.
		getContext: (type) => {
			assert.equal(type, 'node');
			return spec.context ?? (spec.context = {});
		},
		getExecutionId: () => spec.executionId ?? `exec_${runs}`,
		getWorkflow: () => ({ id: spec.workflowId ?? 'wf_test', name: 'Test', active: false }),
		getCredentials,
		getNodeParameter(name, itemIndex, fallback) {
			calls.getNodeParameter[name] = (calls.getNodeParameter[name] ?? 0) + 1;
			if (spec.resolve?.[name]) return spec.resolve[name](itemIndex, items[itemIndex]);
			const raw = parameters[name];
			if (raw === undefined) return fallback;
			if (typeof raw === 'string' && raw.startsWith('=')) {
				const m = /^=\{\{\s*\$json\.(\w+)\s*\}\}$/.exec(raw);
				if (!m) throw new Error(`test harness: give a resolver for the expression ${raw}`);
				return items[itemIndex].json[m[1]];
			}
			return structuredClone(raw);
		},
		getNodeOutputs: () => [],
		helpers: {
			async httpRequest(options) {
				calls.httpRequest++;
				return await request(options);
			},
			async httpRequestWithAuthentication(type, options, additional) {
				calls.httpRequestWithAuthentication++;
				let data;
				if (additional?.credentialsDecrypted) {
					calls.credentialsDecryptedPassed++;
					data = additional.credentialsDecrypted.data;
				} else {
					data = await getCredentials(type);
				}
				const authenticate = CREDENTIAL_TYPES[type].authenticate;
				const authed =
					typeof authenticate === 'function' ? await authenticate(data, { ...options }) : options;
				try {
					return await request(authed);
				} catch (error) {
					throw new NodeApiError(node, error);
				}
			},
		},
	};

	const t0 = performance.now();
	let output;
	let error;
	try {
		const result = await new HuskyVoice().execute.call(ctx);
		output = result[0];
	} catch (e) {
		error = e;
	}
	const ms = performance.now() - t0;
	assertNoSecrets({ output, error: error && errorView(error) }, spec.secrets ?? SECRETS);
	return { output, error, calls, ms };
}

/** Everything of an error a user or a log could see. */
export function errorView(error) {
	return {
		name: error.name,
		message: error.message,
		description: error.description,
		messages: error.messages,
		context: error.context,
		httpCode: error.httpCode,
		stack: error.stack,
		json: JSON.parse(JSON.stringify(error)),
	};
}

export function assertNoSecrets(value, secrets = SECRETS) {
	const text = JSON.stringify(value) ?? '';
	const leaked = secrets.filter((s) => text.includes(s));
	assert.deepEqual(leaked, [], `secret(s) leaked into output or error: ${text.slice(0, 500)}`);
}

/** Requests the sandbox logged for these call ids (REST path or webhook body). */
export function requestsFor(log, ids) {
	const set = new Set(Array.isArray(ids) ? ids : [ids]);
	return log.filter((r) => {
		const m = /^\/v1\/calls\/([^/?]+)\/cancel/.exec(r.path);
		if (m) return set.has(decodeURIComponent(m[1]));
		if (r.path.startsWith('/v1/hooks/')) {
			try {
				return set.has(JSON.parse(r.body)?.data?.call_id);
			} catch {
				return false;
			}
		}
		return false;
	});
}

export const jsonOf = (output) => output.map((item) => item.json);
export const restCredentials = (url, apiKey = API_KEY) => ({
	huskyVoiceApi: { apiKey, baseUrl: url },
});
export const webhookCredentials = (url, token = WEBHOOK_TOKEN) => ({
	huskyVoiceWebhookApi: { webhook: `${url}/v1/hooks/${token}`, baseUrl: '' },
});
export const idsItems = (ids) => ids.map((call_id) => ({ json: { call_id } }));
