//! Binding, the accept loop, the state-advance timer and clean shutdown.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};

use crate::app::App;
use crate::cli::Options;
use crate::routes;
use crate::state::SeedCall;

/// How long in-flight requests get to finish after SIGINT/SIGTERM.
const GRACE: Duration = Duration::from_secs(2);

pub async fn run(options: Options, seed: Vec<SeedCall>) -> Result<(), String> {
    let shutdown =
        shutdown_signal().map_err(|err| format!("cannot install signal handlers: {err}"))?;
    let addr = SocketAddr::new(options.ip, options.port);
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|err| format!("cannot listen on {addr}: {err}"))?;
    let local = listener
        .local_addr()
        .map_err(|err| format!("cannot read the bound address: {err}"))?;
    let app = Arc::new(App::new(&options, seed));

    // Tests read this exact first line to learn the URL, so print it only once bound.
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{local}");
        let _ = out.flush();
    }

    if let Some(every_ms) = app.advance_every_ms() {
        tokio::spawn(advance(Arc::clone(&app), every_ms));
    }

    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => serve(stream, peer, Arc::clone(&app), &graceful),
                Err(err) => {
                    // Typically out of file descriptors under load: back off, don't spin.
                    eprintln!("huskyvoice-sandbox: accept failed: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            () = &mut shutdown => break,
        }
    }

    drop(listener);
    eprintln!("huskyvoice-sandbox: shutting down");
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(GRACE) => {}
    }
    Ok(())
}

fn serve(stream: TcpStream, peer: SocketAddr, app: Arc<App>, graceful: &GracefulShutdown) {
    // Small JSON answers must not wait for Nagle's algorithm.
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |req| routes::handle(Arc::clone(&app), peer, req));
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service);
    let connection = graceful.watch(connection);
    tokio::spawn(async move {
        // Errors here are the client going away or a `drop` fault: nothing to report.
        let _ = connection.await;
    });
}

async fn advance(app: Arc<App>, every_ms: u64) {
    let mut ticker = tokio::time::interval(Duration::from_millis(every_ms));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await; // the first tick fires at once
    loop {
        ticker.tick().await;
        app.advance();
    }
}

/// Installs the SIGINT/SIGTERM handlers at once (not on first poll), so a signal sent right
/// after the "listening on" line already means a clean shutdown rather than a kill.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
