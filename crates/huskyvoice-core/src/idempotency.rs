//! The Idempotency-Key of a create that the caller did not name: derived from where the item
//! came from (for n8n, the execution, the node and the item index), so every repeat of the
//! same item (the engine's retries, n8n's Retry On Fail, a retried execution) sends the same
//! key and HuskyVoice answers it with the call it already made instead of a second call.

use sha2::{Digest, Sha256};

/// `hv1-` and 32 hex digits of SHA-256 over the scope and the item index. The scope is the
/// caller's (n8n: `<workflow id>:<first execution id>:<node name>`); fields are separated by a
/// byte no text field holds, so no two (scope, index) pairs collide by concatenation.
pub fn derived_key(scope: &str, index: usize) -> String {
    let mut h = Sha256::new();
    h.update(b"huskyvoice-idempotency-v1\0");
    h.update(scope.as_bytes());
    h.update([0u8]);
    h.update(index.to_string().as_bytes());
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

    #[test]
    fn keys_are_stable_and_distinct() {
        let a = derived_key("wf1:100:Schedule", 0);
        assert_eq!(a, derived_key("wf1:100:Schedule", 0));
        assert_eq!(a.len(), 36);
        assert!(a.starts_with("hv1-"));
        assert_ne!(a, derived_key("wf1:100:Schedule", 1));
        assert_ne!(a, derived_key("wf1:101:Schedule", 0));
        // "a" + "10" and "a1" + "0" must not meet.
        assert_ne!(derived_key("a", 10), derived_key("a1", 0));
    }
}
