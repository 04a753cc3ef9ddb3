//! `hotline training …` on a real data file: a trainer plans a session and marks who came,
//! fills the question bank and sets an exam; an agent may do neither; bad input is coded.

mod common;
use common::{fails_with, json, staff};

#[test]
fn a_trainer_plans_a_session_and_sets_an_exam() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    let trainer = staff(&db, "培训师 周", "trainer", None);
    let agent = staff(&db, "话务员甲", "agent", None);
    let s = json(
        &db,
        &[
            "--as",
            &trainer,
            "training",
            "session",
            "--title",
            "服务规范用语",
            "--topic",
            "communication",
            "--at",
            "2026-12-20 09:00",
            "--hours",
            "2",
            "--attendee",
            &agent,
        ],
    );
    let id = s["id"].as_i64().expect("id").to_string();
    let s = json(&db, &["--as", &trainer, "training", "attend", &id, &agent]);
    assert_eq!(s["attendees"][0]["attended"], true);
    let plan = json(&db, &["--as", &agent, "training", "plan", "--year", "2026"]);
    assert_eq!(plan.as_array().map(Vec::len), Some(1));
    fails_with(
        &db,
        &[
            "--as",
            &trainer,
            "training",
            "session",
            "--title",
            "x",
            "--topic",
            "cooking",
            "--at",
            "2026-12-20 09:00",
            "--hours",
            "2",
        ],
        "invalid_value",
    );
    for (kind, options, answer) in [
        ("single", vec!["受理时", "转办时"], "1"),
        ("true_false", vec![], "0"),
    ] {
        let mut args = vec![
            "--as",
            &trainer,
            "training",
            "question",
            "--topic",
            "service_process",
            "--kind",
            kind,
            "--text",
            "题目",
            "--answer",
            answer,
        ];
        for o in &options {
            args.extend(["--option", o]);
        }
        json(&db, &args);
    }
    fails_with(
        &db,
        &[
            "--as", &trainer, "training", "question", "--topic", "other", "--kind", "single",
            "--text", "题", "--option", "a", "--answer", "3",
        ],
        "invalid_value",
    );
    let exam = [
        "training",
        "exam",
        "--title",
        "流程测验",
        "--questions",
        "2",
        "--minutes",
        "10",
    ];
    fails_with(&db, &[&["--as", &agent][..], &exam].concat(), "forbidden");
    let e = json(&db, &[&["--as", &trainer][..], &exam].concat());
    assert_eq!(e["questions"], 2);
    fails_with(
        &db,
        &[
            "--as",
            &trainer,
            "training",
            "exam",
            "--title",
            "太多",
            "--questions",
            "9",
        ],
        "invalid_value",
    );
    let results = json(&db, &["--as", &agent, "training", "results"]);
    assert_eq!(results.as_array().map(Vec::len), Some(0));
    fails_with(
        &db,
        &["--as", &agent, "training", "results", "--all"],
        "forbidden",
    );
}
