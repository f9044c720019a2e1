use crate::convert::to_js;
use crate::errors::{invalid_options, to_js_error};
use huskyvoice_core::event::{verify_event_any, Event};
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
/// envelope. `secret` may be a list during a secret rotation (the new one and the old one). Never throws for a bad delivery (that is an answer: `{verified: false, reason,
/// status, message}`); throws `INVALID_OPTIONS` only when called wrongly, e.g. with a parsed
/// body, whose bytes can no longer be checked.
#[wasm_bindgen(js_name = verifyEvent, unchecked_return_type = "EventVerification")]
pub fn verify_event(
    #[wasm_bindgen(unchecked_param_type = "string | string[] | null | undefined")] secret: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] raw_body: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | null | undefined")] signature: JsValue,
) -> Result<JsValue, JsValue> {
    let delivery = read_delivery("verifyEvent", &secret, &raw_body, &signature)?;
    Ok(
        match verify_event_any(
            &delivery.secrets(),
            &delivery.body,
            delivery.signature.as_deref(),
        ) {
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
        },
    )
}

/// One delivery as the core reads it: the secrets (a list during a rotation; unset ones
/// dropped), the body's bytes and the signature header. `Err` when called wrongly.
pub(crate) struct Delivery {
    pub secrets: Vec<String>,
    pub body: Vec<u8>,
    pub signature: Option<String>,
}

impl Delivery {
    pub fn secrets(&self) -> Vec<&str> {
        self.secrets.iter().map(String::as_str).collect()
    }
}

pub(crate) fn read_delivery(
    context: &str,
    secret: &JsValue,
    raw_body: &JsValue,
    signature: &JsValue,
) -> Result<Delivery, JsValue> {
    let secrets = read_secrets(context, secret)?;
    let body: Vec<u8> = if let Some(text) = raw_body.as_string() {
        text.into_bytes()
    } else if raw_body.is_instance_of::<Uint8Array>() {
        Uint8Array::from(raw_body.clone()).to_vec()
    } else {
        return Err(to_js_error(&invalid_options(
            context,
            "rawBody must be the request body exactly as received (a Buffer, Uint8Array or string), not a parsed object: the signature covers the bytes, and JSON.stringify of a parsed body gives other bytes",
        )));
    };
    let header = signature.as_string();
    if header.is_none() && !signature.is_null() && !signature.is_undefined() {
        return Err(to_js_error(&invalid_options(
            context,
            "signature must be the X-Husky-Signature header's value (a string), or undefined when the request has none",
        )));
    }
    Ok(Delivery {
        secrets,
        body,
        signature: header,
    })
}

/// The secret argument: one, or a list during a rotation. An unset one (`null`, `undefined`,
/// e.g. a missing environment variable) reads as empty, which the core takes as no secret
/// (`no_secret`, 500) rather than a type error thrown at the sender's request.
pub(crate) fn read_secrets(context: &str, secret: &JsValue) -> Result<Vec<String>, JsValue> {
    let listed: Vec<JsValue> = if js_sys::Array::is_array(secret) {
        js_sys::Array::from(secret).iter().collect()
    } else {
        vec![secret.clone()]
    };
    listed
        .iter()
        .map(|value| match value.as_string() {
            Some(secret) => Ok(secret),
            None if value.is_null() || value.is_undefined() => Ok(String::new()),
            None => Err(to_js_error(&invalid_options(
                context,
                "secret must be the endpoint's signing secret (a string), or a list of them during a rotation",
            ))),
        })
        .collect()
}
