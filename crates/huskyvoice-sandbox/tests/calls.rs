//! API-CONTRACT §6: create (with Idempotency-Key), get and delete, over REST and the inbound
//! webhook, and the stats that count what they did.

mod common;

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use common::{Reply, Sandbox, KEY, TOKEN};
use serde_json::{json, Value};

fn full_body() -> Value {
    json!({
        "agent_id": "agent_42",
        "contact_number": "+91 (987) 654-3210",
        "contact_name": "Asha Rao",
        "contact_email": "asha@example.com",
        "additional_info": {"plan": "gold", "tags": ["a", "b"], "visits": 3},
    })
}

fn minimal_body() -> Value {
    json!({"agent_id": "agent_1", "contact_number": "+919876543210"})
}

/// `2025-01-31T09:15:02.120Z`
fn is_iso8601_utc(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 24
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            19 => c == b'.',
            23 => c == b'Z',
            _ => c.is_ascii_digit(),
        })
        && text[..4] >= *"2024"
}

fn validation(reply: &Reply, field: &str, needle: &str) {
    assert_eq!(reply.status, 422, "{field}: {}", reply.body);
    let body = reply.json();
    assert_eq!(body["success"], false, "{}", reply.body);
    assert_eq!(body["error"]["code"], "VALIDATION_ERROR", "{}", reply.body);
    assert_eq!(body["error"]["field"], field, "{}", reply.body);
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(field) && message.contains(needle),
        "{field}: {message:?} should mention {needle:?}"
    );
}

fn hook_create(data: &Value) -> String {
    json!({"action": "call.create", "data": data}).to_string()
}

fn hook_with_key(sandbox: &Sandbox, key: &str, body: &str) -> Reply {
    sandbox.request(
        "POST",
        &format!("/v1/hooks/{TOKEN}"),
        &[
            ("Content-Type", "application/json"),
            ("Idempotency-Key", key),
        ],
        body,
    )
}

fn not_found() -> Value {
    json!({"success": false, "error": {"code": "NOT_FOUND", "message": "Call not found."}})
}

#[test]
fn create_answers_201_with_the_stored_fields() {
    let sandbox = Sandbox::start(&[]);
    let reply = sandbox.create(None, &full_body());
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.header("idempotent-replayed"), None);
    let body = reply.json();
    let created_at = body["data"]["created_at"].as_str().unwrap_or_default();
    assert!(is_iso8601_utc(created_at), "{created_at:?}");
    assert_eq!(
        body,
        json!({"data": {
            "call_id": "call_sbx_000001",
            "status": "queued",
            "agent_id": "agent_42",
            "contact_number": "+919876543210",
            "contact_name": "Asha Rao",
            "contact_email": "asha@example.com",
            "additional_info": {"plan": "gold", "tags": ["a", "b"], "visits": 3},
            "created_at": created_at,
        }})
    );

    // GET shows the same fields; the admin view shows them too, and where they came from.
    let fetched = sandbox.get("call_sbx_000001");
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.json(), body);
    let view = sandbox.call("call_sbx_000001");
    assert_eq!(view["agent_id"], "agent_42");
    assert_eq!(view["contact_number"], "+919876543210");
    assert_eq!(view["source"], "rest");
    assert_eq!(view["history"], json!(["queued"]));
    assert!(view.get("idempotency_key").is_none(), "{view}");

    // Optional fields come back as null; other fields are ignored; ids count up.
    let mut minimal = minimal_body();
    minimal["additional_info"] = Value::Null;
    minimal["campaign"] = json!("ignored");
    let second = sandbox.create(None, &minimal);
    assert_eq!(second.status, 201, "{}", second.body);
    let data = &second.json()["data"];
    assert_eq!(data["call_id"], "call_sbx_000002");
    assert_eq!(
        (
            &data["contact_name"],
            &data["contact_email"],
            &data["additional_info"]
        ),
        (&Value::Null, &Value::Null, &Value::Null)
    );
    assert!(data.get("campaign").is_none());

    // The sandbox's own optional call_id still chooses the id.
    let mut chosen = minimal_body();
    chosen["call_id"] = json!("call_mine");
    assert_eq!(
        sandbox.create(None, &chosen).json()["data"]["call_id"],
        "call_mine"
    );
    let taken = sandbox.create(None, &chosen);
    assert_eq!(taken.status, 409);
    assert_eq!(taken.json()["error"]["code"], "ALREADY_EXISTS");

    // A created call is queued, so it can be cancelled.
    assert_eq!(sandbox.cancel("call_sbx_000001").status, 200);
    assert_eq!(
        sandbox.get("call_sbx_000001").json()["data"]["status"],
        "cancelled"
    );

    let stats = sandbox.stats();
    assert_eq!(stats["calls_created"], 3);
    assert_eq!(stats["calls_created_without_key"], 3);
    assert_eq!(stats["calls_created_by_key"], json!({}));
}

#[test]
fn same_key_same_body_replays_the_first_answer() {
    let sandbox = Sandbox::start(&[]);
    let first_body = r#"{"agent_id":"agent_1","contact_number":"+91 98765 43210",
        "additional_info":{"a":1,"b":{"c":[1,2]}}}"#;
    let reordered = r#"{ "additional_info" : { "b" : { "c" : [1, 2] }, "a" : 1 },
        "contact_number" : "+91 98765 43210", "agent_id" : "agent_1" }"#;
    let first = sandbox
        .create_raw(Some("key-1"), first_body)
        .expect("answer");
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.header("idempotent-replayed"), None);

    // The call moves on; the replay is still the first answer, byte for byte.
    assert_eq!(sandbox.cancel("call_sbx_000001").status, 200);
    let replay = sandbox
        .create_raw(Some("key-1"), reordered)
        .expect("answer");
    assert_eq!(replay.status, 201);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(replay.header("content-type"), Some("application/json"));
    assert_eq!(replay.body, first.body);
    assert_eq!(replay.json()["data"]["status"], "queued");

    let calls = sandbox.admin_get("/calls")["calls"].clone();
    assert_eq!(calls.as_array().map(Vec::len), Some(1), "{calls}");
    assert_eq!(calls[0]["idempotency_key"], "key-1");

    // Same key, other body: 422, nothing created.
    let conflict = sandbox
        .create_raw(
            Some("key-1"),
            r#"{"agent_id":"agent_2","contact_number":"+919876543210"}"#,
        )
        .expect("answer");
    assert_eq!(conflict.status, 422);
    assert_eq!(
        conflict.json(),
        json!({"success": false, "error": {"code": "IDEMPOTENCY_KEY_REUSED",
            "message": "Idempotency-Key key-1 was already used with a different request body."}})
    );
    assert_eq!(conflict.header("idempotent-replayed"), None);

    // Keys belong to the organisation: the webhook sees the same key, and a create there
    // is a different request.
    let via_hook = hook_with_key(&sandbox, "key-1", &hook_create(&minimal_body()));
    assert_eq!(via_hook.status, 422);
    assert_eq!(via_hook.json()["error"]["code"], "IDEMPOTENCY_KEY_REUSED");

    // A request refused by validation stores nothing under its key.
    let invalid = sandbox.create(Some("key-2"), &json!({"agent_id": "agent_1"}));
    assert_eq!(invalid.status, 422);
    let valid = sandbox.create(Some("key-2"), &minimal_body());
    assert_eq!(valid.status, 201);
    assert_eq!(valid.header("idempotent-replayed"), None);

    let stats = sandbox.stats();
    assert_eq!(stats["calls_created"], 2);
    assert_eq!(
        stats["calls_created_by_key"],
        json!({"key-1": 1, "key-2": 1})
    );
    assert_eq!(stats["calls_created_without_key"], 0);
    assert_eq!(stats["idempotent_replays"], 1);
    assert_eq!(stats["idempotency_key_reused"], 2);
}

#[test]
fn concurrent_creates_with_one_key_create_one_call() {
    let sandbox = Arc::new(Sandbox::start(&[]));
    const N: usize = 20;
    let race = |key: &'static str, body_of: fn(usize) -> Value| {
        let barrier = Arc::new(Barrier::new(N));
        let handles: Vec<_> = (0..N)
            .map(|i| {
                let (sandbox, barrier) = (Arc::clone(&sandbox), Arc::clone(&barrier));
                thread::spawn(move || {
                    let body = body_of(i);
                    barrier.wait();
                    sandbox.create(Some(key), &body)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect::<Vec<Reply>>()
    };

    let replies = race("race-1", |_| minimal_body());
    assert!(replies.iter().all(|r| r.status == 201), "{replies:?}");
    let fresh = replies
        .iter()
        .filter(|r| r.header("idempotent-replayed").is_none())
        .count();
    assert_eq!(fresh, 1);
    assert!(replies.iter().all(|r| r.body == replies[0].body));

    // Two bodies racing for one key: one call; its body's requests get 201, the rest 422.
    let replies = race(
        "race-2",
        |i| json!({"agent_id": format!("agent_{}", i % 2), "contact_number": "+917000000000"}),
    );
    let created: Vec<&Reply> = replies.iter().filter(|r| r.status == 201).collect();
    let refused = replies.iter().filter(|r| r.status == 422).count();
    assert_eq!(created.len() + refused, N, "{replies:?}");
    assert_eq!(created.len(), N / 2, "the winning body's half");
    assert!(created.iter().all(|r| r.body == created[0].body));

    let stats = sandbox.stats();
    assert_eq!(stats["calls_created"], 2);
    assert_eq!(
        stats["calls_created_by_key"],
        json!({"race-1": 1, "race-2": 1})
    );
    assert_eq!(stats["idempotent_replays"], (N - 1) + (N / 2 - 1));
    assert_eq!(stats["idempotency_key_reused"], N / 2);
    assert_eq!(
        sandbox.admin_get("/calls")["calls"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[test]
fn invalid_creates_are_422_naming_the_field() {
    let sandbox = Sandbox::start(&[]);
    let with = |field: &str, value: Value| {
        let mut body = minimal_body();
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = minimal_body();
        body.as_object_mut().map(|o| o.remove(field));
        body
    };
    let cases = [
        (without("agent_id"), "agent_id", "required"),
        (with("agent_id", json!(null)), "agent_id", "required"),
        (with("agent_id", json!("  ")), "agent_id", "empty"),
        (with("agent_id", json!(7)), "agent_id", "a string"),
        (without("contact_number"), "contact_number", "required"),
        (
            with("contact_number", json!(919876543210_u64)),
            "contact_number",
            "a string",
        ),
        (
            with("contact_number", json!("+1 555 010 0100")),
            "contact_number",
            "+91",
        ),
        (
            with("contact_number", json!("9876543210")),
            "contact_number",
            "+91",
        ),
        (
            with("contact_number", json!("+91 98765 4321")),
            "contact_number",
            "10 digits",
        ),
        (
            with("contact_number", json!("+91 5876543210")),
            "contact_number",
            "6, 7, 8 or 9",
        ),
        (
            with("contact_number", json!("+91 98765.43210")),
            "contact_number",
            "only digits",
        ),
        (with("contact_name", json!(5)), "contact_name", "a string"),
        (
            with("contact_email", json!(true)),
            "contact_email",
            "a string",
        ),
        (
            with("additional_info", json!("vip")),
            "additional_info",
            "JSON object",
        ),
        (
            with("additional_info", json!([1, 2])),
            "additional_info",
            "an array",
        ),
        (with("call_id", json!("a/b")), "call_id", "ASCII"),
    ];
    for (body, field, needle) in &cases {
        validation(&sandbox.create(Some("same-key"), body), field, needle);
    }
    // An empty body lacks agent_id; a body that is not a JSON object is a bad request.
    validation(
        &sandbox.create_raw(None, "").expect("answer"),
        "agent_id",
        "required",
    );
    for bad in ["{not json", "[1]", "\"x\""] {
        let reply = sandbox.create_raw(None, bad).expect("answer");
        assert_eq!(reply.status, 400, "{bad}");
        assert_eq!(reply.json()["error"]["code"], "INVALID_REQUEST");
    }
    let long_key = "k".repeat(256);
    validation(
        &sandbox.create(Some(&long_key), &minimal_body()),
        "Idempotency-Key",
        "255",
    );

    let stats = sandbox.stats();
    assert_eq!(stats["calls_created"], 0);
    assert_eq!(stats["idempotency_key_reused"], 0);
    assert_eq!(sandbox.admin_get("/calls")["calls"], json!([]));
    // The key stored nothing: it still creates.
    assert_eq!(
        sandbox.create(Some("same-key"), &minimal_body()).status,
        201
    );
}

#[test]
fn get_seeded_and_unknown_calls() {
    let sandbox = Sandbox::start(&[]);
    sandbox.add_call("call_seeded", "in_progress");
    let seeded = sandbox.get("call_seeded");
    assert_eq!(seeded.status, 200);
    assert_eq!(
        seeded.json(),
        json!({"data": {"call_id": "call_seeded", "status": "in_progress"}})
    );
    let missing = sandbox.get("call_missing");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json(), not_found());
}

#[test]
fn delete_erases_ended_calls_only() {
    let sandbox = Sandbox::start(&[]);
    for state in ["completed", "failed", "cancelled", "disallowed"] {
        let id = format!("call_{state}");
        sandbox.add_call(&id, state);
        let reply = sandbox.delete(&id);
        assert_eq!(reply.status, 200, "{state}: {}", reply.body);
        assert_eq!(
            reply.json(),
            json!({"data": {"call_id": id, "deleted": true}})
        );
        // Erased: every later request about it is a 404.
        let again = sandbox.delete(&id);
        assert_eq!(again.status, 404);
        assert_eq!(again.json(), not_found());
        assert_eq!(sandbox.get(&id).status, 404);
        assert_eq!(sandbox.cancel(&id).status, 404);
        assert_eq!(
            sandbox
                .request("GET", &format!("/__sandbox/calls/{id}"), &[], "")
                .status,
            404
        );
    }
    for state in ["queued", "initiated", "ringing", "in_progress"] {
        let id = format!("call_{state}");
        sandbox.add_call(&id, state);
        let reply = sandbox.delete(&id);
        assert_eq!(reply.status, 409, "{state}");
        assert_eq!(
            reply.json(),
            json!({"success": false, "error": {"code": "CALL_NOT_ENDED",
                "message": format!("Call {id} is {state}; only ended calls can be deleted."),
                "status": state}})
        );
        let view = sandbox.call(&id);
        assert_eq!(view["status"], state, "unchanged");
        assert_eq!(view["delete_requests"], 1);
    }
    assert_eq!(sandbox.delete("call_never").json(), not_found());

    // A created call, once cancelled, has ended and can be deleted.
    let id = sandbox.create(None, &full_body()).json()["data"]["call_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(sandbox.delete(&id).status, 409);
    assert_eq!(sandbox.cancel(&id).status, 200);
    assert_eq!(sandbox.delete(&id).status, 200);
    assert_eq!(sandbox.get(&id).status, 404);
    assert_eq!(sandbox.stats()["calls_deleted"], 5);
}

#[test]
fn delete_accepts_bearer_or_x_api_key_and_needs_its_scope() {
    let sandbox = Sandbox::start(&[
        "--api-key",
        "sk_full",
        "--api-key",
        "sk_nodel:calls:read,calls:cancel,calls:create",
    ]);
    for id in ["call_a", "call_b", "call_c", "call_d"] {
        sandbox.add_call(id, "completed");
    }
    let only_x = sandbox.delete_with("call_a", &[("x-api-key", "sk_full")]);
    assert_eq!(only_x.status, 200, "{}", only_x.body);
    let only_bearer = sandbox.delete_with("call_b", &[("Authorization", "Bearer sk_full")]);
    assert_eq!(only_bearer.status, 200);
    let both = sandbox.delete_with(
        "call_c",
        &[
            ("Authorization", "Bearer sk_full"),
            ("X-API-Key", "sk_full"),
        ],
    );
    assert_eq!(both.status, 200);

    for (headers, what) in [
        (vec![], "no key"),
        (vec![("x-api-key", "sk_wrong")], "unknown key"),
        (vec![("x-api-key", KEY)], "the demo key is replaced"),
        (
            vec![
                ("Authorization", "Bearer sk_full"),
                ("x-api-key", "sk_nodel"),
            ],
            "two different keys",
        ),
    ] {
        let reply = sandbox.delete_with("call_d", &headers);
        assert_eq!(reply.status, 401, "{what}");
        assert_eq!(reply.json()["error"]["code"], "UNAUTHORIZED", "{what}");
    }
    for headers in [
        vec![("x-api-key", "sk_nodel")],
        vec![("Authorization", "Bearer sk_nodel")],
    ] {
        let reply = sandbox.delete_with("call_d", &headers);
        assert_eq!(reply.status, 403);
        let body = reply.json();
        assert_eq!(body["error"]["code"], "FORBIDDEN");
        assert_eq!(body["error"]["required_scope"], "calls:delete");
    }
    assert_eq!(sandbox.call("call_d")["status"], "completed");
    // x-api-key is for delete only: other endpoints still want Bearer.
    let get = sandbox.request("GET", "/v1/calls/call_d", &[("x-api-key", "sk_full")], "");
    assert_eq!(get.status, 401);

    // A bare --api-key gets every scope, create and delete included.
    let auth = "Bearer sk_full";
    let created = sandbox.request(
        "POST",
        "/v1/calls",
        &[("Authorization", auth)],
        &minimal_body().to_string(),
    );
    assert_eq!(created.status, 201);
    assert_eq!(
        sandbox
            .delete_with("call_d", &[("Authorization", auth)])
            .status,
        200
    );
}

#[test]
fn the_rate_limit_counts_x_api_key_requests_against_that_key() {
    let sandbox = Sandbox::start(&["--rate-limit", "2/60s", "--api-key", "sk_a"]);
    for _ in 0..2 {
        assert_eq!(
            sandbox
                .delete_with("call_none", &[("x-api-key", "sk_a")])
                .status,
            404
        );
    }
    let limited = sandbox.delete_with("call_none", &[("x-api-key", "sk_a")]);
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert_eq!(limited.json()["error"]["code"], "RATE_LIMIT_EXCEEDED");
    // The same key over Bearer is the same window.
    assert_eq!(
        sandbox
            .request(
                "GET",
                "/v1/calls/call_none",
                &[("Authorization", "Bearer sk_a")],
                ""
            )
            .status,
        429
    );
    // Another key has its own window (and is unknown: 401).
    assert_eq!(
        sandbox
            .delete_with("call_none", &[("x-api-key", "sk_b")])
            .status,
        401
    );
    assert_eq!(sandbox.stats()["rate_limited_total"], 2);
}

#[test]
fn webhook_create_and_delete() {
    let sandbox = Sandbox::start(&[]);
    let created = sandbox.hook(TOKEN, &hook_create(&full_body()));
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(
        created.json(),
        json!({"success": true, "call_id": "call_sbx_000001", "status": "queued",
            "message": "Call has been queued."})
    );
    let view = sandbox.call("call_sbx_000001");
    assert_eq!(view["source"], "webhook");
    assert_eq!(view["contact_number"], "+919876543210");
    assert_eq!(view["additional_info"]["plan"], "gold");
    assert_eq!(
        sandbox.get("call_sbx_000001").json()["data"]["agent_id"],
        "agent_42"
    );

    // Idempotency-Key works the same way on the webhook.
    let body = hook_create(&minimal_body());
    let first = hook_with_key(&sandbox, "hook-key", &body);
    assert_eq!(first.status, 200);
    let replay = hook_with_key(&sandbox, "hook-key", &body);
    assert_eq!(replay.status, 200);
    assert_eq!(replay.body, first.body);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    let mut other = minimal_body();
    other["contact_name"] = json!("Someone");
    let conflict = hook_with_key(&sandbox, "hook-key", &hook_create(&other));
    assert_eq!(conflict.status, 422);
    assert_eq!(conflict.json()["error"]["code"], "IDEMPOTENCY_KEY_REUSED");

    let mut bad = minimal_body();
    bad["contact_number"] = json!("+91 12345 67890");
    validation(
        &sandbox.hook(TOKEN, &hook_create(&bad)),
        "contact_number",
        "6, 7, 8 or 9",
    );
    validation(
        &sandbox.hook(
            TOKEN,
            &hook_create(&json!({"contact_number": "+919876543210"})),
        ),
        "agent_id",
        "required",
    );
    for missing in [
        json!({"action": "call.create"}),
        json!({"action": "call.create", "data": "x"}),
    ] {
        let reply = sandbox.hook(TOKEN, &missing.to_string());
        assert_eq!(reply.status, 400, "{missing}");
        assert_eq!(reply.json()["error"]["code"], "INVALID_REQUEST");
    }

    // call.delete: 409 while the call runs, 200 once it ended, then 404.
    let delete =
        json!({"action": "call.delete", "data": {"call_id": "call_sbx_000001"}}).to_string();
    let running = sandbox.hook(TOKEN, &delete);
    assert_eq!(running.status, 409);
    assert_eq!(running.json()["error"]["code"], "CALL_NOT_ENDED");
    assert_eq!(running.json()["error"]["status"], "queued");
    let cancel = json!({"action": "call.cancel", "data": {"call_id": "call_sbx_000001"}});
    assert_eq!(sandbox.hook(TOKEN, &cancel.to_string()).status, 200);
    let deleted = sandbox.hook(TOKEN, &delete);
    assert_eq!(deleted.status, 200);
    assert_eq!(
        deleted.json(),
        json!({"success": true, "call_id": "call_sbx_000001", "deleted": true,
            "message": "Call data has been deleted."})
    );
    let gone = sandbox.hook(TOKEN, &delete);
    assert_eq!(gone.status, 404);
    assert_eq!(gone.json(), not_found());
    assert_eq!(
        sandbox
            .hook(TOKEN, r#"{"action": "call.delete", "data": {}}"#)
            .status,
        400
    );
    assert_eq!(sandbox.hook("wrong-token", &delete).status, 401);

    let stats = sandbox.stats();
    assert_eq!(stats["calls_created"], 2);
    assert_eq!(stats["calls_created_by_key"], json!({"hook-key": 1}));
    assert_eq!(stats["calls_created_without_key"], 1);
    assert_eq!(stats["idempotent_replays"], 1);
    assert_eq!(stats["calls_deleted"], 1);
    let stopped = sandbox.stop();
    assert!(!stopped.stdout.contains(TOKEN) && !stopped.stderr.contains(TOKEN));
}

#[test]
fn advance_every_moves_created_calls_too() {
    let sandbox = Sandbox::start(&["--advance-every", "50"]);
    let id = sandbox.create(None, &minimal_body()).json()["data"]["call_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(10);
    while sandbox.call(&id)["status"] != "completed" {
        assert!(Instant::now() < deadline, "{}", sandbox.call(&id));
        thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        sandbox.call(&id)["history"],
        json!(["queued", "initiated", "ringing", "in_progress", "completed"])
    );
    assert_eq!(sandbox.get(&id).json()["data"]["agent_id"], "agent_1");
    assert_eq!(sandbox.delete(&id).status, 200);
}

#[test]
fn stats_reset_keeps_keys_and_reset_forgets_them() {
    let sandbox = Sandbox::start(&[]);
    assert_eq!(sandbox.create(Some("k"), &minimal_body()).status, 201);
    sandbox.add_call("call_done", "completed");
    assert_eq!(sandbox.delete("call_done").status, 200);

    let reset = sandbox.admin_post("/stats/reset", json!({})).json();
    for field in [
        "calls_created",
        "calls_created_without_key",
        "idempotent_replays",
        "idempotency_key_reused",
        "calls_deleted",
    ] {
        assert_eq!(reset[field], 0, "{field}");
    }
    assert_eq!(reset["calls_created_by_key"], json!({}));
    // The key is still remembered: a replay, counted from zero.
    let replay = sandbox.create(Some("k"), &minimal_body());
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(sandbox.stats()["idempotent_replays"], 1);
    assert_eq!(sandbox.stats()["calls_created"], 0);

    // A full reset forgets calls and keys: the same key now creates call 1 again.
    assert_eq!(sandbox.admin_post("/reset", json!({})).status, 200);
    assert_eq!(sandbox.stats()["idempotent_replays"], 0);
    let fresh = sandbox.create(Some("k"), &full_body());
    assert_eq!(fresh.status, 201);
    assert_eq!(fresh.header("idempotent-replayed"), None);
    assert_eq!(fresh.json()["data"]["call_id"], "call_sbx_000001");
    assert_eq!(sandbox.stats()["calls_created_by_key"], json!({"k": 1}));
}
