//! Call events HuskyVoice posts to a receiver (API-CONTRACT §7), judged the way a webhook
//! library judges them (Stripe's `constructEvent`, GitHub's `verify`): the signature over the
//! body's exact bytes first, then the envelope. A receiver answers [`Rejection::http_status`]
//! and starts nothing for any rejection.

mod envelope;
mod reception;
mod replay;
mod secret;
mod signature;

pub use envelope::{parse_envelope, Event};
pub use reception::{receive, EventFilter, EventItem, Reception, Skip, EVENT_TYPES};
pub use replay::{ReplayGuard, ReplayLimits, Sighting};
pub use secret::{check_secret, check_secrets};
pub use signature::{parse_signature, sign, SIGNATURE_HEADER};

use serde::Serialize;

/// Why an event was not accepted. Messages name what was wrong and how to fix it; none quotes
/// the secret, the signature or a forged body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Rejection {
    /// The receiver has no signing secret: a setup mistake, not the sender's.
    NoSecret {
        message: String,
    },
    MissingSignature {
        message: String,
    },
    MalformedSignature {
        message: String,
    },
    WrongSignature {
        message: String,
    },
    /// Signed correctly, but the body is not HuskyVoice's event envelope.
    NotAnEvent {
        message: String,
    },
}

impl Rejection {
    pub fn message(&self) -> &str {
        match self {
            Rejection::NoSecret { message }
            | Rejection::MissingSignature { message }
            | Rejection::MalformedSignature { message }
            | Rejection::WrongSignature { message }
            | Rejection::NotAnEvent { message } => message,
        }
    }

    /// The stable name of the reason, as serialised (`missing_signature`, …).
    pub fn reason(&self) -> &'static str {
        match self {
            Rejection::NoSecret { .. } => "no_secret",
            Rejection::MissingSignature { .. } => "missing_signature",
            Rejection::MalformedSignature { .. } => "malformed_signature",
            Rejection::WrongSignature { .. } => "wrong_signature",
            Rejection::NotAnEvent { .. } => "not_an_event",
        }
    }

    /// What the receiver answers: 401 when the sender did not prove it holds the secret, 400
    /// for a signed body that is no event, 500 when the receiver itself has no secret (the
    /// sender retries it later, once the receiver is set up).
    pub fn http_status(&self) -> u16 {
        match self {
            Rejection::NoSecret { .. } => 500,
            Rejection::MissingSignature { .. }
            | Rejection::MalformedSignature { .. }
            | Rejection::WrongSignature { .. } => 401,
            Rejection::NotAnEvent { .. } => 400,
        }
    }
}

/// Checks `signature_header` (the value of `X-Husky-Signature`, `None` when absent) against
/// the HMAC-SHA256 of `body` (the request's bytes exactly as received) keyed with `secret`,
/// in constant time, then parses the envelope. `secret` is trimmed: a secret pasted with a
/// trailing newline is still the secret (HuskyVoice's secrets hold no spaces).
pub fn verify_event(
    secret: &str,
    body: &[u8],
    signature_header: Option<&str>,
) -> Result<Event, Rejection> {
    verify_event_any(&[secret], body, signature_header)
}

/// [`verify_event`] with more than one secret, for a rotation (as `@octokit/webhooks`'
/// `verifyWithFallback`): the new secret and the one it replaces, until every delivery signed
/// with the old one has arrived. Verified if any of them signed the body; empty ones are
/// ignored, and none left is [`Rejection::NoSecret`].
pub fn verify_event_any(
    secrets: &[&str],
    body: &[u8],
    signature_header: Option<&str>,
) -> Result<Event, Rejection> {
    let mut secrets = secrets
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .peekable();
    if secrets.peek().is_none() {
        return Err(Rejection::NoSecret {
            message: "No signing secret is set. Copy the endpoint's secret from HuskyVoice (Integrations › Outbound Webhooks) into the receiver's settings.".to_string(),
        });
    }
    let expected = parse_signature(signature_header)?;
    // Every secret is tried, each in constant time: which one matched is not revealed by
    // when the answer comes.
    let mut outcome = Err(signature::mismatch());
    for secret in secrets {
        let result = signature::verify(secret.as_bytes(), body, &expected);
        if outcome.is_err() {
            outcome = result;
        }
    }
    outcome?;
    parse_envelope(body)
}

#[cfg(test)]
mod tests;
