//! The states a HuskyVoice call can be in (API-CONTRACT §1 and §6), and what each means for a
//! cancel: only a call that has not been dialled yet can be stopped.

/// Every documented state, in lower snake case: `queued → initiated → ringing → answered /
/// in_progress → completed | failed`, plus the pre-dial `pending` and `scheduled`, the
/// do-not-disturb refusal `disallowed`, and `cancelled`.
pub const CALL_STATES: [&str; 11] = [
    "queued",
    "pending",
    "scheduled",
    "initiated",
    "ringing",
    "answered",
    "in_progress",
    "completed",
    "failed",
    "disallowed",
    "cancelled",
];

/// Not dialled yet: a cancel should still succeed.
pub fn is_pre_dial(state: &str) -> bool {
    matches!(state, "queued" | "pending" | "scheduled")
}

/// Dialling began or the call ended without being cancelled: too late to cancel.
pub fn is_past_cancelling(state: &str) -> bool {
    !is_pre_dial(state) && state != "cancelled" && CALL_STATES.contains(&state)
}

/// A documented state, compared ASCII-case-insensitively with `-` and ` ` read as `_`
/// (and the American `canceled`), without allocating.
pub fn normalise_state(s: &str) -> Option<&'static str> {
    let s = s.trim().as_bytes();
    let same = |want: &[u8]| {
        s.len() == want.len()
            && s.iter().zip(want).all(|(&a, &b)| {
                let a = match a {
                    b'-' | b' ' => b'_',
                    a => a.to_ascii_lowercase(),
                };
                a == b
            })
    };
    if same(b"canceled") {
        return Some("cancelled");
    }
    CALL_STATES.iter().copied().find(|st| same(st.as_bytes()))
}

/// A state that a server message names in words, such as "Call is already ringing", "call is
/// in progress" or "status: completed": a state word right after one of "already", "is",
/// "was", "been", "now", "currently" or "status". A word alone ("Cancellation failed") does
/// not count, so an error that merely uses the word is not read as the call's state.
pub fn state_named_in(message: &str) -> Option<&'static str> {
    const LEADS: [&str; 7] = ["already", "is", "was", "been", "now", "currently", "status"];
    let words: Vec<&str> = message
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .filter(|w| !w.is_empty())
        .collect();
    for (i, pair) in words.windows(2).enumerate() {
        if !LEADS.iter().any(|l| pair[0].eq_ignore_ascii_case(l)) {
            continue;
        }
        // "in progress" is two words in prose.
        if pair[1].eq_ignore_ascii_case("in")
            && words
                .get(i + 2)
                .is_some_and(|w| w.eq_ignore_ascii_case("progress"))
        {
            return Some("in_progress");
        }
        if let Some(state) = normalise_state(pair[1]) {
            return Some(state);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_cover_every_state() {
        for s in CALL_STATES {
            let classes = [is_pre_dial(s), is_past_cancelling(s), s == "cancelled"];
            assert_eq!(classes.iter().filter(|c| **c).count(), 1, "{s}");
        }
        assert!(is_pre_dial("pending") && is_pre_dial("scheduled"));
        assert!(is_past_cancelling("disallowed") && is_past_cancelling("answered"));
        assert!(!is_past_cancelling("weird"));
    }

    #[test]
    fn normalises_spelling() {
        assert_eq!(normalise_state(" In-Progress "), Some("in_progress"));
        assert_eq!(normalise_state("CANCELED"), Some("cancelled"));
        assert_eq!(normalise_state("Scheduled"), Some("scheduled"));
        assert_eq!(normalise_state("done"), None);
    }

    #[test]
    fn reads_states_from_prose_only_after_a_lead_word() {
        let cases = [
            ("Call is already ringing", Some("ringing")),
            ("The call is in progress.", Some("in_progress")),
            ("call already initiated", Some("initiated")),
            ("This call has been completed", Some("completed")),
            ("Cannot cancel: status: disallowed", Some("disallowed")),
            ("Call was answered", Some("answered")),
            ("Cancellation failed", None),
            ("failed to parse request", None),
            ("Call not found", None),
            ("", None),
        ];
        for (message, want) in cases {
            assert_eq!(state_named_in(message), want, "{message}");
        }
    }
}
