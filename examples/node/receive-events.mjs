// Receive HuskyVoice call events in plain Node: 401 for a missing or wrong signature, 200 at
// once otherwise, and each event acted on once however often it is delivered.
//
//   HUSKYVOICE_EVENTS_SECRET=whsec_... PORT=8787 node examples/node/receive-events.mjs
// Register http(s)://<this host>/huskyvoice/events in HuskyVoice (Integrations › Outbound
// Webhooks) with the same secret. The sandbox sends them too:
//   huskyvoice-sandbox --events-url http://127.0.0.1:8787/huskyvoice/events --events-secret whsec_...
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { ReplayGuard, verifyEvent } from 'huskyvoice-core';

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * @param {{ secret: string, onEvent: (event: import('huskyvoice-core').HuskyVoiceEvent) => void,
 *   guard?: ReplayGuard, onRefused?: (reason: string) => void }} options
 */
export function createEventReceiver({ secret, onEvent, guard = new ReplayGuard(), onRefused = () => {} }) {
  return createServer((req, res) => {
    if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end();
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413, { connection: 'close' }).end();
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      // The raw bytes: the signature covers them, not a re-serialised JSON.
      const verdict = verifyEvent(secret, Buffer.concat(chunks), req.headers['x-husky-signature']);
      if (!verdict.verified) {
        onRefused(verdict.reason);
        res.writeHead(verdict.status, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ error: verdict.reason }));
      }
      const seen = guard.check(verdict.event); // 'first_seen' | 'duplicate' | 'too_old'
      res.writeHead(200).end(); // at once: HuskyVoice is not kept waiting for the work
      if (seen === 'first_seen') onEvent(verdict.event);
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const secret = process.env.HUSKYVOICE_EVENTS_SECRET;
  if (!secret) {
    console.error('usage: HUSKYVOICE_EVENTS_SECRET=whsec_... [PORT=8787] node examples/node/receive-events.mjs');
    process.exit(2);
  }
  const server = createEventReceiver({
    secret,
    onEvent: (e) => console.log(e.created_at, e.event_type, e.data.call_id, e.data.status ?? ''),
    onRefused: (reason) => console.error('refused:', reason),
  });
  server.listen(Number(process.env.PORT ?? 8787), '127.0.0.1', () =>
    console.error(`listening on http://127.0.0.1:${server.address().port}/huskyvoice/events`));
}
