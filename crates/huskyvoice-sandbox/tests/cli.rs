//! The command line: seed files, state progression, startup failures and shutdown.

mod common;

use std::net::TcpListener;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{Sandbox, BIN};

fn temp_file(name: &str, contents: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hv-sandbox-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write");
    path
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run sandbox")
}

#[test]
fn seed_file_loads_calls() {
    let seed = temp_file(
        "good.json",
        r#"{"calls":[{"call_id":"call_a","status":"queued"},{"call_id":"call_b","status":"in_progress"}]}"#,
    );
    let sandbox = Sandbox::start(&["--seed", seed.to_str().expect("utf-8")]);
    assert_eq!(sandbox.call("call_a")["status"], "queued");
    assert_eq!(sandbox.call("call_b")["status"], "in_progress");
    assert_eq!(sandbox.cancel("call_b").status, 409);
}

#[test]
fn bad_seed_files_fail_with_a_clear_error() {
    let cases = [
        (temp_file("broken.json", "{\"calls\": ["), "bad seed file"),
        (
            temp_file(
                "state.json",
                r#"{"calls":[{"call_id":"a","status":"paused"}]}"#,
            ),
            "paused",
        ),
        (
            temp_file("id.json", r#"{"calls":[{"call_id":"a/b"}]}"#),
            "call_id",
        ),
    ];
    for (path, needle) in &cases {
        let output = run(&["--port", "0", "--seed", path.to_str().expect("utf-8")]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
        assert!(output.stdout.is_empty(), "must not claim to listen");
    }
    let missing = run(&["--port", "0", "--seed", "/nonexistent/seed.json"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr)
        .contains("cannot read seed file /nonexistent/seed.json"));
}

#[test]
fn busy_port_fails_with_a_clear_error() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let output = run(&["--port", &port]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{stderr}"
    );
    assert!(stderr.to_lowercase().contains("in use"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn remote_hosts_need_allow_remote() {
    let output = run(&["--host", "0.0.0.0", "--port", "0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--allow-remote"));
    let bad = run(&["--port", "seventy"]);
    assert_eq!(bad.status.code(), Some(2));
    let help = run(&["--help"]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--advance-every"));
}

#[test]
fn bad_limit_flags_exit_2_with_a_clear_message() {
    for (args, needle) in [
        (
            &["--rate-limit", "60"][..],
            "--rate-limit expects COUNT/WINDOW",
        ),
        (&["--rate-limit", "60/60h"][..], "got `60/60h`"),
        (&["--rate-limit", "0/1s"][..], "COUNT must be at least 1"),
        (&["--rate-limit=5/0ms"][..], "WINDOW must be longer than 0"),
        (&["--daily-quota", "lots"][..], "--daily-quota"),
    ] {
        let output = run(&[&["--port", "0"][..], args].concat());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
        assert!(output.stdout.is_empty(), "must not claim to listen");
    }
    let help = run(&["--help"]);
    let usage = String::from_utf8_lossy(&help.stdout);
    for flag in ["--rate-limit", "--daily-quota", "--zero-balance"] {
        assert!(usage.contains(flag), "{flag} not in --help");
    }
}

#[test]
fn localhost_and_ipv6_loopback_are_accepted() {
    let sandbox = Sandbox::start(&["--host", "localhost"]);
    assert!(sandbox.addr.ip().is_loopback());
    assert_eq!(sandbox.cancel("call_x").status, 404);
    if std::net::TcpListener::bind("[::1]:0").is_ok() {
        let v6 = Sandbox::start(&["--host", "::1"]);
        assert!(v6.addr.is_ipv6());
        assert_eq!(v6.cancel("call_x").status, 404);
    }
}

#[test]
fn advance_every_moves_calls_along_until_terminal() {
    let sandbox = Sandbox::start(&["--advance-every", "40"]);
    sandbox.add_call("call_moving", "queued");
    sandbox.add_call("call_stopped", "cancelled");
    let deadline = Instant::now() + Duration::from_secs(5);
    while sandbox.call("call_moving")["status"] != "completed" {
        assert!(Instant::now() < deadline, "call never completed");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        sandbox.call("call_moving")["history"],
        serde_json::json!(["queued", "initiated", "ringing", "in_progress", "completed"])
    );
    assert_eq!(sandbox.call("call_stopped")["status"], "cancelled");
    let late = sandbox.cancel("call_moving");
    assert_eq!(late.status, 409);
    assert_eq!(late.json()["error"]["status"], "completed");
    assert_eq!(sandbox.admin_get("/config")["advance_every_ms"], 40);
}

#[test]
fn sigterm_shuts_down_cleanly() {
    let sandbox = Sandbox::start(&[]);
    assert_eq!(sandbox.cancel("call_x").status, 404);
    let stopped = sandbox.stop();
    assert!(
        stopped.status.success(),
        "{:?} {}",
        stopped.status,
        stopped.stderr
    );
    assert!(stopped.stderr.contains("shutting down"));
    assert_eq!(stopped.stdout, "", "nothing after the listening line");
}

#[test]
fn sigterm_right_after_the_listening_line_is_still_clean() {
    for _ in 0..5 {
        let stopped = Sandbox::start(&[]).stop();
        assert!(
            stopped.status.success(),
            "{:?} {}",
            stopped.status,
            stopped.stderr
        );
    }
}
