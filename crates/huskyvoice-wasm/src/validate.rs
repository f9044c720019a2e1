use crate::convert::shallow;
use crate::errors::to_js_error;
use huskyvoice_core::input::CancelOptionsInput;
use wasm_bindgen::prelude::*;

/// Returns the normalised call id (surrounding whitespace trimmed) or throws an `Error`
/// with code `INVALID_CALL_ID` naming the offending character and its 1-based position.
#[wasm_bindgen(js_name = validateCallId)]
pub fn validate_call_id(
    #[wasm_bindgen(unchecked_param_type = "string")] input: JsValue,
) -> Result<String, JsValue> {
    let run = || {
        let options = CancelOptionsInput {
            call_id: Some(shallow(&input)),
            ..Default::default()
        };
        huskyvoice_core::call_id::validate_call_id(options.to_options()?.call_id)
    };
    run().map_err(|e| to_js_error(&e))
}
