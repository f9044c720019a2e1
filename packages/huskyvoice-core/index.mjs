// ESM entry: the wasm-bindgen output for Node is CommonJS, so re-export it by name.
import core from './pkg/huskyvoice_core.js';

export const {
  validateCallId,
  buildCancelRequest,
  buildCancelRequests,
  interpretCancelResponse,
  interpretCancelResponses,
  retryDelayMs,
  redactSecrets,
} = core;
export default core;
