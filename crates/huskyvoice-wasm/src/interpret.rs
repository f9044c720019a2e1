use crate::convert::{field, get, loose, strings, to_js};
use crate::errors::{invalid_options, to_js_error};
use huskyvoice_core::input::{CancelResponseInput, Loose, RetryAfterHeader};
use huskyvoice_core::{interpret_cancel_response as core_interpret, CancelResult, CoreError};
use wasm_bindgen::prelude::*;

fn interpret_one(response: JsValue, now_ms: f64) -> Result<CancelResult, CoreError> {
    if !response.is_object() {
        return Err(invalid_options(
            "interpretCancelResponse",
            "expects an object { via, callId, statusCode, headers, body }",
        ));
    }
    let secrets = get(&response, "secrets");
    let input = CancelResponseInput {
        via: field(&response, "via"),
        call_id: field(&response, "callId"),
        status_code: field(&response, "statusCode"),
        headers: retry_after(&get(&response, "headers")),
        body: field(&response, "body"),
        transport_error: field(&response, "transportError"),
        now_ms: get(&response, "nowMs").as_f64(),
        secrets: match strings(&secrets) {
            Some(list) => list,
            None if secrets.is_undefined() || secrets.is_null() => Vec::new(),
            None => {
                return Err(invalid_options(
                    "interpretCancelResponse",
                    "\"secrets\" must be an array of strings",
                ))
            }
        },
    };
    Ok(core_interpret(&input.to_response(now_ms)?))
}

/// Maps one response (or a transport failure) to exactly one outcome.
#[wasm_bindgen(js_name = interpretCancelResponse, unchecked_return_type = "CancelResult")]
pub fn interpret_cancel_response(
    #[wasm_bindgen(unchecked_param_type = "CancelResponse")] response: JsValue,
) -> Result<JsValue, JsValue> {
    interpret_one(response, js_sys::Date::now())
        .map(|r| to_js(&r))
        .map_err(|e| to_js_error(&e))
}

/// Interprets many responses in one crossing; throws only for a malformed entry.
#[wasm_bindgen(js_name = interpretCancelResponses, unchecked_return_type = "CancelResult[]")]
pub fn interpret_cancel_responses(
    #[wasm_bindgen(unchecked_param_type = "CancelResponse[]")] responses: JsValue,
) -> Result<JsValue, JsValue> {
    if !js_sys::Array::is_array(&responses) {
        return Err(to_js_error(&invalid_options(
            "interpretCancelResponses",
            "expects an array",
        )));
    }
    let now = js_sys::Date::now();
    let mut out = Vec::new();
    for (i, r) in js_sys::Array::from(&responses).iter().enumerate() {
        let mut res = interpret_one(r, now);
        if let Err(e) = &mut res {
            e.message = format!("item {i}: {}", e.message);
        }
        out.push(res.map_err(|e| to_js_error(&e))?);
    }
    Ok(to_js(&out))
}

/// Finds `Retry-After` among response headers: any letter case, a string, a number, or a
/// list whose first entry counts (n8n and Node give all three).
fn retry_after(headers: &JsValue) -> RetryAfterHeader {
    if !headers.is_object() {
        return RetryAfterHeader(None);
    }
    let keys = js_sys::Object::keys(&js_sys::Object::from(headers.clone()));
    for key in keys.iter() {
        let Some(name) = key.as_string() else {
            continue;
        };
        if !name.eq_ignore_ascii_case("retry-after") {
            continue;
        }
        let value = js_sys::Reflect::get(headers, &key).unwrap_or(JsValue::UNDEFINED);
        let first = if js_sys::Array::is_array(&value) {
            js_sys::Array::from(&value).get(0)
        } else {
            value
        };
        return RetryAfterHeader(match loose(&first) {
            Loose::Str(s) => Some(s),
            Loose::Num(n) if n.is_finite() && n >= 0.0 => Some((n.trunc() as u64).to_string()),
            _ => None,
        });
    }
    RetryAfterHeader(None)
}
