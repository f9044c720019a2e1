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
//! Serialisable with its limits (serde; [`ReplayGuard::restore`] reads it back), so it can be
//! saved after each event and restored.

use std::collections::{HashMap, VecDeque};

use serde::Serialize;

use super::Event;
use crate::error::{CoreError, ErrorCode};
use crate::iso_time::parse_rfc3339_ms;
use crate::loose::Loose;

fn invalid(message: String) -> CoreError {
    CoreError::new(ErrorCode::InvalidOptions, message)
}

/// A whole number in `range`, or `None`.
fn whole(v: &Loose<'_>, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
    let n = v.as_f64()?;
    (n.fract() == 0.0 && n >= *range.start() as f64 && n <= *range.end() as f64).then_some(n as i64)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReplayLimits {
    pub max_events: usize,
    pub max_age_ms: i64,
}

impl ReplayLimits {
    pub const MAX_EVENTS: std::ops::RangeInclusive<i64> = 1..=100_000;
    /// One second to thirty days.
    pub const MAX_AGE_MS: std::ops::RangeInclusive<i64> = 1_000..=30 * 86_400_000;

    const EVENTS_RULE: &'static str =
        "use a whole number from 1 to 100000 (how many recent event ids to remember)";
    const AGE_RULE: &'static str =
        "use whole milliseconds from 1000 (a second) to 2592000000 (30 days)";

    pub fn checked(self) -> Result<ReplayLimits, CoreError> {
        if !Self::MAX_EVENTS.contains(&i64::try_from(self.max_events).unwrap_or(i64::MAX)) {
            return Err(invalid(format!(
                "Replay guard: maxEvents is {}; {}.",
                self.max_events,
                Self::EVENTS_RULE
            )));
        }
        if !Self::MAX_AGE_MS.contains(&self.max_age_ms) {
            return Err(invalid(format!(
                "Replay guard: maxAgeMs is {}; {}.",
                self.max_age_ms,
                Self::AGE_RULE
            )));
        }
        Ok(self)
    }

    /// `{maxEvents?, maxAgeMs?}` as a JavaScript caller passes them; absent, `null` or
    /// `undefined` members keep their default.
    pub fn read(input: &Loose<'_>) -> Result<ReplayLimits, CoreError> {
        let defaults = ReplayLimits::default();
        let Loose::Object(_) = input else {
            if *input == Loose::Null {
                return Ok(defaults);
            }
            return Err(invalid(format!(
                "Replay guard: limits are {}; pass {{maxEvents?, maxAgeMs?}}.",
                input.describe()
            )));
        };
        if let Some(name) = input.unknown_member(&["maxEvents", "maxAgeMs"]) {
            return Err(invalid(format!(
                "Replay guard: unknown limit \"{name}\"; the limits are maxEvents and maxAgeMs."
            )));
        }
        let member = |name: &str, rule: &str, range, default: i64| match input.get(name) {
            None | Some(Loose::Null) => Ok(default),
            Some(v) => whole(v, range).ok_or_else(|| {
                let got = match v.as_f64() {
                    Some(n) => crate::error::number_text(n),
                    None => v.describe(),
                };
                invalid(format!("Replay guard: {name} is {got}; {rule}."))
            }),
        };
        let limits = ReplayLimits {
            max_events: member(
                "maxEvents",
                Self::EVENTS_RULE,
                Self::MAX_EVENTS,
                defaults.max_events as i64,
            )? as usize,
            max_age_ms: member(
                "maxAgeMs",
                Self::AGE_RULE,
                Self::MAX_AGE_MS,
                defaults.max_age_ms,
            )?,
        };
        limits.checked()
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

#[derive(Debug, Clone, PartialEq)]
pub struct ReplayGuard {
    limits: ReplayLimits,
    /// Nothing created at or before this (ms) counts as new: an id that old may be forgotten.
    horizon_ms: Option<i64>,
    created_by_id: HashMap<String, i64>,
    /// The same ids oldest-created first. A sorted deque rather than a `BTreeSet`: a few
    /// thousand entries at most, and the B-tree's code would cost the `.wasm` about 5 KB.
    by_created: VecDeque<(i64, String)>,
}

/// The saved form: limits, horizon and `[event_id, created_ms]` pairs, oldest first.
#[derive(Serialize)]
struct GuardState<'a> {
    max_events: usize,
    max_age_ms: i64,
    horizon_ms: Option<i64>,
    seen: Vec<(&'a str, i64)>,
}

impl Serialize for ReplayGuard {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        GuardState {
            max_events: self.limits.max_events,
            max_age_ms: self.limits.max_age_ms,
            horizon_ms: self.horizon_ms,
            seen: self
                .by_created
                .iter()
                .map(|(created, id)| (id.as_str(), *created))
                .collect(),
        }
        .serialize(s)
    }
}

impl ReplayGuard {
    pub fn new(limits: ReplayLimits) -> Result<ReplayGuard, CoreError> {
        Ok(ReplayGuard {
            limits: limits.checked()?,
            horizon_ms: None,
            created_by_id: HashMap::new(),
            by_created: VecDeque::new(),
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
        self.check_at(&event.event_id, &event.created_at, now_ms)
    }

    /// [`ReplayGuard::check`] by the two members it reads. A `created_at` that does not
    /// parse (`verify_event` passes none) is too old: it cannot be dated.
    pub fn check_at(&mut self, event_id: &str, created_at: &str, now_ms: f64) -> Sighting {
        match parse_rfc3339_ms(created_at) {
            Some(created) => self.check_id(event_id, created, now_ms),
            None => Sighting::TooOld,
        }
    }

    /// [`ReplayGuard::check`] with the creation time already in Unix milliseconds.
    pub fn check_id(&mut self, event_id: &str, created_ms: i64, now_ms: f64) -> Sighting {
        let now = if now_ms.is_finite() { now_ms as i64 } else { 0 };
        let oldest_kept = now.saturating_sub(self.limits.max_age_ms);
        while self
            .by_created
            .front()
            .is_some_and(|(created, _)| *created < oldest_kept)
        {
            if let Some((_, id)) = self.by_created.pop_front() {
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
        self.remember(event_id, created_ms);
        Sighting::FirstSeen
    }

    fn remember(&mut self, event_id: &str, created_ms: i64) {
        if self
            .created_by_id
            .insert(event_id.to_string(), created_ms)
            .is_none()
        {
            let entry = (created_ms, event_id.to_string());
            let at = self.by_created.partition_point(|e| *e < entry);
            self.by_created.insert(at, entry);
        }
    }

    fn evict_oldest(&mut self) {
        if let Some((created, id)) = self.by_created.pop_front() {
            self.created_by_id.remove(&id);
            self.horizon_ms = Some(self.horizon_ms.map_or(created, |h| h.max(created)));
        }
    }

    /// A guard from what serialising one gave (read as [`Loose`], e.g. from n8n's static
    /// data). Anything else is refused with what was wrong, never half-restored.
    pub fn restore(state: &Loose<'_>) -> Result<ReplayGuard, CoreError> {
        let refuse = |what: &str| {
            invalid(format!(
                "Replay guard: the saved state is not one ({what}); start a new guard instead."
            ))
        };
        let number = |name: &str, range| {
            state
                .get(name)
                .and_then(|v| whole(v, range))
                .ok_or_else(|| refuse(&format!("{name} is not a whole number in range")))
        };
        let limits = ReplayLimits {
            max_events: number("max_events", ReplayLimits::MAX_EVENTS)? as usize,
            max_age_ms: number("max_age_ms", ReplayLimits::MAX_AGE_MS)?,
        };
        let mut guard = ReplayGuard::new(limits)?;
        guard.horizon_ms = match state.get("horizon_ms") {
            None | Some(Loose::Null) => None,
            Some(v) => Some(
                whole(v, i64::MIN / 2..=i64::MAX / 2)
                    .ok_or_else(|| refuse("horizon_ms is not a whole number or null"))?,
            ),
        };
        let Some(Loose::Array(seen)) = state.get("seen") else {
            return Err(refuse("seen is not a list"));
        };
        for (i, entry) in seen.iter().enumerate() {
            let pair = match entry {
                Loose::Array(pair) => pair.as_slice(),
                _ => &[],
            };
            let (Some(id), Some(created)) = (
                pair.first().and_then(Loose::as_str),
                pair.get(1)
                    .and_then(|c| whole(c, i64::MIN / 2..=i64::MAX / 2)),
            ) else {
                return Err(refuse(&format!("seen[{i}] is not [event_id, created_ms]")));
            };
            guard.remember(id, created);
        }
        guard.with_limits(limits)
    }
}

#[cfg(test)]
mod tests;
