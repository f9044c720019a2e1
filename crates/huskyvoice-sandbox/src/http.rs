//! Response helpers and the error body shape of API-CONTRACT §4.

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{HeaderMap, Response, StatusCode};
use serde::Serialize;

pub type Resp = Response<Full<Bytes>>;

/// Returned by a handler to close the connection without any response (fault `drop`).
#[derive(Debug)]
pub struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for Dropped {}

const JSON: HeaderValue = HeaderValue::from_static("application/json");

pub fn raw(status: StatusCode, headers: HeaderMap, body: Bytes) -> Resp {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

pub fn bytes(status: StatusCode, content_type: HeaderValue, body: impl Into<Bytes>) -> Resp {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    response
}

pub fn json(status: StatusCode, body: &impl Serialize) -> Resp {
    // Our own types always serialise; the fallback only keeps this path panic-free.
    let body = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    bytes(status, JSON, body)
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    success: bool,
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    required_scope: Option<&'a str>,
    /// The request field a 422 VALIDATION_ERROR is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

/// `{"success": false, "error": {"code": ..., "message": ...}}`
pub fn error(status: StatusCode, code: &str, message: &str) -> Resp {
    error_with(status, code, message, None, None)
}

pub fn error_with(
    status: StatusCode,
    code: &str,
    message: &str,
    call_status: Option<&str>,
    required_scope: Option<&str>,
) -> Resp {
    json(
        status,
        &ErrorBody {
            success: false,
            error: ErrorDetail {
                code,
                message,
                status: call_status,
                required_scope,
                field: None,
            },
        },
    )
}

/// 422 `{"success": false, "error": {"code": "VALIDATION_ERROR", "message", "field"}}`.
pub fn validation_error(field: &str, message: &str) -> Resp {
    json(
        StatusCode::UNPROCESSABLE_ENTITY,
        &ErrorBody {
            success: false,
            error: ErrorDetail {
                code: "VALIDATION_ERROR",
                message,
                status: None,
                required_scope: None,
                field: Some(field),
            },
        },
    )
}

/// A JSON answer rendered ahead of time (an idempotent create's stored answer).
pub fn json_bytes(status: StatusCode, body: Bytes) -> Resp {
    bytes(status, JSON, body)
}

/// The bytes `json` would send, for answers that are stored as well as sent.
pub fn to_json_bytes(body: &impl Serialize) -> Bytes {
    Bytes::from(serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec()))
}

pub fn method_not_allowed(allow: &'static str) -> Resp {
    let mut response = error(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "Method not allowed on this path.",
    );
    response
        .headers_mut()
        .insert(hyper::header::ALLOW, HeaderValue::from_static(allow));
    response
}

pub fn not_found_path() -> Resp {
    error(StatusCode::NOT_FOUND, "NOT_FOUND", "No such endpoint.")
}

/// Request bodies larger than this get 413: nothing the API takes is anywhere near it.
const MAX_BODY: usize = 1 << 20;

/// Reads the whole body, or the response to send instead (413 too large, 400 broken).
pub async fn read_body(body: Incoming) -> Result<Bytes, Resp> {
    match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.is::<LengthLimitError>() => Err(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            "Request body is larger than 1 MiB.",
        )),
        Err(_) => Err(error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "Could not read the request body.",
        )),
    }
}

pub fn unauthorized(message: &str) -> Resp {
    let mut response = error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", message);
    response.headers_mut().insert(
        hyper::header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer"),
    );
    response
}

pub fn forbidden(scope: &str) -> Resp {
    error_with(
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
        &format!("This API key lacks the scope {scope}."),
        None,
        Some(scope),
    )
}

/// Decodes one percent-encoded path segment; None if it is not valid UTF-8 afterwards.
pub fn percent_decode(segment: &str) -> Option<String> {
    if !segment.contains('%') {
        return Some(segment.to_string());
    }
    let raw = segment.as_bytes();
    let hex = |at: usize| raw.get(at).and_then(|&b| (b as char).to_digit(16));
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' {
            if let (Some(high), Some(low)) = (hex(i + 1), hex(i + 2)) {
                out.push((high * 16 + low) as u8);
                i += 3;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("call_a").as_deref(), Some("call_a"));
        assert_eq!(percent_decode("a%2Fb").as_deref(), Some("a/b"));
        assert_eq!(percent_decode("a%zz").as_deref(), Some("a%zz"));
        assert_eq!(percent_decode("%ff"), None);
    }
}
