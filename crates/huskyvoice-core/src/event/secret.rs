//! What can be known about a signing secret without a delivery. HuskyVoice has no call that
//! proves one, so this only catches what is plainly not a secret: nothing, a URL, an API key,
//! text with spaces inside. A receiver's Test button and its activation both ask this.

/// `Ok(())` when `secret` could be an endpoint's signing secret; else what is wrong and how
/// to fix it. Never quotes the secret.
pub fn check_secret(secret: &str) -> Result<(), String> {
    const WHERE: &str = "HuskyVoice shows the signing secret beside the endpoint in Integrations › Outbound Webhooks";
    let secret = secret.trim();
    if secret.is_empty() {
        return Err(format!("The signing secret is empty. {WHERE}."));
    }
    let lower = secret.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Err(format!(
            "The signing secret is a URL. Paste the endpoint's secret instead; the URL to register in HuskyVoice is the trigger's Production URL. {WHERE}."
        ));
    }
    if lower.starts_with("sk_") {
        return Err(format!(
            "The signing secret looks like an API key (sk_…). Events are signed with the endpoint's own secret, not an API key. {WHERE}."
        ));
    }
    if secret.chars().any(char::is_whitespace) {
        return Err(format!(
            "The signing secret has spaces or line breaks inside; it is one word. Copy it again. {WHERE}."
        ));
    }
    Ok(())
}

/// [`check_secret`] for a receiver's secrets during a rotation: the current one first (required),
/// then those it replaces, which may be left empty (no rotation). An empty list is no secret.
pub fn check_secrets(secrets: &[&str]) -> Result<(), String> {
    check_secret(secrets.first().copied().unwrap_or(""))?;
    for previous in secrets.iter().skip(1).filter(|s| !s.trim().is_empty()) {
        check_secret(previous).map_err(|message| format!("Previous secret: {message}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{check_secret, check_secrets};

    #[test]
    fn during_a_rotation_only_the_current_secret_is_required() {
        assert_eq!(check_secrets(&["whsec_new", ""]), Ok(()));
        assert_eq!(check_secrets(&["whsec_new", "whsec_old"]), Ok(()));
        assert!(check_secrets(&[]).unwrap_err().contains("is empty"));
        assert!(check_secrets(&["", "whsec_old"])
            .unwrap_err()
            .starts_with("The signing secret is empty"));
        assert!(check_secrets(&["whsec_new", "two words"])
            .unwrap_err()
            .starts_with("Previous secret: "));
    }

    #[test]
    fn a_plausible_secret_passes_and_plain_mistakes_are_named_without_quoting_them() {
        assert_eq!(check_secret("whsec_5b1dA9"), Ok(()));
        assert_eq!(
            check_secret("  whsec_5b1dA9\n"),
            Ok(()),
            "a pasted newline is not a mistake"
        );
        let cases = [
            ("", "is empty"),
            ("   ", "is empty"),
            ("https://api.huskyvoice.ai/v1/hooks/tok_123456", "is a URL"),
            ("sk_live_abcdef123456", "looks like an API key"),
            ("whsec_abc def", "spaces or line breaks"),
        ];
        for (secret, expected) in cases {
            let message = check_secret(secret).unwrap_err();
            assert!(message.contains(expected), "{secret:?}: {message}");
            assert!(message.contains("Integrations › Outbound Webhooks"));
            if secret.trim().len() > 3 {
                assert!(
                    !message.contains(secret.trim()),
                    "quotes the secret: {message}"
                );
            }
        }
    }
}
