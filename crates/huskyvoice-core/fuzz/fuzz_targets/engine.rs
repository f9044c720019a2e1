//! The run engine fed arbitrary answers, times and orders: it never panics, never has more in
//! flight than its concurrency, never sends a job more often than Max Attempts, and every job
//! ends with exactly one output that says `cancelled` only when an answer said so.
#![no_main]
use huskyvoice_core::engine::{
    Answer, CancelCall, Credential, JobOptions, JobSpec, Limit, PacerBook, Run, RunSettings, Step,
};
use huskyvoice_core::{TransportError, Via};
use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;
use std::rc::Rc;

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let jobs = usize::from(head % 12) + 1;
    let concurrency = u32::from(head >> 4) % 4 + 1;
    let settings = RunSettings {
        concurrency,
        limit: (head & 8 != 0).then_some(Limit {
            requests: 3,
            window_ms: 1000,
        }),
        stop_on_failure: head & 4 != 0,
        seed: u64::from(head),
    };
    let options = JobOptions {
        max_attempts: 3,
        ..JobOptions::default()
    };
    let specs: Vec<JobSpec<'static>> = (0..jobs)
        .map(|i| JobSpec::call(format!("call_{i}")))
        .collect();
    let credential = Credential {
        key: "k".into(),
        via: if head & 2 == 0 {
            Via::Rest
        } else {
            Via::Webhook
        },
        api_key: Some("sk_test_fuzz_key".into()),
        webhook: Some("tok_fuzz".into()),
        base_url: None,
        authorize: true,
    };
    let book = Rc::new(RefCell::new(PacerBook::default()));
    let Ok(mut run) = Run::new(
        CancelCall,
        settings,
        vec![credential],
        vec![options],
        specs,
        book,
    ) else {
        return;
    };
    let mut now = 0.0f64;
    let mut in_flight: Vec<u32> = Vec::new();
    let mut sent = vec![0u32; jobs];
    // Each chunk: a time step, which answer to give, and the answer's status and body.
    for chunk in rest.chunks(6) {
        now += f64::from(chunk[0]) * 37.0;
        if let Step::Send(s) = run.poll(now) {
            in_flight.push(s.ticket);
            sent[s.index] += 1;
            assert!(sent[s.index] <= 3, "more requests than Max Attempts");
            assert!(
                in_flight.len() <= concurrency as usize,
                "more in flight than allowed"
            );
            continue;
        }
        if in_flight.is_empty() {
            continue;
        }
        let pick = usize::from(*chunk.get(1).unwrap_or(&0)) % in_flight.len();
        let ticket = in_flight.swap_remove(pick);
        let status =
            u16::from_le_bytes([*chunk.get(2).unwrap_or(&0), *chunk.get(3).unwrap_or(&0)]) % 700;
        let body_bytes = chunk.get(4..).unwrap_or(&[]);
        let body = match body_bytes.first().copied().unwrap_or(0) % 4 {
            0 => r#"{"status":"cancelled"}"#.to_string(),
            1 => r#"{"error":{"code":"RATE_LIMIT_EXCEEDED"}}"#.to_string(),
            2 => r#"{"error":{"status":"ringing"}}"#.to_string(),
            _ => String::from_utf8_lossy(body_bytes).into_owned(),
        };
        let answer = if status < 100 {
            Answer::NoResponse {
                kind: TransportError::Timeout,
                code: None,
            }
        } else {
            Answer::Response {
                status,
                retry_after: Some("1"),
                body: &body, replayed: false,
            }
        };
        run.respond(ticket, &answer, now)
            .expect("a ticket in flight");
    }
    run.abort(now);
    let report = run.report();
    assert_eq!(report.items.len(), jobs);
    for item in &report.items {
        if item.succeeded {
            assert_eq!(item.outcome, "cancelled");
        }
    }
});
