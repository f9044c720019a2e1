//! A run as JavaScript describes it (`new Run(plan, pacers)`), read from its parsed tree and
//! checked field by field, so a wrong value gets a message that names it.

use super::job::{Credential, JobOptions, JobSpec};
use super::operation::OperationKind;
use super::pacer::Limit;
use super::run::{RunSettings, DOCUMENTED_LIMIT};
use crate::error::{number_text, CoreError, ErrorCode};
use crate::idempotency::{KeysFrom, RunKeys};
use crate::loose::Loose;
use crate::request::Via;
use std::fmt;

/// A run plan object, read from its parsed tree.
#[derive(Debug)]
pub struct RunPlan<'p, 'a>(pub &'p Loose<'a>);

/// Everything `Run::new` takes, checked; the jobs' inputs borrow from the plan.
#[derive(Debug)]
pub struct Parts<'a> {
    pub operation: OperationKind,
    /// Derives the Idempotency-Keys of creates without their own: from `runId` (where the
    /// run's items come from) and `keysFrom` (`index`, the default, or `content`).
    pub keys: Option<RunKeys>,
    pub settings: RunSettings,
    pub credentials: Vec<Credential>,
    pub options: Vec<JobOptions>,
    pub jobs: Vec<JobSpec<'a>>,
}

/// Where a field is (`concurrency`, `options[2].timeoutMs`), for messages. Kept as parts so
/// the name is only written out for an error: a plan can hold 100,000 jobs.
#[derive(Clone, Copy)]
struct Field<'n> {
    list: Option<(&'n str, usize)>,
    name: &'n str,
}

impl fmt::Display for Field<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.list {
            Some((list, i)) => write!(f, "\"{list}[{i}].{}\"", self.name),
            None => write!(f, "\"{}\"", self.name),
        }
    }
}

/// One object of the plan (the plan itself, a credential, an options entry or a job).
#[derive(Clone, Copy)]
struct Object<'p, 'a, 'n> {
    value: &'p Loose<'a>,
    list: Option<(&'n str, usize)>,
}

fn bad(what: fmt::Arguments<'_>) -> CoreError {
    CoreError::new(ErrorCode::InvalidOptions, format!("Run: {what}"))
}

fn shown(v: &Loose<'_>) -> String {
    match v {
        Loose::Num(n) => number_text(*n),
        Loose::Str(s) => format!("\"{}\"", s.chars().take(40).collect::<String>()),
        other => other.describe(),
    }
}

impl<'p, 'a, 'n> Object<'p, 'a, 'n> {
    /// `None` for an absent or null field.
    fn get(&self, name: &'n str) -> (Field<'n>, Option<&'p Loose<'a>>) {
        let field = Field {
            list: self.list,
            name,
        };
        (field, self.value.get(name).filter(|v| **v != Loose::Null))
    }

    /// A whole number in `min..=max`, or `default` when absent.
    fn whole(&self, name: &'n str, default: u64, min: u64, max: u64) -> Result<u64, CoreError> {
        match self.get(name) {
            (_, None) => Ok(default),
            (_, Some(Loose::Num(n)))
                if n.fract() == 0.0 && *n >= min as f64 && *n <= max as f64 =>
            {
                Ok(*n as u64)
            }
            (field, Some(other)) => Err(bad(format_args!(
                "{field} must be a whole number from {min} to {max}; got {}.",
                shown(other)
            ))),
        }
    }

    fn flag(&self, name: &'n str, default: bool) -> Result<bool, CoreError> {
        match self.get(name) {
            (_, None) => Ok(default),
            (_, Some(Loose::Bool(b))) => Ok(*b),
            (field, Some(other)) => Err(bad(format_args!(
                "{field} must be true or false; got {}.",
                shown(other)
            ))),
        }
    }

    fn text(&self, name: &'n str) -> Result<Option<String>, CoreError> {
        match self.get(name) {
            (_, None) => Ok(None),
            (_, Some(Loose::Str(s))) => Ok(Some(s.to_string())),
            // Never quote a value that may be a secret.
            (field, Some(other)) => Err(bad(format_args!(
                "{field} must be text; got {}.",
                other.describe()
            ))),
        }
    }

    /// One of `choices` (by its text), or `default` when absent.
    fn choice(&self, name: &'n str, choices: &[&str], default: usize) -> Result<usize, CoreError> {
        match self.get(name) {
            (_, None) => Ok(default),
            (field, Some(v)) => v
                .as_str()
                .and_then(|s| choices.iter().position(|c| *c == s))
                .ok_or_else(|| {
                    bad(format_args!(
                        "{field} must be \"{}\"; got {}.",
                        crate::text::join(choices, "\" or \""),
                        shown(v)
                    ))
                }),
        }
    }

    /// The objects of a list field (absent or null: none).
    fn objects(&self, name: &'n str) -> Result<Vec<Object<'p, 'a, 'n>>, CoreError> {
        let items = match self.get(name) {
            (_, None) => return Ok(Vec::new()),
            (_, Some(Loose::Array(items))) => items,
            (field, Some(other)) => {
                return Err(bad(format_args!(
                    "{field} must be a list; got {}.",
                    other.describe()
                )))
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, value) in items.iter().enumerate() {
            if !value.is_object() {
                return Err(bad(format_args!(
                    "\"{name}[{i}]\" must be an object; got {}.",
                    value.describe()
                )));
            }
            out.push(Object {
                value,
                list: Some((name, i)),
            });
        }
        Ok(out)
    }
}

impl<'p, 'a> RunPlan<'p, 'a> {
    pub fn into_parts(self) -> Result<Parts<'a>, CoreError> {
        if !self.0.is_object() {
            return Err(bad(format_args!(
                "the plan must be an object {{ credentials, jobs, ... }}."
            )));
        }
        let plan = Object {
            value: self.0,
            list: None,
        };
        let names = OperationKind::ALL.map(OperationKind::as_str);
        let operation = OperationKind::ALL[plan.choice("operation", &names, 2)?];
        let run_id = plan.text("runId")?;
        if run_id.as_deref().is_some_and(|id| id.trim().is_empty()) {
            return Err(bad(format_args!(
                "\"runId\" must be non-empty text (e.g. a batch id), or left out."
            )));
        }
        let keys_from = KeysFrom::ALL[plan.choice("keysFrom", &KeysFrom::NAMES, 0)?];
        let keys = run_id.map(|id| RunKeys::new(id, keys_from));
        let requests = plan.whole(
            "requestsPerMinute",
            u64::from(DOCUMENTED_LIMIT.requests),
            0,
            100_000,
        )?;
        let window_ms = plan.whole("windowMs", DOCUMENTED_LIMIT.window_ms, 1, 86_400_000)?;
        let settings = RunSettings {
            concurrency: plan.whole("concurrency", 5, 1, 1000)? as u32,
            limit: (requests > 0).then_some(Limit {
                requests: requests as u32,
                window_ms,
            }),
            stop_on_failure: plan.flag("stopOnFailure", true)?,
            seed: plan.whole("seed", 0, 0, 9_007_199_254_740_991)?,
        };
        let mut credentials = Vec::new();
        for (i, c) in plan.objects("credentials")?.iter().enumerate() {
            credentials.push(credential(i, c)?);
        }
        if credentials.is_empty() {
            return Err(bad(format_args!(
                "give at least one credential in \"credentials\"."
            )));
        }
        // An invalid options entry does not fail the run: the items that use it are invalid.
        let mut options = Vec::new();
        let mut problems = Vec::new();
        for o in plan.objects("options")? {
            let entry = Object { list: None, ..o };
            match job_options(&entry) {
                Ok(opts) => {
                    options.push(opts);
                    problems.push(None);
                }
                Err(e) => {
                    options.push(JobOptions::default());
                    problems.push(Some(crate::text::replace_first(
                        &e.message, "Run: ", "Option ",
                    )));
                }
            }
        }
        if options.is_empty() {
            options.push(JobOptions::default());
            problems.push(None);
        }
        let (last_credential, last_options) = (credentials.len() - 1, options.len() - 1);
        let mut jobs = Vec::new();
        for j in plan.objects("jobs")? {
            let options = j.whole("options", 0, 0, last_options as u64)? as usize;
            jobs.push(JobSpec {
                credential: j.whole("credential", 0, 0, last_credential as u64)? as usize,
                problem: problems[options].clone(),
                options,
                field: j.text("field")?,
                // `call` (schedule's object) or `callId`; `input` for either.
                input: j
                    .get("input")
                    .1
                    .or_else(|| j.get("call").1)
                    .or_else(|| j.get("callId").1)
                    .cloned()
                    .unwrap_or(Loose::Null),
            });
        }
        Ok(Parts {
            operation,
            keys,
            settings,
            credentials,
            options,
            jobs,
        })
    }
}

/// One credential object as `new Run` takes it, outside a plan (the credential test).
pub fn credential_from(v: &Loose<'_>) -> Result<Credential, CoreError> {
    if !v.is_object() {
        return Err(bad(format_args!(
            "the credential must be an object {{ via, apiKey | webhook, baseUrl }}."
        )));
    }
    credential(
        0,
        &Object {
            value: v,
            list: None,
        },
    )
}

fn credential(i: usize, c: &Object<'_, '_, '_>) -> Result<Credential, CoreError> {
    let via = c
        .get("via")
        .1
        .and_then(Loose::as_str)
        .and_then(Via::parse)
        .ok_or_else(|| {
            bad(format_args!(
                "\"credentials[{i}].via\" must be \"rest\" or \"webhook\"."
            ))
        })?;
    Ok(Credential {
        key: c.text("key")?.unwrap_or_else(|| format!("credential-{i}")),
        via,
        api_key: c.text("apiKey")?,
        webhook: c.text("webhook")?,
        base_url: c.text("baseUrl")?,
        authorize: c.flag("authorize", true)?,
    })
}

fn job_options(o: &Object<'_, '_, '_>) -> Result<JobOptions, CoreError> {
    let d = JobOptions::default();
    Ok(JobOptions {
        max_attempts: o.whole("maxAttempts", u64::from(d.max_attempts), 1, 100)? as u32,
        max_total_wait_ms: o.whole("maxTotalWaitMs", d.max_total_wait_ms, 0, 86_400_000)?,
        timeout_ms: o.whole("timeoutMs", d.timeout_ms, 1, 3_600_000)?,
        fail_on_not_cancellable: o.choice("onNotCancellable", &["output", "error"], 0)? == 1,
        fail_on_not_ended: o.choice("onNotEnded", &["output", "error"], 0)? == 1,
        fail_on_not_found: o.choice("onNotFound", &["output", "error"], 0)? == 1,
        dry_run: o.flag("dryRun", false)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(json: &str) -> Result<Parts<'_>, CoreError> {
        let tree: Loose<'_> = serde_json::from_str(json).unwrap();
        RunPlan(&tree).into_parts()
    }

    #[test]
    fn defaults_are_the_documented_limit() {
        let p = parts(r#"{"credentials":[{"via":"rest"}],"jobs":[{"callId":"a"},{"callId":7}]}"#)
            .unwrap();
        assert_eq!(p.settings.limit, Some(DOCUMENTED_LIMIT));
        assert_eq!(p.settings.concurrency, 5);
        assert!(p.settings.stop_on_failure);
        assert_eq!(p.options, vec![JobOptions::default()]);
        assert_eq!(p.jobs[1].input, Loose::Num(7.0));
        assert_eq!(p.jobs[0].input, Loose::Str("a".into()));
        assert_eq!(p.credentials[0].key, "credential-0");
        assert_eq!(p.credentials[0].via, Via::Rest);
    }

    #[test]
    fn zero_requests_per_minute_turns_pacing_off() {
        let p = parts(r#"{"requestsPerMinute":0,"credentials":[{"via":"webhook","webhook":"t"}]}"#)
            .unwrap();
        assert_eq!(p.settings.limit, None);
        assert_eq!(p.credentials[0].via, Via::Webhook);
    }

    #[test]
    fn a_bad_options_entry_makes_its_items_invalid_not_the_run() {
        let p = parts(r#"{"credentials":[{"via":"rest"}],"options":[{},{"onNotCancellable":"skip","maxAttempts":2}],"jobs":[{"callId":"a"},{"callId":"b","options":1}]}"#).unwrap();
        assert_eq!(p.jobs[0].problem, None);
        assert_eq!(
            p.jobs[1].problem.as_deref(),
            Some("Option \"onNotCancellable\" must be \"output\" or \"error\"; got \"skip\".")
        );
    }

    #[test]
    fn every_bad_field_is_named() {
        for (json, names) in [
            (
                r#"{"concurrency":0,"credentials":[{"via":"rest"}]}"#,
                "\"concurrency\"",
            ),
            (
                r#"{"requestsPerMinute":2.5,"credentials":[{"via":"rest"}]}"#,
                "\"requestsPerMinute\"",
            ),
            (r#"{"credentials":[]}"#, "at least one credential"),
            (
                r#"{"credentials":[{"via":"sms"}]}"#,
                "\"credentials[0].via\"",
            ),
            (r#"{"credentials":[{}]}"#, "\"credentials[0].via\""),
            (
                r#"{"credentials":[{"via":"rest","apiKey":5}]}"#,
                "\"credentials[0].apiKey\"",
            ),
            (
                r#"{"credentials":[{"via":"rest"}],"jobs":[{"callId":"a","credential":1}]}"#,
                "\"jobs[0].credential\"",
            ),
            (
                r#"{"credentials":[{"via":"rest"}],"jobs":[5]}"#,
                "\"jobs[0]\" must be an object",
            ),
            (
                r#"{"operation":"erase","credentials":[{"via":"rest"}]}"#,
                "\"operation\"",
            ),
        ] {
            let e = parts(json).unwrap_err();
            assert!(e.message.contains(names), "{json}: {}", e.message);
        }
    }
}
