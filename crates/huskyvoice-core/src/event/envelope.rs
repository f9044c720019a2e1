//! The envelope of every call event (API-CONTRACT §7), parsed by serde from the verified
//! bytes. Members beyond these five are ignored, so an event type or field HuskyVoice adds
//! later still arrives; `data` is passed on whole.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Rejection;
use crate::iso_time::parse_rfc3339_ms;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// `evt_…`: the same on every delivery of one event, so a receiver can drop repeats.
    pub event_id: String,
    /// `call.initiated`, `call.answered`, `call.completed`, `call.failed`, `call.disallowed`.
    pub event_type: String,
    /// ISO 8601 UTC, as HuskyVoice wrote it.
    pub created_at: String,
    pub org_id: String,
    pub data: Map<String, Value>,
}

/// The longest piece of serde's reason quoted back: enough to name a field and its type.
const MAX_REASON: usize = 160;

fn not_an_event(why: &str) -> Rejection {
    Rejection::NotAnEvent {
        message: format!(
            "The body is signed correctly but is not a HuskyVoice call event: {why}. An event is a JSON object with event_id, event_type, created_at, org_id (strings) and data (an object)."
        ),
    }
}

pub fn parse_envelope(body: &[u8]) -> Result<Event, Rejection> {
    // serde's derive would also take a five-element array as the struct: an envelope is an
    // object, so anything else is refused before serde sees it.
    let first = body
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
    if first.is_some_and(|&b| b != b'{') {
        return Err(not_an_event("it is not a JSON object"));
    }
    let event: Event = serde_json::from_slice(body).map_err(|e| {
        let reason = match e.classify() {
            serde_json::error::Category::Data => {
                let text = crate::error::json_reason(&e);
                let cut = (0..=MAX_REASON.min(text.len()))
                    .rev()
                    .find(|&at| text.is_char_boundary(at))
                    .unwrap_or(0);
                text.get(..cut).unwrap_or("").to_string()
            }
            _ => format!("it is not JSON (line {}, column {})", e.line(), e.column()),
        };
        not_an_event(&reason)
    })?;
    for (name, value) in [
        ("event_id", &event.event_id),
        ("event_type", &event.event_type),
    ] {
        if value.trim().is_empty() {
            return Err(not_an_event(&format!("{name} is empty")));
        }
    }
    // The replay guard dates events by it, so a time it cannot read is no event.
    if parse_rfc3339_ms(&event.created_at).is_none() {
        return Err(not_an_event(
            "created_at is not an ISO 8601 time like 2026-12-07T03:22:42Z",
        ));
    }
    Ok(event)
}
