//! Crossing the boundary. Which path is used where, measured on Node 20 (100,000 items,
//! validate + build + interpret one cancel each, `bench/core.bench.mjs`):
//! - Values going out (single results, requests, errors) are built as JS objects by
//!   serde-wasm-bindgen's `Serializer::json_compatible()`.
//! - Values coming in are read as JSON text: one native `JSON.stringify`, then serde_json
//!   borrows from the text. serde-wasm-bindgen's `Deserializer` was measured against it for
//!   single calls: 5.2 µs vs 5.1 µs per `interpretCancelResponse` (the same within noise),
//!   but it cost 12 KB of `.wasm` (its generic code next to serde_json's), which the
//!   200 KB / 80 KB budget could not spare.
//! - Batches go in and out as JSON text (`huskyvoice_core::batch`): two crossings for any
//!   number of items. serde-wasm-bindgen objects out measured 4.7-5.0 µs per item vs
//!   5.0-5.6 µs for text out, within noise; text keeps one code path for both batch calls.

use huskyvoice_core::error::json_reason;
use huskyvoice_core::input::Loose;
use huskyvoice_core::{CoreError, ErrorCode};
use js_sys::{JsString, Uint8Array};
use wasm_bindgen::prelude::*;

fn bad(context: &str, what: &str) -> CoreError {
    let mut message = String::with_capacity(context.len() + what.len() + 2);
    message.push_str(context);
    message.push_str(": ");
    message.push_str(what);
    CoreError::new(ErrorCode::InvalidOptions, message)
}

#[wasm_bindgen]
extern "C" {
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, text: &JsString, dest: &Uint8Array) -> EncodeResult;

    type EncodeResult;
    #[wasm_bindgen(method, getter)]
    fn read(this: &EncodeResult) -> f64;
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodeResult) -> f64;
}

/// A JS value as JSON text through `JSON.stringify`. `context` names the function for errors.
pub fn json_text(v: &JsValue, context: &str) -> Result<String, CoreError> {
    let text = js_sys::JSON::stringify(v).map_err(|_| {
        bad(
            context,
            "the argument cannot be converted to JSON (a BigInt or a circular reference?)",
        )
    })?;
    if !text.is_string() {
        return Err(bad(context, "the argument is missing"));
    }
    // Short text (one item) is cheaper through wasm-bindgen's own copy than through the
    // few extra crossings encodeInto needs; batches are long.
    let text = if text.length() < 1024 {
        text.as_string()
            .ok_or_else(|| bad(context, "the argument is missing"))?
    } else {
        utf8(&text)
    };
    Ok(replace_lone_surrogates(text))
}

/// `JSON.stringify` writes a lone UTF-16 surrogate (which a JS string may hold) as a `\udXXX`
/// escape, and serde_json refuses those. Well-formed pairs are written raw, so every such
/// escape is a lone one: it becomes U+FFFD, as `TextEncoder` does for the same string.
fn replace_lone_surrogates(text: String) -> String {
    const ESCAPE: &[u8] = b"\\ud";
    if !text.as_bytes().windows(3).any(|w| w == ESCAPE) {
        return text;
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut i = 0;
    while let Some(at) = bytes
        .get(i..)
        .and_then(|rest| rest.windows(3).position(|w| w == ESCAPE))
    {
        let start = i + at;
        // An escape only if an even number of backslashes precede this one.
        let preceding = bytes[..start]
            .iter()
            .rev()
            .take_while(|b| **b == b'\\')
            .count();
        let hex = bytes.get(start + 3..start + 6).unwrap_or(&[]);
        let surrogate = hex.len() == 3
            && matches!(hex[0], b'8'..=b'9' | b'a'..=b'f')
            && hex[1..].iter().all(u8::is_ascii_hexdigit);
        if preceding % 2 == 0 && surrogate {
            out.push_str(text.get(last..start).unwrap_or(""));
            out.push_str("\\ufffd");
            last = start + 6;
        }
        i = start + 3;
    }
    out.push_str(text.get(last..).unwrap_or(""));
    out
}

/// Copies a JS string into wasm memory with one `TextEncoder.encodeInto` call (native
/// code) rather than wasm-bindgen's per-character JS loop, which dominated large batches.
fn utf8(text: &JsString) -> String {
    let units = text.length() as usize;
    // Plain ASCII, the usual case, needs one byte per UTF-16 unit; grow only if it is not.
    let mut buf: Vec<u8> = Vec::with_capacity(units);
    let mut read = 0;
    // One encoder per long text: only batches and run plans come here.
    let encoder = TextEncoder::new();
    loop {
        let spare = buf.spare_capacity_mut();
        let (ptr, room) = (spare.as_mut_ptr().cast::<u8>(), spare.len());
        // SAFETY: the view covers only the Vec's unused capacity and lives for this one
        // call, during which nothing allocates (so wasm memory cannot move).
        let view = unsafe { Uint8Array::view_mut_raw(ptr, room) };
        let rest = if read == 0 {
            text.clone()
        } else {
            text.slice(read as u32, units as u32)
        };
        let result = encoder.encode_into(&rest, &view);
        let written = (result.written() as usize).min(room);
        let progressed = result.read() as usize;
        read += progressed;
        // SAFETY: encodeInto initialised the first `written` bytes of the spare capacity.
        unsafe { buf.set_len(buf.len() + written) };
        // Done, or stuck (cannot happen with room for a 4-byte character; never loop forever).
        if read >= units || (progressed == 0 && room >= 4) {
            break;
        }
        buf.reserve((units - read).saturating_mul(3).max(4));
    }
    // TextEncoder writes valid UTF-8 (lone surrogates become U+FFFD); checked anyway.
    String::from_utf8(buf).unwrap_or_default()
}

/// Reads the text `json_text` returned into a core input type (serde_json, borrowing).
pub fn parse<'a, T: serde::Deserialize<'a>>(text: &'a str, context: &str) -> Result<T, CoreError> {
    serde_json::from_str(text).map_err(|e| {
        bad(
            context,
            &format!("the argument is not plain data ({})", json_reason(&e)),
        )
    })
}

/// A Rust value as a plain JS object (maps as objects, `None` as `null`, integers as
/// numbers). The core's outputs are strings, integers and flags, so this cannot fail;
/// should it, `undefined` is returned rather than a panic.
pub fn to_js<T: serde::Serialize>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::UNDEFINED)
}

/// A JS value classified for a message, without a JSON round trip: the few numbers and names
/// `retryDelayMs` and `validateCallId` take need no parser.
pub fn shallow(v: &JsValue) -> Loose<'static> {
    if let Some(s) = v.as_string() {
        Loose::Str(s.into())
    } else if let Some(n) = v.as_f64() {
        Loose::Num(n)
    } else if let Some(b) = v.as_bool() {
        Loose::Bool(b)
    } else if v.is_null() || v.is_undefined() {
        Loose::Null
    } else if js_sys::Array::is_array(v) {
        Loose::Array(Vec::new())
    } else {
        Loose::Object(Vec::new())
    }
}

/// `obj[key]`, or undefined when it cannot be read (a throwing getter, say).
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}
