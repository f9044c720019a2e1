//! JSON text of a [`Loose`] value, for request bodies. Written by hand on purpose: serde_json's
//! serializer and its `Value` tree cost the wasm module about 80 KB (measured: 263 KB with them,
//! against the 200 KB budget), while this is a page of code. Numbers keep their exact value:
//! whole numbers as integers, others in the shortest form that reads back the same (`ryu`).

use crate::loose::Loose;

pub fn to_json_text(v: &Loose<'_>) -> String {
    let mut out = String::new();
    write(&mut out, v);
    out
}

fn write(out: &mut String, v: &Loose<'_>) {
    match v {
        Loose::Null => out.push_str("null"),
        Loose::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Loose::Num(n) => number(out, *n),
        Loose::Str(s) => string(out, s),
        Loose::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(out, item);
            }
            out.push(']');
        }
        Loose::Object(members) => {
            out.push('{');
            for (i, (k, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(out, k);
                out.push(':');
                write(out, item);
            }
            out.push('}');
        }
    }
}

/// As `JSON.stringify` does: a number that is not finite becomes `null`.
fn number(out: &mut String, n: f64) {
    if !n.is_finite() {
        out.push_str("null");
    } else if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        let mut digits = itoa_u64(n.abs() as u64);
        if n < 0.0 {
            digits.insert(0, '-');
        }
        out.push_str(&digits);
    } else {
        out.push_str(ryu::Buffer::new().format_finite(n));
    }
}

fn itoa_u64(mut n: u64) -> String {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf[i..].iter().map(|&b| char::from(b)).collect()
}

fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[(c as usize) >> 4]));
                out.push(char::from(HEX[(c as usize) & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_reads_back_as_the_same_value() {
        let src = r#"{"a":[1,-2,0.1,1e300,12345678901234],"s":"q\"\\\n\u0001é😀","t":true,"n":null,"o":{}}"#;
        let v: Loose<'_> = serde_json::from_str(src).unwrap();
        let text = to_json_text(&v);
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        let want: serde_json::Value = serde_json::from_str(src).unwrap();
        assert_eq!(back, want, "{text}");
        assert_eq!(to_json_text(&Loose::Num(f64::NAN)), "null");
        assert_eq!(to_json_text(&Loose::Num(-0.5)), "-0.5");
    }
}
