//! `hotline ticket merge|split|duplicates` on a real data file: a repeat call is found by
//! its caller, merged into the master and split back as it was; bad input is coded.

mod common;
use common::{fails_with, json};

#[test]
fn a_repeat_call_is_merged_and_split_back() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    let call = |phone: &str, text: &str| {
        json(
            &db,
            &[
                "ticket",
                "create",
                "--name",
                "张三",
                "--phone",
                phone,
                "--description",
                text,
                "--category",
                "help_request",
                "--address",
                "幸福路12号",
            ],
        )["number"]
            .as_str()
            .expect("number")
            .to_string()
    };
    let master = call("13812345678", "幸福路路灯不亮");
    let repeat = call("13900000001", "幸福路12号路灯还是不亮");
    let found = json(
        &db,
        &[
            "ticket",
            "duplicates",
            "--phone",
            "13812345678",
            "--category",
            "help_request",
            "--description",
            "路灯",
        ],
    );
    assert_eq!(found[0]["number"], master.as_str());
    assert_eq!(found[0]["reason"], "caller");
    let m = json(&db, &["ticket", "merge", &repeat, "--into", &master]);
    assert_eq!(
        (m["status"].as_str(), m["merged_into"].is_i64()),
        (Some("closed"), true)
    );
    fails_with(
        &db,
        &["ticket", "merge", &master, "--into", &repeat],
        "invalid_transition",
    );
    let s = json(&db, &["ticket", "split", &repeat]);
    assert_eq!(
        (s["status"].as_str(), s["merged_into"].is_null()),
        (Some("received"), true)
    );
    fails_with(&db, &["ticket", "split", &repeat], "invalid_transition");
    fails_with(
        &db,
        &["ticket", "merge", "20990101-0001", "--into", &master],
        "not_found",
    );
}

#[test]
fn a_departments_return_is_reviewed_by_the_hotline() {
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
    let asked = json(
        &db,
        &[
            "--as",
            &handler,
            "ticket",
            "act",
            &number,
            "return",
            "--reason",
            "属滨江区",
            "--code",
            "territory",
        ],
    );
    assert_eq!(asked["status"], "transferred");
    assert_eq!(
        json(&db, &["ticket", "returns"]).as_array().map(Vec::len),
        Some(1)
    );
    fails_with(&db, &["ticket", "review-return", &number], "required");
    let r = json(
        &db,
        &["ticket", "review-return", &number, "--note", "地址属本区"],
    );
    assert_eq!(r["state"], "refused");
    let e = json(
        &db,
        &[
            "--as",
            &handler,
            "ticket",
            "escalate-return",
            &number,
            "--note",
            "确属滨江区",
        ],
    );
    assert_eq!(e["state"], "escalated");
}
