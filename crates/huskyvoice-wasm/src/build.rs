use crate::convert::{json_text, parse, to_js};
use crate::errors::{invalid_options, to_js_error};
use huskyvoice_core::batch;
use huskyvoice_core::input::{CancelOptionsInput, Loose};
use huskyvoice_core::request::RequestBuilder;
use huskyvoice_core::CoreError;
use wasm_bindgen::prelude::*;

/// Builds the request that cancels one call, or throws an `Error` with a `code`.
#[wasm_bindgen(js_name = buildCancelRequest, unchecked_return_type = "HttpRequest")]
pub fn build_cancel_request(
    #[wasm_bindgen(unchecked_param_type = "CancelOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    const CONTEXT: &str = "buildCancelRequest";
    let run = || -> Result<JsValue, CoreError> {
        if !options.is_object() {
            return Err(invalid_options(
                CONTEXT,
                "options must be an object such as { via: 'rest', callId: 'call_abc_123' }",
            ));
        }
        let text = json_text(&options, CONTEXT)?;
        let tree: Loose<'_> = parse(&text, CONTEXT)?;
        let input = CancelOptionsInput::from_loose(&tree).unwrap_or_default();
        let request = batch::build_one(&mut RequestBuilder::default(), &input)?;
        Ok(to_js(&request))
    };
    run().map_err(|e| to_js_error(&e))
}

/// Builds many requests in one crossing; one result per item, in order. A bad item yields
/// `{ ok: false, error }` and never throws for the batch.
#[wasm_bindgen(js_name = buildCancelRequests, unchecked_return_type = "BuildResult[]")]
pub fn build_cancel_requests(
    #[wasm_bindgen(unchecked_param_type = "CancelOptions[]")] options: JsValue,
) -> Result<JsValue, JsValue> {
    const CONTEXT: &str = "buildCancelRequests";
    let not_array = || invalid_options(CONTEXT, "expects an array of options objects");
    let run = || -> Result<JsValue, CoreError> {
        if !js_sys::Array::is_array(&options) {
            return Err(not_array());
        }
        let text = json_text(&options, CONTEXT).map_err(|_| not_array())?;
        Ok(to_js(&batch::build_requests(&text)?))
    };
    run().map_err(|e| to_js_error(&e))
}
