use crate::errors::to_js_error;
use wasm_bindgen::prelude::*;

/// Returns the normalised call id (surrounding whitespace trimmed) or throws an `Error`
/// with code `INVALID_CALL_ID` naming the offending character and its 1-based position.
#[wasm_bindgen(js_name = validateCallId)]
pub fn validate_call_id(
    #[wasm_bindgen(unchecked_param_type = "string")] input: JsValue,
) -> Result<String, JsValue> {
    let options = huskyvoice_core::input::CancelOptionsInput {
        call_id: Some(crate::convert::loose(&input)),
        ..Default::default()
    };
    match options.to_options() {
        Ok(o) => huskyvoice_core::call_id::validate_call_id(o.call_id).map_err(|e| to_js_error(&e)),
        Err(e) => Err(to_js_error(&e)),
    }
}
