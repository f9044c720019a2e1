//! The run: a deterministic state machine that decides every step of a bulk operation and
//! never touches the network or the clock (the shape of `quinn-proto` or `h11`). The caller
//! feeds it time and answers and does what it says:
//!
//! ```text
//! let mut run = Run::new(op, settings, credentials, options, jobs, book)?;
//! loop {
//!     match run.poll(now) {
//!         Step::Send(send) => start the request; later run.respond(send.ticket, answer, now),
//!         Step::Wait { until_ms } => sleep until then, or until an answer arrives,
//!         Step::Idle => wait for an answer,
//!         Step::Done => break,
//!     }
//! }
//! let report = run.report();
//! ```

use super::job::{Answer, Credential, JobOptions, JobSpec};
use super::operation::{JobTarget, Operation};
use super::pacer::{Allowance, Limit, PacerBook, PacerId};
use super::reading::Reading;
use super::report::{done_so_far, item_name, plural, Failure, Item, Report, Summary};
use crate::error::{number_text, CoreError, ErrorCode};
use crate::loose::Loose;
use crate::outcome::Outcome;
use crate::request::{HttpRequest, RequestBuilder, Via};
use crate::retry::{retry_delay_ms, RetryPolicy};
use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::rc::Rc;

/// HuskyVoice's documented limit: 60 requests per minute per API key.
pub const DOCUMENTED_LIMIT: Limit = Limit {
    requests: 60,
    window_ms: 60_000,
};

/// How often a run re-checks a limit whose slots are all held by another run's requests
/// (their answers reach that run, not this one).
const RECHECK_MS: u64 = 50;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunSettings {
    /// Requests in flight at once, for this run.
    pub concurrency: u32,
    /// The client-side pacer per credential; `None` turns it off.
    pub limit: Option<Limit>,
    /// Stop sending at the first failing item and fail the run (n8n without "Continue On
    /// Fail"); else every item is tried and reports its own outcome.
    pub stop_on_failure: bool,
    /// Seeds the jitter of retry waits.
    pub seed: u64,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            concurrency: 5,
            limit: Some(DOCUMENTED_LIMIT),
            stop_on_failure: true,
            seed: 0,
        }
    }
}

/// What the caller should do next.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Send this request; answer with `respond(ticket, ...)`.
    Send(Send),
    /// Nothing to send before `until_ms`, unless an answer arrives first.
    Wait { until_ms: u64 },
    /// Nothing to do until an answer arrives.
    Idle,
    /// Every item has its outcome (or the run stopped and nothing is in flight).
    Done,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Send {
    pub ticket: u32,
    /// The item, 0-based.
    pub index: usize,
    /// Which of the run's credentials the request uses.
    pub credential: usize,
    pub via: Via,
    pub request: HttpRequest,
    pub timeout_ms: u64,
}

#[derive(Debug)]
enum State {
    Queued,
    InFlight,
    Backoff,
    Settled(Box<Item>),
}

#[derive(Debug)]
struct Job<T> {
    target: Option<T>,
    credential: usize,
    options: usize,
    attempts: u32,
    waited_ms: u64,
    last: Option<Reading>,
    state: State,
}

#[derive(Debug)]
struct Cred {
    spec: Credential,
    pacer: PacerId,
    secrets: Vec<String>,
    /// The item (in words) whose answer said the quota is used up: nothing more goes out
    /// with this credential.
    quota: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Failure,
    Aborted,
}

#[derive(Debug)]
pub struct Run<O: Operation> {
    op: O,
    settings: RunSettings,
    creds: Vec<Cred>,
    options: Vec<JobOptions>,
    jobs: Vec<Job<O::Target>>,
    /// Per credential, the items waiting to be sent; retries go to the front.
    ready: Vec<VecDeque<usize>>,
    /// Items waiting out a backoff, by the time they may go again.
    backoff: BinaryHeap<Reverse<(u64, usize)>>,
    /// (ticket, item) of the requests in flight: at most `concurrency`, so a list.
    in_flight: Vec<(u32, usize)>,
    next_ticket: u32,
    book: Rc<RefCell<PacerBook>>,
    builder: RequestBuilder,
    rng: fastrand::Rng,
    stop: Option<Stop>,
    /// Items whose input was rejected before anything was sent.
    invalid: Vec<usize>,
    unsettled: usize,
    /// Items settled since the caller last asked (`take_settled`), for progress reports.
    newly_settled: Vec<usize>,
    now: u64,
    requests: u32,
    rate_limited: u32,
    retries: u32,
}

fn invalid(context: &str, message: String) -> CoreError {
    CoreError::new(ErrorCode::InvalidOptions, format!("{context}: {message}"))
}

/// The input as it may be shown: text as given, numbers and flags as text, else nothing.
fn shown_input(input: &Loose<'_>) -> Option<String> {
    match input {
        Loose::Str(s) => Some(s.to_string()),
        Loose::Num(n) => Some(number_text(*n)),
        Loose::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn transport(via: Via) -> &'static str {
    match via {
        Via::Rest => "the REST API",
        Via::Webhook => "the inbound webhook",
    }
}

impl<O: Operation> Run<O> {
    /// A run over `jobs`. Every input is checked here; an invalid item settles at once and
    /// (with `stop_on_failure`) stops the run before anything is sent, so that every invalid
    /// item can be named in one error.
    pub fn new(
        op: O,
        settings: RunSettings,
        credentials: Vec<Credential>,
        options: Vec<JobOptions>,
        jobs: Vec<JobSpec<'_>>,
        book: Rc<RefCell<PacerBook>>,
    ) -> Result<Self, CoreError> {
        const CONTEXT: &str = "run";
        if !(1..=1000).contains(&settings.concurrency) {
            return Err(invalid(
                CONTEXT,
                format!(
                    "concurrency must be from 1 to 1000; got {}.",
                    settings.concurrency
                ),
            ));
        }
        if settings
            .limit
            .is_some_and(|l| l.requests == 0 || l.window_ms == 0)
        {
            return Err(invalid(
                CONTEXT,
                "a rate limit needs at least 1 request per window of at least 1 ms (give no limit to turn pacing off).".to_string(),
            ));
        }
        for (i, job) in jobs.iter().enumerate() {
            if job.credential >= credentials.len() || job.options >= options.len() {
                return Err(invalid(
                    CONTEXT,
                    format!(
                        "job {i} refers to credential {} and options {}, but the run has {} and {}.",
                        job.credential,
                        job.options,
                        credentials.len(),
                        options.len()
                    ),
                ));
            }
        }
        let mut builder = RequestBuilder::default();
        let mut creds = Vec::with_capacity(credentials.len());
        let mut cred_errors = Vec::with_capacity(credentials.len());
        for spec in credentials {
            cred_errors.push(spec.check(&mut builder).err());
            let pacer = book.borrow_mut().id(&spec.key);
            creds.push(Cred {
                secrets: spec.secrets(),
                spec,
                pacer,
                quota: None,
            });
        }
        let mut run = Run {
            op,
            settings,
            ready: vec![VecDeque::new(); creds.len()],
            creds,
            options,
            jobs: Vec::with_capacity(jobs.len()),
            backoff: BinaryHeap::new(),
            in_flight: Vec::new(),
            next_ticket: 1,
            book,
            builder,
            rng: fastrand::Rng::with_seed(settings.seed),
            stop: None,
            invalid: Vec::new(),
            unsettled: 0,
            newly_settled: Vec::new(),
            now: 0,
            requests: 0,
            rate_limited: 0,
            retries: 0,
        };
        for (index, spec) in jobs.into_iter().enumerate() {
            run.add_job(index, spec, &cred_errors);
        }
        if run.settings.stop_on_failure && !run.invalid.is_empty() {
            run.stop = Some(Stop::Failure);
        }
        Ok(run)
    }

    fn add_job(&mut self, index: usize, spec: JobSpec<'_>, cred_errors: &[Option<CoreError>]) {
        let c = spec.credential;
        let via = self.creds[c].spec.via;
        let usable = self.op.usable_with(via);
        let checked = match (&cred_errors[c], &spec.problem, usable) {
            (Some(e), _, _) => Err(self.credential_error(c, e)),
            (None, _, Err(why)) => Err(("invalid_credential", why)),
            (None, Some(problem), _) => Err(("invalid_options", problem.clone())),
            (None, None, Ok(())) => self.op.target(index, &spec.input).map_err(|(outcome, e)| {
                (
                    outcome,
                    missing_field_message(
                        &spec.input,
                        spec.field.as_deref(),
                        self.op.words().missing,
                    )
                    .unwrap_or(e),
                )
            }),
        };
        let mut job = Job {
            target: None,
            credential: c,
            options: spec.options,
            attempts: 0,
            waited_ms: 0,
            last: None,
            state: State::Queued,
        };
        match checked {
            Err((outcome, message)) => {
                let description =
                    format!("Nothing was sent to HuskyVoice for {}.", item_name(index));
                let fields = self.op.fields(None, None);
                let item =
                    Item::unanswered(shown_input(&spec.input), outcome, message, via, 0, fields);
                job.state = State::Settled(Box::new(Item {
                    description: Some(description),
                    ..item.failing()
                }));
                self.invalid.push(index);
                self.newly_settled.push(index);
            }
            Ok(target) if self.options[spec.options].dry_run => {
                let request = self
                    .op
                    .request(&target, &self.creds[c].spec, &mut self.builder, true)
                    .ok();
                let id = target.call_id().map(str::to_string);
                let message = format!("Dry run: nothing was sent. \"request\" shows what would be sent for {}, secrets redacted; {}.", target.subject(), self.op.words().dry_run_checked);
                let fields = self.op.fields(Some(&target), None);
                job.state = State::Settled(Box::new(Item {
                    request,
                    ..Item::unanswered(id, "dry_run", message, via, 0, fields)
                }));
                job.target = Some(target);
                self.newly_settled.push(index);
            }
            Ok(target) => {
                job.target = Some(target);
                self.ready[c].push_back(index);
                self.unsettled += 1;
            }
        }
        self.jobs.push(job);
    }

    fn credential_error(&self, c: usize, e: &CoreError) -> (&'static str, String) {
        let which = match self.creds[c].spec.via {
            Via::Rest => "The API key credential",
            Via::Webhook => "The inbound webhook credential",
        };
        (
            "invalid_credential",
            format!("{which} cannot be used: {} Fix it in the credential (its Test button runs the same checks); nothing was sent.", e.message),
        )
    }

    /// The clock as given, kept monotonic: a caller's clock may step back.
    fn tick(&mut self, now_ms: f64) -> u64 {
        let t = if now_ms.is_finite() && now_ms > 0.0 {
            now_ms.min(9.0e15) as u64
        } else {
            0
        };
        self.now = self.now.max(t);
        self.now
    }

    /// The next thing to do at `now_ms`.
    pub fn poll(&mut self, now_ms: f64) -> Step {
        let now = self.tick(now_ms);
        if self.stop.is_some() || self.unsettled == 0 {
            return if self.in_flight.is_empty() {
                Step::Done
            } else {
                Step::Idle
            };
        }
        self.requeue_due_backoffs(now);
        if self.in_flight.len() >= self.settings.concurrency as usize {
            return Step::Idle;
        }
        let mut wake = self.backoff.peek().map(|Reverse((t, _))| *t);
        let mut best: Option<(usize, usize)> = None;
        let mut held_elsewhere = false;
        for c in 0..self.creds.len() {
            if self.creds[c].quota.is_some() {
                self.settle_quota_stopped(c);
            }
            let Some(&head) = self.ready[c].front() else {
                continue;
            };
            let allowance =
                self.book
                    .borrow_mut()
                    .allowance(self.creds[c].pacer, self.settings.limit, now);
            match allowance {
                Allowance::Now => {
                    if best.map_or(true, |(_, j)| head < j) {
                        best = Some((c, head));
                    }
                }
                Allowance::At(t) => wake = Some(wake.map_or(t, |w| w.min(t))),
                Allowance::AfterAnswer => held_elsewhere = true,
            }
        }
        if let Some((c, j)) = best {
            return self.send(c, j);
        }
        if self.unsettled == 0 {
            return self.poll(now as f64);
        }
        if held_elsewhere && self.in_flight.is_empty() {
            let t = now + RECHECK_MS;
            wake = Some(wake.map_or(t, |w| w.min(t)));
        }
        match wake {
            Some(t) => Step::Wait {
                until_ms: t.max(now + 1),
            },
            None if self.in_flight.is_empty() => Step::Wait {
                until_ms: now + RECHECK_MS,
            },
            None => Step::Idle,
        }
    }

    /// Retries whose wait is over go to the front of their queue, before new items.
    fn requeue_due_backoffs(&mut self, now: u64) {
        let mut due = Vec::new();
        while let Some(&Reverse((t, j))) = self.backoff.peek() {
            if t > now {
                break;
            }
            self.backoff.pop();
            if matches!(self.jobs[j].state, State::Backoff) {
                due.push(j);
            }
        }
        // Pushed to the front last-first, so the earliest due is sent first.
        for j in due.into_iter().rev() {
            self.jobs[j].state = State::Queued;
            let c = self.jobs[j].credential;
            self.ready[c].push_front(j);
        }
    }

    fn send(&mut self, c: usize, j: usize) -> Step {
        self.ready[c].pop_front();
        let job = &self.jobs[j];
        let built = match &job.target {
            Some(t) => self
                .op
                .request(t, &self.creds[c].spec, &mut self.builder, false),
            None => Err(CoreError::new(
                ErrorCode::InvalidOptions,
                "no checked input",
            )),
        };
        let request = match built {
            Ok(request) => request,
            // Cannot happen: the id and the credential passed these checks in `new`.
            Err(e) => {
                self.settle_unsent(j, "invalid_options", e.message);
                return self.poll(self.now as f64);
            }
        };
        let ticket = self.next_ticket;
        self.next_ticket = self.next_ticket.wrapping_add(1).max(1);
        self.in_flight.push((ticket, j));
        self.book.borrow_mut().take(self.creds[c].pacer);
        self.requests += 1;
        let job = &mut self.jobs[j];
        job.attempts += 1;
        job.state = State::InFlight;
        Step::Send(Send {
            ticket,
            index: j,
            credential: c,
            via: self.creds[c].spec.via,
            request,
            timeout_ms: self.options[job.options].timeout_ms,
        })
    }

    /// The answer to `ticket` (or its failure) arrived at `now_ms`.
    pub fn respond(
        &mut self,
        ticket: u32,
        answer: &Answer<'_>,
        now_ms: f64,
    ) -> Result<(), CoreError> {
        let found = self.in_flight.iter().position(|(t, _)| *t == ticket);
        let Some((_, j)) = found.map(|at| self.in_flight.swap_remove(at)) else {
            return Err(invalid(
                "respond",
                format!("ticket {ticket} is not a request in flight (already answered, never sent, or the run was aborted)."),
            ));
        };
        let now = self.tick(now_ms);
        let c = self.jobs[j].credential;
        let pacer = self.creds[c].pacer;
        self.book.borrow_mut().release(pacer, now);
        let Some(target) = self.jobs[j].target.as_ref() else {
            return Ok(());
        };
        let reading = self.op.read(
            target,
            &self.creds[c].spec,
            answer,
            now,
            &self.creds[c].secrets,
        );
        let repeatable = self.op.repeatable(target);
        let opts = self.options[self.jobs[j].options];
        let attempts = self.jobs[j].attempts;
        match reading.outcome {
            Outcome::RateLimited => {
                self.rate_limited += 1;
                let pause = reading.retry_after_ms.unwrap_or_else(|| {
                    let unbounded = RetryPolicy {
                        max_attempts: u32::MAX,
                        max_total_wait_ms: u64::MAX,
                        ..opts.policy()
                    };
                    let r = self.rng.f64();
                    retry_delay_ms(Outcome::RateLimited, None, attempts, 0, &unbounded, r)
                        .unwrap_or(1000)
                });
                self.book.borrow_mut().pause(pacer, now + pause);
                if self.stop.is_none() && repeatable && attempts < opts.max_attempts {
                    self.retries += 1;
                    self.jobs[j].last = Some(reading);
                    self.jobs[j].state = State::Queued;
                    self.ready[c].push_front(j);
                } else {
                    let why = self.gave_up(attempts, &opts, false);
                    self.settle(j, reading, Some(why));
                }
            }
            Outcome::QuotaExceeded => {
                self.creds[c].quota = Some(target.subject());
                self.settle(j, reading, None);
                self.settle_quota_stopped(c);
            }
            Outcome::ServerError => {
                let waited = self.jobs[j].waited_ms;
                let r = self.rng.f64();
                let delay = if self.stop.is_none() && repeatable {
                    retry_delay_ms(
                        reading.outcome,
                        reading.retry_after_ms,
                        attempts,
                        waited,
                        &opts.policy(),
                        r,
                    )
                } else {
                    None
                };
                match delay {
                    Some(d) => {
                        self.retries += 1;
                        let job = &mut self.jobs[j];
                        job.waited_ms += d;
                        job.last = Some(reading);
                        job.state = State::Backoff;
                        self.backoff.push(Reverse((now + d, j)));
                    }
                    None => {
                        let why = self.gave_up(attempts, &opts, true);
                        self.settle(j, reading, Some(why));
                    }
                }
            }
            _ => self.settle(j, reading, None),
        }
        Ok(())
    }

    fn gave_up(&self, attempts: u32, opts: &JobOptions, backoff: bool) -> String {
        let tried = plural(attempts as usize, "attempt");
        if self.stop == Some(Stop::Aborted) {
            format!("Not retried after {tried}: the run was stopped.")
        } else if self.stop.is_some() {
            format!("Not retried after {tried}: another item failed and stopped the run.")
        } else if attempts >= opts.max_attempts || !backoff {
            format!(
                "Gave up after {tried}: Max Attempts is {}.",
                opts.max_attempts
            )
        } else {
            format!(
                "Gave up after {tried}: another wait would exceed Max Total Wait ({} s).",
                number_text(opts.max_total_wait_ms as f64 / 1000.0)
            )
        }
    }

    fn settle(&mut self, j: usize, reading: Reading, extra: Option<String>) {
        let job = &self.jobs[j];
        let target = job.target.as_ref();
        let opts = self.options[job.options];
        let via = self.creds[job.credential].spec.via;
        let fails = self.op.fails(reading.outcome, &opts);
        let fields = self.op.fields(target, Some(&reading));
        let mut message = reading.message;
        if let Some(extra) = extra {
            message.push(' ');
            message.push_str(&extra);
        }
        let call_id = reading
            .call_id
            .clone()
            .or_else(|| target.and_then(JobTarget::call_id).map(str::to_string));
        let description = fails.then(|| {
            let what = match (&call_id, target) {
                (Some(id), _) => format!("Call ID {id}"),
                (None, Some(t)) => crate::text::capitalise(&t.subject()),
                (None, None) => "The item".to_string(),
            };
            format!(
                "{what}; outcome {}; {}; {} via {}.",
                reading.outcome.as_str(),
                match reading.http_status {
                    Some(s) => format!("HTTP {s}"),
                    None => "no HTTP response".to_string(),
                },
                plural(job.attempts as usize, "attempt"),
                transport(via)
            )
        });
        let item = Item {
            call_id,
            outcome: reading.outcome.as_str(),
            succeeded: self.op.succeeded(reading.outcome),
            fields,
            call_status: reading.call_status,
            error: fails.then(|| message.clone()),
            message,
            http_status: reading.http_status,
            via,
            attempts: job.attempts,
            description,
            request: None,
        };
        self.finish(j, item, fails);
    }

    fn finish(&mut self, j: usize, item: Item, fails: bool) {
        if !matches!(self.jobs[j].state, State::Settled(_)) {
            self.unsettled = self.unsettled.saturating_sub(1);
            self.newly_settled.push(j);
        }
        self.jobs[j].state = State::Settled(Box::new(item));
        if fails && self.settings.stop_on_failure && self.stop.is_none() {
            self.stop = Some(Stop::Failure);
        }
    }

    fn settle_unsent(&mut self, j: usize, outcome: &'static str, message: String) {
        let job = &self.jobs[j];
        let target = job.target.as_ref();
        let item = Item::unanswered(
            target.and_then(JobTarget::call_id).map(str::to_string),
            outcome,
            message,
            self.creds[job.credential].spec.via,
            job.attempts,
            self.op.fields(target, None),
        );
        self.finish(j, item.failing(), true);
    }

    /// After a quota answer, every other item of that credential settles without a request.
    fn settle_quota_stopped(&mut self, c: usize) {
        let Some(call) = self.creds[c].quota.clone() else {
            return;
        };
        let waiting: Vec<usize> = self.ready[c]
            .drain(..)
            .chain((0..self.jobs.len()).filter(|&j| {
                self.jobs[j].credential == c && matches!(self.jobs[j].state, State::Backoff)
            }))
            .collect();
        for j in waiting {
            let message = format!("Not sent: HuskyVoice answered that the request quota is used up (for {call}), so no further request goes out with this credential in this run.");
            self.settle_unsent(j, "quota_exceeded", message);
        }
    }

    /// Stop now: nothing more is sent. Requests still in flight are given up (their answers
    /// will not be read); the report says what was done.
    pub fn abort(&mut self, now_ms: f64) {
        let now = self.tick(now_ms);
        self.stop = Some(Stop::Aborted);
        let mut book = self.book.borrow_mut();
        for (_, j) in self.in_flight.drain(..) {
            book.release(self.creds[self.jobs[j].credential].pacer, now);
        }
    }

    /// The items that got their outcome since the last call: (index, outcome, succeeded).
    pub fn take_settled(&mut self) -> Vec<(usize, &'static str, bool)> {
        let done: Vec<usize> = std::mem::take(&mut self.newly_settled);
        done.into_iter()
            .filter_map(|j| match &self.jobs[j].state {
                State::Settled(item) => Some((j, item.outcome, item.succeeded)),
                _ => None,
            })
            .collect()
    }

    /// Whether the run was aborted.
    pub fn aborted(&self) -> bool {
        self.stop == Some(Stop::Aborted)
    }

    /// Every item's output in input order, and the run's failure if it stopped at one.
    pub fn report(&self) -> Report {
        let items: Vec<Item> = (0..self.jobs.len()).map(|j| self.item(j)).collect();
        let failure = if self.stop == Some(Stop::Failure) {
            self.failure(&items)
        } else {
            None
        };
        let summary = Summary {
            items: items.len(),
            succeeded: items.iter().filter(|i| i.succeeded).count(),
            failed: items.iter().filter(|i| i.failed()).count(),
            not_sent: items.iter().filter(|i| i.outcome == "not_sent").count(),
            requests: self.requests,
            rate_limited: self.rate_limited,
            retries: self.retries,
        };
        Report {
            done: done_so_far(&items, self.op.words().done),
            aborted: self.aborted(),
            items,
            failure,
            summary,
        }
    }

    fn item(&self, j: usize) -> Item {
        let job = &self.jobs[j];
        let via = self.creds[job.credential].spec.via;
        let target = job.target.as_ref();
        let call_id = target.and_then(JobTarget::call_id).map(str::to_string);
        let words = self.op.words();
        let stopped = if self.aborted() {
            "the run was stopped"
        } else {
            "another item failed and stopped the run"
        };
        let unsent = |outcome: &'static str, message: String| {
            let fields = self.op.fields(target, None);
            Item::unanswered(call_id.clone(), outcome, message, via, job.attempts, fields)
        };
        match &job.state {
            State::Settled(item) => (**item).clone(),
            State::Queued if job.attempts == 0 => unsent(
                "not_sent",
                format!("Not sent: {stopped} before this item's turn."),
            ),
            State::InFlight => unsent(
                "interrupted",
                format!(
                    "The {} request was sent, but {stopped} before its answer arrived: {}",
                    words.verb, words.in_doubt
                ),
            ),
            State::Queued | State::Backoff => match &job.last {
                Some(last) => {
                    let mut item = unsent(last.outcome.as_str(), last.message.clone());
                    item.http_status = last.http_status;
                    item.call_status = last.call_status;
                    item.message = format!(
                        "{} Not retried after {}: {stopped}.",
                        last.message,
                        plural(job.attempts as usize, "attempt")
                    );
                    item
                }
                None => unsent("not_sent", format!("Not sent: {stopped}.")),
            },
        }
    }

    fn failure(&self, items: &[Item]) -> Option<Failure> {
        if !self.invalid.is_empty() {
            return Some(self.invalid_failure(items));
        }
        let (index, item) = items.iter().enumerate().find(|(_, i)| i.failed())?;
        let description = format!(
            "{} {}",
            item.description.as_deref().unwrap_or(""),
            done_so_far(items, self.op.words().done)
        );
        Some(Failure {
            item_index: index,
            outcome: item.outcome,
            message: item.message.clone(),
            description: description.trim().to_string(),
            http_status: item.http_status,
        })
    }

    /// Every invalid item in one error, grouped by reason: "Items 2, 5: …".
    fn invalid_failure(&self, items: &[Item]) -> Failure {
        let first = self.invalid[0];
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        for &i in &self.invalid {
            let reason = items[i].message.clone();
            match groups.iter_mut().find(|(r, _)| *r == reason) {
                Some((_, list)) => list.push(i),
                None => groups.push((reason, vec![i])),
            }
        }
        let lines: Vec<String> = groups
            .iter()
            .take(20)
            .map(|(reason, list)| {
                let names: Vec<String> =
                    list.iter().take(10).map(|i| (i + 1).to_string()).collect();
                let more = if list.len() > 10 {
                    format!(" and {} more", list.len() - 10)
                } else {
                    String::new()
                };
                let label = if list.len() == 1 { "Item" } else { "Items" };
                format!(
                    "{label} {}{more}: {reason}",
                    crate::text::join(&names, ", ")
                )
            })
            .collect();
        let count = self.invalid.len();
        // One bad item: its reason is the headline. Several: the count, and each reason below.
        let (message, description) = if count == 1 {
            (
                items[first].message.clone(),
                format!(
                    "Nothing was sent to HuskyVoice: {} of {} is invalid.",
                    item_name(first),
                    items.len()
                ),
            )
        } else {
            (
                format!(
                    "{count} of {} items are invalid; nothing was sent to HuskyVoice",
                    items.len()
                ),
                crate::text::join(&lines, "\n"),
            )
        };
        Failure {
            item_index: first,
            outcome: items[first].outcome,
            message,
            description,
            http_status: None,
        }
    }
}

/// A missing input read from a known field says which field the item lacks.
fn missing_field_message(input: &Loose<'_>, field: Option<&str>, missing: &str) -> Option<String> {
    let field = field?;
    matches!(input, Loose::Null).then(|| {
        format!("The item's \"{field}\" field is missing or null, so {missing}. Check what the previous node outputs, or map the parameter to the field that holds it.")
    })
}

impl<O: Operation> Drop for Run<O> {
    /// A run dropped mid-flight (its caller threw) gives back the pacer slots it held.
    fn drop(&mut self) {
        if let Ok(mut book) = self.book.try_borrow_mut() {
            for (_, j) in self.in_flight.drain(..) {
                book.release(self.creds[self.jobs[j].credential].pacer, self.now);
            }
        }
    }
}
