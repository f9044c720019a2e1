//! Core errors as JavaScript `Error` objects carrying a `code` property.

use huskyvoice_core::{CoreError, ErrorCode};
use wasm_bindgen::prelude::*;

pub fn to_js_error(e: &CoreError) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    // Setting a property on a fresh Error cannot fail; ignore the Result rather than unwrap.
    let _ = js_sys::Reflect::set(
        &err,
        &JsValue::from_str("code"),
        &JsValue::from_str(e.code.as_str()),
    );
    err.into()
}

/// A value that could not even be read as the expected shape.
pub fn invalid_options(context: &str, detail: impl std::fmt::Display) -> CoreError {
    CoreError::new(ErrorCode::InvalidOptions, format!("{context}: {detail}"))
}
