//! The cost of judging one signed call event natively: `verify_event` (HMAC-SHA256 over the
//! body, constant-time compare, envelope parsed) on the body in FILE, signed with SECRET.
//! Median of five runs of N verifications.
//! `cargo run --release -p huskyvoice-core --example verify_speed -- FILE SECRET [N] [--json]`
use huskyvoice_core::event::{sign, verify_event};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(file), Some(secret)) = (args.first(), args.get(1)) else {
        eprintln!("usage: verify_speed FILE SECRET [N] [--json]");
        std::process::exit(2);
    };
    let n: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let body = std::fs::read(file).unwrap_or_else(|e| {
        eprintln!("cannot read {file}: {e}");
        std::process::exit(2);
    });
    let signature = sign(secret, &body);
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..n {
                let event = verify_event(secret, std::hint::black_box(&body), Some(&signature));
                assert!(event.is_ok(), "the body must verify");
            }
            start.elapsed().as_secs_f64() * 1e6 / n as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let micros = times[2];
    if args.iter().any(|a| a == "--json") {
        println!(
            "{{\"bytes\":{},\"n\":{n},\"perVerifyMicros\":{micros:.3}}}",
            body.len()
        );
    } else {
        println!(
            "verify_event, {} byte body: {micros:.3} µs per event (median of 5 × {n})",
            body.len()
        );
    }
}
