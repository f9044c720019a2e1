//! Property tests: no input panics; valid ids land unchanged in the URL path; every
//! disallowed character is reported at its position.

use huskyvoice_core::call_id::validate_call_id;
use huskyvoice_core::interpret::{interpret_cancel_response, CancelResponse, TransportError};
use huskyvoice_core::request::{build_cancel_request, CancelOptions, Via};
use huskyvoice_core::ErrorCode;
use proptest::prelude::*;

fn id_strategy() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{1,128}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>(), base in any::<String>(), key in any::<String>()) {
        let _ = validate_call_id(&s);
        for via in [Some(Via::Rest), Some(Via::Webhook), None] {
            let _ = build_cancel_request(&CancelOptions { via, call_id: &s, base_url: Some(&base), api_key: Some(&key), webhook: Some(&key), redact: false });
            let _ = build_cancel_request(&CancelOptions { via, call_id: &s, base_url: Some(&base), api_key: None, webhook: Some(&s), redact: true });
        }
    }

    #[test]
    fn arbitrary_responses_never_panic(status in proptest::option::of(any::<u16>()), body in any::<String>(), ra in any::<String>(), now in any::<f64>()) {
        for via in [Via::Rest, Via::Webhook] {
            let r = interpret_cancel_response(&CancelResponse {
                via, call_id: "c", status_code: status, transport_error: Some(TransportError::Timeout),
                retry_after: Some(&ra), body: &body, now_ms: now, secrets: &[],
            });
            // "cancelled" only ever comes from a 2xx/4xx response whose body says so.
            if r.outcome == huskyvoice_core::Outcome::Cancelled {
                prop_assert!(body.contains("cancel"));
            }
        }
    }

    #[test]
    fn valid_ids_appear_unchanged_as_path_segment(id in id_strategy(), pad in "[ \t\n]{0,3}") {
        let padded = format!("{pad}{id}{pad}");
        prop_assert_eq!(validate_call_id(&padded).unwrap(), id.clone());
        let req = build_cancel_request(&CancelOptions { via: Some(Via::Rest), call_id: &padded, ..Default::default() }).unwrap();
        let expected = format!("https://api.huskyvoice.ai/v1/calls/{id}/cancel");
        prop_assert_eq!(req.url, expected);
    }

    #[test]
    fn disallowed_character_reported_at_its_position(
        prefix in "[A-Za-z0-9_-]{0,60}",
        bad in any::<char>().prop_filter("disallowed", |c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || c.is_ascii_whitespace())),
        suffix in "[A-Za-z0-9_-]{1,60}",
    ) {
        let input = format!("{prefix}{bad}{suffix}");
        let e = validate_call_id(&input).unwrap_err();
        prop_assert_eq!(e.code, ErrorCode::InvalidCallId);
        let expected = format!("at position {}", prefix.chars().count() + 1);
        prop_assert!(e.message.contains(&expected), "{} / {}", input, e.message);
    }
}
