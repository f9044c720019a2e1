use crate::convert::{json_text, parse, to_js};
use crate::errors::{invalid_options, to_js_error};
use huskyvoice_core::input::CancelOptionsInput;
use huskyvoice_core::json::{Json, ToJson};
use huskyvoice_core::request::RequestBuilder;
use huskyvoice_core::{CancelRequest, CoreError};
use wasm_bindgen::prelude::*;

fn build_one(builder: &mut RequestBuilder, options: &Json<'_>) -> Result<CancelRequest, CoreError> {
    if !options.is_object() {
        return Err(invalid_options(
            "buildCancelRequest",
            "options must be an object such as { via: 'rest', callId: 'call_abc_123' }",
        ));
    }
    builder.build(&CancelOptionsInput::from_json(options).to_options()?)
}

/// Builds the request that cancels one call, or throws an `Error` with a `code`.
#[wasm_bindgen(js_name = buildCancelRequest, unchecked_return_type = "CancelRequest")]
pub fn build_cancel_request(
    #[wasm_bindgen(unchecked_param_type = "CancelOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    const CONTEXT: &str = "buildCancelRequest";
    let run = || -> Result<String, CoreError> {
        let text = json_text(&options, CONTEXT)?;
        let request = build_one(&mut RequestBuilder::default(), &parse(&text, CONTEXT)?)?;
        Ok(request.to_json())
    };
    run().map(|json| to_js(&json)).map_err(|e| to_js_error(&e))
}

/// Builds many requests in one crossing; one result per item, in order. A bad item yields
/// `{ ok: false, error }` and never throws for the batch.
#[wasm_bindgen(js_name = buildCancelRequests, unchecked_return_type = "BuildResult[]")]
pub fn build_cancel_requests(
    #[wasm_bindgen(unchecked_param_type = "CancelOptions[]")] options: JsValue,
) -> Result<JsValue, JsValue> {
    const CONTEXT: &str = "buildCancelRequests";
    let not_array = || {
        to_js_error(&invalid_options(
            CONTEXT,
            "expects an array of options objects",
        ))
    };
    let text = json_text(&options, CONTEXT).map_err(|_| not_array())?;
    let mut builder = RequestBuilder::default();
    let mut out = String::with_capacity(text.len() * 2 + 2);
    out.push('[');
    // Item by item: the parsed options of one item are dropped before the next is read.
    let whole = Json::for_each_item(&text, |o| {
        if out.len() > 1 {
            out.push(',');
        }
        match build_one(&mut builder, &o) {
            Ok(request) => {
                out.push_str("{\"ok\":true,\"request\":");
                request.write_json(&mut out);
            }
            Err(error) => {
                out.push_str("{\"ok\":false,\"error\":");
                error.write_json(&mut out);
            }
        }
        out.push('}');
        true
    });
    if whole.is_none() {
        return Err(not_array());
    }
    out.push(']');
    Ok(to_js(&out))
}
