//! The four call operations of API-CONTRACT §6, one file each, and [`CallOperation`], the one
//! type a caller that picks the operation at run time (the wasm `Run`) drives.

mod cancel;
mod delete;
mod get;
mod schedule;
mod send;

pub use cancel::CancelCall;
pub use delete::DeleteCall;
pub use get::GetCall;
pub use schedule::{ScheduleCall, ScheduleTarget};

use super::job::{Answer, Credential, JobOptions};
use super::operation::{Fields, Invalid, JobTarget, Operation, OperationKind, Words};
use super::reading::{self, Reading, Subject};
use crate::idempotency::RunKeys;
use crate::loose::Loose;
use crate::outcome::Outcome;
use crate::request::{HttpRequest, RequestBuilder, Via};
use crate::response_body::BodyFacts;
use crate::CoreError;

/// Any of the four, chosen by the plan's `operation`.
#[derive(Debug, Clone)]
pub enum CallOperation {
    Schedule(ScheduleCall),
    Get(GetCall),
    Cancel(CancelCall),
    Delete(DeleteCall),
}

impl CallOperation {
    /// The operation of `kind`; `keys` derives the Idempotency-Keys of creates without one.
    pub fn of(kind: OperationKind, keys: Option<RunKeys>) -> CallOperation {
        match kind {
            OperationKind::Schedule => CallOperation::Schedule(ScheduleCall { keys }),
            OperationKind::Get => CallOperation::Get(GetCall),
            OperationKind::Cancel => CallOperation::Cancel(CancelCall),
            OperationKind::Delete => CallOperation::Delete(DeleteCall),
        }
    }
}

/// A checked input of any operation: a call id, or a call to create.
#[derive(Debug, Clone)]
pub enum AnyTarget {
    Call(String),
    New(Box<ScheduleTarget>),
}

impl JobTarget for AnyTarget {
    fn call_id(&self) -> Option<&str> {
        match self {
            AnyTarget::Call(id) => id.call_id(),
            AnyTarget::New(t) => t.call_id(),
        }
    }

    fn subject(&self) -> String {
        match self {
            AnyTarget::Call(id) => id.subject(),
            AnyTarget::New(t) => t.subject(),
        }
    }
}

/// A call id (Get, Cancel, Delete) is about that call.
impl JobTarget for String {
    fn call_id(&self) -> Option<&str> {
        Some(self)
    }

    fn subject(&self) -> String {
        format!("call {self}")
    }
}

/// Runs `$body` with `$op` bound to the operation and `$t` to its own target type.
macro_rules! with_op {
    ($self:expr, $target:expr, |$op:ident, $t:ident| $body:expr, $mismatch:expr) => {
        match ($self, $target) {
            (CallOperation::Schedule($op), AnyTarget::New($t)) => {
                let $t: &ScheduleTarget = $t;
                $body
            }
            (CallOperation::Get($op), AnyTarget::Call($t)) => $body,
            (CallOperation::Cancel($op), AnyTarget::Call($t)) => $body,
            (CallOperation::Delete($op), AnyTarget::Call($t)) => $body,
            _ => $mismatch,
        }
    };
}

fn mismatch() -> CoreError {
    CoreError::new(
        crate::ErrorCode::InvalidOptions,
        "internal: a target of another operation",
    )
}

impl Operation for CallOperation {
    type Target = AnyTarget;

    fn kind(&self) -> OperationKind {
        match self {
            CallOperation::Schedule(o) => o.kind(),
            CallOperation::Get(o) => o.kind(),
            CallOperation::Cancel(o) => o.kind(),
            CallOperation::Delete(o) => o.kind(),
        }
    }

    fn words(&self) -> &'static Words {
        match self {
            CallOperation::Schedule(o) => o.words(),
            CallOperation::Get(o) => o.words(),
            CallOperation::Cancel(o) => o.words(),
            CallOperation::Delete(o) => o.words(),
        }
    }

    fn target(&mut self, index: usize, input: &Loose<'_>) -> Result<AnyTarget, Invalid> {
        match self {
            CallOperation::Schedule(o) => {
                o.target(index, input).map(|t| AnyTarget::New(Box::new(t)))
            }
            CallOperation::Get(o) => o.target(index, input).map(AnyTarget::Call),
            CallOperation::Cancel(o) => o.target(index, input).map(AnyTarget::Call),
            CallOperation::Delete(o) => o.target(index, input).map(AnyTarget::Call),
        }
    }

    fn usable_with(&self, via: Via) -> Result<(), String> {
        match self {
            CallOperation::Schedule(o) => o.usable_with(via),
            CallOperation::Get(o) => o.usable_with(via),
            CallOperation::Cancel(o) => o.usable_with(via),
            CallOperation::Delete(o) => o.usable_with(via),
        }
    }

    fn request(
        &self,
        target: &AnyTarget,
        credential: &Credential,
        builder: &mut RequestBuilder,
        redact: bool,
    ) -> Result<HttpRequest, CoreError> {
        with_op!(
            self,
            target,
            |op, t| op.request(t, credential, builder, redact),
            Err(mismatch())
        )
    }

    fn read(
        &self,
        target: &AnyTarget,
        credential: &Credential,
        answer: &Answer<'_>,
        now_ms: u64,
        secrets: &[String],
    ) -> Reading {
        with_op!(
            self,
            target,
            |op, t| op.read(t, credential, answer, now_ms, secrets),
            Reading::new(Outcome::InvalidResponse, None, mismatch().message)
        )
    }

    fn repeatable(&self, target: &AnyTarget) -> bool {
        with_op!(self, target, |op, t| op.repeatable(t), false)
    }

    fn fails(&self, outcome: Outcome, options: &JobOptions) -> bool {
        match self {
            CallOperation::Schedule(o) => o.fails(outcome, options),
            CallOperation::Get(o) => o.fails(outcome, options),
            CallOperation::Cancel(o) => o.fails(outcome, options),
            CallOperation::Delete(o) => o.fails(outcome, options),
        }
    }

    fn succeeded(&self, outcome: Outcome) -> bool {
        match self {
            CallOperation::Schedule(o) => o.succeeded(outcome),
            CallOperation::Get(o) => o.succeeded(outcome),
            CallOperation::Cancel(o) => o.succeeded(outcome),
            CallOperation::Delete(o) => o.succeeded(outcome),
        }
    }

    fn fields(&self, target: Option<&AnyTarget>, reading: Option<&Reading>) -> Fields {
        match (self, target) {
            (CallOperation::Schedule(o), Some(AnyTarget::New(t))) => o.fields(Some(t), reading),
            (CallOperation::Schedule(o), _) => o.fields(None, reading),
            (CallOperation::Get(o), Some(AnyTarget::Call(t))) => o.fields(Some(t), reading),
            (CallOperation::Get(o), _) => o.fields(None, reading),
            (CallOperation::Cancel(o), Some(AnyTarget::Call(t))) => o.fields(Some(t), reading),
            (CallOperation::Cancel(o), _) => o.fields(None, reading),
            (CallOperation::Delete(o), Some(AnyTarget::Call(t))) => o.fields(Some(t), reading),
            (CallOperation::Delete(o), _) => o.fields(None, reading),
        }
    }
}

/// The call id of get, cancel and delete: the rules of API-CONTRACT §3.1.
/// Reads an answer about call `call_id` (Get, Delete): the rows every operation shares, then
/// the operation's own (`own`, from the status, the body's facts and the body). `verb` and
/// `scope` name the request in messages: ("delete", "calls:delete").
fn read_about_call(
    call_id: &String,
    credential: &Credential,
    (verb, scope): (&'static str, &'static str),
    answer: &Answer<'_>,
    now_ms: u64,
    secrets: &[String],
    own: impl FnOnce(u16, &BodyFacts<'_>, &str) -> Option<Reading>,
) -> Reading {
    let what = call_id.subject();
    let s = Subject {
        via: credential.via,
        what: &what,
        verb,
        scope,
    };
    reading::read_answer(
        &s,
        Some(call_id),
        answer,
        now_ms,
        secrets,
        |status, facts, body, _| own(status, facts, body),
    )
}

fn call_id_target(input: &Loose<'_>) -> Result<String, Invalid> {
    let options = crate::input::CancelOptionsInput {
        call_id: Some(input.clone()),
        ..crate::input::CancelOptionsInput::default()
    };
    options
        .to_options()
        .and_then(|o| crate::call_id::validate_call_id(o.call_id))
        .map_err(|e| ("invalid_call_id", e.message))
}
