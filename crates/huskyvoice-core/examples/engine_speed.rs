//! The run engine's own cost per job, natively: 100,000 cancels through `poll` and `respond`
//! with every answer a 200 "cancelled", no pacing, concurrency 20, then `report`. Fastest of
//! five runs. `cargo run --release -p huskyvoice-core --example engine_speed [-- --json]`.
use huskyvoice_core::engine::{
    Answer, CancelCall, Credential, JobOptions, JobSpec, PacerBook, Run, RunSettings, Step,
};
use huskyvoice_core::Via;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

const BODY: &str =
    r#"{"success":true,"status":"cancelled","message":"Call has been successfully cancelled."}"#;

fn one_run(n: usize) -> (f64, f64, usize) {
    let jobs: Vec<JobSpec<'static>> = (0..n).map(|i| JobSpec::call(format!("call_{i}"))).collect();
    let credential = Credential {
        key: "bench".into(),
        via: Via::Rest,
        api_key: Some("sk_test_bench_key".into()),
        webhook: None,
        base_url: Some("http://127.0.0.1:4010".into()),
        authorize: true,
    };
    let settings = RunSettings {
        concurrency: 20,
        limit: None,
        stop_on_failure: false,
        seed: 1,
    };
    let start = Instant::now();
    let book = Rc::new(RefCell::new(PacerBook::default()));
    let mut run = Run::new(
        CancelCall,
        settings,
        vec![credential],
        vec![JobOptions::default()],
        jobs,
        book,
    )
    .expect("valid run");
    let mut in_flight = Vec::new();
    loop {
        match run.poll(0.0) {
            Step::Send(s) => in_flight.push(s.ticket),
            Step::Done => break,
            _ => {
                for t in in_flight.drain(..) {
                    let answer = Answer::Response {
                        status: 200,
                        retry_after: None,
                        body: BODY,
                        replayed: false,
                    };
                    run.respond(t, &answer, 0.0).expect("in flight");
                }
            }
        }
    }
    let driven = start.elapsed().as_secs_f64();
    let report = run.report();
    let total = start.elapsed().as_secs_f64();
    (driven, total, report.summary.succeeded)
}

fn main() {
    let n = 100_000;
    let mut best = (f64::MAX, f64::MAX);
    let mut cancelled = 0;
    for _ in 0..5 {
        let (driven, total, c) = one_run(n);
        best = (best.0.min(driven), best.1.min(total));
        cancelled = c;
    }
    let per_job = best.0 * 1e6 / n as f64;
    let with_report = best.1 * 1e6 / n as f64;
    if std::env::args().any(|a| a == "--json") {
        println!("{{\"jobs\":{n},\"perJobMicros\":{per_job:.3},\"perJobWithReportMicros\":{with_report:.3},\"cancelled\":{cancelled}}}");
    } else {
        println!("engine, native: {per_job:.3} µs per job (poll + build + respond + interpret), {with_report:.3} µs with the report ({cancelled} of {n} cancelled)");
    }
}
