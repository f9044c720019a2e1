//! The inbound-webhook credential (API-CONTRACT §3.3): the whole URL
//! `https://api.huskyvoice.ai/v1/hooks/TOKEN` or just `TOKEN`. The token is a secret, so no
//! message here ever quotes it; positions and the offending (never alphanumeric) character
//! are enough to find the mistake.

use crate::base_url::{parse_base_url, BaseUrl};
use crate::error::{describe_char, CoreError, ErrorCode};

pub const MAX_TOKEN_LEN: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// Present when the user pasted a whole URL: the base it points at.
    pub base: Option<BaseUrl>,
    pub token: String,
}

fn err(message: String) -> CoreError {
    CoreError::new(ErrorCode::InvalidWebhook, message)
}

pub fn parse_webhook(input: &str) -> Result<Webhook, CoreError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(err(
            "Webhook is empty. Paste the inbound webhook URL from HuskyVoice (https://api.huskyvoice.ai/v1/hooks/…) or just its secret token.".to_string(),
        ));
    }
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        if s.contains('/') {
            return Err(err(
                "Webhook looks like a URL without https:// in front. Paste the whole inbound webhook URL starting with https://, or just the token.".to_string(),
            ));
        }
        return validate_token(s, "Webhook token").map(|token| Webhook { base: None, token });
    }
    let trimmed = s.trim_end_matches('/');
    let marker = "/v1/hooks/";
    // A byte search: the marker is ASCII, and `str::rfind` would bring a substring searcher
    // (with its panicking slice paths) into the `.wasm` for this one call.
    let at = trimmed
        .as_bytes()
        .windows(marker.len())
        .rposition(|w| w == marker.as_bytes())
        .ok_or_else(|| {
        err("Webhook URL does not contain /v1/hooks/<token>. Copy the full inbound webhook URL from HuskyVoice, or paste just the token.".to_string())
    })?;
    let base = parse_base_url(Some(trimmed.get(..at).unwrap_or(""))).map_err(|e| {
        err(format!(
            "Webhook URL: {}",
            crate::text::replace_first(&e.message, "Base URL", "its address")
        ))
    })?;
    let token = validate_token(
        trimmed.get(at + marker.len()..).unwrap_or(""),
        "Webhook URL token (the part after /v1/hooks/)",
    )?;
    Ok(Webhook {
        base: Some(base),
        token,
    })
}

fn validate_token(token: &str, what: &str) -> Result<String, CoreError> {
    if token.is_empty() {
        return Err(err(format!(
            "{what} is empty; copy the whole inbound webhook URL from HuskyVoice."
        )));
    }
    if let Some((i, c)) = token
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~')))
    {
        return Err(err(format!(
            "{what} has {} at position {}; a token contains only ASCII letters, digits, '-', '_', '.' and '~'. Copy it again without extra characters.",
            describe_char(c),
            i + 1
        )));
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err(err(format!(
            "{what} is {} characters long; the maximum is {MAX_TOKEN_LEN}. Check that only the webhook URL or its token was pasted.",
            token.len()
        )));
    }
    Ok(token.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_token_alone() {
        let w = parse_webhook("  tok_ABC-1.2~x ").unwrap();
        assert_eq!(w.token, "tok_ABC-1.2~x");
        assert_eq!(w.base, None);
    }

    #[test]
    fn accepts_full_url() {
        let w = parse_webhook("https://api.huskyvoice.ai/v1/hooks/secretTok/").unwrap();
        assert_eq!(w.token, "secretTok");
        assert_eq!(w.base.unwrap().as_str(), "https://api.huskyvoice.ai");
        let w = parse_webhook("http://127.0.0.1:9000/v1/hooks/sandbox-token").unwrap();
        assert_eq!(w.base.unwrap().as_str(), "http://127.0.0.1:9000");
    }

    #[test]
    fn errors_never_quote_the_token() {
        let secret = "s3cretValue";
        for input in [
            format!("{secret} x"),
            format!("{secret}/x"),
            format!("https://api.huskyvoice.ai/v1/hooks/{secret}?x=1"),
            format!("http://example.com/v1/hooks/{secret}"),
            format!("https://api.huskyvoice.ai/v2/{secret}"),
            format!("{secret}{}", "a".repeat(300)),
        ] {
            let e = parse_webhook(&input).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidWebhook);
            assert!(!e.message.contains(secret), "{input}: {}", e.message);
        }
    }

    #[test]
    fn names_position_of_bad_character() {
        let e = parse_webhook("abc def").unwrap_err();
        assert!(e.message.contains("a space at position 4"), "{}", e.message);
        assert!(parse_webhook("").unwrap_err().message.contains("empty"));
        assert!(parse_webhook("https://api.huskyvoice.ai/v1/hooks/").is_err());
    }
}
