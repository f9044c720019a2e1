use super::signature::verify;
use super::*;
use proptest::prelude::*;

/// RFC 4231 §4: HMAC-SHA256 test cases 1-4, 6 and 7 (key, data, HMAC).
fn rfc4231() -> Vec<(Vec<u8>, Vec<u8>, &'static str)> {
    vec![
        (vec![0x0b; 20], b"Hi There".to_vec(), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (b"Jefe".to_vec(), b"what do ya want for nothing?".to_vec(), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (vec![0xaa; 20], vec![0xdd; 50], "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        ((1..=25).collect(), vec![0xcd; 50], "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        (vec![0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        (vec![0xaa; 131], b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(), "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]
}

#[test]
fn rfc4231_vectors_verify_in_either_case_and_with_the_sha256_prefix() {
    for (key, data, hmac) in rfc4231() {
        for header in [
            hmac.to_string(),
            hmac.to_ascii_uppercase(),
            format!("sha256={hmac}"),
            format!("SHA256={}", hmac.to_ascii_uppercase()),
            format!("  {hmac}\t"),
        ] {
            let expected = parse_signature(Some(&header)).expect(&header);
            assert_eq!(verify(&key, &data, &expected), Ok(()), "{header}");
        }
        // The same digits over other data, or under another key, are refused.
        let expected = parse_signature(Some(hmac)).expect(hmac);
        let mut other = data.clone();
        other.push(b' ');
        assert!(matches!(
            verify(&key, &other, &expected),
            Err(Rejection::WrongSignature { .. })
        ));
        assert!(matches!(
            verify(b"Jeff", &data, &expected),
            Err(Rejection::WrongSignature { .. })
        ));
    }
    // Test case 2's key is text, so `sign` (the sandbox's signer) must give its HMAC too.
    assert_eq!(
        sign("Jefe", b"what do ya want for nothing?"),
        rfc4231()[1].2
    );
}

#[test]
fn rfc4231_truncated_mac_is_malformed_never_accepted_as_a_prefix() {
    // Test case 5 gives only the first 128 bits; a prefix of the right HMAC proves nothing.
    let truncated = "a3b6167473100ee06e0c796c2955552b";
    let full = sign("secret", b"{}");
    for header in [truncated, &full[..63], &full[..62], &full[..32], &full[..2]] {
        let got = parse_signature(Some(header));
        match got {
            Err(Rejection::MalformedSignature { message }) => {
                assert!(
                    message.contains(&format!("has {} hex digits instead of 64", header.len())),
                    "{message}"
                );
            }
            other => panic!("{header}: {other:?}"),
        }
    }
    let longer = format!("{full}00");
    assert!(matches!(
        parse_signature(Some(&longer)),
        Err(Rejection::MalformedSignature { .. })
    ));
}

const SECRET: &str = "whsec_test_0123456789";

/// A body as a sender might write it: odd whitespace, members out of the usual order,
/// non-ASCII text and escapes.
const ODD_BODY: &str = "{ \"data\" :{\"summary\":\"Kunde zahlt \u{fc}berweisung — नमस्ते \\u00e9 \\\"ok\\\"\",\n\t\"call_id\":\"call_9f\",\"status\":\"completed\",\"duration_seconds\":42.50},\r\n  \"org_id\":\"org_1\",\"created_at\":\"2026-12-07T03:22:42Z\",\"event_type\":\"call.completed\",\"event_id\":\"evt_1\",\"extra\":[1,2] }  ";

#[test]
fn verified_body_keeps_its_exact_bytes_whitespace_order_and_text() {
    let header = sign(SECRET, ODD_BODY.as_bytes());
    let event = verify_event(SECRET, ODD_BODY.as_bytes(), Some(&header)).expect("verified");
    assert_eq!(event.event_id, "evt_1");
    assert_eq!(event.event_type, "call.completed");
    assert_eq!(event.created_at, "2026-12-07T03:22:42Z");
    assert_eq!(event.org_id, "org_1");
    let data = serde_json::to_value(&event.data).expect("data");
    assert_eq!(data["summary"], "Kunde zahlt überweisung — नमस्ते é \"ok\"");
    assert_eq!(data["duration_seconds"], 42.5);
    // Members in the sender's order.
    assert_eq!(data.as_object().map(|o| o.len()), Some(4));
    let text = serde_json::to_string(&event.data).expect("text");
    assert!(text.starts_with("{\"summary\":\"Kunde"), "{text}");
    // A secret pasted with a trailing newline is the same secret.
    assert!(verify_event(&format!(" {SECRET}\n"), ODD_BODY.as_bytes(), Some(&header)).is_ok());
}

#[test]
fn during_a_rotation_either_secret_verifies_and_no_other() {
    let body = ODD_BODY.as_bytes();
    let (new, old) = ("whsec_new_2", "whsec_old_1");
    for signer in [new, old] {
        let got = verify_event_any(&[new, old], body, Some(&sign(signer, body)));
        assert_eq!(got.map(|e| e.event_id).as_deref(), Ok("evt_1"), "{signer}");
    }
    let other = verify_event_any(&[new, old], body, Some(&sign("whsec_other", body)));
    assert!(matches!(other, Err(Rejection::WrongSignature { .. })));
    // Empty entries are ignored; none left is no secret.
    assert!(verify_event_any(&["", new, " "], body, Some(&sign(new, body))).is_ok());
    for none in [&[][..], &["", "  "][..]] {
        let got = verify_event_any(none, body, Some(&sign(new, body)));
        assert!(matches!(got, Err(Rejection::NoSecret { .. })));
    }
}

#[test]
fn reserialised_or_reformatted_body_is_refused() {
    let header = sign(SECRET, ODD_BODY.as_bytes());
    let value: serde_json::Value = serde_json::from_str(ODD_BODY).expect("json");
    let compact = serde_json::to_string(&value).expect("text");
    let pretty = serde_json::to_string_pretty(&value).expect("text");
    for body in [compact.as_str(), pretty.as_str(), ODD_BODY.trim()] {
        assert_ne!(body, ODD_BODY);
        let got = verify_event(SECRET, body.as_bytes(), Some(&header));
        assert!(
            matches!(got, Err(Rejection::WrongSignature { .. })),
            "{got:?}"
        );
    }
}

#[test]
fn missing_malformed_wrong_and_no_secret_say_which_with_their_status() {
    let body = br#"{"event_id":"evt_1","event_type":"call.failed","created_at":"2026-12-07T03:22:42Z","org_id":"org_1","data":{}}"#;
    let good = sign(SECRET, body);
    let cases: Vec<(&str, Option<String>, &str, u16)> = vec![
        (SECRET, None, "missing_signature", 401),
        (SECRET, Some(String::new()), "missing_signature", 401),
        (SECRET, Some("   ".into()), "missing_signature", 401),
        (SECRET, Some("sha256=".into()), "malformed_signature", 401),
        (
            SECRET,
            Some(format!("sha1={}", &good[..40])),
            "malformed_signature",
            401,
        ),
        (
            SECRET,
            Some(good.replacen(|c: char| c.is_ascii_hexdigit(), "g", 1)),
            "malformed_signature",
            401,
        ),
        (
            SECRET,
            Some(format!("v1,{good}")),
            "malformed_signature",
            401,
        ),
        (
            SECRET,
            Some(sign("whsec_other", body)),
            "wrong_signature",
            401,
        ),
        ("", Some(good.clone()), "no_secret", 500),
        (" \n", Some(good.clone()), "no_secret", 500),
    ];
    for (secret, header, reason, status) in cases {
        let got = verify_event(secret, body, header.as_deref()).expect_err(reason);
        let json = serde_json::to_value(&got).expect("json");
        assert_eq!(json["reason"], reason, "{header:?}");
        assert_eq!(got.reason(), reason);
        assert_eq!(got.http_status(), status);
        let message = got.message();
        assert!(
            message.contains("X-Husky-Signature") || reason == "no_secret",
            "{message}"
        );
        assert!(
            !message.contains(SECRET) && !message.contains(&good[..16]),
            "{message}"
        );
    }
}

#[test]
fn signed_body_that_is_no_envelope_is_not_an_event() {
    let cases: [(&[u8], &str); 14] = [
        (b"not json", "it is not JSON (line 1, column 2)"),
        (b"{\"event_id\": nope}", "it is not JSON (line 1, column 15)"),
        (b"", "it is not JSON"),
        (b"[]", "it is a list, not a JSON object"),
        (br#"["evt_1","call.failed","t","o",{}]"#, "it is a list, not a JSON object"),
        (b"42", "it is the number 42, not a JSON object"),
        (br#"{"event_id":5,"event_type":"call.failed","created_at":"t","org_id":"o","data":{}}"#, "event_id is the number 5, not text"),
        (br#"{"event_id":"evt_1","event_type":"call.failed","created_at":"t","org_id":"o"}"#, "data is missing"),
        (br#"{"event_type":"call.failed","created_at":"t","org_id":"o","data":{}}"#, "event_id is missing"),
        (br#"{"event_id":"","event_type":"call.failed","created_at":"t","org_id":"o","data":{}}"#, "event_id is empty"),
        (br#"{"event_id":"evt_1","event_type":" ","created_at":"t","org_id":"o","data":{}}"#, "event_type is empty"),
        (br#"{"event_id":"evt_1","event_type":"call.failed","created_at":"t","org_id":"o","data":"x"}"#, "data is text, not an object"),
        (b"{\"event_id\":\"evt_\xff\"}", "it is not UTF-8 text (byte 18 is not)"),
        (br#"{"event_id":"evt_1","event_type":"call.failed","created_at":"yesterday","org_id":"o","data":{}}"#, "created_at is not an ISO 8601 time"),
    ];
    for (body, reason) in cases {
        let got = verify_event(SECRET, body, Some(&sign(SECRET, body))).expect_err(reason);
        assert_eq!(got.http_status(), 400);
        match &got {
            Rejection::NotAnEvent { message } => assert!(message.contains(reason), "{message}"),
            other => panic!("{other:?}"),
        }
    }
}

fn body_strategy() -> impl Strategy<Value = Vec<u8>> {
    ("[a-z_]{1,12}", "\\PC{0,60}", any::<u32>()).prop_map(|(id, text, n)| {
        serde_json::to_vec(&serde_json::json!({
            "event_id": format!("evt_{id}"), "event_type": "call.completed",
            "created_at": "2026-12-07T03:22:42Z", "org_id": "org_1",
            "data": {"call_id": format!("call_{n}"), "summary": text},
        }))
        .expect("json")
    })
}

proptest! {
    #[test]
    fn flipping_any_body_byte_fails(body in body_strategy(), at in any::<prop::sample::Index>(), mask in 1u8..=255) {
        let header = sign(SECRET, &body);
        prop_assert!(verify_event(SECRET, &body, Some(&header)).is_ok());
        let mut forged = body.clone();
        forged[at.index(body.len())] ^= mask;
        let got = verify_event(SECRET, &forged, Some(&header));
        prop_assert!(matches!(got, Err(Rejection::WrongSignature { .. })), "{:?}", got);
    }

    #[test]
    fn flipping_any_signature_byte_fails_unless_only_its_case_changed(body in body_strategy(), prefixed in any::<bool>(), at in any::<prop::sample::Index>(), mask in 1u8..=255) {
        let digits = sign(SECRET, &body);
        let header = if prefixed { format!("sha256={digits}") } else { digits.clone() };
        let mut forged = header.clone().into_bytes();
        let at = at.index(forged.len());
        forged[at] ^= mask;
        let Ok(forged) = String::from_utf8(forged) else { return Ok(()) };
        let got = verify_event(SECRET, &body, Some(&forged));
        // Hex in either case is one signature, and so is `SHA256=`: only those changes pass.
        if forged.to_ascii_lowercase() == header || forged.trim() == header {
            prop_assert!(got.is_ok(), "{} {:?}", forged, got);
        } else {
            prop_assert!(got.is_err(), "{}", forged);
            prop_assert!(got.unwrap_err().http_status() == 401);
        }
    }

    #[test]
    fn any_bytes_and_header_are_judged_without_panicking(body in prop::collection::vec(any::<u8>(), 0..300), header in prop::option::of("\\PC{0,80}")) {
        let _ = verify_event(SECRET, &body, header.as_deref());
        let _ = parse_envelope(&body);
    }
}
