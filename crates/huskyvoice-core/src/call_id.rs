//! Call-id rules (API-CONTRACT §3.1): after trimming ASCII whitespace, 1 to 128 characters,
//! each an ASCII letter, digit, `_` or `-`. Anything else could change the request path.

use crate::error::{describe_char, CoreError, ErrorCode};

pub const MAX_CALL_ID_LEN: usize = 128;

fn is_allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Returns the normalised call id (surrounding ASCII whitespace trimmed) or an error that
/// names the offending character and its 1-based position in the trimmed id.
pub fn validate_call_id(input: &str) -> Result<String, CoreError> {
    check_call_id(input).map(str::to_string)
}

/// [`validate_call_id`] without the copy: the trimmed id, borrowed from `input`.
pub fn check_call_id(input: &str) -> Result<&str, CoreError> {
    let id = input.trim_ascii();
    if id.is_empty() {
        return Err(CoreError::new(
            ErrorCode::InvalidCallId,
            "Call ID is empty. Provide the id HuskyVoice returned when the call was scheduled, e.g. call_abc_123.",
        ));
    }
    if let Some((index, c)) = id.chars().enumerate().find(|(_, c)| !is_allowed(*c)) {
        return Err(CoreError::new(
            ErrorCode::InvalidCallId,
            format!(
                "Call ID \"{}\" has {} at position {}. A call id may contain only ASCII letters, digits, '_' and '-' (e.g. call_abc_123); remove or replace that character.",
                shown(id),
                describe_char(c),
                index + 1
            ),
        ));
    }
    // Every remaining character is ASCII, so bytes and characters coincide here.
    if id.len() > MAX_CALL_ID_LEN {
        return Err(CoreError::new(
            ErrorCode::InvalidCallId,
            format!(
                "Call ID is {} characters long; the maximum is {MAX_CALL_ID_LEN}. Check that the field holds a single call id, not a list or a whole record.",
                id.len()
            ),
        ));
    }
    Ok(id)
}

/// Quotes a rejected id in an error message, shortened so a pasted document stays readable
/// and with control characters made visible.
fn shown(id: &str) -> String {
    const LIMIT: usize = 40;
    let mut out: String = id
        .chars()
        .take(LIMIT)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if id.chars().count() > LIMIT {
        out.push('…');
    }
    out
}

/// Percent-encodes a path segment. Validated ids never need it, but the request builder
/// encodes anyway so that the URL stays correct even if the id rules are ever widened.
pub fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    push_path_segment(&mut out, segment);
    out
}

/// Appends `segment` percent-encoded to `out`.
pub fn push_path_segment(out: &mut String, segment: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xf)] as char);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_documented_examples() {
        for id in [
            "call_abc_123",
            "call_abc_789",
            "call_abc123",
            "550e8400-e29b-41d4-a716-446655440000",
        ] {
            assert_eq!(validate_call_id(id).as_deref(), Ok(id));
        }
    }

    #[test]
    fn trims_surrounding_ascii_whitespace() {
        assert_eq!(validate_call_id("  call_1\t\n").as_deref(), Ok("call_1"));
    }

    #[test]
    fn rejects_empty_and_blank() {
        for input in ["", "   ", "\t\n"] {
            let err = validate_call_id(input).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidCallId);
            assert!(err.message.contains("empty"), "{}", err.message);
        }
    }

    #[test]
    fn names_character_and_position() {
        let cases = [
            ("a/b", "'/'", 2),
            ("../x", "'.'", 1),
            ("a?b", "'?'", 2),
            ("%2F", "'%'", 1),
            ("call#1", "'#'", 5),
            ("call 1", "a space", 5),
            ("callé", "U+00E9", 5),
            ("ab\u{0}", "U+0000", 3),
        ];
        for (input, what, pos) in cases {
            let err = validate_call_id(input).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidCallId);
            assert!(err.message.contains(what), "{input}: {}", err.message);
            assert!(
                err.message.contains(&format!("position {pos}")),
                "{input}: {}",
                err.message
            );
        }
    }

    #[test]
    fn length_limits() {
        assert!(validate_call_id(&"a".repeat(128)).is_ok());
        let err = validate_call_id(&"a".repeat(129)).unwrap_err();
        assert!(err.message.contains("129 characters"), "{}", err.message);
    }

    #[test]
    fn encodes_reserved_bytes() {
        assert_eq!(encode_path_segment("a/b c"), "a%2Fb%20c");
        assert_eq!(encode_path_segment("call_abc-1"), "call_abc-1");
    }
}
