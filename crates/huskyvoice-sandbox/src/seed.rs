//! The seed format, shared by `--seed FILE` and `POST /__sandbox/calls`:
//! `{"calls":[{"call_id":"call_a","status":"queued"}, ...]}` (a bare list is accepted too).

use std::path::Path;

use serde::Deserialize;

use crate::state::{valid_call_id, SeedCall};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Wrapped {
    calls: Vec<SeedCall>,
}

pub fn parse(bytes: &[u8]) -> Result<Vec<SeedCall>, String> {
    let bare = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let calls = if bare {
        serde_json::from_slice::<Vec<SeedCall>>(bytes)
    } else {
        serde_json::from_slice::<Wrapped>(bytes).map(|w| w.calls)
    }
    .map_err(|err| format!("expected {{\"calls\": [{{\"call_id\", \"status\"}}, ...]}}: {err}"))?;
    for call in &calls {
        if !valid_call_id(&call.call_id) {
            return Err(format!(
                "call_id {:?} must be 1 to 128 ASCII letters, digits, `_` or `-`",
                call.call_id
            ));
        }
    }
    Ok(calls)
}

pub fn load_file(path: &Path) -> Result<Vec<SeedCall>, String> {
    let bytes = std::fs::read(path)
        .map_err(|err| format!("cannot read seed file {}: {err}", path.display()))?;
    parse(&bytes).map_err(|err| format!("bad seed file {}: {err}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::CallStatus;

    #[test]
    fn accepts_both_shapes_and_defaults_to_queued() {
        let calls = parse(br#"{"calls":[{"call_id":"a","status":"ringing"},{"call_id":"b"}]}"#)
            .expect("valid");
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].status, CallStatus::Ringing);
        assert_eq!(calls[1].status, CallStatus::Queued);
        assert_eq!(parse(br#"[{"call_id":"a"}]"#).expect("valid").len(), 1);
    }

    #[test]
    fn rejects_bad_input_with_a_reason() {
        let err = parse(br#"{"calls":[{"call_id":"a","status":"paused"}]}"#).expect_err("bad");
        assert!(err.contains("paused"), "{err}");
        assert!(parse(br#"{"calls":[{"call_id":"a/b"}]}"#).is_err());
        assert!(parse(b"not json").is_err());
    }
}
