//! Turns one cancel response (or the lack of one) into exactly one [`Outcome`]
//! (API-CONTRACT §3.4). "cancelled" is reported only when the server said so.

use crate::call_state::{is_pre_dial, state_named_in};
use crate::http_date::parse_retry_after;
use crate::outcome::Outcome;
use crate::redact::redact_secrets;
use crate::request::Via;
use crate::response_body::{read_body, BodyFacts};
use crate::transport_failure::explain;
use serde::Serialize;

/// Why no HTTP status arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportError {
    Timeout,
    Connection,
}

/// One response as the caller saw it. `status_code` is `None` when no response arrived.
#[derive(Debug, Clone)]
pub struct CancelResponse<'a> {
    pub via: Via,
    pub call_id: &'a str,
    pub status_code: Option<u16>,
    pub transport_error: Option<TransportError>,
    /// The transport's own code for the failure (`ECONNREFUSED`, ...), if any.
    pub transport_code: Option<&'a str>,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<&'a str>,
    /// The raw response text: possibly empty, HTML or truncated.
    pub body: &'a str,
    /// Milliseconds since the epoch, for `Retry-After` HTTP dates.
    pub now_ms: f64,
    /// Values that must not appear in the message (API key, webhook token).
    pub secrets: &'a [String],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelResult {
    pub outcome: Outcome,
    pub call_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_status: Option<&'static str>,
    pub message: String,
    pub http_status: Option<u16>,
    pub retryable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

/// A `Retry-After` longer than this cannot be the one-minute window: it is a quota.
pub const QUOTA_RETRY_AFTER_MS: u64 = 300_000;

pub fn interpret_cancel_response(r: &CancelResponse<'_>) -> CancelResult {
    let call_id = r.call_id.trim_ascii();
    let Some(status) = r.status_code else {
        let what = explain(r.transport_error, r.transport_code);
        return finish(
            r,
            Outcome::ServerError,
            None,
            None,
            format!("No response from HuskyVoice for call {call_id}: {what}. This is retried; if it keeps failing, check the Base URL and the network."),
        );
    };
    let facts = read_body(r.body);
    let (outcome, state, message) = match status {
        200..=299 => success(r.via, call_id, status, &facts),
        400 | 409 | 422 => conflict(call_id, status, &facts),
        402 => (
            Outcome::QuotaExceeded,
            None,
            format!("HuskyVoice refused the request because the account has no credit left {}. Add credits in the HuskyVoice dashboard, then run again.", http(status, &facts)),
        ),
        429 if is_quota(&facts, r) => (
            Outcome::QuotaExceeded,
            None,
            format!("HuskyVoice's request quota is used up {}. It resets later (the daily quota at 00:00 UTC); run again then, or raise the plan's quota.", http(status, &facts)),
        ),
        _ => other(r.via, call_id, &http(status, &facts), status),
    };
    finish(r, outcome, Some(status), state, message)
}

/// API-CONTRACT §5: a 429 is a quota, not the rate limit, when its code names a quota or it
/// asks to wait longer than any one-minute window needs.
fn is_quota(f: &BodyFacts<'_>, r: &CancelResponse<'_>) -> bool {
    let code = f.code.as_deref().unwrap_or("");
    let names_quota = crate::text::contains(&code.to_ascii_uppercase(), "QUOTA");
    let long_wait = r
        .retry_after
        .and_then(|v| parse_retry_after(v, r.now_ms))
        .is_some_and(|ms| ms > QUOTA_RETRY_AFTER_MS);
    names_quota || long_wait
}

fn other(via: Via, call_id: &str, http: &str, status: u16) -> Reading {
    match status {
        401 => (Outcome::Unauthorized, None, match via {
            Via::Rest => format!("HuskyVoice rejected the API key {http}. Check the API key in the HuskyVoice API credential: it may be mistyped, revoked, or for another environment."),
            Via::Webhook => format!("HuskyVoice rejected the inbound webhook token {http}. Copy the inbound webhook URL again from HuskyVoice into the HuskyVoice Inbound Webhook credential."),
        }),
        403 => (Outcome::Forbidden, None, format!("HuskyVoice refused to cancel call {call_id} {http}. The credential is valid but not allowed to cancel calls: give the API key the calls:cancel scope in HuskyVoice.")),
        404 => (Outcome::NotFound, None, match via {
            Via::Rest => format!("Call {call_id} was not found {http}. Check the call id and that the call belongs to the account of this API key."),
            Via::Webhook => format!("Call {call_id} was not found {http}. Check the call id, and that the inbound webhook URL is current."),
        }),
        429 => (Outcome::RateLimited, None, format!("HuskyVoice is rate limiting requests {http}.")),
        500..=599 => (Outcome::ServerError, None, format!("HuskyVoice had a server error {http}.")),
        _ => (Outcome::InvalidResponse, None, format!("Unexpected answer from HuskyVoice for call {call_id} {http}; the call's state is unknown. Check the Base URL (a proxy may be answering).")),
    }
}

fn finish(
    r: &CancelResponse<'_>,
    outcome: Outcome,
    http_status: Option<u16>,
    call_status: Option<&'static str>,
    message: String,
) -> CancelResult {
    let retry_after_ms = if outcome.is_retryable() {
        r.retry_after.and_then(|v| parse_retry_after(v, r.now_ms))
    } else {
        None
    };
    CancelResult {
        outcome,
        call_id: r.call_id.trim_ascii().to_string(),
        call_status,
        message: if r.secrets.is_empty() {
            message
        } else {
            redact_secrets(&message, r.secrets)
        },
        http_status,
        retryable: outcome.is_retryable(),
        retry_after_ms,
    }
}

type Reading = (Outcome, Option<&'static str>, String);

fn success(via: Via, call_id: &str, status: u16, f: &BodyFacts<'_>) -> Reading {
    let other_call = f.call_id.as_deref().filter(|id| *id != call_id);
    if let Some(other) = other_call {
        return (
            Outcome::InvalidResponse,
            None,
            format!(
                "HuskyVoice answered HTTP {status} about call {} instead of {call_id}; call {call_id} is not confirmed cancelled.",
                other.chars().take(64).collect::<String>()
            ),
        );
    }
    if f.state == Some("cancelled") && f.success != Some(false) {
        return (
            Outcome::Cancelled,
            Some("cancelled"),
            format!("Call {call_id} is cancelled."),
        );
    }
    match via {
        Via::Webhook => (
            Outcome::Accepted,
            f.state,
            format!("The inbound webhook accepted the cancel action for call {call_id} {}, but did not confirm the call is cancelled. Check the call's status in HuskyVoice if you need certainty.", http(status, f)),
        ),
        Via::Rest => {
            let why = if !f.is_json_object {
                "the body is not a JSON object".to_string()
            } else if let Some(st) = f.state {
                format!("it reports status \"{st}\", not \"cancelled\"")
            } else if let Some(other) = &f.other_status {
                format!("it reports an unknown status \"{other}\"")
            } else {
                "it has no status".to_string()
            };
            (
                Outcome::InvalidResponse,
                f.state,
                format!("HuskyVoice answered HTTP {status} for call {call_id} but {why}; the call is not confirmed cancelled."),
            )
        }
    }
}

fn conflict(call_id: &str, status: u16, f: &BodyFacts<'_>) -> Reading {
    let said = http(status, f);
    // A status field first; else a state the message names ("Call is already ringing").
    let state = f
        .state
        .or_else(|| f.message.as_deref().and_then(state_named_in));
    match state {
        // The server says the call already is cancelled: that is what the user wanted.
        Some("cancelled") => (
            Outcome::Cancelled,
            Some("cancelled"),
            format!("Call {call_id} is already cancelled {said}."),
        ),
        Some(state) if is_pre_dial(state) => (
            Outcome::InvalidResponse,
            Some(state),
            format!("HuskyVoice answered for call {call_id} {said} while reporting it {state}; the call is not confirmed cancelled. Try again."),
        ),
        Some(state) => (
            Outcome::NotCancellable,
            Some(state),
            format!("Call {call_id} can no longer be cancelled: it is {state}. Only queued calls can be cancelled."),
        ),
        None if f.says_not_cancellable() => (
            Outcome::NotCancellable,
            None,
            format!("Call {call_id} can no longer be cancelled {said}. Only queued calls can be cancelled."),
        ),
        None => (
            Outcome::InvalidResponse,
            None,
            format!("HuskyVoice rejected the cancel request for call {call_id} {said}."),
        ),
    }
}

/// The status and what the server said, in one parenthesis: `(HTTP 404, NOT_FOUND: "Call not
/// found")`. The server's own full stop is dropped, so the sentence around it reads on.
pub(crate) fn http(status: u16, f: &BodyFacts<'_>) -> String {
    let message = f
        .message
        .as_deref()
        .map(|m| m.trim_end_matches('.'))
        .filter(|m| !m.is_empty());
    let code = f.code.as_deref().filter(|c| Some(*c) != message);
    match (code, message) {
        (Some(c), Some(m)) => format!("(HTTP {status}, {c}: \"{m}\")"),
        (None, Some(m)) => format!("(HTTP {status}: \"{m}\")"),
        (Some(c), None) => format!("(HTTP {status}, {c})"),
        (None, None) => format!("(HTTP {status})"),
    }
}

#[cfg(test)]
mod tests;
