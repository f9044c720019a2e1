//! Everything the handlers share, and what "reset" goes back to.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use serde::Serialize;

use crate::auth::Auth;
use crate::cli::Options;
use crate::events::Events;
use crate::faults::Faults;
use crate::limits::{self, Limits};
use crate::log::{RequestLog, Stats};
use crate::state::{CallStore, SeedCall};

pub struct App {
    pub calls: CallStore,
    pub auth: Auth,
    pub faults: Faults,
    pub log: RequestLog,
    pub stats: Stats,
    pub limits: Limits,
    pub events: Events,
    latency_ms: AtomicU64,
    advance_every_ms: Option<u64>,
    /// The startup state that `POST /__sandbox/reset` restores.
    seed: Vec<SeedCall>,
    default_latency_ms: u64,
    default_log_requests: bool,
    started: Instant,
}

#[derive(Serialize)]
pub struct ConfigView {
    pub latency_ms: u64,
    pub log_requests: bool,
    pub advance_every_ms: Option<u64>,
    /// The normalised `COUNT/WINDOW`, e.g. `60/60s`.
    pub rate_limit: Option<String>,
    pub daily_quota: Option<u64>,
    pub zero_balance: bool,
    /// Requests counted against the daily quota today (UTC).
    pub quota_used: u64,
    /// Where signed call events go, or null; the secret itself is never shown.
    pub events_url: Option<String>,
    pub events_secret_set: bool,
    pub events_wrong_secret: bool,
    pub events_retry_ms: u64,
    pub events_max_attempts: u32,
}

impl App {
    pub fn new(options: &Options, seed: Vec<SeedCall>) -> Self {
        let calls = CallStore::default();
        let _ = calls.upsert(&seed);
        Self {
            calls,
            auth: Auth::new(&options.api_keys, &options.webhook_tokens),
            faults: Faults::default(),
            log: RequestLog::new(options.log_requests),
            stats: Stats::default(),
            limits: Limits::new(options.limits),
            events: Events::new(options.events.clone()),
            latency_ms: AtomicU64::new(options.latency_ms),
            advance_every_ms: options.advance_every_ms,
            seed,
            default_latency_ms: options.latency_ms,
            default_log_requests: options.log_requests,
            started: Instant::now(),
        }
    }

    /// Milliseconds since the sandbox started: the time base of the request log.
    pub fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    pub fn latency_ms(&self) -> u64 {
        self.latency_ms.load(Ordering::Relaxed)
    }

    pub fn set_latency_ms(&self, ms: u64) {
        self.latency_ms.store(ms, Ordering::Relaxed);
    }

    pub fn advance_every_ms(&self) -> Option<u64> {
        self.advance_every_ms
    }

    pub fn config(&self) -> ConfigView {
        let limits = self.limits.view(limits::unix_now_ms());
        let events = self.events.config();
        ConfigView {
            latency_ms: self.latency_ms(),
            log_requests: self.log.enabled(),
            advance_every_ms: self.advance_every_ms,
            rate_limit: limits.rate_limit,
            daily_quota: limits.daily_quota,
            zero_balance: limits.zero_balance,
            quota_used: limits.quota_used,
            events_url: events.url,
            events_secret_set: events.secret.is_some(),
            events_wrong_secret: events.wrong_secret,
            events_retry_ms: events.retry_ms,
            events_max_attempts: events.max_attempts,
        }
    }

    /// Every non-terminal call one state along (the `--advance-every` timer, or
    /// `POST /__sandbox/advance`), with an event for each move that has one.
    pub fn advance(&self) -> usize {
        let changes = self.calls.advance_all();
        let moved = changes.len();
        self.events.on_changes(changes);
        moved
    }

    /// Back to the startup state: seeded calls, no faults, empty log, zeroed counters,
    /// and the command-line latency, logging, limits (with empty windows and quota) and
    /// events settings (no event listed, and none retried).
    pub fn reset(&self) {
        self.events.reset();
        self.limits.reset();
        self.calls.reset(&self.seed);
        self.faults.clear();
        self.log.clear();
        self.stats.reset();
        self.set_latency_ms(self.default_latency_ms);
        self.log.set_enabled(self.default_log_requests);
    }
}
