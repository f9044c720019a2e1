use crate::convert::{from_js, to_js};
use crate::errors::{invalid_options, to_js_error};
use huskyvoice_core::input::CancelOptionsInput;
use huskyvoice_core::{build_cancel_request as core_build, CancelRequest, CoreError};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

fn build_one(options: &Value) -> Result<CancelRequest, CoreError> {
    if !options.is_object() {
        return Err(invalid_options(
            "buildCancelRequest",
            "options must be an object such as { via: 'rest', callId: 'call_abc_123' }",
        ));
    }
    core_build(&CancelOptionsInput::from_json(options).to_options()?)
}

/// Builds the request that cancels one call, or throws an `Error` with a `code`.
#[wasm_bindgen(js_name = buildCancelRequest, unchecked_return_type = "CancelRequest")]
pub fn build_cancel_request(
    #[wasm_bindgen(unchecked_param_type = "CancelOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    from_js(&options, "buildCancelRequest")
        .and_then(|v| build_one(&v))
        .map(|r| to_js(&r))
        .map_err(|e| to_js_error(&e))
}

#[derive(Serialize)]
#[serde(untagged)]
enum BatchItem {
    Ok { ok: bool, request: CancelRequest },
    Err { ok: bool, error: CoreError },
}

/// Builds many requests in one crossing; one result per item, in order. A bad item yields
/// `{ ok: false, error }` and never throws for the batch.
#[wasm_bindgen(js_name = buildCancelRequests, unchecked_return_type = "BuildResult[]")]
pub fn build_cancel_requests(
    #[wasm_bindgen(unchecked_param_type = "CancelOptions[]")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let list = match from_js(&options, "buildCancelRequests") {
        Ok(Value::Array(list)) => list,
        _ => {
            return Err(to_js_error(&invalid_options(
                "buildCancelRequests",
                "expects an array of options objects",
            )))
        }
    };
    let results: Vec<BatchItem> = list
        .iter()
        .map(|o| match build_one(o) {
            Ok(request) => BatchItem::Ok { ok: true, request },
            Err(error) => BatchItem::Err { ok: false, error },
        })
        .collect();
    Ok(to_js(&results))
}
