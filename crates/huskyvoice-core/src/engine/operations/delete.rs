//! Delete: `DELETE /v1/calls/{id}` (the key as Bearer and as `x-api-key`, since HuskyVoice's
//! pages disagree), or the inbound webhook's `call.delete`. It erases the call's personal
//! data for good, and only for an ended call: one that has not ended reads `not_ended`.

use super::send::{self, Rest};
use super::{call_id_target, read_about_call};
use crate::call_state::{is_pre_dial, state_named_in};
use crate::engine::job::{Answer, Credential, JobOptions};
use crate::engine::operation::{Fields, Invalid, Operation, OperationKind, Words};
use crate::engine::reading::{data_object, json_body, Reading};
use crate::interpret::http;
use crate::loose::Loose;
use crate::outcome::Outcome;
use crate::request::{HttpRequest, RequestBuilder, Via};
use crate::response_body::BodyFacts;
use crate::CoreError;

#[derive(Debug, Default, Clone, Copy)]
pub struct DeleteCall;

static WORDS: Words = Words {
    verb: "delete",
    done: "deleted",
    in_doubt: "the call's data may or may not be deleted; run the delete again (a repeat answers not_found once it is gone).",
    invalid: "invalid_call_id",
    missing: "there is no call id to delete",
    dry_run_checked: "only the id's form was checked, not whether the call exists or has ended",
};

impl Operation for DeleteCall {
    type Target = String;

    fn kind(&self) -> OperationKind {
        OperationKind::Delete
    }

    fn words(&self) -> &'static Words {
        &WORDS
    }

    fn target(&mut self, _index: usize, input: &Loose<'_>) -> Result<String, Invalid> {
        call_id_target(input)
    }

    fn request(
        &self,
        target: &String,
        credential: &Credential,
        builder: &mut RequestBuilder,
        redact: bool,
    ) -> Result<HttpRequest, CoreError> {
        if send::is_rest(credential) {
            send::rest(
                Rest {
                    method: "DELETE",
                    call_id: Some(target),
                    body: None,
                    headers: Vec::new(),
                    x_api_key: true,
                },
                credential,
                builder,
                redact,
            )
        } else {
            send::hook(
                "call.delete",
                send::call_data(target),
                Vec::new(),
                credential,
                builder,
                redact,
            )
        }
    }

    fn read(
        &self,
        target: &String,
        credential: &Credential,
        answer: &Answer<'_>,
        now_ms: u64,
        secrets: &[String],
    ) -> Reading {
        read_about_call(
            target,
            credential,
            ("delete", "calls:delete"),
            answer,
            now_ms,
            secrets,
            |status, facts, body| own_rows(target, credential.via, status, facts, body),
        )
    }

    fn fails(&self, outcome: Outcome, options: &JobOptions) -> bool {
        match outcome {
            Outcome::Deleted | Outcome::Accepted => false,
            Outcome::NotEnded => options.fail_on_not_ended,
            Outcome::NotFound => options.fail_on_not_found,
            _ => true,
        }
    }

    fn succeeded(&self, outcome: Outcome) -> bool {
        outcome == Outcome::Deleted
    }

    fn fields(&self, _target: Option<&String>, reading: Option<&Reading>) -> Fields {
        let deleted = reading.is_some_and(|r| r.outcome == Outcome::Deleted);
        vec![("deleted", Loose::Bool(deleted))]
    }
}

/// Delete's own rows: a 2xx, a 404 (nothing to delete, also a repeat), and a refusal that says
/// the call has not ended (by its code, or by the state it names).
fn own_rows(
    target: &str,
    via: Via,
    status: u16,
    facts: &BodyFacts<'_>,
    body: &str,
) -> Option<Reading> {
    let id = Some(target.to_string());
    let state = facts
        .state
        .or_else(|| facts.message.as_deref().and_then(state_named_in));
    let code = facts.code.as_deref().unwrap_or("").to_ascii_uppercase();
    let not_ended = code.contains("NOT_ENDED")
        || state.is_some_and(|st| {
            is_pre_dial(st) || matches!(st, "initiated" | "ringing" | "answered" | "in_progress")
        });
    match status {
        200..=299 => Some(deleted(target, via, status, body)),
        404 => Some(Reading::new(Outcome::NotFound, id, format!("There is no ended call {target} to delete {}: the id is wrong, the call belongs to another account, or its data was already deleted.", http(status, facts)))),
        400 | 409 | 422 if not_ended => {
            let now = state.map_or(String::new(), |st| format!(": it is {st}"));
            Some(Reading {
                call_status: state,
                ..Reading::new(Outcome::NotEnded, id, format!("Call {target} has not ended{now}, so its data was not deleted {}. Only ended calls (completed, failed, cancelled, disallowed) can be deleted: cancel it first or wait until it ends.", http(status, facts)))
            })
        }
        _ => None,
    }
}

/// A 2xx: deleted when the body says `deleted: true` (REST wraps it in `data`); a webhook that
/// only says `success` accepted the action without confirming it.
fn deleted(call_id: &str, via: Via, status: u16, body: &str) -> Reading {
    let id = Some(call_id.to_string());
    let top = json_body(body);
    let data = data_object(body);
    let confirmed = [data.as_ref(), top.as_ref()]
        .into_iter()
        .flatten()
        .any(|v| v.get("deleted").and_then(Loose::as_bool) == Some(true));
    if confirmed {
        return Reading::new(
            Outcome::Deleted,
            id,
            format!("The data of call {call_id} is deleted."),
        );
    }
    let success = top
        .as_ref()
        .and_then(|v| v.get("success"))
        .and_then(Loose::as_bool);
    match via {
        Via::Webhook if success != Some(false) => Reading::new(Outcome::Accepted, id, format!("The inbound webhook accepted the delete action for call {call_id} (HTTP {status}) but did not confirm the data is deleted. A repeat answers not_found once it is gone.")),
        _ => Reading::new(Outcome::InvalidResponse, id, format!("HuskyVoice answered HTTP {status} to delete call {call_id} without saying it is deleted; the call's data is not confirmed deleted.")),
    }
}
