//! The HuskyVoice endpoints: cancel, webhook cancel, read, auth, and the request log.
//! Create and delete (API-CONTRACT §6) are in calls.rs.

mod common;

use std::sync::{Arc, Barrier};
use std::thread;

use common::{Sandbox, KEY, TOKEN};
use serde_json::{json, Value};

fn cancelled_body(call_id: &str) -> Value {
    json!({
        "success": true,
        "call_id": call_id,
        "status": "cancelled",
        "message": "Call has been successfully cancelled."
    })
}

#[test]
fn cancel_queued_then_repeat_is_idempotent() {
    let sandbox = Sandbox::start(&[]);
    sandbox.add_call("call_abc_123", "queued");

    let first = sandbox.cancel("call_abc_123");
    assert_eq!(first.status, 200);
    assert_eq!(first.header("content-type"), Some("application/json"));
    assert_eq!(first.json(), cancelled_body("call_abc_123"));

    let again = sandbox.cancel("call_abc_123");
    assert_eq!(again.status, 200);
    assert_eq!(again.json(), cancelled_body("call_abc_123"));

    let call = sandbox.call("call_abc_123");
    assert_eq!(call["status"], "cancelled");
    assert_eq!(call["cancel_requests"], 2);
    assert_eq!(call["history"], json!(["queued", "cancelled"]));
}

#[test]
fn cancel_after_queued_is_409_naming_the_state() {
    let sandbox = Sandbox::start(&[]);
    for state in [
        "initiated",
        "ringing",
        "in_progress",
        "completed",
        "failed",
        "disallowed",
    ] {
        let id = format!("call_{state}");
        sandbox.add_call(&id, state);
        let reply = sandbox.cancel(&id);
        assert_eq!(reply.status, 409, "{state}");
        let body = reply.json();
        assert_eq!(body["success"], false);
        assert_eq!(body["error"]["code"], "CALL_NOT_CANCELLABLE");
        assert_eq!(body["error"]["status"], state);
        assert!(body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains(state)));
        assert_eq!(sandbox.call(&id)["status"], state, "state must not change");
    }
}

#[test]
fn cancel_unknown_call_is_404() {
    let sandbox = Sandbox::start(&[]);
    let reply = sandbox.cancel("call_nope");
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.json(),
        json!({"success": false, "error": {"code": "NOT_FOUND", "message": "Call not found."}})
    );
}

#[test]
fn missing_or_unknown_keys_are_401_and_missing_scope_is_403() {
    let sandbox = Sandbox::start(&["--api-key", "sk_full", "--api-key", "sk_ro:calls:read"]);
    sandbox.add_call("call_a", "queued");

    let none = sandbox.request("POST", "/v1/calls/call_a/cancel", &[], "");
    assert_eq!(none.status, 401);
    assert_eq!(none.json()["error"]["code"], "UNAUTHORIZED");
    assert_eq!(none.json()["success"], false);
    // Explicit keys replace the demo key.
    assert_eq!(sandbox.cancel_with("call_a", KEY).status, 401);
    assert_eq!(sandbox.cancel_with("call_a", "sk_wrong").status, 401);
    let basic = sandbox.request(
        "POST",
        "/v1/calls/call_a/cancel",
        &[("Authorization", "Basic c2tfZnVsbDo=")],
        "",
    );
    assert_eq!(basic.status, 401);

    let forbidden = sandbox.cancel_with("call_a", "sk_ro");
    assert_eq!(forbidden.status, 403);
    let body = forbidden.json();
    assert_eq!(body["success"], false);
    assert_eq!(body["error"]["code"], "FORBIDDEN");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("calls:cancel")));
    assert_eq!(sandbox.call("call_a")["status"], "queued");
    assert_eq!(sandbox.call("call_a")["cancel_requests"], 0);

    // The read-only key may read but not create.
    let read = sandbox.request(
        "GET",
        "/v1/calls/call_a",
        &[("Authorization", "Bearer sk_ro")],
        "",
    );
    assert_eq!(read.status, 200);
    let create = sandbox.request(
        "POST",
        "/v1/calls",
        &[("Authorization", "Bearer sk_ro")],
        "",
    );
    assert_eq!(create.status, 403);
    assert!(create.body.contains("calls:create"));
    assert_eq!(
        sandbox.request("GET", "/v1/calls/call_a", &[], "").status,
        401
    );

    assert_eq!(sandbox.cancel_with("call_a", "sk_full").status, 200);
}

#[test]
fn get_call_returns_its_status() {
    let sandbox = Sandbox::start(&[]);
    sandbox.add_call("550e8400-e29b-41d4-a716-446655440000", "ringing");
    let auth = format!("Bearer {KEY}");
    let reply = sandbox.request(
        "GET",
        "/v1/calls/550e8400-e29b-41d4-a716-446655440000",
        &[("Authorization", &auth)],
        "",
    );
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        json!({"data": {"call_id": "550e8400-e29b-41d4-a716-446655440000", "status": "ringing"}})
    );
    let missing = sandbox.request("GET", "/v1/calls/call_x", &[("Authorization", &auth)], "");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"]["code"], "NOT_FOUND");
}

#[test]
fn webhook_cancel_matches_rest_and_hides_the_token() {
    let sandbox = Sandbox::start(&[]);
    sandbox.add_call("call_abc_789", "queued");
    sandbox.add_call("call_ringing", "ringing");
    let cancel = |id: &str| json!({"action": "call.cancel", "data": {"call_id": id}}).to_string();

    let reply = sandbox.hook(TOKEN, &cancel("call_abc_789"));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), cancelled_body("call_abc_789"));
    assert_eq!(
        sandbox.hook(TOKEN, &cancel("call_abc_789")).json(),
        cancelled_body("call_abc_789")
    );
    assert_eq!(
        sandbox.call("call_abc_789")["history"],
        json!(["queued", "cancelled"])
    );

    let ringing = sandbox.hook(TOKEN, &cancel("call_ringing"));
    assert_eq!(ringing.status, 409);
    assert_eq!(ringing.json()["error"]["status"], "ringing");
    assert_eq!(sandbox.hook(TOKEN, &cancel("call_none")).status, 404);

    let unknown = sandbox.hook(
        TOKEN,
        r#"{"action": "call.pause", "data": {"call_id": "call_abc_789"}}"#,
    );
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.json()["success"], false);
    assert_eq!(unknown.json()["error"]["code"], "UNKNOWN_ACTION");
    assert!(unknown.json()["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("call.create, call.cancel, call.delete")));
    assert_eq!(
        sandbox.hook(TOKEN, r#"{"action": "call.cancel"}"#).status,
        400
    );
    assert_eq!(sandbox.hook(TOKEN, "not json").status, 400);

    let bad = sandbox.hook("wrong-secret-token", &cancel("call_abc_789"));
    assert_eq!(bad.status, 401);
    assert_eq!(bad.json()["error"]["code"], "UNAUTHORIZED");
    assert!(!bad.body.contains("wrong-secret-token"));
    assert!(!reply.body.contains(TOKEN) && !unknown.body.contains(TOKEN));

    let paths: Vec<String> = sandbox
        .requests()
        .iter()
        .map(|entry| entry["path"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        paths.iter().all(|p| p == "/v1/hooks/(redacted)"),
        "{paths:?}"
    );
    let stopped = sandbox.stop();
    assert!(!stopped.stdout.contains(TOKEN) && !stopped.stderr.contains(TOKEN));
}

#[test]
fn custom_webhook_tokens_replace_the_demo_token() {
    let sandbox = Sandbox::start(&["--webhook-token", "tok.A~1", "--webhook-token", "tok2"]);
    sandbox.add_call("call_a", "queued");
    let body = r#"{"action": "call.cancel", "data": {"call_id": "call_a"}}"#;
    assert_eq!(sandbox.hook(TOKEN, body).status, 401);
    assert_eq!(sandbox.hook("tok2", body).status, 200);
    assert_eq!(sandbox.hook("tok.A~1", body).status, 200);
    // The demo API key still works: key and token defaults are independent.
    assert_eq!(sandbox.cancel("call_a").status, 200);
}

#[test]
fn unknown_paths_404_and_wrong_methods_405() {
    let sandbox = Sandbox::start(&[]);
    let auth = format!("Bearer {KEY}");
    let headers = [("Authorization", auth.as_str())];
    let missing = sandbox.request("GET", "/v2/calls", &headers, "");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"]["code"], "NOT_FOUND");
    assert_eq!(
        sandbox
            .request("GET", "/v1/calls/a/cancel/x", &headers, "")
            .status,
        404
    );
    let wrong = sandbox.request("GET", "/v1/calls/a/cancel", &headers, "");
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.header("allow"), Some("POST"));
    let put = sandbox.request("PUT", "/v1/calls/a", &headers, "");
    assert_eq!(put.status, 405);
    assert_eq!(put.header("allow"), Some("GET, DELETE"));
    assert_eq!(
        sandbox.request("GET", "/v1/hooks/x", &headers, "").status,
        405
    );
    assert_eq!(
        sandbox.request("GET", "/__sandbox/nope", &[], "").status,
        404
    );
}

#[test]
fn request_log_records_what_was_sent_in_order() {
    let sandbox = Sandbox::start(&[]);
    sandbox.add_call("call_a", "queued");
    sandbox.cancel("call_a");
    sandbox.request(
        "POST",
        "/v1/calls?x=1",
        &[
            ("Authorization", "Bearer k"),
            ("Idempotency-Key", "abc"),
            ("X-Trace", "t1"),
        ],
        r#"{"to":"+1"}"#,
    );
    sandbox.admin_get("/stats"); // test controls are not logged

    let log = sandbox.requests();
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[0]["method"], "POST");
    assert_eq!(log[0]["path"], "/v1/calls/call_a/cancel");
    assert_eq!(log[0]["headers"]["authorization"], format!("Bearer {KEY}"));
    assert_eq!(log[0]["body"], "");
    assert_eq!(log[1]["path"], "/v1/calls?x=1");
    assert_eq!(log[1]["headers"]["idempotency-key"], "abc");
    assert_eq!(log[1]["headers"]["x-trace"], "t1");
    assert_eq!(log[1]["body"], r#"{"to":"+1"}"#);
    let (t0, t1) = (log[0]["at_ms"].as_u64(), log[1]["at_ms"].as_u64());
    assert!(t0.is_some() && t0 <= t1);

    // Logging can be switched off (benchmarks) and the log cleared.
    let config = sandbox.admin_post("/config", json!({"log_requests": false}));
    assert_eq!(config.json()["log_requests"], false);
    sandbox.cancel("call_a");
    assert_eq!(sandbox.requests().len(), 2);
    assert_eq!(
        sandbox
            .request("DELETE", "/__sandbox/requests", &[], "")
            .status,
        200
    );
    assert!(sandbox.requests().is_empty());
    assert_eq!(sandbox.admin_get("/stats")["requests_total"], 3);
}

#[test]
fn no_log_flag_disables_the_log() {
    let sandbox = Sandbox::start(&["--no-log"]);
    sandbox.cancel("call_a");
    assert!(sandbox.requests().is_empty());
    assert_eq!(sandbox.admin_get("/config")["log_requests"], false);
}

#[test]
fn concurrent_cancels_change_the_call_once_and_all_get_answers() {
    let sandbox = Arc::new(Sandbox::start(&[]));
    sandbox.add_call("call_race", "queued");
    const N: usize = 32;
    let barrier = Arc::new(Barrier::new(N));
    let handles: Vec<_> = (0..N)
        .map(|i| {
            let (sandbox, barrier) = (Arc::clone(&sandbox), Arc::clone(&barrier));
            thread::spawn(move || {
                barrier.wait();
                // Half over REST, half over the webhook: both paths share one state.
                if i % 2 == 0 {
                    sandbox.cancel("call_race")
                } else {
                    sandbox.hook(
                        TOKEN,
                        r#"{"action":"call.cancel","data":{"call_id":"call_race"}}"#,
                    )
                }
            })
        })
        .collect();
    for handle in handles {
        let reply = handle.join().expect("thread");
        assert_eq!(reply.status, 200);
        assert_eq!(reply.json(), cancelled_body("call_race"));
    }
    let call = sandbox.call("call_race");
    assert_eq!(call["history"], json!(["queued", "cancelled"]));
    assert_eq!(call["cancel_requests"], N);
    assert_eq!(sandbox.requests().len(), N);
}

#[test]
fn stats_count_requests_and_peak_in_flight() {
    let sandbox = Arc::new(Sandbox::start(&["--latency-ms", "300"]));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let sandbox = Arc::clone(&sandbox);
            thread::spawn(move || sandbox.cancel("call_none").status)
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().expect("thread"), 404);
    }
    let stats = sandbox.admin_get("/stats");
    assert_eq!(stats["requests_total"], 4);
    assert_eq!(stats["in_flight"], 0);
    assert_eq!(stats["peak_in_flight"], 4);
    assert_eq!(stats["logged_requests"], 4);

    let reset = sandbox.admin_post("/stats/reset", json!({}));
    assert_eq!(reset.json()["requests_total"], 0);
    assert_eq!(reset.json()["peak_in_flight"], 0);
}

#[test]
fn reset_restores_the_startup_state() {
    let dir = std::env::temp_dir().join(format!("hv-sandbox-reset-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let seed = dir.join("seed.json");
    std::fs::write(
        &seed,
        r#"{"calls":[{"call_id":"call_seeded","status":"queued"}]}"#,
    )
    .expect("write");
    let sandbox = Sandbox::start(&["--seed", seed.to_str().expect("utf-8 path")]);

    assert_eq!(sandbox.cancel("call_seeded").status, 200);
    sandbox.add_call("call_extra", "queued");
    sandbox.faults(json!([{"path_prefix": "/v1/", "status": 500, "times": 5}]));
    sandbox.admin_post("/config", json!({"latency_ms": 5, "log_requests": false}));

    assert_eq!(sandbox.admin_post("/reset", json!({})).status, 200);
    assert_eq!(sandbox.call("call_seeded")["status"], "queued");
    assert_eq!(sandbox.call("call_seeded")["cancel_requests"], 0);
    assert_eq!(
        sandbox
            .request("GET", "/__sandbox/calls/call_extra", &[], "")
            .status,
        404
    );
    assert_eq!(sandbox.admin_get("/faults")["rules"], json!([]));
    assert_eq!(sandbox.admin_get("/config")["latency_ms"], 0);
    assert_eq!(sandbox.admin_get("/config")["log_requests"], true);
    assert!(sandbox.requests().is_empty());
    assert_eq!(sandbox.admin_get("/stats")["requests_total"], 0);
    assert_eq!(sandbox.cancel("call_seeded").status, 200);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn admin_rejects_bad_call_payloads() {
    let sandbox = Sandbox::start(&[]);
    let bad = sandbox.admin_post(
        "/calls",
        json!({"calls": [{"call_id": "a", "status": "paused"}]}),
    );
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("paused"));
    assert_eq!(
        sandbox
            .admin_post("/calls", json!({"calls": [{"call_id": "a b"}]}))
            .status,
        400
    );
    let listed = sandbox.admin_post("/calls", json!([{"call_id": "call_b"}]));
    assert_eq!(listed.json()["added"], 1);
    assert_eq!(sandbox.admin_get("/calls")["calls"][0]["call_id"], "call_b");
}
