//! Shared by the integration tests: start the real binary on a free port and talk to it
//! with a tiny HTTP/1.1 client over std::net, which (unlike a full client) shows exactly
//! what came back, including "nothing, the connection was closed".
#![allow(dead_code)] // each test binary uses a different subset

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_huskyvoice-sandbox");
pub const KEY: &str = "sk_test_sandbox";
pub const TOKEN: &str = "sandbox-token";

pub struct Sandbox {
    child: Option<Child>,
    pub addr: SocketAddr,
    stdout_rest: Arc<Mutex<String>>,
}

pub struct Stopped {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Sandbox {
    pub fn start(args: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn sandbox");
        let stdout = child.stdout.take().expect("stdout piped");
        let stdout_rest = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let rest = Arc::clone(&stdout_rest);
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            let mut tail = String::new();
            let _ = reader.read_to_string(&mut tail);
            rest.lock().expect("lock").push_str(&tail);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("first stdout line within 10 s");
        let url = line
            .trim_end()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        assert_eq!(line, format!("listening on http://{url}\n"));
        Self {
            child: Some(child),
            addr: url.parse().expect("HOST:PORT"),
            stdout_rest,
        }
    }

    /// SIGTERM, then the exit status and everything printed.
    pub fn stop(mut self) -> Stopped {
        let mut child = self.child.take().expect("running");
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            assert!(Instant::now() < deadline, "sandbox did not exit on SIGTERM");
            thread::sleep(Duration::from_millis(10));
        };
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        thread::sleep(Duration::from_millis(50)); // let the reader thread finish
        let stdout = self.stdout_rest.lock().expect("lock").clone();
        Stopped {
            status,
            stdout,
            stderr,
        }
    }

    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Option<Reply> {
        send(self.addr, method, path, headers, body)
    }

    /// A request that must get an answer.
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
        self.send(method, path, headers, body)
            .unwrap_or_else(|| panic!("{method} {path}: connection closed without a response"))
    }

    pub fn cancel(&self, call_id: &str) -> Reply {
        self.cancel_with(call_id, KEY)
    }

    pub fn cancel_with(&self, call_id: &str, key: &str) -> Reply {
        let auth = format!("Bearer {key}");
        self.request(
            "POST",
            &format!("/v1/calls/{call_id}/cancel"),
            &[("Authorization", &auth)],
            "",
        )
    }

    pub fn hook(&self, token: &str, body: &str) -> Reply {
        self.request(
            "POST",
            &format!("/v1/hooks/{token}"),
            &[("Content-Type", "application/json")],
            body,
        )
    }

    /// `POST /v1/calls` with the demo key, an optional Idempotency-Key and a raw body.
    pub fn create_raw(&self, idempotency_key: Option<&str>, body: &str) -> Option<Reply> {
        let auth = format!("Bearer {KEY}");
        let mut headers = vec![
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/json"),
        ];
        if let Some(key) = idempotency_key {
            headers.push(("Idempotency-Key", key));
        }
        self.send("POST", "/v1/calls", &headers, body)
    }

    /// `POST /v1/calls` that must get an answer.
    pub fn create(&self, idempotency_key: Option<&str>, body: &Value) -> Reply {
        self.create_raw(idempotency_key, &body.to_string())
            .unwrap_or_else(|| panic!("POST /v1/calls: connection closed without a response"))
    }

    /// `DELETE /v1/calls/{id}` with these headers.
    pub fn delete_with(&self, call_id: &str, headers: &[(&str, &str)]) -> Reply {
        self.request("DELETE", &format!("/v1/calls/{call_id}"), headers, "")
    }

    /// `DELETE /v1/calls/{id}` as the contract's client sends it: the demo key in both
    /// `Authorization: Bearer` and `x-api-key`.
    pub fn delete(&self, call_id: &str) -> Reply {
        let auth = format!("Bearer {KEY}");
        self.delete_with(call_id, &[("Authorization", &auth), ("x-api-key", KEY)])
    }

    /// `GET /v1/calls/{id}` with the demo key.
    pub fn get(&self, call_id: &str) -> Reply {
        let auth = format!("Bearer {KEY}");
        self.request(
            "GET",
            &format!("/v1/calls/{call_id}"),
            &[("Authorization", &auth)],
            "",
        )
    }

    pub fn stats(&self) -> Value {
        self.admin_get("/stats")
    }

    pub fn admin_get(&self, path: &str) -> Value {
        let reply = self.request("GET", &format!("/__sandbox{path}"), &[], "");
        assert_eq!(reply.status, 200, "GET /__sandbox{path}: {}", reply.body);
        reply.json()
    }

    pub fn admin_post(&self, path: &str, body: Value) -> Reply {
        self.request("POST", &format!("/__sandbox{path}"), &[], &body.to_string())
    }

    pub fn add_call(&self, call_id: &str, status: &str) {
        let reply = self.admin_post(
            "/calls",
            serde_json::json!({"calls": [{"call_id": call_id, "status": status}]}),
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
    }

    pub fn call(&self, call_id: &str) -> Value {
        self.admin_get(&format!("/calls/{call_id}"))
    }

    pub fn faults(&self, rules: Value) {
        let reply = self.admin_post("/faults", rules);
        assert_eq!(reply.status, 200, "{}", reply.body);
    }

    pub fn requests(&self) -> Vec<Value> {
        match self.admin_get("/requests") {
            Value::Array(entries) => entries,
            other => panic!("requests is not a list: {other}"),
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|err| panic!("body is not JSON ({err}): {:?}", self.body))
    }
}

/// One request on its own connection; None if the server closed it without answering.
pub fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Option<Reply> {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .expect("timeout");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("write head");
    stream.write_all(body.as_bytes()).expect("write body");
    let mut raw = Vec::new();
    match stream.read_to_end(&mut raw) {
        Ok(_) => {}
        Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(err) => panic!("read: {err}"),
    }
    if raw.is_empty() {
        return None;
    }
    let text = String::from_utf8(raw).expect("utf-8 response");
    let (head, body) = text.split_once("\r\n\r\n").expect("complete response head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .expect("status line");
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Some(Reply {
        status,
        headers,
        body: body.to_string(),
    })
}
