//! `hotline training …` on a real data file: a trainer plans a session and marks who came,
//! fills the question bank and sets an exam; an agent may do neither; bad input is coded.

mod common;
use common::{fails_with, json, staff};

/// A communication session planned by `trainer` for `attendee`: its id.
fn plan_session(db: &std::path::Path, trainer: &str, attendee: &str) -> String {
    let s = json(
        db,
        &[
            "--as",
            trainer,
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
            attendee,
        ],
    );
    s["id"].as_i64().expect("id").to_string()
}

#[test]
fn a_trainer_plans_a_session_and_sets_an_exam() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    let trainer = staff(&db, "培训师 周", "trainer", None);
    let agent = staff(&db, "话务员甲", "agent", None);
    let id = plan_session(&db, &trainer, &agent);
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

#[test]
fn a_sessions_materials_are_kept_written_out_and_removed_by_the_trainer_alone() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    let trainer = staff(&db, "培训师 周", "trainer", None);
    let agent = staff(&db, "话务员甲", "agent", None);
    let session = plan_session(&db, &trainer, &agent);
    let slides = dir.path().join("规范用语.pptx");
    let bytes: Vec<u8> = (0..70_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&slides, &bytes).expect("slides");
    let slides = slides.display().to_string();
    let add = |who, file| {
        [
            "--as",
            who,
            "training",
            "materials",
            &session,
            "--add",
            file,
        ]
    };
    fails_with(&db, &add(&agent, &slides), "forbidden");
    let program = dir.path().join("setup.exe");
    std::fs::write(&program, b"MZ").expect("program");
    let program = program.display().to_string();
    fails_with(&db, &add(&trainer, &program), "invalid_value");
    let files = json(&db, &add(&trainer, &slides));
    assert_eq!(files.as_array().map(Vec::len), Some(1), "{files}");
    let id = files[0]["id"].as_i64().expect("id").to_string();
    // Everyone reads the plan's materials; the copy is byte for byte the file kept.
    let out = dir.path().join("copy.pptx");
    let out_s = out.display().to_string();
    json(
        &db,
        &["--as", &agent, "training", "material", &id, "--out", &out_s],
    );
    assert_eq!(std::fs::read(&out).expect("copy"), bytes);
    fails_with(
        &db,
        &["--as", &agent, "training", "material", &id, "--out", &out_s],
        "file_exists",
    );
    let files = json(
        &db,
        &[
            "--as",
            &trainer,
            "training",
            "materials",
            &session,
            "--remove",
            &id,
        ],
    );
    assert_eq!(files.as_array().map(Vec::len), Some(0));
}

#[test]
fn a_trainer_starts_a_new_agents_onboarding_and_ticks_a_task_the_agent_reads_their_own() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    let trainer = staff(&db, "培训师 周", "trainer", None);
    let agent = staff(&db, "新人 小王", "agent", None);
    let other = staff(&db, "话务员乙", "agent", None);
    // A new agent's onboarding starts with their record; a trainer names the mentor.
    assert_eq!(
        json(&db, &["--as", &agent, "training", "onboarding"])["done"],
        0
    );
    fails_with(
        &db,
        &["--as", &trainer, "training", "onboarding"],
        "not_found",
    );
    let o = json(
        &db,
        &[
            "--as",
            &trainer,
            "training",
            "onboarding",
            &agent,
            "--start",
            "--mentor",
            &other,
        ],
    );
    assert_eq!(
        (o["total"].as_u64(), o["mentor_name"].as_str()),
        (Some(9), Some("话务员乙"))
    );
    let task = o["items"]
        .as_array()
        .and_then(|i| i.iter().find(|i| i["kind"] == "task"))
        .and_then(|i| i["id"].as_i64())
        .expect("a task")
        .to_string();
    fails_with(
        &db,
        &[
            "--as",
            &agent,
            "training",
            "onboarding",
            &agent,
            "--tick",
            &task,
        ],
        "forbidden",
    );
    json(
        &db,
        &[
            "--as",
            &trainer,
            "training",
            "onboarding",
            &agent,
            "--tick",
            &task,
        ],
    );
    // The agent reads their own, the mentor their mentee's; nobody else's.
    let mine = json(&db, &["--as", &agent, "training", "onboarding"]);
    assert_eq!(mine["done"], 1);
    assert_eq!(
        json(&db, &["--as", &other, "training", "onboarding", &agent])["done"],
        1
    );
    fails_with(
        &db,
        &["--as", &agent, "training", "onboarding", &other],
        "forbidden",
    );
    // A trainer's own item, and one refused for want of a topic.
    fails_with(
        &db,
        &[
            "--as",
            &trainer,
            "training",
            "checklist",
            "--add",
            "产品培训",
            "--kind",
            "session",
        ],
        "required",
    );
    let items = json(
        &db,
        &[
            "--as",
            &trainer,
            "training",
            "checklist",
            "--add",
            "熟悉本区街道",
            "--days",
            "10",
        ],
    );
    assert_eq!(items.as_array().map(Vec::len), Some(10));
    let all = json(&db, &["--as", &trainer, "training", "onboarding", "--all"]);
    assert_eq!(all.as_array().map(Vec::len), Some(2), "the two agents");
    assert_eq!(all[0]["total"], 10);
}
