//! Response interpretation on arbitrary status codes, headers and bodies: never panics, and
//! never reports `cancelled` unless the body says so.
#![no_main]
use huskyvoice_core::interpret::{interpret_cancel_response, CancelResponse, TransportError};
use huskyvoice_core::{Outcome, Via};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let status = u16::from_le_bytes([data[0], data[1]]);
    let text = String::from_utf8_lossy(&data[4..]);
    let (retry_after, body) = text.split_once('\n').unwrap_or(("", &text));
    for via in [Via::Rest, Via::Webhook] {
        let r = interpret_cancel_response(&CancelResponse {
            via,
            call_id: "call_fuzz",
            status_code: if data[2] & 1 == 0 { Some(status) } else { None },
            transport_error: Some(if data[3] & 1 == 0 {
                TransportError::Timeout
            } else {
                TransportError::Connection
            }),
            transport_code: None,
            retry_after: Some(retry_after),
            body,
            now_ms: f64::from(data[3]) * 1e9,
            secrets: &[],
        });
        if r.outcome == Outcome::Cancelled {
            assert!(body.to_ascii_lowercase().contains("cancel"));
        }
    }
});
