//! Many items in one call: the whole list arrives as one `JSON.stringify` string, which
//! serde_json reads element by element into borrowed views (a batch never holds the whole
//! parsed list), and the results go back as one list of values.

use crate::error::{json_reason, CoreError, ErrorCode};
use crate::input::{CancelOptionsInput, CancelResponseInput};
use crate::interpret::{interpret_cancel_response, CancelResult};
use crate::loose::Loose;
use crate::request::{HttpRequest, RequestBuilder};
use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::Serialize;
use std::fmt;

const NOT_A_LIST: &str = "not a list";

fn bad(context: &str, what: impl std::fmt::Display) -> CoreError {
    CoreError::new(ErrorCode::InvalidOptions, format!("{context}: {what}"))
}

/// Hands each element of the JSON array `text` to `each`, parsed, one at a time: a batch
/// never holds the whole parsed list. Stops at the first error `each` returns.
pub fn for_each_element<'a>(
    text: &'a str,
    context: &str,
    each: impl FnMut(usize, Loose<'a>) -> Result<(), CoreError>,
) -> Result<(), CoreError> {
    struct Elements<F> {
        each: F,
        failed: Option<CoreError>,
    }
    impl<'de, F: FnMut(usize, Loose<'de>) -> Result<(), CoreError>> Visitor<'de> for &mut Elements<F> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let mut i = 0;
            while let Some(item) = seq.next_element::<Loose<'de>>()? {
                if let Err(e) = (self.each)(i, item) {
                    self.failed = Some(e);
                    return Err(de::Error::custom("stopped"));
                }
                i += 1;
            }
            Ok(())
        }
        // Anything but an array. Spelled out, with a plain message: serde's default answer
        // (`invalid_type`) formats the value, and formatting a float costs 14 KB of `.wasm`.
        fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
            Err(de::Error::custom(NOT_A_LIST))
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
            Err(E::custom(NOT_A_LIST))
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
            Err(E::custom(NOT_A_LIST))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
            Err(E::custom(NOT_A_LIST))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
            Err(E::custom(NOT_A_LIST))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
            Err(E::custom(NOT_A_LIST))
        }
        fn visit_unit<E: de::Error>(self) -> Result<(), E> {
            Err(E::custom(NOT_A_LIST))
        }
    }
    impl<'de, F: FnMut(usize, Loose<'de>) -> Result<(), CoreError>> DeserializeSeed<'de>
        for &mut Elements<F>
    {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }
    let mut elements = Elements { each, failed: None };
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = (&mut elements).deserialize(&mut de).and_then(|()| de.end());
    match (parsed, elements.failed) {
        (_, Some(e)) => Err(e),
        (Ok(()), None) => Ok(()),
        (Err(e), None) => Err(bad(
            context,
            format_args!("expects an array ({})", json_reason(&e)),
        )),
    }
}

/// One element of `buildCancelRequests`'s answer: `{ok: true, request}` or
/// `{ok: false, error}`.
#[derive(Debug)]
pub struct Built(pub Result<HttpRequest, CoreError>);

impl Serialize for Built {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("Built", 2)?;
        match &self.0 {
            Ok(request) => {
                out.serialize_field("ok", &true)?;
                out.serialize_field("request", request)?;
            }
            Err(error) => {
                out.serialize_field("ok", &false)?;
                out.serialize_field("error", error)?;
            }
        }
        out.end()
    }
}

/// Builds one request. The builder remembers the last base URL and webhook it parsed.
pub fn build_one(
    builder: &mut RequestBuilder,
    options: &CancelOptionsInput<'_>,
) -> Result<HttpRequest, CoreError> {
    builder.build(&options.to_options()?)
}

fn not_an_object(context: &str) -> CoreError {
    bad(
        context,
        "options must be an object such as { via: 'rest', callId: 'call_abc_123' }",
    )
}

/// `[options, …]` → one [`Built`] per item, in order; one bad item never fails the batch.
pub fn build_requests(text: &str) -> Result<Vec<Built>, CoreError> {
    const CONTEXT: &str = "buildCancelRequests";
    let mut builder = RequestBuilder::default();
    let mut out = Vec::new();
    for_each_element(text, CONTEXT, |_, item| {
        out.push(Built(match CancelOptionsInput::from_loose(&item) {
            Some(o) => build_one(&mut builder, &o),
            None => Err(not_an_object(CONTEXT)),
        }));
        Ok(())
    })?;
    Ok(out)
}

/// `[response, …]` → `[result, …]`; a malformed entry fails the whole batch, naming it.
pub fn interpret_responses(text: &str, now_ms: f64) -> Result<Vec<CancelResult>, CoreError> {
    const CONTEXT: &str = "interpretCancelResponses";
    let mut out = Vec::new();
    for_each_element(text, CONTEXT, |i, item| {
        let with_index = |e: CoreError| CoreError::new(e.code, format!("item {i}: {}", e.message));
        let input = CancelResponseInput::from_loose(&item).ok_or_else(|| {
            with_index(bad(
                CONTEXT,
                "expects an object { via, callId, statusCode, headers, body }",
            ))
        })?;
        let secrets = input.secret_list().map_err(with_index)?;
        let response = input.to_response(now_ms, &secrets).map_err(with_index)?;
        out.push(interpret_cancel_response(&response));
        Ok(())
    })?;
    Ok(out)
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
        let v = serde_json::to_value(&out).unwrap();
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
        assert!(build_requests("[1,").is_err());
        assert!(build_requests("[]").unwrap().is_empty());
    }

    #[test]
    fn interpret_names_the_bad_entry() {
        let ok =
            r#"{"via":"rest","callId":"a","statusCode":200,"body":"{\"status\":\"cancelled\"}"}"#;
        let out = interpret_responses(&format!("[{ok},{ok}]"), 0.0).unwrap();
        assert_eq!(out[1].outcome, crate::Outcome::Cancelled);
        let e = interpret_responses(&format!("[{ok},7]"), 0.0).unwrap_err();
        assert!(e.message.starts_with("item 1: "), "{}", e.message);
        let e = interpret_responses(&format!(r#"[{ok},{{"via":"rest"}}]"#), 0.0).unwrap_err();
        assert!(e.message.contains("item 1"), "{}", e.message);
    }
}
