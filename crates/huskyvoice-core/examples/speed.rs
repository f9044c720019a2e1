//! Native per-item cost of build + interpret, to separate Rust work from boundary cost:
//! `cargo run --release -p huskyvoice-core --example speed`.
//!
//! Also runs the wasm binding's batch path natively (JSON text in, item by item through the
//! core, JSON text out), so the Rust share of `buildCancelRequests` / `interpretCancelResponses`
//! can be told apart from the JS share. Fastest of five runs, to resist a busy machine.
use huskyvoice_core::input::{CancelOptionsInput, CancelResponseInput};
use huskyvoice_core::interpret::{interpret_cancel_response, CancelResponse};
use huskyvoice_core::json::{Json, ToJson};
use huskyvoice_core::request::{build_cancel_request, CancelOptions, RequestBuilder, Via};
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
    let mut options = String::from("[");
    let mut responses = String::from("[");
    for (i, (id, body)) in ids.iter().zip(&bodies).enumerate() {
        if i > 0 {
            options.push(',');
            responses.push(',');
        }
        options.push_str(&format!(
            "{{\"via\":\"rest\",\"callId\":\"{id}\",\"baseUrl\":\"http://127.0.0.1:4010\"}}"
        ));
        responses.push_str(&format!(
            "{{\"via\":\"rest\",\"callId\":\"{id}\",\"statusCode\":200,\"headers\":{{\"content-type\":\"application/json\"}},\"body\":"
        ));
        huskyvoice_core::json::write_str(&mut responses, body);
        responses.push('}');
    }
    options.push(']');
    responses.push(']');
    let (batch_build_us, out_len) = fastest(n, || {
        let mut builder = RequestBuilder::default();
        let mut out = String::with_capacity(options.len() * 2);
        Json::for_each_item(&options, |o| {
            let input = CancelOptionsInput::from_json(&o);
            if let Ok(r) = input.to_options().and_then(|o| builder.build(&o)) {
                out.push_str("{\"ok\":true,\"request\":");
                r.write_json(&mut out);
                out.push_str("},");
            }
            true
        });
        out.len()
    });
    let (batch_interpret_us, out_len2) = fastest(n, || {
        let mut out = String::with_capacity(responses.len());
        Json::for_each_item(&responses, |r| {
            if let Ok(input) = CancelResponseInput::from_json(&r) {
                if let Ok(resp) = input.to_response(0.0) {
                    interpret_cancel_response(&resp).write_json(&mut out);
                    out.push(',');
                }
            }
            true
        });
        out.len()
    });
    println!(
        "batch path (JSON text in and out): build {batch_build_us:.3} µs/item, interpret {batch_interpret_us:.3} µs/item ({out_len} {out_len2})"
    );
}
