import { Pacers } from '../../core/huskyvoice_core';

/**
 * HuskyVoice limits requests per API key (60 a minute). One set of pacers for this n8n
 * process, keyed by credential id, so executions running at once with one credential keep the
 * limit together instead of each assuming it has the key to itself.
 */
export const PACERS = new Pacers();
