//! `hotline dispatch rule …` on a real data file: dispatchers keep the catalogue, agents
//! ask it; a retired rule is listed only with --all; bad input is coded.

mod common;
use common::{fails_with, json, staff};

#[test]
fn the_dispatch_catalogue_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    let dept = |code: &str, name: &str| {
        json(&db, &["department", "add", code, name])["id"]
            .as_i64()
            .expect("id")
            .to_string()
    };
    let lighting = dept("lighting", "路灯管理所");
    let district = dept("binjiang", "滨江区政府");
    let agent = staff(&db, "话务员甲", "agent", None);
    let add = [
        "dispatch",
        "rule",
        "add",
        "--category",
        "help_request",
        "--keyword",
        "路灯",
        "--lead",
        &lighting,
        "--co",
        &district,
        "--days",
        "2",
    ];
    fails_with(
        &db,
        &[&["--as", &agent][..], &add[..]].concat(),
        "forbidden",
    );
    let r = json(&db, &add);
    assert_eq!(r["co_departments"], serde_json::json!(["滨江区政府"]));
    let s = json(
        &db,
        &[
            "--as",
            &agent,
            "dispatch",
            "rule",
            "suggest",
            "--category",
            "help_request",
            "--description",
            "路灯不亮",
        ],
    );
    assert_eq!(s["lead"]["name"], "路灯管理所");
    assert_eq!(
        json(
            &db,
            &["dispatch", "rule", "suggest", "--category", "consultation"]
        ),
        serde_json::Value::Null
    );
    let id = r["id"].as_i64().expect("id").to_string();
    json(&db, &["dispatch", "rule", "retire", &id]);
    assert_eq!(
        json(&db, &["dispatch", "rule", "list"])
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    assert_eq!(
        json(&db, &["dispatch", "rule", "list", "--all"])
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    fails_with(
        &db,
        &[
            "dispatch",
            "rule",
            "add",
            "--category",
            "nope",
            "--lead",
            &lighting,
        ],
        "not_found",
    );
}
