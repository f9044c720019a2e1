//! Outbound call events (API-CONTRACT §7): as calls change state, signed events are POSTed to
//! the configured URL, each retried on a non-2xx answer or a failed connection with the same
//! bytes, `event_id` and signature, after a doubling backoff. A switch signs with a wrong
//! secret, for receivers' tests. Signing uses RustCrypto's `hmac` directly, not the core's
//! code, so the core's verifier is tested against a signer it does not share.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use hmac::{Hmac, Mac};
use http_body_util::Full;
use hyper::header::{HeaderValue, CONTENT_TYPE, HOST, USER_AGENT};
use hyper::{Request, Uri};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use serde_json::json;
use sha2::Sha256;
use tokio::net::TcpStream;

use crate::limits::unix_now_ms;
use crate::state::{CallStatus, Change};
use crate::sync::lock;

/// The header HuskyVoice signs with.
pub const SIGNATURE_HEADER: &str = "x-husky-signature";
/// One attempt's limit: connecting, sending and reading the status line.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest wait between two attempts.
const MAX_BACKOFF_MS: u64 = 60_000;
/// Events kept for `GET /__sandbox/events`; older ones are dropped from the list (not from
/// the counters).
const MAX_LISTED: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventsConfig {
    pub url: Option<String>,
    pub secret: Option<String>,
    pub wrong_secret: bool,
    /// The first wait before a retry; each next one doubles.
    pub retry_ms: u64,
    pub max_attempts: u32,
}

impl Default for EventsConfig {
    fn default() -> Self {
        Self {
            url: None,
            secret: None,
            wrong_secret: false,
            retry_ms: 500,
            max_attempts: 6,
        }
    }
}

impl EventsConfig {
    /// Checks the combination: a URL needs a secret, and only `http://` is spoken.
    pub fn checked(self) -> Result<Self, String> {
        if let Some(url) = &self.url {
            parse_url(url)?;
            if self.secret.is_none() {
                return Err("events_url needs events_secret (the signing secret)".into());
            }
        }
        if self.secret.as_deref() == Some("") {
            return Err("events_secret must not be empty".into());
        }
        if self.max_attempts == 0 {
            return Err("events_max_attempts must be at least 1".into());
        }
        Ok(self)
    }
}

pub fn parse_url(url: &str) -> Result<Uri, String> {
    let uri: Uri = url
        .parse()
        .map_err(|err| format!("events_url `{url}` is not a URL: {err}"))?;
    if uri.scheme_str() != Some("http") || uri.host().is_none() {
        return Err(format!(
            "events_url `{url}` must be http://HOST[:PORT]/PATH (the sandbox speaks no TLS)"
        ));
    }
    Ok(uri)
}

/// One event as listed by `GET /__sandbox/events`.
#[derive(Debug, Clone, Serialize)]
pub struct EventRecord {
    pub event_id: String,
    pub event_type: &'static str,
    pub call_id: String,
    pub created_at: String,
    /// Unix ms of the first attempt.
    pub sent_at_ms: u64,
    pub attempts: u32,
    /// The last answer's status, or null when the last attempt got none.
    pub last_status: Option<u16>,
    pub delivered: bool,
    pub gave_up: bool,
}

#[derive(Default)]
struct Counters {
    emitted: AtomicU64,
    attempts: AtomicU64,
    retried: AtomicU64,
    delivered: AtomicU64,
    gave_up: AtomicU64,
}

struct Inner {
    config: Mutex<EventsConfig>,
    default_config: EventsConfig,
    listed: Mutex<Vec<EventRecord>>,
    counters: Counters,
    next_id: AtomicU64,
    /// Unique per sandbox process, so event ids never repeat across restarts.
    id_prefix: String,
    /// Bumped by reset: deliveries of an earlier generation stop retrying.
    generation: AtomicU64,
}

#[derive(Clone)]
pub struct Events {
    inner: Arc<Inner>,
}

impl Events {
    pub fn new(config: EventsConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                config: Mutex::new(config.clone()),
                default_config: config,
                listed: Mutex::new(Vec::new()),
                counters: Counters::default(),
                next_id: AtomicU64::new(0),
                id_prefix: format!("evt_sbx_{:x}", unix_now_ms()),
                generation: AtomicU64::new(0),
            }),
        }
    }

    pub fn config(&self) -> EventsConfig {
        lock(&self.inner.config).clone()
    }

    pub fn set_config(&self, config: EventsConfig) {
        *lock(&self.inner.config) = config;
    }

    /// Back to the command line's settings, no events listed, counters zeroed, and no
    /// delivery of an earlier event attempted again.
    pub fn reset(&self) {
        self.inner.generation.fetch_add(1, Ordering::SeqCst);
        self.set_config(self.inner.default_config.clone());
        lock(&self.inner.listed).clear();
        self.reset_counters();
    }

    pub fn reset_counters(&self) {
        let c = &self.inner.counters;
        for counter in [
            &c.emitted,
            &c.attempts,
            &c.retried,
            &c.delivered,
            &c.gave_up,
        ] {
            counter.store(0, Ordering::Relaxed);
        }
    }

    pub fn stats(&self) -> serde_json::Value {
        let c = &self.inner.counters;
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        json!({
            "events_emitted": get(&c.emitted),
            "event_attempts": get(&c.attempts),
            "events_retried": get(&c.retried),
            "events_delivered": get(&c.delivered),
            "events_gave_up": get(&c.gave_up),
        })
    }

    pub fn list(&self) -> Vec<EventRecord> {
        lock(&self.inner.listed).clone()
    }

    /// Sends an event for each change that has one (no event exists for a cancellation or
    /// for ringing). Nothing is sent while no URL is configured. Must run inside the runtime.
    pub fn on_changes(&self, changes: Vec<Change>) {
        let config = self.config();
        let (Some(url), Some(secret)) = (&config.url, &config.secret) else {
            return;
        };
        let Ok(uri) = parse_url(url) else { return };
        for change in changes {
            let Some(event_type) = event_type(change.status) else {
                continue;
            };
            let n = self.inner.next_id.fetch_add(1, Ordering::Relaxed) + 1;
            let event_id = format!("{}_{n:06}", self.inner.id_prefix);
            let created_at = crate::state::iso8601_utc(unix_now_ms());
            let body = Bytes::from(python_json(&json!({
                "event_id": event_id,
                "event_type": event_type,
                "created_at": created_at,
                "org_id": "org_sandbox",
                "data": data(&change, n),
            })));
            let key = if config.wrong_secret {
                format!("{secret}-not-the-endpoint-secret")
            } else {
                secret.clone()
            };
            let signature = sign(&key, &body);
            {
                let mut listed = lock(&self.inner.listed);
                if listed.len() >= MAX_LISTED {
                    listed.remove(0);
                }
                listed.push(EventRecord {
                    event_id: event_id.clone(),
                    event_type,
                    call_id: change.call_id.clone(),
                    created_at,
                    sent_at_ms: unix_now_ms(),
                    attempts: 0,
                    last_status: None,
                    delivered: false,
                    gave_up: false,
                });
            }
            self.inner.counters.emitted.fetch_add(1, Ordering::Relaxed);
            let delivery = Delivery {
                inner: Arc::clone(&self.inner),
                event_id,
                uri: uri.clone(),
                body,
                signature,
                retry_ms: config.retry_ms,
                max_attempts: config.max_attempts,
                generation: self.inner.generation.load(Ordering::SeqCst),
            };
            tokio::spawn(delivery.run());
        }
    }
}

fn event_type(status: CallStatus) -> Option<&'static str> {
    match status {
        CallStatus::Initiated => Some("call.initiated"),
        CallStatus::InProgress => Some("call.answered"),
        CallStatus::Completed => Some("call.completed"),
        CallStatus::Failed => Some("call.failed"),
        CallStatus::Disallowed => Some("call.disallowed"),
        CallStatus::Queued | CallStatus::Ringing | CallStatus::Cancelled => None,
    }
}

/// `data` as §7 shows it, with non-ASCII text in the summary, as real transcripts have.
fn data(change: &Change, n: u64) -> serde_json::Value {
    let mut data = json!({
        "call_id": change.call_id,
        "status": change.status.as_str(),
    });
    if let Some(details) = &change.details {
        data["agent_id"] = json!(details.agent_id);
        data["contact_number"] = json!(details.contact_number);
    }
    match change.status {
        CallStatus::Completed => {
            data["duration_seconds"] = json!(30 + n % 90);
            data["summary"] =
                json!("Customer confirmed the payment date — धन्यवाद, gracias, danke schön.");
        }
        CallStatus::Failed => data["reason"] = json!("no_answer"),
        CallStatus::Disallowed => data["reason"] = json!("dnd_registry"),
        _ => {}
    }
    data
}

/// JSON as Python's `json.dumps` writes it by default (`", "` and `": "` between members,
/// non-ASCII escaped as `\uXXXX`): a sender's bytes are rarely what `JSON.stringify` of the
/// parsed body gives, which is why a receiver must verify the bytes it received.
pub fn python_json(value: &serde_json::Value) -> Vec<u8> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonFormatter);
    // Writing a Value to a Vec cannot fail.
    let _ = serde::Serialize::serialize(value, &mut ser);
    out
}

struct PythonFormatter;

/// `", "` before every element or member but the first, as Python separates them.
fn separator<W: ?Sized + std::io::Write>(w: &mut W, first: bool) -> std::io::Result<()> {
    if first {
        Ok(())
    } else {
        w.write_all(b", ")
    }
}

impl serde_json::ser::Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        separator(w, first)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        separator(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        for c in fragment.chars() {
            if c.is_ascii() {
                w.write_all(&[c as u8])?;
            } else {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(w, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }
}

/// Lowercase hex HMAC-SHA256 of the body, as HuskyVoice signs.
pub fn sign(secret: &str, body: &[u8]) -> String {
    match <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(body);
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

struct Delivery {
    inner: Arc<Inner>,
    event_id: String,
    uri: Uri,
    body: Bytes,
    signature: String,
    retry_ms: u64,
    max_attempts: u32,
    generation: u64,
}

impl Delivery {
    async fn run(self) {
        let counters = &self.inner.counters;
        for attempt in 1..=self.max_attempts {
            if self.inner.generation.load(Ordering::SeqCst) != self.generation {
                return;
            }
            counters.attempts.fetch_add(1, Ordering::Relaxed);
            let status = tokio::time::timeout(ATTEMPT_TIMEOUT, self.post())
                .await
                .ok()
                .and_then(Result::ok);
            let delivered = status.is_some_and(|s| (200..300).contains(&s));
            let gave_up = !delivered && attempt == self.max_attempts;
            self.update(attempt, status, delivered, gave_up);
            if delivered {
                counters.delivered.fetch_add(1, Ordering::Relaxed);
                return;
            }
            if gave_up {
                counters.gave_up.fetch_add(1, Ordering::Relaxed);
                return;
            }
            counters.retried.fetch_add(1, Ordering::Relaxed);
            let wait = self
                .retry_ms
                .saturating_mul(1 << (attempt - 1).min(20))
                .min(MAX_BACKOFF_MS);
            tokio::time::sleep(Duration::from_millis(wait)).await;
        }
    }

    fn update(&self, attempt: u32, status: Option<u16>, delivered: bool, gave_up: bool) {
        if self.inner.generation.load(Ordering::SeqCst) != self.generation {
            return;
        }
        // From the end: an event being delivered is among the most recent ones.
        let mut listed = lock(&self.inner.listed);
        if let Some(record) = listed
            .iter_mut()
            .rev()
            .find(|r| r.event_id == self.event_id)
        {
            record.attempts = attempt;
            record.last_status = status;
            record.delivered = delivered;
            record.gave_up = gave_up;
        }
    }

    /// One POST; the answer's status, or an error when none came.
    async fn post(&self) -> Result<u16, String> {
        let host = self.uri.host().unwrap_or("127.0.0.1");
        let port = self.uri.port_u16().unwrap_or(80);
        let stream = TcpStream::connect((host.trim_matches(['[', ']']), port))
            .await
            .map_err(|e| e.to_string())?;
        let _ = stream.set_nodelay(true);
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let path = self
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        let authority = self
            .uri
            .authority()
            .map_or(host, |a| a.as_str())
            .to_string();
        let request = Request::post(path)
            .header(HOST, authority)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(
                USER_AGENT,
                HeaderValue::from_static("HuskyVoice-Webhooks (sandbox)"),
            )
            .header(SIGNATURE_HEADER, self.signature.as_str())
            .body(Full::new(self.body.clone()))
            .map_err(|e| e.to_string())?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        Ok(response.status().as_u16())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_rfc_4231_says() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn bodies_are_written_as_python_writes_them() {
        let value = json!({"event_id": "evt_1", "data": {"summary": "danke schön — धन्यवाद 😀", "n": [1, 2]}});
        let text = String::from_utf8(python_json(&value)).unwrap();
        assert_eq!(
            text,
            r#"{"data": {"n": [1, 2], "summary": "danke sch\u00f6n \u2014 \u0927\u0928\u094d\u092f\u0935\u093e\u0926 \ud83d\ude00"}, "event_id": "evt_1"}"#
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            value
        );
    }

    #[test]
    fn config_checks() {
        let with = |url: &str, secret: Option<&str>| EventsConfig {
            url: Some(url.into()),
            secret: secret.map(str::to_string),
            ..EventsConfig::default()
        };
        assert!(with("http://127.0.0.1:9/hook", Some("s")).checked().is_ok());
        assert!(with("https://example.com/hook", Some("s"))
            .checked()
            .unwrap_err()
            .contains("no TLS"));
        assert!(with("http://127.0.0.1:9/hook", None)
            .checked()
            .unwrap_err()
            .contains("needs events_secret"));
        assert!(with("http://127.0.0.1:9/hook", Some(""))
            .checked()
            .unwrap_err()
            .contains("must not be empty"));
        assert!(with("not a url", Some("s")).checked().is_err());
    }
}
