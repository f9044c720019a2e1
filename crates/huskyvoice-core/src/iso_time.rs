//! RFC 3339 timestamps (ISO 8601 as HuskyVoice writes `created_at`) to Unix milliseconds.
//! Thirty lines beside `http_date`'s calendar arithmetic instead of the `time` crate: its
//! `OffsetDateTime::parse(_, &Rfc3339)` passes the same tests but made the `.wasm` 10.5 KB
//! bigger (274,283 → 284,753 bytes, measured when events were added).

use crate::http_date::days_from_civil;

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, `T` in either case or a space; `None` for
/// anything else, including a date or time out of range.
pub fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let digits = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        part.iter().try_fold(0i64, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
        })
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(at(4, b'-')
        && at(7, b'-')
        && matches!(b.get(10), Some(b'T' | b't' | b' '))
        && at(13, b':')
        && at(16, b':'))
    {
        return None;
    }
    let (y, mo, d) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    let (h, mi, se) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    let mut i = 19;
    let mut ms = 0;
    if at(i, b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        // Milliseconds: the first three digits, padded.
        ms = (0..3).fold(0, |n, k| {
            n * 10
                + b.get(start + k)
                    .filter(|_| start + k < i)
                    .map_or(0, |c| i64::from(c - b'0'))
        });
    }
    let offset_min = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (oh, om) = (digits(i + 1, 2)?, digits(i + 4, 2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let off = oh * 60 + om;
            if *sign == b'+' {
                off
            } else {
                -off
            }
        }
        _ => return None,
    };
    let days_in_month = match mo {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    if d < 1 || d > days_in_month || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se - offset_min * 60;
    Some(secs * 1000 + ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_offsets_fractions_and_refusals() {
        let t = 1_796_613_762_000; // 2026-12-07T03:22:42Z
        assert_eq!(parse_rfc3339_ms("2026-12-07T03:22:42Z"), Some(t));
        assert_eq!(parse_rfc3339_ms("2026-12-07t03:22:42z"), Some(t));
        assert_eq!(parse_rfc3339_ms("2026-12-07 03:22:42Z"), Some(t));
        assert_eq!(parse_rfc3339_ms("2026-12-07T03:22:42.5Z"), Some(t + 500));
        assert_eq!(
            parse_rfc3339_ms("2026-12-07T03:22:42.123456Z"),
            Some(t + 123)
        );
        assert_eq!(parse_rfc3339_ms("2026-12-07T08:52:42+05:30"), Some(t));
        assert_eq!(parse_rfc3339_ms("2026-12-06T22:22:42-05:00"), Some(t));
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00Z"), Some(0));
        assert!(parse_rfc3339_ms("2028-02-29T00:00:00Z").is_some());
        for bad in [
            "",
            "2026-12-07",
            "2026-12-07T03:22:42",
            "2026-12-07T03:22Z",
            "2026-13-07T03:22:42Z",
            "2026-02-29T00:00:00Z",
            "2026-12-07T24:00:00Z",
            "2026-12-07T03:22:42.Z",
            "2026-12-07T03:22:42+0530",
            "yesterday",
            "２026-12-07T03:22:42Z",
        ] {
            assert_eq!(parse_rfc3339_ms(bad), None, "{bad}");
        }
    }
}
