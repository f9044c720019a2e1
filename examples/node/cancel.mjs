// Cancel HuskyVoice calls from plain Node.js with huskyvoice-core's client: it validates the
// ids, paces the requests under HuskyVoice's 60/min limit, retries and reads every answer.
//
//   HUSKYVOICE_API_KEY=sk_live_... node examples/node/cancel.mjs call_abc_123 [more ids]
//   HUSKYVOICE_BASE_URL=http://127.0.0.1:4010 (optional; default https://api.huskyvoice.ai)
// (The package's own CLI does the same and more: `npx huskyvoice cancel --help`.)
import { cancelCalls } from 'huskyvoice-core';

const ids = process.argv.slice(2);
if (!process.env.HUSKYVOICE_API_KEY || ids.length === 0) {
  console.error('usage: HUSKYVOICE_API_KEY=sk_... node examples/node/cancel.mjs CALL_ID [CALL_ID...]');
  process.exit(2);
}
const outcomes = await cancelCalls(ids, { apiKey: process.env.HUSKYVOICE_API_KEY, baseUrl: process.env.HUSKYVOICE_BASE_URL });
for (const o of outcomes) console.log(`${o.callId}\t${o.outcome}\t${o.message}`);
process.exitCode = outcomes.every((o) => o.cancelled) ? 0 : 1;
