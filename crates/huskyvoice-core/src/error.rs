//! The one error type of the core: a stable machine code plus a message for humans.

use serde::Serialize;
use std::fmt;

/// Stable codes: JavaScript callers and the n8n node branch on these, so never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ErrorCode {
    #[serde(rename = "INVALID_CALL_ID")]
    InvalidCallId,
    #[serde(rename = "INVALID_BASE_URL")]
    InvalidBaseUrl,
    #[serde(rename = "INVALID_WEBHOOK")]
    InvalidWebhook,
    #[serde(rename = "INVALID_OPTIONS")]
    InvalidOptions,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidCallId => "INVALID_CALL_ID",
            ErrorCode::InvalidBaseUrl => "INVALID_BASE_URL",
            ErrorCode::InvalidWebhook => "INVALID_WEBHOOK",
            ErrorCode::InvalidOptions => "INVALID_OPTIONS",
        }
    }
}

/// A rejected input. The message names the field, what is wrong (with the 1-based position
/// of an offending character) and how to fix it. It never contains a secret: messages about
/// the API key or the webhook token describe the problem without quoting the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoreError {
    pub code: ErrorCode,
    pub message: String,
}

impl CoreError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        CoreError {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for CoreError {}

/// Why serde_json refused an input, without its "at line 1 column 40": the text it read was
/// made by `JSON.stringify`, never seen by the caller, so a position in it would mislead.
pub fn json_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    // serde_json puts the position last, after the only " at line ".
    let mut cut = None;
    let mut from = 0;
    while let Some(at) = text
        .get(from..)
        .and_then(|rest| crate::text::find(rest, " at line "))
    {
        cut = Some(from + at);
        from += at + 1;
    }
    match cut {
        Some(at) => text.get(..at).unwrap_or(&text).to_string(),
        None => text,
    }
}

/// Describes one character for an error message: printable ASCII is quoted, anything else
/// (spaces, controls, non-ASCII) is shown as its Unicode code point so it is visible.
pub fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".to_string(),
        '\t' => "a tab".to_string(),
        '\n' | '\r' => "a line break".to_string(),
        c if c.is_ascii_graphic() => format!("'{c}'"),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c => format!("'{c}' (U+{:04X}, not ASCII)", c as u32),
    }
}

/// Formats a number for a message without pulling float formatting into the wasm module
/// (core's float printing alone costs tens of kilobytes): whole numbers exactly, others to
/// three decimals.
pub fn number_text(n: f64) -> String {
    if n.is_nan() {
        return "NaN".to_string();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let sign = if n < 0.0 { "-" } else { "" };
    let a = n.abs();
    if a >= 1e15 {
        return format!("{sign}{}e15+", (a / 1e15) as u64);
    }
    let milli = (a * 1000.0).round() as u64;
    let (whole, frac) = (milli / 1000, milli % 1000);
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        let digits = format!("{frac:03}");
        format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_text_formats() {
        assert_eq!(number_text(42.0), "42");
        assert_eq!(number_text(-2.5), "-2.5");
        assert_eq!(number_text(0.125), "0.125");
        assert_eq!(number_text(f64::NAN), "NaN");
        assert_eq!(number_text(f64::INFINITY), "Infinity");
    }
}
