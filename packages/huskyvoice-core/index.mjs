// ESM entry: the CommonJS entry (index.js) re-exported by name. A name the core adds must be
// added here too (tests/client/api.test.mjs compares this list with the CommonJS exports).
import core from './index.js';

export const {
  validateCallId,
  buildCancelRequest,
  buildCancelRequests,
  interpretCancelResponse,
  interpretCancelResponses,
  retryDelayMs,
  redactSecrets,
  credentialTestRequest,
  readCredentialTest,
  Run,
  Pacers,
  verifyEvent,
  receiveEvent,
  checkReceiver,
  ReplayGuard,
  drive,
  scheduleCall,
  scheduleCalls,
  getCall,
  getCalls,
  cancelCall,
  cancelCalls,
  deleteCall,
  deleteCalls,
} = core;
export default core;
