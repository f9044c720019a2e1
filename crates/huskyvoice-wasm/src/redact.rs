use crate::convert::strings;
use crate::errors::{invalid_options, to_js_error};
use wasm_bindgen::prelude::*;

/// Replaces every occurrence of each secret in `text` by its redacted form
/// (`sk_live_…(redacted)`, `ab…(redacted)`).
#[wasm_bindgen(js_name = redactSecrets)]
pub fn redact_secrets(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(unchecked_param_type = "readonly string[]")] secrets: JsValue,
) -> Result<String, JsValue> {
    let list = strings(&secrets).ok_or_else(|| {
        to_js_error(&invalid_options(
            "redactSecrets",
            "secrets must be an array of strings",
        ))
    })?;
    let text = text
        .as_string()
        .ok_or_else(|| to_js_error(&invalid_options("redactSecrets", "text must be a string")))?;
    Ok(huskyvoice_core::redact_secrets(&text, &list))
}
