//! Every decision about a HuskyVoice call's life (schedule, get, cancel, delete), in plain Rust.
//!
//! Nothing here touches the network or JavaScript: callers (the wasm binding, the n8n node
//! through it) hand in strings and numbers and get back values or a [`CoreError`]. No input
//! can make these functions panic; that matters because a panic traps the wasm module.

pub mod base_url;
pub mod batch;
pub mod call_id;
pub mod call_state;
pub mod credential_test;
pub mod engine;
pub mod error;
pub mod event;
pub mod http_date;
pub mod idempotency;
pub mod input;
pub mod interpret;
pub mod iso_time;
pub mod json_text;
pub mod loose;
pub mod new_call;
pub mod outcome;
pub mod redact;
pub mod request;
pub mod response_body;
pub mod retry;
pub mod text;
pub mod transport_failure;
pub mod webhook;

pub use error::{CoreError, ErrorCode};
pub use event::{verify_event, verify_event_any, Event, Rejection};
pub use interpret::{interpret_cancel_response, CancelResponse, CancelResult, TransportError};
pub use outcome::Outcome;
pub use redact::redact_secrets;
pub use request::{build_cancel_request, CancelOptions, HttpRequest, Via};
pub use retry::{retry_delay_ms, RetryPolicy};
