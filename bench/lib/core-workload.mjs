// The core benchmarks' workload, shared so the WASM core and the plain-TypeScript version are
// timed on exactly the same inputs: validate + build + interpret one cancel per item, with a
// 200 "cancelled" answer.
const OK = (id) => `{"success":true,"call_id":"${id}","status":"cancelled","message":"Call has been successfully cancelled."}`;

export function coreWorkload(core, items) {
  const options = Array.from({ length: items }, (_, i) => ({ via: 'rest', callId: `call_${i}`, baseUrl: 'http://127.0.0.1:4010' }));
  const responses = options.map((o) => ({ via: 'rest', callId: o.callId, statusCode: 200, headers: { 'content-type': 'application/json' }, body: OK(o.callId) }));

  /** One crossing per function per item. Returns how many items came out cancelled. */
  function single() {
    let n = 0;
    for (let i = 0; i < items; i++) {
      core.validateCallId(options[i].callId);
      const req = core.buildCancelRequest(options[i]);
      const res = core.interpretCancelResponse(responses[i]);
      if (req.url && res.outcome === 'cancelled') n++;
    }
    return n;
  }

  /** The node's shape: one batched build (it validates too), then the responses in one call. */
  function batched() {
    const built = core.buildCancelRequests(options);
    const results = core.interpretCancelResponses(responses);
    let n = 0;
    for (let i = 0; i < items; i++) if (built[i].ok && results[i].outcome === 'cancelled') n++;
    return n;
  }

  return { options, responses, single, batched };
}
