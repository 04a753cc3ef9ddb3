//! `hotline incident …` end to end on a real data file: an agent declares and proposes,
//! a supervisor raises and publishes, calls are attached, the incident is resolved, and
//! refusals change nothing.

mod common;
use common::{fails_with, json};

#[test]
fn an_incident_from_declaration_to_resolution_on_the_command_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    let agent = json(
        &db,
        &[
            "user",
            "add",
            "话务员甲",
            "--department",
            "hotline",
            "--role",
            "agent",
        ],
    );
    let agent = agent["id"].as_i64().expect("id").to_string();
    let boss = json(
        &db,
        &[
            "user",
            "add",
            "李主任",
            "--department",
            "hotline",
            "--role",
            "supervisor",
        ],
    );
    let boss = boss["id"].as_i64().expect("id").to_string();
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
