//! The real server process on loopback and a plain HTTP/1.1 client for the tests.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

pub const PASSWORD: &str = "a long password 1";

/// A centre in `dir`: the administrator (login `admin`), 路灯管理所 and 水务集团, an agent
/// (`agent`) and a handler for each department (`lighting`, `water`), all with
/// `PASSWORD`. Returns the lighting department's id.
pub fn centre(dir: &std::path::Path) -> i64 {
    let store = hotline_core::Store::open(
        dir.join("hotline.db"),
        std::sync::Arc::new(hotline_core::SystemClock),
    )
    .expect("store");
    centre_in(&store)
}

/// `centre` in an open store (a PostgreSQL database several instances serve).
pub fn centre_in(store: &hotline_core::Store) -> i64 {
    use hotline_core::model::Role;
    let admin = store.first_admin().expect("admin");
    store
        .set_password(&admin, admin.id, "admin", PASSWORD)
        .expect("admin password");
    let lighting = store
        .create_department(None, "lighting", "路灯管理所", None)
        .expect("dept")
        .id;
    let water = store
        .create_department(None, "water", "水务集团", None)
        .expect("dept")
        .id;
    for (name, login, dept, role) in [
        ("李娜", "agent", 1, Role::Agent),
        ("王工", "lighting", lighting, Role::Handler),
        ("赵工", "water", water, Role::Handler),
    ] {
        let u = store.create_user(None, name, dept, role).expect("user");
        store
            .set_password(&admin, u.id, login, PASSWORD)
            .expect("password");
    }
    lighting
}

/// A running `hotline-server`, stopped when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
}

impl Server {
    /// SIGKILL: the process ends where it stands.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the server on a free loopback port over `dir`, plain HTTP, with `extra` config
/// lines.
pub fn start(dir: &std::path::Path, extra: &str) -> Server {
    let (server, _) = launch(dir, &format!("plain_http = true\n{extra}"), None);
    server
}

/// Like `start`, its log (stderr) written to `log`.
pub fn start_logged(dir: &std::path::Path, log: &std::path::Path) -> Server {
    start_logged_with(dir, "", log)
}

/// `start` with `extra` config lines, its log written to `log`.
pub fn start_logged_with(dir: &std::path::Path, extra: &str, log: &std::path::Path) -> Server {
    let file = std::fs::File::create(log).expect("log file");
    let (server, _) = launch(dir, &format!("plain_http = true\n{extra}"), Some(file));
    server
}

/// Starts the server over TLS; returns it and the fingerprint it printed.
pub fn start_tls(dir: &std::path::Path) -> (Server, String) {
    let (server, fingerprint) = launch(dir, "", None);
    (server, fingerprint.expect("the fingerprint line"))
}

fn launch(
    dir: &std::path::Path,
    extra: &str,
    log: Option<std::fs::File>,
) -> (Server, Option<String>) {
    let config = dir.join("server.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\ndata_dir = \"{}\"\n{extra}",
            dir.display()
        ),
    )
    .expect("config");
    let mut child = Command::new(env!("CARGO_BIN_EXE_hotline-server"))
        .arg("--config")
        .arg(&config)
        .stdout(Stdio::piped())
        // The request log is its own test's (`start_logged`); here it would drown the output.
        .stderr(log.map_or_else(Stdio::null, Stdio::from))
        .spawn()
        .expect("server starts");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("the listening line");
    let (tls, addr) = match line.trim().strip_prefix("listening on https://") {
        Some(a) => (true, a.to_string()),
        None => (
            false,
            line.trim()
                .strip_prefix("listening on http://")
                .unwrap_or_else(|| panic!("unexpected: {line}"))
                .to_string(),
        ),
    };
    let fingerprint = tls.then(|| {
        let mut l = String::new();
        out.read_line(&mut l).expect("the fingerprint line");
        l.trim()
            .strip_prefix("certificate fingerprint ")
            .unwrap_or_else(|| panic!("unexpected: {l}"))
            .to_string()
    });
    (Server { child, addr }, fingerprint)
}

/// One HTTP/1.1 request; (status, JSON body).
pub fn request(
    s: &Server,
    method: &str,
    path: &str,
    token: Option<&str>,
    seat: &str,
    body: &[u8],
) -> (u16, Value) {
    let mut c = TcpStream::connect(&s.addr).expect("connect");
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nX-Hotline-Seat: {seat}\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n",
        s.addr,
        body.len()
    );
    c.write_all(head.as_bytes()).expect("head");
    let _ = c.write_all(body);
    let mut raw = Vec::new();
    let _ = c.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    let status: u16 = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text}"));
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

/// A command of the registry: (status, result or error).
pub fn call(s: &Server, name: &str, token: Option<&str>, seat: &str, args: Value) -> (u16, Value) {
    request(
        s,
        "POST",
        &format!("/api/v1/{name}"),
        token,
        seat,
        args.to_string().as_bytes(),
    )
}

/// Signs `who` in at `seat` (with `PASSWORD`) and returns the token.
pub fn login(s: &Server, who: &str, seat: &str) -> String {
    let (status, v) = call(
        s,
        "login",
        None,
        seat,
        json!({ "login": who, "password": PASSWORD }),
    );
    assert_eq!(status, 200, "{v}");
    v["token"].as_str().expect("token").to_string()
}
