//! What one job does. Pacing, retries, concurrency and when a run stops are the same for
//! every HuskyVoice call operation; an [`Operation`] says how a job's input is checked, what
//! request it sends, how its answer reads, whether a failed attempt may be sent again, which
//! outcomes fail the item and which fields its output carries. The four of API-CONTRACT §6
//! live in `operations/`, one file each.

use super::job::{Answer, Credential, JobOptions};
use super::reading::Reading;
use crate::loose::Loose;
use crate::outcome::Outcome;
use crate::request::{HttpRequest, RequestBuilder, Via};
use crate::CoreError;

/// The fields an operation adds to every one of its items (`cancelled`, `scheduled`, ...),
/// in output order. The same names for every item of the operation: one output shape.
pub type Fields = Vec<(&'static str, Loose<'static>)>;

/// The operations of a run, by the name plans use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    Schedule,
    Get,
    Cancel,
    Delete,
}

impl OperationKind {
    pub const ALL: [OperationKind; 4] = [
        OperationKind::Schedule,
        OperationKind::Get,
        OperationKind::Cancel,
        OperationKind::Delete,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OperationKind::Schedule => "schedule",
            OperationKind::Get => "get",
            OperationKind::Cancel => "cancel",
            OperationKind::Delete => "delete",
        }
    }

    pub fn parse(s: &str) -> Option<OperationKind> {
        OperationKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The words of an operation's messages.
#[derive(Debug)]
pub struct Words {
    /// "cancel": "The cancel request was sent, …".
    pub verb: &'static str,
    /// "cancelled": "Before the run stopped, 3 calls were cancelled".
    pub done: &'static str,
    /// What is known of a request whose answer never arrived.
    pub in_doubt: &'static str,
    /// The outcome of an item whose input is invalid.
    pub invalid: &'static str,
    /// How an item lacking its input field is described: "there is no call id to cancel".
    pub missing: &'static str,
    /// What a dry run checked and what it cannot know: "only the id's form was checked, not
    /// whether the call exists or is still queued".
    pub dry_run_checked: &'static str,
}

/// An input that cannot be sent: its outcome (`invalid_call_id`, `invalid_input`) and why.
pub type Invalid = (&'static str, String);

/// What a checked input says of itself in outcomes and messages.
pub trait JobTarget {
    /// The call it is about, when known before the answer (not for a call to create).
    fn call_id(&self) -> Option<&str>;

    /// It in words, for messages: "call call_abc", "the call to +919876543210".
    fn subject(&self) -> String;
}

pub trait Operation {
    /// A job's input once checked (a normalised call id; a new call and its key).
    type Target: JobTarget;

    fn kind(&self) -> OperationKind;

    fn words(&self) -> &'static Words;

    /// Checks one job's input (the `index`th of the run) before anything is sent; an error
    /// settles the job unsent. Called once per job, in item order.
    fn target(&mut self, index: usize, input: &Loose<'_>) -> Result<Self::Target, Invalid>;

    /// Whether a credential of `via` can carry this operation (Get has no webhook action).
    fn usable_with(&self, _via: Via) -> Result<(), String> {
        Ok(())
    }

    /// The request for one attempt. `redact` shows secrets in their redacted form (dry run).
    fn request(
        &self,
        target: &Self::Target,
        credential: &Credential,
        builder: &mut RequestBuilder,
        redact: bool,
    ) -> Result<HttpRequest, CoreError>;

    /// What an answer means. `secrets` are redacted from the message.
    fn read(
        &self,
        target: &Self::Target,
        credential: &Credential,
        answer: &Answer<'_>,
        now_ms: u64,
        secrets: &[String],
    ) -> Reading;

    /// Whether an attempt that may have reached the server can be sent again.
    fn repeatable(&self, _target: &Self::Target) -> bool {
        true
    }

    /// Whether this outcome fails the item.
    fn fails(&self, outcome: Outcome, options: &JobOptions) -> bool;

    /// Whether this outcome is what the operation asked for (counted in the summary).
    fn succeeded(&self, outcome: Outcome) -> bool;

    /// The operation's own output fields for an item: from its answer when it has one, else
    /// (invalid, dry run, not sent) the same names with empty values.
    fn fields(&self, target: Option<&Self::Target>, reading: Option<&Reading>) -> Fields;
}
