//! Fault injection: rules that make the next `times` matching requests slow, fail with a
//! chosen response (429 with Retry-After, 5xx HTML pages, malformed JSON, ...) or lose
//! their connection without any response.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use hyper::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::{self, Resp};

/// One rule as posted to `/__sandbox/faults` (and shown back with the `times` left).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    #[serde(default = "root")]
    pub path_prefix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default = "one")]
    pub times: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, Value>,
    /// A string is sent as-is (HTML, malformed JSON); any other JSON value is serialised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    #[serde(default)]
    pub delay_ms: u64,
    #[serde(default)]
    pub drop: bool,
}

fn root() -> String {
    "/".into()
}

fn one() -> u64 {
    1
}

/// What a matching request gets.
pub enum FaultAction {
    /// `delay_ms` only: after the delay, the request is handled normally.
    Continue,
    Respond(Resp),
    Drop,
}

pub struct Fired {
    pub delay_ms: u64,
    pub action: FaultAction,
}

struct Armed {
    rule: FaultRule,
    method: Option<Method>,
    response: Option<(StatusCode, HeaderMap, Bytes)>,
}

impl Armed {
    fn new(rule: FaultRule) -> Result<Self, String> {
        if rule.times == 0 {
            return Err("`times` must be at least 1".into());
        }
        if rule.drop && rule.status.is_some() {
            return Err(
                "a rule either drops the connection or answers with `status`, not both".into(),
            );
        }
        if rule.status.is_none() && (rule.body.is_some() || !rule.headers.is_empty()) {
            return Err("`body` and `headers` need a `status`".into());
        }
        if rule.status.is_none() && !rule.drop && rule.delay_ms == 0 {
            return Err("a rule needs `status`, `drop` or `delay_ms`".into());
        }
        let method = rule
            .method
            .as_deref()
            .map(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()))
            .transpose()
            .map_err(|_| "`method` is not an HTTP method".to_string())?;
        let response = rule.status.map(|code| prepare(code, &rule)).transpose()?;
        Ok(Self {
            rule,
            method,
            response,
        })
    }

    fn matches(&self, method: &Method, path: &str) -> bool {
        path.starts_with(&self.rule.path_prefix)
            && self.method.as_ref().map_or(true, |m| m == method)
    }
}

fn prepare(code: u16, rule: &FaultRule) -> Result<(StatusCode, HeaderMap, Bytes), String> {
    let status = StatusCode::from_u16(code).map_err(|_| format!("bad status {code}"))?;
    let mut headers = HeaderMap::new();
    for (name, value) in &rule.headers {
        let value = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return Err(format!("header {name} must be a string or number")),
        };
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("bad header name {name:?}"))?;
        let value =
            HeaderValue::from_str(&value).map_err(|_| format!("bad value for header {name}"))?;
        headers.append(name, value);
    }
    let body = match &rule.body {
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => default_body(status),
    };
    if !headers.contains_key(CONTENT_TYPE) {
        // HTML pages are what proxies send on 502/503; anything else claims to be JSON,
        // which is what makes a malformed body a malformed *JSON* body.
        let content_type = if body.trim_start().starts_with('<') {
            "text/html; charset=utf-8"
        } else {
            "application/json"
        };
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    Ok((status, headers, Bytes::from(body)))
}

fn default_body(status: StatusCode) -> String {
    let (code, message) = match status.as_u16() {
        429 => ("RATE_LIMITED", "Too many requests."),
        500 => ("INTERNAL_ERROR", "Internal server error."),
        502 => ("BAD_GATEWAY", "Bad gateway."),
        503 => ("SERVICE_UNAVAILABLE", "Service unavailable."),
        _ => ("FAULT_INJECTED", "Injected fault."),
    };
    let success = status.is_success();
    serde_json::json!({"success": success, "error": {"code": code, "message": message}}).to_string()
}

#[derive(Default)]
pub struct Faults {
    rules: Mutex<Vec<Armed>>,
    /// Lets the hot path skip the lock when no rule is set (benchmarks).
    armed: AtomicBool,
}

impl Faults {
    fn lock(&self) -> MutexGuard<'_, Vec<Armed>> {
        self.rules
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Replaces all rules; nothing changes if any rule is invalid.
    pub fn set(&self, rules: Vec<FaultRule>) -> Result<usize, String> {
        let armed = rules
            .into_iter()
            .enumerate()
            .map(|(i, rule)| Armed::new(rule).map_err(|err| format!("rule {i}: {err}")))
            .collect::<Result<Vec<_>, _>>()?;
        let count = armed.len();
        let mut rules = self.lock();
        *rules = armed;
        self.armed.store(count > 0, Ordering::Release);
        Ok(count)
    }

    pub fn clear(&self) {
        let mut rules = self.lock();
        rules.clear();
        self.armed.store(false, Ordering::Release);
    }

    pub fn list(&self) -> Vec<FaultRule> {
        self.lock().iter().map(|armed| armed.rule.clone()).collect()
    }

    /// The first rule that matches, used up once; spent rules are removed.
    pub fn take(&self, method: &Method, path: &str) -> Option<Fired> {
        if !self.armed.load(Ordering::Acquire) {
            return None;
        }
        let mut rules = self.lock();
        let index = rules.iter().position(|armed| armed.matches(method, path))?;
        let armed = &mut rules[index];
        armed.rule.times -= 1;
        let fired = Fired {
            delay_ms: armed.rule.delay_ms,
            action: match (&armed.response, armed.rule.drop) {
                (_, true) => FaultAction::Drop,
                (Some((status, headers, body)), false) => {
                    FaultAction::Respond(http::raw(*status, headers.clone(), body.clone()))
                }
                (None, false) => FaultAction::Continue,
            },
        };
        if armed.rule.times == 0 {
            rules.remove(index);
            self.armed.store(!rules.is_empty(), Ordering::Release);
        }
        Some(fired)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(json: &str) -> FaultRule {
        serde_json::from_str(json).expect("valid rule json")
    }

    #[test]
    fn rules_are_used_up_in_order() {
        let faults = Faults::default();
        faults
            .set(vec![
                rule(r#"{"path_prefix":"/v1/calls","times":2,"status":503}"#),
                rule(r#"{"path_prefix":"/v1/","drop":true}"#),
            ])
            .expect("valid");
        let post = Method::POST;
        for _ in 0..2 {
            let fired = faults.take(&post, "/v1/calls/a/cancel").expect("fires");
            assert!(matches!(fired.action, FaultAction::Respond(ref r) if r.status() == 503));
        }
        let fired = faults
            .take(&post, "/v1/calls/a/cancel")
            .expect("second rule");
        assert!(matches!(fired.action, FaultAction::Drop));
        assert!(faults.take(&post, "/v1/calls/a/cancel").is_none());
        assert!(faults.list().is_empty());
    }

    #[test]
    fn method_filter_and_content_types() {
        let faults = Faults::default();
        faults
            .set(vec![rule(
                r#"{"method":"get","status":502,"body":"<html>bad gateway</html>"}"#,
            )])
            .expect("valid");
        assert!(faults.take(&Method::POST, "/v1/calls").is_none());
        let Some(Fired {
            action: FaultAction::Respond(response),
            ..
        }) = faults.take(&Method::GET, "/v1/calls/x")
        else {
            panic!("expected a response");
        };
        assert_eq!(response.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    }

    #[test]
    fn invalid_rules_change_nothing() {
        let faults = Faults::default();
        faults.set(vec![rule(r#"{"delay_ms":5}"#)]).expect("valid");
        for bad in [
            r#"{"times":0,"status":500}"#,
            r#"{"status":500,"drop":true}"#,
            r#"{"headers":{"Retry-After":"1"}}"#,
            r#"{}"#,
            r#"{"status":42}"#,
            r#"{"status":500,"headers":{"Bad Name":"x"}}"#,
        ] {
            assert!(faults.set(vec![rule(bad)]).is_err(), "{bad}");
        }
        assert_eq!(faults.list().len(), 1);
    }
}
