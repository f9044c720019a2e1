//! Reads what a response body says, whatever shape it comes in (API-CONTRACT §3.4):
//! `{"error":{"code","message"}}`, `{"success":false,"code","message"}`, `{"detail"}`,
//! `{"message"}`, plain text, or HTML (then only the status code counts).

pub use crate::call_state::normalise_state;
use crate::loose::Loose;
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// How long a server message may be in our own messages.
const MESSAGE_LIMIT: usize = 300;

/// What a body says. Text borrows from the body where it can.
#[derive(Debug, Default, PartialEq)]
pub struct BodyFacts<'a> {
    /// The body parsed as a JSON object.
    pub is_json_object: bool,
    /// A documented call state found in `status`, `data.status` or `error.status`.
    pub state: Option<&'static str>,
    /// A `status` value that is present but not a documented state.
    pub other_status: Option<Cow<'a, str>>,
    pub call_id: Option<Cow<'a, str>>,
    pub success: Option<bool>,
    pub code: Option<Cow<'a, str>>,
    pub message: Option<Cow<'a, str>>,
    /// The body looks like an HTML page (a proxy's error page, say).
    pub is_html: bool,
}

impl BodyFacts<'_> {
    /// True when the body's code or message says the call can no longer be cancelled.
    pub fn says_not_cancellable(&self) -> bool {
        let code = self.code.as_deref().unwrap_or("").to_ascii_uppercase();
        if crate::text::contains(&code, "NOT_CANCELLABLE")
            || crate::text::contains(&code, "NOT_CANCELABLE")
        {
            return true;
        }
        let msg = self.message.as_deref().unwrap_or("").to_ascii_lowercase();
        [
            "no longer be cancel",
            "cannot be cancel",
            "can't be cancel",
            "not cancellable",
            "not cancelable",
            "not be cancelled",
        ]
        .iter()
        .any(|p| crate::text::contains(&msg, p))
    }
}

pub fn read_body(body: &str) -> BodyFacts<'_> {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return BodyFacts::default();
    }
    match serde_json::from_str::<Top<'_>>(trimmed) {
        Ok(Top::Object(members)) => from_object(*members),
        Ok(Top::Text(s)) => BodyFacts {
            message: Some(clip(s)),
            ..BodyFacts::default()
        },
        Ok(Top::Other) => BodyFacts::default(),
        Err(_) => {
            let head = trimmed.get(..512).unwrap_or(trimmed);
            let is_html = trimmed.starts_with('<')
                || contains_ignore_case(head, "<html")
                || contains_ignore_case(head, "<!doctype");
            BodyFacts {
                is_html,
                message: if is_html {
                    None
                } else {
                    Some(clip(Cow::Borrowed(trimmed)))
                },
                ..BodyFacts::default()
            }
        }
    }
}

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// A whole body: an object, a bare JSON string, or anything else.
enum Top<'a> {
    Object(Box<Members<'a>>),
    Text(Cow<'a, str>),
    Other,
}

impl<'de: 'a, 'a> Deserialize<'de> for Top<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Members::read(d, 1)? {
            Shape::Object(m) => Top::Object(m),
            Shape::Text(s) => Top::Text(s),
            Shape::Other => Top::Other,
        })
    }
}

/// The members of one object the rules look at, read leniently: the last of duplicate keys
/// wins (as in JavaScript), a member of an unexpected type counts as absent, and the rest is
/// skipped. `data` and `error` are objects one level down (`error` may also be plain text).
#[derive(Default)]
struct Members<'a> {
    status: Option<Cow<'a, str>>,
    call_id: Option<Cow<'a, str>>,
    success: Option<bool>,
    code: Option<Cow<'a, str>>,
    message: Option<Cow<'a, str>>,
    detail: Option<Cow<'a, str>>,
    error_description: Option<Cow<'a, str>>,
    error_text: Option<Cow<'a, str>>,
    data: Option<Box<Members<'a>>>,
    error: Option<Box<Members<'a>>>,
}

enum Shape<'a> {
    Object(Box<Members<'a>>),
    Text(Cow<'a, str>),
    Other,
}

impl<'a> Members<'a> {
    /// One value: an object's members (with `nested` more levels of `data`/`error` read),
    /// text, or any other value walked past.
    fn read<'de: 'a, D: Deserializer<'de>>(d: D, nested: u8) -> Result<Shape<'a>, D::Error> {
        d.deserialize_any(MembersVisitor {
            nested,
            marker: PhantomData,
        })
    }
}

struct MembersVisitor<'a> {
    nested: u8,
    marker: PhantomData<&'a ()>,
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for MembersVisitor<'a> {
    type Value = Shape<'a>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for MembersVisitor<'a> {
    type Value = Shape<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut m = Members::default();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let slot = match key.as_ref() {
                "status" => &mut m.status,
                "call_id" => &mut m.call_id,
                "code" => &mut m.code,
                "message" => &mut m.message,
                "detail" => &mut m.detail,
                "error_description" => &mut m.error_description,
                "success" => {
                    m.success = map.next_value::<Loose<'a>>()?.as_bool();
                    continue;
                }
                "data" | "error" if self.nested > 0 => {
                    let inner = map.next_value_seed(MembersVisitor {
                        nested: self.nested - 1,
                        marker: PhantomData,
                    })?;
                    let (object, text) = match inner {
                        Shape::Object(o) => (Some(o), None),
                        Shape::Text(t) => (None, Some(t)),
                        Shape::Other => (None, None),
                    };
                    if key == "data" {
                        m.data = object;
                    } else {
                        m.error = object;
                        m.error_text = text;
                    }
                    continue;
                }
                _ => {
                    map.next_value::<Loose<'a>>()?;
                    continue;
                }
            };
            *slot = match map.next_value::<Loose<'a>>()? {
                Loose::Str(s) => Some(s),
                _ => None,
            };
        }
        Ok(Shape::Object(Box::new(m)))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Shape::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Shape::Text(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Shape::Text(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<Loose<'a>>()?.is_some() {}
        Ok(Shape::Other)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Shape::Other)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Shape::Other)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Shape::Other)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Shape::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Shape::Other)
    }
}

fn from_object(m: Members<'_>) -> BodyFacts<'_> {
    let Members {
        status,
        call_id,
        success,
        code,
        message,
        detail,
        error_description,
        error_text,
        data,
        error,
    } = m;
    let (data, error) = (data.map(|b| *b), error.map(|b| *b));
    let status = status
        .or_else(|| data.as_ref().and_then(|d| d.status.clone()))
        .or_else(|| error.as_ref().and_then(|e| e.status.clone()));
    let state = status.as_deref().and_then(normalise_state);
    let message = error
        .as_ref()
        .and_then(|e| e.message.clone())
        .or(message)
        .or(detail)
        .or(error_text)
        .or_else(|| data.as_ref().and_then(|d| d.message.clone()))
        .or(error_description)
        .map(clip);
    BodyFacts {
        is_json_object: true,
        state,
        other_status: if state.is_none() {
            status.map(clip)
        } else {
            None
        },
        call_id: call_id.or_else(|| data.as_ref().and_then(|d| d.call_id.clone())),
        success,
        code: error
            .as_ref()
            .and_then(|e| e.code.clone())
            .or(code)
            .map(clip),
        message,
        is_html: false,
    }
}

/// Whether `s` holds a Unicode control character (U+0000–U+001F, U+007F–U+009F), checked on
/// the UTF-8 bytes: U+0080–U+009F are the only ones encoded as `C2 80`–`C2 9F`.
fn has_control(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        c < 0x20
            || c == 0x7f
            || (c == 0xc2 && b.get(i + 1).is_some_and(|n| (0x80..0xa0).contains(n)))
    })
}

/// Shortens a server-supplied string for inclusion in our messages: control characters
/// become spaces, surrounding whitespace goes, and at most 300 characters remain.
fn clip(s: Cow<'_, str>) -> Cow<'_, str> {
    if !has_control(&s) {
        let t = s.trim();
        if t.len() <= MESSAGE_LIMIT {
            return match s {
                Cow::Borrowed(b) => Cow::Borrowed(b.trim()),
                Cow::Owned(_) if t.len() == s.len() => s,
                Cow::Owned(_) => Cow::Owned(t.to_string()),
            };
        }
    }
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let t = one_line.trim();
    Cow::Owned(if t.chars().count() <= MESSAGE_LIMIT {
        t.to_string()
    } else {
        let mut out: String = t.chars().take(MESSAGE_LIMIT).collect();
        out.push('…');
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_documented_error_shape() {
        let cases = [
            (r#"{"error":{"code":"X","message":"m1"}}"#, "m1", Some("X")),
            (
                r#"{"success":false,"code":"Y","message":"m2"}"#,
                "m2",
                Some("Y"),
            ),
            (r#"{"detail":"m3"}"#, "m3", None),
            (r#"{"message":"m4"}"#, "m4", None),
            (r#"{"error":"m5"}"#, "m5", None),
            ("plain words", "plain words", None),
        ];
        for (body, msg, code) in cases {
            let f = read_body(body);
            assert_eq!(f.message.as_deref(), Some(msg), "{body}");
            assert_eq!(f.code.as_deref(), code, "{body}");
        }
    }

    #[test]
    fn html_has_no_message() {
        for body in [
            "<html><body>502 Bad Gateway</body></html>",
            "<!DOCTYPE html><p>x",
        ] {
            let f = read_body(body);
            assert!(f.is_html);
            assert_eq!(f.message, None);
        }
    }

    #[test]
    fn finds_state_in_three_places() {
        assert_eq!(
            read_body(r#"{"status":"cancelled"}"#).state,
            Some("cancelled")
        );
        assert_eq!(
            read_body(r#"{"data":{"status":"Ringing"}}"#).state,
            Some("ringing")
        );
        assert_eq!(
            read_body(r#"{"error":{"status":"in-progress"}}"#).state,
            Some("in_progress")
        );
        assert_eq!(
            read_body(r#"{"status":"canceled"}"#).state,
            Some("cancelled")
        );
        let f = read_body(r#"{"status":"weird"}"#);
        assert_eq!((f.state, f.other_status.as_deref()), (None, Some("weird")));
    }

    #[test]
    fn recognises_not_cancellable_wording() {
        assert!(read_body(r#"{"error":{"code":"CALL_NOT_CANCELLABLE"}}"#).says_not_cancellable());
        assert!(
            read_body(r#"{"message":"Call can no longer be cancelled"}"#).says_not_cancellable()
        );
        assert!(!read_body(r#"{"message":"bad request"}"#).says_not_cancellable());
    }

    #[test]
    fn finds_controls_on_bytes_as_char_is_control_does() {
        for s in [
            "plain",
            "a\u{1}b",
            "tab\tx",
            "del\u{7f}",
            "c1\u{85}x",
            "é ü",
            "\u{a0}nbsp",
            "€",
        ] {
            assert_eq!(has_control(s), s.chars().any(char::is_control), "{s:?}");
        }
    }

    #[test]
    fn clips_long_messages_and_controls() {
        let long = format!("{{\"message\":\"{}\"}}", "x".repeat(1000));
        assert_eq!(read_body(&long).message.unwrap().chars().count(), 301);
        assert_eq!(
            read_body("{\"message\":\"a\\nb\"}").message.as_deref(),
            Some("a b")
        );
    }
}
