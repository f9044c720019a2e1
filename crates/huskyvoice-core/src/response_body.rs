//! Reads what a response body says, whatever shape it comes in (API-CONTRACT §3.4):
//! `{"error":{"code","message"}}`, `{"success":false,"code","message"}`, `{"detail"}`,
//! `{"message"}`, plain text, or HTML (then only the status code counts).

use serde_json::Value;

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

#[derive(Debug, Default, PartialEq)]
pub struct BodyFacts {
    /// The body parsed as a JSON object.
    pub is_json_object: bool,
    /// A documented call state found in `status`, `data.status` or `error.status`.
    pub state: Option<&'static str>,
    /// A `status` value that is present but not a documented state.
    pub other_status: Option<String>,
    pub call_id: Option<String>,
    pub success: Option<bool>,
    pub code: Option<String>,
    pub message: Option<String>,
    /// The body looks like an HTML page (a proxy's error page, say).
    pub is_html: bool,
}

impl BodyFacts {
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

pub fn normalise_state(s: &str) -> Option<&'static str> {
    let n = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    let n = if n == "canceled" {
        "cancelled".to_string()
    } else {
        n
    };
    CALL_STATES.iter().copied().find(|st| *st == n)
}

pub fn read_body(body: &str) -> BodyFacts {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return BodyFacts::default();
    }
    match serde_json::from_str::<Value>(trimmed) {
        Ok(Value::Object(map)) => from_object(&Value::Object(map)),
        Ok(Value::String(s)) => BodyFacts {
            message: Some(clip(&s)),
            ..BodyFacts::default()
        },
        Ok(_) => BodyFacts::default(),
        Err(_) => {
            let lower = trimmed.get(..512).unwrap_or(trimmed).to_ascii_lowercase();
            let is_html =
                trimmed.starts_with('<') || lower.contains("<html") || lower.contains("<!doctype");
            BodyFacts {
                is_html,
                message: if is_html { None } else { Some(clip(trimmed)) },
                ..BodyFacts::default()
            }
        }
    }
}

fn from_object(v: &Value) -> BodyFacts {
    let str_at = |path: &[&str]| -> Option<&str> {
        let mut cur = v;
        for key in path {
            cur = cur.get(key)?;
        }
        cur.as_str()
    };
    let status = str_at(&["status"])
        .or_else(|| str_at(&["data", "status"]))
        .or_else(|| str_at(&["error", "status"]));
    let state = status.and_then(normalise_state);
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
        call_id: str_at(&["call_id"])
            .or_else(|| str_at(&["data", "call_id"]))
            .map(str::to_string),
        success: v.get("success").and_then(Value::as_bool),
        code: str_at(&["error", "code"])
            .or_else(|| str_at(&["code"]))
            .map(clip),
        message,
        is_html: false,
    }
}

/// Shortens a server-supplied string for inclusion in our messages.
fn clip(s: &str) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let t = one_line.trim();
    if t.chars().count() <= MESSAGE_LIMIT {
        t.to_string()
    } else {
        let mut out: String = t.chars().take(MESSAGE_LIMIT).collect();
        out.push('…');
        out
    }
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
