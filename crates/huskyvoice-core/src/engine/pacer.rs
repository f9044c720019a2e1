//! The client-side pacer: HuskyVoice's documented limit is a sliding window per credential
//! (at most N requests in any window of W; API-CONTRACT §5), so the pacer keeps exactly that
//! window instead of bursting and retrying.
//!
//! A slot is taken when a request is sent and counts until W after its *answer* arrived. The
//! server counts a request when it arrives, which is between the two, so a request sent once
//! the slot's answer is W old can never land in the same server window: no latency, however
//! uneven, can make the client overrun the server's count. Each window costs one round trip
//! more than the ideal, which is nothing next to a minute.
//!
//! Clocks disagree a little, and a request on the window's edge is refused: each side reads
//! whole milliseconds (measured on loopback: a send 1 ms early, 1 in 12 runs under load),
//! and two machines' clocks run at rates up to 1000 ppm apart (NTP slews each by at most
//! 500 ppm). So a slot is held for the window plus 1/1000 of it plus 2 ms after its answer:
//! 62 ms on the documented minute, 0.1 % of the pace.
//!
//! A token bucket refilled at N/W per second would allow N at once and then one more every
//! W/N, which a sliding window refuses right after the burst.
//!
//! One [`PacerBook`] is shared by every run in a process (the n8n node keeps one per process,
//! keyed by the credential's id), so concurrent executions keep to the limit together. Each
//! run applies its own (N, W) to the shared record of sends.

use std::collections::VecDeque;

/// At most `requests` sends in any `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub requests: u32,
    pub window_ms: u64,
}

/// How long after its answer a slot stays held under a window of `window_ms` (see above).
pub fn hold_ms(window_ms: u64) -> u64 {
    window_ms.saturating_add(window_ms / 1000).saturating_add(2)
}

/// What a credential's pacer allows at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowance {
    Now,
    /// The first moment a slot frees, unless an answer frees one sooner.
    At(u64),
    /// Every slot is held by a request still in flight: only an answer frees one.
    AfterAnswer,
}

#[derive(Debug)]
struct Pacer {
    /// Requests sent and not yet answered (by any run).
    in_flight: u32,
    /// When slots were released (their answer arrived), oldest first.
    released: VecDeque<u64>,
    /// No request before this time: a 429 pauses the whole credential.
    paused_until: u64,
    /// The longest hold any run used (at least the documented minute's), so pruning never
    /// forgets a slot that a run still counts.
    longest_hold_ms: u64,
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer {
            in_flight: 0,
            released: VecDeque::new(),
            paused_until: 0,
            longest_hold_ms: hold_ms(60_000),
        }
    }
}

/// Every credential's pacer, found by the caller's key (a credential id) once per run.
#[derive(Debug, Default)]
pub struct PacerBook {
    /// A process uses a credential or two: a list beats a hash map, in code size too.
    pacers: Vec<(String, Pacer)>,
}

/// A pacer of one [`PacerBook`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacerId(usize);

impl PacerBook {
    /// The pacer of `key`, made on first use.
    pub fn id(&mut self, key: &str) -> PacerId {
        if let Some(at) = self.pacers.iter().position(|(k, _)| k == key) {
            return PacerId(at);
        }
        self.pacers.push((key.to_string(), Pacer::default()));
        PacerId(self.pacers.len() - 1)
    }

    /// Ids only come from this book, so the pacer always exists; a stray id finds a fresh one.
    fn pacer(&mut self, id: PacerId) -> &mut Pacer {
        if id.0 >= self.pacers.len() {
            self.pacers
                .resize_with(id.0 + 1, || (String::new(), Pacer::default()));
        }
        &mut self.pacers[id.0].1
    }

    /// Whether `id` may send now under `limit` (`None`: no limit, only a 429 pause counts).
    pub fn allowance(&mut self, id: PacerId, limit: Option<Limit>, now: u64) -> Allowance {
        let p = self.pacer(id);
        if now < p.paused_until {
            return Allowance::At(p.paused_until);
        }
        let Some(limit) = limit else {
            return Allowance::Now;
        };
        let hold = hold_ms(limit.window_ms);
        p.longest_hold_ms = p.longest_hold_ms.max(hold);
        p.prune(now);
        // Releases still held under this run's window, (now - hold, now]; `released` is sorted.
        let first_inside = match now.checked_sub(hold) {
            Some(start) => p.released.partition_point(|&t| t <= start),
            None => 0,
        };
        let inside = p.released.len() - first_inside;
        let held = p.in_flight as usize + inside;
        let n = limit.requests as usize;
        if held < n {
            return Allowance::Now;
        }
        if p.in_flight as usize >= n {
            return Allowance::AfterAnswer;
        }
        // `held - n + 1` releases must leave the window; the last of them decides.
        match p.released.get(first_inside + held - n) {
            Some(&t) => Allowance::At(t.saturating_add(hold)),
            None => Allowance::AfterAnswer,
        }
    }

    /// A request was sent through `id`.
    pub fn take(&mut self, id: PacerId) {
        self.pacer(id).in_flight += 1;
    }

    /// The answer to a request sent through `id` arrived (or was given up) at `now`.
    pub fn release(&mut self, id: PacerId, now: u64) {
        let p = self.pacer(id);
        p.in_flight = p.in_flight.saturating_sub(1);
        // Runs feed their own clocks; keep the record sorted even if one lags behind.
        let at = p.released.partition_point(|&t| t <= now);
        p.released.insert(at, now);
    }

    /// HuskyVoice answered 429: nothing goes out through `id` before `until`.
    pub fn pause(&mut self, id: PacerId, until: u64) {
        let p = self.pacer(id);
        p.paused_until = p.paused_until.max(until);
    }

    /// Requests in flight through `id`, from every run.
    pub fn in_flight(&self, id: PacerId) -> u32 {
        self.pacers.get(id.0).map_or(0, |(_, p)| p.in_flight)
    }
}

impl Pacer {
    /// Drops releases older than any window still needs them.
    fn prune(&mut self, now: u64) {
        let Some(horizon) = now.checked_sub(self.longest_hold_ms) else {
            return;
        };
        while self.released.front().is_some_and(|&t| t <= horizon) {
            self.released.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Option<Limit> = Some(Limit {
        requests: 3,
        window_ms: 1000,
    });

    #[test]
    fn a_short_burst_goes_at_once_then_the_window_holds() {
        let mut b = PacerBook::default();
        let k = b.id("k");
        for _ in 0..3 {
            assert_eq!(b.allowance(k, L, 0), Allowance::Now);
            b.take(k);
        }
        assert_eq!(b.allowance(k, L, 0), Allowance::AfterAnswer);
        b.release(k, 10);
        b.release(k, 20);
        // Two answered, one in flight: the first slot frees one hold (1000 + 1 + 2 ms)
        // after its answer, not a moment sooner.
        assert_eq!(b.allowance(k, L, 30), Allowance::At(1013));
        assert_eq!(b.allowance(k, L, 1012), Allowance::At(1013));
        assert_eq!(b.allowance(k, L, 1013), Allowance::Now);
        b.take(k);
        assert_eq!(b.allowance(k, L, 1014), Allowance::At(1023));
    }

    #[test]
    fn credentials_are_independent_and_no_limit_means_now() {
        let mut b = PacerBook::default();
        let (a, bb) = (b.id("a"), b.id("b"));
        assert_eq!(b.id("a"), a, "one pacer per key");
        for _ in 0..3 {
            b.take(a);
        }
        assert_eq!(b.allowance(a, L, 0), Allowance::AfterAnswer);
        assert_eq!(b.allowance(bb, L, 0), Allowance::Now);
        assert_eq!(b.allowance(a, None, 0), Allowance::Now);
    }

    #[test]
    fn a_pause_holds_every_sender_of_the_key() {
        let mut b = PacerBook::default();
        let k = b.id("k");
        b.pause(k, 5000);
        assert_eq!(b.allowance(k, None, 100), Allowance::At(5000));
        assert_eq!(b.allowance(k, L, 4999), Allowance::At(5000));
        b.pause(k, 10);
        assert_eq!(b.allowance(k, L, 5000), Allowance::Now);
    }

    #[test]
    fn runs_with_different_windows_share_the_record() {
        let mut b = PacerBook::default();
        let k = b.id("k");
        let long = Some(Limit {
            requests: 2,
            window_ms: 90_000,
        });
        b.take(k);
        b.release(k, 0);
        b.take(k);
        b.release(k, 1);
        // The short window has forgotten them; the long one has not, and pruning by the
        // short run must not make the long run forget.
        assert_eq!(b.allowance(k, L, 2000), Allowance::Now);
        assert_eq!(b.allowance(k, long, 2000), Allowance::At(90_092));
        assert_eq!(b.allowance(k, L, 2001), Allowance::Now);
        assert_eq!(b.allowance(k, long, 2001), Allowance::At(90_092));
    }

    #[test]
    fn an_out_of_order_release_keeps_the_record_sorted() {
        let mut b = PacerBook::default();
        let k = b.id("k");
        for _ in 0..3 {
            b.take(k);
        }
        b.release(k, 50);
        b.release(k, 20);
        b.release(k, 30);
        assert_eq!(b.allowance(k, L, 60), Allowance::At(1023));
    }

    #[test]
    fn the_hold_covers_millisecond_reads_and_clock_rates() {
        assert_eq!(hold_ms(60_000), 60_062);
        assert_eq!(hold_ms(2_000), 2_004);
        assert_eq!(hold_ms(u64::MAX), u64::MAX, "no overflow");
    }
}
