use crate::convert::{json_text, parse};
use crate::errors::{invalid_options, to_js_error};
use huskyvoice_core::input::Loose;
use wasm_bindgen::prelude::*;

/// Replaces every occurrence of each secret in `text` by its redacted form
/// (`sk_live_…(redacted)`, `ab…(redacted)`).
#[wasm_bindgen(js_name = redactSecrets)]
pub fn redact_secrets(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(unchecked_param_type = "readonly string[]")] secrets: JsValue,
) -> Result<String, JsValue> {
    const CONTEXT: &str = "redactSecrets";
    let secrets_text = json_text(&secrets, CONTEXT).unwrap_or_default();
    let list = match parse::<Loose<'_>>(&secrets_text, CONTEXT) {
        Ok(Loose::Array(items)) => items
            .into_iter()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect::<Vec<_>>(),
        _ => {
            return Err(to_js_error(&invalid_options(
                CONTEXT,
                "secrets must be an array of strings",
            )))
        }
    };
    let text = text
        .as_string()
        .ok_or_else(|| to_js_error(&invalid_options(CONTEXT, "text must be a string")))?;
    Ok(huskyvoice_core::redact_secrets(&text, &list))
}
