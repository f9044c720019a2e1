//! Command-line parsing. Hand-written (a dozen flags) to keep the build small.

use std::net::IpAddr;
use std::path::PathBuf;

use crate::auth::ApiKey;
use crate::events::EventsConfig;
use crate::limits::{LimitSettings, RateLimit};

pub const USAGE: &str = "\
huskyvoice-sandbox: a local stand-in for the HuskyVoice API

USAGE:
    huskyvoice-sandbox [OPTIONS]

OPTIONS:
    --host HOST                 address to listen on (default 127.0.0.1; loopback only
                                unless --allow-remote)
    --port PORT                 port to listen on; 0 picks a free one (default 0)
    --api-key KEY[:SCOPE,...]   accept this API key (repeatable); without scopes it gets
                                calls:read,calls:cancel,calls:create,calls:delete;
                                `KEY:` gets none. Default: sk_test_sandbox, all four
    --webhook-token TOKEN       accept this inbound-webhook token (repeatable).
                                Default: sandbox-token
    --seed FILE                 load calls from {\"calls\":[{\"call_id\":..,\"status\":..}]}
    --advance-every MS          every MS ms move each non-terminal call (seeded or
                                created) one state along
                                queued > initiated > ringing > in_progress > completed
    --latency-ms MS             add MS ms of latency to every HuskyVoice endpoint (default 0)
    --no-log                    do not record requests for GET /__sandbox/requests
    --rate-limit COUNT/WINDOW   at most COUNT requests per API key, and per webhook token,
                                in any sliding WINDOW (units ms, s, m), e.g. 60/60s (the
                                documented HuskyVoice limit); past it 429 RATE_LIMIT_EXCEEDED
    --daily-quota N             at most N requests per UTC day across all keys and tokens;
                                past it 429 QUOTA_EXCEEDED until 00:00 UTC
    --zero-balance              answer every /v1 request 402 INSUFFICIENT_CREDITS
    --events-url URL            POST signed call events (call.initiated, call.answered,
                                call.completed, call.failed, call.disallowed) to this
                                http:// URL as calls change state; needs --events-secret
    --events-secret SECRET      sign events with X-Husky-Signature: hex HMAC-SHA256 of the
                                body keyed with SECRET
    --events-retry-ms MS        first wait before retrying a non-2xx delivery; doubles each
                                time, same event_id and bytes (default 500)
    --events-max-attempts N     attempts per event before giving up (default 6)
    --allow-remote              allow a non-loopback --host (test controls stay loopback-only)
    -h, --help                  print this help
    -V, --version               print the version

When ready, the first line on stdout is exactly `listening on http://HOST:PORT`.
";

#[derive(Debug)]
pub enum Command {
    Run(Box<Options>),
    Help,
    Version,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub ip: IpAddr,
    pub port: u16,
    pub api_keys: Vec<ApiKey>,
    pub webhook_tokens: Vec<String>,
    pub seed: Option<PathBuf>,
    pub advance_every_ms: Option<u64>,
    pub latency_ms: u64,
    pub log_requests: bool,
    /// Off unless given: tests rely on no limits unless they ask.
    pub limits: LimitSettings,
    pub events: EventsConfig,
}

pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut host = String::from("127.0.0.1");
    let mut port: u16 = 0;
    let mut api_keys = Vec::new();
    let mut webhook_tokens = Vec::new();
    let mut seed = None;
    let mut advance_every_ms = None;
    let mut latency_ms = 0;
    let mut log_requests = true;
    let mut limits = LimitSettings::default();
    let mut allow_remote = false;
    let mut events = EventsConfig::default();

    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // Accept both `--flag value` and `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_string(), Some(value.to_string()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "--host" => host = value("--host")?,
            "--port" => port = parse_number(&value("--port")?, "--port")?,
            "--api-key" => api_keys.push(ApiKey::parse(&value("--api-key")?)?),
            "--webhook-token" => {
                let token = value("--webhook-token")?;
                if token.is_empty() {
                    return Err("--webhook-token must not be empty".into());
                }
                webhook_tokens.push(token);
            }
            "--seed" => seed = Some(PathBuf::from(value("--seed")?)),
            "--advance-every" => {
                let ms: u64 = parse_number(&value("--advance-every")?, "--advance-every")?;
                if ms == 0 {
                    return Err("--advance-every must be at least 1 (milliseconds)".into());
                }
                advance_every_ms = Some(ms);
            }
            "--latency-ms" => latency_ms = parse_number(&value("--latency-ms")?, "--latency-ms")?,
            "--no-log" => log_requests = false,
            "--rate-limit" => {
                let text = value("--rate-limit")?;
                let limit = RateLimit::parse(&text).map_err(|err| format!("--rate-limit {err}"))?;
                limits.rate_limit = Some(limit);
            }
            "--daily-quota" => {
                limits.daily_quota = Some(parse_number(&value("--daily-quota")?, "--daily-quota")?);
            }
            "--zero-balance" => limits.zero_balance = true,
            "--allow-remote" => allow_remote = true,
            "--events-url" => events.url = Some(value("--events-url")?),
            "--events-secret" => events.secret = Some(value("--events-secret")?),
            "--events-retry-ms" => {
                events.retry_ms = parse_number(&value("--events-retry-ms")?, "--events-retry-ms")?;
            }
            "--events-max-attempts" => {
                events.max_attempts =
                    parse_number(&value("--events-max-attempts")?, "--events-max-attempts")?;
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }

    let ip = parse_host(&host)?;
    if !ip.is_loopback() && !allow_remote {
        return Err(format!(
            "--host {host} is not a loopback address; the sandbox listens on loopback only \
             unless --allow-remote is given"
        ));
    }

    let events = events.checked().map_err(|err| {
        ["events_url", "events_secret", "events_max_attempts"]
            .iter()
            .fold(err, |err, name| {
                err.replace(name, &format!("--{}", name.replace('_', "-")))
            })
    })?;

    Ok(Command::Run(Box::new(Options {
        ip,
        port,
        api_keys,
        webhook_tokens,
        seed,
        advance_every_ms,
        latency_ms,
        log_requests,
        limits,
        events,
    })))
}

fn parse_host(host: &str) -> Result<IpAddr, String> {
    if host.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::from([127, 0, 0, 1]));
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse()
        .map_err(|_| format!("--host `{host}` is not an IP address or `localhost`"))
}

fn parse_number<T: std::str::FromStr>(text: &str, flag: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{flag} expects a non-negative integer, got `{text}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Options, String> {
        match parse(args.iter().map(|s| s.to_string()))? {
            Command::Run(options) => Ok(*options),
            other => Err(format!("unexpected {other:?}")),
        }
    }

    #[test]
    fn defaults_are_loopback_and_port_zero() {
        let options = run(&[]).expect("defaults parse");
        assert_eq!(options.ip, IpAddr::from([127, 0, 0, 1]));
        assert_eq!(options.port, 0);
        assert!(options.log_requests);
        assert_eq!(options.limits, LimitSettings::default());
    }

    #[test]
    fn limit_flags() {
        let options = run(&[
            "--rate-limit",
            "60/60s",
            "--daily-quota=1000",
            "--zero-balance",
        ])
        .expect("parses");
        assert_eq!(
            options.limits,
            LimitSettings {
                rate_limit: Some(RateLimit {
                    count: 60,
                    window_ms: 60_000
                }),
                daily_quota: Some(1000),
                zero_balance: true,
            }
        );
        let err = run(&["--rate-limit", "60"]).expect_err("no window");
        assert!(
            err.starts_with("--rate-limit expects COUNT/WINDOW"),
            "{err}"
        );
        assert!(run(&["--rate-limit", "0/1s"]).is_err());
        assert!(run(&["--rate-limit"]).is_err());
        assert!(run(&["--daily-quota", "-1"]).is_err());
    }

    #[test]
    fn flags_with_equals_and_repeats() {
        let options = run(&[
            "--port=8080",
            "--api-key",
            "k1",
            "--api-key=k2:calls:read",
            "--webhook-token",
            "t",
            "--latency-ms",
            "20",
            "--host",
            "[::1]",
        ])
        .expect("parses");
        assert_eq!(options.port, 8080);
        assert_eq!(options.api_keys.len(), 2);
        assert_eq!(options.webhook_tokens, vec!["t".to_string()]);
        assert_eq!(options.latency_ms, 20);
        assert!(options.ip.is_loopback());
    }

    #[test]
    fn events_flags() {
        let options = run(&[
            "--events-url",
            "http://127.0.0.1:8787/hook",
            "--events-secret=whsec_1",
            "--events-retry-ms",
            "20",
            "--events-max-attempts",
            "2",
        ])
        .expect("events flags");
        assert_eq!(
            options.events,
            EventsConfig {
                url: Some("http://127.0.0.1:8787/hook".into()),
                secret: Some("whsec_1".into()),
                wrong_secret: false,
                retry_ms: 20,
                max_attempts: 2,
            }
        );
        assert_eq!(run(&[]).expect("defaults").events, EventsConfig::default());
        for (args, says) in [
            (
                &["--events-url", "http://127.0.0.1:1/x"][..],
                "--events-url needs --events-secret",
            ),
            (
                &["--events-url", "https://x.test/", "--events-secret", "s"][..],
                "no TLS",
            ),
            (
                &["--events-secret", ""][..],
                "--events-secret must not be empty",
            ),
            (
                &["--events-max-attempts", "0"][..],
                "--events-max-attempts must be at least 1",
            ),
        ] {
            let err = run(args).expect_err(says);
            assert!(err.contains(says), "{err}");
        }
    }

    #[test]
    fn refuses_remote_host_without_flag() {
        let err = run(&["--host", "0.0.0.0"]).expect_err("must refuse");
        assert!(err.contains("--allow-remote"), "{err}");
        assert!(run(&["--host", "0.0.0.0", "--allow-remote"]).is_ok());
    }

    #[test]
    fn rejects_bad_values() {
        assert!(run(&["--port", "http"]).is_err());
        assert!(run(&["--advance-every", "0"]).is_err());
        assert!(run(&["--bogus"]).is_err());
        assert!(run(&["--seed"]).is_err());
    }
}
