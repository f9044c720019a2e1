//! The run engine: a sans-IO state machine that decides everything about a bulk operation
//! (validation, pacing per credential, pausing on 429, quota stops, retries with seeded
//! jitter, the concurrency cap, when an item fails and when the run stops, every message),
//! driven by a thin loop that only sends requests and sleeps. Time, answers and randomness
//! are inputs, so the tests run it in virtual time against a simulated HuskyVoice.

mod job;
mod operation;
mod pacer;
mod plan;
mod report;
mod run;

pub use job::{Answer, Credential, JobOptions, JobSpec};
pub use operation::{CancelCall, Operation};
pub use pacer::{Allowance, Limit, PacerBook, PacerId};
pub use plan::{credential_from, Parts, RunPlan};
pub use report::{Failure, Item, Report, Summary};
pub use run::{Run, RunSettings, Send, Step, DOCUMENTED_LIMIT};
