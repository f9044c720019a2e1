//! `POST /v1/calls` (create a queued call, honouring Idempotency-Key), `GET /v1/calls/{id}`
//! and `DELETE /v1/calls/{id}` (API-CONTRACT §6). Create and delete share their checks and
//! effects with the webhook's `call.create` and `call.delete`.

use bytes::Bytes;
use hyper::header::{HeaderValue, AUTHORIZATION};
use hyper::http::request::Parts;
use hyper::StatusCode;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::auth::{SCOPE_CREATE, SCOPE_DELETE, SCOPE_READ, X_API_KEY};
use crate::http::{self, Resp};
use crate::limits::unix_now_ms;
use crate::routes::cancel::call_not_found;
use crate::routes::refused;
use crate::state::{
    iso8601_utc, valid_call_id, CallDetails, CallStatus, CreateResult, DeleteResult,
    IdempotencyClaim, NewCall, Source, StoredAnswer,
};

/// The longest Idempotency-Key accepted.
const MAX_IDEMPOTENCY_KEY: usize = 255;

#[derive(Serialize)]
struct CallData<'a> {
    call_id: &'a str,
    status: CallStatus,
    #[serde(flatten)]
    details: Option<&'a CallDetails>,
}

#[derive(Serialize)]
struct Wrapped<T> {
    data: T,
}

#[derive(Serialize)]
struct DeletedData<'a> {
    call_id: &'a str,
    deleted: bool,
}

pub fn create(app: &App, parts: &Parts, body: &Bytes) -> Resp {
    if let Some(denied) = refused(
        app.auth
            .check(parts.headers.get(AUTHORIZATION), SCOPE_CREATE),
        SCOPE_CREATE,
    ) {
        return denied;
    }
    let fields = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice::<Map<String, Value>>(body) {
            Ok(fields) => fields,
            Err(_) => return invalid("Body must be a JSON object."),
        }
    };
    let fingerprint = json!({"endpoint": "POST /v1/calls", "body": &fields});
    create_call(
        app,
        parts,
        &fields,
        fingerprint,
        Source::Rest,
        |call_id, details| StoredAnswer {
            status: StatusCode::CREATED,
            body: http::to_json_bytes(&Wrapped {
                data: CallData {
                    call_id,
                    status: CallStatus::Queued,
                    details: Some(details),
                },
            }),
        },
    )
}

/// Validates `fields`, then creates the call or answers from the Idempotency-Key's record.
/// `fingerprint` is what a repeated key is compared on (the endpoint and the parsed body);
/// `render` is the endpoint's answer for a new call, stored with the key for replays.
pub fn create_call(
    app: &App,
    parts: &Parts,
    fields: &Map<String, Value>,
    fingerprint: Value,
    source: Source,
    render: impl FnOnce(&str, &CallDetails) -> StoredAnswer,
) -> Resp {
    let checked = idempotency_key(parts).and_then(|key| Ok((key, new_call(fields, source)?)));
    let (key, new) = match checked {
        Ok(checked) => checked,
        Err(field_error) => return field_error.response(),
    };
    let claim = key.clone().map(|key| IdempotencyClaim { key, fingerprint });
    match app.calls.create(new, claim, app.elapsed_ms(), render) {
        CreateResult::Created { answer, .. } => {
            app.stats.count_created(key.as_deref());
            http::json_bytes(answer.status, answer.body)
        }
        CreateResult::Replayed(answer) => {
            app.stats.count_replay();
            let mut response = http::json_bytes(answer.status, answer.body);
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            response
        }
        CreateResult::KeyReused => {
            app.stats.count_key_reused();
            let key = key.unwrap_or_default();
            http::error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "IDEMPOTENCY_KEY_REUSED",
                &format!("Idempotency-Key {key} was already used with a different request body."),
            )
        }
        CreateResult::AlreadyExists => http::error(
            StatusCode::CONFLICT,
            "ALREADY_EXISTS",
            "A call with this call_id already exists.",
        ),
    }
}

/// A request field that fails validation, and why: a 422 VALIDATION_ERROR naming it.
#[derive(Debug)]
struct Invalid {
    field: &'static str,
    message: String,
}

impl Invalid {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }

    fn response(&self) -> Resp {
        http::validation_error(self.field, &self.message)
    }
}

/// The `Idempotency-Key` header: absent, or 1 to 255 visible ASCII characters (trimmed).
fn idempotency_key(parts: &Parts) -> Result<Option<String>, Invalid> {
    let Some(value) = parts.headers.get("idempotency-key") else {
        return Ok(None);
    };
    let fail = |why: &str| {
        Err(Invalid::new(
            "Idempotency-Key",
            format!("Idempotency-Key {why}."),
        ))
    };
    let Ok(text) = value.to_str() else {
        return fail("must be visible ASCII");
    };
    let key = text.trim();
    if key.is_empty() {
        return fail("must not be empty");
    }
    if key.len() > MAX_IDEMPOTENCY_KEY {
        return fail(&format!(
            "must be at most {MAX_IDEMPOTENCY_KEY} characters, got {}",
            key.len()
        ));
    }
    Ok(Some(key.to_string()))
}

/// The create fields of §6, checked in this order: `agent_id` (required, non-empty string),
/// `contact_number` (required, the +91 rule), `contact_name`, `contact_email` (strings),
/// `additional_info` (an object), and the sandbox's own optional `call_id`. `null` counts as
/// absent for the optional ones; other fields are ignored.
fn new_call(fields: &Map<String, Value>, source: Source) -> Result<NewCall, Invalid> {
    let agent_id = required_string(fields, "agent_id")?;
    if agent_id.trim().is_empty() {
        return Err(Invalid::new("agent_id", "agent_id must not be empty."));
    }
    let contact_number = normalise_phone(&required_string(fields, "contact_number")?)
        .map_err(|why| Invalid::new("contact_number", why))?;
    let contact_name = optional_string(fields, "contact_name")?;
    let contact_email = optional_string(fields, "contact_email")?;
    let additional_info = match fields.get("additional_info") {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => Some(map.clone()),
        Some(other) => {
            return Err(Invalid::new(
                "additional_info",
                format!(
                    "additional_info must be a JSON object of custom fields, got {}.",
                    kind(other)
                ),
            ))
        }
    };
    let call_id = optional_string(fields, "call_id")?;
    if call_id.as_deref().is_some_and(|id| !valid_call_id(id)) {
        return Err(Invalid::new(
            "call_id",
            "call_id must be 1 to 128 ASCII letters, digits, `_` or `-`.",
        ));
    }
    Ok(NewCall {
        call_id,
        details: CallDetails {
            agent_id,
            contact_number,
            contact_name,
            contact_email,
            additional_info,
            created_at: iso8601_utc(unix_now_ms()),
        },
        source,
    })
}

fn required_string(fields: &Map<String, Value>, name: &'static str) -> Result<String, Invalid> {
    match fields.get(name) {
        None | Some(Value::Null) => Err(Invalid::new(name, format!("{name} is required."))),
        Some(Value::String(text)) => Ok(text.clone()),
        Some(other) => Err(not_a_string(name, other)),
    }
}

fn optional_string(
    fields: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<String>, Invalid> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(not_a_string(name, other)),
    }
}

fn not_a_string(name: &'static str, value: &Value) -> Invalid {
    Invalid::new(
        name,
        format!("{name} must be a string, got {}.", kind(value)),
    )
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// API-CONTRACT §6: after removing spaces, dashes and parentheses, `+91` and 10 digits whose
/// first is 6-9. Returns that compact form, or why not (naming contact_number).
pub fn normalise_phone(raw: &str) -> Result<String, String> {
    let compact: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let Some(digits) = compact.strip_prefix("+91") else {
        return Err(
            "contact_number must start with +91 (only Indian numbers are supported), \
             then 10 digits."
                .into(),
        );
    };
    if let Some(bad) = digits.chars().find(|c| !c.is_ascii_digit()) {
        return Err(format!(
            "contact_number may contain only digits after +91 (spaces, dashes and \
             parentheses are ignored), found {bad:?}."
        ));
    }
    if digits.len() != 10 {
        return Err(format!(
            "contact_number must have exactly 10 digits after +91, got {}.",
            digits.len()
        ));
    }
    match digits.chars().next() {
        Some('6'..='9') => Ok(compact),
        first => Err(format!(
            "contact_number must start with 6, 7, 8 or 9 after +91, got {}.",
            first.unwrap_or('?')
        )),
    }
}

pub fn get(app: &App, parts: &Parts, raw_id: &str) -> Resp {
    if let Some(denied) = refused(
        app.auth.check(parts.headers.get(AUTHORIZATION), SCOPE_READ),
        SCOPE_READ,
    ) {
        return denied;
    }
    let Some(call_id) = http::percent_decode(raw_id) else {
        return call_not_found();
    };
    match app.calls.record(&call_id) {
        Some(record) => http::json(
            StatusCode::OK,
            &Wrapped {
                data: CallData {
                    call_id: &record.call_id,
                    status: record.status,
                    details: record.details.as_ref(),
                },
            },
        ),
        None => call_not_found(),
    }
}

/// `DELETE /v1/calls/{id}`: the key in `Authorization: Bearer` or `x-api-key` (or both,
/// the same key).
pub fn delete(app: &App, parts: &Parts, raw_id: &str) -> Resp {
    let check = app.auth.check_bearer_or_x_api_key(
        parts.headers.get(AUTHORIZATION),
        parts.headers.get(X_API_KEY),
        SCOPE_DELETE,
    );
    if let Some(denied) = refused(check, SCOPE_DELETE) {
        return denied;
    }
    let Some(call_id) = http::percent_decode(raw_id) else {
        return call_not_found();
    };
    match delete_outcome(app, &call_id) {
        None => http::json(
            StatusCode::OK,
            &Wrapped {
                data: DeletedData {
                    call_id: &call_id,
                    deleted: true,
                },
            },
        ),
        Some(refusal) => refusal,
    }
}

/// Erases an ended call (None), else the 409 CALL_NOT_ENDED or 404 NOT_FOUND answer.
pub fn delete_outcome(app: &App, call_id: &str) -> Option<Resp> {
    match app.calls.delete(call_id) {
        DeleteResult::Deleted => {
            app.stats.count_deleted();
            None
        }
        DeleteResult::NotEnded(status) => Some(http::error_with(
            StatusCode::CONFLICT,
            "CALL_NOT_ENDED",
            &format!(
                "Call {call_id} is {}; only ended calls can be deleted.",
                status.as_str()
            ),
            Some(status.as_str()),
            None,
        )),
        DeleteResult::NotFound => Some(call_not_found()),
    }
}

fn invalid(message: &str) -> Resp {
    http::error(StatusCode::BAD_REQUEST, "INVALID_REQUEST", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_rule() {
        for (raw, normal) in [
            ("+919876543210", "+919876543210"),
            ("+91 98765 43210", "+919876543210"),
            ("+91-(987)-654-3210", "+919876543210"),
            ("(+91) 6000000000", "+916000000000"),
        ] {
            assert_eq!(normalise_phone(raw).as_deref(), Ok(normal), "{raw}");
        }
        for (raw, why) in [
            ("9876543210", "start with +91"),
            ("+1 555 0100", "start with +91"),
            ("+91 98765 4321", "exactly 10 digits"),
            ("+91 98765 432100", "exactly 10 digits"),
            ("+91 5876543210", "6, 7, 8 or 9"),
            ("+91.9876543210", "only digits"),
            ("+91 98765\t43210", "only digits"),
            ("", "start with +91"),
        ] {
            let err = normalise_phone(raw).expect_err(raw);
            assert!(
                err.contains(why) && err.contains("contact_number"),
                "{raw}: {err}"
            );
        }
    }
}
