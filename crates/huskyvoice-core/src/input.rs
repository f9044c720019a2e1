//! Loosely typed inputs as JavaScript sends them, turned into typed options with messages
//! that say which field is wrong. serde_json reads the JSON text the wasm binding hands over
//! into one [`Loose`] tree; each input struct takes its fields from it, so a wrong type
//! becomes a precise error here, never a deserializer's generic one and never a panic.

use crate::error::{number_text, CoreError, ErrorCode};
use crate::interpret::{CancelResponse, TransportError};
use crate::loose::present;
pub use crate::loose::Loose;
use crate::request::{CancelOptions, Via};
use std::borrow::Cow;

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
    /// The fields of an options object (`None` when `v` is not an object).
    pub fn from_loose(v: &Loose<'a>) -> Option<Self> {
        v.is_object().then(|| CancelOptionsInput {
            via: v.field("via"),
            call_id: v.field("callId"),
            base_url: v.field("baseUrl"),
            api_key: v.field("apiKey"),
            webhook: v.field("webhook"),
            redact: v.field("redact"),
        })
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
                    "Call ID is missing (null or not set) for this item, so there is no call id to cancel. Check that the field Call ID reads (e.g. {{ $json.call_id }}) exists on the item.",
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

/// The `Retry-After` header out of a response's headers object. Header names are
/// case-insensitive; n8n and Node give a value as text, a number or a list whose first entry
/// counts.
#[derive(Debug, Default)]
pub struct RetryAfterHeader<'a>(pub Option<Cow<'a, str>>);

impl<'a> RetryAfterHeader<'a> {
    /// `None` when `headers` is present but not an object.
    pub fn from_loose(headers: &Loose<'a>) -> Option<Self> {
        let Loose::Object(members) = headers else {
            return matches!(headers, Loose::Null).then(RetryAfterHeader::default);
        };
        let value = members
            .iter()
            .rev()
            .find(|(name, _)| name.eq_ignore_ascii_case("retry-after"))
            .map(|(_, v)| v.clone());
        let first = match value {
            Some(Loose::Array(items)) => items.into_iter().next(),
            other => other,
        };
        Some(RetryAfterHeader(first.and_then(header_text)))
    }
}

fn header_text(v: Loose<'_>) -> Option<Cow<'_, str>> {
    match v {
        Loose::Str(s) => Some(s),
        // Whole, non-negative numbers only: the integer type prints without float formatting.
        Loose::Num(n) if n.fract() == 0.0 && (0.0..1.8e19).contains(&n) => {
            Some(Cow::Owned((n as u64).to_string()))
        }
        _ => None,
    }
}

/// The object given to `interpretCancelResponse`.
#[derive(Debug, Default)]
pub struct CancelResponseInput<'a> {
    pub via: Option<Loose<'a>>,
    pub call_id: Option<Loose<'a>>,
    pub status_code: Option<Loose<'a>>,
    /// `None` when the `headers` field was there but not an object.
    pub headers: Option<RetryAfterHeader<'a>>,
    pub body: Option<Loose<'a>>,
    pub transport_error: Option<Loose<'a>>,
    pub error_code: Option<Loose<'a>>,
    pub now_ms: Option<Loose<'a>>,
    pub secrets: Option<Loose<'a>>,
}

impl<'a> CancelResponseInput<'a> {
    /// The fields of a response object (`None` when `v` is not an object).
    pub fn from_loose(v: &Loose<'a>) -> Option<Self> {
        v.is_object().then(|| CancelResponseInput {
            via: v.field("via"),
            call_id: v.field("callId"),
            status_code: v.field("statusCode"),
            headers: match v.get("headers") {
                None => Some(RetryAfterHeader::default()),
                Some(h) => RetryAfterHeader::from_loose(h),
            },
            body: v.field("body"),
            transport_error: v.field("transportError"),
            error_code: v.field("errorCode"),
            now_ms: v.field("nowMs"),
            secrets: v.field("secrets"),
        })
    }

    /// The values to redact (`secrets`): a list whose string entries count.
    pub fn secret_list(&self) -> Result<Vec<String>, CoreError> {
        match present(&self.secrets) {
            None => Ok(Vec::new()),
            Some(Loose::Array(items)) => Ok(items
                .iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()),
            Some(_) => Err(CoreError::new(
                ErrorCode::InvalidOptions,
                "interpretCancelResponse: \"secrets\" must be an array of strings.",
            )),
        }
    }

    /// `now_ms` is the caller's clock, used when `nowMs` is not given; `secrets` come from
    /// [`Self::secret_list`].
    pub fn to_response<'s>(
        &'s self,
        now_ms: f64,
        secrets: &'s [String],
    ) -> Result<CancelResponse<'s>, CoreError> {
        let bad = |m: String| CoreError::new(ErrorCode::InvalidOptions, m);
        let Some(headers) = &self.headers else {
            return Err(bad("interpretCancelResponse: \"headers\" must be an object of response headers (or left out).".to_string()));
        };
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
            transport_code: present(&self.error_code).and_then(Loose::as_str),
            retry_after: headers.0.as_deref(),
            body,
            now_ms: present(&self.now_ms)
                .and_then(Loose::as_f64)
                .unwrap_or(now_ms),
            secrets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(json: &str) -> Result<(), CoreError> {
        let tree: Loose<'_> = serde_json::from_str(json).unwrap();
        let input = CancelOptionsInput::from_loose(&tree).unwrap();
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
        for headers in [
            r#"{"content-type":"x","Retry-After":["3"]}"#,
            r#"{"retry-after":"3"}"#,
            r#"{"RETRY-AFTER":3}"#,
        ] {
            let json = format!(
                r#"{{"via":"rest","callId":"c","statusCode":429,"headers":{headers},"body":""}}"#
            );
            let tree: Loose<'_> = serde_json::from_str(&json).unwrap();
            let input = CancelResponseInput::from_loose(&tree).unwrap();
            let r = crate::interpret_cancel_response(&input.to_response(0.0, &[]).unwrap());
            assert_eq!(r.retry_after_ms, Some(3000), "{headers}");
        }
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
            let tree: Loose<'_> = serde_json::from_str(json).unwrap();
            let input = CancelResponseInput::from_loose(&tree).unwrap();
            assert_eq!(
                input.to_response(0.0, &[]).unwrap_err().code,
                ErrorCode::InvalidOptions,
                "{json}"
            );
        }
    }
}

#[cfg(test)]
mod secret_tests {
    use super::*;

    #[test]
    fn secrets_must_be_a_list() {
        let input = response(r#"{"secrets":["a",1,"b"]}"#);
        assert_eq!(input.secret_list().unwrap(), vec!["a", "b"]);
        let input = response(r#"{"secrets":"a"}"#);
        assert_eq!(
            input.secret_list().unwrap_err().code,
            ErrorCode::InvalidOptions
        );
    }

    fn response(json: &str) -> CancelResponseInput<'_> {
        let tree: Loose<'_> = serde_json::from_str(json).unwrap();
        CancelResponseInput::from_loose(&tree).unwrap()
    }

    #[test]
    fn headers_that_are_not_an_object_are_refused() {
        let bad = response(r#"{"via":"rest","callId":"c","statusCode":200,"headers":"x"}"#);
        assert!(bad
            .to_response(0.0, &[])
            .unwrap_err()
            .message
            .contains("headers"));
        let ok = response(r#"{"via":"rest","callId":"c","statusCode":200,"headers":null}"#);
        assert!(ok.to_response(0.0, &[]).is_ok());
    }
}
