//! The fields of a call to schedule (API-CONTRACT §6, "Creating Conversations"), checked before
//! anything is sent: `agent_id` present, `contact_number` an Indian mobile number in E.164
//! once spaces, dashes and parentheses are removed, `contact_email` shaped like an address,
//! `additional_info` a JSON object (or, from n8n's key/value list, `additional_info_fields`:
//! `[{name, value}]`). Every problem of an item is named in one message.

use crate::error::{describe_char, number_text};
use crate::loose::Loose;
use std::borrow::Cow;

/// A call that passed every check, ready to be the body of `POST /v1/calls`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCall {
    pub agent_id: String,
    /// E.164: `+91` and 10 digits.
    pub contact_number: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    /// A JSON object (`Loose::Object`).
    pub additional_info: Option<Loose<'static>>,
    /// The caller's own Idempotency-Key, if it gave one.
    pub idempotency_key: Option<String>,
}

impl NewCall {
    /// The documented fields as a JSON object (the REST body, the webhook's `data`).
    pub fn fields(&self) -> Loose<'static> {
        let text = |s: &String| Loose::Str(s.clone().into());
        let mut m = vec![
            ("agent_id".into(), text(&self.agent_id)),
            ("contact_number".into(), text(&self.contact_number)),
        ];
        if let Some(name) = &self.contact_name {
            m.push(("contact_name".into(), text(name)));
        }
        if let Some(email) = &self.contact_email {
            m.push(("contact_email".into(), text(email)));
        }
        if let Some(info) = &self.additional_info {
            m.push(("additional_info".into(), info.clone()));
        }
        Loose::Object(m)
    }
}

/// A field by its API name or its camelCase form (JavaScript callers write either).
fn field<'v, 'a>(input: &'v Loose<'a>, snake: &str, camel: &str) -> Option<&'v Loose<'a>> {
    input
        .get(snake)
        .or_else(|| input.get(camel))
        .filter(|v| **v != Loose::Null)
}

/// Text, or a whole number written as text (a spreadsheet cell may hold either).
fn as_text(v: &Loose<'_>) -> Option<String> {
    match v {
        Loose::Str(s) => Some(s.trim().to_string()),
        Loose::Num(n) if n.fract() == 0.0 && n.abs() < 1e16 => Some(number_text(*n)),
        _ => None,
    }
}

/// Reads and checks one item; the error lists every problem, each naming its field.
pub fn read_new_call(input: &Loose<'_>) -> Result<NewCall, String> {
    if !input.is_object() {
        return Err(format!(
            "The call to schedule must be an object with agent_id and contact_number; got {}.",
            input.describe()
        ));
    }
    let mut problems = Vec::new();
    let agent_id = match field(input, "agent_id", "agentId").map(|v| (v, as_text(v))) {
        None => {
            problems.push("agent_id is missing: give the id of the HuskyVoice agent that makes the call (Agents page of the dashboard).".to_string());
            None
        }
        Some((_, Some(s))) if s.is_empty() => {
            problems.push(
                "agent_id is empty: give the id of the HuskyVoice agent that makes the call."
                    .to_string(),
            );
            None
        }
        Some((_, Some(s))) if s.len() > 128 => {
            problems.push(format!(
                "agent_id is {} characters long; an agent id has at most 128.",
                s.len()
            ));
            None
        }
        Some((_, Some(s))) => Some(s),
        Some((v, None)) => {
            problems.push(format!("agent_id must be text; got {}.", v.describe()));
            None
        }
    };
    let contact_number = match field(input, "contact_number", "contactNumber") {
        None => {
            problems.push(
                "contact_number is missing: give the number to call, such as +919876543210."
                    .to_string(),
            );
            None
        }
        Some(v) => match as_text(v) {
            Some(s) => match normalise_phone(&s) {
                Ok(n) => Some(n),
                Err(why) => {
                    problems.push(format!("contact_number \"{}\" {why}", clip(&s)));
                    None
                }
            },
            None => {
                problems.push(format!(
                    "contact_number must be text such as +919876543210; got {}.",
                    v.describe()
                ));
                None
            }
        },
    };
    let contact_name = optional_text(input, "contact_name", "contactName", 200, &mut problems);
    let contact_email = optional_text(input, "contact_email", "contactEmail", 254, &mut problems)
        .filter(|e| match email_problem(e) {
            Some(why) => {
                problems.push(format!("contact_email \"{}\" {why}", clip(e)));
                false
            }
            None => true,
        });
    let info_json = match field(input, "additional_info", "additionalInfo") {
        None => None,
        Some(v) => match info_object(v) {
            Ok(m) => Some(m),
            Err(why) => {
                problems.push(why);
                None
            }
        },
    };
    let info_fields = match field(input, "additional_info_fields", "additionalInfoFields") {
        None => None,
        Some(v) => match info_from_fields(v) {
            Ok(m) => Some(m),
            Err(why) => {
                problems.extend(why);
                None
            }
        },
    };
    // One form or the other; an empty one (n8n's default `{}` JSON, an empty list) gives way.
    let additional_info = match (info_json, info_fields) {
        (Some(Loose::Object(json)), Some(Loose::Object(fields)))
            if !json.is_empty() && !fields.is_empty() =>
        {
            problems.push("additional_info is given both as JSON and as fields: give one of them (in n8n, remove Additional Info (JSON) or Additional Info (Fields)).".to_string());
            None
        }
        (Some(json), Some(Loose::Object(fields))) if fields.is_empty() => Some(json),
        (json, fields) => fields.or(json),
    };
    let idempotency_key = match field(input, "idempotency_key", "idempotencyKey") {
        None => None,
        Some(v) => match as_text(v).map(|k| (check_key(&k), k)) {
            Some((None, k)) if !k.is_empty() => Some(k),
            Some((None, _)) => None,
            Some((Some(why), _)) => {
                problems.push(why);
                None
            }
            None => {
                problems.push(format!(
                    "idempotency_key must be text; got {}.",
                    v.describe()
                ));
                None
            }
        },
    };
    match (agent_id, contact_number) {
        (Some(agent_id), Some(contact_number)) if problems.is_empty() => Ok(NewCall {
            agent_id,
            contact_number,
            contact_name,
            contact_email,
            additional_info,
            idempotency_key,
        }),
        _ => Err(crate::text::join(&problems, " ")),
    }
}

fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

fn optional_text(
    input: &Loose<'_>,
    snake: &str,
    camel: &str,
    max: usize,
    problems: &mut Vec<String>,
) -> Option<String> {
    let v = field(input, snake, camel)?;
    match as_text(v) {
        Some(s) if s.is_empty() => None,
        Some(s) if s.chars().count() > max => {
            problems.push(format!(
                "{snake} is {} characters long; at most {max} are accepted.",
                s.chars().count()
            ));
            None
        }
        Some(s) => Some(s),
        None => {
            problems.push(format!("{snake} must be text; got {}.", v.describe()));
            None
        }
    }
}

/// API-CONTRACT §6: `+91` and 10 digits, the first 6 to 9, after removing spaces, dashes and
/// parentheses. The error says what is wrong and how the number should look.
pub fn normalise_phone(raw: &str) -> Result<String, String> {
    let kept: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '\u{a0}'))
        .collect();
    if kept.is_empty() {
        return Err("is empty: give the number to call, such as +919876543210.".into());
    }
    // Positions count in the text as given, where the user can find them.
    let mut seen_any = false;
    for (i, c) in raw.chars().enumerate() {
        if matches!(c, ' ' | '-' | '(' | ')' | '\u{a0}') {
            continue;
        }
        if !(c.is_ascii_digit() || (c == '+' && !seen_any)) {
            return Err(format!(
                "has {} at position {}; a phone number holds only digits after its leading +, plus spaces, dashes or parentheses, which are removed.",
                describe_char(c),
                i + 1
            ));
        }
        seen_any = true;
    }
    let Some(digits) = kept.strip_prefix('+') else {
        let hint = if kept.len() == 10 && kept.starts_with(['6', '7', '8', '9']) {
            format!(" Write it with the country code: +91{kept}.")
        } else if kept.len() == 12 && kept.starts_with("91") {
            format!(" Write it with a leading +: +{kept}.")
        } else {
            String::new()
        };
        return Err(format!(
            "has no country code: HuskyVoice takes numbers in E.164 form, +91 and 10 digits.{hint}"
        ));
    };
    let Some(national) = digits.strip_prefix("91") else {
        return Err("is not an Indian number: HuskyVoice calls only Indian numbers (+91 and 10 digits) for now.".into());
    };
    if national.len() != 10 {
        return Err(format!(
            "has {} digits after +91; an Indian mobile number has 10.",
            national.len()
        ));
    }
    if !national.starts_with(['6', '7', '8', '9']) {
        return Err(format!(
            "starts with {} after +91; an Indian mobile number starts with 6, 7, 8 or 9.",
            &national[..1]
        ));
    }
    Ok(kept)
}

/// Why `e` is not shaped like an email address, if it is not.
fn email_problem(e: &str) -> Option<&'static str> {
    let Some((local, domain)) = e.split_once('@') else {
        return Some("has no @; give an address such as priya@example.com.");
    };
    if local.is_empty() || domain.is_empty() || domain.contains('@') {
        return Some("is not an email address such as priya@example.com.");
    }
    if e.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("contains a space; an email address has none.");
    }
    if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
        return Some("has no domain such as example.com after the @.");
    }
    None
}

/// An Idempotency-Key travels in a header: visible ASCII only, at most 255 characters.
pub fn check_key(k: &str) -> Option<String> {
    if k.len() > 255 {
        return Some(format!(
            "idempotency_key is {} characters long; at most 255 are accepted.",
            k.len()
        ));
    }
    k.chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_graphic())
        .map(|(i, c)| {
            format!(
                "idempotency_key has {} at position {}; a key holds only visible ASCII characters (letters, digits, punctuation).",
                describe_char(c),
                i + 1
            )
        })
}

/// `additional_info`: an object, or text holding one (n8n's JSON fields are text).
fn info_object(v: &Loose<'_>) -> Result<Loose<'static>, String> {
    let value = match v {
        Loose::Str(s) if s.trim().is_empty() => return Ok(Loose::Object(Vec::new())),
        Loose::Str(s) => serde_json::from_str::<Loose<'_>>(s)
            .map_err(|e| {
                format!(
                    "additional_info is text that is not JSON ({}); give a JSON object such as {{\"invoice\": \"INV-42\"}}.",
                    crate::error::json_reason(&e)
                )
            })?
            .into_owned(),
        other => other.clone().into_owned(),
    };
    match value {
        Loose::Object(_) => Ok(value),
        other => Err(format!(
            "additional_info must be a JSON object of custom fields such as {{\"invoice\": \"INV-42\"}}; got {}.",
            other.describe()
        )),
    }
}

/// `additional_info` from a list of `{name, value}` pairs (n8n's key/value list): each name once
/// and non-empty; a value as given (a number from an expression stays a number).
fn info_from_fields(v: &Loose<'_>) -> Result<Loose<'static>, Vec<String>> {
    let Loose::Array(list) = v else {
        return Err(vec![format!(
            "additional_info_fields must be a list of {{\"name\": …, \"value\": …}} pairs; got {}.",
            v.describe()
        )]);
    };
    let mut members: Vec<(Cow<'static, str>, Loose<'static>)> = Vec::new();
    let mut problems = Vec::new();
    for (i, pair) in list.iter().enumerate() {
        let n = i + 1;
        let name = match pair.get("name") {
            _ if !pair.is_object() => {
                problems.push(format!(
                    "additional_info field {n} must be an object with name and value; got {}.",
                    pair.describe()
                ));
                continue;
            }
            Some(Loose::Str(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(Loose::Str(_)) | Some(Loose::Null) | None => {
                problems.push(format!("additional_info field {n} has no name: give each field a name, such as invoice."));
                continue;
            }
            Some(other) => {
                problems.push(format!(
                    "additional_info field {n} has a name that is {}, not text.",
                    other.describe()
                ));
                continue;
            }
        };
        if let Some(first) = members.iter().position(|(k, _)| *k == name) {
            problems.push(format!(
                "additional_info field {n} repeats the name \"{}\" of field {}: give each name once.",
                clip(&name),
                first + 1
            ));
            continue;
        }
        let value = pair
            .get("value")
            .cloned()
            .unwrap_or(Loose::Null)
            .into_owned();
        members.push((name.into(), value));
    }
    if problems.is_empty() {
        Ok(Loose::Object(members))
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message names every one of `parts`.
    fn says_each(message: &str, parts: &[&str]) {
        for part in parts {
            assert!(message.contains(part), "{part}: {message}");
        }
    }

    fn read(json: &str) -> Result<NewCall, String> {
        let tree: Loose<'_> = serde_json::from_str(json).unwrap();
        read_new_call(&tree)
    }

    #[test]
    fn phone_numbers_are_normalised_or_refused_with_the_reason() {
        for (raw, want) in [
            ("+91 98765 43210", "+919876543210"),
            ("+91-98765-43210", "+919876543210"),
            ("(+91) 6000 000 000", "+916000000000"),
        ] {
            assert_eq!(normalise_phone(raw).as_deref(), Ok(want), "{raw}");
        }
        for (raw, says) in [
            ("9876543210", "+919876543210"),
            ("919876543210", "+919876543210"),
            ("+4420 7946 0958", "only Indian numbers"),
            ("+91 98765 4321", "9 digits"),
            ("+91 58765 43210", "starts with 5"),
            ("+91 98765.43210", "position 10"),
            ("   ", "empty"),
        ] {
            let e = normalise_phone(raw).unwrap_err();
            assert!(e.contains(says), "{raw}: {e}");
        }
    }

    #[test]
    fn a_valid_call_keeps_its_fields_in_api_names() {
        let c = read(r#"{"agentId":"agt_1","contact_number":"+91 98765 43210","contact_name":"Priya","contact_email":"p@example.in","additional_info":"{\"invoice\":\"INV-1\"}"}"#).unwrap();
        assert_eq!(c.contact_number, "+919876543210");
        let body = crate::json_text::to_json_text(&c.fields());
        assert_eq!(
            body,
            r#"{"agent_id":"agt_1","contact_number":"+919876543210","contact_name":"Priya","contact_email":"p@example.in","additional_info":{"invoice":"INV-1"}}"#
        );
    }

    #[test]
    fn additional_info_from_name_value_pairs_is_the_same_object() {
        let from_fields = read(r#"{"agent_id":"a","contact_number":"+919876543210","additional_info_fields":[{"name":"invoice","value":"INV-1"},{"name":" amount_due ","value":1499.5}]}"#).unwrap();
        let from_json = read(r#"{"agent_id":"a","contact_number":"+919876543210","additional_info":"{\"invoice\":\"INV-1\",\"amount_due\":1499.5}"}"#).unwrap();
        assert_eq!(from_fields, from_json);
        // An empty list or an empty JSON object beside the other form is no conflict.
        for both in [
            r#""additional_info":"{}","additionalInfoFields":[{"name":"invoice","value":"INV-1"}]"#,
            r#""additional_info":{"invoice":"INV-1"},"additional_info_fields":[]"#,
        ] {
            let c = read(&format!(
                r#"{{"agent_id":"a","contact_number":"+919876543210",{both}}}"#
            ))
            .unwrap();
            let invoice = Loose::Object(vec![("invoice".into(), Loose::Str("INV-1".into()))]);
            assert_eq!(c.additional_info, Some(invoice), "{both}");
        }
    }

    #[test]
    fn bad_name_value_pairs_are_each_named() {
        let e = read(r#"{"agent_id":"a","contact_number":"+919876543210","additional_info_fields":[{"name":"invoice","value":"1"},{"name":"","value":"2"},{"name":"invoice","value":"3"},"x",{"name":7}]}"#).unwrap_err();
        says_each(
            &e,
            &[
                "additional_info field 2 has no name",
                "additional_info field 3 repeats the name \"invoice\" of field 1",
                "additional_info field 4 must be an object with name and value; got text",
                "additional_info field 5 has a name that is the number 7",
            ],
        );
        let both = read(r#"{"agent_id":"a","contact_number":"+919876543210","additional_info":{"a":1},"additional_info_fields":[{"name":"b","value":2}]}"#).unwrap_err();
        assert!(both.contains("given both as JSON and as fields"), "{both}");
        let not_list = read(
            r#"{"agent_id":"a","contact_number":"+919876543210","additional_info_fields":{"a":1}}"#,
        )
        .unwrap_err();
        assert!(not_list.contains("must be a list of"), "{not_list}");
    }

    #[test]
    fn every_problem_of_an_item_is_named() {
        let e = read(r#"{"contact_number":"12345","contact_email":"nope","additional_info":[1]}"#)
            .unwrap_err();
        says_each(
            &e,
            &[
                "agent_id is missing",
                "contact_number \"12345\" has no country code",
                "contact_email \"nope\" has no @",
                "additional_info must be a JSON object",
            ],
        );
        assert!(read("\"call\"").unwrap_err().contains("must be an object"));
        assert!(read(
            r#"{"agent_id":"a","contact_number":"+919876543210","idempotency_key":"a b"}"#
        )
        .unwrap_err()
        .contains("idempotency_key has a space"));
    }
}
