//! What one answer meant, for any operation: a [`Reading`] (its outcome, the call it is about,
//! the state and data the server gave, the message) and the rows of the outcome table every
//! operation shares: no answer, 401, 402, 403, 429 and 5xx read the same way whether the
//! request scheduled, read, cancelled or deleted a call (API-CONTRACT §3.4, §5).

use super::job::Answer;
use crate::http_date::parse_retry_after;
use crate::interpret::{http, QUOTA_RETRY_AFTER_MS};
use crate::loose::Loose;
use crate::outcome::Outcome;
use crate::redact::redact_secrets;
use crate::request::Via;
use crate::response_body::{read_body, BodyFacts};
use crate::transport_failure::explain;

/// One answer, read by its operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub outcome: Outcome,
    /// The call the answer is about: the id asked for, or the one a create returned.
    pub call_id: Option<String>,
    pub call_status: Option<&'static str>,
    pub message: String,
    pub http_status: Option<u16>,
    /// The wait a 429 or 5xx asked for.
    pub retry_after_ms: Option<u64>,
    /// The call's fields as the server gave them (get, schedule), for the item's output.
    pub data: Option<Loose<'static>>,
    /// The server answered a repeated Idempotency-Key with its first answer.
    pub replayed: bool,
}

impl Reading {
    pub fn new(outcome: Outcome, call_id: Option<String>, message: String) -> Reading {
        Reading {
            outcome,
            call_id,
            call_status: None,
            message,
            http_status: None,
            retry_after_ms: None,
            data: None,
            replayed: false,
        }
    }

    /// The message without any secret, and the wait of a retryable answer.
    pub fn finish(mut self, answer: &Answer<'_>, now_ms: u64, secrets: &[String]) -> Reading {
        if let Answer::Response {
            status,
            retry_after,
            ..
        } = *answer
        {
            self.http_status = Some(status);
            if self.outcome.is_retryable() {
                self.retry_after_ms = retry_after.and_then(|v| parse_retry_after(v, now_ms as f64));
            }
        }
        if !secrets.is_empty() {
            self.message = redact_secrets(&self.message, secrets);
        }
        self
    }
}

/// Who asked what, for the shared messages: "schedule the call to +919876543210".
pub struct Subject<'a> {
    pub via: Via,
    /// What the request was about, as a sentence part: "call call_abc", "the call to +91…".
    pub what: &'a str,
    /// The verb for messages: "schedule", "read", "cancel", "delete".
    pub verb: &'static str,
    /// The API key scope the request needs.
    pub scope: &'static str,
}

/// One answer read the way every operation reads it: `own` gives the operation's own rows
/// (its 2xx, its 404, ...) from the status, the body's facts, the body and whether it was a
/// replay; the rows every operation shares (no answer, 401, 402, 403, 429, 5xx) and
/// `invalid_response` for anything else are read here; then [`Reading::finish`].
pub fn read_answer(
    s: &Subject<'_>,
    call_id: Option<&str>,
    answer: &Answer<'_>,
    now_ms: u64,
    secrets: &[String],
    own: impl FnOnce(u16, &BodyFacts<'_>, &str, bool) -> Option<Reading>,
) -> Reading {
    let id = || call_id.map(str::to_string);
    let reading = match *answer {
        Answer::NoResponse { .. } => {
            let (outcome, message) =
                no_response(s, answer).unwrap_or((Outcome::ServerError, String::new()));
            Reading::new(outcome, id(), message)
        }
        Answer::Response {
            status,
            retry_after,
            body,
            replayed,
        } => {
            let facts = read_body(body);
            own(status, &facts, body, replayed).unwrap_or_else(|| {
                let (outcome, message) = shared(s, status, &facts, retry_after, now_ms)
                    .unwrap_or_else(|| unexpected(s, status, &facts));
                Reading::new(outcome, id(), message)
            })
        }
    };
    reading.finish(answer, now_ms, secrets)
}

/// No HTTP answer: retried as a server error.
pub fn no_response(s: &Subject<'_>, answer: &Answer<'_>) -> Option<(Outcome, String)> {
    let Answer::NoResponse { kind, code } = *answer else {
        return None;
    };
    let what = explain(Some(kind), code);
    Some((
        Outcome::ServerError,
        format!(
            "No response from HuskyVoice for {}: {what}. This is retried; if it keeps failing, check the Base URL and the network.",
            s.what
        ),
    ))
}

/// The rows every operation shares; `None` for a status the operation reads itself.
pub fn shared(
    s: &Subject<'_>,
    status: u16,
    facts: &BodyFacts<'_>,
    retry_after: Option<&str>,
    now_ms: u64,
) -> Option<(Outcome, String)> {
    let said = http(status, facts);
    let out = match status {
        401 => (Outcome::Unauthorized, match s.via {
            Via::Rest => format!("HuskyVoice rejected the API key {said}. Check the API key in the HuskyVoice API credential: it may be mistyped, revoked, or for another environment."),
            Via::Webhook => format!("HuskyVoice rejected the inbound webhook token {said}. Copy the inbound webhook URL again from HuskyVoice into the HuskyVoice Inbound Webhook credential."),
        }),
        402 => (Outcome::QuotaExceeded, format!("HuskyVoice refused the request because the account has no credit left {said}. Add credits in the HuskyVoice dashboard, then run again.")),
        403 => (Outcome::Forbidden, format!("HuskyVoice refused to {} {} {said}. The credential is valid but not allowed to: give the API key the {} scope in HuskyVoice.", s.verb, s.what, s.scope)),
        429 if is_quota(facts, retry_after, now_ms) => (Outcome::QuotaExceeded, format!("HuskyVoice's request quota is used up {said}. It resets later (the daily quota at 00:00 UTC); run again then, or raise the plan's quota.")),
        429 => (Outcome::RateLimited, format!("HuskyVoice is rate limiting requests {said}.")),
        500..=599 => (Outcome::ServerError, format!("HuskyVoice had a server error {said}.")),
        _ => return None,
    };
    Some(out)
}

/// API-CONTRACT §5: a 429 is a quota, not the rate limit, when its code names a quota or it
/// asks to wait longer than any one-minute window needs.
fn is_quota(f: &BodyFacts<'_>, retry_after: Option<&str>, now_ms: u64) -> bool {
    let code = f.code.as_deref().unwrap_or("").to_ascii_uppercase();
    crate::text::contains(&code, "QUOTA")
        || retry_after
            .and_then(|v| parse_retry_after(v, now_ms as f64))
            .is_some_and(|ms| ms > QUOTA_RETRY_AFTER_MS)
}

/// Anything no row explains: the call's state is unknown.
pub fn unexpected(s: &Subject<'_>, status: u16, facts: &BodyFacts<'_>) -> (Outcome, String) {
    (
        Outcome::InvalidResponse,
        format!(
            "Unexpected answer from HuskyVoice to {} {} {}; what happened is unknown. Check the Base URL (a proxy may be answering).",
            s.verb,
            s.what,
            http(status, facts)
        ),
    )
}

/// A body parsed as JSON, if it is.
pub fn json_body(body: &str) -> Option<Loose<'_>> {
    serde_json::from_str::<Loose<'_>>(body.trim()).ok()
}

/// The `data` object of a `{"data": {...}}` envelope (create, get and delete answers).
pub fn data_object(body: &str) -> Option<Loose<'static>> {
    json_body(body)?
        .field("data")
        .filter(Loose::is_object)
        .map(Loose::into_owned)
}

/// A text field of an object, trimmed, if it is non-empty text.
pub fn text_field<'v>(v: &'v Loose<'_>, name: &str) -> Option<&'v str> {
    v.get(name)
        .and_then(Loose::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Text for an output field; `null` when there is none.
pub fn text_value(s: Option<&str>) -> Loose<'static> {
    s.map_or(Loose::Null, |s| Loose::Str(s.to_string().into()))
}
