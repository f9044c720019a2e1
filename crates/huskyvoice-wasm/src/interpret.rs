use crate::convert::{json_text, parse, to_js};
use crate::errors::{invalid_options, to_js_error};
use huskyvoice_core::input::CancelResponseInput;
use huskyvoice_core::json::{Json, ToJson};
use huskyvoice_core::{interpret_cancel_response as core_interpret, CancelResult, CoreError};
use wasm_bindgen::prelude::*;

fn interpret_one(response: &Json<'_>, now_ms: f64) -> Result<CancelResult, CoreError> {
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
    const CONTEXT: &str = "interpretCancelResponse";
    let run = || -> Result<String, CoreError> {
        let text = json_text(&response, CONTEXT)?;
        let result = interpret_one(&parse(&text, CONTEXT)?, js_sys::Date::now())?;
        Ok(result.to_json())
    };
    run().map(|json| to_js(&json)).map_err(|e| to_js_error(&e))
}

/// Interprets many responses in one crossing; throws only for a malformed entry.
#[wasm_bindgen(js_name = interpretCancelResponses, unchecked_return_type = "CancelResult[]")]
pub fn interpret_cancel_responses(
    #[wasm_bindgen(unchecked_param_type = "CancelResponse[]")] responses: JsValue,
) -> Result<JsValue, JsValue> {
    const CONTEXT: &str = "interpretCancelResponses";
    let not_array = || to_js_error(&invalid_options(CONTEXT, "expects an array"));
    let text = json_text(&responses, CONTEXT).map_err(|_| not_array())?;
    let now = js_sys::Date::now();
    let mut out = String::with_capacity(text.len() + 2);
    out.push('[');
    let mut index = 0;
    let mut failed = None;
    // Item by item: the parsed response of one item is dropped before the next is read.
    let whole = Json::for_each_item(&text, |r| {
        if index > 0 {
            out.push(',');
        }
        match interpret_one(&r, now) {
            Ok(result) => result.write_json(&mut out),
            Err(mut e) => {
                e.message = format!("item {index}: {}", e.message);
                failed = Some(e);
                return false;
            }
        }
        index += 1;
        true
    });
    if let Some(e) = failed {
        return Err(to_js_error(&e));
    }
    if whole.is_none() {
        return Err(not_array());
    }
    out.push(']');
    Ok(to_js(&out))
}
