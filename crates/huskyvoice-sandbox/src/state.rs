//! Calls held in memory and their state machine. One mutex guards every call and the
//! idempotency records, so a cancel, a delete and an idempotent create are each
//! check-and-set in one step: concurrent requests change a call once, and concurrent creates
//! with one Idempotency-Key create one call.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use hyper::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How long an Idempotency-Key is remembered after the create that stored it.
pub const IDEMPOTENCY_TTL_MS: u64 = 24 * 60 * 60 * 1000;

/// Past this many idempotency records, expired ones are swept on the next create.
const MIN_IDEMPOTENCY_SWEEP: usize = 1_024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    Queued,
    Initiated,
    Ringing,
    InProgress,
    Completed,
    Failed,
    Cancelled,
    /// Refused by a do-not-disturb registry: terminal like completed and failed (§6).
    Disallowed,
}

impl CallStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Initiated => "initiated",
            Self::Ringing => "ringing",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Disallowed => "disallowed",
        }
    }

    /// The next state of the automatic progression, or None for terminal states.
    fn next(self) -> Option<Self> {
        match self {
            Self::Queued => Some(Self::Initiated),
            Self::Initiated => Some(Self::Ringing),
            Self::Ringing => Some(Self::InProgress),
            Self::InProgress => Some(Self::Completed),
            Self::Completed | Self::Failed | Self::Cancelled | Self::Disallowed => None,
        }
    }

    /// API-CONTRACT §6: only these can be deleted.
    pub fn has_ended(self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Failed | Self::Cancelled | Self::Disallowed
        )
    }
}

/// A call as seeded from a file or the admin endpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedCall {
    pub call_id: String,
    #[serde(default = "queued")]
    pub status: CallStatus,
}

fn queued() -> CallStatus {
    CallStatus::Queued
}

/// The fields a create (REST or webhook) stores, as the API answers them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallDetails {
    pub agent_id: String,
    /// Normalised: `+91` and 10 digits.
    pub contact_number: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub additional_info: Option<Map<String, Value>>,
    /// ISO 8601 UTC with milliseconds, e.g. `2025-01-31T09:15:02.120Z`.
    pub created_at: String,
}

/// A call that moved to a new state, with what an event about it tells.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub call_id: String,
    pub status: CallStatus,
    pub details: Option<CallDetails>,
}

/// Which endpoint created a call (shown by the admin view).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Seed,
    Rest,
    Webhook,
}

#[derive(Debug)]
struct Call {
    status: CallStatus,
    /// Cancel requests (REST or webhook) that reached this call past auth and faults.
    cancel_requests: u64,
    /// Delete requests that reached this call and were refused (a delete that succeeds
    /// erases the call, counter and all).
    delete_requests: u64,
    /// Every state the call has been in, oldest first: tests count state changes with it.
    history: Vec<CallStatus>,
    source: Source,
    details: Option<CallDetails>,
    idempotency_key: Option<String>,
}

impl Call {
    fn new(status: CallStatus) -> Self {
        Self {
            status,
            cancel_requests: 0,
            delete_requests: 0,
            history: vec![status],
            source: Source::Seed,
            details: None,
            idempotency_key: None,
        }
    }

    fn set(&mut self, status: CallStatus) {
        self.status = status;
        self.history.push(status);
    }
}

/// The admin view of a call: its state, counters and everything a create stored.
#[derive(Debug, Serialize)]
pub struct CallView {
    pub call_id: String,
    pub status: CallStatus,
    pub cancel_requests: u64,
    pub delete_requests: u64,
    pub history: Vec<CallStatus>,
    pub source: Source,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub details: Option<CallDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
}

/// What `GET /v1/calls/{id}` shows: the id, the state and the stored fields.
#[derive(Debug, Clone)]
pub struct CallRecord {
    pub call_id: String,
    pub status: CallStatus,
    pub details: Option<CallDetails>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum CancelResult {
    /// Now cancelled: either just now (from queued) or already before (idempotent repeat).
    Cancelled,
    NotCancellable(CallStatus),
    NotFound,
}

#[derive(Debug, PartialEq, Eq)]
pub enum DeleteResult {
    /// The call had ended and is now erased.
    Deleted,
    NotEnded(CallStatus),
    NotFound,
}

/// An answer as sent, kept so that a replay sends exactly the same status and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub status: StatusCode,
    pub body: Bytes,
}

/// A create's Idempotency-Key and what it is compared on: the endpoint and the parsed body.
#[derive(Debug, Clone)]
pub struct IdempotencyClaim {
    pub key: String,
    pub fingerprint: Value,
}

#[derive(Debug, Clone)]
pub struct NewCall {
    /// The id the request chose, if any (else `call_sbx_000001` style).
    pub call_id: Option<String>,
    pub details: CallDetails,
    pub source: Source,
}

#[derive(Debug, PartialEq, Eq)]
pub enum CreateResult {
    Created {
        call_id: String,
        answer: StoredAnswer,
    },
    /// The Idempotency-Key was used before with the same request: the answer it got then.
    Replayed(StoredAnswer),
    /// The Idempotency-Key was used before with another request; nothing was created.
    KeyReused,
    /// The chosen call_id is taken.
    AlreadyExists,
}

#[derive(Debug)]
struct IdempotencyRecord {
    fingerprint: Value,
    answer: StoredAnswer,
    stored_ms: u64,
}

#[derive(Default)]
struct Inner {
    calls: HashMap<String, Call>,
    idempotency: HashMap<String, IdempotencyRecord>,
    next_id: u64,
}

#[derive(Default)]
pub struct CallStore {
    inner: Mutex<Inner>,
}

impl CallStore {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        crate::sync::lock(&self.inner)
    }

    pub fn cancel(&self, call_id: &str) -> CancelResult {
        let mut inner = self.lock();
        let Some(call) = inner.calls.get_mut(call_id) else {
            return CancelResult::NotFound;
        };
        call.cancel_requests += 1;
        match call.status {
            CallStatus::Queued => {
                call.set(CallStatus::Cancelled);
                CancelResult::Cancelled
            }
            CallStatus::Cancelled => CancelResult::Cancelled,
            other => CancelResult::NotCancellable(other),
        }
    }

    /// Erases an ended call; a call that has not ended stays as it is.
    pub fn delete(&self, call_id: &str) -> DeleteResult {
        let mut inner = self.lock();
        let Some(call) = inner.calls.get_mut(call_id) else {
            return DeleteResult::NotFound;
        };
        if !call.status.has_ended() {
            call.delete_requests += 1;
            return DeleteResult::NotEnded(call.status);
        }
        inner.calls.remove(call_id);
        DeleteResult::Deleted
    }

    #[cfg(test)]
    pub fn status(&self, call_id: &str) -> Option<CallStatus> {
        self.lock().calls.get(call_id).map(|call| call.status)
    }

    pub fn record(&self, call_id: &str) -> Option<CallRecord> {
        self.lock().calls.get(call_id).map(|call| CallRecord {
            call_id: call_id.to_string(),
            status: call.status,
            details: call.details.clone(),
        })
    }

    pub fn view(&self, call_id: &str) -> Option<CallView> {
        self.lock()
            .calls
            .get(call_id)
            .map(|call| view(call_id, call))
    }

    pub fn all(&self) -> Vec<CallView> {
        let inner = self.lock();
        let mut calls: Vec<CallView> = inner.calls.iter().map(|(id, c)| view(id, c)).collect();
        calls.sort_by(|a, b| a.call_id.cmp(&b.call_id));
        calls
    }

    /// Adds the calls, replacing any with the same id (fresh counters and history). Returns
    /// the replaced calls whose state this changed (a call that is new has no change).
    pub fn upsert(&self, calls: &[SeedCall]) -> Vec<Change> {
        let mut inner = self.lock();
        let mut changes = Vec::new();
        for seed in calls {
            let old = inner
                .calls
                .insert(seed.call_id.clone(), Call::new(seed.status));
            if let Some(old) = old.filter(|old| old.status != seed.status) {
                changes.push(Change {
                    call_id: seed.call_id.clone(),
                    status: seed.status,
                    details: old.details,
                });
            }
        }
        changes
    }

    pub fn reset(&self, calls: &[SeedCall]) {
        *self.lock() = Inner::default();
        let _ = self.upsert(calls);
    }

    /// Creates a queued call, or answers from the idempotency record of `claim`'s key.
    /// The check, the creation and the new record happen under one lock, so concurrent
    /// requests with one key create one call. `render` makes the answer of a new call
    /// (from its id and fields); it is stored for replays when a key is given.
    /// `now_ms` is the sandbox's monotonic clock, for the 24 h the key is remembered.
    pub fn create(
        &self,
        new: NewCall,
        claim: Option<IdempotencyClaim>,
        now_ms: u64,
        render: impl FnOnce(&str, &CallDetails) -> StoredAnswer,
    ) -> CreateResult {
        let mut inner = self.lock();
        if let Some(claim) = &claim {
            let live = inner
                .idempotency
                .get(&claim.key)
                .filter(|record| now_ms.saturating_sub(record.stored_ms) < IDEMPOTENCY_TTL_MS);
            match live {
                Some(record) if record.fingerprint == claim.fingerprint => {
                    return CreateResult::Replayed(record.answer.clone());
                }
                Some(_) => return CreateResult::KeyReused,
                None => {}
            }
        }
        let call_id = match new.call_id {
            Some(id) if inner.calls.contains_key(&id) => return CreateResult::AlreadyExists,
            Some(id) => id,
            None => loop {
                inner.next_id += 1;
                let id = format!("call_sbx_{:06}", inner.next_id);
                if !inner.calls.contains_key(&id) {
                    break id;
                }
            },
        };
        let answer = render(&call_id, &new.details);
        let mut call = Call::new(CallStatus::Queued);
        call.source = new.source;
        call.details = Some(new.details);
        call.idempotency_key = claim.as_ref().map(|claim| claim.key.clone());
        inner.calls.insert(call_id.clone(), call);
        if let Some(claim) = claim {
            if inner.idempotency.len() >= MIN_IDEMPOTENCY_SWEEP
                && inner.idempotency.len().is_power_of_two()
            {
                inner.idempotency.retain(|_, record| {
                    now_ms.saturating_sub(record.stored_ms) < IDEMPOTENCY_TTL_MS
                });
            }
            inner.idempotency.insert(
                claim.key,
                IdempotencyRecord {
                    fingerprint: claim.fingerprint,
                    answer: answer.clone(),
                    stored_ms: now_ms,
                },
            );
        }
        CreateResult::Created { call_id, answer }
    }

    /// Moves every non-terminal call one state along; returns the moves.
    pub fn advance_all(&self) -> Vec<Change> {
        let mut inner = self.lock();
        let mut changes = Vec::new();
        for (call_id, call) in inner.calls.iter_mut() {
            if let Some(next) = call.status.next() {
                call.set(next);
                changes.push(Change {
                    call_id: call_id.clone(),
                    status: next,
                    details: call.details.clone(),
                });
            }
        }
        changes
    }
}

fn view(call_id: &str, call: &Call) -> CallView {
    CallView {
        call_id: call_id.to_string(),
        status: call.status,
        cancel_requests: call.cancel_requests,
        delete_requests: call.delete_requests,
        history: call.history.clone(),
        source: call.source,
        details: call.details.clone(),
        idempotency_key: call.idempotency_key.clone(),
    }
}

/// `2025-01-31T09:15:02.120Z` for milliseconds since the Unix epoch.
pub fn iso8601_utc(unix_ms: u64) -> String {
    let days = unix_ms / 86_400_000;
    let ms_of_day = unix_ms % 86_400_000;
    let (hour, minute) = (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60);
    let (second, milli) = (ms_of_day / 1_000 % 60, ms_of_day % 1_000);
    // Howard Hinnant's civil_from_days, for days since 1970-01-01 (never negative here).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{milli:03}Z")
}

/// API-CONTRACT §3.1: 1 to 128 ASCII letters, digits, `_` or `-`.
pub fn valid_call_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with(id: &str, status: CallStatus) -> CallStore {
        let store = CallStore::default();
        store.upsert(&[SeedCall {
            call_id: id.into(),
            status,
        }]);
        store
    }

    #[test]
    fn cancel_queued_then_repeat() {
        let store = store_with("c", CallStatus::Queued);
        assert_eq!(store.cancel("c"), CancelResult::Cancelled);
        assert_eq!(store.cancel("c"), CancelResult::Cancelled);
        let view = store.view("c").expect("exists");
        assert_eq!(view.cancel_requests, 2);
        assert_eq!(
            view.history,
            vec![CallStatus::Queued, CallStatus::Cancelled]
        );
    }

    #[test]
    fn later_states_are_not_cancellable() {
        for status in [
            CallStatus::Initiated,
            CallStatus::Ringing,
            CallStatus::InProgress,
            CallStatus::Completed,
            CallStatus::Failed,
            CallStatus::Disallowed,
        ] {
            let store = store_with("c", status);
            assert_eq!(store.cancel("c"), CancelResult::NotCancellable(status));
        }
        assert_eq!(CallStore::default().cancel("x"), CancelResult::NotFound);
    }

    #[test]
    fn advance_stops_at_terminal_states() {
        let store = store_with("c", CallStatus::Queued);
        store.upsert(&[SeedCall {
            call_id: "x".into(),
            status: CallStatus::Cancelled,
        }]);
        for _ in 0..10 {
            store.advance_all();
        }
        assert_eq!(store.status("c"), Some(CallStatus::Completed));
        assert_eq!(store.status("x"), Some(CallStatus::Cancelled));
    }

    fn new_call(call_id: Option<&str>) -> NewCall {
        NewCall {
            call_id: call_id.map(String::from),
            details: CallDetails {
                agent_id: "agent_1".into(),
                contact_number: "+919876543210".into(),
                contact_name: None,
                contact_email: None,
                additional_info: None,
                created_at: iso8601_utc(0),
            },
            source: Source::Rest,
        }
    }

    fn claim(key: &str, body: Value) -> Option<IdempotencyClaim> {
        Some(IdempotencyClaim {
            key: key.into(),
            fingerprint: body,
        })
    }

    fn answer(call_id: &str, _: &CallDetails) -> StoredAnswer {
        StoredAnswer {
            status: StatusCode::CREATED,
            body: Bytes::from(call_id.to_string()),
        }
    }

    #[test]
    fn idempotent_create() {
        let store = CallStore::default();
        let body = serde_json::json!({"agent_id": "a"});
        let CreateResult::Created {
            call_id,
            answer: first,
        } = store.create(new_call(None), claim("k", body.clone()), 0, answer)
        else {
            panic!("expected Created");
        };
        assert_eq!(call_id, "call_sbx_000001");
        assert_eq!(
            store.create(new_call(None), claim("k", body.clone()), 5, answer),
            CreateResult::Replayed(first.clone())
        );
        let other = serde_json::json!({"agent_id": "b"});
        assert_eq!(
            store.create(new_call(None), claim("k", other), 5, answer),
            CreateResult::KeyReused
        );
        assert_eq!(store.all().len(), 1, "neither created a call");
        assert_eq!(
            store.create(new_call(Some(&call_id)), None, 5, answer),
            CreateResult::AlreadyExists
        );
        // After 24 h the key is forgotten: the same request creates a new call.
        let later = store.create(new_call(None), claim("k", body), IDEMPOTENCY_TTL_MS, answer);
        assert!(
            matches!(later, CreateResult::Created { ref call_id, .. } if call_id == "call_sbx_000002")
        );
        let view = store.view("call_sbx_000002").expect("created");
        assert_eq!(view.idempotency_key.as_deref(), Some("k"));
        assert_eq!(view.source, Source::Rest);
        assert_eq!(store.status("call_sbx_000002"), Some(CallStatus::Queued));
    }

    #[test]
    fn delete_only_ended_calls() {
        for status in [
            CallStatus::Completed,
            CallStatus::Failed,
            CallStatus::Cancelled,
            CallStatus::Disallowed,
        ] {
            let store = store_with("c", status);
            assert_eq!(store.delete("c"), DeleteResult::Deleted);
            assert!(store.view("c").is_none());
            assert_eq!(store.delete("c"), DeleteResult::NotFound);
            assert_eq!(store.cancel("c"), CancelResult::NotFound);
        }
        for status in [
            CallStatus::Queued,
            CallStatus::Initiated,
            CallStatus::Ringing,
            CallStatus::InProgress,
        ] {
            let store = store_with("c", status);
            assert_eq!(store.delete("c"), DeleteResult::NotEnded(status));
            assert_eq!(store.view("c").map(|v| v.delete_requests), Some(1));
        }
    }

    #[test]
    fn iso8601_dates() {
        assert_eq!(iso8601_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601_utc(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso8601_utc(1_735_689_599_999), "2024-12-31T23:59:59.999Z");
        assert_eq!(iso8601_utc(1_709_210_096_789), "2024-02-29T12:34:56.789Z");
    }

    #[test]
    fn call_id_rules() {
        assert!(valid_call_id("call_abc-123"));
        assert!(valid_call_id("550e8400-e29b-41d4-a716-446655440000"));
        assert!(!valid_call_id(""));
        assert!(!valid_call_id("a/b"));
        assert!(!valid_call_id(&"a".repeat(129)));
    }
}
