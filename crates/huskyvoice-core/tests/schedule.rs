//! Schedule in virtual time against a simulated HuskyVoice that honours `Idempotency-Key` the
//! way API-CONTRACT §6 decides (same key and body: the first answer again; another body: 422)
//! and loses answers at random: after creating the call (the connection drops before the
//! answer), before the request arrives, or with a 503. Whatever is lost, every item must end
//! with exactly one call on the server, never two.

use huskyvoice_core::engine::{
    Answer, CallOperation, Credential, JobOptions, JobSpec, OperationKind, PacerBook, Report, Run,
    RunSettings, Step, DOCUMENTED_LIMIT,
};
use huskyvoice_core::idempotency::{KeysFrom, RunKeys};
use huskyvoice_core::input::Loose;
use huskyvoice_core::{TransportError, Via};
use proptest::prelude::*;
use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::rc::Rc;

/// What happens to each request, in 1/1000.
#[derive(Debug, Clone, Copy)]
struct Loss {
    /// Created, then the connection drops before the answer.
    after_create: u32,
    /// The connection fails before the server sees the request.
    before_arrival: u32,
    /// 503 without creating anything.
    server_error: u32,
}

#[derive(Default)]
struct Server {
    /// Idempotency-Key → (request body, the answer's body).
    keys: HashMap<String, (String, String)>,
    /// Calls created, by contact number (one person per item).
    created: HashMap<String, u32>,
    next_id: u32,
    window: VecDeque<u64>,
    limit: Option<(usize, u64)>,
    rate_limited: u32,
}

enum Reply {
    Answer {
        status: u16,
        body: String,
        replayed: bool,
        retry_after: Option<String>,
    },
    Lost(TransportError),
}

impl Server {
    fn create(&mut self, key: Option<&str>, body: &str, now: u64, lose_after: bool) -> Reply {
        if let Some((count, window)) = self.limit {
            while self.window.front().is_some_and(|&t| t + window <= now) {
                self.window.pop_front();
            }
            if self.window.len() >= count {
                self.rate_limited += 1;
                let wait = (self.window[0] + window - now).div_ceil(1000).max(1);
                return Reply::Answer {
                    status: 429,
                    body: r#"{"error":{"code":"RATE_LIMIT_EXCEEDED"}}"#.into(),
                    replayed: false,
                    retry_after: Some(wait.to_string()),
                };
            }
            self.window.push_back(now);
        }
        if let Some((first_body, answer)) = key.and_then(|k| self.keys.get(k)) {
            return if first_body == body {
                Reply::Answer {
                    status: 201,
                    body: answer.clone(),
                    replayed: true,
                    retry_after: None,
                }
            } else {
                Reply::Answer {
                    status: 422,
                    body: r#"{"error":{"code":"IDEMPOTENCY_KEY_REUSED"}}"#.into(),
                    replayed: false,
                    retry_after: None,
                }
            };
        }
        let parsed: serde_json::Value = serde_json::from_str(body).expect("the engine sends JSON");
        let number = parsed["contact_number"].as_str().unwrap_or("?").to_string();
        *self.created.entry(number.clone()).or_default() += 1;
        self.next_id += 1;
        let answer = format!(
            r#"{{"data":{{"call_id":"call_{:05}","status":"queued","contact_number":"{number}"}}}}"#,
            self.next_id
        );
        if let Some(k) = key {
            self.keys
                .insert(k.to_string(), (body.to_string(), answer.clone()));
        }
        if lose_after {
            return Reply::Lost(TransportError::Connection);
        }
        Reply::Answer {
            status: 201,
            body: answer,
            replayed: false,
            retry_after: None,
        }
    }
}

fn number(i: usize) -> String {
    format!("+9198{:08}", i)
}

/// Rows 0..n, in order.
fn rows(n: usize) -> Vec<usize> {
    (0..n).collect()
}

/// One create per row, to the row's number.
fn calls(rows: &[usize]) -> Vec<JobSpec<'static>> {
    rows.iter()
        .map(|&i| {
            let json = format!(r#"{{"agent_id":"agt_1","contact_number":"{}"}}"#, number(i));
            let input: Loose<'_> = serde_json::from_str(&json).expect("valid json");
            JobSpec {
                input: input.into_owned(),
                credential: 0,
                options: 0,
                field: None,
                problem: None,
            }
        })
        .collect()
}

fn credential() -> Credential {
    Credential {
        key: "k".into(),
        via: Via::Rest,
        api_key: Some("sk_test_sim_key_0001".into()),
        webhook: None,
        base_url: None,
        authorize: true,
    }
}

fn by_index(run_id: &str) -> Option<RunKeys> {
    Some(RunKeys::new(run_id, KeysFrom::Index))
}

/// Drives one run of creates (one per row) to its end in virtual time; returns the report,
/// the server and the virtual time taken.
fn simulate(
    rows: &[usize],
    loss: Loss,
    settings: RunSettings,
    options: JobOptions,
    server: &mut Server,
    keys: Option<RunKeys>,
    seed: u64,
) -> (Report, u64) {
    let op = CallOperation::of(OperationKind::Schedule, keys);
    let book = Rc::new(RefCell::new(PacerBook::default()));
    let mut run = Run::new(
        op,
        settings,
        vec![credential()],
        vec![options],
        calls(rows),
        book,
    )
    .expect("valid run");
    let mut rng = fastrand::Rng::with_seed(seed);
    // (time, seq, ticket, reply): answers arriving at the client.
    let mut answers: BinaryHeap<Reverse<(u64, u64, u32)>> = BinaryHeap::new();
    let mut replies: HashMap<u64, Reply> = HashMap::new();
    let mut seq = 0u64;
    let mut now = 0u64;
    loop {
        while let Some(&Reverse((t, s, ticket))) = answers.peek() {
            if t > now {
                break;
            }
            answers.pop();
            let reply = replies.remove(&s).expect("a reply per answer");
            let answer = match &reply {
                Reply::Answer {
                    status,
                    body,
                    replayed,
                    retry_after,
                } => Answer::Response {
                    status: *status,
                    retry_after: retry_after.as_deref(),
                    body,
                    replayed: *replayed,
                },
                Reply::Lost(kind) => Answer::NoResponse {
                    kind: *kind,
                    code: None,
                },
            };
            run.respond(ticket, &answer, now as f64).expect("in flight");
        }
        match run.poll(now as f64) {
            Step::Send(send) => {
                let key = send
                    .request
                    .headers
                    .iter()
                    .find(|(h, _)| *h == "Idempotency-Key")
                    .map(|(_, v)| v.clone());
                assert!(key.is_some(), "every create carries its key");
                let body = send.request.body.clone().unwrap_or_default();
                let latency = rng.u64(5..60);
                let roll = rng.u32(0..1000);
                let reply = if roll < loss.before_arrival {
                    Reply::Lost(TransportError::Connection)
                } else if roll < loss.before_arrival + loss.server_error {
                    Reply::Answer {
                        status: 503,
                        body: "<html>503</html>".into(),
                        replayed: false,
                        retry_after: None,
                    }
                } else {
                    let lose = roll < loss.before_arrival + loss.server_error + loss.after_create;
                    server.create(key.as_deref(), &body, now + latency / 2, lose)
                };
                seq += 1;
                replies.insert(seq, reply);
                answers.push(Reverse((now + latency, seq, send.ticket)));
            }
            Step::Wait { until_ms } => {
                let next = answers.peek().map_or(until_ms, |Reverse((t, _, _))| *t);
                now = until_ms.min(next).max(now + 1);
            }
            Step::Idle => {
                now = answers
                    .peek()
                    .map(|Reverse((t, _, _))| *t)
                    .expect("idle with nothing in flight");
            }
            Step::Done => return (run.report(), now),
        }
    }
}

fn settings(seed: u64) -> RunSettings {
    RunSettings {
        concurrency: 5,
        limit: None,
        stop_on_failure: false,
        seed,
    }
}

fn patient() -> JobOptions {
    JobOptions {
        max_attempts: 20,
        max_total_wait_ms: 600_000,
        ..JobOptions::default()
    }
}

#[test]
fn answers_lost_after_the_create_still_leave_exactly_one_call_per_item() {
    let loss = Loss {
        after_create: 300,
        before_arrival: 100,
        server_error: 100,
    };
    let mut server = Server::default();
    let (report, _) = simulate(
        &rows(500),
        loss,
        settings(3),
        patient(),
        &mut server,
        by_index("wf:1:S"),
        3,
    );
    assert_eq!(report.summary.succeeded, 500, "{:?}", report.summary);
    assert_eq!(server.created.len(), 500);
    assert!(server.created.values().all(|&c| c == 1), "a second call");
    let replayed = report
        .items
        .iter()
        .filter(|i| {
            i.fields
                .iter()
                .any(|(k, v)| *k == "replayed" && *v == Loose::Bool(true))
        })
        .count();
    assert!(
        replayed > 50,
        "lost answers were answered by their key: {replayed}"
    );
    eprintln!("500 creates, 30 % of answers lost after the create: 500 calls, each once; {replayed} answered from their key; {} requests", report.summary.requests);
    // Every item's output names the call the server made for it.
    let ids: std::collections::HashSet<_> =
        report.items.iter().map(|i| i.call_id.clone()).collect();
    assert_eq!(ids.len(), 500);
}

#[test]
fn a_rerun_of_the_same_items_with_the_same_scope_creates_nothing() {
    let loss = Loss {
        after_create: 200,
        before_arrival: 0,
        server_error: 0,
    };
    let mut server = Server::default();
    let few = JobOptions {
        max_attempts: 1,
        ..JobOptions::default()
    };
    // First run: one attempt each, so lost answers fail their items (as an execution that
    // failed would); the calls exist anyway.
    let (first, _) = simulate(
        &rows(200),
        loss,
        settings(1),
        few,
        &mut server,
        by_index("wf:9:S"),
        1,
    );
    assert!(first.summary.failed > 10, "{:?}", first.summary);
    // The retried execution: same scope, so the same keys; it creates no call at all.
    let none = Loss {
        after_create: 0,
        before_arrival: 0,
        server_error: 0,
    };
    let (again, _) = simulate(
        &rows(200),
        none,
        settings(2),
        few,
        &mut server,
        by_index("wf:9:S"),
        2,
    );
    assert_eq!(again.summary.succeeded, 200);
    assert!(server.created.values().all(|&c| c == 1));
    assert_eq!(server.created.len(), 200);
    // A different scope is a different run: its creates are new calls.
    let (_, _) = simulate(
        &rows(1),
        none,
        settings(3),
        few,
        &mut server,
        by_index("wf:10:S"),
        3,
    );
    assert_eq!(server.created[&number(0)], 2);
}

#[test]
fn content_keys_survive_a_rerun_with_rows_removed_and_reordered() {
    let loss = Loss {
        after_create: 300,
        before_arrival: 0,
        server_error: 0,
    };
    let none = Loss {
        after_create: 0,
        before_arrival: 0,
        server_error: 0,
    };
    let few = JobOptions {
        max_attempts: 1,
        ..JobOptions::default()
    };
    let content = || Some(RunKeys::new("calls.csv", KeysFrom::Content));
    let mut server = Server::default();
    // A file of 100 rows whose run fails part-way (answers lost, one attempt each).
    let (first, _) = simulate(
        &rows(100),
        loss,
        settings(5),
        few,
        &mut server,
        content(),
        5,
    );
    assert!(first.summary.failed > 10, "{:?}", first.summary);
    // The user drops the rows reported done, sorts the rest the other way, adds two rows and
    // runs the file again: the rows the server already has keep their keys (no second call),
    // the new rows are called once.
    let mut again: Vec<usize> = (0..100).rev().filter(|i| i % 3 != 0).collect();
    again.extend([100, 101]);
    let (second, _) = simulate(&again, none, settings(6), few, &mut server, content(), 6);
    assert_eq!(second.summary.succeeded, again.len());
    assert_eq!(server.created.len(), 102);
    assert!(server.created.values().all(|&c| c == 1), "a second call");
    // The same rerun keyed by index sends the moved rows under keys the first run used for
    // other calls: HuskyVoice refuses them (422), so the new rows are never called. Why files
    // use content keys.
    let mut by_place = Server::default();
    simulate(
        &rows(100),
        none,
        settings(7),
        few,
        &mut by_place,
        by_index("calls.csv"),
        7,
    );
    let (moved, _) = simulate(
        &again,
        none,
        settings(8),
        few,
        &mut by_place,
        by_index("calls.csv"),
        8,
    );
    assert!(moved.summary.failed > 60, "{:?}", moved.summary);
    assert!(!by_place.created.contains_key(&number(100)));
}

#[test]
fn two_hundred_creates_at_the_documented_limit_keep_its_pace_without_a_429() {
    let none = Loss {
        after_create: 0,
        before_arrival: 0,
        server_error: 0,
    };
    let mut server = Server {
        limit: Some((60, 60_000)),
        ..Server::default()
    };
    let s = RunSettings {
        limit: Some(DOCUMENTED_LIMIT),
        ..settings(4)
    };
    let (report, ms) = simulate(
        &rows(200),
        none,
        s,
        JobOptions::default(),
        &mut server,
        by_index("wf:2:S"),
        4,
    );
    assert_eq!(report.summary.succeeded, 200);
    assert_eq!(server.rate_limited, 0);
    // 200 requests at 60 per minute: the last batch starts 3 windows after the first.
    let minimum = 3 * 60_000;
    assert!(ms >= minimum, "{ms} ms: faster than the limit allows");
    let pace = minimum as f64 / ms as f64;
    eprintln!(
        "200 creates at 60/60 s: {ms} ms virtual, {:.1} % of the limit's pace, 0 429s",
        pace * 100.0
    );
    assert!(
        pace >= 0.95,
        "{ms} ms is {:.1} % of the limit's pace",
        pace * 100.0
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any mix of losses, any concurrency: never two calls for one item, and an item reported
    /// scheduled names the one call the server made for it.
    #[test]
    fn never_two_calls_for_one_item(
        n in 1usize..80,
        after in 0u32..600,
        before in 0u32..300,
        errors in 0u32..300,
        concurrency in 1u32..8,
        attempts in 1u32..6,
        seed in 0u64..10_000,
    ) {
        let loss = Loss { after_create: after, before_arrival: before, server_error: errors };
        let mut server = Server::default();
        let options = JobOptions { max_attempts: attempts, max_total_wait_ms: 120_000, ..JobOptions::default() };
        let s = RunSettings { concurrency, ..settings(seed) };
        let (report, _) = simulate(&rows(n), loss, s, options, &mut server, by_index("wf:p:S"), seed);
        prop_assert!(server.created.values().all(|&c| c == 1));
        for (i, item) in report.items.iter().enumerate() {
            if item.succeeded {
                prop_assert_eq!(server.created.get(&number(i)).copied(), Some(1));
                prop_assert!(item.call_id.is_some());
            }
            prop_assert!(item.attempts <= attempts);
        }
    }
}
