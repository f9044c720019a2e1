use super::*;

fn run(via: Via, status: Option<u16>, body: &str) -> CancelResult {
    interpret_cancel_response(&CancelResponse {
        via,
        call_id: "call_1",
        status_code: status,
        transport_error: None,
        transport_code: None,
        retry_after: None,
        body,
        now_ms: 0.0,
        secrets: &[],
    })
}

const OK: &str = r#"{"success": true, "call_id": "call_1", "status": "cancelled", "message": "Call has been successfully cancelled."}"#;

#[test]
fn row_cancelled() {
    for via in [Via::Rest, Via::Webhook] {
        let r = run(via, Some(200), OK);
        assert_eq!(r.outcome, Outcome::Cancelled);
        assert_eq!(r.call_status, Some("cancelled"));
        assert_eq!(r.http_status, Some(200));
        assert!(!r.retryable);
        assert_eq!(r.message, "Call call_1 is cancelled.");
    }
    assert_eq!(
        run(Via::Rest, Some(409), r#"{"error":{"status":"cancelled"}}"#).outcome,
        Outcome::Cancelled
    );
}

#[test]
fn row_accepted_only_for_webhook() {
    for body in ["", r#"{"success":true}"#, "ok", r#"{"status":"received"}"#] {
        let r = run(Via::Webhook, Some(202), body);
        assert_eq!(r.outcome, Outcome::Accepted, "{body}");
        assert_eq!(
            run(Via::Rest, Some(200), body).outcome,
            Outcome::InvalidResponse,
            "{body}"
        );
    }
}

#[test]
fn row_not_cancellable_for_each_state() {
    for state in ["initiated", "ringing", "in_progress", "completed", "failed"] {
        for status in [400, 409, 422] {
            let body = format!(
                r#"{{"success":false,"error":{{"code":"CALL_NOT_CANCELLABLE","message":"no","status":"{state}"}}}}"#
            );
            let r = run(Via::Rest, Some(status), &body);
            assert_eq!(r.outcome, Outcome::NotCancellable, "{state} {status}");
            assert_eq!(r.call_status, Some(state));
            assert!(r.message.contains(state));
        }
    }
    let r = run(
        Via::Rest,
        Some(409),
        r#"{"message":"This call can no longer be cancelled"}"#,
    );
    assert_eq!((r.outcome, r.call_status), (Outcome::NotCancellable, None));
    assert_eq!(
        run(Via::Webhook, Some(400), r#"{"message":"unknown action"}"#).outcome,
        Outcome::InvalidResponse
    );
}

#[test]
fn rows_not_found_unauthorized_forbidden() {
    let r = run(
        Via::Rest,
        Some(404),
        r#"{"success":false,"error":{"code":"NOT_FOUND","message":"Call not found"}}"#,
    );
    assert_eq!(r.outcome, Outcome::NotFound);
    assert_eq!(
        r.message,
        "Call call_1 was not found (HTTP 404, NOT_FOUND: \"Call not found\"). Check the call id and that the call belongs to the account of this API key."
    );
    let r = run(Via::Rest, Some(401), "");
    assert_eq!(r.outcome, Outcome::Unauthorized);
    assert!(r.message.contains("API key"));
    assert!(run(Via::Webhook, Some(401), "").message.contains("webhook"));
    let r = run(
        Via::Rest,
        Some(403),
        r#"{"detail":"missing scope calls:cancel"}"#,
    );
    assert_eq!(r.outcome, Outcome::Forbidden);
    assert!(r.message.contains("calls:cancel"));
}

#[test]
fn row_rate_limited_reads_retry_after() {
    let r = interpret_cancel_response(&CancelResponse {
        via: Via::Rest,
        call_id: "c",
        status_code: Some(429),
        transport_error: None,
        transport_code: None,
        retry_after: Some("2"),
        body: "",
        now_ms: 0.0,
        secrets: &[],
    });
    assert_eq!(
        (r.outcome, r.retryable, r.retry_after_ms),
        (Outcome::RateLimited, true, Some(2000))
    );
    let r = interpret_cancel_response(&CancelResponse {
        retry_after: Some("Thu, 01 Jan 1970 00:00:10 GMT"),
        now_ms: 4000.0,
        ..CancelResponse {
            via: Via::Rest,
            call_id: "c",
            status_code: Some(429),
            transport_error: None,
            transport_code: None,
            retry_after: None,
            body: "",
            now_ms: 0.0,
            secrets: &[],
        }
    });
    assert_eq!(r.retry_after_ms, Some(6000));
}

#[test]
fn row_server_error_including_transport() {
    for status in [500, 502, 503, 504] {
        let r = run(
            Via::Rest,
            Some(status),
            "<html><body>Bad gateway</body></html>",
        );
        assert_eq!((r.outcome, r.retryable), (Outcome::ServerError, true));
        assert!(!r.message.contains("<html"));
    }
    for t in [TransportError::Timeout, TransportError::Connection] {
        let r = interpret_cancel_response(&CancelResponse {
            via: Via::Rest,
            call_id: "c",
            status_code: None,
            transport_error: Some(t),
            transport_code: None,
            retry_after: None,
            body: "",
            now_ms: 0.0,
            secrets: &[],
        });
        assert_eq!(
            (r.outcome, r.http_status, r.retryable),
            (Outcome::ServerError, None, true)
        );
    }
}

#[test]
fn row_invalid_response() {
    for (status, body) in [
        (200, "{not json"),
        (200, r#"{"success":true}"#),
        (200, "<html>hi</html>"),
        (200, r#"{"status":"queued"}"#),
        (200, r#"{"call_id":"call_2","status":"cancelled"}"#),
        (200, r#"{"success":false,"status":"cancelled"}"#),
        (302, ""),
        (418, "teapot"),
        (409, "{}"),
    ] {
        let r = run(Via::Rest, Some(status), body);
        assert_eq!(r.outcome, Outcome::InvalidResponse, "{status} {body}");
        assert!(!r.retryable);
    }
}

#[test]
fn secrets_in_server_messages_are_redacted() {
    let secrets = vec!["tokSECRET123".to_string()];
    let r = interpret_cancel_response(&CancelResponse {
        via: Via::Webhook,
        call_id: "c",
        status_code: Some(401),
        transport_error: None,
        transport_code: None,
        retry_after: None,
        body: r#"{"message":"bad token tokSECRET123"}"#,
        now_ms: 0.0,
        secrets: &secrets,
    });
    assert!(!r.message.contains("tokSECRET123"), "{}", r.message);
    assert!(r.message.contains("to…(redacted)"));
}

#[test]
fn row_not_cancellable_from_message_text() {
    for (message, state) in [
        ("Call is already ringing", "ringing"),
        ("The call is in progress", "in_progress"),
        ("Call already initiated", "initiated"),
        ("Call was answered", "answered"),
        ("Number refused: call is disallowed", "disallowed"),
    ] {
        for status in [400, 409, 422] {
            let body = format!(
                r#"{{"success":false,"error":{{"code":"CONFLICT","message":"{message}"}}}}"#
            );
            let r = run(Via::Rest, Some(status), &body);
            assert_eq!(r.outcome, Outcome::NotCancellable, "{message} {status}");
            assert_eq!(r.call_status, Some(state), "{message}");
        }
    }
    // A status field wins over the words of the message.
    let r = run(
        Via::Rest,
        Some(409),
        r#"{"error":{"message":"already ringing","status":"completed"}}"#,
    );
    assert_eq!(r.call_status, Some("completed"));
    // A word that is not a state claim does not count.
    let r = run(Via::Rest, Some(400), r#"{"message":"Cancellation failed"}"#);
    assert_eq!(r.outcome, Outcome::InvalidResponse);
}

#[test]
fn pre_dial_and_terminal_states() {
    for state in ["queued", "pending", "scheduled"] {
        let body = format!(r#"{{"error":{{"status":"{state}"}}}}"#);
        let r = run(Via::Rest, Some(409), &body);
        assert_eq!(r.outcome, Outcome::InvalidResponse, "{state}");
        assert_eq!(r.call_status, Some(state));
        // A 2xx that reports a pre-dial state did not cancel either.
        let body = format!(r#"{{"status":"{state}"}}"#);
        assert_eq!(
            run(Via::Rest, Some(200), &body).outcome,
            Outcome::InvalidResponse
        );
    }
    let r = run(Via::Webhook, Some(422), r#"{"status":"disallowed"}"#);
    assert_eq!(
        (r.outcome, r.call_status),
        (Outcome::NotCancellable, Some("disallowed"))
    );
}

#[test]
fn lenient_body_reading() {
    // The last of duplicate keys wins, as in JavaScript.
    let r = run(
        Via::Rest,
        Some(200),
        r#"{"status":"queued","call_id":"call_1","status":"cancelled"}"#,
    );
    assert_eq!(r.outcome, Outcome::Cancelled);
    // A member of an unexpected type counts as absent, not as a broken body.
    let r = run(
        Via::Rest,
        Some(409),
        r#"{"status":5,"error":{"status":"ringing","message":["x"]}}"#,
    );
    assert_eq!(r.call_status, Some("ringing"));
    // A bare JSON string is the message.
    let r = run(Via::Rest, Some(404), r#""gone""#);
    assert!(r.message.contains("gone"), "{}", r.message);
}

fn with_retry_after(status: u16, retry_after: &str, body: &str) -> CancelResult {
    interpret_cancel_response(&CancelResponse {
        via: Via::Rest,
        call_id: "c",
        status_code: Some(status),
        transport_error: None,
        transport_code: None,
        retry_after: Some(retry_after),
        body,
        now_ms: 0.0,
        secrets: &[],
    })
}

#[test]
fn row_quota_exceeded() {
    // 402, whatever the body.
    let r = run(
        Via::Rest,
        Some(402),
        r#"{"error":{"code":"INSUFFICIENT_CREDITS"}}"#,
    );
    assert_eq!((r.outcome, r.retryable), (Outcome::QuotaExceeded, false));
    assert!(r.message.contains("credit"), "{}", r.message);
    assert_eq!(
        run(Via::Webhook, Some(402), "").outcome,
        Outcome::QuotaExceeded
    );
    // A 429 naming a quota, or asking for more than 5 minutes.
    let r = with_retry_after(429, "3600", r#"{"error":{"code":"QUOTA_EXCEEDED"}}"#);
    assert_eq!(
        (r.outcome, r.retry_after_ms),
        (Outcome::QuotaExceeded, None)
    );
    let r = with_retry_after(429, "5", r#"{"error":{"code":"DAILY_QUOTA_EXCEEDED"}}"#);
    assert_eq!(r.outcome, Outcome::QuotaExceeded);
    assert_eq!(
        with_retry_after(429, "301", "").outcome,
        Outcome::QuotaExceeded
    );
    // The documented rate limit stays retryable.
    let r = with_retry_after(429, "60", r#"{"error":{"code":"RATE_LIMIT_EXCEEDED"}}"#);
    assert_eq!(
        (r.outcome, r.retry_after_ms),
        (Outcome::RateLimited, Some(60_000))
    );
    assert_eq!(
        with_retry_after(429, "300", "").outcome,
        Outcome::RateLimited
    );
}

#[test]
fn transport_failures_are_explained_with_their_code() {
    let r = interpret_cancel_response(&CancelResponse {
        via: Via::Rest,
        call_id: "c",
        status_code: None,
        transport_error: Some(TransportError::Connection),
        transport_code: Some("ECONNREFUSED"),
        retry_after: None,
        body: "",
        now_ms: 0.0,
        secrets: &[],
    });
    assert_eq!(r.outcome, Outcome::ServerError);
    assert!(
        r.message.contains("refused") && r.message.contains("(ECONNREFUSED)"),
        "{}",
        r.message
    );
}
