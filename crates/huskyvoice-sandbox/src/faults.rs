//! Fault injection: rules that make matching requests slow, fail with a chosen response
//! (429 with Retry-After, 5xx HTML pages, malformed JSON, ...), lose their connection
//! without any response, or lose it only after the handler has done its work
//! (`drop_after`: the server acted, the client never hears of it). A rule fires on every
//! match, on every Nth match (`every`) or at random (`probability`, seeded), `times` times
//! (or without end: `"times": null`).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use hyper::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::http::{self, Resp};

/// The seed of a rule's random stream when it gives none (mixed with the rule's index).
const DEFAULT_SEED: u64 = 0x5eed_5eed_5eed_5eed;

/// One rule as posted to `/__sandbox/faults` (and shown back with the `times` left).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    #[serde(default = "root")]
    pub path_prefix: String,
    /// Matches this path exactly (instead of `path_prefix`), e.g. `/v1/calls` for creates
    /// only, not `/v1/calls/{id}/cancel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// How many more times the rule fires; `null` = without end. Missing = 1.
    #[serde(default = "once", deserialize_with = "count_or_null")]
    pub times: Option<u64>,
    /// Fire on every Nth matching request only (the Nth, 2Nth, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<u64>,
    /// Fire on each matching request with this probability (0 < p <= 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Seed of the `probability` draws: the same seed draws the same sequence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
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
    /// Handle the request as usual (it takes effect), then drop the connection instead of
    /// answering; `delay_ms` is waited after the handler, before the drop.
    #[serde(default)]
    pub drop_after: bool,
}

fn root() -> String {
    "/".into()
}

fn once() -> Option<u64> {
    Some(1)
}

/// `times`: a number, or `null` for "without end" (a missing field is 1, via the default).
fn count_or_null<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    Option::<u64>::deserialize(deserializer)
}

/// A rule as `GET /__sandbox/faults` lists it: the rule (with the `times` left) and how
/// often it has fired and matched so far.
#[derive(Debug, Serialize)]
pub struct RuleView {
    #[serde(flatten)]
    pub rule: FaultRule,
    pub matched: u64,
    pub fired: u64,
}

/// What a matching request gets.
pub enum FaultAction {
    /// `delay_ms` only: after the delay, the request is handled normally.
    Continue,
    Respond(Resp),
    Drop,
    /// Handle the request, wait `delay_ms`, then drop the connection without the answer.
    DropAfter,
}

pub struct Fired {
    pub delay_ms: u64,
    pub action: FaultAction,
}

struct Armed {
    rule: FaultRule,
    method: Option<Method>,
    response: Option<(StatusCode, HeaderMap, Bytes)>,
    /// Matching requests seen (for `every`) and rule firings so far.
    matched: u64,
    fired: u64,
    /// splitmix64 state for `probability`.
    rng: u64,
}

impl Armed {
    fn new(rule: FaultRule, index: usize) -> Result<Self, String> {
        if rule.times == Some(0) {
            return Err("`times` must be at least 1 (or null: without end)".into());
        }
        let outcomes = [rule.status.is_some(), rule.drop, rule.drop_after];
        if outcomes.iter().filter(|&&set| set).count() > 1 {
            return Err(
                "a rule answers with `status`, drops the connection (`drop`) or drops it \
                 after handling (`drop_after`): only one of them"
                    .into(),
            );
        }
        if rule.status.is_none() && (rule.body.is_some() || !rule.headers.is_empty()) {
            return Err("`body` and `headers` need a `status`".into());
        }
        if rule.status.is_none() && !rule.drop && !rule.drop_after && rule.delay_ms == 0 {
            return Err("a rule needs `status`, `drop`, `drop_after` or `delay_ms`".into());
        }
        if rule.path.is_some() && rule.path_prefix != "/" {
            return Err("give `path` (exact) or `path_prefix`, not both".into());
        }
        if rule.every == Some(0) {
            return Err("`every` must be at least 1".into());
        }
        if let Some(p) = rule.probability {
            // Written so that NaN fails too.
            if !(p > 0.0 && p <= 1.0) {
                return Err(format!("`probability` must be > 0 and <= 1, got {p}"));
            }
            if rule.every.is_some() {
                return Err("give `every` or `probability`, not both".into());
            }
        }
        if rule.seed.is_some() && rule.probability.is_none() {
            return Err("`seed` needs a `probability`".into());
        }
        let method = rule
            .method
            .as_deref()
            .map(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()))
            .transpose()
            .map_err(|_| "`method` is not an HTTP method".to_string())?;
        let response = rule.status.map(|code| prepare(code, &rule)).transpose()?;
        let rng = rule
            .seed
            .unwrap_or(DEFAULT_SEED ^ u64::try_from(index).unwrap_or(0));
        Ok(Self {
            rule,
            method,
            response,
            matched: 0,
            fired: 0,
            rng,
        })
    }

    fn matches(&self, method: &Method, path: &str) -> bool {
        let path_matches = match &self.rule.path {
            Some(exact) => path == exact,
            None => path.starts_with(&self.rule.path_prefix),
        };
        path_matches && self.method.as_ref().map_or(true, |m| m == method)
    }

    /// Counts a matching request and decides whether the rule fires on it.
    fn fires(&mut self) -> bool {
        self.matched += 1;
        if let Some(every) = self.rule.every {
            return self.matched % every == 0;
        }
        if let Some(p) = self.rule.probability {
            return self.next_unit() < p;
        }
        true
    }

    /// A uniform draw in [0, 1) (splitmix64).
    fn next_unit(&mut self) -> f64 {
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        // The top 53 bits, exactly representable.
        (z >> 11) as f64 / (1u64 << 53) as f64
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
        crate::sync::lock(&self.rules)
    }

    /// Replaces all rules; nothing changes if any rule is invalid.
    pub fn set(&self, rules: Vec<FaultRule>) -> Result<usize, String> {
        let armed = rules
            .into_iter()
            .enumerate()
            .map(|(i, rule)| Armed::new(rule, i).map_err(|err| format!("rule {i}: {err}")))
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

    pub fn list(&self) -> Vec<RuleView> {
        self.lock()
            .iter()
            .map(|armed| RuleView {
                rule: armed.rule.clone(),
                matched: armed.matched,
                fired: armed.fired,
            })
            .collect()
    }

    /// The first rule that matches and fires (see `every`, `probability`), used up once;
    /// spent rules are removed. A matching rule that does not fire lets later rules try.
    pub fn take(&self, method: &Method, path: &str) -> Option<Fired> {
        if !self.armed.load(Ordering::Acquire) {
            return None;
        }
        let mut rules = self.lock();
        let index = rules
            .iter_mut()
            .position(|armed| armed.matches(method, path) && armed.fires())?;
        let armed = &mut rules[index];
        armed.fired += 1;
        if let Some(times) = armed.rule.times.as_mut() {
            *times -= 1;
        }
        let action = if armed.rule.drop {
            FaultAction::Drop
        } else if armed.rule.drop_after {
            FaultAction::DropAfter
        } else if let Some((status, headers, body)) = &armed.response {
            FaultAction::Respond(http::raw(*status, headers.clone(), body.clone()))
        } else {
            FaultAction::Continue
        };
        let fired = Fired {
            delay_ms: armed.rule.delay_ms,
            action,
        };
        if armed.rule.times == Some(0) {
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
            r#"{"drop_after":true,"status":500}"#,
            r#"{"drop_after":true,"drop":true}"#,
            r#"{"drop":true,"every":0}"#,
            r#"{"drop":true,"probability":0}"#,
            r#"{"drop":true,"probability":1.5}"#,
            r#"{"drop":true,"probability":0.5,"every":2}"#,
            r#"{"drop":true,"seed":3}"#,
            r#"{"drop":true,"path":"/v1/calls","path_prefix":"/v1/"}"#,
        ] {
            assert!(faults.set(vec![rule(bad)]).is_err(), "{bad}");
        }
        assert_eq!(faults.list().len(), 1);
    }

    fn fired_count(faults: &Faults, n: usize, path: &str) -> usize {
        (0..n)
            .filter(|_| faults.take(&Method::POST, path).is_some())
            .count()
    }

    #[test]
    fn every_nth_and_without_end() {
        let faults = Faults::default();
        faults
            .set(vec![rule(
                r#"{"path":"/v1/calls","every":3,"times":null,"drop_after":true}"#,
            )])
            .expect("valid");
        let fired: Vec<bool> = (0..9)
            .map(|_| {
                faults
                    .take(&Method::POST, "/v1/calls")
                    .is_some_and(|f| matches!(f.action, FaultAction::DropAfter))
            })
            .collect();
        assert_eq!(
            fired,
            [false, false, true, false, false, true, false, false, true]
        );
        assert!(
            faults.take(&Method::POST, "/v1/calls/a/cancel").is_none(),
            "`path` is exact"
        );
        let listed = faults.list();
        assert_eq!((listed[0].matched, listed[0].fired), (9, 3));
        assert_eq!(listed[0].rule.times, None, "still without end");
    }

    #[test]
    fn probability_is_seeded_and_times_still_counts() {
        let draws = |seed: u64| {
            let faults = Faults::default();
            let json = format!(r#"{{"probability":0.3,"seed":{seed},"times":null,"drop":true}}"#);
            faults.set(vec![rule(&json)]).expect("valid");
            (0..1000)
                .map(|_| faults.take(&Method::POST, "/v1/calls").is_some())
                .collect::<Vec<_>>()
        };
        let a = draws(7);
        assert_eq!(a, draws(7), "same seed, same draws");
        assert_ne!(a, draws(8));
        let fraction = a.iter().filter(|&&f| f).count();
        assert!((230..370).contains(&fraction), "{fraction} of 1000");

        let faults = Faults::default();
        faults
            .set(vec![
                rule(r#"{"probability":0.5,"times":4,"drop":true}"#),
                rule(r#"{"status":503,"times":null}"#),
            ])
            .expect("valid");
        let mut dropped = 0;
        for _ in 0..100 {
            match faults.take(&Method::POST, "/v1/calls").map(|f| f.action) {
                Some(FaultAction::Drop) => dropped += 1,
                Some(FaultAction::Respond(_)) => {}
                _ => panic!("a request that the first rule passes goes to the second"),
            }
        }
        assert_eq!(dropped, 4, "times caps the random rule");
        assert_eq!(faults.list().len(), 1);
        assert_eq!(fired_count(&faults, 3, "/x"), 3);
    }
}
