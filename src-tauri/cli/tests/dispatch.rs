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

#[test]
fn the_return_reasons_are_the_centres_list() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    let sup = staff(&db, "派单员 赵", "supervisor", None);
    let listed = json(&db, &["dispatch", "reason", "list"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(6));
    fails_with(
        &db,
        &[
            "--as",
            &sup,
            "dispatch",
            "reason",
            "set",
            "Flood Zone",
            "--name",
            "防汛",
        ],
        "invalid_value",
    );
    let r = json(
        &db,
        &[
            "--as",
            &sup,
            "dispatch",
            "reason",
            "set",
            "flood_zone",
            "--name",
            "防汛责任区",
        ],
    );
    assert_eq!(
        (r["code"].as_str(), r["active"].as_bool()),
        (Some("flood_zone"), Some(true))
    );
    let off = json(
        &db,
        &[
            "--as",
            &sup,
            "dispatch",
            "reason",
            "set",
            "flood_zone",
            "--name",
            "防汛责任区",
            "--off",
        ],
    );
    assert_eq!(off["active"], false);
    assert_eq!(
        json(&db, &["dispatch", "reason", "list"])
            .as_array()
            .map(Vec::len),
        Some(7)
    );
}
