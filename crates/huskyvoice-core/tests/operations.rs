//! The outcome table of each operation (API-CONTRACT §3.4 and §6): one answer in, one item out,
//! through the run engine exactly as the node and the client drive it. And the requests each
//! operation builds.

use huskyvoice_core::engine::{
    Answer, CallOperation, Credential, Item, JobOptions, JobSpec, OperationKind, PacerBook, Run,
    RunSettings, Step,
};
use huskyvoice_core::idempotency::{KeysFrom, RunKeys};
use huskyvoice_core::input::Loose;
use huskyvoice_core::request::HttpRequest;
use huskyvoice_core::{TransportError, Via};
use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;
use Loose as L;

const KEY: &str = "sk_test_table_key_0001";

fn credential(via: Via) -> Credential {
    Credential {
        key: "k".into(),
        via,
        api_key: (via == Via::Rest).then(|| KEY.to_string()),
        webhook: (via == Via::Webhook).then(|| "tok_table_1".to_string()),
        base_url: Some("http://127.0.0.1:9".into()),
        authorize: true,
    }
}

fn input(kind: OperationKind) -> Loose<'static> {
    let json = match kind {
        OperationKind::Schedule => {
            r#"{"agent_id":"agt_1","contact_number":"+91 98765 43210","idempotency_key":"inv-42"}"#
        }
        _ => r#""call_abc_123""#,
    };
    serde_json::from_str::<Loose<'_>>(json)
        .expect("valid")
        .into_owned()
}

fn run_of(kind: OperationKind, via: Via, options: JobOptions) -> Run<CallOperation> {
    Run::new(
        CallOperation::of(kind, Some(RunKeys::new("scope", KeysFrom::Index))),
        RunSettings {
            concurrency: 1,
            limit: None,
            stop_on_failure: false,
            seed: 1,
        },
        vec![credential(via)],
        vec![JobOptions {
            max_attempts: 1,
            ..options
        }],
        vec![JobSpec {
            input: input(kind),
            credential: 0,
            options: 0,
            field: None,
            problem: None,
        }],
        Rc::new(RefCell::new(PacerBook::default())),
    )
    .expect("valid run")
}

/// The request the operation sends, and the item one answer makes of it.
fn answered(
    kind: OperationKind,
    via: Via,
    options: JobOptions,
    answer: Answer<'_>,
) -> (HttpRequest, Item) {
    let mut run = run_of(kind, via, options);
    let Step::Send(send) = run.poll(0.0) else {
        panic!("{kind:?} sends")
    };
    run.respond(send.ticket, &answer, 1.0).expect("in flight");
    assert_eq!(run.poll(2.0), Step::Done);
    (send.request, run.report().items.remove(0))
}

fn reply(status: u16, body: &str) -> Answer<'_> {
    Answer::Response {
        status,
        retry_after: None,
        body,
        replayed: false,
    }
}

fn field<'i>(item: &'i Item, name: &str) -> &'i L<'static> {
    &item
        .fields
        .iter()
        .find(|(k, _)| *k == name)
        .unwrap_or_else(|| panic!("no field {name}"))
        .1
}

/// (status, body, outcome, fails, call status) rows, checked for one operation and transport.
fn table(kind: OperationKind, via: Via, rows: &[(u16, &str, &str, bool, Option<&str>)]) {
    for &(status, body, outcome, fails, state) in rows {
        let (_, item) = answered(kind, via, JobOptions::default(), reply(status, body));
        assert_eq!(
            (item.outcome, item.failed(), item.call_status),
            (outcome, fails, state),
            "{kind:?} {via:?} HTTP {status} {body}: {}",
            item.message
        );
        assert_eq!(item.http_status, Some(status));
        assert!(!item.message.contains(KEY), "{}", item.message);
    }
}

/// Rows every operation shares.
const SHARED: [(u16, &str, &str, bool, Option<&str>); 5] = [
    (
        401,
        r#"{"error":{"code":"UNAUTHORIZED"}}"#,
        "unauthorized",
        true,
        None,
    ),
    (
        403,
        r#"{"error":{"code":"FORBIDDEN"}}"#,
        "forbidden",
        true,
        None,
    ),
    (402, "{}", "quota_exceeded", true, None),
    (503, "<html>bad gateway</html>", "server_error", true, None),
    (418, "teapot", "invalid_response", true, None),
];

#[test]
fn schedule_outcomes() {
    let created = r#"{"data":{"call_id":"call_new_1","status":"queued","agent_id":"agt_1"}}"#;
    let rows = [
        (201, created, "scheduled", false, Some("queued")),
        (200, r#"{"data":{}}"#, "invalid_response", true, None),
        (200, "<html>ok</html>", "invalid_response", true, None),
        (
            422,
            r#"{"error":{"code":"VALIDATION_ERROR","message":"contact_number is invalid"}}"#,
            "rejected",
            true,
            None,
        ),
        (
            422,
            r#"{"error":{"code":"IDEMPOTENCY_KEY_REUSED"}}"#,
            "rejected",
            true,
            None,
        ),
        (400, r#"{"detail":"bad"}"#, "rejected", true, None),
        (404, "", "rejected", true, None),
    ];
    table(OperationKind::Schedule, Via::Rest, &rows);
    table(OperationKind::Schedule, Via::Rest, &SHARED);
    let hook = r#"{"success":true,"call_id":"call_hook_1","status":"queued","message":"queued"}"#;
    table(
        OperationKind::Schedule,
        Via::Webhook,
        &[
            (200, hook, "scheduled", false, Some("queued")),
            (200, r#"{"success":false}"#, "invalid_response", true, None),
        ],
    );
    let (_, item) = answered(
        OperationKind::Schedule,
        Via::Rest,
        JobOptions::default(),
        reply(422, r#"{"error":{"code":"IDEMPOTENCY_KEY_REUSED"}}"#),
    );
    assert!(
        item.message
            .contains("Idempotency-Key inv-42 was already used"),
        "{}",
        item.message
    );
    let (_, item) = answered(
        OperationKind::Schedule,
        Via::Rest,
        JobOptions::default(),
        Answer::Response {
            status: 201,
            retry_after: None,
            body: created,
            replayed: true,
        },
    );
    assert_eq!(item.call_id.as_deref(), Some("call_new_1"));
    assert_eq!(field(&item, "replayed"), &L::Bool(true));
    assert!(item.message.contains("no second call"), "{}", item.message);
}

#[test]
fn get_outcomes() {
    table(
        OperationKind::Get,
        Via::Rest,
        &[
            (
                200,
                r#"{"data":{"call_id":"call_abc_123","status":"in_progress","duration_seconds":4}}"#,
                "found",
                false,
                Some("in_progress"),
            ),
            (
                200,
                r#"{"data":{"call_id":"call_abc_123","status":"Canceled"}}"#,
                "found",
                false,
                Some("cancelled"),
            ),
            (
                200,
                r#"{"data":{"call_id":"call_abc_123","status":"warping"}}"#,
                "found",
                false,
                None,
            ),
            (
                200,
                r#"{"data":{"call_id":"call_other","status":"queued"}}"#,
                "invalid_response",
                true,
                None,
            ),
            (
                200,
                r#"{"data":{"call_id":"call_abc_123"}}"#,
                "invalid_response",
                true,
                None,
            ),
            (200, "[]", "invalid_response", true, None),
            (
                404,
                r#"{"error":{"code":"NOT_FOUND"}}"#,
                "not_found",
                false,
                None,
            ),
        ],
    );
    table(OperationKind::Get, Via::Rest, &SHARED);
    let (_, item) = answered(
        OperationKind::Get,
        Via::Rest,
        JobOptions::default(),
        reply(
            200,
            r#"{"data":{"call_id":"call_abc_123","status":"completed","summary":"paid"}}"#,
        ),
    );
    assert_eq!(field(&item, "found"), &L::Bool(true));
    assert_eq!(
        field(&item, "call").get("summary").and_then(L::as_str),
        Some("paid")
    );
}

#[test]
fn delete_outcomes() {
    let not_ended = r#"{"error":{"code":"CALL_NOT_ENDED","status":"ringing"}}"#;
    let rows = [
        (
            200,
            r#"{"data":{"call_id":"call_abc_123","deleted":true}}"#,
            "deleted",
            false,
            None,
        ),
        (
            200,
            r#"{"data":{"call_id":"call_abc_123","deleted":false}}"#,
            "invalid_response",
            true,
            None,
        ),
        (409, not_ended, "not_ended", false, Some("ringing")),
        (
            409,
            r#"{"message":"Call is currently queued"}"#,
            "not_ended",
            false,
            Some("queued"),
        ),
        (
            404,
            r#"{"error":{"code":"NOT_FOUND"}}"#,
            "not_found",
            false,
            None,
        ),
        (
            409,
            r#"{"error":{"code":"CONFLICT"}}"#,
            "invalid_response",
            true,
            None,
        ),
    ];
    table(OperationKind::Delete, Via::Rest, &rows);
    table(OperationKind::Delete, Via::Rest, &SHARED);
    table(
        OperationKind::Delete,
        Via::Webhook,
        &[
            (
                200,
                r#"{"success":true,"call_id":"call_abc_123","deleted":true}"#,
                "deleted",
                false,
                None,
            ),
            (200, r#"{"success":true}"#, "accepted", false, None),
        ],
    );
    // Neither not_ended nor a repeat delete (404) fails by default; each option makes it fail.
    let gone = r#"{"error":{"code":"NOT_FOUND"}}"#;
    let ended_strict = JobOptions {
        fail_on_not_ended: true,
        ..JobOptions::default()
    };
    let found_strict = JobOptions {
        fail_on_not_found: true,
        ..JobOptions::default()
    };
    for (options, status, body, fails, says) in [
        (
            ended_strict,
            409,
            not_ended,
            true,
            "has not ended: it is ringing",
        ),
        (found_strict, 404, gone, true, "already deleted"),
        (JobOptions::default(), 404, gone, false, "already deleted"),
    ] {
        let (_, item) = answered(
            OperationKind::Delete,
            Via::Rest,
            options,
            reply(status, body),
        );
        assert_eq!(item.failed(), fails, "{status} {options:?}");
        assert!(item.message.contains(says), "{}", item.message);
    }
}

#[test]
fn a_lost_answer_is_retried_and_says_so() {
    for kind in OperationKind::ALL {
        let via = Via::Rest;
        let (_, item) = answered(
            kind,
            via,
            JobOptions::default(),
            Answer::NoResponse {
                kind: TransportError::Connection,
                code: Some("ECONNRESET"),
            },
        );
        assert_eq!(item.outcome, "server_error", "{kind:?}");
        assert_eq!(item.http_status, None);
    }
}

#[test]
fn the_requests_each_operation_sends() {
    let sent = |kind, via| answered(kind, via, JobOptions::default(), reply(418, "")).0;
    let r = sent(OperationKind::Schedule, Via::Rest);
    assert_eq!(
        (r.method, r.url.as_str()),
        ("POST", "http://127.0.0.1:9/v1/calls")
    );
    let header = |r: &HttpRequest, name: &str| {
        r.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header(&r, "Idempotency-Key").as_deref(), Some("inv-42"));
    let body: Value = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["contact_number"], "+919876543210");
    let r = sent(OperationKind::Schedule, Via::Webhook);
    assert_eq!(r.url, "http://127.0.0.1:9/v1/hooks/tok_table_1");
    let body: Value = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["action"], "call.create");
    assert_eq!(body["data"]["agent_id"], "agt_1");
    assert_eq!(header(&r, "Idempotency-Key").as_deref(), Some("inv-42"));

    let r = sent(OperationKind::Get, Via::Rest);
    assert_eq!(
        (r.method, r.url.as_str(), r.body.as_deref()),
        ("GET", "http://127.0.0.1:9/v1/calls/call_abc_123", None)
    );
    let r = sent(OperationKind::Delete, Via::Rest);
    assert_eq!(
        (r.method, r.url.as_str()),
        ("DELETE", "http://127.0.0.1:9/v1/calls/call_abc_123")
    );
    assert_eq!(header(&r, "Authorization"), Some(format!("Bearer {KEY}")));
    assert_eq!(header(&r, "x-api-key").as_deref(), Some(KEY));
    let r = sent(OperationKind::Delete, Via::Webhook);
    assert_eq!(
        r.body.as_deref(),
        Some(r#"{"action":"call.delete","data":{"call_id":"call_abc_123"}}"#)
    );
    let r = sent(OperationKind::Cancel, Via::Rest);
    assert_eq!(r.url, "http://127.0.0.1:9/v1/calls/call_abc_123/cancel");
}

#[test]
fn get_through_the_webhook_and_invalid_calls_send_nothing() {
    let mut run = run_of(OperationKind::Get, Via::Webhook, JobOptions::default());
    assert_eq!(run.poll(0.0), Step::Done);
    let report = run.report();
    assert_eq!(report.items[0].outcome, "invalid_credential");
    assert!(report.items[0].message.contains("Get needs the API key"));
    assert_eq!(report.summary.requests, 0);

    let bad: Vec<JobSpec<'static>> = [
        r#"{"agent_id":"a","contact_number":"+91 98765 43210"}"#,
        r#"{"agent_id":"a","contact_number":"12345"}"#,
        r#"{"contact_number":"+919876543210","contact_email":"x@"}"#,
    ]
    .iter()
    .map(|j| JobSpec {
        input: serde_json::from_str::<Loose<'_>>(j).unwrap().into_owned(),
        credential: 0,
        options: 0,
        field: None,
        problem: None,
    })
    .collect();
    let mut run = Run::new(
        CallOperation::of(
            OperationKind::Schedule,
            Some(RunKeys::new("s", KeysFrom::Index)),
        ),
        RunSettings::default(),
        vec![credential(Via::Rest)],
        vec![JobOptions::default()],
        bad,
        Rc::new(RefCell::new(PacerBook::default())),
    )
    .unwrap();
    assert_eq!(run.poll(0.0), Step::Done, "nothing is sent");
    let report = run.report();
    let failure = report.failure.expect("the run fails");
    assert_eq!(
        failure.message,
        "2 of 3 items are invalid; nothing was sent to HuskyVoice"
    );
    assert!(failure
        .description
        .contains("Item 2: contact_number \"12345\""));
    assert!(failure.description.contains("Item 3: agent_id is missing"));
    assert_eq!(report.items[1].outcome, "invalid_input");
    assert_eq!(report.summary.requests, 0);
}
