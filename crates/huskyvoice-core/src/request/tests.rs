use super::*;

fn rest<'a>(
    call_id: &'a str,
    base_url: Option<&'a str>,
    api_key: Option<&'a str>,
) -> CancelOptions<'a> {
    CancelOptions {
        via: Some(Via::Rest),
        call_id,
        base_url,
        api_key,
        ..Default::default()
    }
}

fn hook<'a>(call_id: &'a str, webhook: &'a str, base_url: Option<&'a str>) -> CancelOptions<'a> {
    CancelOptions {
        via: Some(Via::Webhook),
        call_id,
        webhook: Some(webhook),
        base_url,
        ..Default::default()
    }
}

#[test]
fn rest_request_as_documented() {
    let r = build_cancel_request(&rest(" call_abc_123 ", None, Some("sk_live_abc123"))).unwrap();
    assert_eq!(r.method, "POST");
    assert_eq!(
        r.url,
        "https://api.huskyvoice.ai/v1/calls/call_abc_123/cancel"
    );
    assert!(r
        .headers
        .contains(&("Authorization", "Bearer sk_live_abc123".to_string())));
    assert_eq!(r.body, None);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["headers"]["Authorization"], "Bearer sk_live_abc123");
    assert!(json.get("body").is_none());
}

#[test]
fn rest_without_key_has_no_authorization() {
    let r = build_cancel_request(&rest("c1", Some("http://127.0.0.1:9/v1/"), None)).unwrap();
    assert_eq!(r.url, "http://127.0.0.1:9/v1/calls/c1/cancel");
    assert!(r.headers.iter().all(|(k, _)| *k != "Authorization"));
}

#[test]
fn pasted_bearer_prefix_is_accepted() {
    let r = build_cancel_request(&rest("c1", None, Some("Bearer sk_test_x"))).unwrap();
    assert!(r
        .headers
        .contains(&("Authorization", "Bearer sk_test_x".to_string())));
}

#[test]
fn bad_api_key_is_described_not_quoted() {
    for key in ["", "  ", "sk_live_ab cd", "sk_live_\u{e9}x"] {
        let e = build_cancel_request(&rest("c1", None, Some(key))).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidOptions);
        assert!(!key.trim().is_empty() && !e.message.contains(key.trim()) || key.trim().is_empty());
        assert!(e.message.contains("API key"), "{}", e.message);
    }
}

#[test]
fn webhook_request_as_documented() {
    let r = build_cancel_request(&hook("call_abc_789", "YOUR_SECRET_TOKEN", None)).unwrap();
    assert_eq!(
        r.url,
        "https://api.huskyvoice.ai/v1/hooks/YOUR_SECRET_TOKEN"
    );
    assert!(r
        .headers
        .contains(&("Content-Type", "application/json".to_string())));
    let body: serde_json::Value = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"action": "call.cancel", "data": {"call_id": "call_abc_789"}})
    );
}

#[test]
fn webhook_url_or_token_with_base() {
    let r = build_cancel_request(&hook("c", "http://localhost:7/v1/hooks/tok", None)).unwrap();
    assert_eq!(r.url, "http://localhost:7/v1/hooks/tok");
    let r = build_cancel_request(&hook("c", "tok", Some("http://localhost:7"))).unwrap();
    assert_eq!(r.url, "http://localhost:7/v1/hooks/tok");
    let r = build_cancel_request(&hook(
        "c",
        "http://localhost:7/v1/hooks/tok",
        Some("http://localhost:7/v1"),
    ))
    .unwrap();
    assert_eq!(r.url, "http://localhost:7/v1/hooks/tok");
    let e = build_cancel_request(&hook(
        "c",
        "https://api.huskyvoice.ai/v1/hooks/tok123",
        Some("http://localhost:7"),
    ))
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidOptions);
    assert!(!e.message.contains("tok123"));
}

#[test]
fn redacted_requests_hide_secrets() {
    let mut o = rest("c1", None, Some("sk_live_abcdef123456"));
    o.redact = true;
    let r = build_cancel_request(&o).unwrap();
    assert!(r
        .headers
        .contains(&("Authorization", "Bearer sk_live_…(redacted)".to_string())));
    let mut o = hook(
        "c1",
        "https://api.huskyvoice.ai/v1/hooks/abSECRETTOKEN",
        None,
    );
    o.redact = true;
    let r = build_cancel_request(&o).unwrap();
    assert_eq!(r.url, "https://api.huskyvoice.ai/v1/hooks/ab…(redacted)");
}

#[test]
fn invalid_inputs_are_rejected_with_codes() {
    let e = build_cancel_request(&CancelOptions {
        call_id: "c",
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidOptions);
    assert_eq!(
        build_cancel_request(&rest("a/b", None, None))
            .unwrap_err()
            .code,
        ErrorCode::InvalidCallId
    );
    assert_eq!(
        build_cancel_request(&rest("a", Some("ftp://x"), None))
            .unwrap_err()
            .code,
        ErrorCode::InvalidBaseUrl
    );
    let no_hook = CancelOptions {
        via: Some(Via::Webhook),
        call_id: "a",
        ..Default::default()
    };
    assert_eq!(
        build_cancel_request(&no_hook).unwrap_err().code,
        ErrorCode::InvalidWebhook
    );
    let mixed = CancelOptions {
        webhook: Some("t"),
        ..rest("a", None, None)
    };
    assert_eq!(
        build_cancel_request(&mixed).unwrap_err().code,
        ErrorCode::InvalidOptions
    );
    let mixed = CancelOptions {
        api_key: Some("k"),
        ..hook("a", "tok", None)
    };
    assert_eq!(
        build_cancel_request(&mixed).unwrap_err().code,
        ErrorCode::InvalidOptions
    );
}
