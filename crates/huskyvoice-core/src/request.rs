//! Builds the HTTP request that cancels one call, through REST or the inbound webhook
//! (API-CONTRACT §1). Every input is validated first: nothing invalid reaches a server.

use crate::base_url::{parse_base_url, BaseUrl};
use crate::call_id::{encode_path_segment, validate_call_id};
use crate::error::{CoreError, ErrorCode};
use crate::redact::redacted_form;
use crate::webhook::parse_webhook;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    Rest,
    Webhook,
}

impl Via {
    pub fn parse(s: &str) -> Option<Via> {
        match s {
            "rest" => Some(Via::Rest),
            "webhook" => Some(Via::Webhook),
            _ => None,
        }
    }
}

/// Typed options for one cancel. The API key is optional for REST because the n8n node lets
/// n8n's credential system add the `Authorization` header itself.
#[derive(Debug, Clone, Default)]
pub struct CancelOptions<'a> {
    pub via: Option<Via>,
    pub call_id: &'a str,
    pub base_url: Option<&'a str>,
    pub api_key: Option<&'a str>,
    pub webhook: Option<&'a str>,
    /// Show secrets in their redacted form (for dry runs and logs).
    pub redact: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelRequest {
    pub method: &'static str,
    pub url: String,
    /// In send order. Serialised as a JSON object.
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

impl Serialize for CancelRequest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Headers<'a>(&'a [(&'static str, String)]);
        impl Serialize for Headers<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("method", self.method)?;
        m.serialize_entry("url", &self.url)?;
        m.serialize_entry("headers", &Headers(&self.headers))?;
        if let Some(body) = &self.body {
            m.serialize_entry("body", body)?;
        }
        m.end()
    }
}

pub fn build_cancel_request(o: &CancelOptions<'_>) -> Result<CancelRequest, CoreError> {
    let via = o.via.ok_or_else(|| {
        CoreError::new(
            ErrorCode::InvalidOptions,
            "Option \"via\" is missing: set it to \"rest\" (API key) or \"webhook\" (inbound webhook).",
        )
    })?;
    let call_id = validate_call_id(o.call_id)?;
    match via {
        Via::Rest => build_rest(o, &call_id),
        Via::Webhook => build_webhook(o, &call_id),
    }
}

fn build_rest(o: &CancelOptions<'_>, call_id: &str) -> Result<CancelRequest, CoreError> {
    if o.webhook.is_some() {
        return Err(CoreError::new(
            ErrorCode::InvalidOptions,
            "Option \"webhook\" was given with via \"rest\". Use via \"webhook\" to cancel through the inbound webhook, or drop the webhook option.",
        ));
    }
    let base = parse_base_url(o.base_url)?;
    let url = format!(
        "{}/v1/calls/{}/cancel",
        base.as_str(),
        encode_path_segment(call_id)
    );
    let mut headers = vec![("Accept", "application/json".to_string())];
    if let Some(raw) = o.api_key {
        let key = validate_api_key(raw)?;
        let shown = if o.redact { redacted_form(&key) } else { key };
        headers.push(("Authorization", format!("Bearer {shown}")));
    }
    Ok(CancelRequest {
        method: "POST",
        url,
        headers,
        body: None,
    })
}

fn build_webhook(o: &CancelOptions<'_>, call_id: &str) -> Result<CancelRequest, CoreError> {
    if o.api_key.is_some() {
        return Err(CoreError::new(
            ErrorCode::InvalidOptions,
            "Option \"apiKey\" was given with via \"webhook\". The inbound webhook authenticates with its token only: drop apiKey, or use via \"rest\".",
        ));
    }
    let raw = o.webhook.ok_or_else(|| {
        CoreError::new(
            ErrorCode::InvalidWebhook,
            "Option \"webhook\" is missing: give the inbound webhook URL from HuskyVoice or its token.",
        )
    })?;
    let hook = parse_webhook(raw)?;
    let base = resolve_webhook_base(hook.base, o.base_url)?;
    let token = if o.redact {
        redacted_form(&hook.token)
    } else {
        hook.token
    };
    // The call id passed validation, so it needs no JSON escaping.
    let body = format!("{{\"action\":\"call.cancel\",\"data\":{{\"call_id\":\"{call_id}\"}}}}");
    Ok(CancelRequest {
        method: "POST",
        url: format!("{}/v1/hooks/{token}", base.as_str()),
        headers: vec![
            ("Content-Type", "application/json".to_string()),
            ("Accept", "application/json".to_string()),
        ],
        body: Some(body),
    })
}

/// A pasted webhook URL carries its own host; a separate base URL may only agree with it.
fn resolve_webhook_base(
    from_url: Option<BaseUrl>,
    base_url: Option<&str>,
) -> Result<BaseUrl, CoreError> {
    let explicit = match base_url.map(str::trim) {
        None | Some("") => None,
        Some(_) => Some(parse_base_url(base_url)?),
    };
    match (from_url, explicit) {
        (Some(a), Some(b)) if a != b => Err(CoreError::new(
            ErrorCode::InvalidOptions,
            format!(
                "The webhook URL points at {} but the base URL is {}. Clear the base URL, or paste just the token so the base URL is used.",
                a.as_str(),
                b.as_str()
            ),
        )),
        (Some(a), _) => Ok(a),
        (None, Some(b)) => Ok(b),
        (None, None) => Ok(BaseUrl::default_base()),
    }
}

/// Trims the key, accepts a pasted `Bearer ` prefix, and refuses characters a header cannot
/// carry. Messages give positions only: the key is never quoted.
pub fn validate_api_key(raw: &str) -> Result<String, CoreError> {
    let mut key = raw.trim();
    if key.len() > 7 && key[..7].eq_ignore_ascii_case("bearer ") {
        key = key[7..].trim_start();
    }
    if key.is_empty() {
        return Err(CoreError::new(
            ErrorCode::InvalidOptions,
            "API key is empty. Paste the key from HuskyVoice (it starts with sk_live_ or sk_test_) into the credential.",
        ));
    }
    if let Some((i, c)) = key.chars().enumerate().find(|(_, c)| !c.is_ascii_graphic()) {
        return Err(CoreError::new(
            ErrorCode::InvalidOptions,
            format!(
                "API key has {} at position {}; a key contains only visible ASCII characters. Copy it again without spaces or line breaks.",
                crate::error::describe_char(c),
                i + 1
            ),
        ));
    }
    if key.len() > 512 {
        return Err(CoreError::new(
            ErrorCode::InvalidOptions,
            format!(
                "API key is {} characters long; that is not a HuskyVoice key. Copy only the key.",
                key.len()
            ),
        ));
    }
    Ok(key.to_string())
}

#[cfg(test)]
mod tests;
