//! `hotline incident …` end to end on a real data file: an agent declares and proposes,
//! a supervisor raises and publishes, calls are attached, the incident is resolved, and
//! refusals change nothing.

mod common;
use common::{fails_with, json, staff};

#[test]
fn an_incident_from_declaration_to_resolution_on_the_command_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    let agent = staff(&db, "话务员甲", "agent", None);
    let boss = staff(&db, "李主任", "supervisor", None);
    // An agent's level 3 is a proposal at level 1.
    let i = json(
        &db,
        &[
            "--as",
            &agent,
            "incident",
            "declare",
            "--title",
            "东城区停水",
            "--kind",
            "service_outage",
            "--level",
            "3",
            "--area",
            "东城区",
        ],
    );
    let number = i["number"].as_str().expect("number").to_string();
    assert_eq!(
        (i["level"].as_i64(), i["proposed_level"].as_i64()),
        (Some(1), Some(3))
    );
    // An agent may not raise it, nor publish; nothing changes.
    fails_with(
        &db,
        &[
            "--as", &agent, "incident", "raise", &number, "3", "--reason", "扩大",
        ],
        "forbidden",
    );
    fails_with(
        &db,
        &[
            "--as",
            &agent,
            "incident",
            "bulletin",
            &number,
            "--wording",
            "抢修中",
        ],
        "forbidden",
    );
    let up = json(
        &db,
        &[
            "--as",
            &boss,
            "incident",
            "raise",
            &number,
            "3",
            "--reason",
            "三个街道受影响",
        ],
    );
    assert_eq!(up["level"].as_i64(), Some(3));
    fails_with(
        &db,
        &[
            "--as", &boss, "incident", "raise", &number, "5", "--reason", "x",
        ],
        "invalid_value",
    );
    // Two calls attached by the agent; the same call twice is refused.
    for phone in ["13800000001", "13800000002"] {
        let t = json(
            &db,
            &[
                "--as",
                &agent,
                "ticket",
                "create",
                "--phone",
                phone,
                "--description",
                "家里停水",
                "--category",
                "consultation",
            ],
        );
        let t = t["number"].as_str().expect("ticket").to_string();
        json(&db, &["--as", &agent, "incident", "link", &number, &t]);
        fails_with(
            &db,
            &["--as", &agent, "incident", "link", &number, &t],
            "taken",
        );
    }
    let b = json(
        &db,
        &[
            "--as",
            &boss,
            "incident",
            "bulletin",
            &number,
            "--wording",
            "东城区停水，预计 20 点前恢复",
            "--advice",
            "请提前储水",
        ],
    );
    assert_eq!(b["version"].as_i64(), Some(1));
    let list = json(&db, &["incident", "list"]);
    assert_eq!(list[0]["callers"].as_i64(), Some(2));
    assert_eq!(
        list[0]["bulletin"]["wording"],
        "东城区停水，预计 20 点前恢复"
    );
    let r = json(
        &db,
        &[
            "--as",
            &boss,
            "incident",
            "resolve",
            &number,
            "--summary",
            "管道修复，供水恢复",
        ],
    );
    assert_eq!(r["status"], "resolved");
    assert_eq!(
        json(&db, &["incident", "list"]).as_array().map(Vec::len),
        Some(0)
    );
    let shown = json(&db, &["incident", "show", &number]);
    let actions: Vec<&str> = shown["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        ["declare", "raise", "link", "link", "bulletin", "resolve"]
    );
    assert_eq!(shown["linked"][0]["phone"], "138****0002", "masked");
    // A drill from the command line: marked, on the same plan.
    let d = json(
        &db,
        &["--as", &boss, "drill", "start", "--title", "演练：热线中断"],
    );
    assert_eq!(
        (d["drill"].as_bool(), d["kind"].as_str()),
        (Some(true), Some("hotline_failure"))
    );
    assert_eq!(
        json(&db, &["incident", "suggestions"])
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    // The plans: 6 kinds × 4 levels, and a plan's versions.
    assert_eq!(
        json(&db, &["incident", "plans"]).as_array().map(Vec::len),
        Some(24)
    );
    let v = json(
        &db,
        &[
            "incident",
            "plans",
            "--kind",
            "hotline_failure",
            "--level",
            "2",
        ],
    );
    assert_eq!(v[0]["steps"][1]["key"], "switch_backup");
}

#[test]
fn a_roster_is_imported_whole_or_not_at_all_and_says_who_is_on_duty() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    for login in ["lina", "wang", "zhao"] {
        staff(&db, login, "supervisor", Some(login));
    }
    let rows = |day_shift: &str| {
        format!(
            "day,shift,post,login,backup\n2026-11-02,night,leader,lina,\n2026-11-02,{day_shift},leader,wang,\n2026-11-02,evening,leader,zhao,\n2026-11-02,day,leader,zhao,1\n"
        )
    };
    let file = dir.path().join("roster.csv");
    // A row naming an unknown shift: refused with its line, nothing saved.
    std::fs::write(&file, rows("noon")).expect("write");
    fails_with(
        &db,
        &["roster", "import", file.to_str().expect("path")],
        "import_row",
    );
    // Whole: saved; a gap would be refused (shown by the core's tests).
    std::fs::write(&file, rows("day")).expect("write");
    let r = json(&db, &["roster", "import", file.to_str().expect("path")]);
    assert_eq!(r["assignments"].as_array().map(Vec::len), Some(4));
    let now = json(&db, &["roster", "now", "--at", "2026-11-02 09:30"]);
    let who: Vec<(&str, bool)> = now
        .as_array()
        .expect("list")
        .iter()
        .map(|o| {
            (
                o["user_name"].as_str().unwrap_or(""),
                o["backup"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(who, [("wang", false), ("zhao", true)]);
    let shown = json(
        &db,
        &[
            "roster",
            "show",
            "--from",
            "2026-11-02",
            "--to",
            "2026-11-02",
        ],
    );
    assert_eq!(shown["shifts"].as_array().map(Vec::len), Some(3));
}

#[test]
fn a_rotation_fills_a_week_that_leaves_no_minute_without_a_leader() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    for login in ["lina", "wang", "zhao", "sun"] {
        staff(&db, login, "supervisor", Some(login));
    }
    // Two people cannot cover three shifts a day.
    fails_with(
        &db,
        &[
            "roster",
            "rotate",
            "--from",
            "2026-11-02",
            "--people",
            "lina,wang",
        ],
        "invalid_value",
    );
    let r = json(
        &db,
        &[
            "roster",
            "rotate",
            "--from",
            "2026-11-02",
            "--days",
            "7",
            "--people",
            "lina,wang,zhao,sun",
            "--backups",
        ],
    );
    assert_eq!(r["assignments"].as_array().map(Vec::len), Some(7 * 3 * 2));
    let now = json(&db, &["roster", "now", "--at", "2026-11-05 12:00"]);
    let posts: Vec<bool> = now
        .as_array()
        .expect("now")
        .iter()
        .map(|o| o["backup"].as_bool().unwrap_or(true))
        .collect();
    assert_eq!(posts, [false, true], "a leader and a backup at any time");
}
