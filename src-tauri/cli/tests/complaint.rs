//! `hotline complaint …` on a real data file: a complaint by letter is acknowledged, its
//! remedy recorded, assessed risky; legal clears it from the queue; refusals are coded.

mod common;
use common::{fails_with, json, staff};

#[test]
fn a_complaint_is_acknowledged_assessed_and_cleared_by_legal() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    let boss = staff(&db, "李班长", "supervisor", None);
    let legal = staff(&db, "赵律师", "legal", None);
    let agent = staff(&db, "话务员甲", "agent", None);
    let t = json(
        &db,
        &[
            "ticket",
            "create",
            "--name",
            "王五",
            "--phone",
            "13812345678",
            "--channel",
            "letter",
            "--description",
            "投诉话务员态度恶劣",
            "--category",
            "complaint.service_attitude",
        ],
    );
    let number = t["number"].as_str().expect("number").to_string();
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
