//! One delivery to a trigger, judged whole: the signature and envelope ([`verify_event_any`]),
//! then the receiver's filters (event types, agents), then the replay guard. The answer says
//! what to reply and whether to start anything, so the n8n trigger only moves bytes in and
//! the answer out.
//!
//! Filters come before the guard: an event nobody asked for neither starts a workflow nor
//! takes a place among the ids the guard remembers.

use serde::Serialize;

use super::{verify_event_any, Event, Rejection, ReplayGuard, Sighting};
use crate::error::{CoreError, ErrorCode};
use crate::loose::Loose;

/// The event types HuskyVoice documents (API-CONTRACT §7), in its order.
pub const EVENT_TYPES: [&str; 5] = [
    "call.initiated",
    "call.answered",
    "call.completed",
    "call.failed",
    "call.disallowed",
];

/// Which verified events a receiver acts on. The default takes every event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// `None`: every type, including any HuskyVoice adds later.
    event_types: Option<Vec<String>>,
    /// Empty: every agent.
    agent_ids: Vec<String>,
}

fn invalid(message: String) -> CoreError {
    CoreError::new(ErrorCode::InvalidOptions, message)
}

impl EventFilter {
    /// `{eventTypes?, agentIds?}` as a caller passes them: `eventTypes` a list of the
    /// documented types (absent or `null`: all of them), `agentIds` a list or one text of
    /// ids separated by commas, spaces or new lines (absent, `null` or empty: every agent).
    pub fn read(input: &Loose<'_>) -> Result<EventFilter, CoreError> {
        match input {
            Loose::Null => return Ok(EventFilter::default()),
            Loose::Object(_) => {}
            other => {
                return Err(invalid(format!(
                    "Event filter: got {}; pass {{eventTypes?, agentIds?}}.",
                    other.describe()
                )))
            }
        }
        if let Some(name) = input.unknown_member(&["eventTypes", "agentIds"]) {
            return Err(invalid(format!(
                "Event filter: unknown member \"{name}\"; the filter has eventTypes and agentIds."
            )));
        }
        let event_types = match input.get("eventTypes") {
            None | Some(Loose::Null) => None,
            Some(Loose::Array(listed)) => Some(Self::event_types(listed)?),
            Some(other) => {
                return Err(invalid(format!(
                    "Event filter: eventTypes is {}; pass a list such as [\"call.completed\"].",
                    other.describe()
                )))
            }
        };
        let agent_ids = match input.get("agentIds") {
            None | Some(Loose::Null) => Vec::new(),
            Some(Loose::Str(text)) => split_ids(text),
            Some(Loose::Array(listed)) => {
                let mut ids = Vec::with_capacity(listed.len());
                for (i, id) in listed.iter().enumerate() {
                    let Some(text) = id.as_str() else {
                        return Err(invalid(format!(
                            "Event filter: agent id {} is {}; agent ids are text.",
                            i + 1,
                            id.describe()
                        )));
                    };
                    ids.extend(split_ids(text));
                }
                ids
            }
            Some(other) => {
                return Err(invalid(format!(
                    "Event filter: agentIds is {}; pass the agent ids separated by commas.",
                    other.describe()
                )))
            }
        };
        Ok(EventFilter {
            event_types,
            agent_ids,
        })
    }

    fn event_types(listed: &[Loose<'_>]) -> Result<Vec<String>, CoreError> {
        if listed.is_empty() {
            return Err(invalid(format!(
                "Event filter: no event type is selected, so nothing would ever start; choose at least one of {}.",
                EVENT_TYPES.join(", ")
            )));
        }
        let mut types = Vec::with_capacity(listed.len());
        for item in listed {
            match item.as_str().map(str::trim) {
                Some(t) if EVENT_TYPES.contains(&t) => types.push(t.to_string()),
                _ => {
                    return Err(invalid(format!(
                        "Event filter: {} is not an event HuskyVoice sends; choose from {}.",
                        match item.as_str() {
                            Some(t) => format!("\"{t}\""),
                            None => item.describe(),
                        },
                        EVENT_TYPES.join(", ")
                    )))
                }
            }
        }
        Ok(types)
    }

    /// Takes only these types (each one of [`EVENT_TYPES`]).
    pub fn only_types(mut self, types: &[&str]) -> EventFilter {
        self.event_types = Some(types.iter().map(|t| t.to_string()).collect());
        self
    }

    /// Takes only events whose `data.agent_id` is one of these.
    pub fn only_agents(mut self, ids: &[&str]) -> EventFilter {
        self.agent_ids = ids.iter().map(|t| t.to_string()).collect();
        self
    }

    fn skips(&self, event: &Event) -> Option<Skip> {
        if let Some(types) = &self.event_types {
            if !types.contains(&event.event_type) {
                return Some(Skip::EventTypeNotSelected);
            }
        }
        if !self.agent_ids.is_empty() {
            let agent = event.data.get("agent_id").and_then(Loose::as_str);
            if !agent.is_some_and(|a| self.agent_ids.iter().any(|id| id == a)) {
                return Some(Skip::AgentNotSelected);
            }
        }
        None
    }
}

fn split_ids(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .collect()
}

/// A verified delivery that starts nothing; the receiver still answers 200, so the sender
/// does not retry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    EventTypeNotSelected,
    AgentNotSelected,
    /// The guard has seen this `event_id`: a retry or a replay.
    Duplicate,
    /// Older than the guard remembers, so it cannot be told apart from a replay.
    TooOld,
}

impl Skip {
    pub fn reason(self) -> &'static str {
        match self {
            Skip::EventTypeNotSelected => "event_type_not_selected",
            Skip::AgentNotSelected => "agent_not_selected",
            Skip::Duplicate => "duplicate",
            Skip::TooOld => "too_old",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Skip::EventTypeNotSelected => "Received; this event type is not selected, so nothing was started.",
            Skip::AgentNotSelected => "Received; this call's agent is not among the selected agents, so nothing was started.",
            Skip::Duplicate => "Received before; this event was already acted on, so nothing was started.",
            Skip::TooOld => "Received; the event is older than the receiver remembers and could be a replay, so nothing was started.",
        }
    }
}

/// What to do with one delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum Reception {
    /// Verified, selected and new: answer 200 and start with [`EventItem::of`] the event.
    Start(Event),
    /// Verified, but start nothing: answer 200.
    Skip(Skip),
    /// Not a verified event: answer [`Rejection::http_status`] and start nothing.
    Refuse(Rejection),
}

/// Judges one delivery at `now_ms`; a started event is remembered by `guard`.
pub fn receive(
    secrets: &[&str],
    body: &[u8],
    signature_header: Option<&str>,
    filter: &EventFilter,
    guard: &mut ReplayGuard,
    now_ms: f64,
) -> Reception {
    let event = match verify_event_any(secrets, body, signature_header) {
        Ok(event) => event,
        Err(rejection) => return Reception::Refuse(rejection),
    };
    if let Some(skip) = filter.skips(&event) {
        return Reception::Skip(skip);
    }
    match guard.check(&event, now_ms) {
        Sighting::FirstSeen => Reception::Start(event),
        Sighting::Duplicate => Reception::Skip(Skip::Duplicate),
        Sighting::TooOld => Reception::Skip(Skip::TooOld),
    }
}

/// The item a trigger outputs for an event: the envelope in camelCase with the call's id,
/// agent and status lifted out of `data` (`null` when `data` has none: nothing is made up),
/// and `data` whole.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventItem<'a> {
    pub event_id: &'a str,
    pub event_type: &'a str,
    pub call_id: Option<&'a str>,
    pub agent_id: Option<&'a str>,
    pub status: Option<&'a str>,
    pub created_at: &'a str,
    pub org_id: &'a str,
    pub data: &'a Loose<'static>,
}

impl<'a> EventItem<'a> {
    pub fn of(event: &'a Event) -> EventItem<'a> {
        let member = |name| event.data.get(name).and_then(Loose::as_str);
        EventItem {
            event_id: &event.event_id,
            event_type: &event.event_type,
            call_id: member("call_id"),
            agent_id: member("agent_id"),
            status: member("status"),
            created_at: &event.created_at,
            org_id: &event.org_id,
            data: &event.data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{sign, ReplayLimits};

    const SECRET: &str = "whsec_reception";
    const NOW: f64 = 1_780_000_000_000.0; // 2026-05-28T20:26:40Z

    fn body(id: &str, event_type: &str, agent: &str) -> Vec<u8> {
        format!(
            r#"{{"event_id": "{id}", "event_type": "{event_type}", "created_at": "2026-05-28T20:26:00Z", "org_id": "org_1", "data": {{"call_id": "call_{id}", "agent_id": "{agent}", "status": "completed"}}}}"#
        )
        .into_bytes()
    }

    fn guard() -> ReplayGuard {
        ReplayGuard::new(ReplayLimits::default()).unwrap()
    }

    fn deliver(body: &[u8], filter: &EventFilter, guard: &mut ReplayGuard) -> Reception {
        let signature = sign(SECRET, body);
        receive(&[SECRET], body, Some(&signature), filter, guard, NOW)
    }

    fn read(json: &str) -> Result<EventFilter, CoreError> {
        EventFilter::read(&serde_json::from_str::<Loose<'_>>(json).unwrap())
    }

    #[test]
    fn a_signed_new_event_starts_once_and_its_repeats_are_skipped() {
        let mut guard = guard();
        let b = body("evt_1", "call.completed", "agent_a");
        let Reception::Start(event) = deliver(&b, &EventFilter::default(), &mut guard) else {
            panic!("a first delivery starts");
        };
        assert_eq!(event.event_id, "evt_1");
        for _ in 0..3 {
            assert_eq!(
                deliver(&b, &EventFilter::default(), &mut guard),
                Reception::Skip(Skip::Duplicate)
            );
        }
    }

    #[test]
    fn forged_and_unsigned_deliveries_are_refused_and_not_remembered() {
        let mut guard = guard();
        let b = body("evt_1", "call.completed", "agent_a");
        let forged = sign("not_the_secret", &b);
        let refused = receive(
            &[SECRET],
            &b,
            Some(&forged),
            &EventFilter::default(),
            &mut guard,
            NOW,
        );
        assert!(matches!(
            refused,
            Reception::Refuse(Rejection::WrongSignature { .. })
        ));
        let unsigned = receive(
            &[SECRET],
            &b,
            None,
            &EventFilter::default(),
            &mut guard,
            NOW,
        );
        assert!(matches!(
            unsigned,
            Reception::Refuse(Rejection::MissingSignature { .. })
        ));
        assert!(
            guard.is_empty(),
            "a refused delivery takes no place in the guard"
        );
        assert!(matches!(
            deliver(&b, &EventFilter::default(), &mut guard),
            Reception::Start(_)
        ));
    }

    #[test]
    fn filters_skip_unselected_types_and_agents_before_the_guard() {
        let mut guard = guard();
        let filter = EventFilter::default()
            .only_types(&["call.completed", "call.failed"])
            .only_agents(&["agent_a"]);
        let answered = body("evt_1", "call.answered", "agent_a");
        assert_eq!(
            deliver(&answered, &filter, &mut guard),
            Reception::Skip(Skip::EventTypeNotSelected)
        );
        let other_agent = body("evt_2", "call.completed", "agent_b");
        assert_eq!(
            deliver(&other_agent, &filter, &mut guard),
            Reception::Skip(Skip::AgentNotSelected)
        );
        assert!(guard.is_empty());
        let wanted = body("evt_3", "call.failed", "agent_a");
        assert!(matches!(
            deliver(&wanted, &filter, &mut guard),
            Reception::Start(_)
        ));
        let no_agent = br#"{"event_id": "evt_4", "event_type": "call.failed", "created_at": "2026-05-28T20:26:00Z", "org_id": "org_1", "data": {"call_id": "c"}}"#;
        assert_eq!(
            deliver(no_agent, &filter, &mut guard),
            Reception::Skip(Skip::AgentNotSelected),
            "an event without an agent is not one of the selected agents"
        );
    }

    #[test]
    fn an_event_older_than_the_guard_remembers_is_skipped() {
        let mut guard = ReplayGuard::new(ReplayLimits {
            max_events: 10,
            max_age_ms: 1_000,
        })
        .unwrap();
        let b = body("evt_old", "call.completed", "agent_a");
        assert_eq!(
            deliver(&b, &EventFilter::default(), &mut guard),
            Reception::Skip(Skip::TooOld)
        );
    }

    #[test]
    fn the_filter_reads_what_a_caller_passes_and_names_what_is_wrong() {
        assert_eq!(read("null").unwrap(), EventFilter::default());
        assert_eq!(read("{}").unwrap(), EventFilter::default());
        let f = read(r#"{"eventTypes": ["call.completed"], "agentIds": " a1, a2\nb3 ,"}"#).unwrap();
        assert_eq!(
            f,
            EventFilter::default()
                .only_types(&["call.completed"])
                .only_agents(&["a1", "a2", "b3"])
        );
        assert_eq!(
            read(r#"{"agentIds": ["a1", "a2, a3"]}"#).unwrap(),
            EventFilter::default().only_agents(&["a1", "a2", "a3"])
        );
        assert_eq!(read(r#"{"agentIds": ""}"#).unwrap(), EventFilter::default());
        let cases = [
            (r#"{"eventTypes": []}"#, "no event type is selected"),
            (
                r#"{"eventTypes": ["call.ended"]}"#,
                "\"call.ended\" is not an event",
            ),
            (r#"{"eventTypes": [5]}"#, "the number 5 is not an event"),
            (r#"{"eventTypes": "call.completed"}"#, "eventTypes is"),
            (r#"{"agentIds": [1]}"#, "agent id 1 is the number 1"),
            (r#"{"agents": "a"}"#, "unknown member \"agents\""),
            ("5", "got the number 5"),
        ];
        for (json, expected) in cases {
            let message = read(json).unwrap_err().message;
            assert!(message.contains(expected), "{json}: {message}");
        }
    }

    #[test]
    fn the_item_lifts_the_call_out_of_data_and_invents_nothing() {
        let b = body("evt_9", "call.completed", "agent_a");
        let event = crate::event::parse_envelope(&b).unwrap();
        let item = serde_json::to_value(EventItem::of(&event)).unwrap();
        assert_eq!(
            item,
            serde_json::json!({
                "eventId": "evt_9", "eventType": "call.completed", "callId": "call_evt_9",
                "agentId": "agent_a", "status": "completed", "createdAt": "2026-05-28T20:26:00Z",
                "orgId": "org_1",
                "data": {"call_id": "call_evt_9", "agent_id": "agent_a", "status": "completed"}
            })
        );
        let bare = br#"{"event_id": "e", "event_type": "call.initiated", "created_at": "2026-05-28T20:26:00Z", "org_id": "o", "data": {}}"#;
        let event = crate::event::parse_envelope(bare).unwrap();
        let item = serde_json::to_value(EventItem::of(&event)).unwrap();
        assert_eq!(item["callId"], serde_json::Value::Null);
        assert_eq!(item["status"], serde_json::Value::Null);
    }
}
