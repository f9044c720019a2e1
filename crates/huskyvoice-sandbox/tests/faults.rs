//! Fault injection and latency: every kind a client's retry logic has to survive.

mod common;

use std::time::{Duration, Instant};

use common::Sandbox;
use serde_json::json;

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
