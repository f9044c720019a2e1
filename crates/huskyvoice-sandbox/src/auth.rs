//! API keys with scopes and inbound-webhook tokens.

use std::collections::{HashMap, HashSet};

use hyper::header::HeaderValue;

pub const DEMO_API_KEY: &str = "sk_test_sandbox";
pub const DEMO_WEBHOOK_TOKEN: &str = "sandbox-token";
pub const SCOPE_READ: &str = "calls:read";
pub const SCOPE_CANCEL: &str = "calls:cancel";
pub const SCOPE_CREATE: &str = "calls:create";
pub const SCOPE_DELETE: &str = "calls:delete";
const ALL_SCOPES: [&str; 4] = [SCOPE_READ, SCOPE_CANCEL, SCOPE_CREATE, SCOPE_DELETE];

/// The header the "Deleting Calls" page shows the key in (API-CONTRACT §6).
pub const X_API_KEY: &str = "x-api-key";

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
    /// `Authorization: Bearer` and `x-api-key` both given, with different keys.
    Conflicting,
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

    /// `Authorization: Bearer <key>`: the auth of every endpoint but delete.
    pub fn check(&self, authorization: Option<&HeaderValue>, scope: &str) -> KeyCheck {
        self.check_key(authorization.and_then(bearer), scope)
    }

    /// Delete: `Authorization: Bearer <key>` or `x-api-key: <key>`, either one; both may
    /// be sent, but then with the same key.
    pub fn check_bearer_or_x_api_key(
        &self,
        authorization: Option<&HeaderValue>,
        x_api_key: Option<&HeaderValue>,
        scope: &str,
    ) -> KeyCheck {
        let from_bearer = authorization.and_then(bearer);
        let from_header = x_api_key.and_then(header_key);
        match (from_bearer, from_header) {
            (Some(a), Some(b)) if a != b => KeyCheck::Conflicting,
            (a, b) => self.check_key(a.or(b), scope),
        }
    }

    fn check_key(&self, key: Option<&str>, scope: &str) -> KeyCheck {
        let Some(key) = key else {
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

/// The credential of `x-api-key: <key>` (surrounding whitespace ignored).
pub fn header_key(value: &HeaderValue) -> Option<&str> {
    let key = value.to_str().ok()?.trim();
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
        assert_eq!(auth.check(Some(&h), SCOPE_DELETE), KeyCheck::Allowed);
        assert!(auth.token_ok(DEMO_WEBHOOK_TOKEN));
    }

    #[test]
    fn delete_takes_either_header_but_not_two_keys() {
        let keys = [
            ApiKey::parse("k").expect("spec"),
            ApiKey::parse("ro:calls:read").expect("spec"),
        ];
        let auth = Auth::new(&keys, &[]);
        let check = |a: Option<&str>, x: Option<&str>| {
            let a = a.map(header);
            let x = x.map(header);
            auth.check_bearer_or_x_api_key(a.as_ref(), x.as_ref(), SCOPE_DELETE)
        };
        assert_eq!(check(Some("Bearer k"), None), KeyCheck::Allowed);
        assert_eq!(check(None, Some("k")), KeyCheck::Allowed);
        assert_eq!(check(Some("Bearer k"), Some(" k ")), KeyCheck::Allowed);
        assert_eq!(check(Some("Bearer k"), Some("ro")), KeyCheck::Conflicting);
        assert_eq!(check(None, Some("ro")), KeyCheck::Forbidden);
        assert_eq!(check(None, Some("nope")), KeyCheck::Unauthorized);
        assert_eq!(check(Some("Basic k"), Some("k")), KeyCheck::Allowed);
        assert_eq!(check(None, Some("")), KeyCheck::Unauthorized);
        assert_eq!(check(None, None), KeyCheck::Unauthorized);
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
        assert_eq!(ApiKey::parse("k").expect("spec").scopes.len(), 4);
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
