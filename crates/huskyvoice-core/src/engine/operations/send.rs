//! The requests of the call operations: REST (`/v1/calls[/{id}]` with the API key) or the
//! inbound webhook (`{"action": ..., "data": ...}` posted to the hook URL), built from a
//! credential the run already checked.

use crate::call_id::push_path_segment;
use crate::engine::job::Credential;
use crate::json_text::to_json_text;
use crate::loose::Loose;
use crate::redact::redacted_form;
use crate::request::{validate_api_key, HttpRequest, RequestBuilder, Via};
use crate::CoreError;

/// A REST request to `/v1/calls`, or `/v1/calls/{call_id}` when given.
pub struct Rest<'a> {
    pub method: &'static str,
    pub call_id: Option<&'a str>,
    pub body: Option<String>,
    pub headers: Vec<(&'static str, String)>,
    /// Also send the key as `x-api-key` (the "Deleting Calls" page's header, API-CONTRACT §6).
    pub x_api_key: bool,
}

pub fn rest(
    r: Rest<'_>,
    credential: &Credential,
    builder: &mut RequestBuilder,
    redact: bool,
) -> Result<HttpRequest, CoreError> {
    let base = builder.rest_base(credential.base_url.as_deref())?;
    let mut url = String::with_capacity(base.len() + 48);
    url.push_str(&base);
    url.push_str("/v1/calls");
    if let Some(id) = r.call_id {
        url.push('/');
        push_path_segment(&mut url, id);
    }
    let mut headers = Vec::with_capacity(r.headers.len() + 4);
    headers.push(("Accept", "application/json".to_string()));
    if r.body.is_some() {
        headers.push(("Content-Type", "application/json".to_string()));
    }
    headers.extend(r.headers);
    if let Some(raw) = credential.api_key.as_deref() {
        let key = validate_api_key(raw)?;
        let shown = if redact { redacted_form(&key) } else { key };
        if credential.authorize || redact {
            headers.push(("Authorization", format!("Bearer {shown}")));
        }
        // n8n adds only the Bearer header from its credential; this one is ours to add.
        if r.x_api_key {
            headers.push(("x-api-key", shown));
        }
    }
    Ok(HttpRequest {
        method: r.method,
        url,
        headers,
        body: r.body,
    })
}

/// `{"action": action, "data": data}` posted to the credential's inbound webhook.
pub fn hook(
    action: &str,
    data: Loose<'static>,
    headers: Vec<(&'static str, String)>,
    credential: &Credential,
    builder: &mut RequestBuilder,
    redact: bool,
) -> Result<HttpRequest, CoreError> {
    let url = builder.webhook_url(
        credential.webhook.as_deref(),
        credential.base_url.as_deref(),
        redact,
    )?;
    let envelope = Loose::Object(vec![
        ("action".into(), Loose::Str(action.to_string().into())),
        ("data".into(), data),
    ]);
    let mut all = vec![
        ("Content-Type", "application/json".to_string()),
        ("Accept", "application/json".to_string()),
    ];
    all.extend(headers);
    Ok(HttpRequest {
        method: "POST",
        url,
        headers: all,
        body: Some(to_json_text(&envelope)),
    })
}

/// `{"call_id": id}`, the data of the webhook's cancel and delete actions.
pub fn call_data(call_id: &str) -> Loose<'static> {
    Loose::Object(vec![(
        "call_id".into(),
        Loose::Str(call_id.to_string().into()),
    )])
}

pub fn is_rest(credential: &Credential) -> bool {
    credential.via == Via::Rest
}
