use crate::convert::{json_text, parse, to_js};
use crate::errors::to_js_error;
use crate::replay_guard::ReplayGuard;
use crate::verify_event::read_delivery;
use huskyvoice_core::event::{receive, EventFilter, EventItem, Reception};
use huskyvoice_core::input::Loose;
use huskyvoice_core::CoreError;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[derive(Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
enum Answer<'a> {
    Start {
        status: u16,
        item: EventItem<'a>,
    },
    Skip {
        status: u16,
        reason: &'static str,
        message: &'static str,
    },
    Refuse {
        status: u16,
        reason: &'static str,
        message: &'a str,
    },
}

/// Judges one delivery to a trigger whole: signature and envelope (as `verifyEvent`), then
/// `filter` (`{eventTypes?, agentIds?}`), then `guard`, which remembers a started event.
/// Answers `{action: 'start', status: 200, item}`, `{action: 'skip', status: 200, reason,
/// message}` (acknowledge, start nothing) or `{action: 'refuse', status, reason, message}`
/// (answer `status`, start nothing). Throws `INVALID_OPTIONS` only when called wrongly (a
/// parsed body, a filter naming an unknown event type). `nowMs` defaults to `Date.now()`.
#[wasm_bindgen(js_name = receiveEvent, unchecked_return_type = "EventReception")]
pub fn receive_event(
    guard: &mut ReplayGuard,
    #[wasm_bindgen(unchecked_param_type = "string | string[] | null | undefined")] secret: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] raw_body: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | null | undefined")] signature: JsValue,
    #[wasm_bindgen(unchecked_param_type = "EventFilter | null | undefined")] filter: JsValue,
    now_ms: Option<f64>,
) -> Result<JsValue, JsValue> {
    const CONTEXT: &str = "receiveEvent";
    let filter = read_filter(CONTEXT, &filter).map_err(|e| to_js_error(&e))?;
    let delivery = read_delivery(CONTEXT, &secret, &raw_body, &signature)?;
    let reception = receive(
        &delivery.secrets(),
        &delivery.body,
        delivery.signature.as_deref(),
        &filter,
        &mut guard.guard,
        now_ms.unwrap_or_else(js_sys::Date::now),
    );
    Ok(match &reception {
        Reception::Start(event) => to_js(&Answer::Start {
            status: 200,
            item: EventItem::of(event),
        }),
        Reception::Skip(skip) => to_js(&Answer::Skip {
            status: 200,
            reason: skip.reason(),
            message: skip.message(),
        }),
        Reception::Refuse(rejection) => to_js(&Answer::Refuse {
            status: rejection.http_status(),
            reason: rejection.reason(),
            message: rejection.message(),
        }),
    })
}

/// `{eventTypes?, agentIds?}` from JS; `null` or `undefined` takes every event.
pub(crate) fn read_filter(context: &str, filter: &JsValue) -> Result<EventFilter, CoreError> {
    if filter.is_undefined() || filter.is_null() {
        return Ok(EventFilter::default());
    }
    let text = json_text(filter, context)?;
    EventFilter::read(&parse::<Loose<'_>>(&text, context)?)
}
