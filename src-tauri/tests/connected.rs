//! A desk on a centre server, through Tauri's IPC (mock runtime) against a real server
//! over TLS on loopback: the certificate is checked and confirmed by one of the server's
//! administrators, commands are forwarded behind the server's permission door, files the
//! server makes land on the desk's own machine, changes made at another seat arrive live,
//! and a server out of reach is said plainly.

mod common;
use common::{invoke, PASS};
use hotline_client::Client;
use hotline_desk_lib::{builder, state::Desk};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use tauri::test::{mock_builder, mock_context, noop_assets};
use tauri::{Listener, WebviewWindowBuilder};

fn code(r: Result<Value, Value>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) => e["code"].as_str().unwrap_or("?").to_string(),
    }
}

#[test]
fn a_desk_works_through_the_centre_server() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    std::env::set_var("HOME", &home);
    // The centre: an administrator, a manager, an agent and the lighting department.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (server, lighting) = common::centre(&rt, &dir.path().join("centre"), "");
    let fingerprint = server.fingerprint.clone().expect("TLS");
    let address = server.url.trim_start_matches("https://").to_string();

    // A desk on this computer's file (empty) is pointed at the centre.
    let conn_file = dir.path().join("config/connection.json");
    let app = builder(
        mock_builder(),
        Desk::configured(dir.path().join("local.db"), conn_file.clone()),
    )
    .build(mock_context(noop_assets()))
    .expect("app");
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    let changes = Arc::new(Mutex::new(0));
    let seen = changes.clone();
    app.listen_any("tickets-changed", move |_| {
        *seen.lock().expect("count") += 1
    });
    assert_eq!(
        invoke(&w, "connection", json!({})).expect("connection")["mode"],
        "local"
    );
    let probe = invoke(&w, "probe_server", json!({ "address": address })).expect("probe");
    assert_eq!(
        probe["fingerprint"],
        json!(fingerprint),
        "the certificate as the server printed it"
    );
    let setup = |fp: &str, login: &str, password: &str| json!({ "setup": { "mode": "server", "address": address, "fingerprint": fp, "login": login, "password": password } });
    // Confirmed only by the server's administrator, for the certificate it presents.
    assert_eq!(
        code(invoke(
            &w,
            "set_connection",
            setup(&fingerprint, "agent", PASS)
        )),
        "forbidden"
    );
    assert_eq!(
        code(invoke(
            &w,
            "set_connection",
            setup(&fingerprint, "admin", "wrong")
        )),
        "bad_credentials"
    );
    let other = format!("SHA256:{}", ["00"; 32].join(":"));
    assert_eq!(
        code(invoke(&w, "set_connection", setup(&other, "admin", PASS))),
        "untrusted_server"
    );
    assert!(!conn_file.exists(), "nothing saved until confirmed");
    let c = invoke(&w, "set_connection", setup(&fingerprint, "admin", PASS)).expect("connected");
    assert_eq!(
        (c["mode"].clone(), c["fingerprint"].clone()),
        (json!("server"), json!(fingerprint))
    );
    assert!(conn_file.is_file());

    // The agent signs in at this desk: the server's accounts, the server's door.
    assert_eq!(
        code(invoke(&w, "queue_counts", json!({}))),
        "unauthenticated"
    );
    let st = invoke(&w, "login", json!({ "login": "agent", "password": PASS })).expect("login");
    assert_eq!(st["user"]["name"], "agent");
    let t = invoke(
        &w,
        "intake",
        json!({
            "ticket": { "caller_name": "张三", "phone": "13812345678", "description": "路灯不亮", "category": "help_request" },
            "then": { "action": "transfer", "department_id": lighting, "requirements": "请修复", "due_at": "2099-01-01T09:00:00Z" }
        }),
    )
    .expect("intake");
    assert_eq!(t["phone"], "138****5678", "masked by the server");
    assert_eq!(code(invoke(&w, "accounts", json!({}))), "forbidden");
    assert_eq!(code(invoke(&w, "backup_now", json!({}))), "forbidden");

    // The handler accepts at another seat: this desk hears of it without asking.
    let before = *changes.lock().expect("count");
    rt.block_on(async {
        let seat = Client::new(&address, Some(&fingerprint), "desk-2").expect("client");
        let h = seat.login("lighting", PASS).await.expect("handler");
        let token = h["token"].as_str().expect("token");
        seat.call(
            Some(token),
            "act",
            &json!({ "id": t["id"], "version": t["version"], "action": { "action": "accept" } }),
        )
        .await
        .expect("accepted");
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while *changes.lock().expect("count") == before && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        *changes.lock().expect("count") > before,
        "the change arrived live"
    );
    assert_eq!(
        invoke(&w, "connection", json!({})).expect("c")["link"]["status"],
        "connected"
    );

    // A manager's report export lands in this desk's Downloads, not on the server.
    invoke(&w, "logout", json!({})).expect("logout");
    invoke(&w, "login", json!({ "login": "manager", "password": PASS })).expect("manager");
    let query = json!({ "from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z" });
    let request = json!({ "kind": "month", "anchor": "2026-11-01", "filters": query });
    let path = invoke(
        &w,
        "export_report",
        json!({ "request": request, "format": "csv" }),
    );
    let path = path.expect("exported");
    let path = std::path::PathBuf::from(path.as_str().expect("path"));
    // (The user's Downloads folder, or their home without one, as on this test machine.)
    assert!(path.starts_with(&home) && path.is_file(), "{path:?}");
    assert!(std::fs::metadata(&path).expect("file").len() > 0);
    assert_eq!(
        code(invoke(
            &w,
            "export_report",
            json!({ "request": request, "format": "csv" })
        )),
        "file_exists",
        "asks before replacing, here"
    );

    // The server goes away: commands say so, and the desk shows it.
    server.handle.shutdown();
    let _ = rt.block_on(server.done());
    assert_eq!(code(invoke(&w, "queue_counts", json!({}))), "needs_server");
    let link = invoke(&w, "connection", json!({})).expect("c")["link"].clone();
    assert!(
        ["offline", "reconnecting"].contains(&link["status"].as_str().unwrap_or("")),
        "{link}"
    );

    // Back to this computer: its own (empty) file again.
    let c = invoke(
        &w,
        "set_connection",
        json!({ "setup": { "mode": "local" } }),
    )
    .expect("local");
    assert_eq!(c["mode"], "local");
    assert_eq!(
        invoke(&w, "auth_state", json!({})).expect("state")["needs_setup"],
        true
    );
}
