//! Test controls under `/__sandbox/`: no auth, loopback clients only. These requests are
//! not logged, counted, faulted or limited, so a test's own polling never shows up in what
//! it checks.

use std::net::SocketAddr;

use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::{Method, Request, StatusCode};
use serde::{Deserialize, Deserializer};
use serde_json::json;

use crate::app::App;
use crate::faults::FaultRule;
use crate::http::{self, Resp};
use crate::limits::RateLimit;
use crate::seed;

#[derive(Deserialize)]
#[serde(untagged)]
enum FaultPayload {
    List(Vec<FaultRule>),
    Wrapped { rules: Vec<FaultRule> },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigUpdate {
    latency_ms: Option<u64>,
    log_requests: Option<bool>,
    /// Outer None: not given; `Some(None)`: null, switch it off.
    #[serde(default, deserialize_with = "given")]
    rate_limit: Option<Option<String>>,
    #[serde(default, deserialize_with = "given")]
    daily_quota: Option<Option<u64>>,
    zero_balance: Option<bool>,
    #[serde(default, deserialize_with = "given")]
    events_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "given")]
    events_secret: Option<Option<String>>,
    events_wrong_secret: Option<bool>,
    events_retry_ms: Option<u64>,
    events_max_attempts: Option<u32>,
}

/// Tells a field set to null apart from a missing one (serde reads both as None).
fn given<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

const CONFIG_FIELDS: &str = "{\"latency_ms\", \"log_requests\", \"rate_limit\", \"daily_quota\", \"zero_balance\", \"events_url\", \"events_secret\", \"events_wrong_secret\", \"events_retry_ms\", \"events_max_attempts\"}";

pub async fn handle(app: &App, peer: SocketAddr, req: Request<Incoming>) -> Resp {
    if !peer.ip().to_canonical().is_loopback() {
        return http::error(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "Test controls answer loopback clients only.",
        );
    }
    let (parts, body) = req.into_parts();
    let body = match http::read_body(body).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let path = parts.uri.path().trim_start_matches("/__sandbox");
    let method = &parts.method;

    match (method, path) {
        (&Method::POST, "/reset") => {
            app.reset();
            ok(json!({"ok": true}))
        }
        (&Method::POST, "/calls") => match seed::parse(&body) {
            Ok(calls) => {
                // A call moved to a new state this way sends its event, as by time.
                app.events.on_changes(app.calls.upsert(&calls));
                ok(json!({"ok": true, "added": calls.len()}))
            }
            Err(message) => bad_request(&message),
        },
        (&Method::GET, "/calls") => ok(json!({"calls": app.calls.all()})),
        (&Method::POST, "/advance") => ok(json!({"ok": true, "moved": app.advance()})),
        (&Method::GET, "/events") => ok(json!({"events": app.events.list()})),
        (&Method::GET, p) if p.starts_with("/calls/") => {
            let id = http::percent_decode(&p["/calls/".len()..]).unwrap_or_default();
            match app.calls.view(&id) {
                Some(view) => http::json(StatusCode::OK, &view),
                None => http::error(StatusCode::NOT_FOUND, "NOT_FOUND", "Call not found."),
            }
        }
        (&Method::GET, "/requests") => http::bytes(
            StatusCode::OK,
            HeaderValue::from_static("application/json"),
            app.log.to_json(),
        ),
        (&Method::DELETE, "/requests") => {
            app.log.clear();
            ok(json!({"ok": true}))
        }
        (&Method::GET, "/stats") => stats(app),
        (&Method::POST, "/stats/reset") => {
            app.stats.reset();
            app.events.reset_counters();
            stats(app)
        }
        (&Method::GET, "/faults") => ok(json!({"rules": app.faults.list()})),
        (&Method::POST, "/faults") => {
            let rules = match serde_json::from_slice::<FaultPayload>(&body) {
                Ok(FaultPayload::List(rules)) | Ok(FaultPayload::Wrapped { rules }) => rules,
                Err(err) => return bad_request(&format!("expected a list of fault rules: {err}")),
            };
            match app.faults.set(rules) {
                Ok(count) => ok(json!({"ok": true, "rules": count})),
                Err(message) => bad_request(&message),
            }
        }
        (&Method::DELETE, "/faults") => {
            app.faults.clear();
            ok(json!({"ok": true}))
        }
        (&Method::GET, "/config") => http::json(StatusCode::OK, &app.config()),
        (&Method::POST, "/config") => configure(app, &body),
        _ => http::error(StatusCode::NOT_FOUND, "NOT_FOUND", "No such test control."),
    }
}

/// Validates the whole update before applying any of it: a bad value changes nothing.
fn configure(app: &App, body: &[u8]) -> Resp {
    let update = match serde_json::from_slice::<ConfigUpdate>(body) {
        Ok(update) => update,
        Err(err) => return bad_request(&format!("expected {CONFIG_FIELDS}: {err}")),
    };
    let rate_limit = match update.rate_limit {
        None => None,
        Some(None) => Some(None),
        Some(Some(text)) => match RateLimit::parse(&text) {
            Ok(limit) => Some(Some(limit)),
            Err(err) => return bad_request(&format!("rate_limit {err}")),
        },
    };
    let mut events = app.events.config();
    if let Some(url) = update.events_url {
        events.url = url;
    }
    if let Some(secret) = update.events_secret {
        events.secret = secret;
    }
    if let Some(wrong) = update.events_wrong_secret {
        events.wrong_secret = wrong;
    }
    if let Some(ms) = update.events_retry_ms {
        events.retry_ms = ms;
    }
    if let Some(n) = update.events_max_attempts {
        events.max_attempts = n;
    }
    let events = match events.checked() {
        Ok(events) => events,
        Err(message) => return bad_request(&message),
    };
    app.events.set_config(events);
    if let Some(ms) = update.latency_ms {
        app.set_latency_ms(ms);
    }
    if let Some(enabled) = update.log_requests {
        app.log.set_enabled(enabled);
    }
    if let Some(limit) = rate_limit {
        app.limits.set_rate_limit(limit);
    }
    if let Some(quota) = update.daily_quota {
        app.limits.set_daily_quota(quota);
    }
    if let Some(zero) = update.zero_balance {
        app.limits.set_zero_balance(zero);
    }
    http::json(StatusCode::OK, &app.config())
}

fn stats(app: &App) -> Resp {
    let snapshot = app.stats.snapshot();
    let mut body = json!({
        "requests_total": snapshot.requests_total,
        "in_flight": snapshot.in_flight,
        "peak_in_flight": snapshot.peak_in_flight,
        "logged_requests": app.log.len(),
        "rate_limited_total": snapshot.rate_limited_total,
        "quota_exceeded_total": snapshot.quota_exceeded_total,
        "max_in_window": snapshot.max_in_window,
        "calls_created": snapshot.calls_created,
        "calls_created_by_key": snapshot.calls_created_by_key,
        "calls_created_without_key": snapshot.calls_created_without_key,
        "idempotent_replays": snapshot.idempotent_replays,
        "idempotency_key_reused": snapshot.idempotency_key_reused,
        "calls_deleted": snapshot.calls_deleted,
    });
    if let (Some(body), serde_json::Value::Object(events)) =
        (body.as_object_mut(), app.events.stats())
    {
        body.extend(events);
    }
    ok(body)
}

fn ok(body: serde_json::Value) -> Resp {
    http::json(StatusCode::OK, &body)
}

fn bad_request(message: &str) -> Resp {
    http::error(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
}
