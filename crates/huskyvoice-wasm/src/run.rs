use crate::convert::{json_text, parse, to_js};
use crate::errors::{invalid_options, to_js_error};
use crate::pacers::Pacers;
use huskyvoice_core::engine::{self, Answer, CallOperation, RunPlan, Step};
use huskyvoice_core::input::Loose;
use huskyvoice_core::request::{HttpRequest, Via};
use huskyvoice_core::{CoreError, TransportError};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// A bulk operation (the plan's `operation`: schedule, get, cancel or delete) as a state
/// machine: `poll` says what to do, `respond` takes an answer, `report` gives every item's
/// output. It never does I/O; `drive` (the JS driver loop) runs it with a transport, a clock
/// and a sleep.
#[wasm_bindgen]
pub struct Run {
    inner: engine::Run<CallOperation>,
}

/// `poll`'s answer as a plain object, tagged by `kind`.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum StepView<'a> {
    #[serde(rename_all = "camelCase")]
    Send {
        ticket: u32,
        index: usize,
        credential: usize,
        via: Via,
        request: &'a HttpRequest,
        timeout_ms: u64,
    },
    #[serde(rename_all = "camelCase")]
    Wait {
        until_ms: u64,
    },
    Idle,
    Done,
}

fn js_error(e: CoreError) -> JsValue {
    to_js_error(&e)
}

/// `obj[key]`, or undefined when it cannot be read.
fn field(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// An answer object's fields, read one by one: the body then crosses once, as a string,
/// never re-escaped as JSON.
pub struct AnswerParts {
    status: Option<f64>,
    retry_after: Option<String>,
    body: String,
    timeout: bool,
    code: Option<String>,
    replayed: bool,
}

impl AnswerParts {
    pub fn read(answer: &JsValue) -> AnswerParts {
        AnswerParts {
            status: field(answer, "statusCode").as_f64(),
            retry_after: field(answer, "retryAfter").as_string(),
            body: field(answer, "body").as_string().unwrap_or_default(),
            timeout: field(answer, "transportError").as_string().as_deref() == Some("timeout"),
            code: field(answer, "errorCode").as_string(),
            replayed: field(answer, "replayed").as_bool() == Some(true),
        }
    }

    pub fn answer(&self) -> Answer<'_> {
        match self.status {
            Some(s) if s.fract() == 0.0 && (100.0..=599.0).contains(&s) => Answer::Response {
                status: s as u16,
                retry_after: self.retry_after.as_deref(),
                body: &self.body,
                replayed: self.replayed,
            },
            _ => Answer::NoResponse {
                kind: if self.timeout {
                    TransportError::Timeout
                } else {
                    TransportError::Connection
                },
                code: self.code.as_deref(),
            },
        }
    }
}

#[wasm_bindgen]
impl Run {
    /// Checks the plan (throws `INVALID_OPTIONS` naming the field) and every item (an
    /// invalid item settles at once, nothing sent for it). Runs given the same `pacers` keep
    /// the rate limit of a credential key together.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "RunPlan")] plan: JsValue,
        pacers: &Pacers,
    ) -> Result<Run, JsValue> {
        const CONTEXT: &str = "new Run";
        if !plan.is_object() {
            return Err(js_error(invalid_options(
                CONTEXT,
                "the plan must be an object { credentials, jobs, ... }",
            )));
        }
        let text = json_text(&plan, CONTEXT).map_err(js_error)?;
        let tree: Loose<'_> = parse(&text, CONTEXT).map_err(js_error)?;
        let parts = RunPlan(&tree).into_parts().map_err(js_error)?;
        let book = pacers.book.clone();
        let operation = CallOperation::of(parts.operation, parts.keys);
        let inner = engine::Run::new(
            operation,
            parts.settings,
            parts.credentials,
            parts.options,
            parts.jobs,
            book,
        )
        .map_err(js_error)?;
        Ok(Run { inner })
    }

    /// What to do at `nowMs`: `{kind: 'send', ticket, index, credential, via, request,
    /// timeoutMs}`, `{kind: 'wait', untilMs}`, `{kind: 'idle'}` or `{kind: 'done'}`.
    #[wasm_bindgen(unchecked_return_type = "RunStep")]
    pub fn poll(&mut self, #[wasm_bindgen(js_name = nowMs)] now_ms: f64) -> JsValue {
        let step = self.inner.poll(now_ms);
        let view = match &step {
            Step::Send(s) => StepView::Send {
                ticket: s.ticket,
                index: s.index,
                credential: s.credential,
                via: s.via,
                request: &s.request,
                timeout_ms: s.timeout_ms,
            },
            Step::Wait { until_ms } => StepView::Wait {
                until_ms: *until_ms,
            },
            Step::Idle => StepView::Idle,
            Step::Done => StepView::Done,
        };
        to_js(&view)
    }

    /// The answer to `ticket`: `{statusCode, retryAfter?, body}` or `{transportError:
    /// 'timeout' | 'connection', errorCode?}`. Throws for a ticket not in flight.
    pub fn respond(
        &mut self,
        ticket: u32,
        #[wasm_bindgen(unchecked_param_type = "RunAnswer")] answer: JsValue,
        #[wasm_bindgen(js_name = nowMs)] now_ms: f64,
    ) -> Result<(), JsValue> {
        let parts = AnswerParts::read(&answer);
        let answer = parts.answer();
        self.inner
            .respond(ticket, &answer, now_ms)
            .map_err(js_error)
    }

    /// The items that got their final outcome since the last call, for progress:
    /// `[{index, outcome, succeeded}]`.
    #[wasm_bindgen(unchecked_return_type = "RunSettled[]")]
    pub fn settled(&mut self) -> JsValue {
        #[derive(Serialize)]
        struct Settled {
            index: usize,
            outcome: &'static str,
            succeeded: bool,
        }
        let list: Vec<Settled> = self
            .inner
            .take_settled()
            .into_iter()
            .map(|(index, outcome, succeeded)| Settled {
                index,
                outcome,
                succeeded,
            })
            .collect();
        to_js(&list)
    }

    /// Stop: nothing more is sent; requests in flight are given up.
    pub fn abort(&mut self, #[wasm_bindgen(js_name = nowMs)] now_ms: f64) {
        self.inner.abort(now_ms);
    }

    /// Every item's output in input order, the run's failure (if it stopped at one), and
    /// counts.
    #[wasm_bindgen(unchecked_return_type = "RunReport")]
    pub fn report(&self) -> JsValue {
        to_js(&self.inner.report())
    }
}
