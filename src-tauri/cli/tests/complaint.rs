//! `hotline complaint …` on a real data file: a complaint by letter is acknowledged, its
//! remedy recorded, assessed risky; legal clears it from the queue; refusals are coded.

mod common;
use common::{fails_with, json, staff};
use std::path::Path;

/// A complaint in `category` by `channel`: its number.
fn complaint(db: &Path, category: &str, channel: &str) -> String {
    let t = json(
        db,
        &[
            "ticket",
            "create",
            "--name",
            "王五",
            "--phone",
            "13812345678",
            "--channel",
            channel,
            "--description",
            "投诉服务",
            "--category",
            category,
        ],
    );
    t["number"].as_str().expect("number").to_string()
}

#[test]
fn a_complaint_is_acknowledged_assessed_and_cleared_by_legal() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    let boss = staff(&db, "李班长", "supervisor", None);
    let legal = staff(&db, "赵律师", "legal", None);
    let agent = staff(&db, "话务员甲", "agent", None);
    let number = complaint(&db, "complaint.service_attitude", "letter");
    let n = number.as_str();
    let k = json(&db, &["complaint", "show", n]);
    assert!(k["acknowledged_at"].is_null(), "a letter waits: {k}");
    let k = json(
        &db,
        &["--as", &agent, "complaint", "ack", n, "--method", "letter"],
    );
    assert_eq!(k["ack_method"], "letter");
    json(
        &db,
        &[
            "--as",
            &agent,
            "complaint",
            "remedy",
            n,
            "--remedy",
            "书面道歉",
        ],
    );
    // An agent does not assess; a supervisor does, and the matrix marks it risky.
    let assess = ["complaint", "assess", n, "--urgency", "2", "--impact", "3"];
    fails_with(&db, &[&["--as", &agent][..], &assess].concat(), "forbidden");
    let k = json(&db, &[&["--as", &boss][..], &assess].concat());
    assert_eq!(
        (&k["risky"], &k["relay_held"]),
        (&true.into(), &true.into())
    );
    assert_eq!(k["suggested"], "major");
    assert_eq!(
        json(&db, &["ticket", "show", n])["ticket"]["severity"],
        "major"
    );
    fails_with(
        &db,
        &[
            "--as",
            &boss,
            "complaint",
            "assess",
            n,
            "--urgency",
            "4",
            "--impact",
            "1",
        ],
        "invalid_value",
    );
    // Only legal gives the opinion; the held queue lists it until cleared.
    let held = json(&db, &["--as", &legal, "complaint", "held"]);
    assert_eq!(held[0]["number"], n);
    assert_eq!(held[0]["relay_held"], true);
    let opinion = [
        "complaint",
        "legal",
        n,
        "--outcome",
        "cleared",
        "--opinion",
        "可以答复",
    ];
    fails_with(&db, &[&["--as", &boss][..], &opinion].concat(), "forbidden");
    let k = json(&db, &[&["--as", &legal][..], &opinion].concat());
    assert_eq!(k["relay_held"], false);
    assert_eq!(k["opinions"][0]["by_name"], "赵律师");
    fails_with(
        &db,
        &[
            "--as",
            &legal,
            "complaint",
            "legal",
            n,
            "--outcome",
            "maybe",
            "--opinion",
            "x",
        ],
        "invalid_value",
    );
}

#[test]
fn a_cause_a_measure_and_a_finding_on_the_command_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    let boss = staff(&db, "李班长", "supervisor", None);
    let hr = staff(&db, "人事 周", "hr", None);
    let manager = staff(&db, "张经理", "manager", None);
    let agent = staff(&db, "话务员甲", "agent", None);
    let number = complaint(&db, "complaint.service_process", "phone");
    let n = number.as_str();
    let c = json(
        &db,
        &[
            "--as",
            &boss,
            "complaint",
            "cause",
            n,
            "--category",
            "process",
            "--step",
            "为何排队久",
            "--step",
            "排班未按高峰",
            "--summary",
            "排班问题",
        ],
    );
    assert_eq!(c["steps"].as_array().map(Vec::len), Some(2));
    fails_with(
        &db,
        &[
            "--as",
            &boss,
            "complaint",
            "cause",
            n,
            "--category",
            "weather",
            "--summary",
            "x",
        ],
        "invalid_value",
    );
    let m = json(
        &db,
        &[
            "--as",
            &boss,
            "complaint",
            "measure",
            n,
            "--title",
            "高峰增开窗口",
            "--owner",
            &agent,
            "--due",
            "2099-01-01 09:00",
        ],
    );
    assert_eq!(m["effectiveness"]["state"], "open");
    let id = m["id"].as_i64().expect("id").to_string();
    // The owner marks it done; the watch starts.
    let m = json(&db, &["--as", &agent, "complaint", "measure-done", &id]);
    assert_eq!(m["effectiveness"]["state"], "watching");
    let mine = json(&db, &["--as", &agent, "complaint", "measures", "--mine"]);
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    // Accountability: HR proposes, the manager decides, the agent answers; others see none.
    let finding = [
        "complaint",
        "accountability",
        n,
        "--staff",
        &agent,
        "--finding",
        "引导不到位",
        "--proposal",
        "assessment",
    ];
    fails_with(&db, &[&["--as", &boss][..], &finding].concat(), "forbidden");
    let f = json(&db, &[&["--as", &hr][..], &finding].concat());
    let fid = f["id"].as_i64().expect("id").to_string();
    json(
        &db,
        &[
            "--as",
            &manager,
            "complaint",
            "decide",
            &fid,
            "--decision",
            "考核扣 1 分",
            "--effective-on",
            "2026-12-01",
        ],
    );
    let f = json(
        &db,
        &[
            "--as",
            &agent,
            "complaint",
            "respond",
            &fid,
            "--response",
            "知悉",
        ],
    );
    assert_eq!(f["response"], "知悉");
    fails_with(&db, &["--as", &boss, "complaint", "findings"], "forbidden");
    let all = json(&db, &["--as", &hr, "complaint", "findings"]);
    assert_eq!(all[0]["decision"], "考核扣 1 分");
}
