//! Schedule: `POST /v1/calls`, or the inbound webhook's `call.create`. A create is not
//! idempotent by itself, so every item carries an Idempotency-Key (its own, or one derived
//! from where it came from) and every attempt of it sends that same key: a retry after a lost
//! answer gets the call HuskyVoice already made, never a second one (API-CONTRACT §6).

use super::send::{self, Rest};
use crate::call_state::normalise_state;
use crate::engine::job::{Answer, Credential, JobOptions};
use crate::engine::operation::{Fields, Invalid, JobTarget, Operation, OperationKind, Words};
use crate::engine::reading::{
    self, data_object, json_body, text_field, text_value, Reading, Subject,
};
use crate::idempotency::RunKeys;
use crate::interpret::http;
use crate::json_text::to_json_text;
use crate::loose::Loose;
use crate::new_call::{read_new_call, NewCall};
use crate::outcome::Outcome;
use crate::request::{HttpRequest, RequestBuilder};
use crate::response_body::BodyFacts;
use crate::CoreError;

/// `keys` derives the key of an item that has none of its own from the run id (see
/// [`crate::idempotency`]); without it such an item is invalid.
#[derive(Debug, Clone, Default)]
pub struct ScheduleCall {
    pub keys: Option<RunKeys>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleTarget {
    pub call: NewCall,
    /// The Idempotency-Key every attempt of this item sends.
    pub key: String,
}

impl JobTarget for ScheduleTarget {
    fn call_id(&self) -> Option<&str> {
        None
    }

    fn subject(&self) -> String {
        format!("the call to {}", self.call.contact_number)
    }
}

static WORDS: Words = Words {
    verb: "schedule",
    done: "scheduled",
    in_doubt: "the call may or may not have been created. Run the same items again: they send the same Idempotency-Key, so HuskyVoice answers with the call it made instead of making a second one.",
    invalid: "invalid_input",
    missing: "there is no call to schedule",
    dry_run_checked: "only the fields' form was checked, not what HuskyVoice would answer",
};

impl Operation for ScheduleCall {
    type Target = ScheduleTarget;

    fn kind(&self) -> OperationKind {
        OperationKind::Schedule
    }

    fn words(&self) -> &'static Words {
        &WORDS
    }

    fn target(&mut self, index: usize, input: &Loose<'_>) -> Result<ScheduleTarget, Invalid> {
        let call = read_new_call(input).map_err(|e| ("invalid_input", e))?;
        let key = match (&call.idempotency_key, &mut self.keys) {
            (Some(own), _) => own.clone(),
            (None, Some(keys)) => keys.key(index, &call),
            (None, None) => return Err(("invalid_input", "The call has no idempotency_key and the run no runId to derive one from: without a key a retried create could make a second call. Give either.".to_string())),
        };
        Ok(ScheduleTarget { call, key })
    }

    fn request(
        &self,
        t: &ScheduleTarget,
        credential: &Credential,
        builder: &mut RequestBuilder,
        redact: bool,
    ) -> Result<HttpRequest, CoreError> {
        let headers = vec![("Idempotency-Key", t.key.clone())];
        if send::is_rest(credential) {
            let body = to_json_text(&t.call.fields());
            send::rest(
                Rest {
                    method: "POST",
                    call_id: None,
                    body: Some(body),
                    headers,
                    x_api_key: false,
                },
                credential,
                builder,
                redact,
            )
        } else {
            send::hook(
                "call.create",
                t.call.fields(),
                headers,
                credential,
                builder,
                redact,
            )
        }
    }

    fn read(
        &self,
        t: &ScheduleTarget,
        credential: &Credential,
        answer: &Answer<'_>,
        now_ms: u64,
        secrets: &[String],
    ) -> Reading {
        let what = t.subject();
        let s = Subject {
            via: credential.via,
            what: &what,
            verb: "schedule",
            scope: "calls:create",
        };
        let mut reading = reading::read_answer(
            &s,
            None,
            answer,
            now_ms,
            secrets,
            |status, facts, body, replayed| own_rows(t, &what, status, facts, body, replayed),
        );
        if let Answer::NoResponse { .. } = answer {
            reading.message.push_str(&format!(
                " The retry sends the same Idempotency-Key ({}), so it cannot make a second call.",
                t.key
            ));
        }
        reading
    }

    /// Every attempt sends the item's one key, so a repeat is always safe.
    fn repeatable(&self, t: &ScheduleTarget) -> bool {
        !t.key.is_empty()
    }

    fn fails(&self, outcome: Outcome, _options: &JobOptions) -> bool {
        outcome != Outcome::Scheduled
    }

    fn succeeded(&self, outcome: Outcome) -> bool {
        outcome == Outcome::Scheduled
    }

    fn fields(&self, t: Option<&ScheduleTarget>, reading: Option<&Reading>) -> Fields {
        vec![
            (
                "scheduled",
                Loose::Bool(reading.is_some_and(|r| r.outcome == Outcome::Scheduled)),
            ),
            ("idempotencyKey", text_value(t.map(|t| t.key.as_str()))),
            ("replayed", Loose::Bool(reading.is_some_and(|r| r.replayed))),
            ("agentId", text_value(t.map(|t| t.call.agent_id.as_str()))),
            (
                "contactNumber",
                text_value(t.map(|t| t.call.contact_number.as_str())),
            ),
        ]
    }
}

/// A 2xx to a create: the new call's id, from `data` (REST) or the flat webhook answer.
fn created(t: &ScheduleTarget, what: &str, status: u16, body: &str, replayed: bool) -> Reading {
    let data = data_object(body).or_else(|| {
        json_body(body)
            .filter(|v| v.get("success").and_then(Loose::as_bool) != Some(false))
            .filter(|v| v.get("call_id").is_some())
            .map(Loose::into_owned)
    });
    let call_id = data.as_ref().and_then(|d| text_field(d, "call_id"));
    let Some(call_id) = call_id.map(str::to_string) else {
        return Reading::new(
            Outcome::InvalidResponse,
            None,
            format!("HuskyVoice answered HTTP {status} to schedule {what} but gave no call id, so it is not confirmed. Run the same item again: it sends the same Idempotency-Key ({}), so HuskyVoice answers with the call it made, if any.", t.key),
        );
    };
    let state = data
        .as_ref()
        .and_then(|d| text_field(d, "status"))
        .and_then(normalise_state)
        .or(Some("queued"));
    let again = if replayed {
        " (HuskyVoice had already made it for this Idempotency-Key: no second call)"
    } else {
        ""
    };
    Reading {
        call_status: state,
        data,
        replayed,
        ..Reading::new(
            Outcome::Scheduled,
            Some(call_id.clone()),
            format!(
                "Call {call_id} to {} is scheduled{again}.",
                t.call.contact_number
            ),
        )
    }
}

/// Schedule's own rows: a 2xx made (or replayed) the call; a 4xx refused it, naming a reused
/// Idempotency-Key when that is why.
fn own_rows(
    t: &ScheduleTarget,
    what: &str,
    status: u16,
    facts: &BodyFacts<'_>,
    body: &str,
    replayed: bool,
) -> Option<Reading> {
    let message = match status {
        200..=299 => return Some(created(t, what, status, body, replayed)),
        400 | 404 | 409 | 422
            if facts
                .code
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case("IDEMPOTENCY_KEY_REUSED")) =>
        {
            format!("HuskyVoice did not schedule {what}: Idempotency-Key {} was already used for a different call {}. Give each call its own idempotency_key, or leave it empty so one is derived per item.", t.key, http(status, facts))
        }
        400 | 404 | 409 | 422 => format!(
            "HuskyVoice refused to schedule {what} {}. Fix the item's fields; no call was created.",
            http(status, facts)
        ),
        _ => return None,
    };
    Some(Reading::new(Outcome::Rejected, None, message))
}
