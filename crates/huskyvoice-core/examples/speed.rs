//! Native per-item cost of build + interpret, to separate Rust work from boundary cost:
//! `cargo run --release -p huskyvoice-core --example speed`.
//!
//! Also runs the wasm binding's batch path natively (JSON text in, item by item through the
//! core, JSON text out), so the Rust share of `buildCancelRequests` / `interpretCancelResponses`
//! can be told apart from the JS share. Fastest of five runs, to resist a busy machine.
use huskyvoice_core::batch;
use huskyvoice_core::interpret::{interpret_cancel_response, CancelResponse};
use huskyvoice_core::request::{build_cancel_request, CancelOptions, Via};
use std::time::Instant;

fn fastest(n: usize, mut f: impl FnMut() -> usize) -> (f64, usize) {
    let mut best = f64::MAX;
    let mut check = 0;
    for _ in 0..5 {
        let start = Instant::now();
        check = f();
        best = best.min(start.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
    (best, check)
}

fn main() {
    let n = 100_000;
    let only_batch = std::env::args().any(|a| a == "--batch-interpret");
    let ids: Vec<String> = (0..n).map(|i| format!("call_{i}")).collect();
    let bodies: Vec<String> = ids
        .iter()
        .map(|id| format!("{{\"success\":true,\"call_id\":\"{id}\",\"status\":\"cancelled\",\"message\":\"Call has been successfully cancelled.\"}}"))
        .collect();
    let (build_us, built) = fastest(n, || {
        let mut built = 0;
        for id in &ids {
            let o = CancelOptions {
                via: Some(Via::Rest),
                call_id: id,
                base_url: Some("http://127.0.0.1:4010"),
                ..Default::default()
            };
            built += build_cancel_request(&o).map(|r| r.url.len()).unwrap_or(0);
        }
        built
    });
    let (interpret_us, cancelled) = fastest(n, || {
        let mut cancelled = 0;
        for (id, body) in ids.iter().zip(&bodies) {
            let r = interpret_cancel_response(&CancelResponse {
                via: Via::Rest,
                call_id: id,
                status_code: Some(200),
                transport_error: None,
                transport_code: None,
                retry_after: None,
                body,
                now_ms: 0.0,
                secrets: &[],
            });
            cancelled += usize::from(r.outcome == huskyvoice_core::Outcome::Cancelled);
        }
        cancelled
    });
    println!(
        "single items: build {build_us:.3} µs/item, interpret {interpret_us:.3} µs/item ({built} {cancelled})"
    );

    // The batch path of the wasm binding, on the text JSON.stringify would give it.
    let options: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| serde_json::json!({"via": "rest", "callId": id, "baseUrl": "http://127.0.0.1:4010"}))
        .collect();
    let responses: Vec<serde_json::Value> = ids
        .iter()
        .zip(&bodies)
        .map(|(id, body)| serde_json::json!({"via": "rest", "callId": id, "statusCode": 200, "headers": {"content-type": "application/json"}, "body": body}))
        .collect();
    let options = serde_json::to_string(&options).unwrap_or_default();
    let responses = serde_json::to_string(&responses).unwrap_or_default();
    let (batch_build_us, out_len) = fastest(n, || {
        batch::build_requests(&options)
            .map(|t| t.len())
            .unwrap_or(0)
    });
    let (batch_interpret_us, out_len2) = fastest(n, || {
        batch::interpret_responses(&responses, 0.0)
            .map(|t| t.len())
            .unwrap_or(0)
    });
    if only_batch {
        for _ in 0..20 {
            let _ = batch::interpret_responses(&responses, 0.0);
        }
        return;
    }
    println!(
        "batch path (JSON text in, values out): build {batch_build_us:.3} µs/item, interpret {batch_interpret_us:.3} µs/item ({out_len} {out_len2})"
    );
}
