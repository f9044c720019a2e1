//! Many items in one call, as JSON text: the whole list arrives as one `JSON.stringify`
//! string and leaves as one string for `JSON.parse`, so a batch of 100,000 items costs two
//! boundary crossings in WebAssembly instead of several per item (see the wasm crate's
//! `convert.rs` for the measured difference). serde_json reads the list element by element
//! into borrowed views, and writes each result straight into the output.

use crate::error::{json_reason, CoreError, ErrorCode};
use crate::input::{CancelOptionsInput, CancelResponseInput};
use crate::interpret::interpret_cancel_response;
use crate::request::{CancelRequest, RequestBuilder};
use serde::Serialize;
use serde_json::value::RawValue;

fn bad(context: &str, what: impl std::fmt::Display) -> CoreError {
    CoreError::new(ErrorCode::InvalidOptions, format!("{context}: {what}"))
}

/// The elements of a JSON array, each still as its own text.
fn elements<'a>(text: &'a str, context: &str) -> Result<Vec<&'a RawValue>, CoreError> {
    serde_json::from_str(text).map_err(|_| bad(context, "expects an array"))
}

fn is_object(raw: &RawValue) -> bool {
    raw.get().starts_with('{')
}

/// One element of `buildCancelRequests`'s answer.
#[derive(Serialize)]
struct Built<'a> {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    request: Option<&'a CancelRequest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a CoreError>,
}

/// Builds one request. The builder remembers the last base URL and webhook it parsed.
pub fn build_one(
    builder: &mut RequestBuilder,
    options: &CancelOptionsInput<'_>,
) -> Result<CancelRequest, CoreError> {
    builder.build(&options.to_options()?)
}

fn not_an_object(context: &str) -> CoreError {
    bad(
        context,
        "options must be an object such as { via: 'rest', callId: 'call_abc_123' }",
    )
}

/// `[options, …]` → `[{ok: true, request} | {ok: false, error}, …]`; one bad item never fails
/// the batch.
pub fn build_requests(text: &str) -> Result<String, CoreError> {
    const CONTEXT: &str = "buildCancelRequests";
    let items = elements(text, CONTEXT)?;
    let mut builder = RequestBuilder::default();
    let mut out = Vec::with_capacity(text.len() * 2 + 2);
    out.push(b'[');
    for (i, raw) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let result = if is_object(raw) {
            serde_json::from_str::<CancelOptionsInput<'_>>(raw.get())
                .map_err(|e| bad(CONTEXT, format_args!("item {i}: {}", json_reason(&e))))
                .and_then(|o| build_one(&mut builder, &o))
        } else {
            Err(not_an_object(CONTEXT))
        };
        let view = match &result {
            Ok(request) => Built {
                ok: true,
                request: Some(request),
                error: None,
            },
            Err(error) => Built {
                ok: false,
                request: None,
                error: Some(error),
            },
        };
        write(&mut out, &view);
    }
    out.push(b']');
    Ok(into_text(out))
}

/// `[response, …]` → `[result, …]`; a malformed entry fails the whole batch, naming it.
pub fn interpret_responses(text: &str, now_ms: f64) -> Result<String, CoreError> {
    const CONTEXT: &str = "interpretCancelResponses";
    let items = elements(text, CONTEXT)?;
    let mut out = Vec::with_capacity(text.len() + 2);
    out.push(b'[');
    for (i, raw) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let with_index = |e: CoreError| CoreError::new(e.code, format!("item {i}: {}", e.message));
        if !is_object(raw) {
            return Err(with_index(bad(
                CONTEXT,
                "expects an object { via, callId, statusCode, headers, body }",
            )));
        }
        let input: CancelResponseInput<'_> = serde_json::from_str(raw.get())
            .map_err(|e| with_index(bad(CONTEXT, json_reason(&e))))?;
        let secrets = input.secret_list().map_err(with_index)?;
        let response = input.to_response(now_ms, &secrets).map_err(with_index)?;
        write(&mut out, &interpret_cancel_response(&response));
    }
    out.push(b']');
    Ok(into_text(out))
}

fn write<T: Serialize>(out: &mut Vec<u8>, value: &T) {
    // Writing plain structs of strings and integers into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

fn into_text(out: Vec<u8>) -> String {
    // serde_json writes UTF-8; checked rather than assumed, at no measurable cost.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_keeps_order_and_reports_bad_items_in_place() {
        let out = build_requests(
            r#"[{"via":"rest","callId":"a"},{"via":"rest","callId":"b/c"},5,{"via":"rest","callId":"d"}]"#,
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let list = v.as_array().unwrap();
        assert_eq!(list.len(), 4);
        assert_eq!(list[0]["ok"], true);
        assert_eq!(
            list[0]["request"]["url"],
            "https://api.huskyvoice.ai/v1/calls/a/cancel"
        );
        assert_eq!(list[1]["error"]["code"], "INVALID_CALL_ID");
        assert_eq!(list[2]["error"]["code"], "INVALID_OPTIONS");
        assert_eq!(list[3]["ok"], true);
        assert!(build_requests("{}").is_err());
        assert_eq!(build_requests("[]").unwrap(), "[]");
    }

    #[test]
    fn interpret_names_the_bad_entry() {
        let ok =
            r#"{"via":"rest","callId":"a","statusCode":200,"body":"{\"status\":\"cancelled\"}"}"#;
        let out = interpret_responses(&format!("[{ok},{ok}]"), 0.0).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v[1]["outcome"], "cancelled");
        let e = interpret_responses(&format!("[{ok},7]"), 0.0).unwrap_err();
        assert!(e.message.starts_with("item 1: "), "{}", e.message);
        let e = interpret_responses(&format!(r#"[{ok},{{"via":"rest"}}]"#), 0.0).unwrap_err();
        assert!(e.message.contains("item 1"), "{}", e.message);
    }
}
