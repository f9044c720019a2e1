//! Loosely typed inputs as JavaScript sends them, turned into typed options with messages
//! that say which field is wrong. JS callers (and n8n expressions) can hand over numbers,
//! `null` or objects where text belongs; those become errors here, never panics.

use crate::error::{number_text, CoreError, ErrorCode};
use crate::interpret::{CancelResponse, TransportError};
use crate::request::{CancelOptions, Via};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// Any JSON-like value, keeping only what error messages need.
#[derive(Debug, Clone, PartialEq)]
pub enum Loose {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Array,
    Object,
}

impl Loose {
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

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Loose;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Loose, E> {
                Ok(Loose::Str(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Loose, E> {
                Ok(Loose::Str(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Loose, E> {
                Ok(Loose::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Loose, E> {
                Ok(Loose::Num(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Loose, E> {
                Ok(Loose::Num(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Loose, E> {
                Ok(Loose::Num(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Loose, E> {
                Ok(Loose::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Loose, E> {
                Ok(Loose::Null)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Loose, D2::Error> {
                Loose::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Loose, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Loose::Array)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Loose, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Loose::Object)
            }
        }
        d.deserialize_any(V)
    }
}

fn text<'a>(
    field: &str,
    v: &'a Option<Loose>,
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
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelOptionsInput {
    pub via: Option<Loose>,
    pub call_id: Option<Loose>,
    pub base_url: Option<Loose>,
    pub api_key: Option<Loose>,
    pub webhook: Option<Loose>,
    pub redact: Option<Loose>,
}

impl CancelOptionsInput {
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
            Some(Loose::Str(s)) => s.as_str(),
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

/// Keeps only the `Retry-After` header out of a response's header object; header names are
/// case-insensitive and n8n may give a value as a list.
#[derive(Debug, Default)]
pub struct RetryAfterHeader(pub Option<String>);

impl<'de> Deserialize<'de> for RetryAfterHeader {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RetryAfterHeader;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of response headers")
            }
            fn visit_unit<E: de::Error>(self) -> Result<RetryAfterHeader, E> {
                Ok(RetryAfterHeader(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<RetryAfterHeader, E> {
                Ok(RetryAfterHeader(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<RetryAfterHeader, A::Error> {
                let mut found = None;
                while let Some(key) = a.next_key::<String>()? {
                    if key.eq_ignore_ascii_case("retry-after") {
                        found = a.next_value::<HeaderValue>()?.0;
                    } else {
                        a.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(RetryAfterHeader(found))
            }
        }
        d.deserialize_any(V)
    }
}

/// A header value: text, a number, or a list whose first entry counts.
struct HeaderValue(Option<String>);

impl<'de> Deserialize<'de> for HeaderValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = HeaderValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a header value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<HeaderValue, E> {
                Ok(HeaderValue(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<HeaderValue, E> {
                let ok = n.is_finite() && n >= 0.0;
                Ok(HeaderValue(ok.then(|| (n.trunc() as u64).to_string())))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<HeaderValue, E> {
                Ok(HeaderValue(Some(n.to_string())))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<HeaderValue, E> {
                Ok(HeaderValue((n >= 0).then(|| n.to_string())))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<HeaderValue, A::Error> {
                let first = a.next_element::<HeaderValue>()?.and_then(|h| h.0);
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(HeaderValue(first))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<HeaderValue, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(HeaderValue(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<HeaderValue, E> {
                Ok(HeaderValue(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<HeaderValue, E> {
                Ok(HeaderValue(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<HeaderValue, E> {
                Ok(HeaderValue(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// The object given to `interpretCancelResponse`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelResponseInput {
    pub via: Option<Loose>,
    pub call_id: Option<Loose>,
    pub status_code: Option<Loose>,
    #[serde(default)]
    pub headers: RetryAfterHeader,
    pub body: Option<Loose>,
    pub transport_error: Option<Loose>,
    pub now_ms: Option<f64>,
    #[serde(default)]
    pub secrets: Vec<String>,
}

impl CancelResponseInput {
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
                Some(Loose::Str(s)) => s.as_str(),
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
            Some(Loose::Str(s)) => s.as_str(),
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
        let input: CancelOptionsInput = serde_json::from_str(json).unwrap();
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
        let input: CancelResponseInput = serde_json::from_str(
            r#"{"via":"rest","callId":"c","statusCode":429,"headers":{"content-type":"x","Retry-After":["3"]},"body":""}"#,
        ).unwrap();
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
            let input: CancelResponseInput = serde_json::from_str(json).unwrap();
            assert_eq!(
                input.to_response(0.0).unwrap_err().code,
                ErrorCode::InvalidOptions,
                "{json}"
            );
        }
    }
}
