//! The limits HuskyVoice documents (API-CONTRACT §5): a sliding-window rate limit per
//! credential, a daily request quota for the whole organisation, and a zero credit balance.
//!
//! `SlidingWindows` and `DailyQuota` are pure: the time is an argument, so the tests run
//! them in virtual time without sleeping. `Limits` wraps them for the handlers and the
//! runtime config (`POST /__sandbox/config`).

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

const DAY_MS: u64 = 86_400_000;

/// `COUNT/WINDOW`: at most COUNT accepted requests per credential in any WINDOW.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub count: u32,
    pub window_ms: u64,
}

impl RateLimit {
    /// `60/60s`, `20/2s`, `10/500ms`, `100/1m`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let shape = || {
            format!(
                "expects COUNT/WINDOW such as 60/60s, 20/2s or 10/500ms \
                 (WINDOW units: ms, s, m), got `{text}`"
            )
        };
        let (count, window) = text.split_once('/').ok_or_else(shape)?;
        let count: u32 = count.parse().map_err(|_| shape())?;
        // `ms` before `s` and `m`: it ends in `s` too.
        let (number, unit_ms) = if let Some(number) = window.strip_suffix("ms") {
            (number, 1)
        } else if let Some(number) = window.strip_suffix('s') {
            (number, 1_000)
        } else if let Some(number) = window.strip_suffix('m') {
            (number, 60_000)
        } else {
            return Err(shape());
        };
        let number: u64 = number.parse().map_err(|_| shape())?;
        let window_ms = number.checked_mul(unit_ms).ok_or_else(shape)?;
        if count == 0 {
            return Err(format!("COUNT must be at least 1, got `{text}`"));
        }
        if window_ms == 0 {
            return Err(format!("WINDOW must be longer than 0, got `{text}`"));
        }
        Ok(Self { count, window_ms })
    }

    /// The window in whole seconds when it is one (minutes too: `1m` reads `60s`, as
    /// HuskyVoice's own "60 requests per 60 s"), else in ms.
    pub fn window_text(&self) -> String {
        if self.window_ms % 1_000 == 0 {
            format!("{}s", self.window_ms / 1_000)
        } else {
            format!("{}ms", self.window_ms)
        }
    }
}

/// The normalised form shown by `GET /__sandbox/config`.
impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.count, self.window_text())
    }
}

/// What a request is counted against. A key and a token with the same text are distinct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    ApiKey,
    WebhookToken,
}

impl CredentialKind {
    fn index(self) -> usize {
        match self {
            Self::ApiKey => 0,
            Self::WebhookToken => 1,
        }
    }

    /// How the 429 message names it (never the credential itself).
    pub fn describe(self) -> &'static str {
        match self {
            Self::ApiKey => "API key",
            Self::WebhookToken => "webhook token",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Admission {
    /// Counted; `in_window` is how many accepted requests the window holds now.
    Accepted { in_window: u32 },
    /// Not counted; the oldest request in the window leaves it in `retry_after_s` (≥ 1).
    Limited { retry_after_s: u64 },
}

/// Below this many tracked credentials, idle ones are not swept.
const MIN_SWEEP: usize = 1_024;

/// One sliding window per credential: the arrival times (ms) of its accepted requests
/// still inside the window, oldest first. A window never holds more than COUNT entries.
pub struct SlidingWindows {
    limit: RateLimit,
    /// Indexed by `CredentialKind::index`, so lookups by `&str` need no allocation.
    windows: [HashMap<String, VecDeque<u64>>; 2],
    /// Sweep idle credentials when this many are tracked; doubles with the live ones, so
    /// sweeping costs O(1) per request amortised and memory stays bounded.
    sweep_at: usize,
    /// The latest time seen: callers read the clock before taking the lock, so two
    /// racing requests may arrive slightly out of order; this keeps each window sorted.
    latest_ms: u64,
}

impl SlidingWindows {
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            windows: [HashMap::new(), HashMap::new()],
            sweep_at: MIN_SWEEP,
            latest_ms: 0,
        }
    }

    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Accepted if fewer than COUNT accepted requests of this credential arrived in
    /// (now - WINDOW, now]; only accepted requests are recorded.
    pub fn admit(&mut self, kind: CredentialKind, credential: &str, now_ms: u64) -> Admission {
        let now_ms = now_ms.max(self.latest_ms);
        self.latest_ms = now_ms;
        if self.tracked() >= self.sweep_at {
            self.sweep(now_ms);
        }
        let RateLimit { count, window_ms } = self.limit;
        let map = &mut self.windows[kind.index()];
        let window = match map.get_mut(credential) {
            Some(window) => window,
            None => map.entry(credential.to_owned()).or_default(),
        };
        // An arrival at `at` has left the window once now - at >= WINDOW.
        while window
            .front()
            .is_some_and(|&at| now_ms.saturating_sub(at) >= window_ms)
        {
            window.pop_front();
        }
        if window.len() < count as usize {
            window.push_back(now_ms);
            // len <= count, which is a u32.
            let in_window = u32::try_from(window.len()).unwrap_or(count);
            return Admission::Accepted { in_window };
        }
        let oldest = window.front().copied().unwrap_or(now_ms);
        let wait_ms = oldest.saturating_add(window_ms).saturating_sub(now_ms);
        Admission::Limited {
            retry_after_s: wait_ms.div_ceil(1_000).max(1),
        }
    }

    /// How many credentials have a window (live or idle).
    pub fn tracked(&self) -> usize {
        self.windows.iter().map(HashMap::len).sum()
    }

    /// Forgets the credentials whose newest accepted request has left the window.
    fn sweep(&mut self, now_ms: u64) {
        let window_ms = self.limit.window_ms;
        for map in &mut self.windows {
            map.retain(|_, window| {
                window
                    .back()
                    .is_some_and(|&at| now_ms.saturating_sub(at) < window_ms)
            });
        }
        self.sweep_at = MIN_SWEEP.max(2 * self.tracked());
    }
}

/// Seconds from `now_unix_ms` to the next 00:00 UTC, rounded up: 1 to 86400.
pub fn seconds_until_midnight_utc(now_unix_ms: u64) -> u64 {
    let next_midnight_ms = (now_unix_ms / DAY_MS + 1) * DAY_MS;
    (next_midnight_ms - now_unix_ms).div_ceil(1_000)
}

/// The wall clock for the quota (windows use the sandbox's monotonic clock instead).
pub fn unix_now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        })
}

/// Requests of the whole organisation per UTC day. Counts only while a quota is set.
#[derive(Debug)]
pub struct DailyQuota {
    quota: Option<u64>,
    used: u64,
    /// The UTC day (days since 1970-01-01) that `used` belongs to.
    day: u64,
}

impl DailyQuota {
    pub fn new(quota: Option<u64>) -> Self {
        Self {
            quota,
            used: 0,
            day: 0,
        }
    }

    pub fn quota(&self) -> Option<u64> {
        self.quota
    }

    /// A new quota keeps today's count: only midnight and a reset clear it.
    pub fn set_quota(&mut self, quota: Option<u64>) {
        self.quota = quota;
    }

    /// Today's count as of `now_unix_ms` (0 once the day it belongs to is over).
    pub fn used(&self, now_unix_ms: u64) -> u64 {
        if now_unix_ms / DAY_MS == self.day {
            self.used
        } else {
            0
        }
    }

    /// `Err(seconds until 00:00 UTC)` once today's quota is used up; else counts once.
    pub fn admit(&mut self, now_unix_ms: u64) -> Result<(), u64> {
        let Some(quota) = self.quota else {
            return Ok(());
        };
        let today = now_unix_ms / DAY_MS;
        if today != self.day {
            self.day = today;
            self.used = 0;
        }
        if self.used >= quota {
            return Err(seconds_until_midnight_utc(now_unix_ms));
        }
        self.used += 1;
        Ok(())
    }
}

/// The command-line values, which `POST /__sandbox/reset` restores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LimitSettings {
    pub rate_limit: Option<RateLimit>,
    pub daily_quota: Option<u64>,
    pub zero_balance: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// `in_window` is set when a rate limit counted the request.
    Pass {
        in_window: Option<u32>,
    },
    RateLimited {
        limit: RateLimit,
        retry_after_s: u64,
    },
    QuotaExceeded {
        quota: u64,
        retry_after_s: u64,
    },
}

struct Counters {
    windows: Option<SlidingWindows>,
    quota: DailyQuota,
}

/// The limits as the handlers and the test controls see them.
pub struct Limits {
    counters: Mutex<Counters>,
    /// Lets the hot path skip the lock when neither a rate limit nor a quota is set.
    counting: AtomicBool,
    zero_balance: AtomicBool,
    defaults: LimitSettings,
}

#[derive(Debug, PartialEq, Eq)]
pub struct LimitsView {
    pub rate_limit: Option<String>,
    pub daily_quota: Option<u64>,
    pub zero_balance: bool,
    pub quota_used: u64,
}

impl Limits {
    pub fn new(defaults: LimitSettings) -> Self {
        let limits = Self {
            counters: Mutex::new(Counters {
                windows: None,
                quota: DailyQuota::new(None),
            }),
            counting: AtomicBool::new(false),
            zero_balance: AtomicBool::new(false),
            defaults,
        };
        limits.reset();
        limits
    }

    fn lock(&self) -> MutexGuard<'_, Counters> {
        crate::sync::lock(&self.counters)
    }

    fn update_counting(&self, counters: &Counters) {
        let counting = counters.windows.is_some() || counters.quota.quota().is_some();
        self.counting.store(counting, Ordering::Release);
    }

    /// Whether a rate limit or a quota is set (the hot path skips the rest otherwise).
    pub fn counting(&self) -> bool {
        self.counting.load(Ordering::Acquire)
    }

    pub fn zero_balance(&self) -> bool {
        self.zero_balance.load(Ordering::Relaxed)
    }

    pub fn set_zero_balance(&self, zero: bool) {
        self.zero_balance.store(zero, Ordering::Relaxed);
    }

    /// Replaces the rate limit and forgets every window, even for the same limit.
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        let mut counters = self.lock();
        counters.windows = limit.map(SlidingWindows::new);
        self.update_counting(&counters);
    }

    pub fn set_daily_quota(&self, quota: Option<u64>) {
        let mut counters = self.lock();
        counters.quota.set_quota(quota);
        self.update_counting(&counters);
    }

    /// Back to the command-line values, with empty windows and a zero quota count.
    pub fn reset(&self) {
        let mut counters = self.lock();
        counters.windows = self.defaults.rate_limit.map(SlidingWindows::new);
        counters.quota = DailyQuota::new(self.defaults.daily_quota);
        self.update_counting(&counters);
        self.set_zero_balance(self.defaults.zero_balance);
    }

    pub fn view(&self, now_unix_ms: u64) -> LimitsView {
        let counters = self.lock();
        LimitsView {
            rate_limit: counters
                .windows
                .as_ref()
                .map(|windows| windows.limit().to_string()),
            daily_quota: counters.quota.quota(),
            zero_balance: self.zero_balance(),
            quota_used: counters.quota.used(now_unix_ms),
        }
    }

    /// The rate limit first, then the quota: a request the rate limit refuses is not
    /// counted by either; one the quota refuses still took its place in the window.
    /// `now_ms` is monotonic (windows), `now_unix_ms` the wall clock (midnight UTC).
    pub fn admit(
        &self,
        kind: CredentialKind,
        credential: &str,
        now_ms: u64,
        now_unix_ms: u64,
    ) -> Verdict {
        let mut counters = self.lock();
        let mut in_window = None;
        if let Some(windows) = counters.windows.as_mut() {
            match windows.admit(kind, credential, now_ms) {
                Admission::Accepted { in_window: count } => in_window = Some(count),
                Admission::Limited { retry_after_s } => {
                    return Verdict::RateLimited {
                        limit: windows.limit(),
                        retry_after_s,
                    }
                }
            }
        }
        if let Some(quota) = counters.quota.quota() {
            if let Err(retry_after_s) = counters.quota.admit(now_unix_ms) {
                return Verdict::QuotaExceeded {
                    quota,
                    retry_after_s,
                };
            }
        }
        Verdict::Pass { in_window }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: CredentialKind = CredentialKind::ApiKey;
    const TOKEN: CredentialKind = CredentialKind::WebhookToken;

    fn limit(text: &str) -> RateLimit {
        RateLimit::parse(text).expect("valid rate limit")
    }

    fn accepted(admission: &Admission) -> bool {
        matches!(admission, Admission::Accepted { .. })
    }

    #[test]
    fn parses_and_normalises_rate_limits() {
        let cases = [
            ("60/60s", 60, 60_000, "60/60s"),
            ("20/2s", 20, 2_000, "20/2s"),
            ("10/500ms", 10, 500, "10/500ms"),
            ("100/1m", 100, 60_000, "100/60s"),
            ("5/1000ms", 5, 1_000, "5/1s"),
            (" 1/1ms ", 1, 1, "1/1ms"),
        ];
        for (text, count, window_ms, shown) in cases {
            let parsed = limit(text);
            assert_eq!(
                (parsed.count, parsed.window_ms),
                (count, window_ms),
                "{text}"
            );
            assert_eq!(parsed.to_string(), shown, "{text}");
            assert_eq!(RateLimit::parse(shown), Ok(parsed), "round trip of {shown}");
        }
    }

    #[test]
    fn rejects_bad_rate_limits() {
        for bad in [
            "",
            "60",
            "60/",
            "/60s",
            "60/60",
            "60/60h",
            "0/1s",
            "5/0ms",
            "-1/1s",
            "1.5/1s",
            "5/1.5s",
            "5/ 1s",
            "a/1s",
            "5/s",
            "99999999999/1s",
            "1/99999999999999999m",
        ] {
            let err = RateLimit::parse(bad).expect_err(bad);
            assert!(err.contains(bad.trim()), "{bad}: {err}");
        }
        assert!(RateLimit::parse("0/1s")
            .expect_err("zero count")
            .contains("at least 1"));
        assert!(RateLimit::parse("3/0s")
            .expect_err("zero window")
            .contains("longer than 0"));
    }

    /// Requests at pseudo-random times, checked against the definition: a request is
    /// accepted exactly when fewer than COUNT accepted ones lie in (now - WINDOW, now].
    #[test]
    fn exactly_count_accepted_in_any_window() {
        let rate = limit("5/1s");
        let mut windows = SlidingWindows::new(rate);
        let mut accepted_at: Vec<u64> = Vec::new();
        let mut now = 0u64;
        let mut seed = 0x2545_f491_u64;
        for _ in 0..20_000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            now += (seed >> 33) % 120; // bursts (0 ms apart) and gaps
            let in_window = accepted_at
                .iter()
                .filter(|&&at| now - at < rate.window_ms)
                .count();
            let admission = windows.admit(KEY, "k", now);
            assert_eq!(accepted(&admission), in_window < 5, "at {now} ms");
            if let Admission::Accepted { in_window: held } = admission {
                assert_eq!(held as usize, in_window + 1);
                accepted_at.push(now);
            }
        }
        // Every window of 1 s holds at most 5, and busy stretches do reach 5.
        for (i, &start) in accepted_at.iter().enumerate() {
            let held = accepted_at[i..]
                .iter()
                .take_while(|&&at| at - start < rate.window_ms)
                .count();
            assert!(held <= 5, "{held} accepted in the window from {start} ms");
        }
        assert!(accepted_at.windows(5).any(|w| w[4] - w[0] < rate.window_ms));
    }

    #[test]
    fn retry_after_is_whole_seconds_rounded_up_until_the_oldest_leaves() {
        let mut windows = SlidingWindows::new(limit("3/1s"));
        for at in [0, 100, 200] {
            assert!(accepted(&windows.admit(KEY, "k", at)));
        }
        for (at, expected) in [(300, 1), (999, 1)] {
            assert_eq!(
                windows.admit(KEY, "k", at),
                Admission::Limited {
                    retry_after_s: expected
                }
            );
        }
        // (now - 1 s, now]: the request at 0 has left at exactly 1000.
        assert_eq!(
            windows.admit(KEY, "k", 1_000),
            Admission::Accepted { in_window: 3 }
        );

        let mut slow = SlidingWindows::new(limit("1/2500ms"));
        assert!(accepted(&slow.admit(KEY, "k", 10_000)));
        for (at, expected) in [(10_001, 3), (11_499, 2), (11_500, 1), (12_499, 1)] {
            assert_eq!(
                slow.admit(KEY, "k", at),
                Admission::Limited {
                    retry_after_s: expected
                },
                "at {at}"
            );
        }
        assert!(accepted(&slow.admit(KEY, "k", 12_500)));
    }

    #[test]
    fn credentials_are_independent() {
        let mut windows = SlidingWindows::new(limit("2/1s"));
        for _ in 0..2 {
            assert!(accepted(&windows.admit(KEY, "a", 5)));
        }
        assert!(!accepted(&windows.admit(KEY, "a", 5)));
        // Another key, and a webhook token with the same text, have windows of their own.
        for credential in [(KEY, "b"), (TOKEN, "a"), (TOKEN, "b")] {
            assert_eq!(
                windows.admit(credential.0, credential.1, 5),
                Admission::Accepted { in_window: 1 }
            );
        }
        assert!(!accepted(&windows.admit(KEY, "a", 6)));
    }

    #[test]
    fn rejected_requests_are_not_counted() {
        let mut windows = SlidingWindows::new(limit("1/1s"));
        assert!(accepted(&windows.admit(KEY, "k", 0)));
        for at in (1..1_000).step_by(7) {
            assert!(!accepted(&windows.admit(KEY, "k", at)));
        }
        // Had the rejections counted, the window would still be full here.
        assert!(accepted(&windows.admit(KEY, "k", 1_000)));
    }

    #[test]
    fn out_of_order_clock_reads_keep_the_window_sorted() {
        let mut windows = SlidingWindows::new(limit("2/100ms"));
        assert!(accepted(&windows.admit(KEY, "k", 50)));
        assert!(accepted(&windows.admit(KEY, "k", 49))); // counted as 50
        assert!(!accepted(&windows.admit(KEY, "k", 149)));
        assert_eq!(
            windows.admit(KEY, "k", 150),
            Admission::Accepted { in_window: 1 }
        );
    }

    #[test]
    fn idle_credentials_are_forgotten() {
        let mut windows = SlidingWindows::new(limit("1/10ms"));
        for i in 0..100_000u64 {
            windows.admit(KEY, &format!("sk_{i}"), i);
        }
        assert!(windows.tracked() <= MIN_SWEEP + 1, "{}", windows.tracked());
    }

    // 2024-03-10T23:59:30.000Z, a known instant.
    const LATE_EVENING_MS: u64 = 1_710_115_170_000;

    #[test]
    fn next_midnight_utc() {
        assert_eq!(seconds_until_midnight_utc(0), 86_400);
        assert_eq!(seconds_until_midnight_utc(1), 86_400);
        assert_eq!(seconds_until_midnight_utc(DAY_MS - 1_000), 1);
        assert_eq!(seconds_until_midnight_utc(DAY_MS - 1), 1);
        assert_eq!(seconds_until_midnight_utc(DAY_MS), 86_400);
        assert_eq!(seconds_until_midnight_utc(LATE_EVENING_MS), 30);
        assert_eq!(seconds_until_midnight_utc(LATE_EVENING_MS + 29_500), 1);
        let now = unix_now_ms();
        assert!((1..=86_400).contains(&seconds_until_midnight_utc(now)));
    }

    #[test]
    fn quota_counts_until_midnight_then_starts_over() {
        let mut quota = DailyQuota::new(Some(2));
        assert_eq!(quota.admit(LATE_EVENING_MS), Ok(()));
        assert_eq!(quota.admit(LATE_EVENING_MS + 1), Ok(()));
        assert_eq!(quota.admit(LATE_EVENING_MS + 2), Err(30));
        assert_eq!(quota.used(LATE_EVENING_MS), 2, "refusals are not counted");
        let next_day = LATE_EVENING_MS + 30_000;
        assert_eq!(quota.used(next_day), 0);
        assert_eq!(quota.admit(next_day), Ok(()));
        assert_eq!(quota.used(next_day), 1);
        quota.set_quota(Some(1));
        assert_eq!(quota.admit(next_day), Err(86_400));

        let mut off = DailyQuota::new(None);
        assert_eq!(off.admit(5), Ok(()));
        assert_eq!(off.used(5), 0, "no counting without a quota");
        assert_eq!(DailyQuota::new(Some(0)).admit(0), Err(86_400));
    }

    #[test]
    fn limits_apply_rate_limit_then_quota_and_reset_to_defaults() {
        let defaults = LimitSettings {
            rate_limit: Some(limit("2/1s")),
            daily_quota: Some(3),
            zero_balance: true,
        };
        let limits = Limits::new(defaults);
        let day = LATE_EVENING_MS;
        assert_eq!(
            limits.admit(KEY, "a", 0, day),
            Verdict::Pass { in_window: Some(1) }
        );
        assert_eq!(
            limits.admit(KEY, "a", 0, day),
            Verdict::Pass { in_window: Some(2) }
        );
        assert_eq!(
            limits.admit(KEY, "a", 0, day),
            Verdict::RateLimited {
                limit: limit("2/1s"),
                retry_after_s: 1
            }
        );
        assert_eq!(
            limits.admit(TOKEN, "t", 0, day),
            Verdict::Pass { in_window: Some(1) }
        );
        assert_eq!(
            limits.admit(TOKEN, "t", 0, day),
            Verdict::QuotaExceeded {
                quota: 3,
                retry_after_s: 30
            }
        );
        assert_eq!(limits.view(day).quota_used, 3);

        // A new limit forgets the windows; switching everything off passes everything.
        limits.set_rate_limit(Some(limit("2/1s")));
        limits.set_daily_quota(None);
        limits.set_zero_balance(false);
        assert_eq!(
            limits.admit(KEY, "a", 0, day),
            Verdict::Pass { in_window: Some(1) }
        );
        limits.set_rate_limit(None);
        assert_eq!(
            limits.view(day),
            LimitsView {
                rate_limit: None,
                daily_quota: None,
                zero_balance: false,
                quota_used: 3
            }
        );
        for _ in 0..10 {
            assert_eq!(
                limits.admit(KEY, "a", 0, day),
                Verdict::Pass { in_window: None }
            );
        }

        limits.reset();
        assert_eq!(
            limits.view(day),
            LimitsView {
                rate_limit: Some("2/1s".into()),
                daily_quota: Some(3),
                zero_balance: true,
                quota_used: 0
            }
        );
    }
}
