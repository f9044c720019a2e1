//! Request building on arbitrary ids, base URLs, keys and webhooks: never panics, and a
//! sendable URL is plain ASCII without whitespace.
#![no_main]
use huskyvoice_core::{build_cancel_request, CancelOptions, Via};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(4, '\u{1}');
    let call_id = parts.next().unwrap_or("");
    let base_url = parts.next();
    let key = parts.next();
    let webhook = parts.next();
    for via in [Some(Via::Rest), Some(Via::Webhook)] {
        let options = CancelOptions {
            via,
            call_id,
            base_url,
            api_key: if via == Some(Via::Rest) { key } else { None },
            webhook: if via == Some(Via::Webhook) {
                webhook.or(key)
            } else {
                None
            },
            redact: data.first().is_some_and(|b| b & 1 == 1),
        };
        if let Ok(req) = build_cancel_request(&options) {
            // A redacted (dry-run) URL shows "…(redacted)"; a sendable one is plain ASCII.
            assert!(options.redact || req.url.is_ascii());
            assert!(!req.url.contains(char::is_whitespace));
        }
    }
});
