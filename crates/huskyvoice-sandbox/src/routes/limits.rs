//! The documented limits as HTTP answers (API-CONTRACT §5), checked after the fault rules
//! and before auth, as a gateway would: zero balance (402), then the rate limit per
//! credential (429 RATE_LIMIT_EXCEEDED), then the daily quota (429 QUOTA_EXCEEDED).

use std::borrow::Cow;

use hyper::header::{HeaderValue, AUTHORIZATION, RETRY_AFTER};
use hyper::http::request::Parts;
use hyper::StatusCode;

use crate::app::App;
use crate::auth;
use crate::http::{self, Resp};
use crate::limits::{self, CredentialKind, Verdict};

/// The answer instead of the route, if a limit refuses the request.
pub fn check(app: &App, parts: &Parts) -> Option<Resp> {
    let path = parts.uri.path();
    if !path.starts_with("/v1/") {
        return None;
    }
    if app.limits.zero_balance() {
        app.stats.count_quota_exceeded();
        return Some(http::error(
            StatusCode::PAYMENT_REQUIRED,
            "INSUFFICIENT_CREDITS",
            "Your credit balance is zero; add credits in the HuskyVoice dashboard.",
        ));
    }
    if !app.limits.counting() {
        return None;
    }
    // Without a credential there is no key or organisation to count against.
    let (kind, credential) = credential(parts)?;
    match app
        .limits
        .admit(kind, &credential, app.elapsed_ms(), limits::unix_now_ms())
    {
        Verdict::Pass { in_window } => {
            if let Some(in_window) = in_window {
                app.stats.note_in_window(in_window);
            }
            None
        }
        Verdict::RateLimited {
            limit,
            retry_after_s,
        } => {
            app.stats.count_rate_limited();
            let message = format!(
                "Rate limit of {} requests per {} exceeded for this {}; retry after {retry_after_s} s.",
                limit.count,
                limit.window_text(),
                kind.describe(),
            );
            Some(too_many("RATE_LIMIT_EXCEEDED", &message, retry_after_s))
        }
        Verdict::QuotaExceeded {
            quota,
            retry_after_s,
        } => {
            app.stats.count_quota_exceeded();
            let message =
                format!("Daily request quota of {quota} exhausted; it resets at 00:00 UTC.");
            Some(too_many("QUOTA_EXCEEDED", &message, retry_after_s))
        }
    }
}

/// A hook request counts against the token in its URL (decoded, as auth reads it); any
/// other request against its Bearer value as presented, known key or not, or, without a
/// Bearer value, against its `x-api-key` value (delete accepts the key there).
fn credential(parts: &Parts) -> Option<(CredentialKind, Cow<'_, str>)> {
    if let Some(rest) = parts.uri.path().strip_prefix("/v1/hooks/") {
        let raw = rest.split('/').next().filter(|raw| !raw.is_empty())?;
        let token = http::percent_decode(raw).map_or(Cow::Borrowed(raw), Cow::Owned);
        return Some((CredentialKind::WebhookToken, token));
    }
    let key = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(auth::bearer)
        .or_else(|| {
            parts
                .headers
                .get(auth::X_API_KEY)
                .and_then(auth::header_key)
        })?;
    Some((CredentialKind::ApiKey, Cow::Borrowed(key)))
}

fn too_many(code: &str, message: &str, retry_after_s: u64) -> Resp {
    let mut response = http::error(StatusCode::TOO_MANY_REQUESTS, code, message);
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(retry_after_s));
    response
}
