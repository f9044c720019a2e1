//! wasm-bindgen-test, run in Node by `wasm-pack test --node`: the bindings convert values
//! both ways and throw real `Error`s carrying the core's codes.

use huskyvoice_wasm::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        js_sys::Reflect::set(&o, &JsValue::from_str(k), v).expect("set on a fresh object");
    }
    o.into()
}

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(key)).expect("get")
}

fn code_of(err: JsValue) -> String {
    assert!(
        err.is_instance_of::<js_sys::Error>(),
        "not an Error: {err:?}"
    );
    get(&err, "code").as_string().expect("code is a string")
}

#[wasm_bindgen_test]
fn validate_trims_and_codes_errors() {
    assert_eq!(
        validate_call_id(JsValue::from_str(" call_1 ")).expect("valid"),
        "call_1"
    );
    let err = validate_call_id(JsValue::from_str("a/b")).expect_err("invalid");
    let message = err
        .dyn_ref::<js_sys::Error>()
        .expect("Error")
        .message()
        .as_string()
        .expect("message");
    assert!(message.contains("position 2"), "{message}");
    assert_eq!(code_of(err), "INVALID_CALL_ID");
    assert_eq!(
        code_of(validate_call_id(JsValue::from_f64(5.0)).expect_err("number")),
        "INVALID_CALL_ID"
    );
}

#[wasm_bindgen_test]
fn build_returns_plain_object_with_headers() {
    let req = build_cancel_request(obj(&[
        ("via", "rest".into()),
        ("callId", "call_abc_123".into()),
        ("apiKey", "sk_test_abc".into()),
    ]))
    .expect("valid");
    assert_eq!(
        get(&req, "url").as_string().as_deref(),
        Some("https://api.huskyvoice.ai/v1/calls/call_abc_123/cancel")
    );
    assert_eq!(
        get(&get(&req, "headers"), "Authorization")
            .as_string()
            .as_deref(),
        Some("Bearer sk_test_abc")
    );
    assert!(get(&req, "body").is_undefined());
    let err = build_cancel_request(obj(&[
        ("via", "rest".into()),
        ("callId", "x".into()),
        ("baseUrl", "http://x.com".into()),
    ]))
    .expect_err("http");
    assert_eq!(code_of(err), "INVALID_BASE_URL");
    assert_eq!(
        code_of(build_cancel_request(JsValue::from_str("x")).expect_err("not object")),
        "INVALID_OPTIONS"
    );
}

#[wasm_bindgen_test]
fn batch_never_throws_for_an_item() {
    let items = js_sys::Array::new();
    items.push(&obj(&[
        ("via", "webhook".into()),
        ("callId", "c1".into()),
        ("webhook", "tok".into()),
    ]));
    items.push(&obj(&[("via", "webhook".into()), ("callId", "c2".into())]));
    let out: js_sys::Array = build_cancel_requests(items.into())
        .expect("batch")
        .dyn_into()
        .expect("array");
    assert_eq!(out.length(), 2);
    assert_eq!(get(&out.get(0), "ok").as_bool(), Some(true));
    let err = get(&out.get(1), "error");
    assert_eq!(
        get(&err, "code").as_string().as_deref(),
        Some("INVALID_WEBHOOK")
    );
}

#[wasm_bindgen_test]
fn interpret_converts_status_headers_and_nulls() {
    let headers = obj(&[("Retry-After", JsValue::from_f64(2.0))]);
    let r = interpret_cancel_response(obj(&[
        ("via", "rest".into()),
        ("callId", "c".into()),
        ("statusCode", JsValue::from_f64(429.0)),
        ("headers", headers),
        ("body", "".into()),
    ]))
    .expect("valid");
    assert_eq!(
        get(&r, "outcome").as_string().as_deref(),
        Some("rate_limited")
    );
    assert_eq!(get(&r, "retryAfterMs").as_f64(), Some(2000.0));
    assert_eq!(get(&r, "retryable").as_bool(), Some(true));
    let none = interpret_cancel_response(obj(&[
        ("via", "rest".into()),
        ("callId", "c".into()),
        ("transportError", "timeout".into()),
    ]))
    .expect("valid");
    assert!(get(&none, "httpStatus").is_null());
    assert!(get(&none, "callStatus").is_undefined());
}

#[wasm_bindgen_test]
fn retry_returns_number_or_null() {
    assert!(
        retry_delay_ms("not_found".into(), JsValue::from_f64(1.0), None, None)
            .expect("ok")
            .is_null()
    );
    let d = retry_delay_ms("server_error".into(), JsValue::from_f64(1.0), None, None).expect("ok");
    assert!(
        d.as_f64().is_some_and(|ms| (250.0..=500.0).contains(&ms)),
        "{d:?}"
    );
    let err = retry_delay_ms("bogus".into(), JsValue::from_f64(1.0), None, None).expect_err("bad");
    assert_eq!(code_of(err), "INVALID_OPTIONS");
}

#[wasm_bindgen_test]
fn redact_takes_an_array() {
    let secrets = js_sys::Array::of1(&"sk_live_abcdef1234".into());
    assert_eq!(
        redact_secrets("k=sk_live_abcdef1234".into(), secrets.into()).expect("ok"),
        "k=sk_live_…(redacted)"
    );
    assert_eq!(
        code_of(redact_secrets("x".into(), JsValue::from_f64(1.0)).expect_err("bad")),
        "INVALID_OPTIONS"
    );
}

#[wasm_bindgen_test]
fn non_ascii_text_crosses_intact() {
    // Long ASCII prefix (long enough for the TextEncoder.encodeInto path), then characters
    // of 2, 3 and 4 UTF-8 bytes and a lone surrogate: the buffer grows mid-string.
    let lone = js_sys::JSON::parse(r#""\ud800""#)
        .expect("json")
        .as_string()
        .unwrap_or_default();
    let pad = "x".repeat(2000);
    let body =
        format!(r#"{{"pad":"{pad}","error":{{"code":"NOT_FOUND","message":"é€😀{lone}"}}}}"#);
    let r = interpret_cancel_response(obj(&[
        ("via", "rest".into()),
        ("callId", "c".into()),
        ("statusCode", JsValue::from_f64(404.0)),
        ("body", body.as_str().into()),
    ]))
    .expect("valid");
    let text = get(&r, "message").as_string().expect("message");
    // The server's own text is quoted in the message.
    assert!(text.contains("NOT_FOUND: \"é€😀\u{FFFD}\""), "{text}");
    let e = build_cancel_request(obj(&[("via", "rest".into()), ("callId", "ca😀ll".into())]))
        .expect_err("emoji is not allowed");
    assert_eq!(code_of(e.clone()), "INVALID_CALL_ID");
    let msg = get(&e, "message").as_string().expect("message");
    assert!(
        msg.contains("U+1F600") && msg.contains("position 3"),
        "{msg}"
    );
}

#[wasm_bindgen_test]
fn a_schedule_run_crosses_with_its_key_and_reads_a_replayed_answer() {
    let plan = js_sys::JSON::parse(
        r#"{"operation":"schedule","runId":"wf:1:S","requestsPerMinute":0,
            "credentials":[{"via":"rest","apiKey":"sk_test_wasm_1","baseUrl":"http://127.0.0.1:9"}],
            "jobs":[{"call":{"agent_id":"agt_1","contact_number":"+91 98765 43210"}}]}"#,
    )
    .expect("json");
    let mut run = Run::new(plan, &Pacers::new()).expect("valid plan");
    let step = run.poll(0.0);
    assert_eq!(get(&step, "kind").as_string().as_deref(), Some("send"));
    let headers = get(&get(&step, "request"), "headers");
    let key = get(&headers, "Idempotency-Key").as_string().expect("a key");
    assert!(key.starts_with("hv1-"), "{key}");
    let ticket = get(&step, "ticket").as_f64().expect("ticket") as u32;
    let answer = obj(&[
        ("statusCode", JsValue::from_f64(201.0)),
        (
            "body",
            r#"{"data":{"call_id":"call_w_1","status":"queued"}}"#.into(),
        ),
        ("replayed", JsValue::TRUE),
    ]);
    run.respond(ticket, answer, 1.0).expect("in flight");
    let item = js_sys::Reflect::get_u32(&get(&run.report(), "items"), 0).expect("item");
    assert_eq!(
        get(&item, "outcome").as_string().as_deref(),
        Some("scheduled")
    );
    assert_eq!(
        get(&item, "callId").as_string().as_deref(),
        Some("call_w_1")
    );
    assert_eq!(get(&item, "replayed").as_bool(), Some(true));
    assert_eq!(get(&item, "idempotencyKey").as_string(), Some(key));
    assert_eq!(
        get(&item, "contactNumber").as_string().as_deref(),
        Some("+919876543210")
    );
    let bad = js_sys::JSON::parse(r#"{"operation":"erase","credentials":[{"via":"rest"}]}"#)
        .expect("json");
    let e = Run::new(bad, &Pacers::new())
        .err()
        .expect("an unknown operation is refused");
    assert_eq!(code_of(e), "INVALID_OPTIONS");
}
