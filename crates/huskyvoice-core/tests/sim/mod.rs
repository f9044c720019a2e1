//! A simulated HuskyVoice and a virtual-time driver for the run engine.
//!
//! The server keeps calls with states, enforces a sliding window per credential the way the
//! sandbox does (API-CONTRACT §5: arrivals counted, 429 with integer `Retry-After`), a daily
//! quota, latency, injected faults and other clients that share the key. The driver is the
//! loop the JS driver runs, in virtual time: every request is an arrival event and an answer
//! event on one clock, so what the server sees can be checked exactly.

#![allow(dead_code)]

use huskyvoice_core::engine::{
    Answer, CancelCall, Credential, JobOptions, JobSpec, Limit, Operation, PacerBook, Report, Run,
    RunSettings, Step,
};
use huskyvoice_core::input::Loose;
use huskyvoice_core::{TransportError, Via};
use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::rc::Rc;

pub const KEY: &str = "sk_test_sim_key_0001";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    ServerError,
    Drop,
    Timeout,
}

/// How the server answers, and what else happens to it.
#[derive(Debug, Clone)]
pub struct World {
    /// Server-side window per credential: at most `count` arrivals in `window_ms`.
    pub server_limit: Option<(u32, u64)>,
    /// Organisation-wide accepted requests before every answer is `QUOTA_EXCEEDED`.
    pub daily_quota: Option<u32>,
    /// One-way latency range (ms), drawn per request.
    pub latency_ms: (u64, u64),
    /// Per-request fault probabilities (server error, dropped connection, timeout), in 1/1000.
    pub fault_per_mille: (u32, u32, u32),
    /// Another client sends `burst` requests with the same key every `every_ms`, from 0.
    pub competitor: Option<(u32, u64)>,
    /// Call ids this client will ask for that the server does not know.
    pub unknown: Vec<String>,
    /// The server's clock runs this many parts per million slower than the client's, so it
    /// measures every gap a little shorter (two NTP-disciplined machines: up to 1000 ppm).
    pub server_clock_slow_ppm: u64,
    /// Calls leave `queued` (to `initiated`) at this time, by call id.
    pub dialled_at: HashMap<String, u64>,
    pub seed: u64,
}

impl Default for World {
    fn default() -> Self {
        World {
            server_limit: None,
            daily_quota: None,
            latency_ms: (5, 40),
            fault_per_mille: (0, 0, 0),
            competitor: None,
            unknown: Vec::new(),
            server_clock_slow_ppm: 0,
            dialled_at: HashMap::new(),
            seed: 1,
        }
    }
}

/// What happened on the wire, for assertions.
#[derive(Debug, Default)]
pub struct Trace {
    /// (send time, call id) of every request this client sent.
    pub sends: Vec<(u64, String)>,
    /// Arrival times of every request (this client and others) the server accepted past its
    /// rate limit, per credential.
    pub accepted_arrivals: Vec<u64>,
    /// 429 RATE_LIMIT_EXCEEDED answers the server gave this client.
    pub rate_limited: u32,
    pub quota_answers: u32,
    /// Requests that arrived after the first quota answer was given.
    pub after_quota: u32,
    pub max_in_flight: usize,
    /// Calls the server answered "cancelled" for.
    pub confirmed: HashMap<String, u32>,
    pub requests_per_call: HashMap<String, u32>,
    pub end_ms: u64,
}

#[derive(Debug)]
enum Event {
    Arrival { ticket: u32, call_id: String },
    Answer { ticket: u32, answer: Owned },
    Competitor,
}

#[derive(Debug, Clone)]
pub enum Owned {
    Response {
        status: u16,
        retry_after: Option<String>,
        body: String,
    },
    NoResponse(TransportError),
}

impl Owned {
    fn borrow(&self) -> Answer<'_> {
        match self {
            Owned::Response {
                status,
                retry_after,
                body,
            } => Answer::Response {
                status: *status,
                retry_after: retry_after.as_deref(),
                body,
                replayed: false,
            },
            Owned::NoResponse(kind) => Answer::NoResponse {
                kind: *kind,
                code: None,
            },
        }
    }
}

struct Server {
    world: World,
    states: HashMap<String, &'static str>,
    window: VecDeque<u64>,
    accepted_total: u32,
    rng: fastrand::Rng,
    quota_given: bool,
}

impl Server {
    fn state(&self, id: &str, now: u64) -> Option<&'static str> {
        let st = *self.states.get(id)?;
        if st == "queued" && self.world.dialled_at.get(id).is_some_and(|&t| now >= t) {
            return Some("initiated");
        }
        Some(st)
    }

    /// Admission at `now`: the rate limit and the quota, as the sandbox checks them.
    fn admit(&mut self, now: u64, trace: &mut Trace) -> Result<(), Owned> {
        // The server's reading of the shared clock, in whole ms.
        let now = now - now * self.world.server_clock_slow_ppm / 1_000_000;
        if let Some((count, window)) = self.world.server_limit {
            while self.window.front().is_some_and(|&t| t + window <= now) {
                self.window.pop_front();
            }
            if self.window.len() as u32 >= count {
                let oldest = self.window.front().copied().unwrap_or(now);
                let secs = (oldest + window - now).div_ceil(1000).max(1);
                return Err(Owned::Response {
                    status: 429,
                    retry_after: Some(secs.to_string()),
                    body: r#"{"success":false,"error":{"code":"RATE_LIMIT_EXCEEDED","message":"Rate limit exceeded."}}"#.into(),
                });
            }
            self.window.push_back(now);
        }
        trace.accepted_arrivals.push(now);
        if let Some(q) = self.world.daily_quota {
            if self.accepted_total >= q {
                self.quota_given = true;
                return Err(Owned::Response {
                    status: 429,
                    retry_after: Some("43200".into()),
                    body: r#"{"success":false,"error":{"code":"QUOTA_EXCEEDED","message":"Daily request quota exhausted."}}"#.into(),
                });
            }
        }
        self.accepted_total += 1;
        Ok(())
    }

    fn cancel(&mut self, id: &str, now: u64, trace: &mut Trace) -> Owned {
        let roll = self.rng.u32(0..1000);
        let (e, d, t) = self.world.fault_per_mille;
        if roll < e {
            return Owned::Response {
                status: 503,
                retry_after: None,
                body: "<html>503</html>".into(),
            };
        }
        if roll < e + d {
            return Owned::NoResponse(TransportError::Connection);
        }
        if roll < e + d + t {
            return Owned::NoResponse(TransportError::Timeout);
        }
        match self.state(id, now) {
            None => Owned::Response {
                status: 404,
                retry_after: None,
                body:
                    r#"{"success":false,"error":{"code":"NOT_FOUND","message":"Call not found."}}"#
                        .into(),
            },
            Some("queued") | Some("cancelled") => {
                self.states.insert(id.to_string(), "cancelled");
                *trace.confirmed.entry(id.to_string()).or_default() += 1;
                Owned::Response {
                    status: 200,
                    retry_after: None,
                    body: format!(
                        r#"{{"success":true,"call_id":"{id}","status":"cancelled","message":"Call has been successfully cancelled."}}"#
                    ),
                }
            }
            Some(state) => Owned::Response {
                status: 409,
                retry_after: None,
                body: format!(
                    r#"{{"success":false,"error":{{"code":"CALL_NOT_CANCELLABLE","message":"no","status":"{state}"}}}}"#
                ),
            },
        }
    }
}

/// `n` jobs cancelling `call_0000` .. through one REST credential with default options.
pub fn jobs(n: usize) -> Vec<JobSpec<'static>> {
    (0..n)
        .map(|i| JobSpec::call(format!("call_{i:05}")))
        .collect()
}

pub fn rest_credential() -> Credential {
    Credential {
        key: "cred-1".into(),
        via: Via::Rest,
        api_key: Some(KEY.into()),
        webhook: None,
        base_url: Some("https://api.huskyvoice.ai".into()),
        authorize: true,
    }
}

pub fn limit(requests: u32, window_ms: u64) -> Option<Limit> {
    Some(Limit {
        requests,
        window_ms,
    })
}

/// One or more runs over one simulated server and one clock. Each run's calls are seeded
/// `queued` unless `world.dialled_at` moves them on.
pub struct Sim {
    pub world: World,
    pub trace: Trace,
    pub book: Rc<RefCell<PacerBook>>,
}

impl Sim {
    pub fn new(world: World) -> Self {
        Sim {
            world,
            trace: Trace::default(),
            book: Rc::new(RefCell::new(PacerBook::default())),
        }
    }

    /// Runs one run of `jobs` to completion, or aborts it at `abort_at`; returns the report.
    pub fn run(
        &mut self,
        settings: RunSettings,
        options: JobOptions,
        jobs: Vec<JobSpec<'static>>,
        abort_at: Option<u64>,
    ) -> Report {
        let runs = vec![(settings, options, jobs)];
        self.run_many(runs, abort_at).pop().expect("one report")
    }

    /// Several runs at once on the same credential key, sharing the pacer book.
    pub fn run_many(
        &mut self,
        runs: Vec<(RunSettings, JobOptions, Vec<JobSpec<'static>>)>,
        abort_at: Option<u64>,
    ) -> Vec<Report> {
        let mut server = Server {
            world: self.world.clone(),
            states: HashMap::new(),
            window: VecDeque::new(),
            accepted_total: 0,
            rng: fastrand::Rng::with_seed(self.world.seed),
            quota_given: false,
        };
        let mut rng = fastrand::Rng::with_seed(self.world.seed ^ 0x5eed);
        let mut engines = Vec::new();
        for (settings, options, jobs) in runs {
            for j in &jobs {
                if let Loose::Str(id) = &j.input {
                    if !self.world.unknown.iter().any(|u| u == id.as_ref()) {
                        server.states.insert(id.to_string(), "queued");
                    }
                }
            }
            let run = Run::new(
                CancelCall,
                settings,
                vec![rest_credential()],
                vec![options],
                jobs,
                self.book.clone(),
            )
            .expect("valid run");
            engines.push((run, settings.concurrency as usize));
        }
        // (time, sequence) orders events; the run index says whose answer it is.
        let mut events: BinaryHeap<Reverse<(u64, u64, usize, EventBox)>> = BinaryHeap::new();
        let mut seq = 0u64;
        let mut push = |events: &mut BinaryHeap<_>, t: u64, r: usize, e: Event| {
            seq += 1;
            events.push(Reverse((t, seq, r, EventBox(e))));
        };
        if self.world.competitor.is_some() {
            push(&mut events, 0, usize::MAX, Event::Competitor);
        }
        let mut now = 0u64;
        let mut done = vec![false; engines.len()];
        let mut in_flight = vec![0usize; engines.len()];
        let mut wake = vec![0u64; engines.len()];
        loop {
            if abort_at.is_some_and(|t| now >= t) {
                for (run, _) in &mut engines {
                    run.abort(now as f64);
                }
                break;
            }
            // Let every run act at `now` until each waits.
            for (r, (run, concurrency)) in engines.iter_mut().enumerate() {
                if done[r] || wake[r] > now {
                    continue;
                }
                loop {
                    match run.poll(now as f64) {
                        Step::Send(send) => {
                            in_flight[r] += 1;
                            assert!(
                                in_flight[r] <= *concurrency,
                                "more in flight than the concurrency"
                            );
                            self.trace.max_in_flight = self.trace.max_in_flight.max(in_flight[r]);
                            let id = call_id_of(&send.request.url);
                            self.trace.sends.push((now, id.clone()));
                            *self.trace.requests_per_call.entry(id.clone()).or_default() += 1;
                            let up = rng.u64(self.world.latency_ms.0..=self.world.latency_ms.1);
                            push(
                                &mut events,
                                now + up,
                                r,
                                Event::Arrival {
                                    ticket: send.ticket,
                                    call_id: id,
                                },
                            );
                        }
                        Step::Wait { until_ms } => {
                            assert!(until_ms > now, "a wait must be in the future");
                            wake[r] = until_ms;
                            break;
                        }
                        Step::Idle => {
                            assert!(in_flight[r] > 0, "idle with nothing in flight would hang");
                            wake[r] = u64::MAX;
                            break;
                        }
                        Step::Done => {
                            done[r] = true;
                            break;
                        }
                    }
                }
            }
            if done.iter().all(|d| *d) {
                break;
            }
            let next_event = events.peek().map(|Reverse((t, ..))| *t).unwrap_or(u64::MAX);
            let next_wake = wake
                .iter()
                .zip(&done)
                .filter(|(_, d)| !**d)
                .map(|(w, _)| *w)
                .min()
                .unwrap_or(u64::MAX);
            let next = next_event.min(next_wake).min(abort_at.unwrap_or(u64::MAX));
            assert!(next != u64::MAX, "the runs wait for nothing");
            now = now.max(next);
            while let Some(Reverse((t, _, _, _))) = events.peek() {
                if *t > now {
                    break;
                }
                let Some(Reverse((t, _, r, EventBox(event)))) = events.pop() else {
                    break;
                };
                match event {
                    Event::Competitor => {
                        if let Some((burst, every)) = self.world.competitor {
                            for _ in 0..burst {
                                let _ = server.admit(t, &mut self.trace);
                            }
                            if !done.iter().all(|d| *d) {
                                push(&mut events, t + every, usize::MAX, Event::Competitor);
                            }
                        }
                    }
                    Event::Arrival { ticket, call_id } => {
                        if server.quota_given {
                            self.trace.after_quota += 1;
                        }
                        let answer = match server.admit(t, &mut self.trace) {
                            Err(refusal) => {
                                if let Owned::Response {
                                    status: 429, body, ..
                                } = &refusal
                                {
                                    if body.contains("RATE_LIMIT") {
                                        self.trace.rate_limited += 1;
                                    } else {
                                        self.trace.quota_answers += 1;
                                    }
                                }
                                refusal
                            }
                            Ok(()) => server.cancel(&call_id, t, &mut self.trace),
                        };
                        let down = rng.u64(self.world.latency_ms.0..=self.world.latency_ms.1);
                        let delay = match answer {
                            Owned::NoResponse(TransportError::Timeout) => 30_000,
                            _ => down,
                        };
                        push(&mut events, t + delay, r, Event::Answer { ticket, answer });
                    }
                    Event::Answer { ticket, answer } => {
                        if done[r] {
                            continue;
                        }
                        in_flight[r] -= 1;
                        engines[r]
                            .0
                            .respond(ticket, &answer.borrow(), t as f64)
                            .expect("a known ticket");
                        wake[r] = 0;
                    }
                }
            }
            for w in wake.iter_mut() {
                if *w <= now {
                    *w = 0;
                }
            }
        }
        self.trace.end_ms = now;
        engines.iter().map(|(run, _)| run.report()).collect()
    }
}

/// Orders events by (time, sequence) only.
#[derive(Debug)]
struct EventBox(Event);
impl PartialEq for EventBox {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl Eq for EventBox {}
impl PartialOrd for EventBox {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for EventBox {
    fn cmp(&self, _: &Self) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}

fn call_id_of(url: &str) -> String {
    url.rsplit('/').nth(1).unwrap_or("").to_string()
}

/// The most values of `times` (sorted or not) inside any window of `window_ms`.
pub fn most_in_window(times: &[u64], window_ms: u64) -> usize {
    let mut t: Vec<u64> = times.to_vec();
    t.sort_unstable();
    let mut best = 0;
    let mut start = 0;
    for end in 0..t.len() {
        while t[end] - t[start] >= window_ms {
            start += 1;
        }
        best = best.max(end - start + 1);
    }
    best
}

/// The operation the engine runs, to make the generic parts visible in tests.
pub fn op() -> impl Operation<Target = String> {
    CancelCall
}
