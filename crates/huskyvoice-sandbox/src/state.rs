//! Calls held in memory and their state machine. One mutex guards every call, so a
//! cancel is check-and-set in one step: concurrent cancels of a call change it once.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

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
        }
    }

    /// The next state of the automatic progression, or None for terminal states.
    fn next(self) -> Option<Self> {
        match self {
            Self::Queued => Some(Self::Initiated),
            Self::Initiated => Some(Self::Ringing),
            Self::Ringing => Some(Self::InProgress),
            Self::InProgress => Some(Self::Completed),
            Self::Completed | Self::Failed | Self::Cancelled => None,
        }
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

#[derive(Debug)]
struct Call {
    status: CallStatus,
    /// Cancel requests (REST or webhook) that reached this call past auth and faults.
    cancel_requests: u64,
    /// Every state the call has been in, oldest first: tests count state changes with it.
    history: Vec<CallStatus>,
}

impl Call {
    fn new(status: CallStatus) -> Self {
        Self {
            status,
            cancel_requests: 0,
            history: vec![status],
        }
    }

    fn set(&mut self, status: CallStatus) {
        self.status = status;
        self.history.push(status);
    }
}

#[derive(Debug, Serialize)]
pub struct CallView {
    pub call_id: String,
    pub status: CallStatus,
    pub cancel_requests: u64,
    pub history: Vec<CallStatus>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum CancelResult {
    /// Now cancelled: either just now (from queued) or already before (idempotent repeat).
    Cancelled,
    NotCancellable(CallStatus),
    NotFound,
}

#[derive(Debug, PartialEq, Eq)]
pub enum CreateResult {
    Created(String),
    /// The Idempotency-Key was seen before: the call it created then.
    Replayed(String),
    AlreadyExists,
}

#[derive(Default)]
struct Inner {
    calls: HashMap<String, Call>,
    idempotency: HashMap<String, String>,
    next_id: u64,
}

#[derive(Default)]
pub struct CallStore {
    inner: Mutex<Inner>,
}

impl CallStore {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere must not take the whole sandbox down with a poisoned lock.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
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

    pub fn status(&self, call_id: &str) -> Option<CallStatus> {
        self.lock().calls.get(call_id).map(|call| call.status)
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

    /// Adds the calls, replacing any with the same id (fresh counters and history).
    pub fn upsert(&self, calls: &[SeedCall]) {
        let mut inner = self.lock();
        for seed in calls {
            inner
                .calls
                .insert(seed.call_id.clone(), Call::new(seed.status));
        }
    }

    pub fn reset(&self, calls: &[SeedCall]) {
        *self.lock() = Inner::default();
        self.upsert(calls);
    }

    pub fn create(&self, call_id: Option<String>, idempotency_key: Option<String>) -> CreateResult {
        let mut inner = self.lock();
        if let Some(existing) = idempotency_key
            .as_ref()
            .and_then(|key| inner.idempotency.get(key))
        {
            return CreateResult::Replayed(existing.clone());
        }
        let call_id = match call_id {
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
        inner
            .calls
            .insert(call_id.clone(), Call::new(CallStatus::Queued));
        if let Some(key) = idempotency_key {
            inner.idempotency.insert(key, call_id.clone());
        }
        CreateResult::Created(call_id)
    }

    /// Moves every non-terminal call one state along; returns how many moved.
    pub fn advance_all(&self) -> usize {
        let mut inner = self.lock();
        let mut moved = 0;
        for call in inner.calls.values_mut() {
            if let Some(next) = call.status.next() {
                call.set(next);
                moved += 1;
            }
        }
        moved
    }
}

fn view(call_id: &str, call: &Call) -> CallView {
    CallView {
        call_id: call_id.to_string(),
        status: call.status,
        cancel_requests: call.cancel_requests,
        history: call.history.clone(),
    }
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

    #[test]
    fn idempotent_create() {
        let store = CallStore::default();
        let CreateResult::Created(id) = store.create(None, Some("k".into())) else {
            panic!("expected Created");
        };
        assert_eq!(
            store.create(None, Some("k".into())),
            CreateResult::Replayed(id.clone())
        );
        assert_eq!(store.create(Some(id), None), CreateResult::AlreadyExists);
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
