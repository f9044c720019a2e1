//! What a request that got no HTTP answer means, in words. Node's networking reports a short
//! code (`ECONNREFUSED`, `ENOTFOUND`, `EPROTO`, ...); on its own that tells a user nothing,
//! so the message says what probably went wrong and what to check, and keeps the code.

use crate::interpret::TransportError;

/// A sentence (without a trailing period) for a failed request.
pub fn explain(kind: Option<TransportError>, code: Option<&str>) -> String {
    let code = code.map(str::trim).filter(|c| !c.is_empty());
    let what = match (kind, code.map(classify)) {
        (Some(TransportError::Timeout), _) | (_, Some(Class::Timeout)) => {
            "the request timed out before HuskyVoice answered"
        }
        (_, Some(Class::Refused)) => {
            "the connection was refused: nothing accepts connections at that address; check the Base URL's host and port"
        }
        (_, Some(Class::NoHost)) => {
            "the host name could not be resolved; check the Base URL for a typo, and the network's DNS"
        }
        (_, Some(Class::Tls)) => {
            "the secure (TLS) connection failed: the server may speak plain http (use http:// for a local sandbox), or not be HuskyVoice"
        }
        (_, Some(Class::Certificate)) => {
            "the server's TLS certificate is not trusted: check the Base URL (a proxy with its own certificate?)"
        }
        (_, Some(Class::Unreachable)) => {
            "the network could not reach the host; check the connection and the Base URL"
        }
        _ => "the connection failed or was closed before a response arrived",
    };
    match code {
        Some(code) => format!("{what} ({})", shown(code)),
        None => what.to_string(),
    }
}

enum Class {
    Timeout,
    Refused,
    NoHost,
    Tls,
    Certificate,
    Unreachable,
    Other,
}

fn classify(code: &str) -> Class {
    let c = code.to_ascii_uppercase();
    match c.as_str() {
        "ETIMEDOUT"
        | "ESOCKETTIMEDOUT"
        | "ECONNABORTED"
        | "UND_ERR_CONNECT_TIMEOUT"
        | "UND_ERR_HEADERS_TIMEOUT"
        | "UND_ERR_BODY_TIMEOUT" => Class::Timeout,
        "ECONNREFUSED" => Class::Refused,
        "ENOTFOUND" | "EAI_AGAIN" | "EAI_NONAME" => Class::NoHost,
        "ENETUNREACH" | "EHOSTUNREACH" | "ENETDOWN" | "EHOSTDOWN" => Class::Unreachable,
        "EPROTO" => Class::Tls,
        _ if c.starts_with("ERR_SSL") || c.starts_with("ERR_TLS") => Class::Tls,
        _ if ["CERT", "SELF_SIGNED", "UNABLE_TO_VERIFY"]
            .iter()
            .any(|n| crate::text::contains(&c, n)) =>
        {
            Class::Certificate
        }
        _ => Class::Other,
    }
}

/// A code is shown as given when it looks like one (letters, digits, `_`), never as free text.
fn shown(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(48)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explains_the_common_codes_in_words_and_keeps_the_code() {
        let cases = [
            ("ECONNREFUSED", "refused"),
            ("ENOTFOUND", "could not be resolved"),
            ("EPROTO", "plain http"),
            ("ERR_SSL_WRONG_VERSION_NUMBER", "plain http"),
            ("DEPTH_ZERO_SELF_SIGNED_CERT", "not trusted"),
            ("ETIMEDOUT", "timed out"),
            ("ECONNRESET", "closed before"),
        ];
        for (code, words) in cases {
            let text = explain(Some(TransportError::Connection), Some(code));
            assert!(text.contains(words), "{code}: {text}");
            assert!(text.ends_with(&format!("({code})")), "{text}");
        }
        assert!(explain(Some(TransportError::Timeout), None).contains("timed out"));
        assert_eq!(
            explain(None, Some("a b<script>")),
            "the connection failed or was closed before a response arrived (abscript)"
        );
    }
}
