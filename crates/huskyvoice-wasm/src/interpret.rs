use crate::convert::{json_text, parse, to_js};
use crate::errors::{invalid_options, to_js_error};
use huskyvoice_core::batch;
use huskyvoice_core::input::{CancelResponseInput, Loose};
use huskyvoice_core::{interpret_cancel_response as core_interpret, CoreError};
use wasm_bindgen::prelude::*;

/// Maps one response (or a transport failure) to exactly one outcome.
#[wasm_bindgen(js_name = interpretCancelResponse, unchecked_return_type = "CancelResult")]
pub fn interpret_cancel_response(
    #[wasm_bindgen(unchecked_param_type = "CancelResponse")] response: JsValue,
) -> Result<JsValue, JsValue> {
    const CONTEXT: &str = "interpretCancelResponse";
    let run = || -> Result<JsValue, CoreError> {
        if !response.is_object() {
            return Err(invalid_options(
                CONTEXT,
                "expects an object { via, callId, statusCode, headers, body }",
            ));
        }
        let text = json_text(&response, CONTEXT)?;
        let tree: Loose<'_> = parse(&text, CONTEXT)?;
        let input = CancelResponseInput::from_loose(&tree).unwrap_or_default();
        let secrets = input.secret_list()?;
        let result = core_interpret(&input.to_response(js_sys::Date::now(), &secrets)?);
        Ok(to_js(&result))
    };
    run().map_err(|e| to_js_error(&e))
}

/// Interprets many responses in one crossing; throws only for a malformed entry.
#[wasm_bindgen(js_name = interpretCancelResponses, unchecked_return_type = "CancelResult[]")]
pub fn interpret_cancel_responses(
    #[wasm_bindgen(unchecked_param_type = "CancelResponse[]")] responses: JsValue,
) -> Result<JsValue, JsValue> {
    const CONTEXT: &str = "interpretCancelResponses";
    let not_array = || invalid_options(CONTEXT, "expects an array");
    let run = || -> Result<JsValue, CoreError> {
        if !js_sys::Array::is_array(&responses) {
            return Err(not_array());
        }
        let text = json_text(&responses, CONTEXT).map_err(|_| not_array())?;
        Ok(to_js(&batch::interpret_responses(
            &text,
            js_sys::Date::now(),
        )?))
    };
    run().map_err(|e| to_js_error(&e))
}
