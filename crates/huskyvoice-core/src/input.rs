//! Loosely typed inputs as JavaScript sends them, turned into typed options with messages
//! that say which field is wrong. JS callers (and n8n expressions) can hand over numbers,
//! `null` or objects where text belongs; those become errors here, never panics.

use crate::error::{number_text, CoreError, ErrorCode};
use crate::interpret::{CancelResponse, TransportError};
use crate::json::Json;
use crate::request::{CancelOptions, Via};
use std::borrow::Cow;

/// Any JSON-like value, keeping only what error messages need.
#[derive(Debug, Clone, PartialEq)]
pub enum Loose<'a> {
    Str(Cow<'a, str>),
    Num(f64),
    Bool(bool),
    Null,
    Array,
    Object,
}

impl Loose<'_> {
    /// What a wrong value was, for messages ("the number 42", "null").
    pub fn describe(&self) -> String {
        match self {
            Loose::Str(_) => "text".to_string(),
            Loose::Num(n) => format!("the number {}", number_text(*n)),
            Loose::Bool(b) => format!("the boolean {b}"),
            Loose::Null => "null".to_string(),
            Loose::Array => "a list".to_string(),
            Loose::Object => "an object".to_string(),
        }
    }
}

impl<'a> Loose<'a> {
    /// Reads a parsed JSON value, borrowing its text. Nested values are only classified.
    pub fn from_json(v: &'a Json<'_>) -> Loose<'a> {
        match v {
            Json::Str(s) => Loose::Str(Cow::Borrowed(s)),
            Json::Num(n) => Loose::Num(*n),
            Json::Bool(b) => Loose::Bool(*b),
            Json::Null => Loose::Null,
            Json::Arr(_) => Loose::Array,
            Json::Obj(_) => Loose::Object,
        }
    }
}

/// `obj[key]` as a loose value; `None` when absent or null.
fn field<'a>(obj: &'a Json<'_>, key: &str) -> Option<Loose<'a>> {
    match obj.get(key).map(Loose::from_json) {
        None | Some(Loose::Null) => None,
        other => other,
    }
}

fn text<'a>(
    field: &str,
    v: &'a Option<Loose<'_>>,
    code: ErrorCode,
    hint: &str,
) -> Result<Option<&'a str>, CoreError> {
    match v {
        None | Some(Loose::Null) => Ok(None),
        Some(Loose::Str(s)) => Ok(Some(s)),
        Some(other) => Err(CoreError::new(
            code,
            format!("{field} must be text, but got {}. {hint}", other.describe()),
        )),
    }
}

/// The options object of `buildCancelRequest`.
#[derive(Debug, Default)]
pub struct CancelOptionsInput<'a> {
    pub via: Option<Loose<'a>>,
    pub call_id: Option<Loose<'a>>,
    pub base_url: Option<Loose<'a>>,
    pub api_key: Option<Loose<'a>>,
    pub webhook: Option<Loose<'a>>,
    pub redact: Option<Loose<'a>>,
}

impl<'a> CancelOptionsInput<'a> {
    pub fn from_json(v: &'a Json<'_>) -> CancelOptionsInput<'a> {
        CancelOptionsInput {
            via: field(v, "via"),
            call_id: field(v, "callId"),
            base_url: field(v, "baseUrl"),
            api_key: field(v, "apiKey"),
            webhook: field(v, "webhook"),
            redact: field(v, "redact"),
        }
    }

    pub fn to_options(&self) -> Result<CancelOptions<'_>, CoreError> {
        let via = match &self.via {
            Some(Loose::Str(s)) => Some(Via::parse(s).ok_or_else(|| {
                CoreError::new(
                    ErrorCode::InvalidOptions,
                    format!("Option \"via\" is \"{}\"; use \"rest\" (API key) or \"webhook\" (inbound webhook).", s.chars().take(40).collect::<String>()),
                )
            })?),
            None | Some(Loose::Null) => None,
            Some(other) => {
                return Err(CoreError::new(
                    ErrorCode::InvalidOptions,
                    format!("Option \"via\" must be \"rest\" or \"webhook\", but got {}.", other.describe()),
                ))
            }
        };
        let call_id = match &self.call_id {
            Some(Loose::Str(s)) => s.as_ref(),
            None | Some(Loose::Null) => {
                return Err(CoreError::new(
                    ErrorCode::InvalidCallId,
                    "Call ID is missing (null or not set). Map the field that holds the HuskyVoice call id, e.g. {{ $json.call_id }}.",
                ))
            }
            Some(other) => {
                return Err(CoreError::new(
                    ErrorCode::InvalidCallId,
                    format!("Call ID must be text, but got {}. HuskyVoice call ids look like call_abc_123; if yours arrive as numbers, convert them with String().", other.describe()),
                ))
            }
        };
        let redact = match &self.redact {
            None | Some(Loose::Null) => false,
            Some(Loose::Bool(b)) => *b,
            Some(other) => {
                return Err(CoreError::new(
                    ErrorCode::InvalidOptions,
                    format!(
                        "Option \"redact\" must be true or false, but got {}.",
                        other.describe()
                    ),
                ))
            }
        };
        Ok(CancelOptions {
            via,
            call_id,
            base_url: text(
                "Base URL",
                &self.base_url,
                ErrorCode::InvalidBaseUrl,
                "Give a URL such as https://api.huskyvoice.ai.",
            )?,
            api_key: text(
                "API key",
                &self.api_key,
                ErrorCode::InvalidOptions,
                "Paste the key from HuskyVoice.",
            )?,
            webhook: text(
                "Webhook",
                &self.webhook,
                ErrorCode::InvalidWebhook,
                "Paste the inbound webhook URL or its token.",
            )?,
            redact,
        })
    }
}

/// The `Retry-After` header out of a response's headers, if present.
#[derive(Debug, Default)]
pub struct RetryAfterHeader<'a>(pub Option<Cow<'a, str>>);

impl<'a> RetryAfterHeader<'a> {
    /// Header names are case-insensitive; n8n and Node give a value as text, a number or a
    /// list whose first entry counts.
    pub fn from_json(headers: Option<&'a Json<'_>>) -> RetryAfterHeader<'a> {
        let Some(Json::Obj(map)) = headers else {
            return RetryAfterHeader(None);
        };
        let value = map
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
            .map(|(_, v)| v);
        let first = match value {
            Some(Json::Arr(list)) => list.first(),
            other => other,
        };
        RetryAfterHeader(match first {
            Some(Json::Str(s)) => Some(Cow::Borrowed(s)),
            Some(Json::Num(n)) if n.fract() == 0.0 && (0.0..1.8e19).contains(n) => {
                let mut text = String::new();
                crate::json::write_u64(&mut text, *n as u64);
                Some(Cow::Owned(text))
            }
            _ => None,
        })
    }
}

/// The object given to `interpretCancelResponse`.
#[derive(Debug, Default)]
pub struct CancelResponseInput<'a> {
    pub via: Option<Loose<'a>>,
    pub call_id: Option<Loose<'a>>,
    pub status_code: Option<Loose<'a>>,
    pub headers: RetryAfterHeader<'a>,
    pub body: Option<Loose<'a>>,
    pub transport_error: Option<Loose<'a>>,
    pub now_ms: Option<f64>,
    pub secrets: Vec<String>,
}

impl<'a> CancelResponseInput<'a> {
    pub fn from_json(v: &'a Json<'_>) -> Result<CancelResponseInput<'a>, CoreError> {
        let secrets = match v.get("secrets") {
            None | Some(Json::Null) => Vec::new(),
            Some(Json::Arr(list)) => list
                .iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect(),
            Some(_) => {
                return Err(CoreError::new(
                    ErrorCode::InvalidOptions,
                    "interpretCancelResponse: \"secrets\" must be an array of strings.",
                ))
            }
        };
        Ok(CancelResponseInput {
            via: field(v, "via"),
            call_id: field(v, "callId"),
            status_code: field(v, "statusCode"),
            headers: RetryAfterHeader::from_json(v.get("headers")),
            body: field(v, "body"),
            transport_error: field(v, "transportError"),
            now_ms: v.get("nowMs").and_then(Json::as_f64),
            secrets,
        })
    }

    /// `now_ms` is the caller's clock, used when `nowMs` is not given.
    pub fn to_response(&self, now_ms: f64) -> Result<CancelResponse<'_>, CoreError> {
        let bad = |m: String| CoreError::new(ErrorCode::InvalidOptions, m);
        let via = match &self.via {
            Some(Loose::Str(s)) => Via::parse(s),
            _ => None,
        }
        .ok_or_else(|| bad("interpretCancelResponse: \"via\" must be \"rest\" or \"webhook\" (the transport the request used).".to_string()))?;
        let call_id =
            match &self.call_id {
                Some(Loose::Str(s)) => s.as_ref(),
                _ => return Err(bad(
                    "interpretCancelResponse: \"callId\" must be the call id the request was for."
                        .to_string(),
                )),
            };
        let status_code = match &self.status_code {
            None | Some(Loose::Null) => None,
            Some(Loose::Num(n)) if *n == 0.0 => None,
            Some(Loose::Num(n)) if n.fract() == 0.0 && (100.0..=599.0).contains(n) => {
                Some(*n as u16)
            }
            Some(other) => {
                let shown = match other {
                    Loose::Num(n) => number_text(*n),
                    o => o.describe(),
                };
                return Err(bad(format!("interpretCancelResponse: \"statusCode\" must be an HTTP status from 100 to 599 (or 0/null when no response arrived); got {shown}.")));
            }
        };
        let transport_error = match &self.transport_error {
            None | Some(Loose::Null) => None,
            Some(Loose::Str(s)) if s.eq_ignore_ascii_case("timeout") => {
                Some(TransportError::Timeout)
            }
            Some(_) => Some(TransportError::Connection),
        };
        if status_code.is_none() && transport_error.is_none() {
            return Err(bad("interpretCancelResponse: give \"statusCode\" for a response, or \"transportError\" (\"timeout\" or \"connection\") when none arrived.".to_string()));
        }
        let body = match &self.body {
            None | Some(Loose::Null) => "",
            Some(Loose::Str(s)) => s.as_ref(),
            Some(other) => return Err(bad(format!("interpretCancelResponse: \"body\" must be the raw response text; got {}. Read the response as text, not parsed JSON.", other.describe()))),
        };
        Ok(CancelResponse {
            via,
            call_id,
            status_code,
            transport_error,
            retry_after: self.headers.0.as_deref(),
            body,
            now_ms: self.now_ms.unwrap_or(now_ms),
            secrets: &self.secrets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(json: &str) -> Result<(), CoreError> {
        let parsed = Json::parse(json).unwrap();
        let input = CancelOptionsInput::from_json(&parsed);
        input
            .to_options()
            .and_then(|o| crate::build_cancel_request(&o))
            .map(|_| ())
    }

    #[test]
    fn non_text_call_ids_are_named() {
        let e = opts(r#"{"via":"rest","callId":42}"#).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidCallId);
        assert!(e.message.contains("the number 42"), "{}", e.message);
        let e = opts(r#"{"via":"rest","callId":null}"#).unwrap_err();
        assert!(e.message.contains("missing"), "{}", e.message);
        assert!(opts(r#"{"via":"rest","callId":{"a":1}}"#)
            .unwrap_err()
            .message
            .contains("an object"));
        assert!(opts(r#"{"via":"rest","callId":"ok_1"}"#).is_ok());
    }

    #[test]
    fn via_and_field_types_checked() {
        assert!(opts(r#"{"via":"sms","callId":"a"}"#)
            .unwrap_err()
            .message
            .contains("\"sms\""));
        assert_eq!(
            opts(r#"{"via":"rest","callId":"a","baseUrl":5}"#)
                .unwrap_err()
                .code,
            ErrorCode::InvalidBaseUrl
        );
        assert_eq!(
            opts(r#"{"via":"webhook","callId":"a","webhook":true}"#)
                .unwrap_err()
                .code,
            ErrorCode::InvalidWebhook
        );
        assert_eq!(
            opts(r#"{"via":"rest","callId":"a","redact":"yes"}"#)
                .unwrap_err()
                .code,
            ErrorCode::InvalidOptions
        );
    }

    #[test]
    fn response_input_reads_retry_after_case_insensitively() {
        let parsed = Json::parse(
            r#"{"via":"rest","callId":"c","statusCode":429,"headers":{"content-type":"x","Retry-After":["3"]},"body":""}"#,
        ).unwrap();
        let input = CancelResponseInput::from_json(&parsed).unwrap();
        let r = crate::interpret_cancel_response(&input.to_response(0.0).unwrap());
        assert_eq!(r.retry_after_ms, Some(3000));
    }

    #[test]
    fn response_input_rejects_bad_fields() {
        for json in [
            r#"{"via":"x","callId":"c","statusCode":200}"#,
            r#"{"via":"rest","statusCode":200}"#,
            r#"{"via":"rest","callId":"c","statusCode":99}"#,
            r#"{"via":"rest","callId":"c","statusCode":200.5}"#,
            r#"{"via":"rest","callId":"c"}"#,
            r#"{"via":"rest","callId":"c","statusCode":200,"body":{"status":"cancelled"}}"#,
        ] {
            let parsed = Json::parse(json).unwrap();
            let input = CancelResponseInput::from_json(&parsed).unwrap();
            assert_eq!(
                input.to_response(0.0).unwrap_err().code,
                ErrorCode::InvalidOptions,
                "{json}"
            );
        }
    }
}
