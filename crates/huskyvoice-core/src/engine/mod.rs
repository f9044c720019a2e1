//! The run engine: a sans-IO state machine that decides everything about a bulk operation
//! (schedule, get, cancel or delete calls)
//! (validation, pacing per credential, pausing on 429, quota stops, retries with seeded
//! jitter, the concurrency cap, when an item fails and when the run stops, every message),
//! driven by a thin loop that only sends requests and sleeps. Time, answers and randomness
//! are inputs, so the tests run it in virtual time against a simulated HuskyVoice.

mod job;
mod operation;
mod operations;
mod pacer;
mod plan;
mod reading;
mod report;
mod run;

pub use job::{Answer, Credential, JobOptions, JobSpec};
pub use operation::{Fields, Invalid, Operation, OperationKind, Words};
pub use operations::{
    AnyTarget, CallOperation, CancelCall, DeleteCall, GetCall, ScheduleCall, ScheduleTarget,
};
pub use pacer::{Allowance, Limit, PacerBook, PacerId};
pub use plan::{credential_from, Parts, RunPlan};
pub use reading::Reading;
pub use report::{Failure, Item, Report, Summary};
pub use run::{Run, RunSettings, Send, Step, DOCUMENTED_LIMIT};
