//! Substring search and replace on bytes. `str::contains`/`find`/`replace` with a `&str`
//! pattern bring the standard library's two-way substring searcher into the `.wasm`, with its
//! panicking slice paths and their formatting (about 5 KB); the needles here are short and the
//! texts are messages, so a plain window search is as fast and small.

/// Where `needle` first occurs in `hay`.
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.as_bytes();
    if n.is_empty() {
        return Some(0);
    }
    hay.as_bytes().windows(n.len()).position(|w| w == n)
}

pub fn contains(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}

/// `text` with every occurrence of `from` (non-empty) replaced by `to`.
pub fn replace_all(text: &str, from: &str, to: &str) -> String {
    if from.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = find(rest, from) {
        // `at` and `at + from.len()` are char boundaries: `from` is a whole str found in place.
        let (head, tail) = rest.split_at_checked(at).unwrap_or((rest, ""));
        out.push_str(head);
        out.push_str(to);
        rest = tail.get(from.len()..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// The parts joined by `sep`; `[T]::join` costs a generic copy routine per use site.
/// `text` with its first letter in upper case: "the call to …" → "The call to …". ASCII
/// only: the core's own phrases start with ASCII, and Unicode's case tables cost kilobytes.
pub fn capitalise(text: &str) -> String {
    let mut out = text.to_string();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

pub fn join<S: AsRef<str>>(parts: &[S], sep: &str) -> String {
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(p.as_ref());
    }
    out
}

/// `text` with the first occurrence of `from` replaced by `to`.
pub fn replace_first(text: &str, from: &str, to: &str) -> String {
    match find(text, from) {
        Some(at) => {
            let mut out = String::with_capacity(text.len() + to.len());
            out.push_str(text.get(..at).unwrap_or(""));
            out.push_str(to);
            out.push_str(text.get(at + from.len()..).unwrap_or(""));
            out
        }
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_the_standard_library() {
        for (hay, needle) in [
            ("abcabc", "ca"),
            ("é à é", "à"),
            ("x", "xyz"),
            ("", "a"),
            ("aaa", "aa"),
        ] {
            assert_eq!(find(hay, needle), hay.find(needle), "{hay} {needle}");
            assert_eq!(
                replace_all(hay, needle, "-"),
                hay.replace(needle, "-"),
                "{hay} {needle}"
            );
            assert_eq!(
                replace_first(hay, needle, "-"),
                hay.replacen(needle, "-", 1)
            );
        }
        assert_eq!(replace_all("abc", "", "-"), "abc");
        assert_eq!(join(&["a", "b", "c"], ", "), ["a", "b", "c"].join(", "));
        assert_eq!(join::<&str>(&[], ", "), "");
    }
}
