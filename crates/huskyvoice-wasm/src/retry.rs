use crate::convert::{get, shallow};
use crate::errors::{invalid_options, to_js_error};
use huskyvoice_core::input::Loose;
use huskyvoice_core::{retry_delay_ms as core_delay, CoreError, ErrorCode, Outcome, RetryPolicy};
use wasm_bindgen::prelude::*;

const CONTEXT: &str = "retryDelayMs";

fn outcome_of(value: JsValue) -> Result<(Outcome, Option<u64>), CoreError> {
    let (name, after) =
        match value.as_string() {
            Some(s) => (s, None),
            None if value.is_object() => match get(&value, "outcome").as_string() {
                Some(name) => (name, get(&value, "retryAfterMs").as_f64()),
                _ => {
                    return Err(invalid_options(
                        CONTEXT,
                        "the result object has no \"outcome\"",
                    ))
                }
            },
            None => return Err(invalid_options(
                CONTEXT,
                "first argument must be an outcome name or the result of interpretCancelResponse",
            )),
        };
    let outcome = Outcome::parse(&name).ok_or_else(|| {
        CoreError::new(
            ErrorCode::InvalidOptions,
            format!(
                "retryDelayMs: unknown outcome \"{}\".",
                name.chars().take(40).collect::<String>()
            ),
        )
    })?;
    let after = after
        .filter(|a| a.is_finite() && *a >= 0.0)
        .map(|a| a.ceil() as u64);
    Ok((outcome, after))
}

fn count(name: &str, v: JsValue, min: f64) -> Result<f64, CoreError> {
    match shallow(&v) {
        Loose::Null if min == 0.0 => Ok(0.0),
        Loose::Num(n) if n.is_finite() && n.fract() == 0.0 && n >= min => Ok(n),
        other => Err(CoreError::new(
            ErrorCode::InvalidOptions,
            format!(
                "retryDelayMs: \"{name}\" must be a whole number of at least {}; got {}.",
                // An integer: formatting an f64 would pull float printing into the module.
                min as u64,
                match other {
                    Loose::Num(n) => huskyvoice_core::error::number_text(n),
                    o => o.describe(),
                }
            ),
        )),
    }
}

/// Milliseconds to wait before the next attempt, or `null` to stop. `attempt` counts the
/// attempts made so far; `waitedMs` is what this item already waited in total.
#[allow(non_snake_case)]
// the parameter name shows in the TypeScript declaration
// The TypeScript signature (with optional trailing parameters) is written in types.rs.
#[wasm_bindgen(js_name = retryDelayMs, skip_typescript)]
pub fn retry_delay_ms(
    #[wasm_bindgen(
        unchecked_param_type = "Outcome | Pick<CancelResult, 'outcome' | 'retryAfterMs'>"
    )]
    outcome: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] attempt: JsValue,
    #[wasm_bindgen(unchecked_param_type = "RetryPolicy | null")] policy: Option<JsValue>,
    #[wasm_bindgen(unchecked_param_type = "number | null")] waitedMs: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let policy = policy.unwrap_or(JsValue::UNDEFINED);
    let waited_ms = waitedMs.unwrap_or(JsValue::UNDEFINED);
    let run = || -> Result<Option<u64>, CoreError> {
        let (outcome, after) = outcome_of(outcome)?;
        let attempt = count("attempt", attempt, 1.0)?;
        let waited = count("waitedMs", waited_ms, 0.0)?;
        let given = !(policy.is_undefined() || policy.is_null());
        let number = |key: &str| -> Result<Option<f64>, CoreError> {
            if !given {
                return Ok(None);
            }
            match shallow(&get(&policy, key)) {
                Loose::Null => Ok(None),
                Loose::Num(n) => Ok(Some(n)),
                other => Err(CoreError::new(
                    ErrorCode::InvalidOptions,
                    format!(
                        "retryDelayMs: policy \"{key}\" must be a number; got {}.",
                        other.describe()
                    ),
                )),
            }
        };
        let policy = RetryPolicy::from_parts(
            number("maxAttempts")?,
            number("maxTotalWaitMs")?,
            number("baseDelayMs")?,
            number("maxDelayMs")?,
        )?;
        let attempt = attempt.min(u32::MAX as f64) as u32;
        Ok(core_delay(
            outcome,
            after,
            attempt,
            waited as u64,
            &policy,
            js_sys::Math::random(),
        ))
    };
    match run() {
        Ok(Some(ms)) => Ok(JsValue::from_f64(ms as f64)),
        Ok(None) => Ok(JsValue::NULL),
        Err(e) => Err(to_js_error(&e)),
    }
}
