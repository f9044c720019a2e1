use super::*;
use proptest::prelude::*;

/// What restoring a saved state gives, the state read as the wasm binding reads it.
fn restore(state: &serde_json::Value) -> Result<ReplayGuard, CoreError> {
    let text = state.to_string();
    let tree: Loose<'_> = serde_json::from_str(&text).expect("json");
    ReplayGuard::restore(&tree)
}

fn limits(input: &str) -> Result<ReplayLimits, CoreError> {
    let tree: Loose<'_> = serde_json::from_str(input).expect("json");
    ReplayLimits::read(&tree)
}

const MIN: i64 = 60_000;
const T0: i64 = 1_796_613_762_000; // 2026-12-07T03:22:42Z

fn guard(max_events: usize, max_age_ms: i64) -> ReplayGuard {
    ReplayGuard::new(ReplayLimits {
        max_events,
        max_age_ms,
    })
    .expect("limits")
}

fn event(id: &str, created_at: &str) -> Event {
    Event {
        event_id: id.into(),
        event_type: "call.completed".into(),
        created_at: created_at.into(),
        org_id: "org_1".into(),
        data: Loose::Object(vec![]),
    }
}

#[test]
fn first_delivery_then_repeats() {
    let mut g = ReplayGuard::new(ReplayLimits::default()).expect("limits");
    let e = event("evt_1", "2026-12-07T03:22:42Z");
    let now = T0 as f64;
    assert_eq!(g.check(&e, now), Sighting::FirstSeen);
    assert_eq!(g.check(&e, now + 1.0), Sighting::Duplicate);
    assert_eq!(g.check(&e, now + 3_600_000.0), Sighting::Duplicate);
    assert_eq!(
        g.check(&event("evt_2", "2026-12-07T03:22:42Z"), now),
        Sighting::FirstSeen
    );
    assert_eq!(g.len(), 2);
    assert_eq!(g.check_at("evt_3", "yesterday", now), Sighting::TooOld);
}

#[test]
fn age_limit_refuses_what_it_no_longer_remembers() {
    let mut g = guard(100, 10 * MIN);
    assert_eq!(g.check_id("evt_a", T0, T0 as f64), Sighting::FirstSeen);
    // Created 11 minutes before now: older than the guard remembers.
    assert_eq!(
        g.check_id("evt_old", T0 - 11 * MIN, T0 as f64),
        Sighting::TooOld
    );
    // Once evt_a is older than 10 minutes it is forgotten, and its replay is too old, not new.
    let later = (T0 + 10 * MIN + 1) as f64;
    assert_eq!(
        g.check_id("evt_b", T0 + 10 * MIN, later),
        Sighting::FirstSeen
    );
    assert_eq!(g.len(), 1);
    assert_eq!(g.check_id("evt_a", T0, later), Sighting::TooOld);
    // Clock skew the other way (created in the receiver's future) is still judged by id.
    assert_eq!(
        g.check_id("evt_c", T0 + 60 * MIN, later),
        Sighting::FirstSeen
    );
    assert_eq!(
        g.check_id("evt_c", T0 + 60 * MIN, later),
        Sighting::Duplicate
    );
}

#[test]
fn size_limit_forgets_the_oldest_and_refuses_anything_that_old() {
    let mut g = guard(3, 60 * MIN);
    let now = (T0 + 10 * MIN) as f64;
    for (i, id) in ["evt_1", "evt_2", "evt_3", "evt_4"].iter().enumerate() {
        assert_eq!(
            g.check_id(id, T0 + i as i64 * 1000, now),
            Sighting::FirstSeen
        );
    }
    assert_eq!(g.len(), 3);
    assert_eq!(
        g.check_id("evt_1", T0, now),
        Sighting::TooOld,
        "evicted, never new again"
    );
    assert_eq!(g.check_id("evt_2", T0 + 1000, now), Sighting::Duplicate);
    assert_eq!(
        g.check_id("evt_late", T0, now),
        Sighting::TooOld,
        "as old as the evicted"
    );
    assert_eq!(
        g.check_id("evt_5", T0 + 500, now),
        Sighting::FirstSeen,
        "newer than it"
    );
    assert_eq!(g.len(), 3);
}

#[test]
fn saved_and_restored_it_answers_the_same() {
    let mut g = guard(2, 60 * MIN);
    let now = T0 as f64;
    for (i, id) in ["evt_1", "evt_2", "evt_3"].iter().enumerate() {
        g.check_id(id, T0 + i as i64, now);
    }
    let saved = serde_json::to_value(&g).expect("json");
    assert_eq!(
        saved,
        serde_json::json!({"max_events": 2, "max_age_ms": 3_600_000, "horizon_ms": T0,
            "seen": [["evt_2", T0 + 1], ["evt_3", T0 + 2]]})
    );
    let mut back = restore(&saved).expect("restore");
    assert_eq!(back, g);
    assert_eq!(back.check_id("evt_1", T0, now), Sighting::TooOld);
    assert_eq!(back.check_id("evt_3", T0 + 2, now), Sighting::Duplicate);
    // Restored under smaller limits, the oldest go as if evicted.
    let smaller = back
        .with_limits(ReplayLimits {
            max_events: 1,
            max_age_ms: 60 * MIN,
        })
        .expect("limits");
    assert_eq!(smaller.len(), 1);
}

#[test]
fn limits_out_of_range_are_named() {
    for (limits, says) in [
        (
            ReplayLimits {
                max_events: 0,
                max_age_ms: MIN,
            },
            "maxEvents is 0; use a whole number from 1 to 100000",
        ),
        (
            ReplayLimits {
                max_events: 100_001,
                max_age_ms: MIN,
            },
            "maxEvents is 100001",
        ),
        (
            ReplayLimits {
                max_events: 10,
                max_age_ms: 999,
            },
            "maxAgeMs is 999; use whole milliseconds from 1000",
        ),
        (
            ReplayLimits {
                max_events: 10,
                max_age_ms: 31 * 86_400_000,
            },
            "maxAgeMs is 2678400000",
        ),
    ] {
        let e = ReplayGuard::new(limits).expect_err(says);
        assert!(e.message.contains(says), "{}", e.message);
        assert_eq!(e.code, ErrorCode::InvalidOptions);
    }
    // As JavaScript passes them.
    assert_eq!(limits("null").expect("defaults"), ReplayLimits::default());
    assert_eq!(
        limits(r#"{"maxEvents": 5, "maxAgeMs": null}"#).expect("limits"),
        ReplayLimits {
            max_events: 5,
            max_age_ms: 86_400_000
        }
    );
    for (input, says) in [
        (
            r#"{"maxEvents": 1.5}"#,
            "maxEvents is 1.5; use a whole number",
        ),
        (
            r#"{"maxEvents": "10"}"#,
            "maxEvents is text; use a whole number",
        ),
        (
            r#"{"maxAgeMs": 0}"#,
            "maxAgeMs is 0; use whole milliseconds",
        ),
        (r#"{"maxEvent": 5}"#, "unknown limit \"maxEvent\""),
        ("5", "limits are the number 5"),
    ] {
        let e = limits(input).expect_err(says);
        assert!(e.message.contains(says), "{}", e.message);
    }
    // A saved state that is not one is refused, naming what.
    let good = serde_json::to_value(guard(2, MIN)).expect("json");
    for (broken, says) in [
        (serde_json::json!([]), "max_events is not a whole number"),
        (
            serde_json::json!({"max_events": 0, "max_age_ms": 1000, "horizon_ms": null, "seen": []}),
            "max_events is not a whole number in range",
        ),
        (
            serde_json::json!({"max_events": 2, "max_age_ms": 60000, "horizon_ms": "x", "seen": []}),
            "horizon_ms is not a whole number or null",
        ),
        (
            serde_json::json!({"max_events": 2, "max_age_ms": 60000, "seen": "x"}),
            "seen is not a list",
        ),
        (
            serde_json::json!({"max_events": 2, "max_age_ms": 60000, "seen": [["evt_1", T0], ["evt_2"]]}),
            "seen[1] is not [event_id, created_ms]",
        ),
    ] {
        let e = restore(&broken).expect_err(says);
        assert!(
            e.message.contains(says) && e.message.contains("start a new guard"),
            "{}",
            e.message
        );
    }
    assert_eq!(restore(&good).expect("restore"), guard(2, MIN));
}

proptest! {
    /// Whatever arrives in whatever order, saved and restored at any point: an id is
    /// first-seen at most once, the guard never holds more than its limit, and with room
    /// and time enough every id is first-seen exactly once.
    #[test]
    fn no_id_is_ever_new_twice(
        deliveries in prop::collection::vec((0i64..40, 0i64..30_000), 1..300),
        max_events in 1usize..50,
        save_every in 1usize..20,
    ) {
        let mut g = guard(max_events, 5 * MIN);
        let mut roomy = guard(100, 30 * 86_400_000);
        let mut now = T0;
        let mut new_ids = std::collections::HashSet::new();
        let mut roomy_new = std::collections::HashSet::new();
        for (i, (n, step)) in deliveries.into_iter().enumerate() {
            now += step;
            let id = format!("evt_{n}");
            // Each id has one creation time, as a real event does.
            let created = T0 + n * 7_000;
            if g.check_id(&id, created, now as f64) == Sighting::FirstSeen {
                prop_assert!(new_ids.insert(id.clone()), "{} new twice", id);
            }
            prop_assert!(g.len() <= max_events);
            let roomy_says = roomy.check_id(&id, T0, T0 as f64);
            prop_assert_eq!(roomy_says == Sighting::FirstSeen, roomy_new.insert(id));
            if i % save_every == 0 {
                g = restore(&serde_json::to_value(&g).unwrap()).unwrap();
            }
        }
    }
}
