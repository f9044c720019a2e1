//! Get: `GET /v1/calls/{id}` with the API key (the inbound webhook has no action to read a
//! call). `found` carries the call's state and fields as HuskyVoice gave them.

use super::send::{self, Rest};
use super::{call_id_target, read_about_call};
use crate::call_state::normalise_state;
use crate::engine::job::{Answer, Credential, JobOptions};
use crate::engine::operation::{Fields, Invalid, Operation, OperationKind, Words};
use crate::engine::reading::{data_object, text_field, Reading};
use crate::interpret::http;
use crate::loose::Loose;
use crate::outcome::Outcome;
use crate::request::{HttpRequest, RequestBuilder, Via};
use crate::response_body::BodyFacts;
use crate::CoreError;

#[derive(Debug, Default, Clone, Copy)]
pub struct GetCall;

static WORDS: Words = Words {
    verb: "get",
    done: "read",
    in_doubt: "nothing was changed; run again to read the call.",
    invalid: "invalid_call_id",
    missing: "there is no call id to look up",
    dry_run_checked: "only the id's form was checked, not whether the call exists",
};

impl Operation for GetCall {
    type Target = String;

    fn kind(&self) -> OperationKind {
        OperationKind::Get
    }

    fn words(&self) -> &'static Words {
        &WORDS
    }

    fn target(&mut self, _index: usize, input: &Loose<'_>) -> Result<String, Invalid> {
        call_id_target(input)
    }

    fn usable_with(&self, via: Via) -> Result<(), String> {
        match via {
            Via::Rest => Ok(()),
            Via::Webhook => Err("Get needs the API key: HuskyVoice's inbound webhook has no action that reads a call. Choose Authentication: API Key (a key with the calls:read scope).".into()),
        }
    }

    fn request(
        &self,
        target: &String,
        credential: &Credential,
        builder: &mut RequestBuilder,
        redact: bool,
    ) -> Result<HttpRequest, CoreError> {
        send::rest(
            Rest {
                method: "GET",
                call_id: Some(target),
                body: None,
                headers: Vec::new(),
                x_api_key: false,
            },
            credential,
            builder,
            redact,
        )
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
            ("read", "calls:read"),
            answer,
            now_ms,
            secrets,
            |status, facts, body| own_rows(target, status, facts, body),
        )
    }

    /// A call that is not there is an answer, not a failure: the output says `found: false`.
    fn fails(&self, outcome: Outcome, _options: &JobOptions) -> bool {
        !matches!(outcome, Outcome::Found | Outcome::NotFound)
    }

    fn succeeded(&self, outcome: Outcome) -> bool {
        outcome == Outcome::Found
    }

    fn fields(&self, _target: Option<&String>, reading: Option<&Reading>) -> Fields {
        let found = reading.is_some_and(|r| r.outcome == Outcome::Found);
        let call = reading
            .filter(|_| found)
            .and_then(|r| r.data.clone())
            .unwrap_or(Loose::Null);
        vec![("found", Loose::Bool(found)), ("call", call)]
    }
}

fn found(call_id: &str, status: u16, body: &str) -> Reading {
    let id = Some(call_id.to_string());
    let Some(data) = data_object(body) else {
        return Reading::new(Outcome::InvalidResponse, id, format!("HuskyVoice answered HTTP {status} for call {call_id} without the call's data; its state is unknown."));
    };
    if let Some(other) = text_field(&data, "call_id").filter(|c| *c != call_id) {
        let other: String = other.chars().take(64).collect();
        return Reading::new(
            Outcome::InvalidResponse,
            id,
            format!("HuskyVoice answered HTTP {status} about call {other} instead of {call_id}."),
        );
    }
    let Some(raw) = text_field(&data, "status") else {
        return Reading::new(
            Outcome::InvalidResponse,
            id,
            format!("HuskyVoice answered HTTP {status} for call {call_id} without its status."),
        );
    };
    let state = normalise_state(raw);
    let message = match state {
        Some(st) => format!("Call {call_id} is {st}."),
        None => format!(
            "Call {call_id} has the status \"{}\", which HuskyVoice does not document.",
            raw.chars().take(40).collect::<String>()
        ),
    };
    Reading {
        call_status: state,
        data: Some(data),
        ..Reading::new(Outcome::Found, id, message)
    }
}

/// Get's own rows: a 2xx carries the call, a 404 is an answer (there is no such call).
fn own_rows(target: &str, status: u16, facts: &BodyFacts<'_>, body: &str) -> Option<Reading> {
    match status {
        200..=299 => Some(found(target, status, body)),
        404 => Some(Reading::new(Outcome::NotFound, Some(target.to_string()), format!("Call {target} was not found {}. Check the call id and that the call belongs to the account of this API key (a deleted call is not found either).", http(status, facts)))),
        _ => None,
    }
}
