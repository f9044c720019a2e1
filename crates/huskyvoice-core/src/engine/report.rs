//! What a run reports: one output per item, in input order, in one shape whatever happened;
//! and, when the run stops at a failure, the error to raise with a summary of what was done.

use crate::request::{CancelRequest, Via};
use serde::Serialize;

/// One item's output. The same fields for every item; `error` and `description` only when
/// the item failed, `request` only for a dry run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    /// The normalised call id; for an item whose input was not a valid id, the input as text
    /// (`None` when it had none).
    pub call_id: Option<String>,
    /// One of the ten answer outcomes, an input error (`invalid_call_id`,
    /// `invalid_credential`, `invalid_options`), `dry_run`, `not_sent` (the run stopped
    /// before its turn) or `interrupted` (sent, but the run stopped before the answer).
    pub outcome: &'static str,
    /// True only when HuskyVoice said the call is cancelled.
    pub cancelled: bool,
    pub call_status: Option<&'static str>,
    pub message: String,
    pub http_status: Option<u16>,
    pub via: Via,
    /// Requests made for this item.
    pub attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<CancelRequest>,
}

impl Item {
    /// An item with no answer to read (invalid, dry run, stopped before or during its
    /// request): not cancelled, no HTTP status, no call state.
    pub fn unanswered(
        call_id: Option<String>,
        outcome: &'static str,
        message: String,
        via: Via,
        attempts: u32,
    ) -> Item {
        Item {
            call_id,
            outcome,
            cancelled: false,
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
    pub cancelled: usize,
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

/// What was done before a run stopped, for its error: the cancelled calls by id (up to 20),
/// and how many items were not sent. Parts that are zero are left out.
pub fn done_so_far(items: &[Item]) -> String {
    let cancelled: Vec<&str> = items
        .iter()
        .filter(|i| i.cancelled)
        .filter_map(|i| i.call_id.as_deref())
        .collect();
    let not_sent = items.iter().filter(|i| i.outcome == "not_sent").count();
    let mut parts = Vec::new();
    if cancelled.is_empty() {
        parts.push("No call was cancelled before the run stopped".to_string());
    } else {
        let shown = crate::text::join(&cancelled[..cancelled.len().min(20)], ", ");
        let more = if cancelled.len() > 20 {
            format!(" and {} more", cancelled.len() - 20)
        } else {
            String::new()
        };
        parts.push(format!(
            "Before the run stopped, {} {} cancelled: {shown}{more}",
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
            cancelled: outcome == "cancelled",
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
            done_so_far(&[item("a", "not_found")]),
            "No call was cancelled before the run stopped."
        );
        assert_eq!(
            done_so_far(&[
                item("a", "cancelled"),
                item("b", "not_sent"),
                item("c", "not_found")
            ]),
            "Before the run stopped, 1 call was cancelled: a; 1 item was not sent."
        );
        let many: Vec<Item> = (0..22)
            .map(|i| item(&format!("c{i}"), "cancelled"))
            .collect();
        assert!(done_so_far(&many).contains("22 calls were cancelled: c0, c1"));
        assert!(done_so_far(&many).contains(" and 2 more."));
        assert_eq!(item_name(0), "item 1");
    }
}
