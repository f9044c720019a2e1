//! Base URL rules (API-CONTRACT §3.2): default `https://api.huskyvoice.ai`, accepted with or
//! without a trailing `/v1` or `/`; `https` required except plain `http` to loopback hosts.
//! A small hand-written parser keeps the wasm module small (the `url` crate would double it).

use crate::error::{describe_char, CoreError, ErrorCode};

pub const DEFAULT_BASE_URL: &str = "https://api.huskyvoice.ai";

/// A validated base: scheme, lower-cased host, optional port and optional path prefix (for a
/// proxy), with no trailing `/` and no `/v1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn default_base() -> Self {
        BaseUrl(DEFAULT_BASE_URL.to_string())
    }
}

fn err(message: String) -> CoreError {
    CoreError::new(ErrorCode::InvalidBaseUrl, message)
}

/// Parses an optional user-supplied base URL; `None` or blank means the default.
pub fn parse_base_url(input: Option<&str>) -> Result<BaseUrl, CoreError> {
    match input.map(str::trim) {
        None | Some("") => Ok(BaseUrl::default_base()),
        Some(s) => parse_non_empty(s),
    }
}

fn parse_non_empty(input: &str) -> Result<BaseUrl, CoreError> {
    let lower_prefix = input.get(..8).unwrap_or(input).to_ascii_lowercase();
    let (scheme, rest) = if lower_prefix.starts_with("https://") {
        ("https", input.get(8..).unwrap_or(""))
    } else if lower_prefix.starts_with("http://") {
        ("http", input.get(7..).unwrap_or(""))
    } else {
        return Err(err(format!(
            "Base URL \"{}\" must start with https:// (for example {DEFAULT_BASE_URL}).",
            shown(input)
        )));
    };
    if let Some(pos) = rest.find(['?', '#']) {
        let c = rest
            .get(pos..)
            .and_then(|r| r.chars().next())
            .unwrap_or('?');
        return Err(err(format!(
            "Base URL must not contain a query or fragment ({} found); give only the scheme, host, optional port and path, e.g. {DEFAULT_BASE_URL}.",
            describe_char(c)
        )));
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at_checked(i).unwrap_or((rest, "")),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err(err(
            "Base URL must not contain a user name or password before '@'; put the API key in the credential instead.".to_string(),
        ));
    }
    let (host, port) = split_host_port(authority)?;
    let host = host.to_ascii_lowercase();
    if scheme == "http" && !is_loopback(&host) {
        return Err(err(format!(
            "Base URL uses plain http:// for host \"{host}\". Use https:// (plain http is only allowed for localhost, 127.0.0.0/8 and [::1])."
        )));
    }
    let prefix = normalise_path(path)?;
    let mut out = format!("{scheme}://{host}");
    if let Some(port) = port {
        out.push(':');
        out.push_str(port);
    }
    out.push_str(&prefix);
    Ok(BaseUrl(out))
}

fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), CoreError> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let end = rest.find(']').ok_or_else(|| {
            err("Base URL has an IPv6 address without its closing ']'.".to_string())
        })?;
        let host = authority.get(..end + 2).unwrap_or(authority);
        let after = rest.get(end + 1..).unwrap_or("");
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or_else(|| {
                err(
                    "Base URL has text after the IPv6 address; expected ':' and a port."
                        .to_string(),
                )
            })?),
        };
        let inner = rest.get(..end).unwrap_or("");
        if inner.is_empty()
            || !inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return Err(err(
                "Base URL has an invalid IPv6 address between '[' and ']'.".to_string(),
            ));
        }
        (host, port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(err(format!(
            "Base URL has no host name; expected something like {DEFAULT_BASE_URL}."
        )));
    }
    if !host.starts_with('[') {
        if let Some((i, c)) = host
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
        {
            return Err(err(format!(
                "Base URL host \"{}\" has {} at position {}; a host may contain only letters, digits, '-' and '.'.",
                shown(host),
                describe_char(c),
                i + 1
            )));
        }
    }
    if let Some(p) = port {
        let valid = !p.is_empty()
            && p.len() <= 5
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>()
                .map(|n| (1..=65535).contains(&n))
                .unwrap_or(false);
        if !valid {
            return Err(err(format!(
                "Base URL port \"{}\" is not a number from 1 to 65535.",
                shown(p)
            )));
        }
    }
    Ok((host, port))
}

fn is_loopback(host: &str) -> bool {
    if host == "localhost" || host == "[::1]" {
        return true;
    }
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets[0] == "127"
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.len() <= 3 && o.parse::<u8>().is_ok())
}

/// Keeps a proxy path prefix, dropping a trailing `/` and a trailing `/v1` (the builder adds it).
fn normalise_path(path: &str) -> Result<String, CoreError> {
    if let Some((i, c)) = path
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.' | '~')))
    {
        return Err(err(format!(
            "Base URL path \"{}\" has {} at position {}; use only letters, digits, '/', '-', '_', '.' and '~'.",
            shown(path),
            describe_char(c),
            i + 1
        )));
    }
    if path.split('/').any(|seg| seg == "." || seg == "..") {
        return Err(err(
            "Base URL path must not contain '.' or '..' segments.".to_string()
        ));
    }
    let mut p = path.trim_end_matches('/');
    if let Some(stripped) = p.strip_suffix("/v1") {
        p = stripped.trim_end_matches('/');
    }
    if crate::text::contains(p, "//") {
        return Err(err(
            "Base URL path must not contain empty segments ('//').".to_string()
        ));
    }
    Ok(p.to_string())
}

fn shown(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(60)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> String {
        parse_base_url(Some(input))
            .map(|b| b.0)
            .unwrap_or_else(|e| panic!("{input}: {e}"))
    }

    fn bad(input: &str) -> String {
        let e = parse_base_url(Some(input)).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidBaseUrl);
        e.message
    }

    #[test]
    fn default_when_missing_or_blank() {
        assert_eq!(parse_base_url(None).unwrap().as_str(), DEFAULT_BASE_URL);
        assert_eq!(
            parse_base_url(Some("  ")).unwrap().as_str(),
            DEFAULT_BASE_URL
        );
    }

    #[test]
    fn accepts_trailing_v1_and_slash() {
        for input in [
            "https://api.huskyvoice.ai",
            "https://api.huskyvoice.ai/",
            "https://api.huskyvoice.ai/v1",
            "https://api.huskyvoice.ai/v1/",
            "HTTPS://API.HuskyVoice.ai/v1",
        ] {
            assert_eq!(ok(input), "https://api.huskyvoice.ai");
        }
    }

    #[test]
    fn keeps_port_and_proxy_prefix() {
        assert_eq!(
            ok("https://proxy.example.com:8443/husky/v1/"),
            "https://proxy.example.com:8443/husky"
        );
    }

    #[test]
    fn http_only_for_loopback() {
        assert_eq!(ok("http://localhost:3000"), "http://localhost:3000");
        assert_eq!(ok("http://127.0.0.1:4010/v1"), "http://127.0.0.1:4010");
        assert_eq!(ok("http://127.1.2.3"), "http://127.1.2.3");
        assert_eq!(ok("http://[::1]:8080"), "http://[::1]:8080");
        assert!(bad("http://api.huskyvoice.ai").contains("https://"));
        assert!(bad("http://127.0.0.1.evil.com").contains("https://"));
        assert!(bad("http://10.0.0.1").contains("https://"));
    }

    #[test]
    fn rejects_malformed() {
        assert!(bad("api.huskyvoice.ai").contains("must start with https://"));
        assert!(bad("ftp://x").contains("must start with https://"));
        assert!(bad("https://").contains("no host"));
        assert!(bad("https://user:pw@host").contains("'@'"));
        assert!(bad("https://host?x=1").contains("query"));
        assert!(bad("https://host:99999").contains("port"));
        assert!(bad("https://host:").contains("port"));
        assert!(bad("https://ho st").contains("a space"));
        assert!(bad("https://host/a/../b").contains(".."));
        assert!(bad("https://[::1").contains("']'"));
    }
}
