//! A call to schedule from arbitrary JSON, and every answer to it: never panics; a call that
//! passes has a number in the +91 form; `scheduled` only with a 2xx that names a call id.
#![no_main]
use huskyvoice_core::engine::{
    Answer, CallOperation, Credential, JobOptions, JobSpec, OperationKind, PacerBook, Run,
    RunSettings, Step,
};
use huskyvoice_core::input::Loose;
use huskyvoice_core::new_call::read_new_call;
use huskyvoice_core::Via;
use libfuzzer_sys::fuzz_target;
use std::{cell::RefCell, rc::Rc};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (call, answer) = text.split_once('\n').unwrap_or((&text, ""));
    let Ok(input) = serde_json::from_str::<Loose<'_>>(call) else {
        return;
    };
    if let Ok(c) = read_new_call(&input) {
        assert!(c.contact_number.starts_with("+91") && c.contact_number.len() == 13);
    }
    let credential = Credential {
        key: "k".into(),
        via: Via::Rest,
        api_key: Some("sk_test_fuzz".into()),
        webhook: None,
        base_url: None,
        authorize: true,
    };
    let job = JobSpec { input: input.clone(), credential: 0, options: 0, field: None, problem: None };
    let Ok(mut run) = Run::new(
        CallOperation::of(OperationKind::Schedule, Some("fuzz".into())),
        RunSettings { limit: None, stop_on_failure: false, ..RunSettings::default() },
        vec![credential],
        vec![JobOptions { max_attempts: 1, ..JobOptions::default() }],
        vec![job],
        Rc::new(RefCell::new(PacerBook::default())),
    ) else {
        return;
    };
    let status = 100 + (data.first().copied().unwrap_or(0) as u16 % 5) * 100 + 1;
    if let Step::Send(send) = run.poll(0.0) {
        let a = Answer::Response { status, retry_after: None, body: answer, replayed: false };
        run.respond(send.ticket, &a, 1.0).expect("in flight");
    }
    let item = &run.report().items[0];
    if item.succeeded {
        assert!((200..300).contains(&status) && item.call_id.is_some());
    }
});
