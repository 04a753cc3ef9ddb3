//! What the command line's tests share: the binary on a data file, its JSON answers and
//! its coded refusals.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

pub fn hotline(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hotline"));
    c.arg("--db").arg(db);
    c
}

pub fn json(db: &Path, args: &[&str]) -> Value {
    let out = hotline(db)
        .arg("--json")
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out)))
}

/// Runs `hotline --json ARGS` and checks that it fails with `code`.
pub fn fails_with(db: &Path, args: &[&str], code: &str) {
    let out = hotline(db)
        .arg("--json")
        .args(args)
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let e: Value = serde_json::from_slice(&out)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out)));
    assert_eq!(e["code"], code, "{args:?}: {e}");
}

/// A member of the hotline's staff with `role`; with a sign-in as `login` when given.
// Each test file is its own crate and uses only some of these.
#[allow(dead_code)]
pub fn staff(db: &Path, name: &str, role: &str, login: Option<&str>) -> String {
    let u = json(
        db,
        &[
            "user",
            "add",
            name,
            "--department",
            "hotline",
            "--role",
            role,
        ],
    );
    let id = u["id"].as_i64().expect("id").to_string();
    if let Some(login) = login {
        hotline(db)
            .env("HOTLINE_PASSWORD", "a long password 1")
            .args(["user", "passwd", &id, "--login", login])
            .assert()
            .success();
    }
    id
}
