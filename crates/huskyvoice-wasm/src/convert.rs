//! Crossing the boundary. Outputs go through serde-wasm-bindgen (plain objects; `None`
//! becomes `null`, fields that may be absent are skipped). Inputs are read field by field
//! with `Reflect.get` into the core's loose values: that avoids serde's generic
//! "invalid type" machinery, which alone would pull ~20 KB of float formatting into the
//! module, and it is faster for the small objects the API takes.

use huskyvoice_core::input::Loose;
use serde::Serialize;
use wasm_bindgen::JsValue;

const SERIALIZER: serde_wasm_bindgen::Serializer = serde_wasm_bindgen::Serializer::new()
    .serialize_maps_as_objects(true)
    .serialize_missing_as_null(true);

pub fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    // Our output types are plain structs of strings and numbers; serialising them cannot
    // fail, but fall back to undefined rather than panic if it ever did.
    value.serialize(&SERIALIZER).unwrap_or(JsValue::UNDEFINED)
}

/// A JS value as the core's loose input type (never fails: other shapes become `Object`).
pub fn loose(v: &JsValue) -> Loose {
    if let Some(s) = v.as_string() {
        Loose::Str(s)
    } else if let Some(n) = v.as_f64() {
        Loose::Num(n)
    } else if let Some(b) = v.as_bool() {
        Loose::Bool(b)
    } else if v.is_null() || v.is_undefined() {
        Loose::Null
    } else if js_sys::Array::is_array(v) {
        Loose::Array
    } else {
        Loose::Object
    }
}

/// `obj[key]`, or undefined when it cannot be read (a throwing getter, say).
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `obj[key]` as a loose value; `None` when absent.
pub fn field(obj: &JsValue, key: &str) -> Option<Loose> {
    match loose(&get(obj, key)) {
        Loose::Null => None,
        other => Some(other),
    }
}

/// A list of strings (other entries are skipped), or `None` when `v` is not an array.
pub fn strings(v: &JsValue) -> Option<Vec<String>> {
    if !js_sys::Array::is_array(v) {
        return None;
    }
    Some(
        js_sys::Array::from(v)
            .iter()
            .filter_map(|x| x.as_string())
            .collect(),
    )
}
