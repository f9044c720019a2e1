//! The Idempotency-Key of a create that the caller did not name, derived in the core from the
//! run's id (its seed) and the item, so every repeat of the same item (the engine's retries,
//! n8n's Retry On Fail, the same list or file run again with the same run id) sends the same
//! key and HuskyVoice answers it with the call it already made instead of a second call.
//!
//! The derivation (stable: changing it would make a re-run after an upgrade call again):
//! `hv1-` and the first 32 hex digits of SHA-256 over a tag, the run id and the item's place,
//! fields separated by a NUL byte (which no text field holds, so no two inputs collide by
//! concatenation). The item's place is either
//! - [`KeysFrom::Index`]: its index in the run (tag `huskyvoice-idempotency-v1`). For n8n,
//!   whose retries send the same items in the same order.
//! - [`KeysFrom::Content`]: the call's checked body (number normalised, so `+91 98765 43210`
//!   and `+919876543210` are one call) and how many earlier items of the run had the same
//!   body (tag `huskyvoice-idempotency-content-v1`). For a file or list run again after
//!   rows were removed, reordered or fixed: the untouched rows keep their keys, and two
//!   identical rows are still two calls.

use std::borrow::Cow;
use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::json_text::to_json_text;
use crate::loose::Loose;
use crate::new_call::NewCall;

/// What places an item among the run's creates; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeysFrom {
    #[default]
    Index,
    Content,
}

impl KeysFrom {
    pub const NAMES: [&'static str; 2] = ["index", "content"];
    pub const ALL: [KeysFrom; 2] = [KeysFrom::Index, KeysFrom::Content];
}

/// The keys of one run, handed out in item order (content keys count earlier equal bodies).
#[derive(Debug, Clone)]
pub struct RunKeys {
    run_id: String,
    from: KeysFrom,
    bodies_seen: HashMap<String, usize>,
}

impl RunKeys {
    pub fn new(run_id: impl Into<String>, from: KeysFrom) -> RunKeys {
        RunKeys {
            run_id: run_id.into(),
            from,
            bodies_seen: HashMap::new(),
        }
    }

    /// The key of the `index`th item, the checked `call` (its body is read only for
    /// [`KeysFrom::Content`]).
    pub fn key(&mut self, index: usize, call: &NewCall) -> String {
        match self.from {
            KeysFrom::Index => derived_key(&self.run_id, index),
            KeysFrom::Content => {
                // Members sorted: a sheet exported with its columns in another order is the
                // same content.
                let body = to_json_text(&sorted(&call.fields()));
                let seen = self.bodies_seen.entry(body.clone()).or_insert(0);
                let nth = *seen;
                *seen += 1;
                digest_key(&[
                    b"huskyvoice-idempotency-content-v1",
                    self.run_id.as_bytes(),
                    body.as_bytes(),
                    nth.to_string().as_bytes(),
                ])
            }
        }
    }
}

/// The [`KeysFrom::Index`] key of the `index`th item of run `run_id` (n8n's run id:
/// `<workflow id>:<first execution id>:<node name>`).
pub fn derived_key(run_id: &str, index: usize) -> String {
    digest_key(&[
        b"huskyvoice-idempotency-v1",
        run_id.as_bytes(),
        index.to_string().as_bytes(),
    ])
}

/// `value` with every object's members sorted by name.
fn sorted(value: &Loose<'_>) -> Loose<'static> {
    match value {
        Loose::Object(members) => {
            let mut m: Vec<(Cow<'static, str>, Loose<'static>)> = members
                .iter()
                .map(|(k, v)| (Cow::Owned(k.to_string()), sorted(v)))
                .collect();
            m.sort_by(|a, b| a.0.cmp(&b.0));
            Loose::Object(m)
        }
        Loose::Array(items) => Loose::Array(items.iter().map(sorted).collect()),
        other => other.clone().into_owned(),
    }
}

fn digest_key(fields: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            h.update([0u8]);
        }
        h.update(f);
    }
    let digest = h.finalize();
    let mut key = String::with_capacity(36);
    key.push_str("hv1-");
    for b in &digest[..16] {
        key.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        key.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::new_call::read_new_call;

    fn call(json: &str) -> NewCall {
        let input: Loose<'_> = serde_json::from_str(json).expect("json");
        read_new_call(&input).expect("a valid call")
    }

    fn to(n: u32) -> NewCall {
        call(&format!(
            r#"{{"agent_id":"a","contact_number":"+9198765432{n:02}"}}"#
        ))
    }

    #[test]
    fn index_keys_are_stable_and_distinct() {
        let a = derived_key("wf1:100:Schedule", 0);
        assert_eq!(a, derived_key("wf1:100:Schedule", 0));
        assert_eq!(a.len(), 36);
        assert!(a.starts_with("hv1-"));
        assert_ne!(a, derived_key("wf1:100:Schedule", 1));
        assert_ne!(a, derived_key("wf1:101:Schedule", 0));
        // "a" + "10" and "a1" + "0" must not meet.
        assert_ne!(derived_key("a", 10), derived_key("a1", 0));
        // The derivation is a promise kept across versions (a re-run after an upgrade must
        // send the same key): this pins it.
        assert_eq!(
            derived_key("wf1:100:Schedule", 0),
            RunKeys::new("wf1:100:Schedule", KeysFrom::Index).key(0, &to(1))
        );
        // Pinned: python3 -c "import hashlib; print(hashlib.sha256(
        //   b'huskyvoice-idempotency-v1\x00wf1:100:Schedule\x000').hexdigest()[:32])"
        assert_eq!(a, "hv1-42754425f0fda6f937d5e0e4c2f6287f");
    }

    #[test]
    fn content_keys_follow_the_body_not_the_place() {
        let mut first = RunKeys::new("calls.csv", KeysFrom::Content);
        let keys: Vec<String> = [1, 2, 1, 3].iter().map(|&n| first.key(0, &to(n))).collect();
        // Two identical bodies are two calls: the second gets its own key.
        assert_ne!(keys[0], keys[2]);
        // The same rows reordered, one removed: every remaining row keeps its key.
        let mut again = RunKeys::new("calls.csv", KeysFrom::Content);
        assert_eq!(again.key(5, &to(3)), keys[3]);
        assert_eq!(again.key(6, &to(1)), keys[0]);
        assert_eq!(again.key(7, &to(1)), keys[2]);
        // Another run id: other keys.
        let mut other = RunKeys::new("calls.csv#2", KeysFrom::Content);
        assert_ne!(other.key(0, &to(1)), keys[0]);
        assert!(keys.iter().all(|k| k.len() == 36 && k.starts_with("hv1-")));
        // Pinned like the index key: python3 -c "import hashlib; print(hashlib.sha256(
        //   b'huskyvoice-idempotency-content-v1\x00calls.csv\x00'
        //   b'{\"agent_id\":\"a\",\"contact_number\":\"+919876543201\"}\x000').hexdigest()[:32])"
        assert_eq!(keys[0], "hv1-f1dfc174a4ca8274d05cde82cfae7d49");
    }

    #[test]
    fn content_keys_ignore_member_order_and_number_format() {
        let a = call(
            r#"{"agent_id":"a","contact_number":"+919876543210","additional_info":{"invoice":"I-1","amount":"5"}}"#,
        );
        let b = call(
            r#"{"additional_info":{"amount":"5","invoice":"I-1"},"contact_number":"+91 98765-43210","agent_id":"a"}"#,
        );
        let c = call(
            r#"{"agent_id":"a","contact_number":"+919876543210","additional_info":{"invoice":"I-2","amount":"5"}}"#,
        );
        let key = |v: &NewCall| RunKeys::new("r", KeysFrom::Content).key(0, v);
        assert_eq!(key(&a), key(&b));
        assert_ne!(key(&a), key(&c));
    }
}
