//! What one job does. Pacing, retries, concurrency and when a run stops are the same for
//! every HuskyVoice call operation; an [`Operation`] says how a job's input is checked, what
//! request it sends, how its answer reads, whether a failed attempt may be sent again and
//! which outcomes fail the item. Cancel is the one implemented; get, schedule (retried only
//! with its Idempotency-Key) and delete (API-CONTRACT §6) are further implementations.

use super::job::{Answer, Credential, JobOptions};
use crate::input::CancelOptionsInput;
use crate::interpret::{interpret_cancel_response, CancelResponse, CancelResult, TransportError};
use crate::loose::Loose;
use crate::outcome::Outcome;
use crate::request::{CancelOptions, CancelRequest, RequestBuilder};
use crate::CoreError;

pub trait Operation {
    /// A job's input once checked (for cancel, the normalised call id).
    type Target;

    /// Checks one job's input before anything is sent; an error settles the job unsent.
    fn target(&self, input: &Loose<'_>) -> Result<Self::Target, CoreError>;

    /// The call a target is about, for outputs and messages.
    fn call_id<'t>(&self, target: &'t Self::Target) -> &'t str;

    /// The request for one attempt. `redact` shows secrets in their redacted form (dry run).
    fn request(
        &self,
        target: &Self::Target,
        credential: &Credential,
        builder: &mut RequestBuilder,
        redact: bool,
    ) -> Result<CancelRequest, CoreError>;

    /// What an answer means. `secrets` are redacted from the message.
    fn read(
        &self,
        target: &Self::Target,
        credential: &Credential,
        answer: &Answer<'_>,
        now_ms: u64,
        secrets: &[String],
    ) -> CancelResult;

    /// Whether an attempt that may have reached the server can be sent again.
    fn repeatable(&self, _target: &Self::Target) -> bool {
        true
    }

    /// Whether this outcome fails the item.
    fn fails(&self, outcome: Outcome, options: &JobOptions) -> bool;
}

/// `POST /v1/calls/{id}/cancel`, or the inbound webhook's `call.cancel`. Idempotent, so every
/// failed attempt may be repeated.
#[derive(Debug, Default, Clone, Copy)]
pub struct CancelCall;

impl CancelCall {
    /// The cancel request for `call_id` through `credential` (real secrets, not redacted).
    pub fn request_for(
        call_id: &str,
        credential: &Credential,
        builder: &mut RequestBuilder,
    ) -> Result<CancelRequest, CoreError> {
        CancelCall.request(&call_id.to_string(), credential, builder, false)
    }
}

impl Operation for CancelCall {
    type Target = String;

    fn target(&self, input: &Loose<'_>) -> Result<String, CoreError> {
        let options = CancelOptionsInput {
            call_id: Some(input.clone()),
            ..CancelOptionsInput::default()
        };
        crate::call_id::validate_call_id(options.to_options()?.call_id)
    }

    fn call_id<'t>(&self, target: &'t String) -> &'t str {
        target
    }

    fn request(
        &self,
        target: &String,
        credential: &Credential,
        builder: &mut RequestBuilder,
        redact: bool,
    ) -> Result<CancelRequest, CoreError> {
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
    ) -> CancelResult {
        let (status_code, retry_after, body, transport_error, transport_code) = match *answer {
            Answer::Response {
                status,
                retry_after,
                body,
            } => (Some(status), retry_after, body, None, None),
            Answer::NoResponse { kind, code } => (None, None, "", Some(kind), code),
        };
        interpret_cancel_response(&CancelResponse {
            via: credential.via,
            call_id: target,
            status_code,
            transport_error: transport_error.or(Some(TransportError::Connection)),
            transport_code,
            retry_after,
            body,
            now_ms: now_ms as f64,
            secrets,
        })
    }

    fn fails(&self, outcome: Outcome, options: &JobOptions) -> bool {
        match outcome {
            Outcome::Cancelled | Outcome::Accepted => false,
            Outcome::NotCancellable => options.fail_on_not_cancellable,
            _ => true,
        }
    }
}
