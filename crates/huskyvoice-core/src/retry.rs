//! When to try again (API-CONTRACT §3.5): only `rate_limited` and `server_error`, bounded by
//! attempts and by the total time spent waiting. Exponential backoff with "equal jitter"
//! (half fixed, half random) so parallel items do not retry in lockstep; a server's
//! `Retry-After` is honoured as a minimum.

use crate::error::{CoreError, ErrorCode};
use crate::outcome::Outcome;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Budget for all waits of one item together.
    pub max_total_wait_ms: u64,
    /// The first backoff step; doubles each attempt.
    pub base_delay_ms: u64,
    /// No single backoff wait is longer than this (a `Retry-After` may be).
    pub max_delay_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            max_total_wait_ms: 30_000,
            base_delay_ms: 500,
            max_delay_ms: 10_000,
        }
    }
}

pub const MAX_ATTEMPTS_LIMIT: u32 = 100;

impl RetryPolicy {
    /// Builds a policy from optional numbers as JavaScript passes them, rejecting values that
    /// are not whole, non-negative and in range.
    pub fn from_parts(
        max_attempts: Option<f64>,
        max_total_wait_ms: Option<f64>,
        base_delay_ms: Option<f64>,
        max_delay_ms: Option<f64>,
    ) -> Result<RetryPolicy, CoreError> {
        let d = RetryPolicy::default();
        Ok(RetryPolicy {
            max_attempts: whole(
                "maxAttempts",
                max_attempts,
                d.max_attempts as f64,
                1.0,
                MAX_ATTEMPTS_LIMIT as f64,
            )? as u32,
            max_total_wait_ms: whole(
                "maxTotalWaitMs",
                max_total_wait_ms,
                d.max_total_wait_ms as f64,
                0.0,
                86_400_000.0,
            )? as u64,
            base_delay_ms: whole(
                "baseDelayMs",
                base_delay_ms,
                d.base_delay_ms as f64,
                0.0,
                3_600_000.0,
            )? as u64,
            max_delay_ms: whole(
                "maxDelayMs",
                max_delay_ms,
                d.max_delay_ms as f64,
                0.0,
                86_400_000.0,
            )? as u64,
        })
    }
}

fn whole(name: &str, v: Option<f64>, default: f64, min: f64, max: f64) -> Result<f64, CoreError> {
    let v = v.unwrap_or(default);
    if !v.is_finite() || v.fract() != 0.0 || v < min || v > max {
        return Err(CoreError::new(
            ErrorCode::InvalidOptions,
            format!(
                "Retry policy \"{name}\" must be a whole number from {} to {}; got {}.",
                min as u64,
                max as u64,
                crate::error::number_text(v)
            ),
        ));
    }
    Ok(v)
}

/// Milliseconds to wait before attempt `attempt + 1`, or `None` to stop.
///
/// `attempt` counts the attempts made so far (1 after the first failure); `waited_ms` is what
/// this item has already waited; `random` is a number in `[0, 1)` for the jitter.
pub fn retry_delay_ms(
    outcome: Outcome,
    retry_after_ms: Option<u64>,
    attempt: u32,
    waited_ms: u64,
    policy: &RetryPolicy,
    random: f64,
) -> Option<u64> {
    if !outcome.is_retryable() || attempt >= policy.max_attempts {
        return None;
    }
    let remaining = policy.max_total_wait_ms.saturating_sub(waited_ms);
    let r = if random.is_finite() {
        random.clamp(0.0, 1.0)
    } else {
        0.5
    };
    if let Some(after) = retry_after_ms {
        // Retrying before the server allows only earns another 429: stop instead.
        if after > remaining {
            return None;
        }
        let spread = policy.base_delay_ms.min(remaining - after) / 4;
        return Some(after + (spread as f64 * r) as u64);
    }
    let step = policy
        .base_delay_ms
        .saturating_mul(1u64 << attempt.saturating_sub(1).min(32))
        .min(policy.max_delay_ms);
    let delay = step / 2 + ((step - step / 2) as f64 * r) as u64;
    if remaining == 0 && delay > 0 {
        return None;
    }
    Some(delay.min(remaining))
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: RetryPolicy = RetryPolicy {
        max_attempts: 4,
        max_total_wait_ms: 10_000,
        base_delay_ms: 400,
        max_delay_ms: 1000,
    };

    #[test]
    fn never_retries_final_outcomes() {
        for o in Outcome::ALL.into_iter().filter(|o| !o.is_retryable()) {
            assert_eq!(retry_delay_ms(o, None, 1, 0, &P, 0.5), None, "{o:?}");
            assert_eq!(retry_delay_ms(o, Some(10), 1, 0, &P, 0.5), None, "{o:?}");
        }
    }

    #[test]
    fn exponential_with_equal_jitter_and_cap() {
        let d = |attempt, r| retry_delay_ms(Outcome::ServerError, None, attempt, 0, &P, r);
        assert_eq!(d(1, 0.0), Some(200));
        assert_eq!(d(1, 0.999_999), Some(399));
        assert_eq!(d(2, 0.0), Some(400));
        assert_eq!(d(3, 0.0), Some(500)); // 1600 capped to 1000
        assert_eq!(d(4, 0.0), None); // 4 attempts made
    }

    #[test]
    fn honours_retry_after_within_budget() {
        let d = retry_delay_ms(Outcome::RateLimited, Some(1000), 1, 0, &P, 0.0);
        assert_eq!(d, Some(1000));
        let d = retry_delay_ms(Outcome::RateLimited, Some(1000), 1, 0, &P, 0.99).unwrap();
        assert!((1000..=1100).contains(&d), "{d}");
        assert_eq!(
            retry_delay_ms(Outcome::RateLimited, Some(20_000), 1, 0, &P, 0.0),
            None
        );
        assert_eq!(
            retry_delay_ms(Outcome::RateLimited, Some(1000), 1, 9_500, &P, 0.0),
            None
        );
    }

    #[test]
    fn backoff_is_clamped_to_remaining_budget() {
        assert_eq!(
            retry_delay_ms(Outcome::ServerError, None, 2, 9_900, &P, 0.9),
            Some(100)
        );
        assert_eq!(
            retry_delay_ms(Outcome::ServerError, None, 2, 10_000, &P, 0.9),
            None
        );
    }

    #[test]
    fn policy_from_parts_validates() {
        assert_eq!(
            RetryPolicy::from_parts(None, None, None, None).unwrap(),
            RetryPolicy::default()
        );
        assert!(RetryPolicy::from_parts(Some(0.0), None, None, None).is_err());
        assert!(RetryPolicy::from_parts(Some(2.5), None, None, None).is_err());
        assert!(RetryPolicy::from_parts(None, Some(-1.0), None, None).is_err());
        assert!(RetryPolicy::from_parts(None, Some(f64::NAN), None, None).is_err());
        let e = RetryPolicy::from_parts(Some(1000.0), None, None, None).unwrap_err();
        assert!(e.message.contains("maxAttempts"));
    }
}
