//! API keys with scopes and inbound-webhook tokens.

use std::collections::{HashMap, HashSet};

use hyper::header::HeaderValue;

pub const DEMO_API_KEY: &str = "sk_test_sandbox";
pub const DEMO_WEBHOOK_TOKEN: &str = "sandbox-token";
pub const SCOPE_READ: &str = "calls:read";
pub const SCOPE_CANCEL: &str = "calls:cancel";
pub const SCOPE_CREATE: &str = "calls:create";
const ALL_SCOPES: [&str; 3] = [SCOPE_READ, SCOPE_CANCEL, SCOPE_CREATE];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub key: String,
    pub scopes: Vec<String>,
}

impl ApiKey {
    /// `KEY` (all scopes), `KEY:` (no scope) or `KEY:SCOPE,SCOPE`. Scopes contain `:`
    /// themselves, so only the first `:` separates the key.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let (key, scopes) = match spec.split_once(':') {
            None => (spec, ALL_SCOPES.iter().map(|s| s.to_string()).collect()),
            Some((key, list)) => (
                key,
                list.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
            ),
        };
        if key.is_empty() {
            return Err("--api-key needs a non-empty key before any `:`".into());
        }
        Ok(Self {
            key: key.to_string(),
            scopes,
        })
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum KeyCheck {
    Allowed,
    /// Missing header, not a Bearer credential, or an unknown key.
    Unauthorized,
    /// A known key without the scope the endpoint needs.
    Forbidden,
}

pub struct Auth {
    keys: HashMap<String, HashSet<String>>,
    tokens: HashSet<String>,
}

impl Auth {
    /// Empty lists fall back to the demo credentials (each list on its own).
    pub fn new(keys: &[ApiKey], tokens: &[String]) -> Self {
        let keys = if keys.is_empty() {
            vec![ApiKey {
                key: DEMO_API_KEY.into(),
                scopes: ALL_SCOPES.iter().map(|s| s.to_string()).collect(),
            }]
        } else {
            keys.to_vec()
        };
        let tokens = if tokens.is_empty() {
            vec![DEMO_WEBHOOK_TOKEN.to_string()]
        } else {
            tokens.to_vec()
        };
        Self {
            keys: keys
                .into_iter()
                .map(|k| (k.key, k.scopes.into_iter().collect()))
                .collect(),
            tokens: tokens.into_iter().collect(),
        }
    }

    pub fn check(&self, authorization: Option<&HeaderValue>, scope: &str) -> KeyCheck {
        let Some(key) = authorization.and_then(bearer) else {
            return KeyCheck::Unauthorized;
        };
        match self.keys.get(key) {
            None => KeyCheck::Unauthorized,
            Some(scopes) if scopes.contains(scope) => KeyCheck::Allowed,
            Some(_) => KeyCheck::Forbidden,
        }
    }

    pub fn token_ok(&self, token: &str) -> bool {
        self.tokens.contains(token)
    }
}

/// The credential of `Authorization: Bearer <key>` (scheme case-insensitive).
pub fn bearer(value: &HeaderValue) -> Option<&str> {
    let text = value.to_str().ok()?.trim();
    let (scheme, rest) = text.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let key = rest.trim();
    (!key.is_empty()).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(s: &str) -> HeaderValue {
        HeaderValue::from_str(s).expect("valid header")
    }

    #[test]
    fn demo_credentials_by_default() {
        let auth = Auth::new(&[], &[]);
        let h = header("Bearer sk_test_sandbox");
        assert_eq!(auth.check(Some(&h), SCOPE_CANCEL), KeyCheck::Allowed);
        assert_eq!(auth.check(Some(&h), SCOPE_CREATE), KeyCheck::Allowed);
        assert!(auth.token_ok(DEMO_WEBHOOK_TOKEN));
    }

    #[test]
    fn scopes_and_unknown_keys() {
        let keys = [ApiKey::parse("ro:calls:read").expect("spec")];
        let auth = Auth::new(&keys, &["t".into()]);
        assert_eq!(
            auth.check(Some(&header("bearer ro")), SCOPE_READ),
            KeyCheck::Allowed
        );
        assert_eq!(
            auth.check(Some(&header("Bearer ro")), SCOPE_CANCEL),
            KeyCheck::Forbidden
        );
        assert_eq!(
            auth.check(Some(&header("Bearer sk_test_sandbox")), SCOPE_READ),
            KeyCheck::Unauthorized
        );
        assert_eq!(
            auth.check(Some(&header("Basic ro")), SCOPE_READ),
            KeyCheck::Unauthorized
        );
        assert_eq!(auth.check(None, SCOPE_READ), KeyCheck::Unauthorized);
        assert!(!auth.token_ok(DEMO_WEBHOOK_TOKEN));
    }

    #[test]
    fn key_spec_forms() {
        assert_eq!(ApiKey::parse("k").expect("spec").scopes.len(), 3);
        assert!(ApiKey::parse("k:").expect("spec").scopes.is_empty());
        assert_eq!(
            ApiKey::parse("k:calls:read, calls:create")
                .expect("spec")
                .scopes,
            vec!["calls:read".to_string(), "calls:create".to_string()]
        );
        assert!(ApiKey::parse(":calls:read").is_err());
    }
}
