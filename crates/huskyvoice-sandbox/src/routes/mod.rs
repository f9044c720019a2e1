//! The HuskyVoice endpoints. Every request here is counted, logged, delayed by the global
//! latency and offered to the fault rules, then checked against the documented limits,
//! before it reaches its handler.

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
    if let Some(fired) = app.faults.take(&parts.method, parts.uri.path()) {
        sleep_ms(fired.delay_ms).await;
        match fired.action {
            FaultAction::Drop => return Err(Dropped),
            FaultAction::Respond(response) => return Ok(response),
            FaultAction::Continue => {}
        }
    }
    if let Some(refused) = limits::check(app, &parts) {
        return Ok(refused);
    }
    Ok(route(app, &parts, &body))
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
        ["calls", _] => http::method_not_allowed("GET"),
        ["calls", id, "cancel"] if method == Method::POST => cancel::rest(app, parts, id),
        ["calls", _, "cancel"] => http::method_not_allowed("POST"),
        ["hooks", token] if method == Method::POST => hooks::handle(app, token, body),
        ["hooks", _] => http::method_not_allowed("POST"),
        _ => http::not_found_path(),
    }
}
