//! What a run reports: one output per item, in input order, in one shape whatever happened;
//! and, when the run stops at a failure, the error to raise with a summary of what was done.

use super::operation::Fields;
use crate::request::{HttpRequest, Via};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// One item's output. The same fields for every item of an operation; `error` and
/// `description` only when the item failed, `request` only for a dry run.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The call id: the normalised one asked for, or the one a create returned; for an item
    /// whose input was not a valid id, the input as text (`None` when it had none).
    pub call_id: Option<String>,
    /// An answer's outcome, an input error (`invalid_call_id`, `invalid_input`,
    /// `invalid_credential`, `invalid_options`), `dry_run`, `not_sent` (the run stopped
    /// before its turn) or `interrupted` (sent, but the run stopped before the answer).
    pub outcome: &'static str,
    /// The operation got what it asked for (HuskyVoice said so): counted in the summary.
    pub succeeded: bool,
    /// The operation's own fields (`cancelled`, `scheduled`, `found`, ...), after `outcome`.
    pub fields: Fields,
    pub call_status: Option<&'static str>,
    pub message: String,
    pub http_status: Option<u16>,
    pub via: Via,
    /// Requests made for this item.
    pub attempts: u32,
    pub error: Option<String>,
    pub description: Option<String>,
    pub request: Option<HttpRequest>,
}

impl Serialize for Item {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("callId", &self.call_id)?;
        m.serialize_entry("outcome", self.outcome)?;
        for (name, value) in &self.fields {
            m.serialize_entry(name, value)?;
        }
        m.serialize_entry("callStatus", &self.call_status)?;
        m.serialize_entry("message", &self.message)?;
        m.serialize_entry("httpStatus", &self.http_status)?;
        m.serialize_entry("via", &self.via)?;
        m.serialize_entry("attempts", &self.attempts)?;
        if let Some(error) = &self.error {
            m.serialize_entry("error", error)?;
        }
        if let Some(description) = &self.description {
            m.serialize_entry("description", description)?;
        }
        if let Some(request) = &self.request {
            m.serialize_entry("request", request)?;
        }
        m.end()
    }
}

impl Item {
    /// An item with no answer to read (invalid, dry run, stopped before or during its
    /// request): not done, no HTTP status, no call state; `fields` with empty values.
    pub fn unanswered(
        call_id: Option<String>,
        outcome: &'static str,
        message: String,
        via: Via,
        attempts: u32,
        fields: Fields,
    ) -> Item {
        Item {
            call_id,
            outcome,
            succeeded: false,
            fields,
            call_status: None,
            message,
            http_status: None,
            via,
            attempts,
            error: None,
            description: None,
            request: None,
        }
    }

    /// The same item as a failure: `error` repeats its message.
    pub fn failing(mut self) -> Item {
        self.error = Some(self.message.clone());
        self
    }

    pub fn failed(&self) -> bool {
        self.error.is_some()
    }
}

/// The error a run raises when it stops at a failure (the caller did not ask to continue).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    /// The (first) failing item, 0-based.
    pub item_index: usize,
    pub outcome: &'static str,
    pub message: String,
    pub description: String,
    pub http_status: Option<u16>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub items: usize,
    /// Items whose operation got what it asked for (cancelled, scheduled, found, deleted).
    pub succeeded: usize,
    pub failed: usize,
    pub not_sent: usize,
    /// Requests sent (answered or not).
    pub requests: u32,
    /// 429 answers that were the rate limit (not a quota).
    pub rate_limited: u32,
    pub retries: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub items: Vec<Item>,
    /// Set when the run stopped at a failure: the error to raise.
    pub failure: Option<Failure>,
    /// The run was aborted (the caller's cancel signal).
    pub aborted: bool,
    /// What was done, in one sentence, for an error about a stopped or aborted run.
    pub done: String,
    pub summary: Summary,
}

/// `1 call`, `3 calls`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// "item 3" for the 0-based index 2: people count rows from 1.
pub fn item_name(index: usize) -> String {
    format!("item {}", index + 1)
}

/// What was done before a run stopped, for its error: the calls the operation did (`done`:
/// "cancelled", "scheduled", ...) by id (up to 20), and how many items were not sent. Parts
/// that are zero are left out.
pub fn done_so_far(items: &[Item], done: &str) -> String {
    let cancelled: Vec<&str> = items
        .iter()
        .filter(|i| i.succeeded)
        .filter_map(|i| i.call_id.as_deref())
        .collect();
    let not_sent = items.iter().filter(|i| i.outcome == "not_sent").count();
    let mut parts = Vec::new();
    if cancelled.is_empty() {
        parts.push(format!("No call was {done} before the run stopped"));
    } else {
        let shown = crate::text::join(&cancelled[..cancelled.len().min(20)], ", ");
        let more = if cancelled.len() > 20 {
            format!(" and {} more", cancelled.len() - 20)
        } else {
            String::new()
        };
        parts.push(format!(
            "Before the run stopped, {} {} {done}: {shown}{more}",
            plural(cancelled.len(), "call"),
            if cancelled.len() == 1 { "was" } else { "were" }
        ));
    }
    if not_sent > 0 {
        parts.push(format!(
            "{} {} not sent",
            plural(not_sent, "item"),
            if not_sent == 1 { "was" } else { "were" }
        ));
    }
    format!("{}.", crate::text::join(&parts, "; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, outcome: &'static str) -> Item {
        Item {
            call_id: Some(id.into()),
            outcome,
            succeeded: outcome == "cancelled",
            fields: Vec::new(),
            call_status: None,
            message: String::new(),
            http_status: None,
            via: Via::Rest,
            attempts: 1,
            error: None,
            description: None,
            request: None,
        }
    }

    #[test]
    fn summary_sentences_read_correctly() {
        assert_eq!(
            done_so_far(&[item("a", "not_found")], "cancelled"),
            "No call was cancelled before the run stopped."
        );
        assert_eq!(
            done_so_far(
                &[
                    item("a", "cancelled"),
                    item("b", "not_sent"),
                    item("c", "not_found")
                ],
                "cancelled"
            ),
            "Before the run stopped, 1 call was cancelled: a; 1 item was not sent."
        );
        let many: Vec<Item> = (0..22)
            .map(|i| item(&format!("c{i}"), "cancelled"))
            .collect();
        assert!(done_so_far(&many, "cancelled").contains("22 calls were cancelled: c0, c1"));
        assert!(done_so_far(&many, "cancelled").contains(" and 2 more."));
        assert_eq!(item_name(0), "item 1");
    }
}
