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
