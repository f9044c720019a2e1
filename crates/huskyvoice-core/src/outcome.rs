//! The ten outcomes of API-CONTRACT §3.4. Every response maps to exactly one.

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
}

impl Outcome {
    pub const ALL: [Outcome; 10] = [
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
    ];

    /// Only throttling and server-side failures are worth another attempt: cancel is
    /// idempotent, so repeating the POST is safe.
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
