use huskyvoice_core::engine::PacerBook;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// Pacers shared by every run they are given to: one sliding window per credential key, so
/// runs given the same `Pacers` keep HuskyVoice's rate limit together (the n8n node keeps
/// one for all its executions, so concurrent executions with one credential share it).
#[wasm_bindgen]
pub struct Pacers {
    pub(crate) book: Rc<RefCell<PacerBook>>,
}

#[wasm_bindgen]
impl Pacers {
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Pacers {
        Pacers {
            book: Rc::new(RefCell::new(PacerBook::default())),
        }
    }
}
