//! What the sandbox received (for `GET /__sandbox/requests`) and load counters (for
//! `GET /__sandbox/stats`). Both sit on the hot path of benchmarks.
//!
//! Each entry is rendered to JSON when it arrives and appended to one growing buffer.
//! Keeping hyper's parsed parts instead would be cheaper per request but pins each
//! connection's whole read buffer (kilobytes) per entry: 100k entries would take GBs.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use hyper::{HeaderMap, Method, Uri};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

#[derive(Default)]
struct Entries {
    /// The entries' JSON objects, comma-separated, without the enclosing brackets.
    json: Vec<u8>,
    count: usize,
}

pub struct RequestLog {
    enabled: AtomicBool,
    entries: Mutex<Entries>,
}

impl RequestLog {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled: AtomicBool::new(enabled),
            entries: Mutex::new(Entries::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        crate::sync::lock(&self.entries)
    }

    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    pub fn set_enabled(&self, enabled: bool) {
        self.enabled.store(enabled, Ordering::Relaxed);
    }

    pub fn record(&self, at_ms: u64, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) {
        if !self.enabled() {
            return;
        }
        let path = uri.path_and_query().map_or("/", |pq| pq.as_str());
        let entry = EntryJson {
            at_ms,
            method: method.as_str(),
            path: redact_path(path),
            headers: HeadersJson(headers),
            body: String::from_utf8_lossy(body),
        };
        // Render outside the lock; only the append is serialised.
        let mut rendered = Vec::with_capacity(256 + body.len());
        if serde_json::to_writer(&mut rendered, &entry).is_err() {
            return;
        }
        let mut entries = self.lock();
        if entries.count > 0 {
            entries.json.push(b',');
        }
        entries.json.extend_from_slice(&rendered);
        entries.count += 1;
    }

    pub fn len(&self) -> usize {
        self.lock().count
    }

    pub fn clear(&self) {
        // Give the memory back too: a benchmark may have logged 100k+ entries.
        *self.lock() = Entries::default();
    }

    /// `[{"at_ms","method","path","headers","body"}, ...]` in arrival order.
    pub fn to_json(&self) -> Vec<u8> {
        let entries = self.lock();
        let mut out = Vec::with_capacity(entries.json.len() + 2);
        out.push(b'[');
        out.extend_from_slice(&entries.json);
        out.push(b']');
        out
    }
}

/// The webhook token is a credential: it never leaves the sandbox, not even in its logs.
pub fn redact_path(path: &str) -> Cow<'_, str> {
    const HOOKS: &str = "/v1/hooks/";
    match path.strip_prefix(HOOKS) {
        Some(rest) => {
            let tail = rest.find(['/', '?']).map_or("", |i| &rest[i..]);
            Cow::Owned(format!("{HOOKS}(redacted){tail}"))
        }
        None => Cow::Borrowed(path),
    }
}

#[derive(Serialize)]
struct EntryJson<'a> {
    at_ms: u64,
    method: &'a str,
    path: Cow<'a, str>,
    headers: HeadersJson<'a>,
    body: Cow<'a, str>,
}

/// Lower-case names; repeated headers joined with ", " as HTTP allows.
struct HeadersJson<'a>(&'a HeaderMap);

impl Serialize for HeadersJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.keys_len()))?;
        for name in self.0.keys() {
            let joined = self
                .0
                .get_all(name)
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()))
                .collect::<Vec<_>>()
                .join(", ");
            map.serialize_entry(name.as_str(), &joined)?;
        }
        map.end()
    }
}

/// Requests on the HuskyVoice endpoints: total, in flight now, and the most at once; how
/// the documented limits (`limits.rs`) answered them; and what creates and deletes did.
#[derive(Default)]
pub struct Stats {
    total: AtomicU64,
    in_flight: AtomicU64,
    peak_in_flight: AtomicU64,
    rate_limited: AtomicU64,
    /// 429 QUOTA_EXCEEDED and 402 INSUFFICIENT_CREDITS answers.
    quota_exceeded: AtomicU64,
    /// The most accepted requests one credential's window held right after accepting one.
    max_in_window: AtomicU64,
    /// Calls created by `POST /v1/calls` and the webhook's `call.create` (not replays).
    calls_created: AtomicU64,
    calls_created_without_key: AtomicU64,
    /// Calls created per Idempotency-Key: more than 1 for a key would be a sandbox bug.
    calls_created_by_key: Mutex<BTreeMap<String, u64>>,
    idempotent_replays: AtomicU64,
    /// 422 IDEMPOTENCY_KEY_REUSED answers.
    idempotency_key_reused: AtomicU64,
    /// Calls erased by `DELETE /v1/calls/{id}` and `call.delete`.
    calls_deleted: AtomicU64,
}

pub struct StatsSnapshot {
    pub requests_total: u64,
    pub in_flight: u64,
    pub peak_in_flight: u64,
    pub rate_limited_total: u64,
    pub quota_exceeded_total: u64,
    pub max_in_window: u64,
    pub calls_created: u64,
    pub calls_created_without_key: u64,
    pub calls_created_by_key: BTreeMap<String, u64>,
    pub idempotent_replays: u64,
    pub idempotency_key_reused: u64,
    pub calls_deleted: u64,
}

/// Counts a request as in flight until dropped (answered, dropped or cancelled).
pub struct InFlight<'a>(&'a Stats);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Stats {
    pub fn enter(&self) -> InFlight<'_> {
        self.total.fetch_add(1, Ordering::Relaxed);
        let now = self.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak_in_flight.fetch_max(now, Ordering::Relaxed);
        InFlight(self)
    }

    pub fn count_rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    pub fn count_quota_exceeded(&self) {
        self.quota_exceeded.fetch_add(1, Ordering::Relaxed);
    }

    pub fn note_in_window(&self, in_window: u32) {
        self.max_in_window
            .fetch_max(u64::from(in_window), Ordering::Relaxed);
    }

    fn by_key(&self) -> MutexGuard<'_, BTreeMap<String, u64>> {
        crate::sync::lock(&self.calls_created_by_key)
    }

    /// A call was created, with this Idempotency-Key or none.
    pub fn count_created(&self, idempotency_key: Option<&str>) {
        self.calls_created.fetch_add(1, Ordering::Relaxed);
        match idempotency_key {
            Some(key) => *self.by_key().entry(key.to_string()).or_default() += 1,
            None => {
                self.calls_created_without_key
                    .fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    pub fn count_replay(&self) {
        self.idempotent_replays.fetch_add(1, Ordering::Relaxed);
    }

    pub fn count_key_reused(&self) {
        self.idempotency_key_reused.fetch_add(1, Ordering::Relaxed);
    }

    pub fn count_deleted(&self) {
        self.calls_deleted.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            requests_total: self.total.load(Ordering::Relaxed),
            in_flight: self.in_flight.load(Ordering::Relaxed),
            peak_in_flight: self.peak_in_flight.load(Ordering::Relaxed),
            rate_limited_total: self.rate_limited.load(Ordering::Relaxed),
            quota_exceeded_total: self.quota_exceeded.load(Ordering::Relaxed),
            max_in_window: self.max_in_window.load(Ordering::Relaxed),
            calls_created: self.calls_created.load(Ordering::Relaxed),
            calls_created_without_key: self.calls_created_without_key.load(Ordering::Relaxed),
            calls_created_by_key: self.by_key().clone(),
            idempotent_replays: self.idempotent_replays.load(Ordering::Relaxed),
            idempotency_key_reused: self.idempotency_key_reused.load(Ordering::Relaxed),
            calls_deleted: self.calls_deleted.load(Ordering::Relaxed),
        }
    }

    /// Requests still in flight stay counted, so the peak restarts from them.
    pub fn reset(&self) {
        self.total.store(0, Ordering::Relaxed);
        self.rate_limited.store(0, Ordering::Relaxed);
        self.quota_exceeded.store(0, Ordering::Relaxed);
        self.max_in_window.store(0, Ordering::Relaxed);
        self.calls_created.store(0, Ordering::Relaxed);
        self.calls_created_without_key.store(0, Ordering::Relaxed);
        self.by_key().clear();
        self.idempotent_replays.store(0, Ordering::Relaxed);
        self.idempotency_key_reused.store(0, Ordering::Relaxed);
        self.calls_deleted.store(0, Ordering::Relaxed);
        self.peak_in_flight
            .store(self.in_flight.load(Ordering::Relaxed), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hook_tokens_are_redacted() {
        assert_eq!(redact_path("/v1/hooks/secret"), "/v1/hooks/(redacted)");
        assert_eq!(
            redact_path("/v1/hooks/secret?x=1"),
            "/v1/hooks/(redacted)?x=1"
        );
        assert_eq!(redact_path("/v1/calls/a/cancel"), "/v1/calls/a/cancel");
    }

    #[test]
    fn stats_track_peak() {
        let stats = Stats::default();
        {
            let _a = stats.enter();
            let _b = stats.enter();
            assert_eq!(stats.snapshot().in_flight, 2);
        }
        let snap = stats.snapshot();
        assert_eq!(
            (snap.requests_total, snap.in_flight, snap.peak_in_flight),
            (2, 0, 2)
        );
        stats.reset();
        assert_eq!(stats.snapshot().peak_in_flight, 0);
    }

    #[test]
    fn stats_track_limit_answers() {
        let stats = Stats::default();
        stats.count_rate_limited();
        stats.count_quota_exceeded();
        stats.count_quota_exceeded();
        for in_window in [2, 5, 3] {
            stats.note_in_window(in_window);
        }
        let snap = stats.snapshot();
        assert_eq!(
            (
                snap.rate_limited_total,
                snap.quota_exceeded_total,
                snap.max_in_window
            ),
            (1, 2, 5)
        );
        stats.reset();
        let snap = stats.snapshot();
        assert_eq!(
            (
                snap.rate_limited_total,
                snap.quota_exceeded_total,
                snap.max_in_window
            ),
            (0, 0, 0)
        );
    }

    #[test]
    fn stats_count_creates_per_key() {
        let stats = Stats::default();
        stats.count_created(Some("k1"));
        stats.count_created(Some("k2"));
        stats.count_created(None);
        stats.count_replay();
        stats.count_key_reused();
        stats.count_deleted();
        let snap = stats.snapshot();
        assert_eq!(
            (
                snap.calls_created,
                snap.calls_created_without_key,
                snap.idempotent_replays,
                snap.idempotency_key_reused,
                snap.calls_deleted
            ),
            (3, 1, 1, 1, 1)
        );
        assert_eq!(snap.calls_created_by_key.get("k1"), Some(&1));
        stats.reset();
        let snap = stats.snapshot();
        assert_eq!((snap.calls_created, snap.calls_deleted), (0, 0));
        assert!(snap.calls_created_by_key.is_empty());
    }

    #[test]
    fn log_serialises_entries() {
        let log = RequestLog::new(true);
        let mut headers = HeaderMap::new();
        headers.append("x-a", "1".parse().expect("value"));
        headers.append("x-a", "2".parse().expect("value"));
        let uri: Uri = "/v1/hooks/tok".parse().expect("uri");
        assert_eq!(log.to_json(), b"[]");
        log.record(7, &Method::POST, &uri, &headers, b"{}");
        log.record(
            9,
            &Method::GET,
            &"/v1/calls/a".parse().expect("uri"),
            &HeaderMap::new(),
            b"",
        );
        let json: serde_json::Value = serde_json::from_slice(&log.to_json()).expect("json");
        assert_eq!(
            json,
            serde_json::json!([
                {"at_ms":7,"method":"POST","path":"/v1/hooks/(redacted)",
                 "headers":{"x-a":"1, 2"},"body":"{}"},
                {"at_ms":9,"method":"GET","path":"/v1/calls/a","headers":{},"body":""}
            ])
        );
        log.set_enabled(false);
        log.record(8, &Method::GET, &uri, &headers, b"");
        assert_eq!(log.len(), 2);
        log.clear();
        assert_eq!((log.len(), log.to_json()), (0, b"[]".to_vec()));
    }
}
