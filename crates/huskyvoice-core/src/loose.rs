//! A value of any JSON-like type, kept only as far as messages and rules need it. JavaScript
//! callers (and n8n expressions) can hand over numbers, `null`, lists or objects where text
//! belongs; reading such a field as [`Loose`] never fails, so the rule that needs text can
//! say exactly what it got instead of a deserializer's generic "invalid type".

use crate::error::number_text;
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

#[derive(Debug, Clone, PartialEq)]
pub enum Loose<'a> {
    Str(Cow<'a, str>),
    Num(f64),
    Bool(bool),
    Null,
    /// A list, with its elements.
    Array(Vec<Loose<'a>>),
    /// An object's members in document order.
    Object(Vec<(Cow<'a, str>, Loose<'a>)>),
}

impl Loose<'_> {
    /// What a wrong value was, for messages ("the number 42", "null").
    pub fn describe(&self) -> String {
        match self {
            Loose::Str(_) => "text".to_string(),
            Loose::Num(n) => format!("the number {}", number_text(*n)),
            Loose::Bool(b) => format!("the boolean {b}"),
            Loose::Null => "null".to_string(),
            Loose::Array(_) => "a list".to_string(),
            Loose::Object(_) => "an object".to_string(),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Loose::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Loose::Num(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Loose::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The owned form, for values that outlive their input.
    pub fn into_owned(self) -> Loose<'static> {
        match self {
            Loose::Str(s) => Loose::Str(Cow::Owned(s.into_owned())),
            Loose::Num(n) => Loose::Num(n),
            Loose::Bool(b) => Loose::Bool(b),
            Loose::Null => Loose::Null,
            Loose::Array(items) => Loose::Array(items.into_iter().map(Loose::into_owned).collect()),
            Loose::Object(members) => Loose::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (Cow::Owned(k.into_owned()), v.into_owned()))
                    .collect(),
            ),
        }
    }
}

impl<'a> Loose<'a> {
    /// `self[key]` for an object: the last of duplicate keys, as in JavaScript.
    pub fn get(&self, key: &str) -> Option<&Loose<'a>> {
        match self {
            Loose::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// `self[key]` as an owned field value; `None` when absent.
    pub fn field(&self, key: &str) -> Option<Loose<'a>> {
        self.get(key).cloned()
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Loose::Object(_))
    }

    /// For an object of settings: the first member whose name is not in `known` (a typo a
    /// caller should be told of), or `None`.
    pub fn unknown_member(&self, known: &[&str]) -> Option<&str> {
        match self {
            Loose::Object(members) => members
                .iter()
                .map(|(k, _)| k.as_ref())
                .find(|k| !known.contains(k)),
            _ => None,
        }
    }
}

/// Outputs carry values as read (a call's fields, a create's custom fields): to JavaScript
/// they cross as plain values, numbers as numbers.
impl Serialize for Loose<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Loose::Str(v) => s.serialize_str(v),
            Loose::Num(n) => s.serialize_f64(*n),
            Loose::Bool(b) => s.serialize_bool(*b),
            Loose::Null => s.serialize_unit(),
            Loose::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Loose::Object(members) => {
                let mut map = s.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    map.serialize_entry(k.as_ref(), v)?;
                }
                map.end()
            }
        }
    }
}

/// `None` for an absent or null field, so callers match only real values.
pub fn present<'a>(v: &'a Option<Loose<'_>>) -> Option<&'a Loose<'a>> {
    match v {
        None | Some(Loose::Null) => None,
        Some(v) => Some(v),
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Loose<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        level(MAX_DEPTH).deserialize(d)
    }
}

/// How deep a list or object inside a field may nest. A JS object reaches the core through
/// serde-wasm-bindgen, which (unlike serde_json) has no depth limit of its own: without one, a
/// circular object would recurse until the wasm stack overflowed.
const MAX_DEPTH: u8 = 32;

/// Reads one value `depth` levels above the limit, keeping lists and objects whole: inputs
/// are read as this one tree (one serde code path for every input type, which keeps the
/// `.wasm` small) and then mapped to typed options field by field.
struct Level<'a>(u8, PhantomData<&'a ()>);

fn level<'a>(depth: u8) -> Level<'a> {
    Level(depth, PhantomData)
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for Level<'a> {
    type Value = Loose<'a>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

fn too_deep<E: de::Error>() -> E {
    E::custom("a value is nested more than 32 levels deep (or refers to itself)")
}

impl<'de: 'a, 'a> Visitor<'de> for Level<'a> {
    type Value = Loose<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Loose::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Loose::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Loose::Str(Cow::Owned(v)))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Loose::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Loose::Num(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Loose::Num(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Loose::Num(v))
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Self::Value, E> {
        Ok(Loose::Object(Vec::new()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Loose::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Loose::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let depth = self.0.checked_sub(1).ok_or_else(too_deep::<A::Error>)?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(level(depth))? {
            items.push(item);
        }
        Ok(Loose::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let depth = self.0.checked_sub(1).ok_or_else(too_deep::<A::Error>)?;
        let mut members = Vec::new();
        while let Some(key) = map.next_key_seed(level(depth))? {
            let value = map.next_value_seed(level(depth))?;
            // JSON keys are strings; anything else is no member a rule reads.
            if let Loose::Str(key) = key {
                members.push((key, value));
            }
        }
        Ok(Loose::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_json_type_is_read_and_described() {
        let cases = [
            ("[[[[1]]]]", "a list"),
            ("\"a\"", "text"),
            ("42", "the number 42"),
            ("-2.5", "the number -2.5"),
            ("true", "the boolean true"),
            ("null", "null"),
            ("[1,[2]]", "a list"),
            ("{\"a\":{\"b\":1}}", "an object"),
        ];
        for (json, described) in cases {
            let v: Loose<'_> = serde_json::from_str(json).unwrap();
            assert_eq!(v.describe(), described, "{json}");
        }
    }

    #[test]
    fn list_elements_are_kept() {
        let v: Loose<'_> = serde_json::from_str(r#"["3", 4, {"a": 1}]"#).unwrap();
        assert_eq!(
            v,
            Loose::Array(vec![
                Loose::Str(Cow::Borrowed("3")),
                Loose::Num(4.0),
                Loose::Object(vec![(Cow::Borrowed("a"), Loose::Num(1.0))])
            ])
        );
    }

    #[test]
    fn nesting_past_the_limit_is_an_error_not_a_crash() {
        let deep = format!("{}1{}", "[".repeat(40), "]".repeat(40));
        let e = serde_json::from_str::<Loose<'_>>(&deep).unwrap_err();
        assert!(e.to_string().contains("32 levels"), "{e}");
        let deep_obj = format!("{}1{}", "{\"a\":".repeat(40), "}".repeat(40));
        assert!(serde_json::from_str::<Loose<'_>>(&deep_obj).is_err());
    }

    #[test]
    fn objects_keep_members_and_the_last_duplicate_wins() {
        let v: Loose<'_> = serde_json::from_str(r#"{"a":1,"b":{"c":"x"},"a":2}"#).unwrap();
        assert_eq!(v.get("a"), Some(&Loose::Num(2.0)));
        assert_eq!(
            v.get("b").and_then(|b| b.get("c")).and_then(Loose::as_str),
            Some("x")
        );
        assert_eq!(v.get("z"), None);
        assert!(
            matches!(v.get("b"), Some(Loose::Object(m)) if matches!(m[0].0, Cow::Borrowed("c")))
        );
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        let v: Loose<'_> = serde_json::from_str("\"plain\"").unwrap();
        assert!(matches!(v, Loose::Str(Cow::Borrowed("plain"))));
        let v: Loose<'_> = serde_json::from_str("\"a\\nb\"").unwrap();
        assert_eq!(v, Loose::Str(Cow::Owned("a\nb".to_string())));
    }
}
