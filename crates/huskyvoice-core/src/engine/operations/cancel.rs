//! Cancel: `POST /v1/calls/{id}/cancel`, or the inbound webhook's `call.cancel`. Idempotent,
//! so every failed attempt may be repeated. Its answers read as API-CONTRACT §3.4's table.

use super::call_id_target;
use crate::engine::job::{Answer, Credential, JobOptions};
use crate::engine::operation::{Fields, Invalid, Operation, OperationKind, Words};
use crate::engine::reading::Reading;
use crate::interpret::{interpret_cancel_response, CancelResponse, TransportError};
use crate::loose::Loose;
use crate::outcome::Outcome;
use crate::request::{CancelOptions, HttpRequest, RequestBuilder};
use crate::CoreError;

#[derive(Debug, Default, Clone, Copy)]
pub struct CancelCall;

static WORDS: Words = Words {
    verb: "cancel",
    done: "cancelled",
    in_doubt: "the call may or may not be cancelled; check it in HuskyVoice.",
    invalid: "invalid_call_id",
    missing: "there is no call id to cancel",
    dry_run_checked:
        "only the id's form was checked, not whether the call exists or is still queued",
};

impl CancelCall {
    /// The cancel request for `call_id` through `credential` (real secrets, not redacted).
    pub fn request_for(
        call_id: &str,
        credential: &Credential,
        builder: &mut RequestBuilder,
    ) -> Result<HttpRequest, CoreError> {
        CancelCall.request(&call_id.to_string(), credential, builder, false)
    }
}

impl Operation for CancelCall {
    type Target = String;

    fn kind(&self) -> OperationKind {
        OperationKind::Cancel
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
        let rest = credential.via == crate::Via::Rest;
        builder.build(&CancelOptions {
            via: Some(credential.via),
            call_id: target,
            base_url: credential.base_url.as_deref(),
            api_key: credential
                .api_key
                .as_deref()
                .filter(|_| rest && (credential.authorize || redact)),
            webhook: credential.webhook.as_deref().filter(|_| !rest),
            redact,
        })
    }

    fn read(
        &self,
        target: &String,
        credential: &Credential,
        answer: &Answer<'_>,
        now_ms: u64,
        secrets: &[String],
    ) -> Reading {
        let (status_code, retry_after, body, transport_error, transport_code) = match *answer {
            Answer::Response {
                status,
                retry_after,
                body,
                ..
            } => (Some(status), retry_after, body, None, None),
            Answer::NoResponse { kind, code } => (None, None, "", Some(kind), code),
        };
        let r = interpret_cancel_response(&CancelResponse {
            via: credential.via,
            call_id: target,
            status_code,
            transport_error: transport_error.or(Some(TransportError::Connection)),
            transport_code,
            retry_after,
            body,
            now_ms: now_ms as f64,
            secrets,
        });
        Reading {
            outcome: r.outcome,
            call_id: Some(r.call_id),
            call_status: r.call_status,
            message: r.message,
            http_status: r.http_status,
            retry_after_ms: r.retry_after_ms,
            data: None,
            replayed: false,
        }
    }

    fn fails(&self, outcome: Outcome, options: &JobOptions) -> bool {
        match outcome {
            Outcome::Cancelled | Outcome::Accepted => false,
            Outcome::NotCancellable => options.fail_on_not_cancellable,
            _ => true,
        }
    }

    fn succeeded(&self, outcome: Outcome) -> bool {
        outcome == Outcome::Cancelled
    }

    fn fields(&self, _target: Option<&String>, reading: Option<&Reading>) -> Fields {
        let cancelled = reading.is_some_and(|r| r.outcome == Outcome::Cancelled);
        vec![("cancelled", Loose::Bool(cancelled))]
    }
}
