// Cancel HuskyVoice calls from plain Node.js with huskyvoice-core: it validates, builds the
// request, reads the response into one outcome and says when to retry; you do the fetch.
//
//   HUSKYVOICE_API_KEY=sk_live_... node examples/node/cancel.mjs call_abc_123 [more ids]
//   HUSKYVOICE_BASE_URL=http://127.0.0.1:4010 (optional; default https://api.huskyvoice.ai)
import { buildCancelRequest, interpretCancelResponse, retryDelayMs } from 'huskyvoice-core';
import { setTimeout as sleep } from 'node:timers/promises';

const apiKey = process.env.HUSKYVOICE_API_KEY;
const baseUrl = process.env.HUSKYVOICE_BASE_URL;

export async function cancelCall(callId, { apiKey, baseUrl, policy = { maxAttempts: 3 } }) {
  const request = buildCancelRequest({ via: 'rest', callId, apiKey, baseUrl }); // throws on bad input
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    let result;
    try {
      const res = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, signal: AbortSignal.timeout(10_000) });
      result = interpretCancelResponse({ via: 'rest', callId, statusCode: res.status, headers: Object.fromEntries(res.headers), body: await res.text(), secrets: [apiKey] });
    } catch (e) {
      result = interpretCancelResponse({ via: 'rest', callId, transportError: e.name === 'TimeoutError' ? 'timeout' : 'connection', secrets: [apiKey] });
    }
    const delay = retryDelayMs(result, attempt, policy, waited);
    if (delay === null) return { ...result, attempts: attempt };
    await sleep(delay);
    waited += delay;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ids = process.argv.slice(2);
  if (!apiKey || ids.length === 0) {
    console.error('usage: HUSKYVOICE_API_KEY=sk_... node examples/node/cancel.mjs CALL_ID [CALL_ID...]');
    process.exit(2);
  }
  let failed = 0;
  for (const id of ids) {
    try {
      const r = await cancelCall(id, { apiKey, baseUrl });
      console.log(`${r.callId}\t${r.outcome}\t${r.message}`);
      if (r.outcome !== 'cancelled') failed++;
    } catch (e) {
      console.log(`${id}\terror ${e.code}\t${e.message}`);
      failed++;
    }
  }
  process.exit(failed ? 1 : 0);
}
