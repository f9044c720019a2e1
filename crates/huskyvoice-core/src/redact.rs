//! Secret redaction (API-CONTRACT §3.3): API keys and webhook tokens are shown only as a
//! short recognisable prefix, e.g. `sk_live_…(redacted)` or `ab…(redacted)`.

const MARK: &str = "…(redacted)";

/// The form a secret takes in any output: enough to tell two credentials apart, never
/// enough to use one. Short secrets keep no prefix at all.
pub fn redacted_form(secret: &str) -> String {
    if secret.chars().count() < 8 {
        return MARK.to_string();
    }
    // Keys like sk_live_XXXX / sk_test_XXXX: the environment prefix is not secret.
    let parts: Vec<&str> = secret.splitn(3, '_').collect();
    if parts.len() == 3
        && matches!(parts[1], "live" | "test")
        && parts[0].len() <= 4
        && parts[2].len() >= 4
    {
        return format!("{}_{}_{MARK}", parts[0], parts[1]);
    }
    let prefix: String = secret.chars().take(2).collect();
    format!("{prefix}{MARK}")
}

/// Replaces every occurrence of every non-blank secret in `text` by its redacted form.
/// Longer secrets go first so that a secret containing another is replaced whole.
pub fn redact_secrets<S: AsRef<str>>(text: &str, secrets: &[S]) -> String {
    if !secrets.iter().any(|s| {
        let s = s.as_ref().trim();
        !s.is_empty() && crate::text::contains(text, s)
    }) {
        return text.to_string();
    }
    let mut list: Vec<&str> = secrets
        .iter()
        .map(|s| s.as_ref().trim())
        .filter(|s| !s.is_empty())
        .collect();
    // Longest first. Insertion sort: lists hold a secret or two, and the standard sort
    // costs kilobytes of wasm.
    for i in 1..list.len() {
        let mut j = i;
        while j > 0 && list[j - 1].len() < list[j].len() {
            list.swap(j - 1, j);
            j -= 1;
        }
    }
    list.dedup();
    let mut out = text.to_string();
    for secret in list {
        if crate::text::contains(&out, secret) {
            out = crate::text::replace_all(&out, secret, &redacted_form(secret));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(redacted_form("sk_live_abcdef123456"), "sk_live_…(redacted)");
        assert_eq!(redacted_form("sk_test_sandbox"), "sk_test_…(redacted)");
        assert_eq!(redacted_form("abcdefghijklmnop"), "ab…(redacted)");
        assert_eq!(redacted_form("short"), "…(redacted)");
    }

    #[test]
    fn replaces_every_occurrence_longest_first() {
        let text = "key sk_live_abcdef123456 and url /v1/hooks/tokentoken123 and again sk_live_abcdef123456";
        let out = redact_secrets(text, &["tokentoken123", "sk_live_abcdef123456", "", "  "]);
        assert!(!out.contains("abcdef123456"));
        assert!(!out.contains("tokentoken123"));
        assert!(out.contains("/v1/hooks/to…(redacted)"));
        assert_eq!(out.matches("sk_live_…(redacted)").count(), 2);
        let nested = redact_secrets("abcdefghij", &["cdef", "abcdefghij"]);
        assert_eq!(nested, "ab…(redacted)");
    }

    #[test]
    fn leaves_text_without_secrets_alone() {
        assert_eq!(
            redact_secrets("nothing here", &["secret-value"]),
            "nothing here"
        );
    }
}
