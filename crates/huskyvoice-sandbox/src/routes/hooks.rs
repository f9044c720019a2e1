//! `POST /v1/hooks/{token}`: the inbound webhook, actions `call.create`, `call.cancel` and
//! `call.delete`. The token in the URL is the only credential, so it is never echoed in any
//! answer.

use bytes::Bytes;
use hyper::http::request::Parts;
use hyper::StatusCode;
use serde::Serialize;
use serde_json::{json, Value};

use crate::app::App;
use crate::http::{self, Resp};
use crate::routes::{calls, cancel};
use crate::state::{Source, StoredAnswer};

#[derive(Serialize)]
struct Queued<'a> {
    success: bool,
    call_id: &'a str,
    status: &'static str,
    message: &'static str,
}

#[derive(Serialize)]
struct Deleted<'a> {
    success: bool,
    call_id: &'a str,
    deleted: bool,
    message: &'static str,
}

pub fn handle(app: &App, parts: &Parts, raw_token: &str, body: &Bytes) -> Resp {
    let known = http::percent_decode(raw_token).is_some_and(|token| app.auth.token_ok(&token));
    if !known {
        return http::unauthorized("Invalid webhook token.");
    }
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return invalid("INVALID_REQUEST", "Body must be a JSON object.");
    };
    let action = match request.get("action").and_then(Value::as_str) {
        Some(action @ ("call.create" | "call.cancel" | "call.delete")) => action,
        Some(_) => {
            return invalid(
                "UNKNOWN_ACTION",
                "Unknown action; supported: call.create, call.cancel, call.delete.",
            )
        }
        None => return invalid("INVALID_REQUEST", "Missing \"action\"."),
    };
    if action == "call.create" {
        let Some(fields) = request.get("data").and_then(Value::as_object) else {
            return invalid("INVALID_REQUEST", "Missing \"data\" object.");
        };
        let fingerprint = json!({"endpoint": "call.create", "body": &request});
        return calls::create_call(
            app,
            parts,
            fields,
            fingerprint,
            Source::Webhook,
            |call_id, _| StoredAnswer {
                status: StatusCode::OK,
                body: http::to_json_bytes(&Queued {
                    success: true,
                    call_id,
                    status: "queued",
                    message: "Call has been queued.",
                }),
            },
        );
    }
    let Some(call_id) = request
        .get("data")
        .and_then(|data| data.get("call_id"))
        .and_then(Value::as_str)
    else {
        return invalid("INVALID_REQUEST", "Missing \"data.call_id\".");
    };
    if action == "call.cancel" {
        return cancel::outcome(app, call_id);
    }
    match calls::delete_outcome(app, call_id) {
        None => http::json(
            StatusCode::OK,
            &Deleted {
                success: true,
                call_id,
                deleted: true,
                message: "Call data has been deleted.",
            },
        ),
        Some(refusal) => refusal,
    }
}

fn invalid(code: &str, message: &str) -> Resp {
    http::error(StatusCode::BAD_REQUEST, code, message)
}
