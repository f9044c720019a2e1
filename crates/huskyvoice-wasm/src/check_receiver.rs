use crate::convert::to_js;
use crate::receive_event::read_filter;
use crate::verify_event::read_secrets;
use huskyvoice_core::event::check_secrets;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[derive(Serialize)]
struct Check<'a> {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

/// Checks a receiver's settings before the first delivery: the signing secret (a list during a
/// rotation: the first is required, the others may be empty) and, when given, the filter.
/// `{ok: true}` or `{ok: false, message}` naming what is wrong and how to fix it. HuskyVoice
/// has no call that proves a secret, so `ok` means "could be one", never "is the right one".
#[wasm_bindgen(js_name = checkReceiver, unchecked_return_type = "{ ok: true } | { ok: false; message: string }")]
pub fn check_receiver(
    #[wasm_bindgen(unchecked_param_type = "string | string[] | null | undefined")] secret: JsValue,
    #[wasm_bindgen(unchecked_param_type = "EventFilter | null | undefined")] filter: JsValue,
) -> Result<JsValue, JsValue> {
    const CONTEXT: &str = "checkReceiver";
    let secrets = read_secrets(CONTEXT, &secret)?;
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let mut problem = check_secrets(&secrets).err();
    if problem.is_none() {
        if let Err(e) = read_filter(CONTEXT, &filter) {
            problem = Some(e.message);
        }
    }
    Ok(to_js(&Check {
        ok: problem.is_none(),
        message: problem.as_deref(),
    }))
}
