-- wrk script: repeat-cancel one already-cancelled call (an idempotent 200 every time).
-- Usage: wrk -t2 -c64 -d10s -s bench/cancel.lua http://127.0.0.1:PORT
wrk.method = "POST"
wrk.path = "/v1/calls/call_bench/cancel"
wrk.headers["Authorization"] = "Bearer sk_test_sandbox"

-- wrk counts answers outside 2xx/3xx; print it so a wrong setup cannot pass for speed.
function done(summary, latency, requests)
  io.write(string.format("non-2xx responses: %d\n", summary.errors.status))
end
