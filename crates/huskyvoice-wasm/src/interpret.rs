use crate::convert::{from_js, to_js};
use crate::errors::{invalid_options, to_js_error};
use huskyvoice_core::input::CancelResponseInput;
use huskyvoice_core::{interpret_cancel_response as core_interpret, CancelResult, CoreError};
use serde_json::Value;
use wasm_bindgen::prelude::*;

fn interpret_one(response: &Value, now_ms: f64) -> Result<CancelResult, CoreError> {
    if !response.is_object() {
        return Err(invalid_options(
            "interpretCancelResponse",
            "expects an object { via, callId, statusCode, headers, body }",
        ));
    }
    let input = CancelResponseInput::from_json(response)?;
    Ok(core_interpret(&input.to_response(now_ms)?))
}

/// Maps one response (or a transport failure) to exactly one outcome.
#[wasm_bindgen(js_name = interpretCancelResponse, unchecked_return_type = "CancelResult")]
pub fn interpret_cancel_response(
    #[wasm_bindgen(unchecked_param_type = "CancelResponse")] response: JsValue,
) -> Result<JsValue, JsValue> {
    from_js(&response, "interpretCancelResponse")
        .and_then(|v| interpret_one(&v, js_sys::Date::now()))
        .map(|r| to_js(&r))
        .map_err(|e| to_js_error(&e))
}

/// Interprets many responses in one crossing; throws only for a malformed entry.
#[wasm_bindgen(js_name = interpretCancelResponses, unchecked_return_type = "CancelResult[]")]
pub fn interpret_cancel_responses(
    #[wasm_bindgen(unchecked_param_type = "CancelResponse[]")] responses: JsValue,
) -> Result<JsValue, JsValue> {
    let list = match from_js(&responses, "interpretCancelResponses") {
        Ok(Value::Array(list)) => list,
        _ => {
            return Err(to_js_error(&invalid_options(
                "interpretCancelResponses",
                "expects an array",
            )))
        }
    };
    let now = js_sys::Date::now();
    let mut out = Vec::with_capacity(list.len());
    for (i, r) in list.iter().enumerate() {
        match interpret_one(r, now) {
            Ok(result) => out.push(result),
            Err(mut e) => {
                e.message = format!("item {i}: {}", e.message);
                return Err(to_js_error(&e));
            }
        }
    }
    Ok(to_js(&out))
}
