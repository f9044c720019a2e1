//! Any body, signed or not, is judged without a panic (a panic would trap the wasm module
//! inside an n8n worker); a correctly signed body parses to an event or is "not an event".
#![no_main]

use huskyvoice_core::event::{parse_envelope, sign, verify_event};
use huskyvoice_core::Rejection;
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "whsec_fuzz";

fuzz_target!(|body: &[u8]| {
    let _ = parse_envelope(body);
    let _ = verify_event(SECRET, body, Some("sha256=00"));
    match verify_event(SECRET, body, Some(&sign(SECRET, body))) {
        Ok(event) => assert!(!event.event_id.trim().is_empty()),
        Err(rejection) => assert!(matches!(rejection, Rejection::NotAnEvent { .. })),
    }
});
