//! What an answer meant, for every operation: the ten outcomes of API-CONTRACT §3.4 (cancel's
//! table, whose failure rows every operation shares) and the success and refusal outcomes of
//! schedule, get and delete (§6). Every response maps to exactly one.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Cancelled,
    Accepted,
    NotCancellable,
    NotFound,
    Unauthorized,
    Forbidden,
    RateLimited,
    QuotaExceeded,
    ServerError,
    InvalidResponse,
    /// Schedule: HuskyVoice created (or, for a repeated Idempotency-Key, had created) the call.
    Scheduled,
    /// Schedule: a 4xx refusal naming its reason (a validation error, a reused key).
    Rejected,
    /// Get: the call's current state and fields.
    Found,
    /// Delete: the call's personal data is erased.
    Deleted,
    /// Delete: the call has not ended yet (409 CALL_NOT_ENDED), so nothing was erased.
    NotEnded,
}

impl Outcome {
    pub const ALL: [Outcome; 15] = [
        Outcome::Cancelled,
        Outcome::Accepted,
        Outcome::NotCancellable,
        Outcome::NotFound,
        Outcome::Unauthorized,
        Outcome::Forbidden,
        Outcome::RateLimited,
        Outcome::QuotaExceeded,
        Outcome::ServerError,
        Outcome::InvalidResponse,
        Outcome::Scheduled,
        Outcome::Rejected,
        Outcome::Found,
        Outcome::Deleted,
        Outcome::NotEnded,
    ];

    /// Only throttling and server-side failures are worth another attempt (a create only with
    /// its first Idempotency-Key: the operation decides whether a repeat is safe).
    pub fn is_retryable(self) -> bool {
        matches!(self, Outcome::RateLimited | Outcome::ServerError)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Cancelled => "cancelled",
            Outcome::Accepted => "accepted",
            Outcome::NotCancellable => "not_cancellable",
            Outcome::NotFound => "not_found",
            Outcome::Unauthorized => "unauthorized",
            Outcome::Forbidden => "forbidden",
            Outcome::RateLimited => "rate_limited",
            Outcome::QuotaExceeded => "quota_exceeded",
            Outcome::ServerError => "server_error",
            Outcome::InvalidResponse => "invalid_response",
            Outcome::Scheduled => "scheduled",
            Outcome::Rejected => "rejected",
            Outcome::Found => "found",
            Outcome::Deleted => "deleted",
            Outcome::NotEnded => "not_ended",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_only_two_retry() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
            assert_eq!(
                serde_json::to_string(&o).unwrap(),
                format!("\"{}\"", o.as_str())
            );
        }
        let retryable: Vec<_> = Outcome::ALL
            .into_iter()
            .filter(|o| o.is_retryable())
            .collect();
        assert_eq!(retryable, vec![Outcome::RateLimited, Outcome::ServerError]);
        assert_eq!(Outcome::parse("CANCELLED"), None);
    }
}
