//! A credential's Test button: a request that touches no call, and what its answer proves.
//!
//! REST: `GET /v1/calls/n8n_credential_test`, a call that does not exist. HuskyVoice checks the
//! key first, so a working key gets its 404 `NOT_FOUND` error (or 403 when the key lacks
//! `calls:read`), a wrong one 401. Inbound webhook: an action HuskyVoice does not know, which a
//! valid token answers with 400 `UNKNOWN_ACTION` and a wrong one with 401. Only those answers
//! pass: a server that is not HuskyVoice (n8n itself, a proxy's page, an API that says yes to
//! everything, a redirect) fails with a message saying so, so a mistake shows here, not at the
//! first run. The credential is checked first with exactly the rules a run uses.

use crate::engine::{Answer, Credential};
use crate::request::{HttpRequest, RequestBuilder, Via};
use crate::response_body::read_body;
use crate::transport_failure::explain;
use crate::CoreError;
use serde::Serialize;

/// The id the REST test looks up: not a call anyone has.
pub const PROBE_CALL_ID: &str = "n8n_credential_test";

/// The test's verdict as n8n's credential test wants it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// `"OK"` or `"Error"`.
    pub status: &'static str,
    pub message: String,
}

fn verdict(ok: bool, message: String) -> Verdict {
    Verdict {
        status: if ok { "OK" } else { "Error" },
        message,
    }
}

/// The request the Test button sends, after the run's own checks of the credential.
pub fn test_request(credential: &Credential) -> Result<HttpRequest, CoreError> {
    let mut builder = RequestBuilder::default();
    credential.check(&mut builder)?;
    if credential.via == Via::Rest {
        // A run without a key is refused by HuskyVoice (401); the test says why before asking.
        crate::request::validate_api_key(credential.api_key.as_deref().unwrap_or(""))?;
    }
    let mut request =
        crate::engine::CancelCall::request_for(PROBE_CALL_ID, credential, &mut builder)?;
    match credential.via {
        Via::Rest => {
            // The same URL without `/cancel`: a read, which changes nothing.
            request.method = "GET";
            if let Some(base) = request.url.strip_suffix("/cancel") {
                request.url = base.to_string();
            }
        }
        Via::Webhook => {
            request.body = Some(r#"{"action":"n8n.credential_test"}"#.to_string());
        }
    }
    Ok(request)
}

/// What the answer to [`test_request`] proves.
pub fn read_test_answer(via: Via, answer: &Answer<'_>) -> Verdict {
    let (status, body) = match *answer {
        Answer::Response { status, body, .. } => (status, body),
        Answer::NoResponse { kind, code } => {
            let what = explain(Some(kind), code);
            return verdict(false, format!("No answer from the Base URL: {what}."));
        }
    };
    let facts = read_body(body);
    let code = facts.code.as_deref().unwrap_or("").to_ascii_uppercase();
    let who = match via {
        Via::Rest => "API key",
        Via::Webhook => "inbound webhook token",
    };
    match (via, status) {
        (_, 401) => verdict(false, format!("HuskyVoice rejected the {who} (HTTP 401). Copy it again from HuskyVoice: it may be mistyped, revoked or for another environment.")),
        (Via::Rest, 404) if code == "NOT_FOUND" => verdict(true, "HuskyVoice accepted the API key. (It needs the calls:cancel scope to cancel; only a real cancel can check that.)".to_string()),
        (Via::Rest, 403) if facts.is_json_object => verdict(true, "HuskyVoice knows the API key; it lacks calls:read, which this test uses. It works for cancelling if it has calls:cancel.".to_string()),
        (Via::Webhook, 400) if crate::text::contains(&code, "UNKNOWN_ACTION") => verdict(true, "HuskyVoice accepted the inbound webhook token.".to_string()),
        _ => {
            let what = if (300..400).contains(&status) {
                "a redirect".to_string()
            } else if facts.is_html {
                "an HTML page".to_string()
            } else if facts.is_json_object {
                "JSON that is not a HuskyVoice answer".to_string()
            } else {
                "an answer that is not HuskyVoice's".to_string()
            };
            verdict(false, format!("This Base URL does not answer like HuskyVoice (HTTP {status}, {what}). Check the Base URL: https://api.huskyvoice.ai, or your proxy's or sandbox's address."))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interpret::TransportError;

    fn rest(base: &str) -> Credential {
        Credential {
            key: "t".into(),
            via: Via::Rest,
            api_key: Some("sk_test_abcdefgh".into()),
            webhook: None,
            base_url: Some(base.into()),
            authorize: true,
        }
    }

    fn answer(status: u16, body: &str) -> Answer<'_> {
        Answer::Response {
            status,
            retry_after: None,
            body,
            replayed: false,
        }
    }

    #[test]
    fn the_rest_test_reads_an_unknown_call() {
        let r = test_request(&rest("http://127.0.0.1:4010/v1")).unwrap();
        assert_eq!(r.method, "GET");
        assert_eq!(r.url, "http://127.0.0.1:4010/v1/calls/n8n_credential_test");
        assert!(r
            .headers
            .contains(&("Authorization", "Bearer sk_test_abcdefgh".to_string())));
        let e = test_request(&Credential {
            api_key: None,
            ..rest("http://127.0.0.1:4010")
        })
        .unwrap_err();
        assert!(e.message.contains("API key is empty"), "{}", e.message);
        let e = test_request(&rest("http://example.com")).unwrap_err();
        assert!(e.message.contains("https"), "{}", e.message);
    }

    #[test]
    fn the_webhook_test_posts_an_unknown_action() {
        let c = Credential {
            via: Via::Webhook,
            webhook: Some("https://api.huskyvoice.ai/v1/hooks/tok_12345678".into()),
            api_key: None,
            base_url: None,
            ..rest("")
        };
        let r = test_request(&c).unwrap();
        assert_eq!(
            (r.method, r.url.as_str()),
            ("POST", "https://api.huskyvoice.ai/v1/hooks/tok_12345678")
        );
        assert_eq!(
            r.body.as_deref(),
            Some(r#"{"action":"n8n.credential_test"}"#)
        );
    }

    #[test]
    fn only_huskyvoice_shaped_answers_pass() {
        let nf = r#"{"success":false,"error":{"code":"NOT_FOUND","message":"Call not found."}}"#;
        assert_eq!(read_test_answer(Via::Rest, &answer(404, nf)).status, "OK");
        assert_eq!(
            read_test_answer(Via::Rest, &answer(403, r#"{"error":{"code":"FORBIDDEN"}}"#)).status,
            "OK"
        );
        for (status, body) in [
            (404, "<html>Not Found</html>"),
            (
                404,
                r#"{"message":"Cannot GET /v1/calls/n8n_credential_test"}"#,
            ),
            (200, r#"{"ok":true}"#),
            (302, ""),
            (500, ""),
        ] {
            let v = read_test_answer(Via::Rest, &answer(status, body));
            assert_eq!(v.status, "Error", "{status} {body}");
            assert!(
                v.message.contains("does not answer like HuskyVoice"),
                "{}",
                v.message
            );
        }
        let v = read_test_answer(Via::Rest, &answer(401, "whatever"));
        assert_eq!(v.status, "Error");
        assert!(v.message.contains("rejected the API key"));
        let ua = r#"{"success":false,"error":{"code":"UNKNOWN_ACTION"}}"#;
        assert_eq!(
            read_test_answer(Via::Webhook, &answer(400, ua)).status,
            "OK"
        );
        assert_eq!(
            read_test_answer(Via::Webhook, &answer(200, r#"{"success":true}"#)).status,
            "Error"
        );
        let v = read_test_answer(
            Via::Rest,
            &Answer::NoResponse {
                kind: TransportError::Connection,
                code: Some("ECONNREFUSED"),
            },
        );
        assert!(
            v.message.contains("refused") && v.message.contains("ECONNREFUSED"),
            "{}",
            v.message
        );
    }
}
