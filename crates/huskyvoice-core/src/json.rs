//! A small JSON reader and writer, just what the core needs: response bodies and the option
//! objects JavaScript hands over as JSON text. Strings borrow from the input unless they
//! contain escapes. Replaces `serde_json` in the shipped code: its generic machinery, map
//! type and float formatting cost more than half the `.wasm` module, and its tree is slower
//! to build than this one.
//!
//! The reader never panics: malformed input, nesting deeper than [`MAX_DEPTH`] or raw
//! control characters in strings give `None`. Lone UTF-16 surrogates in `\u` escapes (which
//! `JSON.stringify` emits for such JS strings) become U+FFFD instead of failing the parse.

use std::borrow::Cow;

/// Deepest nesting of arrays and objects accepted (serde_json's default limit too).
pub const MAX_DEPTH: usize = 128;

#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    Num(f64),
    Str(Cow<'a, str>),
    Arr(Vec<Json<'a>>),
    /// Members in document order; lookups take the last of duplicate keys, as JS does.
    Obj(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl<'a> Json<'a> {
    /// Parses one JSON text (surrounding whitespace allowed).
    pub fn parse(text: &'a str) -> Option<Json<'a>> {
        let mut p = Parser {
            src: text,
            s: text.as_bytes(),
            i: 0,
        };
        p.ws();
        let v = p.value(0)?;
        p.ws();
        (p.i == p.s.len()).then_some(v)
    }

    /// Parses a top-level array one element at a time, handing each to `f` (which returns
    /// `false` to stop early). A batch then never holds the whole tree in memory. `None`
    /// when the text is not an array or turns out malformed; elements before the fault have
    /// been handed over by then, so callers should discard what they built from them.
    pub fn for_each_item(text: &'a str, mut f: impl FnMut(Json<'a>) -> bool) -> Option<()> {
        let mut p = Parser {
            src: text,
            s: text.as_bytes(),
            i: 0,
        };
        p.ws();
        if p.peek()? != b'[' {
            return None;
        }
        p.i += 1;
        p.ws();
        if p.peek()? == b']' {
            p.i += 1;
        } else {
            loop {
                p.ws();
                if !f(p.value(1)?) {
                    return Some(());
                }
                p.ws();
                match p.peek()? {
                    b',' => p.i += 1,
                    b']' => {
                        p.i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        p.ws();
        (p.i == p.s.len()).then_some(())
    }

    /// `self[key]` for an object.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Obj(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Num(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Json::Obj(_))
    }
}

struct Parser<'a> {
    src: &'a str,
    s: &'a [u8],
    i: usize,
}

/// Powers of ten that f64 represents exactly: products and quotients with them round once.
const EXACT_POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

impl<'a> Parser<'a> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    #[inline(always)]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn eat(&mut self, word: &str) -> Option<()> {
        let end = self.i.checked_add(word.len())?;
        (self.s.get(self.i..end)? == word.as_bytes()).then(|| self.i = end)
    }

    fn value(&mut self, depth: usize) -> Option<Json<'a>> {
        match self.peek()? {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b'"' => self.string().map(Json::Str),
            b't' => self.eat("true").map(|_| Json::Bool(true)),
            b'f' => self.eat("false").map(|_| Json::Bool(false)),
            b'n' => self.eat("null").map(|_| Json::Null),
            b'-' | b'0'..=b'9' => self.number().map(Json::Num),
            _ => None,
        }
    }

    fn array(&mut self, depth: usize) -> Option<Json<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(Json::Arr(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth)?);
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(Json::Arr(items));
                }
                _ => return None,
            }
        }
    }

    fn object(&mut self, depth: usize) -> Option<Json<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.i += 1;
        // Objects here (options, responses, bodies) have a handful of members: one allocation.
        let mut members = Vec::with_capacity(8);
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(Json::Obj(members));
        }
        loop {
            self.ws();
            if self.peek()? != b'"' {
                return None;
            }
            let key = self.string()?;
            self.ws();
            if self.peek()? != b':' {
                return None;
            }
            self.i += 1;
            self.ws();
            members.push((key, self.value(depth)?));
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(Json::Obj(members));
                }
                _ => return None,
            }
        }
    }

    /// At the opening quote. Borrowed unless the string has escapes.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.i += 1;
        let start = self.i;
        self.plain_run()?;
        if self.s[self.i] == b'"' {
            let s = self.src.get(start..self.i)?;
            self.i += 1;
            return Some(Cow::Borrowed(s));
        }
        let mut out = String::with_capacity(self.i - start + 16);
        out.push_str(self.src.get(start..self.i)?);
        loop {
            // At a backslash.
            self.i += 1;
            let escape = *self.s.get(self.i)?;
            self.i += 1;
            let c = match escape {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => self.unicode()?,
                _ => return None,
            };
            out.push(c);
            let chunk = self.i;
            self.plain_run()?;
            out.push_str(self.src.get(chunk..self.i)?);
            if self.s[self.i] == b'"' {
                self.i += 1;
                return Some(Cow::Owned(out));
            }
        }
    }

    /// Advances to the next `"` or `\`; fails at the end or at a raw control character.
    fn plain_run(&mut self) -> Option<()> {
        self.i = skip_plain(self.s, self.i);
        loop {
            match *self.s.get(self.i)? {
                b'"' | b'\\' => return Some(()),
                0..=0x1f => return None,
                _ => self.i += 1,
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let end = self.i.checked_add(4)?;
        let digits = self.s.get(self.i..end)?;
        let mut n = 0u32;
        for &d in digits {
            n = n * 16 + (d as char).to_digit(16)?;
        }
        self.i = end;
        Some(n)
    }

    /// After `\u`: one code unit, or a surrogate pair written as two escapes.
    fn unicode(&mut self) -> Option<char> {
        let unit = self.hex4()?;
        if (0xD800..0xDC00).contains(&unit) && self.s.get(self.i..self.i + 2) == Some(b"\\u") {
            let save = self.i;
            self.i += 2;
            let low = self.hex4()?;
            if (0xDC00..0xE000).contains(&low) {
                let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                return Some(char::from_u32(c).unwrap_or('\u{FFFD}'));
            }
            // Not a low surrogate: the first unit is lone; read the second on its own.
            self.i = save;
        }
        Some(char::from_u32(unit).unwrap_or('\u{FFFD}'))
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    /// JSON number grammar; integers up to 2^53 and short decimals are exact, others are
    /// within an ulp or two (enough for status codes, clocks and messages).
    fn number(&mut self) -> Option<f64> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.i += 1;
        }
        let int_start = self.i;
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        let int_end = self.i;
        let (mut frac_start, mut frac_end) = (int_end, int_end);
        if self.peek() == Some(b'.') {
            self.i += 1;
            frac_start = self.i;
            if self.digits() == 0 {
                return None;
            }
            frac_end = self.i;
        }
        let mut exp: i64 = 0;
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            let exp_negative = match self.peek()? {
                b'-' => {
                    self.i += 1;
                    true
                }
                b'+' => {
                    self.i += 1;
                    false
                }
                _ => false,
            };
            let start = self.i;
            if self.digits() == 0 {
                return None;
            }
            for &d in &self.s[start..self.i] {
                exp = (exp * 10 + i64::from(d - b'0')).min(100_000);
            }
            if exp_negative {
                exp = -exp;
            }
        }
        // Mantissa from the first 19 significant digits; later digits only shift the scale.
        let mut mantissa: u64 = 0;
        let mut taken = 0;
        let mut scale = exp;
        let int_digits = &self.s[int_start..int_end];
        let frac_digits = &self.s[frac_start..frac_end];
        for (k, &d) in int_digits.iter().chain(frac_digits).enumerate() {
            let in_fraction = k >= int_digits.len();
            if taken < 19 {
                if mantissa != 0 || d != b'0' {
                    taken += 1;
                }
                mantissa = mantissa * 10 + u64::from(d - b'0');
                if in_fraction {
                    scale -= 1;
                }
            } else if !in_fraction {
                scale += 1;
            }
        }
        let m = mantissa as f64;
        let value = if mantissa == 0 {
            0.0
        } else if mantissa < (1 << 53) && (0..=22).contains(&scale) {
            m * EXACT_POW10[scale as usize]
        } else if mantissa < (1 << 53) && (-22..0).contains(&scale) {
            m / EXACT_POW10[(-scale) as usize]
        } else if scale > 308 + 19 {
            f64::INFINITY
        } else if scale < -(324 + 19) {
            0.0
        } else {
            let s = scale as i32;
            if s >= 0 {
                m * 10f64.powi(s)
            } else if s >= -300 {
                m / 10f64.powi(-s)
            } else {
                m / 1e300 / 10f64.powi(-s - 300)
            }
        };
        // Rounding in the scaled path can overshoot f64::MAX for values just below it.
        let value = if value.is_infinite() && scale + taken <= 309 {
            f64::MAX
        } else {
            value
        };
        Some(if negative { -value } else { value })
    }
}

/// Eight bytes at a time (SWAR): the index of the first 8-byte block at or after `i` that
/// may hold a `"`, a `\` or a control character (the exact byte is found by the caller).
/// Strings are mostly plain text, and wasm32 has 64-bit integers but no SIMD here.
#[inline]
fn skip_plain(s: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(block) = s.get(i..i.wrapping_add(8)) {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(block);
        let w = u64::from_le_bytes(bytes);
        let zero_in = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
        let quote = zero_in(w ^ (ONES * u64::from(b'"')));
        let backslash = zero_in(w ^ (ONES * u64::from(b'\\')));
        let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
        if quote | backslash | control != 0 {
            break;
        }
        i += 8;
    }
    i
}

/// Appends `s` as a JSON string literal (quotes included), escaping what JSON requires.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = skip_plain(bytes, 0);
    while let Some(&b) = bytes.get(i) {
        let escape: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(s.get(start..i).unwrap_or(""));
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xf)] as char);
        } else {
            out.push_str(escape);
        }
        start = i + 1;
        i = skip_plain(bytes, start);
    }
    out.push_str(s.get(start..).unwrap_or(""));
    out.push('"');
}

/// Appends an unsigned integer in decimal.
pub fn write_u64(out: &mut String, mut n: u64) {
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
    for &d in &buf[i..] {
        out.push(d as char);
    }
}

#[cfg(test)]
mod tests;

/// Output objects written as JSON text by hand: the same text `serde_json` writes for them
/// (checked in the tests), without its machinery in the `.wasm`.
pub trait ToJson {
    fn write_json(&self, out: &mut String);

    fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }
}

impl ToJson for crate::CancelRequest {
    fn write_json(&self, out: &mut String) {
        out.push_str("{\"method\":");
        write_str(out, self.method);
        out.push_str(",\"url\":");
        write_str(out, &self.url);
        out.push_str(",\"headers\":{");
        for (i, (name, value)) in self.headers.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_str(out, name);
            out.push(':');
            write_str(out, value);
        }
        out.push('}');
        if let Some(body) = &self.body {
            out.push_str(",\"body\":");
            write_str(out, body);
        }
        out.push('}');
    }
}

impl ToJson for crate::CoreError {
    fn write_json(&self, out: &mut String) {
        out.push_str("{\"code\":\"");
        out.push_str(self.code.as_str());
        out.push_str("\",\"message\":");
        write_str(out, &self.message);
        out.push('}');
    }
}

impl ToJson for crate::CancelResult {
    fn write_json(&self, out: &mut String) {
        out.push_str("{\"outcome\":\"");
        out.push_str(self.outcome.as_str());
        out.push_str("\",\"callId\":");
        write_str(out, &self.call_id);
        if let Some(status) = &self.call_status {
            out.push_str(",\"callStatus\":");
            write_str(out, status);
        }
        out.push_str(",\"message\":");
        write_str(out, &self.message);
        out.push_str(",\"httpStatus\":");
        match self.http_status {
            Some(n) => write_u64(out, u64::from(n)),
            None => out.push_str("null"),
        }
        out.push_str(if self.retryable {
            ",\"retryable\":true"
        } else {
            ",\"retryable\":false"
        });
        if let Some(ms) = self.retry_after_ms {
            out.push_str(",\"retryAfterMs\":");
            write_u64(out, ms);
        }
        out.push('}');
    }
}
