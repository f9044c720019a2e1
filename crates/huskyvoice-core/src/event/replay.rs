//! The replay guard: which verified events a receiver has already acted on. A sender that
//! retries (or anyone replaying a captured delivery) sends the same signed `event_id` again;
//! the receiver acknowledges it and starts nothing.
//!
//! Bounded two ways, so it fits in an n8n workflow's static data:
//! - **age**: an event created more than `max_age_ms` before now is [`Sighting::TooOld`]; the
//!   guard forgets ids that old, so it could no longer tell a repeat from a first delivery.
//! - **size**: at most `max_events` ids; when full, the oldest-created is forgotten and the
//!   guard refuses anything created at or before it ([`Sighting::TooOld`] again), so a
//!   forgotten id never counts as new. Under a burst larger than `max_events` within the age
//!   window, a genuine delivery that late is refused too: raise `max_events` for such a load.
//!
//! Serialisable (serde) with its limits, so it can be saved after each event and restored.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::Event;
use crate::error::{CoreError, ErrorCode};
use crate::iso_time::parse_rfc3339_ms;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayLimits {
    pub max_events: usize,
    pub max_age_ms: i64,
}

impl ReplayLimits {
    pub const MAX_EVENTS: std::ops::RangeInclusive<usize> = 1..=100_000;
    /// One second to thirty days.
    pub const MAX_AGE_MS: std::ops::RangeInclusive<i64> = 1_000..=30 * 86_400_000;

    pub fn checked(self) -> Result<ReplayLimits, CoreError> {
        let bad = |what: String| Err(CoreError::new(ErrorCode::InvalidOptions, what));
        if !Self::MAX_EVENTS.contains(&self.max_events) {
            return bad(format!(
                "Replay guard: max_events is {}; use a whole number from 1 to 100000 (how many recent event ids to remember).",
                self.max_events
            ));
        }
        if !Self::MAX_AGE_MS.contains(&self.max_age_ms) {
            return bad(format!(
                "Replay guard: max_age_ms is {}; use milliseconds from 1000 (a second) to 2592000000 (30 days).",
                self.max_age_ms
            ));
        }
        Ok(self)
    }
}

impl Default for ReplayLimits {
    /// A day of events, up to 1,000 of them: about 50 KB of static data.
    fn default() -> Self {
        ReplayLimits {
            max_events: 1_000,
            max_age_ms: 86_400_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sighting {
    /// Not seen before: act on it.
    FirstSeen,
    /// Seen within the guard's memory: acknowledge, start nothing.
    Duplicate,
    /// Older than the guard remembers: acknowledge, start nothing (it cannot be told apart
    /// from a replay).
    TooOld,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "GuardState", into = "GuardState")]
pub struct ReplayGuard {
    limits: ReplayLimits,
    /// Nothing created at or before this (ms) counts as new: an id that old may be forgotten.
    horizon_ms: Option<i64>,
    created_by_id: HashMap<String, i64>,
    by_created: BTreeSet<(i64, String)>,
}

/// The saved form: limits, horizon and `[event_id, created_ms]` pairs, oldest first.
#[derive(Serialize, Deserialize)]
struct GuardState {
    max_events: usize,
    max_age_ms: i64,
    horizon_ms: Option<i64>,
    seen: Vec<(String, i64)>,
}

impl ReplayGuard {
    pub fn new(limits: ReplayLimits) -> Result<ReplayGuard, CoreError> {
        Ok(ReplayGuard {
            limits: limits.checked()?,
            horizon_ms: None,
            created_by_id: HashMap::new(),
            by_created: BTreeSet::new(),
        })
    }

    pub fn limits(&self) -> ReplayLimits {
        self.limits
    }

    pub fn len(&self) -> usize {
        self.by_created.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_created.is_empty()
    }

    /// The same memory under new limits (a user changed them): the oldest ids beyond
    /// `max_events` are forgotten as if evicted.
    pub fn with_limits(mut self, limits: ReplayLimits) -> Result<ReplayGuard, CoreError> {
        self.limits = limits.checked()?;
        while self.by_created.len() > self.limits.max_events {
            self.evict_oldest();
        }
        Ok(self)
    }

    /// Judges a verified event at `now_ms` and remembers it when first seen.
    pub fn check(&mut self, event: &Event, now_ms: f64) -> Sighting {
        // `verify_event` only passes events whose created_at parses.
        let created = parse_rfc3339_ms(&event.created_at).unwrap_or(i64::MIN);
        self.check_id(&event.event_id, created, now_ms)
    }

    pub fn check_id(&mut self, event_id: &str, created_ms: i64, now_ms: f64) -> Sighting {
        let now = if now_ms.is_finite() { now_ms as i64 } else { 0 };
        let oldest_kept = now.saturating_sub(self.limits.max_age_ms);
        while let Some((created, _)) = self.by_created.first() {
            if *created >= oldest_kept {
                break;
            }
            if let Some((_, id)) = self.by_created.pop_first() {
                self.created_by_id.remove(&id);
            }
        }
        if created_ms < oldest_kept {
            return Sighting::TooOld;
        }
        if self.created_by_id.contains_key(event_id) {
            return Sighting::Duplicate;
        }
        if self.horizon_ms.is_some_and(|h| created_ms <= h) {
            return Sighting::TooOld;
        }
        if self.by_created.len() >= self.limits.max_events {
            self.evict_oldest();
        }
        self.created_by_id.insert(event_id.to_string(), created_ms);
        self.by_created.insert((created_ms, event_id.to_string()));
        Sighting::FirstSeen
    }

    fn evict_oldest(&mut self) {
        if let Some((created, id)) = self.by_created.pop_first() {
            self.created_by_id.remove(&id);
            self.horizon_ms = Some(self.horizon_ms.map_or(created, |h| h.max(created)));
        }
    }
}

impl From<ReplayGuard> for GuardState {
    fn from(guard: ReplayGuard) -> GuardState {
        GuardState {
            max_events: guard.limits.max_events,
            max_age_ms: guard.limits.max_age_ms,
            horizon_ms: guard.horizon_ms,
            seen: guard
                .by_created
                .into_iter()
                .map(|(c, id)| (id, c))
                .collect(),
        }
    }
}

impl TryFrom<GuardState> for ReplayGuard {
    type Error = String;

    fn try_from(state: GuardState) -> Result<ReplayGuard, String> {
        let limits = ReplayLimits {
            max_events: state.max_events,
            max_age_ms: state.max_age_ms,
        };
        let mut guard = ReplayGuard::new(limits).map_err(|e| e.message)?;
        guard.horizon_ms = state.horizon_ms;
        for (id, created) in state.seen {
            if guard.created_by_id.insert(id.clone(), created).is_none() {
                guard.by_created.insert((created, id));
            }
        }
        guard.with_limits(limits).map_err(|e| e.message)
    }
}

#[cfg(test)]
mod tests;
