//! `POST /v1/calls/{id}/cancel`, and the cancel outcome the webhook shares.

use hyper::header::AUTHORIZATION;
use hyper::http::request::Parts;
use hyper::StatusCode;
use serde::Serialize;

use crate::app::App;
use crate::auth::SCOPE_CANCEL;
use crate::http::{self, Resp};
use crate::routes::refused;
use crate::state::CancelResult;

#[derive(Serialize)]
struct CancelledBody<'a> {
    success: bool,
    call_id: &'a str,
    status: &'static str,
    message: &'static str,
}

pub fn rest(app: &App, parts: &Parts, raw_id: &str) -> Resp {
    let check = app
        .auth
        .check(parts.headers.get(AUTHORIZATION), SCOPE_CANCEL);
    if let Some(denied) = refused(check, SCOPE_CANCEL) {
        return denied;
    }
    match http::percent_decode(raw_id) {
        Some(call_id) => outcome(app, &call_id),
        None => call_not_found(),
    }
}

/// API-CONTRACT §4: queued → 200 cancelled; cancelled → 200 again; later → 409; unknown → 404.
pub fn outcome(app: &App, call_id: &str) -> Resp {
    match app.calls.cancel(call_id) {
        CancelResult::Cancelled => http::json(
            StatusCode::OK,
            &CancelledBody {
                success: true,
                call_id,
                status: "cancelled",
                message: "Call has been successfully cancelled.",
            },
        ),
        CancelResult::NotCancellable(status) => http::error_with(
            StatusCode::CONFLICT,
            "CALL_NOT_CANCELLABLE",
            &format!(
                "Only queued calls can be cancelled; this call is {} and can no longer be cancelled.",
                status.as_str()
            ),
            Some(status.as_str()),
            None,
        ),
        CancelResult::NotFound => call_not_found(),
    }
}

pub fn call_not_found() -> Resp {
    http::error(StatusCode::NOT_FOUND, "NOT_FOUND", "Call not found.")
}
