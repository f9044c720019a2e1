//! What a run is made of: credentials, per-item options and jobs, as the caller describes
//! them, and the answer a request got.

use crate::interpret::TransportError;
use crate::loose::Loose;
use crate::request::{RequestBuilder, Via};
use crate::retry::RetryPolicy;
use crate::webhook::parse_webhook;
use crate::CoreError;

/// One credential of a run. `key` names its pacer: runs (in one process) that give the same
/// key share one rate limit. The API key may be given only for redaction and dry runs, with
/// `authorize` false, when the caller's HTTP layer adds the header itself (n8n does).
#[derive(Debug, Clone, PartialEq)]
pub struct Credential {
    pub key: String,
    pub via: Via,
    pub api_key: Option<String>,
    pub webhook: Option<String>,
    pub base_url: Option<String>,
    /// Put `Authorization: Bearer <key>` on REST requests.
    pub authorize: bool,
}

impl Credential {
    /// Values that must never appear in a message: the key, the webhook URL and its token.
    pub fn secrets(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut push = |s: &str| {
            let s = s.trim();
            if !s.is_empty() && !out.iter().any(|o| o == s) {
                out.push(s.to_string());
            }
        };
        if let Some(key) = &self.api_key {
            push(key);
        }
        if let Some(hook) = &self.webhook {
            push(hook);
            if let Ok(parsed) = parse_webhook(hook) {
                push(&parsed.token);
            }
        }
        out
    }

    /// The same checks every request of the run will pass, done once: what passes here is
    /// exactly what the run can send.
    pub fn check(&self, builder: &mut RequestBuilder) -> Result<(), CoreError> {
        let probe = crate::request::CancelOptions {
            via: Some(self.via),
            call_id: "credential_check",
            base_url: self.base_url.as_deref(),
            api_key: match self.via {
                Via::Rest => self.api_key.as_deref(),
                Via::Webhook => None,
            },
            webhook: match self.via {
                Via::Rest => None,
                Via::Webhook => Some(self.webhook.as_deref().unwrap_or("")),
            },
            redact: false,
        };
        builder.build(&probe).map(|_| ())
    }
}

/// Options read per item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JobOptions {
    /// Attempts in all, the first included (retries only after 429, 5xx, timeouts).
    pub max_attempts: u32,
    /// Budget for the backoff waits of one item after server errors. Waits for the rate
    /// limit (pacing, a 429's pause) are not counted: they are the limit, not a failure.
    pub max_total_wait_ms: u64,
    pub timeout_ms: u64,
    /// A call that can no longer be cancelled fails the item (else it is an output).
    pub fail_on_not_cancellable: bool,
    /// Delete: a call that has not ended fails the item (else it is an output).
    pub fail_on_not_ended: bool,
    /// Delete: no ended call with that id (a wrong id, or its data already deleted) fails the
    /// item (else it is an output: for an erasure, "already gone" is usually the goal).
    pub fail_on_not_found: bool,
    /// Validate and show the request; send nothing.
    pub dry_run: bool,
}

impl Default for JobOptions {
    fn default() -> Self {
        JobOptions {
            max_attempts: 3,
            max_total_wait_ms: 30_000,
            timeout_ms: 30_000,
            fail_on_not_cancellable: false,
            fail_on_not_ended: false,
            fail_on_not_found: false,
            dry_run: false,
        }
    }
}

impl JobOptions {
    pub fn policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: self.max_attempts,
            max_total_wait_ms: self.max_total_wait_ms,
            ..RetryPolicy::default()
        }
    }
}

/// One item: its input as given (a call id, or whatever the item held), which credential
/// and options it uses (indices into the run's lists), and where the input came from.
#[derive(Debug, Clone, PartialEq)]
pub struct JobSpec<'a> {
    /// Read only while the run is made: it may borrow from the caller's parsed plan.
    pub input: Loose<'a>,
    pub credential: usize,
    pub options: usize,
    /// The item field the call id was read from, when the caller knows it (for messages
    /// about an item that lacks it).
    pub field: Option<String>,
    /// Set when the item's own options are invalid: it settles as `invalid_options`, unsent.
    pub problem: Option<String>,
}

impl<'a> JobSpec<'a> {
    /// An item about the call with id `call_id` (or, for schedule, a call object) through the run's first credential
    /// and first options set (what tests, benchmarks and the fuzzer mostly need).
    pub fn call(call_id: String) -> Self {
        JobSpec {
            input: Loose::Str(call_id.into()),
            credential: 0,
            options: 0,
            field: None,
            problem: None,
        }
    }
}

/// What came back for one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Answer<'a> {
    Response {
        status: u16,
        /// The `Retry-After` header, if any.
        retry_after: Option<&'a str>,
        /// The raw response text.
        body: &'a str,
        /// `Idempotent-Replayed: true`: the server repeated its first answer to this key.
        replayed: bool,
    },
    /// No HTTP response: a timeout or a failed connection, with the transport's code.
    NoResponse {
        kind: TransportError,
        code: Option<&'a str>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(webhook: &str, base_url: Option<&str>) -> Credential {
        Credential {
            key: "w".into(),
            via: Via::Webhook,
            api_key: None,
            webhook: Some(webhook.into()),
            base_url: base_url.map(str::to_string),
            authorize: false,
        }
    }

    #[test]
    fn secrets_include_the_token_of_a_pasted_url() {
        let c = hook("https://api.huskyvoice.ai/v1/hooks/tok_secret_1", None);
        assert_eq!(
            c.secrets(),
            vec![
                "https://api.huskyvoice.ai/v1/hooks/tok_secret_1",
                "tok_secret_1"
            ]
        );
    }

    #[test]
    fn check_applies_the_request_rules() {
        let mut b = RequestBuilder::default();
        assert!(hook("tok_1", None).check(&mut b).is_ok());
        assert!(hook("", None).check(&mut b).is_err());
        let e = hook(
            "https://api.huskyvoice.ai/v1/hooks/tok_1",
            Some("http://127.0.0.1:9"),
        )
        .check(&mut b)
        .unwrap_err();
        assert!(e.message.contains("base URL"), "{}", e.message);
    }
}
