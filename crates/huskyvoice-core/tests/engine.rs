//! The run engine in virtual time against a simulated HuskyVoice (tests/sim): pacing to the
//! documented limit, sharing a key with another client, quotas, stopping, aborting, and
//! property tests over random fault schedules.

mod sim;

use huskyvoice_core::engine::{JobOptions, Limit, Report, RunSettings, DOCUMENTED_LIMIT};
use proptest::prelude::*;
use sim::{jobs, limit, most_in_window, Fault, Sim, World};
use std::collections::HashMap;

fn settings(limit: Option<Limit>, stop_on_failure: bool) -> RunSettings {
    RunSettings {
        concurrency: 5,
        limit,
        stop_on_failure,
        seed: 7,
    }
}

/// The least time `n` requests take under "at most `per` in any `window_ms`": the last
/// batch starts `(n - 1) / per` windows after the first.
fn minimum_ms(n: u64, per: u64, window_ms: u64) -> u64 {
    (n - 1) / per * window_ms
}

/// `n` cancels at the node's defaults (the documented limit, continue on failure) in `world`.
fn at_documented_limit(world: World, n: usize) -> (Sim, Report) {
    let mut sim = Sim::new(world);
    let report = sim.run(
        settings(Some(DOCUMENTED_LIMIT), false),
        JobOptions::default(),
        jobs(n),
        None,
    );
    (sim, report)
}

#[test]
fn ten_thousand_cancels_at_60_per_minute_never_see_a_429_and_take_the_minimum_time() {
    let world = World {
        server_limit: Some((60, 60_000)),
        latency_ms: (10, 60),
        ..World::default()
    };
    let (sim, report) = at_documented_limit(world, 10_000);
    assert_eq!(report.summary.succeeded, 10_000);
    assert_eq!(sim.trace.rate_limited, 0, "the server never had to refuse");
    assert_eq!(report.summary.requests, 10_000, "one request per call");
    let min = minimum_ms(10_000, 60, 60_000);
    let took = sim.trace.end_ms;
    assert!(took >= min, "faster than the window allows: {took} < {min}");
    assert!(
        took as f64 <= min as f64 * 1.01,
        "{took} ms is more than 1 % over the minimum {min} ms"
    );
    let sends: Vec<u64> = sim.trace.sends.iter().map(|(t, _)| *t).collect();
    assert!(most_in_window(&sends, 60_000) <= 60);
    println!(
        "10,000 cancels at 60/min: {:.1} s, minimum {:.1} s (+{:.3} %)",
        took as f64 / 1000.0,
        min as f64 / 1000.0,
        (took as f64 / min as f64 - 1.0) * 100.0
    );
}

#[test]
fn a_server_whose_clock_runs_slow_still_never_refuses() {
    // Answers at once (0-1 ms each way) and a server clock 900 ppm slow: a slot reused
    // exactly one window after its answer would land inside the server's window.
    let world = World {
        server_limit: Some((60, 60_000)),
        latency_ms: (0, 1),
        server_clock_slow_ppm: 900,
        ..World::default()
    };
    let (sim, report) = at_documented_limit(world, 600);
    assert_eq!(report.summary.succeeded, 600);
    assert_eq!(sim.trace.rate_limited, 0, "the server never had to refuse");
    let min = minimum_ms(600, 60, 60_000);
    assert!(
        sim.trace.end_ms as f64 <= min as f64 * 1.01,
        "{} ms",
        sim.trace.end_ms
    );
}

#[test]
fn a_short_list_goes_out_at_once() {
    let (sim, report) = at_documented_limit(
        World {
            server_limit: Some((60, 60_000)),
            ..World::default()
        },
        40,
    );
    assert_eq!(report.summary.succeeded, 40);
    assert!(
        sim.trace.end_ms < 2_000,
        "40 calls need no wait: {} ms",
        sim.trace.end_ms
    );
}

#[test]
fn another_client_on_the_same_key_costs_429s_but_no_call() {
    // The other client takes 20 of the 60 slots at the start of every minute, so the server
    // sees more than this client sent; its pacer keeps 60/min and must recover from 429s.
    let world = World {
        server_limit: Some((60, 60_000)),
        competitor: Some((20, 60_000)),
        ..World::default()
    };
    let (sim, report) = at_documented_limit(world, 600);
    assert_eq!(report.summary.succeeded, 600, "{:?}", report.summary);
    assert!(
        sim.trace.rate_limited > 0,
        "the shared key must have been refused"
    );
    for item in &report.items {
        assert!(item.attempts <= 3, "{item:?}");
    }
    println!(
        "shared key: 600 cancelled, {} 429s, {} retries, {:.0} s",
        sim.trace.rate_limited,
        report.summary.retries,
        sim.trace.end_ms as f64 / 1000.0
    );
}

#[test]
fn two_runs_sharing_a_pacer_book_keep_the_limit_together() {
    let mut sim = Sim::new(World {
        server_limit: Some((20, 2_000)),
        ..World::default()
    });
    let mut second = jobs(150);
    for (i, j) in second.iter_mut().enumerate() {
        j.input = huskyvoice_core::input::Loose::Str(format!("other_{i:04}").into());
    }
    let s = settings(limit(20, 2_000), false);
    let reports = sim.run_many(
        vec![
            (s, JobOptions::default(), jobs(150)),
            (s, JobOptions::default(), second),
        ],
        None,
    );
    for r in &reports {
        assert_eq!(r.summary.succeeded, 150);
    }
    assert_eq!(sim.trace.rate_limited, 0);
    let sends: Vec<u64> = sim.trace.sends.iter().map(|(t, _)| *t).collect();
    assert!(most_in_window(&sends, 2_000) <= 20);
    assert!(most_in_window(&sim.trace.accepted_arrivals, 2_000) <= 20);
}

#[test]
fn an_exhausted_quota_stops_the_credential_without_further_requests() {
    let mut sim = Sim::new(World {
        daily_quota: Some(30),
        ..World::default()
    });
    let report = sim.run(
        settings(None, false),
        JobOptions::default(),
        jobs(100),
        None,
    );
    assert_eq!(report.summary.succeeded, 30);
    let quota: Vec<_> = report
        .items
        .iter()
        .filter(|i| i.outcome == "quota_exceeded")
        .collect();
    assert_eq!(quota.len(), 70);
    assert!(quota.iter().all(|i| i.attempts <= 1 && i.error.is_some()));
    // Only requests already in flight when the first quota answer came can follow it.
    assert!(sim.trace.after_quota < 5, "{}", sim.trace.after_quota);
    assert!(report.summary.requests <= 35, "{}", report.summary.requests);
}

#[test]
fn the_first_failure_stops_the_run_and_the_report_says_what_was_done() {
    let mut sim = Sim::new(World {
        unknown: vec!["call_unknown".into()],
        ..World::default()
    });
    let mut list = jobs(50);
    list[10].input = huskyvoice_core::input::Loose::Str("call_unknown".into());
    let report = sim.run(settings(None, true), JobOptions::default(), list, None);
    let failure = report.failure.expect("the run fails");
    assert_eq!(failure.item_index, 10);
    assert_eq!(failure.outcome, "not_found");
    assert_eq!(failure.http_status, Some(404));
    assert!(
        failure.description.contains("Before the run stopped"),
        "{}",
        failure.description
    );
    let not_sent = report
        .items
        .iter()
        .filter(|i| i.outcome == "not_sent")
        .count();
    assert!(not_sent > 0 && not_sent == report.summary.not_sent);
    assert!(failure
        .description
        .contains(&format!("{not_sent} items were not sent")));
    // Items answered while the failure was in flight keep their outcomes.
    assert!(report.items[..10].iter().all(|i| i.succeeded));
}

#[test]
fn invalid_items_are_all_named_and_nothing_is_sent() {
    use huskyvoice_core::input::Loose;
    let mut sim = Sim::new(World::default());
    let mut list = jobs(5);
    list[1].input = Loose::Str("bad/one".into());
    list[3].input = Loose::Null;
    list[3].field = Some("call_id".into());
    list[4].input = Loose::Str("bad?two".into());
    let report = sim.run(settings(None, true), JobOptions::default(), list, None);
    assert!(sim.trace.sends.is_empty());
    let failure = report.failure.expect("fails");
    assert_eq!(
        failure.message,
        "3 of 5 items are invalid; nothing was sent to HuskyVoice"
    );
    assert_eq!(failure.item_index, 1);
    for (line, want) in failure
        .description
        .lines()
        .zip(["Item 2: ", "Item 4: ", "Item 5: "])
    {
        assert!(line.starts_with(want), "{line}");
    }
    assert!(
        failure
            .description
            .contains("\"call_id\" field is missing or null"),
        "{}",
        failure.description
    );
    assert_eq!(report.items[0].outcome, "not_sent");
}

#[test]
fn an_abort_reports_what_was_sent_and_what_was_not() {
    let mut sim = Sim::new(World {
        latency_ms: (200, 200),
        ..World::default()
    });
    let report = sim.run(
        settings(limit(10, 10_000), false),
        JobOptions::default(),
        jobs(40),
        Some(5_000),
    );
    assert!(report.aborted);
    let count = |o: &str| report.items.iter().filter(|i| i.outcome == o).count();
    assert_eq!(count("cancelled"), 10);
    assert_eq!(count("not_sent"), 30);
    assert!(
        report.done.contains("10 calls were cancelled"),
        "{}",
        report.done
    );
}

#[test]
fn pacing_waits_are_not_retry_waits() {
    // 500 items at 60/min take 8 minutes; Max Total Wait (30 s) must not cut them short.
    let mut sim = Sim::new(World {
        server_limit: Some((60, 60_000)),
        ..World::default()
    });
    let report = sim.run(
        settings(Some(DOCUMENTED_LIMIT), true),
        JobOptions::default(),
        jobs(500),
        None,
    );
    assert!(report.failure.is_none());
    assert_eq!(report.summary.succeeded, 500);
}

#[test]
fn calls_that_left_the_queue_are_not_cancellable_and_fail_only_when_asked() {
    let mut dialled = HashMap::new();
    dialled.insert("call_00002".to_string(), 0);
    let world = World {
        dialled_at: dialled,
        ..World::default()
    };
    let mut sim = Sim::new(world.clone());
    let report = sim.run(settings(None, true), JobOptions::default(), jobs(4), None);
    assert!(report.failure.is_none());
    assert_eq!(report.items[2].outcome, "not_cancellable");
    assert_eq!(report.items[2].call_status, Some("initiated"));
    assert!(report.items[2].error.is_none());
    let strict = JobOptions {
        fail_on_not_cancellable: true,
        ..JobOptions::default()
    };
    let report = Sim::new(world).run(settings(None, true), strict, jobs(4), None);
    assert_eq!(report.failure.expect("fails").item_index, 2);
}

fn fault_of(n: u32) -> Fault {
    match n % 4 {
        0 => Fault::None,
        1 => Fault::ServerError,
        2 => Fault::Drop,
        _ => Fault::Timeout,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_job_ends_once_and_no_rule_is_broken(
        n in 1usize..80,
        concurrency in 1u32..8,
        per in 1u32..12,
        window_ms in 200u64..3_000,
        faults in (0u32..250, 0u32..150, 0u32..60),
        max_attempts in 1u32..5,
        stop in any::<bool>(),
        seed in any::<u64>(),
        dialled in proptest::collection::vec((0usize..80, 0u64..5_000), 0..10),
        shared in any::<bool>(),
    ) {
        let _ = fault_of(0);
        let world = World {
            server_limit: Some((per, window_ms)),
            latency_ms: (1, 80),
            fault_per_mille: faults,
            competitor: shared.then_some((1, window_ms / 2 + 1)),
            dialled_at: dialled.iter().map(|(i, t)| (format!("call_{i:05}"), *t)).collect(),
            seed,
            ..World::default()
        };
        let options = JobOptions { max_attempts, timeout_ms: 30_000, ..JobOptions::default() };
        let settings = RunSettings { concurrency, limit: limit(per, window_ms), stop_on_failure: stop, seed };
        let mut sim = Sim::new(world);
        let report = sim.run(settings, options, jobs(n), None);

        // Every job has exactly one output, in order.
        prop_assert_eq!(report.items.len(), n);
        for (i, item) in report.items.iter().enumerate() {
            let id = format!("call_{i:05}");
            prop_assert_eq!(item.call_id.as_deref(), Some(id.as_str()));
            // Cancelled only when the server said so for this call.
            if item.succeeded {
                prop_assert!(sim.trace.confirmed.contains_key(&id), "{:?}", item);
            }
            // Never more requests for a job than Max Attempts.
            let sent = sim.trace.requests_per_call.get(&id).copied().unwrap_or(0);
            prop_assert!(sent <= max_attempts, "{} requests for {}", sent, id);
            prop_assert_eq!(sent, item.attempts);
            if !stop {
                prop_assert!(item.outcome != "not_sent");
            }
        }
        // Never more in flight than the concurrency (asserted per send by the driver too).
        prop_assert!(sim.trace.max_in_flight <= concurrency as usize);
        // Never more sends in any window than the pacer allows, and so never more arrivals.
        let sends: Vec<u64> = sim.trace.sends.iter().map(|(t, _)| *t).collect();
        prop_assert!(most_in_window(&sends, window_ms) <= per as usize);
        if !shared {
            prop_assert_eq!(sim.trace.rate_limited, 0);
        }
        prop_assert_eq!(report.failure.is_some(), stop && report.items.iter().any(|i| i.error.is_some()));
    }
}

mod direct {
    //! The engine driven by hand, step by step.
    use super::sim::{jobs, rest_credential};
    use huskyvoice_core::engine::{
        Answer, CancelCall, Credential, JobOptions, PacerBook, Run, RunSettings, Step,
    };
    use huskyvoice_core::Via;
    use std::cell::RefCell;
    use std::rc::Rc;

    fn run_of(
        n: usize,
        options: JobOptions,
        cred: Credential,
    ) -> (Run<CancelCall>, Rc<RefCell<PacerBook>>) {
        let book = Rc::new(RefCell::new(PacerBook::default()));
        let settings = RunSettings {
            concurrency: 2,
            limit: None,
            stop_on_failure: false,
            seed: 1,
        };
        let run = Run::new(
            CancelCall,
            settings,
            vec![cred],
            vec![options],
            jobs(n),
            book.clone(),
        )
        .unwrap();
        (run, book)
    }

    fn send(run: &mut Run<CancelCall>) -> u32 {
        match run.poll(0.0) {
            Step::Send(s) => s.ticket,
            other => panic!("expected a send, got {other:?}"),
        }
    }

    #[test]
    fn a_wrong_ticket_is_an_error_not_a_crash() {
        let (mut run, _) = run_of(1, JobOptions::default(), rest_credential());
        let t = send(&mut run);
        let ok = Answer::Response {
            status: 200,
            retry_after: None,
            body: r#"{"status":"cancelled"}"#,
            replayed: false,
        };
        assert!(run.respond(t + 1, &ok, 1.0).is_err());
        run.respond(t, &ok, 1.0).unwrap();
        assert!(run.respond(t, &ok, 2.0).is_err(), "answered twice");
        assert_eq!(run.poll(3.0), Step::Done);
        assert!(run.report().items[0].succeeded);
    }

    #[test]
    fn the_concurrency_cap_and_a_dropped_run_give_slots_back() {
        let (mut run, book) = run_of(5, JobOptions::default(), rest_credential());
        send(&mut run);
        send(&mut run);
        assert_eq!(run.poll(0.0), Step::Idle, "two in flight at concurrency 2");
        let pacer = book.borrow_mut().id("cred-1");
        assert_eq!(book.borrow().in_flight(pacer), 2);
        drop(run);
        assert_eq!(book.borrow().in_flight(pacer), 0);
    }

    #[test]
    fn a_dry_run_shows_the_redacted_request_and_sends_nothing() {
        let options = JobOptions {
            dry_run: true,
            ..JobOptions::default()
        };
        let mut cred = rest_credential();
        cred.authorize = false;
        let (mut run, _) = run_of(2, options, cred);
        assert_eq!(run.poll(0.0), Step::Done);
        let item = &run.report().items[0];
        assert_eq!(item.outcome, "dry_run");
        let request = item.request.as_ref().unwrap();
        let auth = request
            .headers
            .iter()
            .find(|(k, _)| *k == "Authorization")
            .unwrap();
        assert_eq!(auth.1, "Bearer sk_test_…(redacted)");
        assert!(item.message.contains("only the id's form was checked"));
    }

    #[test]
    fn a_bad_credential_settles_every_item_with_one_reason() {
        let cred = Credential {
            key: "w".into(),
            via: Via::Webhook,
            api_key: None,
            webhook: Some("https://api.huskyvoice.ai/v1/hooks/tok_1234567".into()),
            base_url: Some("http://127.0.0.1:4010".into()),
            authorize: false,
        };
        let book = Rc::new(RefCell::new(PacerBook::default()));
        let run = Run::new(
            CancelCall,
            RunSettings::default(),
            vec![cred],
            vec![JobOptions::default()],
            jobs(3),
            book,
        )
        .unwrap();
        let report = run.report();
        assert!(report
            .items
            .iter()
            .all(|i| i.outcome == "invalid_credential"));
        let failure = report.failure.unwrap();
        assert_eq!(
            failure.message,
            "3 of 3 items are invalid; nothing was sent to HuskyVoice"
        );
        assert!(
            failure
                .description
                .starts_with("Items 1, 2, 3: The inbound webhook credential cannot be used"),
            "{}",
            failure.description
        );
        assert!(!failure.description.contains("tok_1234567"));
    }

    #[test]
    fn bad_settings_are_refused_with_a_reason() {
        let book = Rc::new(RefCell::new(PacerBook::default()));
        let settings = RunSettings {
            concurrency: 0,
            ..RunSettings::default()
        };
        let e = Run::new(
            CancelCall,
            settings,
            vec![rest_credential()],
            vec![JobOptions::default()],
            jobs(1),
            book.clone(),
        )
        .unwrap_err();
        assert!(e.message.contains("concurrency"), "{}", e.message);
        let mut list = jobs(1);
        list[0].credential = 3;
        let e = Run::new(
            CancelCall,
            RunSettings::default(),
            vec![rest_credential()],
            vec![JobOptions::default()],
            list,
            book,
        )
        .unwrap_err();
        assert!(e.message.contains("credential 3"), "{}", e.message);
    }

    #[test]
    fn the_engine_runs_another_operation_with_the_same_retries() {
        let book = Rc::new(RefCell::new(PacerBook::default()));
        let settings = RunSettings {
            concurrency: 1,
            limit: None,
            stop_on_failure: false,
            seed: 1,
        };
        let mut run = Run::new(
            huskyvoice_core::engine::GetCall,
            settings,
            vec![rest_credential()],
            vec![JobOptions::default()],
            jobs(1),
            book,
        )
        .unwrap();
        let Step::Send(first) = run.poll(0.0) else {
            panic!("send")
        };
        assert_eq!(first.request.method, "GET");
        run.respond(
            first.ticket,
            &Answer::Response {
                status: 503,
                retry_after: None,
                body: "",
                replayed: false,
            },
            0.0,
        )
        .unwrap();
        let Step::Wait { until_ms } = run.poll(0.0) else {
            panic!("a backoff wait")
        };
        let Step::Send(second) = run.poll(until_ms as f64) else {
            panic!("the retry")
        };
        run.respond(
            second.ticket,
            &Answer::Response {
                status: 200,
                retry_after: None,
                body: r#"{"data":{"call_id":"call_00000","status":"ringing"}}"#,
                replayed: false,
            },
            until_ms as f64,
        )
        .unwrap();
        let report = run.report();
        assert_eq!(
            (
                report.items[0].outcome,
                report.items[0].attempts,
                report.items[0].call_status
            ),
            ("found", 2, Some("ringing"))
        );
    }
}

#[test]
fn items_settled_at_creation_are_reported_as_settled_once() {
    use huskyvoice_core::engine::{CancelCall, PacerBook, Run};
    use huskyvoice_core::input::Loose;
    use std::{cell::RefCell, rc::Rc};
    let mut list = jobs(3);
    list[1].input = Loose::Str("bad/one".into());
    let mut run = Run::new(
        CancelCall,
        settings(None, false),
        vec![sim::rest_credential()],
        vec![JobOptions::default()],
        list,
        Rc::new(RefCell::new(PacerBook::default())),
    )
    .expect("valid run");
    let first = run.take_settled();
    assert_eq!(first, vec![(1, "invalid_call_id", false)]);
    assert!(run.take_settled().is_empty(), "each item is reported once");
}
