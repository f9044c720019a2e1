//! `POST /v1/calls` (create a queued call, honouring Idempotency-Key) and `GET /v1/calls/{id}`.

use bytes::Bytes;
use hyper::header::{HeaderValue, AUTHORIZATION};
use hyper::http::request::Parts;
use hyper::StatusCode;
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::auth::{KeyCheck, SCOPE_CREATE, SCOPE_READ};
use crate::http::{self, Resp};
use crate::routes::cancel::call_not_found;
use crate::state::{valid_call_id, CallStatus, CreateResult};

/// Other fields (phone numbers, agents, ...) are accepted and ignored.
#[derive(Deserialize, Default)]
struct CreateBody {
    call_id: Option<String>,
}

#[derive(Serialize)]
struct CallData<'a> {
    call_id: &'a str,
    status: CallStatus,
}

#[derive(Serialize)]
struct Created<'a> {
    success: bool,
    data: CallData<'a>,
}

#[derive(Serialize)]
struct Fetched<'a> {
    data: CallData<'a>,
}

fn check(app: &App, parts: &Parts, scope: &str) -> Option<Resp> {
    match app.auth.check(parts.headers.get(AUTHORIZATION), scope) {
        KeyCheck::Allowed => None,
        KeyCheck::Unauthorized => Some(http::unauthorized("Missing or invalid API key.")),
        KeyCheck::Forbidden => Some(http::forbidden(scope)),
    }
}

pub fn create(app: &App, parts: &Parts, body: &Bytes) -> Resp {
    if let Some(denied) = check(app, parts, SCOPE_CREATE) {
        return denied;
    }
    let request: CreateBody = if body.iter().all(u8::is_ascii_whitespace) {
        CreateBody::default()
    } else {
        match serde_json::from_slice(body) {
            Ok(request) => request,
            Err(_) => return invalid("Body must be a JSON object."),
        }
    };
    if request
        .call_id
        .as_deref()
        .is_some_and(|id| !valid_call_id(id))
    {
        return invalid("call_id must be 1 to 128 ASCII letters, digits, `_` or `-`.");
    }
    let idempotency_key = match parts
        .headers
        .get("idempotency-key")
        .map(HeaderValue::to_str)
    {
        None => None,
        Some(Ok(key)) if !key.trim().is_empty() => Some(key.trim().to_string()),
        Some(_) => return invalid("Idempotency-Key must be a non-empty ASCII string."),
    };
    let (call_id, replayed) = match app.calls.create(request.call_id, idempotency_key) {
        CreateResult::Created(id) => (id, false),
        CreateResult::Replayed(id) => (id, true),
        CreateResult::AlreadyExists => {
            return http::error(
                StatusCode::CONFLICT,
                "ALREADY_EXISTS",
                "A call with this call_id already exists.",
            )
        }
    };
    // A replay answers exactly as the first request did, and says so in a header.
    let mut response = http::json(
        StatusCode::CREATED,
        &Created {
            success: true,
            data: CallData {
                call_id: &call_id,
                status: CallStatus::Queued,
            },
        },
    );
    if replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

pub fn get(app: &App, parts: &Parts, raw_id: &str) -> Resp {
    if let Some(denied) = check(app, parts, SCOPE_READ) {
        return denied;
    }
    let Some(call_id) = http::percent_decode(raw_id) else {
        return call_not_found();
    };
    match app.calls.status(&call_id) {
        Some(status) => http::json(
            StatusCode::OK,
            &Fetched {
                data: CallData {
                    call_id: &call_id,
                    status,
                },
            },
        ),
        None => call_not_found(),
    }
}

fn invalid(message: &str) -> Resp {
    http::error(StatusCode::BAD_REQUEST, "INVALID_REQUEST", message)
}
