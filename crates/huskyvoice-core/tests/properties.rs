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
                via, call_id: "c", status_code: status, transport_error: Some(TransportError::Timeout), transport_code: None,
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

/// Arbitrary JSON documents, nested a few levels.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,20}".prop_map(Value::String),
        prop::sample::select(vec![
            "cancelled",
            "ringing",
            "queued",
            "in-progress",
            "Already ringing"
        ])
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let key = prop::sample::select(vec![
            "status", "error", "data", "message", "code", "call_id", "success", "detail", "x",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::vec((key, inner), 0..6).prop_map(|kv| serde_json::Value::Object(
                kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn arbitrary_json_bodies_never_panic_and_cancelled_needs_the_word(doc in json_value(), status in prop::sample::select(vec![200u16, 202, 400, 404, 409, 422, 429, 500])) {
        let body = doc.to_string();
        for via in [Via::Rest, Via::Webhook] {
            let r = interpret_cancel_response(&CancelResponse {
                via, call_id: "c", status_code: Some(status), transport_error: None, transport_code: None,
                retry_after: None, body: &body, now_ms: 0.0, secrets: &[],
            });
            if r.outcome == huskyvoice_core::Outcome::Cancelled {
                prop_assert!(body.contains("cancelled"), "{}", body);
            }
        }
    }

    #[test]
    fn documented_error_shapes_give_their_facts(
        shape in 0usize..4,
        code in "[A-Z_]{1,20}",
        message in "[ -~]{1,80}",
        state in prop::sample::select(huskyvoice_core::call_state::CALL_STATES.to_vec()),
    ) {
        use serde_json::json;
        let doc = match shape {
            0 => json!({"error": {"code": code, "message": message, "status": state}}),
            1 => json!({"success": false, "code": code, "message": message, "status": state}),
            2 => json!({"detail": message, "data": {"status": state}, "code": code}),
            _ => json!({"message": message, "error": {"code": code, "status": state}}),
        };
        let text = doc.to_string();
        let facts = huskyvoice_core::response_body::read_body(&text);
        prop_assert!(facts.is_json_object);
        prop_assert_eq!(facts.state, Some(state));
        prop_assert_eq!(facts.code.as_deref(), Some(code.as_str()));
        prop_assert_eq!(facts.message.as_deref(), Some(message.trim()));
    }
}
