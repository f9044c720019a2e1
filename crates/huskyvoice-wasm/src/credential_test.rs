use crate::convert::{json_text, parse, to_js};
use crate::errors::{invalid_options, to_js_error};
use crate::run::AnswerParts;
use huskyvoice_core::credential_test::{read_test_answer, test_request};
use huskyvoice_core::engine::credential_from;
use huskyvoice_core::input::Loose;
use huskyvoice_core::{CoreError, Via};
use wasm_bindgen::prelude::*;

/// The request a credential's Test button sends (it touches no call), after the same checks a
/// run makes of the credential; throws their error.
#[wasm_bindgen(js_name = credentialTestRequest, unchecked_return_type = "HttpRequest")]
pub fn credential_test_request(
    #[wasm_bindgen(unchecked_param_type = "RunCredential")] credential: JsValue,
) -> Result<JsValue, JsValue> {
    const CONTEXT: &str = "credentialTestRequest";
    let run = || -> Result<JsValue, CoreError> {
        let text = json_text(&credential, CONTEXT)?;
        let tree: Loose<'_> = parse(&text, CONTEXT)?;
        Ok(to_js(&test_request(&credential_from(&tree)?)?))
    };
    run().map_err(|e| to_js_error(&e))
}

/// What the Test request's answer proves: `{status: 'OK' | 'Error', message}`.
#[wasm_bindgen(js_name = readCredentialTest, unchecked_return_type = "CredentialTestResult")]
pub fn read_credential_test(
    #[wasm_bindgen(unchecked_param_type = "Via")] via: JsValue,
    #[wasm_bindgen(unchecked_param_type = "RunAnswer")] answer: JsValue,
) -> Result<JsValue, JsValue> {
    let via = via
        .as_string()
        .as_deref()
        .and_then(Via::parse)
        .ok_or_else(|| {
            to_js_error(&invalid_options(
                "readCredentialTest",
                "via must be \"rest\" or \"webhook\"",
            ))
        })?;
    let parts = AnswerParts::read(&answer);
    // Its messages are fixed texts and a status code: no server text, so nothing to redact.
    let verdict = read_test_answer(via, &parts.answer());
    Ok(to_js(&verdict))
}
