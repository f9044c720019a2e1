//! Native per-item cost of build + interpret, to separate Rust work from boundary cost:
//! `cargo run --release -p huskyvoice-core --example speed`.
use huskyvoice_core::interpret::{interpret_cancel_response, CancelResponse};
use huskyvoice_core::request::{build_cancel_request, CancelOptions, Via};
use std::time::Instant;

fn main() {
    let n = 200_000;
    let ids: Vec<String> = (0..n).map(|i| format!("call_{i}")).collect();
    let bodies: Vec<String> = ids
        .iter()
        .map(|id| format!("{{\"success\":true,\"call_id\":\"{id}\",\"status\":\"cancelled\",\"message\":\"ok\"}}"))
        .collect();
    let start = Instant::now();
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
    let build_us = start.elapsed().as_secs_f64() * 1e6 / n as f64;
    let start = Instant::now();
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
    let interpret_us = start.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!(
        "build {build_us:.3} µs/item, interpret {interpret_us:.3} µs/item ({built} {cancelled})"
    );
}
