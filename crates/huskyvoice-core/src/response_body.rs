//! Reads what a response body says, whatever shape it comes in (API-CONTRACT §3.4):
//! `{"error":{"code","message"}}`, `{"success":false,"code","message"}`, `{"detail"}`,
//! `{"message"}`, plain text, or HTML (then only the status code counts).

use crate::json::Json;
use std::borrow::Cow;

/// Call states HuskyVoice documents, normalised to lower snake case.
pub const CALL_STATES: [&str; 7] = [
    "queued",
    "initiated",
    "ringing",
    "in_progress",
    "completed",
    "failed",
    "cancelled",
];

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
        if code.contains("NOT_CANCELLABLE") || code.contains("NOT_CANCELABLE") {
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
        .any(|p| msg.contains(p))
    }
}

/// A documented state, compared ASCII-case-insensitively with `-` and ` ` read as `_`
/// (and the American `canceled`), without allocating.
pub fn normalise_state(s: &str) -> Option<&'static str> {
    let s = s.trim().as_bytes();
    let same = |want: &[u8]| {
        s.len() == want.len()
            && s.iter().zip(want).all(|(&a, &b)| {
                let a = match a {
                    b'-' | b' ' => b'_',
                    a => a.to_ascii_lowercase(),
                };
                a == b
            })
    };
    if same(b"canceled") {
        return Some("cancelled");
    }
    CALL_STATES.iter().copied().find(|st| same(st.as_bytes()))
}

pub fn read_body(body: &str) -> BodyFacts<'_> {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return BodyFacts::default();
    }
    match Json::parse(trimmed) {
        Some(v @ Json::Obj(_)) => from_object(&v),
        Some(Json::Str(s)) => BodyFacts {
            message: Some(clip(s)),
            ..BodyFacts::default()
        },
        Some(_) => BodyFacts::default(),
        None => {
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

/// The text of a string value, still borrowing from the body when it had no escapes.
fn text<'a>(v: &Json<'a>) -> Option<Cow<'a, str>> {
    match v {
        Json::Str(Cow::Borrowed(s)) => Some(Cow::Borrowed(s)),
        Json::Str(Cow::Owned(s)) => Some(Cow::Owned(s.clone())),
        _ => None,
    }
}

fn from_object<'a>(v: &Json<'a>) -> BodyFacts<'a> {
    let str_at = |path: &[&str]| -> Option<Cow<'a, str>> {
        let mut cur = v;
        for key in path {
            cur = cur.get(key)?;
        }
        text(cur)
    };
    let status = str_at(&["status"])
        .or_else(|| str_at(&["data", "status"]))
        .or_else(|| str_at(&["error", "status"]));
    let state = status.as_deref().and_then(normalise_state);
    let message = str_at(&["error", "message"])
        .or_else(|| str_at(&["message"]))
        .or_else(|| str_at(&["detail"]))
        .or_else(|| str_at(&["error"]))
        .or_else(|| str_at(&["data", "message"]))
        .or_else(|| str_at(&["error_description"]))
        .map(clip);
    BodyFacts {
        is_json_object: true,
        state,
        other_status: if state.is_none() {
            status.map(clip)
        } else {
            None
        },
        call_id: str_at(&["call_id"]).or_else(|| str_at(&["data", "call_id"])),
        success: v.get("success").and_then(Json::as_bool),
        code: str_at(&["error", "code"])
            .or_else(|| str_at(&["code"]))
            .map(clip),
        message,
        is_html: false,
    }
}

/// Shortens a server-supplied string for inclusion in our messages: control characters
/// become spaces, surrounding whitespace goes, and at most 300 characters remain.
fn clip(s: Cow<'_, str>) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
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
    fn clips_long_messages_and_controls() {
        let long = format!("{{\"message\":\"{}\"}}", "x".repeat(1000));
        assert_eq!(read_body(&long).message.unwrap().chars().count(), 301);
        assert_eq!(
            read_body("{\"message\":\"a\\nb\"}").message.as_deref(),
            Some("a b")
        );
    }
}
