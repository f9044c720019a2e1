use crate::convert::{json_text, parse, to_js};
use crate::errors::{invalid_options, to_js_error};
use huskyvoice_core::event::{ReplayGuard as Guard, ReplayLimits};
use huskyvoice_core::input::Loose;
use huskyvoice_core::CoreError;
use wasm_bindgen::prelude::*;

/// Recent `event_id`s a receiver has acted on (the core's replay guard). Keep one per
/// endpoint; save `toJSON()` after each `check` and restore it with `ReplayGuard.fromJSON`.
#[wasm_bindgen]
pub struct ReplayGuard {
    pub(crate) guard: Guard,
}

/// A JS argument as the core's loose tree; `undefined` reads as `null`.
fn read(
    value: &JsValue,
    context: &str,
    then: impl FnOnce(&Loose<'_>) -> Result<Guard, CoreError>,
) -> Result<ReplayGuard, JsValue> {
    let run = || {
        if value.is_undefined() {
            return then(&Loose::Null);
        }
        let text = json_text(value, context)?;
        then(&parse::<Loose<'_>>(&text, context)?)
    };
    run()
        .map(|guard| ReplayGuard { guard })
        .map_err(|e| to_js_error(&e))
}

fn now_or(now_ms: Option<f64>) -> f64 {
    now_ms.unwrap_or_else(js_sys::Date::now)
}

#[wasm_bindgen]
impl ReplayGuard {
    /// An empty guard; `limits` default to `{maxEvents: 1000, maxAgeMs: 86400000}` (a day).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ReplayLimits")] limits: JsValue,
    ) -> Result<ReplayGuard, JsValue> {
        read(&limits, "new ReplayGuard", |l| {
            Guard::new(ReplayLimits::read(l)?)
        })
    }

    /// A guard saved by `toJSON()`. With `limits`, those replace the saved ones (the oldest
    /// ids beyond a smaller `maxEvents` are forgotten). Throws `INVALID_OPTIONS` for a state
    /// that is not one.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "ReplayGuardState")] state: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ReplayLimits")] limits: JsValue,
    ) -> Result<ReplayGuard, JsValue> {
        const CONTEXT: &str = "ReplayGuard.fromJSON";
        let restored = read(&state, CONTEXT, Guard::restore)?;
        if limits.is_undefined() || limits.is_null() {
            return Ok(restored);
        }
        read(&limits, CONTEXT, |l| {
            restored.guard.with_limits(ReplayLimits::read(l)?)
        })
    }

    /// Judges a verified event (`verifyEvent(...).event`) and remembers it when first seen:
    /// `'first_seen'` (act on it), `'duplicate'` or `'too_old'` (acknowledge, start nothing).
    /// `nowMs` defaults to `Date.now()`.
    #[wasm_bindgen(unchecked_return_type = "Sighting")]
    pub fn check(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "HuskyVoiceEvent")] event: JsValue,
        now_ms: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        const CONTEXT: &str = "ReplayGuard.check";
        // Only the two members the guard reads cross; `data` stays in JS.
        let member = |name: &str| {
            js_sys::Reflect::get(&event, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.as_string())
        };
        let (Some(id), Some(created_at)) = (member("event_id"), member("created_at")) else {
            return Err(to_js_error(&invalid_options(
                CONTEXT,
                "pass the event verifyEvent returned (event_id and created_at as text)",
            )));
        };
        let sighting = self.guard.check_at(&id, &created_at, now_or(now_ms));
        Ok(to_js(&sighting))
    }

    /// How many event ids it remembers.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.guard.len()
    }

    /// The state to save (plain JSON; `JSON.stringify(guard)` gives the same).
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "ReplayGuardState")]
    pub fn to_json(&self) -> JsValue {
        to_js(&self.guard)
    }
}
