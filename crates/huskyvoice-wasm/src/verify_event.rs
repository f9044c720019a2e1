use crate::convert::to_js;
use crate::errors::{invalid_options, to_js_error};
use huskyvoice_core::event::{verify_event as verify, Event};
use js_sys::Uint8Array;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[derive(Serialize)]
#[serde(untagged)]
enum Verification<'a> {
    Verified {
        verified: bool,
        event: &'a Event,
    },
    Refused {
        verified: bool,
        reason: &'static str,
        status: u16,
        message: &'a str,
    },
}

/// Judges one delivery: the `X-Husky-Signature` header against the raw body, then the
/// envelope. Never throws for a bad delivery (that is an answer: `{verified: false, reason,
/// status, message}`); throws `INVALID_OPTIONS` only when called wrongly, e.g. with a parsed
/// body, whose bytes can no longer be checked.
#[wasm_bindgen(js_name = verifyEvent, unchecked_return_type = "EventVerification")]
pub fn verify_event(
    #[wasm_bindgen(unchecked_param_type = "string | null | undefined")] secret: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] raw_body: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | null | undefined")] signature: JsValue,
) -> Result<JsValue, JsValue> {
    // An unset environment variable is a receiver without a secret (`no_secret`, 500), not a
    // type error thrown at the sender's request.
    let secret = match secret.as_string() {
        Some(secret) => secret,
        None if secret.is_null() || secret.is_undefined() => String::new(),
        None => {
            return Err(to_js_error(&invalid_options(
                "verifyEvent",
                "secret must be the endpoint's signing secret (a string)",
            )))
        }
    };
    let body: Vec<u8> = if let Some(text) = raw_body.as_string() {
        text.into_bytes()
    } else if raw_body.is_instance_of::<Uint8Array>() {
        Uint8Array::from(raw_body).to_vec()
    } else {
        return Err(to_js_error(&invalid_options(
            "verifyEvent",
            "rawBody must be the request body exactly as received (a Buffer, Uint8Array or string), not a parsed object: the signature covers the bytes, and JSON.stringify of a parsed body gives other bytes",
        )));
    };
    let header = signature.as_string();
    if header.is_none() && !signature.is_null() && !signature.is_undefined() {
        return Err(to_js_error(&invalid_options(
            "verifyEvent",
            "signature must be the X-Husky-Signature header's value (a string), or undefined when the request has none",
        )));
    }
    Ok(match verify(&secret, &body, header.as_deref()) {
        Ok(event) => to_js(&Verification::Verified {
            verified: true,
            event: &event,
        }),
        Err(rejection) => to_js(&Verification::Refused {
            verified: false,
            reason: rejection.reason(),
            status: rejection.http_status(),
            message: rejection.message(),
        }),
    })
}
