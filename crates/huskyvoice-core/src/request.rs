//! Builds the HTTP request that cancels one call, through REST or the inbound webhook
//! (API-CONTRACT §1). Every input is validated first: nothing invalid reaches a server.

use crate::base_url::{parse_base_url, BaseUrl, DEFAULT_BASE_URL};
use crate::call_id::{check_call_id, push_path_segment};
use crate::error::{CoreError, ErrorCode};
use crate::redact::redacted_form;
use crate::webhook::{parse_webhook, Webhook};
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
pub struct HttpRequest {
    pub method: &'static str,
    pub url: String,
    /// In send order. Serialised as a JSON object.
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

impl Serialize for HttpRequest {
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

pub fn build_cancel_request(o: &CancelOptions<'_>) -> Result<HttpRequest, CoreError> {
    RequestBuilder::default().build(o)
}

/// Builds many requests, remembering the last base URL and webhook it parsed: a batch
/// usually repeats one credential for every item.
#[derive(Debug, Default)]
pub struct RequestBuilder {
    base: Option<(String, Result<BaseUrl, CoreError>)>,
    hook: Option<(String, Result<Webhook, CoreError>)>,
}

/// The entry for `key`, computed by `parse` unless the cache already holds it.
fn memo<'c, T: Clone>(
    cache: &'c mut Option<(String, Result<T, CoreError>)>,
    key: &str,
    parse: impl FnOnce() -> Result<T, CoreError>,
) -> Result<&'c T, CoreError> {
    if !matches!(cache, Some((k, _)) if k == key) {
        *cache = None;
    }
    let (_, result) = cache.get_or_insert_with(|| (key.to_string(), parse()));
    result.as_ref().map_err(Clone::clone)
}

impl RequestBuilder {
    pub fn build(&mut self, o: &CancelOptions<'_>) -> Result<HttpRequest, CoreError> {
        let via = o.via.ok_or_else(|| {
            CoreError::new(
                ErrorCode::InvalidOptions,
                "Option \"via\" is missing: set it to \"rest\" (API key) or \"webhook\" (inbound webhook).",
            )
        })?;
        let call_id = check_call_id(o.call_id)?;
        match via {
            Via::Rest => self.build_rest(o, call_id),
            Via::Webhook => self.build_webhook(o, call_id),
        }
    }

    fn base_url(&mut self, input: Option<&str>) -> Result<&BaseUrl, CoreError> {
        memo(&mut self.base, input.unwrap_or(""), || {
            parse_base_url(input)
        })
    }

    /// The REST base (`https://api.huskyvoice.ai`) a credential's Base URL resolves to.
    pub fn rest_base(&mut self, base_url: Option<&str>) -> Result<String, CoreError> {
        Ok(self.base_url(base_url)?.as_str().to_string())
    }

    /// The inbound webhook URL (`<base>/v1/hooks/<token>`) of a credential; the token in its
    /// redacted form when `redact`.
    pub fn webhook_url(
        &mut self,
        webhook: Option<&str>,
        base_url: Option<&str>,
        redact: bool,
    ) -> Result<String, CoreError> {
        let raw = webhook.ok_or_else(|| {
            CoreError::new(
                ErrorCode::InvalidWebhook,
                "Option \"webhook\" is missing: give the inbound webhook URL from HuskyVoice or its token.",
            )
        })?;
        let hook = memo(&mut self.hook, raw, || parse_webhook(raw))?.clone();
        let explicit = match base_url.map(str::trim) {
            None | Some("") => None,
            Some(_) => Some(
                memo(&mut self.base, base_url.unwrap_or(""), || {
                    parse_base_url(base_url)
                })?
                .clone(),
            ),
        };
        let base = resolve_webhook_base(hook.base.as_ref(), explicit.as_ref())?;
        let token = if redact {
            redacted_form(&hook.token)
        } else {
            hook.token.clone()
        };
        Ok(format!("{base}/v1/hooks/{token}"))
    }

    fn build_rest(
        &mut self,
        o: &CancelOptions<'_>,
        call_id: &str,
    ) -> Result<HttpRequest, CoreError> {
        if o.webhook.is_some() {
            return Err(CoreError::new(
                ErrorCode::InvalidOptions,
                "Option \"webhook\" was given with via \"rest\". Use via \"webhook\" to cancel through the inbound webhook, or drop the webhook option.",
            ));
        }
        let base = self.base_url(o.base_url)?.as_str();
        let mut url = String::with_capacity(base.len() + call_id.len() + 17);
        url.push_str(base);
        url.push_str("/v1/calls/");
        push_path_segment(&mut url, call_id);
        url.push_str("/cancel");
        let mut headers = Vec::with_capacity(2);
        headers.push(("Accept", "application/json".to_string()));
        if let Some(raw) = o.api_key {
            let key = validate_api_key(raw)?;
            let shown = if o.redact { redacted_form(&key) } else { key };
            headers.push(("Authorization", format!("Bearer {shown}")));
        }
        Ok(HttpRequest {
            method: "POST",
            url,
            headers,
            body: None,
        })
    }

    fn build_webhook(
        &mut self,
        o: &CancelOptions<'_>,
        call_id: &str,
    ) -> Result<HttpRequest, CoreError> {
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
        let hook = memo(&mut self.hook, raw, || parse_webhook(raw))?;
        let explicit = match o.base_url.map(str::trim) {
            None | Some("") => None,
            Some(_) => Some(memo(&mut self.base, o.base_url.unwrap_or(""), || {
                parse_base_url(o.base_url)
            })?),
        };
        let base = resolve_webhook_base(hook.base.as_ref(), explicit)?;
        let token = if o.redact {
            redacted_form(&hook.token)
        } else {
            hook.token.clone()
        };
        // The call id passed validation, so it needs no JSON escaping.
        let mut body = String::with_capacity(call_id.len() + 48);
        body.push_str("{\"action\":\"call.cancel\",\"data\":{\"call_id\":\"");
        body.push_str(call_id);
        body.push_str("\"}}");
        let mut url = String::with_capacity(base.len() + token.len() + 10);
        url.push_str(base);
        url.push_str("/v1/hooks/");
        url.push_str(&token);
        Ok(HttpRequest {
            method: "POST",
            url,
            headers: vec![
                ("Content-Type", "application/json".to_string()),
                ("Accept", "application/json".to_string()),
            ],
            body: Some(body),
        })
    }
}

/// A pasted webhook URL carries its own host; a separate base URL may only agree with it.
fn resolve_webhook_base<'b>(
    from_url: Option<&'b BaseUrl>,
    explicit: Option<&'b BaseUrl>,
) -> Result<&'b str, CoreError> {
    match (from_url, explicit) {
        (Some(a), Some(b)) if a != b => Err(CoreError::new(
            ErrorCode::InvalidOptions,
            format!(
                "The webhook URL points at {} but the base URL is {}. Clear the base URL, or paste just the token so the base URL is used.",
                a.as_str(),
                b.as_str()
            ),
        )),
        (Some(a), _) => Ok(a.as_str()),
        (None, Some(b)) => Ok(b.as_str()),
        (None, None) => Ok(DEFAULT_BASE_URL),
    }
}

/// Trims the key, accepts a pasted `Bearer ` prefix, and refuses characters a header cannot
/// carry. Messages give positions only: the key is never quoted.
pub fn validate_api_key(raw: &str) -> Result<String, CoreError> {
    let mut key = raw.trim();
    if let Some((head, rest)) = key.split_at_checked(7) {
        if !rest.is_empty() && head.eq_ignore_ascii_case("bearer ") {
            key = rest.trim_start();
        }
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
