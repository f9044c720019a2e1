//! Fault injection and latency: every kind a client's retry logic has to survive.

mod common;

use std::time::{Duration, Instant};

use common::{Sandbox, TOKEN};
use serde_json::{json, Value};

fn create_body(i: usize) -> Value {
    json!({"agent_id": format!("agent_{i}"), "contact_number": "+919876543210"})
}

#[test]
fn rate_limit_with_retry_after_then_normal_answers() {
    let sandbox = Sandbox::start(&[]);
    sandbox.add_call("call_a", "queued");
    sandbox.faults(
        json!([{"path_prefix": "/v1/calls/", "times": 2, "status": 429,
        "headers": {"Retry-After": 1}}]),
    );

    for _ in 0..2 {
        let reply = sandbox.cancel("call_a");
        assert_eq!(reply.status, 429);
        assert_eq!(reply.header("retry-after"), Some("1"));
        assert_eq!(reply.json()["error"]["code"], "RATE_LIMITED");
    }
    assert_eq!(
        sandbox.call("call_a")["status"],
        "queued",
        "faulted requests change nothing"
    );
    assert_eq!(sandbox.cancel("call_a").status, 200);
    assert_eq!(
        sandbox.requests().len(),
        3,
        "faulted requests are logged too"
    );
    assert_eq!(sandbox.admin_get("/faults")["rules"], json!([]));
}

#[test]
fn server_errors_with_json_and_html_bodies() {
    let sandbox = Sandbox::start(&[]);
    sandbox.add_call("call_a", "queued");
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    sandbox.faults(json!([
        {"path_prefix": "/v1/calls/call_a/cancel", "status": 500},
        {"path_prefix": "/v1/calls/call_a/cancel", "status": 502, "body": html},
        {"path_prefix": "/v1/calls/call_a/cancel", "status": 503, "body": "<h1>Service Unavailable</h1>",
         "headers": {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}},
    ]));

    let internal = sandbox.cancel("call_a");
    assert_eq!(internal.status, 500);
    assert_eq!(
        internal.json(),
        json!({"success": false, "error": {"code": "INTERNAL_ERROR", "message": "Internal server error."}})
    );
    let gateway = sandbox.cancel("call_a");
    assert_eq!(gateway.status, 502);
    assert_eq!(gateway.body, html);
    assert_eq!(
        gateway.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let unavailable = sandbox.cancel("call_a");
    assert_eq!(unavailable.status, 503);
    assert_eq!(unavailable.body, "<h1>Service Unavailable</h1>");
    assert_eq!(
        unavailable.header("retry-after"),
        Some("Wed, 21 Oct 2015 07:28:00 GMT")
    );
    assert_eq!(sandbox.cancel("call_a").status, 200);
}

#[test]
fn malformed_json_claims_to_be_json() {
    let sandbox = Sandbox::start(&[]);
    sandbox.faults(json!([{"path_prefix": "/v1/", "status": 200, "body": "{\"success\": tru"}]));
    let reply = sandbox.cancel("call_a");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, "{\"success\": tru");
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert!(serde_json::from_str::<serde_json::Value>(&reply.body).is_err());
}

#[test]
fn dropped_connection_gets_no_response() {
    let sandbox = Sandbox::start(&[]);
    sandbox.add_call("call_a", "queued");
    sandbox.faults(json!([{"path_prefix": "/v1/calls/", "drop": true}]));
    assert!(
        sandbox
            .send(
                "POST",
                "/v1/calls/call_a/cancel",
                &[("Authorization", "Bearer sk_test_sandbox")],
                ""
            )
            .is_none(),
        "the connection must close without a response"
    );
    assert_eq!(sandbox.call("call_a")["status"], "queued");
    assert_eq!(sandbox.cancel("call_a").status, 200);
    assert_eq!(sandbox.requests().len(), 2);
    assert_eq!(sandbox.admin_get("/stats")["in_flight"], 0);
}

#[test]
fn delay_alone_delays_then_answers_normally_and_can_precede_a_drop() {
    let sandbox = Sandbox::start(&[]);
    sandbox.add_call("call_a", "queued");
    sandbox.faults(json!([{"path_prefix": "/v1/", "delay_ms": 250}]));
    let started = Instant::now();
    let reply = sandbox.cancel("call_a");
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert_eq!(reply.status, 200);
    assert_eq!(sandbox.call("call_a")["status"], "cancelled");

    // delay + drop looks like a server that hangs, then resets.
    sandbox.faults(json!([{"path_prefix": "/v1/", "delay_ms": 150, "drop": true}]));
    let started = Instant::now();
    assert!(sandbox.send("GET", "/v1/calls/call_a", &[], "").is_none());
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[test]
fn rules_match_by_method_and_prefix_only() {
    let sandbox = Sandbox::start(&[]);
    sandbox.add_call("call_a", "queued");
    sandbox.faults(json!({"rules": [
        {"path_prefix": "/v1/hooks/", "status": 503},
        {"path_prefix": "/v1/calls/", "method": "GET", "status": 500},
    ]}));
    assert_eq!(
        sandbox.cancel("call_a").status,
        200,
        "POST does not match the GET rule"
    );
    let listed = sandbox.admin_get("/faults")["rules"].clone();
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    assert_eq!(listed[1]["method"], "GET");
    assert_eq!(listed[1]["times"], 1);
    assert_eq!(
        sandbox.request("GET", "/v1/calls/call_a", &[], "").status,
        500
    );
    assert_eq!(
        sandbox.hook("anything", "{}").status,
        503,
        "faults come before auth"
    );

    assert_eq!(
        sandbox
            .request("DELETE", "/__sandbox/faults", &[], "")
            .status,
        200
    );
    assert_eq!(sandbox.admin_get("/faults")["rules"], json!([]));
}

#[test]
fn invalid_rules_are_rejected_whole() {
    let sandbox = Sandbox::start(&[]);
    sandbox.faults(json!([{"path_prefix": "/v1/", "status": 500, "times": 3}]));
    for bad in [
        json!([{"status": 500}, {"times": 0, "status": 500}]),
        json!([{"status": 500, "drop": true}]),
        json!([{"path_prefix": "/v1/"}]),
        json!([{"status": 500, "colour": "red"}]),
        json!([{"drop_after": true, "status": 500}]),
        json!([{"drop_after": true, "drop": true}]),
        json!([{"drop_after": true, "probability": 0}]),
        json!([{"drop_after": true, "probability": 0.5, "every": 2}]),
        json!([{"drop_after": true, "every": 0}]),
        json!([{"drop_after": true, "times": -1}]),
        json!("nope"),
    ] {
        let reply = sandbox.admin_post("/faults", bad.clone());
        assert_eq!(reply.status, 400, "{bad}");
    }
    assert_eq!(sandbox.admin_get("/faults")["rules"][0]["times"], 3);
}

#[test]
fn global_latency_from_flag_and_config() {
    let sandbox = Sandbox::start(&["--latency-ms", "120"]);
    assert_eq!(sandbox.admin_get("/config")["latency_ms"], 120);
    let started = Instant::now();
    assert_eq!(sandbox.cancel("call_none").status, 404);
    assert!(started.elapsed() >= Duration::from_millis(120));

    let config = sandbox.admin_post("/config", json!({"latency_ms": 0}));
    assert_eq!(config.json()["latency_ms"], 0);
    let started = Instant::now();
    sandbox.cancel("call_none");
    assert!(started.elapsed() < Duration::from_millis(120));
    // Test controls are never delayed.
    sandbox.admin_post("/config", json!({"latency_ms": 2000}));
    let started = Instant::now();
    sandbox.admin_get("/stats");
    assert!(started.elapsed() < Duration::from_millis(1000));
    assert_eq!(
        sandbox.admin_post("/config", json!({"latency": 1})).status,
        400
    );
}

#[test]
fn log_timestamps_show_how_long_a_client_waited() {
    let sandbox = Sandbox::start(&[]);
    sandbox
        .faults(json!([{"path_prefix": "/v1/", "status": 429, "headers": {"Retry-After": "0"}}]));
    assert_eq!(sandbox.cancel("call_a").status, 429);
    std::thread::sleep(Duration::from_millis(200));
    sandbox.cancel("call_a");
    let log = sandbox.requests();
    let gap = log[1]["at_ms"].as_u64().unwrap_or(0) - log[0]["at_ms"].as_u64().unwrap_or(0);
    assert!((200..1000).contains(&gap), "gap {gap} ms");
}

#[test]
fn drop_after_accept_creates_the_call_then_a_retry_replays_it() {
    let sandbox = Sandbox::start(&[]);
    sandbox.faults(json!([{"path": "/v1/calls", "method": "POST", "drop_after": true}]));
    let body = create_body(1).to_string();
    assert!(
        sandbox.create_raw(Some("item-1"), &body).is_none(),
        "the connection must close without a response"
    );
    // The request took effect: the call exists, under its key.
    let calls = sandbox.admin_get("/calls")["calls"].clone();
    assert_eq!(calls.as_array().map(Vec::len), Some(1), "{calls}");
    assert_eq!(calls[0]["idempotency_key"], "item-1");
    assert_eq!(calls[0]["agent_id"], "agent_1");
    assert_eq!(sandbox.admin_get("/faults")["rules"], json!([]), "used up");

    // The client retries with the same key: the first answer, never a second call.
    let retry = sandbox.create_raw(Some("item-1"), &body).expect("answer");
    assert_eq!(retry.status, 201, "{}", retry.body);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(retry.json()["data"]["call_id"], calls[0]["call_id"]);
    let stats = sandbox.admin_get("/stats");
    assert_eq!(stats["calls_created"], 1);
    assert_eq!(stats["calls_created_by_key"], json!({"item-1": 1}));
    assert_eq!(stats["idempotent_replays"], 1);
    assert_eq!(stats["in_flight"], 0);
    assert_eq!(sandbox.requests().len(), 2, "both attempts are logged");
}

#[test]
fn drop_after_accept_at_random_loses_answers_but_never_duplicates_calls() {
    let sandbox = Sandbox::start(&[]);
    // `path` is exact: cancels (POST /v1/calls/{id}/cancel) are not touched.
    sandbox.faults(
        json!([{"path": "/v1/calls", "method": "POST", "drop_after": true,
        "probability": 0.3, "seed": 42, "times": null}]),
    );
    const ITEMS: usize = 40;
    let (mut attempts, mut drops) = (0, 0);
    for i in 0..ITEMS {
        let key = format!("item-{i}");
        let body = create_body(i).to_string();
        let reply = loop {
            attempts += 1;
            assert!(attempts < 50 * ITEMS, "too many drops");
            match sandbox.create_raw(Some(&key), &body) {
                Some(reply) => break reply,
                None => drops += 1,
            }
        };
        assert_eq!(reply.status, 201, "{}", reply.body);
    }
    assert!((4..=30).contains(&drops), "{drops} of {attempts} dropped");

    let stats = sandbox.admin_get("/stats");
    assert_eq!(stats["calls_created"], ITEMS);
    assert_eq!(stats["calls_created_without_key"], 0);
    let by_key = stats["calls_created_by_key"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert_eq!(by_key.len(), ITEMS);
    assert!(by_key.values().all(|n| n == 1), "{by_key:?}");
    // Every attempt after an item's first reached the handler as a replay.
    assert_eq!(stats["idempotent_replays"], attempts - ITEMS);
    let rule = sandbox.admin_get("/faults")["rules"][0].clone();
    assert_eq!(rule["times"], Value::Null, "without end");
    assert_eq!(rule["matched"], attempts);
    assert_eq!(rule["fired"], drops);

    sandbox.add_call("call_a", "queued");
    assert_eq!(sandbox.cancel("call_a").status, 200);
}

#[test]
fn drop_after_every_nth_and_times() {
    let sandbox = Sandbox::start(&[]);
    sandbox.faults(json!([{"path": "/v1/calls", "drop_after": true, "every": 3, "times": 2}]));
    let answered: Vec<bool> = (0..9)
        .map(|i| {
            sandbox
                .create_raw(None, &create_body(i).to_string())
                .is_some()
        })
        .collect();
    assert_eq!(
        answered,
        [true, true, false, true, true, false, true, true, true]
    );
    let stats = sandbox.admin_get("/stats");
    assert_eq!(stats["calls_created"], 9, "dropped creates still created");
    assert_eq!(stats["calls_created_without_key"], 9);
    assert_eq!(sandbox.admin_get("/faults")["rules"], json!([]));
}

#[test]
fn drop_after_applies_to_cancel_and_the_webhook_and_waits_its_delay_first() {
    let sandbox = Sandbox::start(&[]);
    sandbox.add_call("call_a", "queued");
    sandbox.faults(json!([
        {"path_prefix": "/v1/calls/", "drop_after": true, "delay_ms": 300},
        {"path_prefix": "/v1/hooks/", "drop_after": true},
    ]));
    let started = Instant::now();
    assert!(sandbox
        .send(
            "POST",
            "/v1/calls/call_a/cancel",
            &[("Authorization", "Bearer sk_test_sandbox")],
            ""
        )
        .is_none());
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(sandbox.call("call_a")["status"], "cancelled");

    let create = json!({"action": "call.create", "data": create_body(7)}).to_string();
    assert!(sandbox
        .send("POST", &format!("/v1/hooks/{TOKEN}"), &[], &create)
        .is_none());
    let calls = sandbox.admin_get("/calls")["calls"].clone();
    assert_eq!(calls.as_array().map(Vec::len), Some(2), "{calls}");
    assert_eq!(sandbox.admin_get("/stats")["calls_created"], 1);
}
