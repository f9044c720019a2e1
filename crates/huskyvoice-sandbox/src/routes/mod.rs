//! The HuskyVoice endpoints. Every request here is counted, logged, delayed by the global
//! latency and offered to the fault rules, then checked against the documented limits,
//! before it reaches its handler (and a `drop_after` fault discards the handler's answer).

mod calls;
mod cancel;
mod hooks;
mod limits;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::http::request::Parts;
use hyper::{Method, Request};

use crate::admin;
use crate::app::App;
use crate::auth::KeyCheck;
use crate::faults::FaultAction;
use crate::http::{self, Dropped, Resp};

pub async fn handle(
    app: Arc<App>,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Result<Resp, Dropped> {
    let path = req.uri().path();
    if path == "/__sandbox" || path.starts_with("/__sandbox/") {
        return Ok(admin::handle(&app, peer, req).await);
    }
    huskyvoice(&app, req).await
}

async fn huskyvoice(app: &App, req: Request<Incoming>) -> Result<Resp, Dropped> {
    let _in_flight = app.stats.enter();
    let at_ms = app.elapsed_ms();
    let (parts, body) = req.into_parts();
    let body = match http::read_body(body).await {
        Ok(body) => body,
        Err(response) => return Ok(response),
    };
    app.log
        .record(at_ms, &parts.method, &parts.uri, &parts.headers, &body);

    sleep_ms(app.latency_ms()).await;
    // `drop_after` lets the request through and waits its delay after the handler instead.
    let mut drop_after = None;
    if let Some(fired) = app.faults.take(&parts.method, parts.uri.path()) {
        match fired.action {
            FaultAction::DropAfter => drop_after = Some(fired.delay_ms),
            FaultAction::Drop => {
                sleep_ms(fired.delay_ms).await;
                return Err(Dropped);
            }
            FaultAction::Respond(response) => {
                sleep_ms(fired.delay_ms).await;
                return Ok(response);
            }
            FaultAction::Continue => sleep_ms(fired.delay_ms).await,
        }
    }
    let response = match limits::check(app, &parts) {
        Some(refused) => refused,
        None => route(app, &parts, &body),
    };
    match drop_after {
        // The request took effect; its answer is lost on the way back.
        Some(delay_ms) => {
            drop(response);
            sleep_ms(delay_ms).await;
            Err(Dropped)
        }
        None => Ok(response),
    }
}

/// The answer for a key that may not use the endpoint, or None if it may.
pub(crate) fn refused(check: KeyCheck, scope: &str) -> Option<Resp> {
    match check {
        KeyCheck::Allowed => None,
        KeyCheck::Unauthorized => Some(http::unauthorized("Missing or invalid API key.")),
        KeyCheck::Conflicting => Some(http::unauthorized(
            "Authorization and x-api-key carry different API keys.",
        )),
        KeyCheck::Forbidden => Some(http::forbidden(scope)),
    }
}

async fn sleep_ms(ms: u64) {
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

fn route(app: &App, parts: &Parts, body: &Bytes) -> Resp {
    let Some(rest) = parts.uri.path().strip_prefix("/v1/") else {
        return http::not_found_path();
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let method = &parts.method;
    match segments.as_slice() {
        ["calls"] if method == Method::POST => calls::create(app, parts, body),
        ["calls"] => http::method_not_allowed("POST"),
        ["calls", id] if method == Method::GET => calls::get(app, parts, id),
        ["calls", id] if method == Method::DELETE => calls::delete(app, parts, id),
        ["calls", _] => http::method_not_allowed("GET, DELETE"),
        ["calls", id, "cancel"] if method == Method::POST => cancel::rest(app, parts, id),
        ["calls", _, "cancel"] => http::method_not_allowed("POST"),
        ["hooks", token] if method == Method::POST => hooks::handle(app, parts, token, body),
        ["hooks", _] => http::method_not_allowed("POST"),
        _ => http::not_found_path(),
    }
}
