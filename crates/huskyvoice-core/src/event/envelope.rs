//! The envelope of every call event (API-CONTRACT §7), parsed by serde from the verified
//! bytes into the core's [`Loose`] tree and read member by member, so a wrong member is named
//! with what it held ("event_id is the number 5") rather than a deserializer's generic error
//! (whose number formatting also costs the `.wasm` about 20 KB). Members beyond these five
//! are ignored, so an event type or field HuskyVoice adds later still arrives; `data` is
//! passed on whole.

use serde::Serialize;

use super::Rejection;
use crate::iso_time::parse_rfc3339_ms;
use crate::loose::Loose;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// `evt_…`: the same on every delivery of one event, so a receiver can drop repeats.
    pub event_id: String,
    /// `call.initiated`, `call.answered`, `call.completed`, `call.failed`, `call.disallowed`.
    pub event_type: String,
    /// ISO 8601 UTC, as HuskyVoice wrote it.
    pub created_at: String,
    pub org_id: String,
    /// An object: for `call.completed`, `call_id`, `agent_id`, `status`, `duration_seconds`,
    /// `summary`.
    pub data: Loose<'static>,
}

fn not_an_event(why: &str) -> Rejection {
    Rejection::NotAnEvent {
        message: format!(
            "The body is signed correctly but is not a HuskyVoice call event: {why}. An event is a JSON object with event_id, event_type, created_at, org_id (text) and data (an object)."
        ),
    }
}

/// A member that must be non-empty text.
fn text(envelope: &Loose<'_>, name: &str) -> Result<String, Rejection> {
    match envelope.get(name) {
        Some(Loose::Str(s)) if !s.trim().is_empty() => Ok(s.to_string()),
        Some(Loose::Str(_)) => Err(not_an_event(&format!("{name} is empty"))),
        Some(other) => Err(not_an_event(&format!(
            "{name} is {}, not text",
            other.describe()
        ))),
        None => Err(not_an_event(&format!("{name} is missing"))),
    }
}

pub fn parse_envelope(body: &[u8]) -> Result<Event, Rejection> {
    let text_body = std::str::from_utf8(body).map_err(|e| {
        not_an_event(&format!(
            "it is not UTF-8 text (byte {} is not)",
            e.valid_up_to() + 1
        ))
    })?;
    let envelope: Loose<'_> = serde_json::from_str(text_body).map_err(|e| {
        not_an_event(&format!(
            "it is not JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    if !envelope.is_object() {
        return Err(not_an_event(&format!(
            "it is {}, not a JSON object",
            envelope.describe()
        )));
    }
    let event = Event {
        event_id: text(&envelope, "event_id")?,
        event_type: text(&envelope, "event_type")?,
        created_at: text(&envelope, "created_at")?,
        org_id: text(&envelope, "org_id")?,
        data: match envelope.get("data") {
            Some(data @ Loose::Object(_)) => data.clone().into_owned(),
            Some(other) => {
                return Err(not_an_event(&format!(
                    "data is {}, not an object",
                    other.describe()
                )))
            }
            None => return Err(not_an_event("data is missing")),
        },
    };
    // The replay guard dates events by it, so a time it cannot read is no event.
    if parse_rfc3339_ms(&event.created_at).is_none() {
        return Err(not_an_event(
            "created_at is not an ISO 8601 time like 2026-12-07T03:22:42Z",
        ));
    }
    Ok(event)
}
