//! The limits HuskyVoice documents: rate limit per credential, daily quota, zero balance.
//! Counts are asserted with windows far longer than the test takes; the one timing check
//! only waits for Retry-After to pass, which a loaded machine can only make more true.

mod common;

use std::thread;
use std::time::Duration;

use common::{Reply, Sandbox, KEY, TOKEN};
use serde_json::{json, Value};

const CANCEL_BODY: &str = r#"{"action": "call.cancel", "data": {"call_id": "call_none"}}"#;

fn limited_body(count: u32, window: &str, what: &str, retry_after: u64) -> Value {
    json!({"success": false, "error": {"code": "RATE_LIMIT_EXCEEDED", "message":
        format!("Rate limit of {count} requests per {window} exceeded for this {what}; retry after {retry_after} s.")}})
}

fn retry_after(reply: &Reply) -> u64 {
    reply
        .header("retry-after")
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no integer Retry-After: {reply:?}"))
}

fn config(sandbox: &Sandbox, update: Value) -> Value {
    let reply = sandbox.admin_post("/config", update.clone());
    assert_eq!(reply.status, 200, "{update}: {}", reply.body);
    reply.json()
}

#[test]
fn off_by_default() {
    let sandbox = Sandbox::start(&[]);
    for _ in 0..70 {
        assert_eq!(sandbox.cancel("call_none").status, 404);
    }
    let config = sandbox.admin_get("/config");
    assert_eq!(
        (
            &config["rate_limit"],
            &config["daily_quota"],
            &config["zero_balance"],
            &config["quota_used"]
        ),
        (&Value::Null, &Value::Null, &json!(false), &json!(0))
    );
    let stats = sandbox.admin_get("/stats");
    assert_eq!(stats["rate_limited_total"], 0);
    assert_eq!(stats["quota_exceeded_total"], 0);
    assert_eq!(stats["max_in_window"], 0);
}

#[test]
fn rate_limit_is_per_api_key_as_presented() {
    let sandbox = Sandbox::start(&[
        "--rate-limit",
        "3/60s",
        "--api-key",
        "sk_a",
        "--api-key",
        "sk_b",
    ]);
    // Every /v1 endpoint counts against the key.
    let read = sandbox.request(
        "GET",
        "/v1/calls/call_none",
        &[("Authorization", "Bearer sk_a")],
        "",
    );
    assert_eq!(read.status, 404);
    for _ in 0..2 {
        assert_eq!(sandbox.cancel_with("call_none", "sk_a").status, 404);
    }
    for _ in 0..2 {
        let limited = sandbox.cancel_with("call_none", "sk_a");
        assert_eq!(limited.status, 429, "{}", limited.body);
        let seconds = retry_after(&limited);
        assert!((1..=60).contains(&seconds), "Retry-After {seconds}");
        assert_eq!(limited.json(), limited_body(3, "60s", "API key", seconds));
        assert!(!limited.body.contains("sk_a"), "the key is never echoed");
    }

    // Another key has its own window; an unknown key is limited all the same.
    for _ in 0..3 {
        assert_eq!(sandbox.cancel_with("call_none", "sk_b").status, 404);
        assert_eq!(sandbox.cancel_with("call_none", "sk_wrong").status, 401);
    }
    assert_eq!(sandbox.cancel_with("call_none", "sk_b").status, 429);
    let wrong = sandbox.cancel_with("call_none", "sk_wrong");
    assert_eq!(wrong.status, 429);
    assert!(!wrong.body.contains("sk_wrong"));
    // No credential at all: nothing to count against.
    for _ in 0..5 {
        assert_eq!(
            sandbox
                .request("POST", "/v1/calls/call_none/cancel", &[], "")
                .status,
            401
        );
    }

    let stats = sandbox.admin_get("/stats");
    assert_eq!(stats["rate_limited_total"], 4);
    assert_eq!(stats["max_in_window"], 3);
    assert_eq!(stats["quota_exceeded_total"], 0);
    assert_eq!(stats["requests_total"], 18, "limited requests are counted");
    assert_eq!(sandbox.requests().len(), 18, "and logged");
}

#[test]
fn webhook_tokens_are_limited_separately() {
    let sandbox = Sandbox::start(&["--rate-limit", "2/60s"]);
    for _ in 0..2 {
        assert_eq!(sandbox.hook(TOKEN, CANCEL_BODY).status, 404);
    }
    let limited = sandbox.hook(TOKEN, CANCEL_BODY);
    assert_eq!(limited.status, 429);
    let seconds = retry_after(&limited);
    assert_eq!(
        limited.json(),
        limited_body(2, "60s", "webhook token", seconds)
    );
    assert!(!limited.body.contains(TOKEN), "the token is never echoed");
    // A percent-encoded spelling is the same token.
    assert_eq!(sandbox.hook("sandbox%2Dtoken", CANCEL_BODY).status, 429);

    // The API key and other tokens are untouched by the first token's window.
    assert_eq!(sandbox.cancel("call_none").status, 404);
    for _ in 0..2 {
        assert_eq!(sandbox.hook("other-token", CANCEL_BODY).status, 401);
    }
    assert_eq!(sandbox.hook("other-token", CANCEL_BODY).status, 429);
    assert_eq!(sandbox.admin_get("/stats")["rate_limited_total"], 3);
}

#[test]
fn window_slides_and_accepts_again_once_retry_after_passed() {
    let sandbox = Sandbox::start(&["--rate-limit", "3/1s"]);
    // Normally the 4th is refused; a stalled machine may let the window slide first.
    let limited = (0..50)
        .map(|_| sandbox.cancel("call_none"))
        .find(|reply| reply.status != 404)
        .expect("some request is rate limited");
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert_eq!(limited.header("retry-after"), Some("1"));
    assert_eq!(limited.json(), limited_body(3, "1s", "API key", 1));
    assert_eq!(sandbox.admin_get("/stats")["max_in_window"], 3);

    thread::sleep(Duration::from_secs(1));
    assert_eq!(sandbox.cancel("call_none").status, 404, "accepted again");
}

#[test]
fn faults_come_before_the_rate_limit_and_test_controls_are_never_limited() {
    let sandbox = Sandbox::start(&["--rate-limit", "1/60s"]);
    sandbox.faults(json!([{"path_prefix": "/v1/", "status": 503, "times": 2}]));
    for _ in 0..2 {
        assert_eq!(sandbox.cancel("call_none").status, 503);
    }
    assert_eq!(
        sandbox.cancel("call_none").status,
        404,
        "faulted requests never reached the window"
    );
    assert_eq!(sandbox.cancel("call_none").status, 429);
    for _ in 0..5 {
        sandbox.admin_get("/stats");
        sandbox.add_call("call_a", "queued");
    }
    assert_eq!(sandbox.admin_get("/stats")["rate_limited_total"], 1);
}

#[test]
fn daily_quota_counts_every_key_and_token_together() {
    let sandbox = Sandbox::start(&["--daily-quota", "2", "--api-key", "sk_a"]);
    assert_eq!(sandbox.cancel_with("call_none", "sk_a").status, 404);
    assert_eq!(sandbox.hook(TOKEN, CANCEL_BODY).status, 404);
    for exhausted in [
        sandbox.cancel_with("call_none", "sk_other"),
        sandbox.hook(TOKEN, CANCEL_BODY),
    ] {
        assert_eq!(exhausted.status, 429, "{}", exhausted.body);
        let seconds = retry_after(&exhausted);
        assert!((1..=86_400).contains(&seconds), "Retry-After {seconds}");
        assert_eq!(
            exhausted.json(),
            json!({"success": false, "error": {"code": "QUOTA_EXCEEDED",
                "message": "Daily request quota of 2 exhausted; it resets at 00:00 UTC."}})
        );
    }
    assert_eq!(
        sandbox
            .request("POST", "/v1/calls/call_none/cancel", &[], "")
            .status,
        401,
        "no credential: not counted"
    );
    let config = sandbox.admin_get("/config");
    assert_eq!(
        (&config["daily_quota"], &config["quota_used"]),
        (&json!(2), &json!(2))
    );
    let stats = sandbox.admin_get("/stats");
    assert_eq!(stats["quota_exceeded_total"], 2);
    assert_eq!(stats["rate_limited_total"], 0);

    assert_eq!(sandbox.admin_post("/reset", json!({})).status, 200);
    assert_eq!(sandbox.admin_get("/config")["quota_used"], 0);
    assert_eq!(sandbox.cancel_with("call_none", "sk_a").status, 404);
}

#[test]
fn zero_balance_refuses_every_v1_request_with_402() {
    let sandbox = Sandbox::start(&["--zero-balance", "--rate-limit", "1/60s"]);
    let expected = json!({"success": false, "error": {"code": "INSUFFICIENT_CREDITS",
        "message": "Your credit balance is zero; add credits in the HuskyVoice dashboard."}});
    for reply in [
        sandbox.cancel("call_none"),
        sandbox.cancel("call_none"),
        sandbox.hook(TOKEN, CANCEL_BODY),
        sandbox.request("GET", "/v1/calls/call_none", &[], ""),
    ] {
        assert_eq!(reply.status, 402, "{}", reply.body);
        assert_eq!(reply.json(), expected);
    }
    sandbox.faults(json!([{"path_prefix": "/v1/", "status": 500}]));
    assert_eq!(sandbox.cancel("call_none").status, 500, "faults come first");
    let stats = sandbox.admin_get("/stats");
    assert_eq!(stats["quota_exceeded_total"], 4);
    assert_eq!(stats["rate_limited_total"], 0);
    assert_eq!(stats["max_in_window"], 0, "402s never reach the window");
    assert_eq!(sandbox.admin_get("/config")["zero_balance"], true);
}

#[test]
fn limits_change_at_runtime_and_reset_restores_the_command_line() {
    let sandbox = Sandbox::start(&["--rate-limit", "60/1m"]);
    assert_eq!(sandbox.admin_get("/config")["rate_limit"], "60/60s");

    let shown = config(&sandbox, json!({"rate_limit": "1/60000ms"}));
    assert_eq!(shown["rate_limit"], "1/60s");
    assert_eq!(sandbox.cancel("call_none").status, 404);
    assert_eq!(sandbox.cancel("call_none").status, 429);
    // Setting a limit, even the same one, starts every window afresh.
    config(&sandbox, json!({"rate_limit": "1/60s"}));
    assert_eq!(sandbox.cancel("call_none").status, 404);
    assert_eq!(
        config(&sandbox, json!({"rate_limit": null}))["rate_limit"],
        Value::Null
    );
    for _ in 0..3 {
        assert_eq!(sandbox.cancel("call_none").status, 404);
    }

    let shown = config(&sandbox, json!({"daily_quota": 1, "zero_balance": true}));
    assert_eq!(
        (&shown["daily_quota"], &shown["zero_balance"]),
        (&json!(1), &json!(true))
    );
    assert_eq!(sandbox.cancel("call_none").status, 402);
    config(&sandbox, json!({"zero_balance": false}));
    assert_eq!(sandbox.cancel("call_none").status, 404);
    assert_eq!(sandbox.cancel("call_none").status, 429);
    assert_eq!(sandbox.admin_get("/config")["quota_used"], 1);
    config(&sandbox, json!({"daily_quota": null}));
    assert_eq!(sandbox.cancel("call_none").status, 404);

    // Invalid values: 400, and nothing changes (not even the valid fields beside them).
    config(&sandbox, json!({"rate_limit": "2/60s", "daily_quota": 5}));
    let before = sandbox.admin_get("/config");
    for bad in [
        json!({"rate_limit": "0/1s"}),
        json!({"rate_limit": "5"}),
        json!({"rate_limit": "5/0s"}),
        json!({"rate_limit": 5}),
        json!({"daily_quota": -1}),
        json!({"daily_quota": "2"}),
        json!({"daily_quota": 1.5}),
        json!({"zero_balance": "yes"}),
        json!({"latency_ms": 50, "zero_balance": true, "rate_limit": "x/1s"}),
    ] {
        let reply = sandbox.admin_post("/config", bad.clone());
        assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
        assert_eq!(reply.json()["error"]["code"], "BAD_REQUEST");
    }
    assert_eq!(sandbox.admin_get("/config"), before);

    sandbox.cancel("call_none");
    sandbox.cancel("call_none");
    assert_eq!(sandbox.cancel("call_none").status, 429);
    assert_eq!(sandbox.admin_post("/reset", json!({})).status, 200);
    let config = sandbox.admin_get("/config");
    assert_eq!(config["rate_limit"], "60/60s");
    assert_eq!(config["daily_quota"], Value::Null);
    assert_eq!(config["zero_balance"], false);
    assert_eq!(config["quota_used"], 0);
    assert_eq!(sandbox.cancel("call_none").status, 404, "windows cleared");
}

#[test]
fn stats_reset_zeroes_the_limit_counters() {
    let sandbox = Sandbox::start(&["--rate-limit", "2/60s", "--api-key", KEY]);
    for _ in 0..3 {
        sandbox.cancel("call_none");
    }
    config(&sandbox, json!({"zero_balance": true}));
    sandbox.cancel("call_none");
    let stats = sandbox.admin_get("/stats");
    assert_eq!(
        (
            &stats["rate_limited_total"],
            &stats["quota_exceeded_total"],
            &stats["max_in_window"]
        ),
        (&json!(1), &json!(1), &json!(2))
    );
    let reset = sandbox.admin_post("/stats/reset", json!({})).json();
    assert_eq!(
        (
            &reset["rate_limited_total"],
            &reset["quota_exceeded_total"],
            &reset["max_in_window"]
        ),
        (&json!(0), &json!(0), &json!(0))
    );
    // The windows themselves are not stats: the key is still at its limit.
    config(&sandbox, json!({"zero_balance": false}));
    assert_eq!(sandbox.cancel("call_none").status, 429);
}
