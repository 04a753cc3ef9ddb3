//! The `hotline` binary end to end on a real data file.

mod common;
use common::{fails_with, hotline, json};
use serde_json::Value;

#[test]
fn a_ticket_goes_through_its_whole_life_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    json(&db, &["department", "add", "lighting", "路灯管理所"]);
    let handler = json(
        &db,
        &[
            "user",
            "add",
            "王工",
            "--department",
            "lighting",
            "--role",
            "handler",
        ],
    );
    let h = handler["id"].as_i64().expect("id").to_string();
    let t = json(
        &db,
        &[
            "ticket",
            "create",
            "--name",
            "张三",
            "--phone",
            "+86 138 1234 5678",
            "--description",
            "路灯不亮",
            "--category",
            "help_request",
        ],
    );
    let number = t["number"].as_str().expect("number").to_string();
    // An anonymous call with the number withheld: no name, no phone, logged all the same;
    // the output masks what an anonymous caller left.
    let anon = json(
        &db,
        &[
            "ticket",
            "create",
            "--anonymous",
            "--withheld",
            "--description",
            "建议增设路灯",
            "--category",
            "suggestion",
        ],
    );
    assert_eq!(
        (&anon["anonymous"], &anon["phone_withheld"], &anon["phone"]),
        (
            &Value::Bool(true),
            &Value::Bool(true),
            &Value::String(String::new())
        )
    );
    let act = |who: &str, args: &[&str]| {
        let mut a = vec!["--as", who, "ticket", "act", number.as_str()];
        a.extend_from_slice(args);
        json(&db, &a)
    };
    act(
        "1",
        &[
            "transfer",
            "--department",
            "lighting",
            "--requirements",
            "三日内修复",
            "--due",
            "2099-01-01 17:00",
        ],
    );
    act(&h, &["accept"]);
    act(&h, &["reply", "--result", "已修复", "--resolved"]);
    let t = act(
        "1",
        &[
            "feedback",
            "--satisfaction",
            "unsatisfied",
            "--redispatch-due",
            "2099-01-05 17:00",
        ],
    );
    assert_eq!(
        (t["status"].as_str(), t["redispatch_count"].as_i64()),
        (Some("transferred"), Some(1))
    );
    act(&h, &["accept"]);
    act(&h, &["reply", "--result", "已更换灯杆", "--resolved"]);
    act("1", &["feedback", "--satisfaction", "satisfied"]);
    let t = act(
        "1",
        &[
            "callback",
            "--method",
            "questionnaire",
            "--satisfaction",
            "very_satisfied",
        ],
    );
    assert_eq!(t["status"], "archived");
    let d = json(&db, &["ticket", "show", &number]);
    let actions: Vec<&str> = d["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "create",
            "transfer",
            "accept",
            "reply",
            "feedback",
            "redispatch",
            "accept",
            "reply",
            "feedback",
            "callback"
        ]
    );
    let hist = json(&db, &["customer", "history", "138-1234-5678"]);
    assert_eq!(hist.as_array().map(Vec::len), Some(1));
}

#[test]
fn bad_input_fails_clearly_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    let out = hotline(&db)
        .args([
            "--json",
            "ticket",
            "create",
            "--name",
            "x",
            "--phone",
            "123",
            "--description",
            "d",
            "--category",
            "consultation",
        ])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let e: Value = serde_json::from_slice(&out).expect("json error");
    assert_eq!(e["code"], "phone_invalid");
    let human = hotline(&db)
        .args(["ticket", "act", "20990101-0001", "accept"])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&human).starts_with("error[not_found]"));
    assert_eq!(json(&db, &["ticket", "list"])["total"], 0);
    let t = json(
        &db,
        &[
            "ticket",
            "create",
            "--name",
            "李四",
            "--phone",
            "13900000000",
            "--description",
            "咨询",
            "--category",
            "consultation",
        ],
    );
    let n = t["number"].as_str().expect("number");
    let out = hotline(&db)
        .args([
            "--json",
            "ticket",
            "act",
            n,
            "--expect-version",
            "7",
            "answer",
            "--answer",
            "x",
        ])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert_eq!(
        serde_json::from_slice::<Value>(&out).expect("json")["code"],
        "conflict"
    );
}

#[test]
fn seed_export_and_import_round_trip() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    let r = json(
        &db,
        &["seed", "--tickets", "300", "--days", "20", "--seed", "3"],
    );
    assert_eq!(r["report"]["tickets"], 300);
    let csv = dir.path().join("all.csv");
    let out = json(
        &db,
        &[
            "export",
            "--format",
            "csv",
            "--personal",
            "--out",
            csv.to_str().expect("path"),
        ],
    );
    assert_eq!(out["exported"], 300);
    let bytes = std::fs::read(&csv).expect("csv");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    // Without --personal the phone numbers are masked (and the file cannot be re-imported).
    let masked = dir.path().join("masked.csv");
    json(
        &db,
        &[
            "export",
            "--format",
            "csv",
            "--out",
            masked.to_str().expect("path"),
        ],
    );
    let text = std::fs::read_to_string(&masked).expect("masked");
    assert!(text.contains("****"));
    let clear = std::fs::read_to_string(&csv).expect("clear");
    assert!(!clear.lines().nth(1).unwrap_or("").contains("****"));
    let db2 = dir.path().join("copy.db");
    let r = json(&db2, &["import", csv.to_str().expect("path"), "--strict"]);
    assert_eq!(
        (r["imported"].as_u64(), r["errors"].as_array().map(Vec::len)),
        (Some(300), Some(0))
    );
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "caller_name,phone,description,category\n张三,13800000000,ok,consultation\n李四,1,bad,consultation\n").expect("write");
    hotline(&db2)
        .args(["import", bad.to_str().expect("path"), "--strict"])
        .assert()
        .failure();
    assert_eq!(json(&db2, &["ticket", "list"])["total"], 300);
    let r = json(&db2, &["import", bad.to_str().expect("path")]);
    assert_eq!(
        (r["imported"].as_u64(), r["errors"][0]["line"].as_u64()),
        (Some(1), Some(3))
    );
    let stdout = hotline(&db)
        .args(["export", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let all: Value = serde_json::from_slice(&stdout).expect("json export");
    assert_eq!(all.as_array().map(Vec::len), Some(300));
}

/// The foundation's scale check: a hundred thousand seeded tickets, and the in-progress
/// queue agrees with an independent reading of the whole store (the JSON export).
#[test]
fn a_hundred_thousand_tickets_and_the_in_progress_queue() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("big.db");
    let r = json(
        &db,
        &[
            "seed",
            "--tickets",
            "100000",
            "--days",
            "730",
            "--seed",
            "42",
        ],
    );
    assert_eq!(r["report"]["tickets"], 100_000);
    let page = json(
        &db,
        &[
            "ticket",
            "list",
            "--status",
            "in_progress",
            "--limit",
            "500",
        ],
    );
    let out = hotline(&db)
        .args(["export", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let all: Value = serde_json::from_slice(&out).expect("export");
    let all = all.as_array().expect("array");
    assert_eq!(all.len(), 100_000);
    let mut want: Vec<(&str, &str)> = all
        .iter()
        .filter(|t| t["status"] == "in_progress")
        .map(|t| {
            (
                t["received_at"].as_str().unwrap_or(""),
                t["number"].as_str().unwrap_or(""),
            )
        })
        .collect();
    want.sort_by(|a, b| b.cmp(a));
    assert!(!want.is_empty());
    assert_eq!(page["total"].as_u64(), Some(want.len() as u64));
    let got: Vec<&str> = page["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["number"].as_str())
        .collect();
    let want: Vec<&str> = want.iter().take(500).map(|(_, n)| *n).collect();
    assert_eq!(got, want);
}

#[test]
fn calendar_commands() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("c.db");
    let r = json(&db, &["calendar", "is-workday", "2025-09-28"]);
    assert_eq!(
        (r["working"].as_bool(), r["calendar_incomplete"].as_bool()),
        (Some(true), Some(false))
    );
    let r = json(
        &db,
        &[
            "calendar",
            "add",
            "--from",
            "2025-09-30 10:00",
            "--working-days",
            "3",
        ],
    );
    assert_eq!(r["to_local"], "2025-10-11T10:00:00+08:00");
    let r = json(
        &db,
        &[
            "calendar",
            "add",
            "--from",
            "2025-11-14 16:30",
            "--business-hours",
            "2",
        ],
    );
    assert_eq!(r["to_local"], "2025-11-17T10:00:00+08:00");
    let r = json(
        &db,
        &[
            "calendar",
            "add",
            "--from",
            "2026-12-30 10:00",
            "--working-days",
            "5",
        ],
    );
    assert_eq!(r["calendar_incomplete"], true);
    let r = json(
        &db,
        &[
            "calendar",
            "elapsed",
            "2025-11-14 16:30",
            "2025-11-17 10:00",
        ],
    );
    assert_eq!(r["seconds"], 7200);
    let ics = dir.path().join("2027.ics");
    std::fs::write(&ics, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//ZH\r\nBEGIN:VEVENT\r\nUID:a@t\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270104\r\nSUMMARY:元旦 休\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").expect("write");
    let r = json(&db, &["calendar", "import", ics.to_str().expect("path")]);
    assert_eq!(r["added"], 3);
    let r = json(&db, &["calendar", "import", ics.to_str().expect("path")]);
    assert_eq!(
        (r["added"].as_u64(), r["unchanged"].as_u64()),
        (Some(0), Some(3))
    );
    let r = json(&db, &["calendar", "is-workday", "2027-01-01"]);
    assert_eq!(
        (r["working"].as_bool(), r["calendar_incomplete"].as_bool()),
        (Some(false), Some(false))
    );
    hotline(&db)
        .args(["calendar", "add", "--from", "2025-09-30 10:00"])
        .assert()
        .failure();
    hotline(&db)
        .args(["calendar", "is-workday", "2025-02-30"])
        .assert()
        .failure();
}

#[test]
fn monthly_report_calls_import_and_exports() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("r.db");
    json(
        &db,
        &["seed", "--tickets", "400", "--days", "40", "--seed", "9"],
    );
    let month = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m")
        .to_string();
    let xlsx = dir.path().join("m.xlsx");
    let csv = dir.path().join("m.csv");
    let doc = json(&db, &["report", "--month", &month]);
    let kpis = doc["report"]["kpis"].as_array().expect("kpis");
    assert_eq!(kpis.len(), 10);
    assert!(kpis.iter().all(|k| k["value"].is_null()
        || k["value"]
            .as_f64()
            .is_some_and(|v| (0.0..=1.0).contains(&v))));
    hotline(&db)
        .args([
            "report",
            "--month",
            &month,
            "--export",
            xlsx.to_str().expect("p"),
        ])
        .assert()
        .success();
    hotline(&db)
        .args([
            "report",
            "--month",
            &month,
            "--export",
            csv.to_str().expect("p"),
            "--lang",
            "en",
        ])
        .assert()
        .success();
    assert!(std::fs::read(&xlsx).expect("xlsx").starts_with(b"PK"));
    let text = std::fs::read_to_string(&csv).expect("csv");
    assert!(text.starts_with('\u{feff}') && text.contains("Answer rate"));
    hotline(&db)
        .args(["report", "--month", "2026-13"])
        .assert()
        .failure();
    // Call records: re-importing adds nothing, bad rows are reported.
    let cdr = dir.path().join("Master.csv");
    std::fs::write(&cdr, "\"\",\"13812345678\",\"12345\",\"in\",\"\",\"SIP/t-1\",\"SIP/8001-2\",\"Dial\",\"\",\"2026-11-02 09:00:00\",\"2026-11-02 09:00:10\",\"2026-11-02 09:04:00\",240,230,\"ANSWERED\",\"DOCUMENTATION\",\"x1\"\n\"short\"\n").expect("write");
    let r = json(
        &db,
        &[
            "calls",
            "import",
            cdr.to_str().expect("p"),
            "--format",
            "asterisk",
        ],
    );
    assert_eq!(
        (r["imported"].as_u64(), r["bad_rows"][0]["line"].as_u64()),
        (Some(1), Some(2))
    );
    let r = json(
        &db,
        &[
            "calls",
            "import",
            cdr.to_str().expect("p"),
            "--format",
            "asterisk",
        ],
    );
    assert_eq!(
        (r["imported"].as_u64(), r["duplicates"].as_u64()),
        (Some(0), Some(1))
    );
}

/// Accounts, roles and the audit log from the command line: an agent may not export
/// personal data or read the audit log; every change is chained and verifiable.
#[test]
fn accounts_permissions_audit_backups_and_retention() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    json(
        &db,
        &["seed", "--tickets", "200", "--days", "120", "--seed", "5"],
    );
    let admin = hotline(&db)
        .env("HOTLINE_PASSWORD", "admin-pass-1")
        .args(["--json", "setup", "--login", "admin", "--name", "王主任"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let admin: Value = serde_json::from_slice(&admin).expect("admin");
    assert_eq!(admin["role"], "admin");
    let agent = json(
        &db,
        &[
            "user",
            "add",
            "张三",
            "--department",
            "hotline",
            "--role",
            "agent",
        ],
    );
    let id = agent["id"].to_string();
    hotline(&db)
        .env("HOTLINE_PASSWORD", "agent-pass-1")
        .args(["user", "passwd", &id, "--login", "zhang"])
        .assert()
        .success();
    // The agent, by login: masked lists, no personal export, no audit log, no backups.
    let page = json(&db, &["--as", "zhang", "ticket", "list", "--limit", "5"]);
    assert!(page["rows"][0]["phone"]
        .as_str()
        .is_some_and(|p| p.contains("****")));
    fails_with(&db, &["--as", "zhang", "export", "--personal"], "forbidden");
    // A refused export never touches its target: the file stays as it was.
    let existing = dir.path().join("existing.csv");
    std::fs::write(&existing, "keep me").expect("write");
    let target = existing.to_str().expect("path");
    fails_with(
        &db,
        &["--as", "zhang", "export", "--personal", "--out", target],
        "forbidden",
    );
    // Nor does an allowed one without --force; with it the file is replaced whole.
    fails_with(&db, &["export", "--out", target], "file_exists");
    assert_eq!(std::fs::read_to_string(&existing).expect("read"), "keep me");
    let month = "2026-10";
    let report = dir.path().join("r.xlsx");
    std::fs::write(&report, "old").expect("write");
    let report = report.to_str().expect("path");
    fails_with(
        &db,
        &["report", "--month", month, "--export", report],
        "file_exists",
    );
    json(&db, &["export", "--out", target, "--force"]);
    assert!(std::fs::read(&existing)
        .expect("read")
        .starts_with(b"\xEF\xBB\xBF"));
    // Nothing but the files asked for is left in the folder (no temporary files).
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("h.db"))
        .collect();
    names.sort();
    assert_eq!(names, ["existing.csv", "r.xlsx"]);
    fails_with(&db, &["--as", "zhang", "audit", "verify"], "forbidden");
    fails_with(&db, &["--as", "zhang", "backup", "list"], "forbidden");
    fails_with(
        &db,
        &["--as", "zhang", "setting", "set", "callback_days", "9"],
        "forbidden",
    );
    fails_with(&db, &["--as", "nobody", "ticket", "list"], "not_found");
    // Any command of the registry, as the window calls it, with the same checks.
    let page = json(
        &db,
        &[
            "--as",
            "zhang",
            "call",
            "list_tickets",
            "--args",
            r#"{"query": {"limit": 3}}"#,
        ],
    );
    assert_eq!(page["rows"].as_array().map(Vec::len), Some(3));
    assert!(page["rows"][0]["phone"]
        .as_str()
        .is_some_and(|p| p.contains("****")));
    fails_with(&db, &["--as", "zhang", "call", "accounts"], "forbidden");
    fails_with(&db, &["call", "drop_everything"], "not_found");
    fails_with(
        &db,
        &["call", "get_ticket", "--args", r#"{"id": "seven"}"#],
        "invalid_arguments",
    );
    fails_with(&db, &["setup", "--login", "x", "--name", "y"], "setup_done");
    // A disabled user can no longer act.
    json(&db, &["user", "disable", &id]);
    fails_with(&db, &["--as", "zhang", "ticket", "list"], "unauthenticated");
    // The audit chain holds and records what happened.
    let v = json(&db, &["audit", "verify"]);
    assert_eq!(v["ok"], true);
    let log = json(&db, &["audit", "list"]);
    let actions: Vec<&str> = log
        .as_array()
        .expect("log")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for a in ["setup", "user_created", "password_set", "user_disabled"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    // Backups: create, list, verify (a drill), restore with confirmation.
    let folder = dir.path().join("backups");
    json(
        &db,
        &[
            "setting",
            "set",
            "backup_dir",
            folder.to_str().expect("path"),
        ],
    );
    let pass = [("HOTLINE_BACKUP_PASSPHRASE", "a long backup passphrase")];
    let run = |args: &[&str]| -> Value {
        let out = hotline(&db)
            .envs(pass)
            .arg("--json")
            .args(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).expect("json")
    };
    let b = run(&["backup", "create"]);
    let name = b["name"].as_str().expect("name").to_string();
    assert_eq!(run(&["backup", "list"]).as_array().map(Vec::len), Some(1));
    assert_eq!(run(&["backup", "verify", &name])["ok"], true);
    hotline(&db)
        .envs(pass)
        .args(["backup", "restore", &name])
        .assert()
        .failure();
    let r = run(&["backup", "restore", &name, "--yes"]);
    assert!(r["aside"]
        .as_str()
        .is_some_and(|p| std::path::Path::new(p).is_file()));
    hotline(&db)
        .env("HOTLINE_BACKUP_PASSPHRASE", "the wrong passphrase")
        .args(["backup", "verify", &name])
        .assert()
        .failure();
    // Retention: preview, then apply.
    json(&db, &["setting", "set", "retention_months", "1"]);
    let p = json(&db, &["retention", "preview"]);
    assert!(p["tickets"].as_i64().is_some_and(|n| n > 0), "{p}");
    let applied = json(&db, &["retention", "apply"]);
    assert_eq!(applied["tickets"], p["tickets"]);
    assert_eq!(json(&db, &["retention", "preview"])["tickets"], 0);
}
