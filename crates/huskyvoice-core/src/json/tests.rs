//! The reader is checked against serde_json as an oracle: whatever serde_json accepts, this
//! reader accepts with the same value; nothing makes it panic.
use super::*;
use proptest::prelude::*;
use serde_json::Value;

fn same(ours: &Json<'_>, theirs: &Value) -> bool {
    match (ours, theirs) {
        (Json::Null, Value::Null) => true,
        (Json::Bool(a), Value::Bool(b)) => a == b,
        (Json::Num(a), Value::Number(b)) => {
            let b = b.as_f64().unwrap_or(f64::NAN);
            a == &b || ((a - b).abs() <= b.abs() * 1e-12) || (b.abs() < 1e-300 && a.abs() < 1e-300)
        }
        (Json::Str(a), Value::String(b)) => a == b,
        (Json::Arr(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Json::Obj(a), Value::Object(b)) => {
            let mut keys: Vec<&str> = a.iter().map(|(k, _)| k.as_ref()).collect();
            keys.sort_unstable();
            keys.dedup();
            keys.len() == b.len()
                && b.iter()
                    .all(|(k, v)| ours.get(k).map(|o| same(o, v)).unwrap_or(false))
        }
        _ => false,
    }
}

fn check(text: &str) {
    let ours = Json::parse(text);
    if let Ok(theirs) = serde_json::from_str::<Value>(text) {
        let ours = ours.unwrap_or_else(|| panic!("rejected what serde_json accepts: {text:?}"));
        assert!(same(&ours, &theirs), "{text:?}: {ours:?} vs {theirs:?}");
    }
}

#[test]
fn reads_every_kind_of_value() {
    let v = Json::parse(
        r#" {"a":[1,-2.5,3e2,true,false,null],"b":{"c":"d\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}} "#,
    )
    .unwrap();
    let a = v.get("a").unwrap();
    assert_eq!(
        a,
        &Json::Arr(vec![
            Json::Num(1.0),
            Json::Num(-2.5),
            Json::Num(300.0),
            Json::Bool(true),
            Json::Bool(false),
            Json::Null
        ])
    );
    assert_eq!(
        v.get("b").unwrap().get("c").unwrap().as_str(),
        Some("d\"\\/\u{8}\u{c}\n\r\té😀")
    );
}

#[test]
fn plain_strings_are_borrowed() {
    let v = Json::parse(r#"{"k":"plain text"}"#).unwrap();
    assert!(matches!(
        v.get("k"),
        Some(Json::Str(Cow::Borrowed("plain text")))
    ));
}

#[test]
fn rejects_malformed_text() {
    for text in [
        "",
        " ",
        "{",
        "}",
        "[1,]",
        "{\"a\":1,}",
        "{a:1}",
        "01",
        "1.",
        ".5",
        "-",
        "1e",
        "1e+",
        "tru",
        "nul",
        "\"abc",
        "\"a\u{1}b\"",
        "\"\\x\"",
        "\"\\u12\"",
        "[1 2]",
        "{\"a\" 1}",
        "1 2",
        "\u{feff}1",
        "NaN",
        "+1",
        "[",
        "[[]",
        "{\"a\":}",
    ] {
        assert_eq!(Json::parse(text), None, "{text:?}");
        check(text);
    }
}

#[test]
fn depth_is_limited() {
    let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert!(Json::parse(&ok).is_some());
    let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
    assert_eq!(Json::parse(&deep), None);
    let very_deep = "[{\"a\":".repeat(100_000);
    assert_eq!(Json::parse(&very_deep), None);
}

#[test]
fn lone_surrogates_become_replacement_characters() {
    let v = Json::parse(r#""a\ud800b\udc00c\ud800\u0041""#).unwrap();
    assert_eq!(v.as_str(), Some("a\u{FFFD}b\u{FFFD}c\u{FFFD}A"));
}

#[test]
fn items_one_at_a_time() {
    let mut seen = Vec::new();
    assert_eq!(
        Json::for_each_item(r#" [1, {"a":"b"}, [2] ] "#, |v| {
            seen.push(v);
            true
        }),
        Some(())
    );
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[1].get("a").and_then(Json::as_str), Some("b"));
    let mut n = 0;
    assert_eq!(
        Json::for_each_item("[]", |_| {
            n += 1;
            true
        }),
        Some(())
    );
    assert_eq!(
        Json::for_each_item("[1,2,3]", |_| {
            n += 1;
            n < 2
        }),
        Some(())
    );
    assert_eq!(n, 2);
    for bad in ["", "{}", "[1,]", "[1 2]", "[1", "[1]x", "1"] {
        assert_eq!(Json::for_each_item(bad, |_| true), None, "{bad}");
    }
}

#[test]
fn duplicate_keys_take_the_last() {
    let v = Json::parse(r#"{"a":1,"a":2}"#).unwrap();
    assert_eq!(v.get("a"), Some(&Json::Num(2.0)));
}

#[test]
fn numbers() {
    for (text, n) in [
        ("0", 0.0),
        ("-0", -0.0),
        ("200", 200.0),
        ("1.5", 1.5),
        ("1700000000123", 1_700_000_000_123.0),
        ("9007199254740993", 9_007_199_254_740_992.0),
        ("1e400", f64::INFINITY),
        ("1e-400", 0.0),
        ("0.1", 0.1),
        ("123.456e-2", 1.23456),
    ] {
        assert_eq!(Json::parse(text), Some(Json::Num(n)), "{text}");
    }
    for text in [
        "12345678901234567890123",
        "0.000000000000000000000000123456789",
        "1.7976931348623157e308",
        "2.2250738585072014e-308",
        "123456789012345678901234567890e-20",
    ] {
        check(text);
    }
}

#[test]
fn writer_matches_serde_json() {
    for s in [
        "",
        "plain",
        "q\"b\\s/",
        "\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}",
        "é😀\u{2028}",
    ] {
        let mut out = String::new();
        write_str(&mut out, s);
        assert_eq!(out, serde_json::to_string(s).unwrap());
    }
    for n in [0, 7, 10, 429, u64::MAX] {
        let mut out = String::new();
        write_u64(&mut out, n);
        assert_eq!(out, n.to_string());
    }
}

#[test]
fn output_objects_match_serde_json() {
    use crate::interpret::{interpret_cancel_response, CancelResponse};
    use crate::request::{build_cancel_request, CancelOptions, Via};
    let rest = build_cancel_request(&CancelOptions {
        via: Some(Via::Rest),
        call_id: "call_1",
        api_key: Some("sk_live_abc\"def"),
        ..Default::default()
    })
    .unwrap();
    let hook = build_cancel_request(&CancelOptions {
        via: Some(Via::Webhook),
        call_id: "call_2",
        webhook: Some("tok_123"),
        ..Default::default()
    })
    .unwrap();
    for r in [rest, hook] {
        assert_eq!(r.to_json(), serde_json::to_string(&r).unwrap());
    }
    let e = crate::CoreError::new(crate::ErrorCode::InvalidCallId, "bad \"x\"\n");
    assert_eq!(e.to_json(), serde_json::to_string(&e).unwrap());
    for (status, body, ra) in [
        (
            Some(200),
            r#"{"status":"cancelled","message":"q\"\u0001"}"#,
            None,
        ),
        (Some(429), "", Some("7")),
        (None, "", None),
        (Some(409), r#"{"error":{"status":"ringing"}}"#, None),
    ] {
        let r = interpret_cancel_response(&CancelResponse {
            via: Via::Rest,
            call_id: "c",
            status_code: status,
            transport_error: None,
            retry_after: ra,
            body,
            now_ms: 0.0,
            secrets: &[],
        });
        assert_eq!(r.to_json(), serde_json::to_string(&r).unwrap());
    }
}

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((any::<String>(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn agrees_with_serde_json_on_valid_documents(v in arb_value(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&v) } else { serde_json::to_string(&v) }.unwrap();
        let ours = Json::parse(&text);
        prop_assert!(ours.is_some(), "{}", text);
        prop_assert!(same(ours.as_ref().unwrap(), &v), "{}", text);
    }

    #[test]
    fn never_panics_and_agrees_on_arbitrary_text(text in "\\PC{0,40}") {
        check(&text);
    }

    #[test]
    fn never_panics_on_json_like_text(text in "[\\[\\]{}\",:0-9eE.+\\-tfnrulas\\\\ ]{0,40}") {
        check(&text);
        // Item by item agrees with the whole parse.
        let mut items = Vec::new();
        let streamed = Json::for_each_item(&text, |v| { items.push(v); true }).map(|_| items);
        let whole = match Json::parse(&text) { Some(Json::Arr(list)) => Some(list), _ => None };
        prop_assert_eq!(streamed, whole);
    }

    #[test]
    fn mutated_documents(v in arb_value(), at in any::<prop::sample::Index>(), cut in any::<bool>(), c in any::<char>()) {
        let text = serde_json::to_string(&v).unwrap();
        let mut chars: Vec<char> = text.chars().collect();
        let i = at.index(chars.len() + 1);
        if cut && i < chars.len() { chars.remove(i); } else { chars.insert(i, c); }
        check(&chars.into_iter().collect::<String>());
    }

    #[test]
    fn numbers_agree(n in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
        check(&format!("{n}"));
        check(&format!("{n:e}"));
    }

    #[test]
    fn strings_round_trip_through_the_writer(s in any::<String>()) {
        let mut out = String::new();
        write_str(&mut out, &s);
        prop_assert_eq!(&out, &serde_json::to_string(&s).unwrap());
        let back = Json::parse(&out);
        prop_assert_eq!(back.as_ref().and_then(Json::as_str), Some(s.as_str()));
    }
}
