//! `hotline --server`: the command line against a real centre server over TLS (in-process
//! here): the certificate must be confirmed, the session is kept for `call`, the server's
//! permission door applies, and the data file the server holds is refused.

use assert_cmd::Command;
use serde_json::Value;
use std::sync::Arc;

const PASS: &str = "a long password 1";

#[test]
fn the_command_line_signs_in_to_a_server_and_calls_its_commands() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("centre");
    std::fs::create_dir_all(&data).expect("data");
    {
        use hotline_core::model::Role;
        let s =
            hotline_core::Store::open(data.join("hotline.db"), Arc::new(hotline_core::SystemClock))
                .expect("store");
        let admin = s.setup_admin("admin", "管理员", PASS).expect("admin");
        let u = s.create_user(None, "李娜", 1, Role::Agent).expect("agent");
        s.set_password(&admin, u.id, "agent", PASS)
            .expect("password");
    }
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let config = hotline_server::config::Config::parse(&format!(
        "listen = \"127.0.0.1:0\"\ndata_dir = \"{}\"\n",
        data.display()
    ))
    .expect("config");
    let server = rt.block_on(hotline_server::start(config)).expect("server");
    let fingerprint = server.fingerprint.clone().expect("TLS");
    let address = server.url.trim_start_matches("https://").to_string();
    let session = dir.path().join("session.json");
    let hotline = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_hotline"));
        c.env("HOTLINE_CLI_SESSION", &session)
            .env("HOTLINE_PASSWORD", PASS)
            .env_remove("HOTLINE_SERVER")
            .arg("--json")
            .arg("--server")
            .arg(&address)
            .args(args);
        c
    };
    let error = |args: &[&str]| -> Value {
        let out = hotline(args).assert().failure().get_output().stderr.clone();
        let text = String::from_utf8_lossy(&out);
        let last = text.lines().last().unwrap_or_default().to_string();
        serde_json::from_str(&last).unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"))
    };

    // Unconfirmed, the certificate is shown and nothing is signed in.
    let out = hotline(&["login", "admin"])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&out).contains(&fingerprint));
    assert!(!session.exists());
    assert_eq!(error(&["call", "queue_counts"])["code"], "unauthenticated");
    // Confirmed: the agent signs in; the server's door decides.
    hotline(&["login", "agent", "--fingerprint", &fingerprint])
        .assert()
        .success();
    let counts = hotline(&["call", "queue_counts"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let counts: Value = serde_json::from_slice(&counts).expect("json");
    assert!(counts["all"].is_i64(), "{counts}");
    assert_eq!(error(&["call", "accounts"])["code"], "forbidden");
    assert_eq!(error(&["ticket", "list"])["code"], "invalid_arguments");
    // The served file is the server's.
    let e = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args(["--json", "--db"])
        .arg(data.join("hotline.db"))
        .args(["ticket", "list"])
        .env_remove("HOTLINE_SERVER")
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&e).contains("held_by_server"));
    // Signed out, the token is gone here and there.
    hotline(&["logout"]).assert().success();
    assert!(!session.exists());
    assert_eq!(error(&["call", "queue_counts"])["code"], "unauthenticated");
    server.handle.shutdown();
}
