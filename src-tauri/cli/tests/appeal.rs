//! `hotline exclusion …` and `hotline appeal …` on a real data file: a department proposes
//! a ticket as unreasonable and a supervisor approves it; appeals are refused with their
//! codes where the rules say (the whole appeal path runs on a fake clock in the store's
//! tests: this command line reads the real one).

mod common;
use common::{fails_with, json, staff};

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn month_before(today: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let first = today.with_day(1).expect("first");
    let last = first.pred_opt().expect("previous");
    format!("{:04}-{:02}", last.year(), last.month())
}

#[test]
fn a_ticket_is_excluded_and_appeals_follow_the_rules() {
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
    )["id"]
        .as_i64()
        .expect("id")
        .to_string();
    let sup = staff(&db, "值班长 赵", "supervisor", None);
    let manager = staff(&db, "主任 钱", "manager", None);
    let number = json(
        &db,
        &[
            "ticket",
            "create",
            "--name",
            "张三",
            "--phone",
            "13812345678",
            "--description",
            "路灯不亮",
            "--category",
            "help_request",
        ],
    )["number"]
        .as_str()
        .expect("number")
        .to_string();
    json(
        &db,
        &[
            "ticket",
            "act",
            &number,
            "transfer",
            "--department",
            "lighting",
            "--requirements",
            "请修复",
            "--due",
            "2099-01-01 17:00",
        ],
    );
    // 不合理件: the department proposes, the supervisor decides.
    let propose = |reason: &str| {
        vec![
            "--as",
            &handler,
            "exclusion",
            "propose",
            &number,
            "--reason",
            reason,
            "--evidence",
            "一日来电四十次",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    fails_with(&db, &args(&propose("rude")), "invalid_value");
    let x = json(&db, &args(&propose("malicious")));
    assert_eq!(
        (x["state"].as_str(), x["reason"].as_str()),
        (Some("proposed"), Some("malicious"))
    );
    let id = x["id"].as_i64().expect("id").to_string();
    fails_with(&db, &args(&propose("untrue")), "exclusion_exists");
    // The command line acts as the administrator by default, who judges no assessment.
    fails_with(&db, &["exclusion", "decide", &id, "--approve"], "forbidden");
    fails_with(
        &db,
        &["--as", &sup, "exclusion", "decide", &id],
        "invalid_arguments",
    );
    fails_with(
        &db,
        &["--as", &sup, "exclusion", "decide", &id, "--refuse"],
        "required",
    );
    let d = json(
        &db,
        &["--as", &sup, "exclusion", "decide", &id, "--approve"],
    );
    assert_eq!(d["state"], "approved");
    let listed = json(
        &db,
        &["--as", &handler, "exclusion", "list", "--state", "approved"],
    );
    assert_eq!(listed[0]["number"], number.as_str());

    // Appeals: a running month is not closed; an entry that does not count is not appealed.
    json(&db, &["setting", "set", "appeal_working_days", "30"]);
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let running = today.format("%Y-%m").to_string();
    let closed = month_before(today);
    let file = |month: &str, kpi: &str| {
        vec![
            "--as",
            &handler,
            "appeal",
            "file",
            &number,
            "--month",
            month,
            "--kpi",
            kpi,
            "--evidence",
            "暴雨封路",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    fails_with(
        &db,
        &args(&file(&running, "on_time_handling")),
        "appeal_window_closed",
    );
    fails_with(&db, &args(&file(&closed, "closure")), "invalid_value");
    fails_with(
        &db,
        &args(&file(&closed, "on_time_handling")),
        "entry_not_counted",
    );
    fails_with(
        &db,
        &["--as", &manager, "appeal", "decide", "999", "--uphold"],
        "not_found",
    );
    fails_with(
        &db,
        &["--as", &handler, "appeal", "decide", "999", "--uphold"],
        "forbidden",
    );
    let entries = json(
        &db,
        &["--as", &handler, "appeal", "entries", "--month", &closed],
    );
    assert_eq!(entries.as_array().map(Vec::len), Some(5));
    assert_eq!(
        json(&db, &["--as", &manager, "appeal", "list"])
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    // Supervision notices: the supervisor urges, the department acknowledges once.
    let n = json(
        &db,
        &[
            "--as",
            &sup,
            "notice",
            "issue",
            &number,
            "--note",
            "群众反复来电，请加快办理",
        ],
    );
    assert_eq!(
        (n["kind"].as_str(), n["seq"].as_i64()),
        (Some("urge"), Some(1))
    );
    let nid = n["id"].as_i64().expect("id").to_string();
    fails_with(
        &db,
        &["--as", &handler, "notice", "issue", &number, "--note", "x"],
        "forbidden",
    );
    fails_with(
        &db,
        &[
            "--as", &sup, "notice", "issue", &number, "--kind", "memo", "--note", "x",
        ],
        "invalid_value",
    );
    let ack = json(&db, &["--as", &handler, "notice", "ack", &nid]);
    assert!(ack["acknowledged_at"].is_string(), "{ack}");
    fails_with(
        &db,
        &["--as", &handler, "notice", "ack", &nid],
        "invalid_transition",
    );
    let open = json(&db, &["--as", &handler, "notice", "list", "--open"]);
    assert_eq!(open.as_array().map(Vec::len), Some(0));
    assert!(json(&db, &["--as", &manager, "notice", "month", &running]).is_array());
    let w = json(
        &db,
        &[
            "--as",
            &manager,
            "call",
            "appeal_window",
            "--args",
            r#"{"month": "2026-11"}"#,
        ],
    );
    assert!(w["last_day"].is_string(), "{w}");
}
