//! JavaScript face of `huskyvoice-core`. One file per exposed function; every function takes
//! plain JS values, lets the core decide, and turns core errors into real `Error`s with a
//! stable `code`. Nothing here may panic on input: a panic would trap the whole module.

mod build;
mod check_receiver;
mod convert;
mod credential_test;
mod errors;
mod interpret;
mod pacers;
mod receive_event;
mod redact;
mod replay_guard;
mod retry;
mod run;
mod run_types;
mod types;
mod validate;
mod verify_event;

pub use build::{build_cancel_request, build_cancel_requests};
pub use check_receiver::check_receiver;
pub use credential_test::{credential_test_request, read_credential_test};
pub use interpret::{interpret_cancel_response, interpret_cancel_responses};
pub use pacers::Pacers;
pub use receive_event::receive_event;
pub use redact::redact_secrets;
pub use replay_guard::ReplayGuard;
pub use retry::retry_delay_ms;
pub use run::Run;
pub use validate::validate_call_id;
pub use verify_event::verify_event;

#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
