//! Commands through Tauri's IPC on the mock runtime: argument names, serialisation and
//! the error contract as the webview sees them.

mod common;
use common::invoke;
use hotline_desk_lib::{builder, state::Desk};
use serde_json::json;
use tauri::test::{mock_builder, mock_context, noop_assets};
use tauri::WebviewWindowBuilder;

#[test]
fn commands_round_trip_through_ipc() {
    let dir = tempfile::tempdir().expect("tmp");
    let app = builder(mock_builder(), Desk::open(dir.path().join("h.db")))
        .build(mock_context(noop_assets()))
        .expect("app");
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");

    // Nothing works before someone signs in; the first start creates the administrator.
    let e = invoke(&w, "app_info", json!({})).expect_err("signed out");
    assert_eq!(e["code"], "unauthenticated");
    let st = invoke(&w, "auth_state", json!({})).expect("state");
    assert_eq!(st["needs_setup"], true);
    invoke(
        &w,
        "setup_admin",
        json!({ "login": "admin", "name": "管理员", "password": "admin-pass-1" }),
    )
    .expect("setup");
    let info = invoke(&w, "app_info", json!({})).expect("info");
    assert_eq!(info["user"]["role"], "admin");
    // Every command comes from the registry: an unknown name and malformed arguments get
    // the same coded errors as every other refusal.
    let e = invoke(&w, "drop_table", json!({})).expect_err("unknown");
    assert_eq!(e["code"], "not_found");
    let e = invoke(&w, "get_ticket", json!({ "id": "seven" })).expect_err("bad args");
    assert_eq!(e["code"], "invalid_arguments");
    assert_eq!(e["details"]["command"], "get_ticket");
    let v = invoke(&w, "vocabulary", json!({})).expect("vocabulary");
    assert_eq!(v["roles"].as_array().map(Vec::len), Some(9));

    let t = invoke(
        &w,
        "intake",
        json!({ "ticket": { "caller_name": "张三", "phone": "138 1234 5678", "description": "路灯不亮", "category": "help_request" } }),
    )
    .expect("create");
    let id = t["id"].as_i64().expect("id");

    // Errors arrive as {code, message, details} and change nothing.
    let e = invoke(
        &w,
        "intake",
        json!({ "ticket": { "caller_name": "李四", "phone": "12345", "description": "x", "category": "consultation" } }),
    )
    .expect_err("bad phone");
    assert_eq!(e["code"], "phone_invalid");
    assert_eq!(e["details"]["input"], "12345");
    let e = invoke(
        &w,
        "act",
        json!({ "id": id, "version": 1, "action": { "action": "accept" } }),
    )
    .expect_err("invalid");
    assert_eq!(e["code"], "invalid_transition");
    let e = invoke(
        &w,
        "act",
        json!({ "id": id, "version": 9, "action": { "action": "answer", "answer": "x" } }),
    )
    .expect_err("stale");
    assert_eq!(e["code"], "conflict");

    let t = invoke(
        &w,
        "act",
        json!({ "id": id, "version": 1, "action": { "action": "answer", "answer": "已告知" } }),
    )
    .expect("answer");
    assert_eq!(t["status"], "closed");

    let page = invoke(
        &w,
        "list_tickets",
        json!({ "query": { "statuses": ["closed"] } }),
    )
    .expect("list");
    assert_eq!(page["total"], 1);
    assert_eq!(page["rows"][0]["caller_name"], "张三");
    let counts = invoke(&w, "queue_counts", json!({})).expect("counts");
    assert_eq!(
        (counts["closed"].as_i64(), counts["all"].as_i64()),
        (Some(1), Some(1))
    );
    let hist =
        invoke(&w, "customer_history", json!({ "phone": "+8613812345678" })).expect("history");
    assert_eq!(hist.as_array().map(Vec::len), Some(1));
    let detail = invoke(&w, "get_ticket", json!({ "id": id })).expect("detail");
    assert_eq!(detail["events"].as_array().map(Vec::len), Some(2));
    assert_eq!(detail["allowed_actions"], json!(["reopen", "comment"]));

    // Intake with a transfer is one step; a bad transfer saves nothing.
    let call = json!({ "caller_name": "王五", "phone": "010-65521234", "description": "噪声扰民", "category": "help_request" });
    let e = invoke(&w, "intake", json!({ "ticket": call, "then": { "action": "transfer", "department_id": 1, "requirements": "核查", "due_at": "2000-01-01T00:00:00Z" } }))
        .expect_err("past deadline");
    assert_eq!(e["code"], "deadline_too_early");
    let t = invoke(&w, "intake", json!({ "ticket": call, "then": { "action": "transfer", "department_id": 1, "requirements": "核查", "due_at": "2099-01-01T00:00:00Z" } }))
        .expect("transfer");
    assert_eq!(
        (t["status"].as_str(), t["version"].as_i64()),
        (Some("transferred"), Some(2))
    );
    assert_eq!(
        invoke(&w, "queue_counts", json!({})).expect("counts")["all"],
        2
    );

    // Malformed arguments are refused by deserialisation, not by a panic.
    assert!(invoke(
        &w,
        "list_tickets",
        json!({ "query": { "statuses": ["nope"] } })
    )
    .is_err());
    assert!(invoke(&w, "get_ticket", json!({ "id": "1; DROP TABLE tickets" })).is_err());
}

#[test]
fn a_newer_data_file_is_reported_not_crashed_on() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("new.db");
    stamp_newer_version(&path);
    let app = builder(mock_builder(), Desk::open(&path))
        .build(mock_context(noop_assets()))
        .expect("app");
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    let e = invoke(&w, "app_info", json!({})).expect_err("refused");
    assert_eq!(e["code"], "database_too_new");
}

/// Creates a data file through the store, then stamps a future schema version into the
/// SQLite header (`user_version`, bytes 60..64), as a newer Hotline Desk would leave it.
fn stamp_newer_version(path: &std::path::Path) {
    drop(
        hotline_core::Store::open(path, std::sync::Arc::new(hotline_core::SystemClock))
            .expect("create"),
    );
    let mut bytes = std::fs::read(path).expect("read");
    assert!(bytes.len() >= 100, "not a database file");
    bytes[60..64].copy_from_slice(&99u32.to_be_bytes());
    std::fs::write(path, bytes).expect("write");
}
