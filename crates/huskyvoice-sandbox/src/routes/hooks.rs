//! `POST /v1/hooks/{token}`: the inbound webhook. The token in the URL is the only
//! credential, so it is never echoed in any answer.

use bytes::Bytes;
use hyper::StatusCode;
use serde_json::Value;

use crate::app::App;
use crate::http::{self, Resp};
use crate::routes::cancel;

pub fn handle(app: &App, raw_token: &str, body: &Bytes) -> Resp {
    let known = http::percent_decode(raw_token).is_some_and(|token| app.auth.token_ok(&token));
    if !known {
        return http::unauthorized("Invalid webhook token.");
    }
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return invalid("INVALID_REQUEST", "Body must be a JSON object.");
    };
    match request.get("action").and_then(Value::as_str) {
        Some("call.cancel") => {}
        Some(_) => return invalid("UNKNOWN_ACTION", "Unknown action; supported: call.cancel."),
        None => return invalid("INVALID_REQUEST", "Missing \"action\"."),
    }
    match request
        .get("data")
        .and_then(|data| data.get("call_id"))
        .and_then(Value::as_str)
    {
        Some(call_id) => cancel::outcome(app, call_id),
        None => invalid("INVALID_REQUEST", "Missing \"data.call_id\"."),
    }
}

fn invalid(code: &str, message: &str) -> Resp {
    http::error(StatusCode::BAD_REQUEST, code, message)
}
