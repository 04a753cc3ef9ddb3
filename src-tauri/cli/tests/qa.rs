//! `hotline qa …` on a real data file: the manager draws November's spot checks, the QA
//! reviewer scores one, the agent disputes it and a second reviewer decides; refusals are
//! coded.

mod common;
use chrono::{Duration, TimeZone, Utc};
use common::{fails_with, json, staff};
use std::sync::Arc;

#[test]
fn a_spot_check_from_sample_to_a_decided_dispute() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("h.db");
    let manager = staff(&db, "张经理", "manager", None);
    let agent = staff(&db, "话务员甲", "agent", None);
    let qa1 = staff(&db, "质检员丙", "qa", None);
    let qa2 = staff(&db, "质检员丁", "qa", None);
    {
        let store =
            hotline_core::Store::open(&db, Arc::new(hotline_core::SystemClock)).expect("store");
        store
            .set_user_extension(agent.parse().expect("id"), Some("8001"))
            .expect("extension");
        let day = Utc
            .with_ymd_and_hms(2026, 11, 10, 2, 0, 0)
            .single()
            .expect("t");
        let calls: Vec<hotline_core::cdr::Call> = (0..8)
            .map(|i| hotline_core::cdr::Call {
                key: format!("c{i}"),
                caller: format!("138000000{i:02}"),
                callee: "12345".into(),
                extension: Some("8001".into()),
                started_at: day + Duration::hours(i),
                answered_at: Some(day + Duration::hours(i) + Duration::seconds(4)),
                ended_at: day + Duration::hours(i) + Duration::seconds(200),
                disposition: "ANSWERED".into(),
            })
            .collect();
        store.import_calls(&calls, "test", vec![]).expect("calls");
    }
    fails_with(
        &db,
        &["--as", &agent, "qa", "sample", "2026-11"],
        "forbidden",
    );
    let drawn = json(
        &db,
        &[
            "--as",
            &manager,
            "qa",
            "sample",
            "2026-11",
            "--per-agent",
            "3",
        ],
    );
    assert_eq!(drawn.as_array().map(Vec::len), Some(3));
    fails_with(&db, &["--as", &manager, "qa", "sample", "2026-11"], "taken");
    let mine = json(&db, &["--as", &qa1, "qa", "list"]);
    let id = mine[0]["id"].as_i64().expect("id").to_string();
    let card = json(&db, &["--as", &qa1, "qa", "scorecard"]);
    let items: Vec<String> = card["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| format!("{}=80", i["key"].as_str().expect("key")))
        .collect();
    let mut args = vec![
        "--as",
        &qa1,
        "qa",
        "score",
        &id,
        "--comment",
        "30:开场白不规范",
    ];
    for i in &items {
        args.extend(["--item", i.as_str()]);
    }
    let scored = json(&db, &args);
    assert_eq!(scored["points"], 80.0);
    fails_with(
        &db,
        &["--as", &qa1, "qa", "score", &id, "--item", "greeting=80"],
        "required",
    );
    json(
        &db,
        &[
            "--as",
            &agent,
            "qa",
            "dispute",
            &id,
            "--reason",
            "开场白符合规范",
        ],
    );
    let mut args = vec!["--as", &qa2, "qa", "decide", &id];
    let full: Vec<String> = items.iter().map(|i| i.replace("=80", "=100")).collect();
    for i in &full {
        args.extend(["--item", i.as_str()]);
    }
    let decided = json(&db, &args);
    assert_eq!(
        (
            decided["status"].as_str(),
            decided["second_points"].as_f64()
        ),
        (Some("decided"), Some(100.0))
    );
    let own = json(&db, &["--as", &agent, "qa", "list", "--scope", "mine"]);
    assert!(own
        .as_array()
        .is_some_and(|r| r.iter().any(|x| x["status"] == "decided")));
    fails_with(
        &db,
        &["--as", &agent, "qa", "list", "--scope", "everything"],
        "invalid_value",
    );
    // Calibration: both reviewers score the same call; the spread names the items.
    let call = mine[0]["call_id"].as_i64().expect("call").to_string();
    let s = json(
        &db,
        &[
            "--as",
            &manager,
            "qa",
            "calibrate",
            &call,
            "--reviewer",
            &qa1,
            "--reviewer",
            &qa2,
        ],
    );
    let session = s["session"].as_i64().expect("session").to_string();
    let spread = json(&db, &["--as", &manager, "qa", "spread", &session]);
    assert_eq!(spread["reviews"].as_array().map(Vec::len), Some(2));
    fails_with(
        &db,
        &["--as", &agent, "qa", "spread", &session],
        "forbidden",
    );
}
