import type { RunCredential, Via } from '../../../core/huskyvoice_core';

// What a run and a credential's Test button both read from a decrypted HuskyVoice credential:
// one reading, so the test checks exactly what a run will use.

function text(value: unknown): string | null {
	return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** The credential as the core takes it (blank fields are null, so the core names them). */
export function runCredentialOf(via: Via, data: Record<string, unknown>): RunCredential {
	return via === 'rest'
		? { via, apiKey: text(data.apiKey), baseUrl: text(data.baseUrl) }
		: { via, webhook: typeof data.webhook === 'string' ? data.webhook : '', baseUrl: text(data.baseUrl) };
}
