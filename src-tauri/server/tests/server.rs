//! The real `hotline-server` process on loopback: sign-in, commands through the same gates,
//! permission matrix and masking as at the desk, tokens bound to their seat and revoked
//! on sign-out, limits, and errors as `{code, message, details}` with fitting statuses.

use common::{call, login, request, start, PASSWORD};
use hotline_core::{Store, SystemClock};
use serde_json::json;
use std::sync::Arc;

mod common;

#[test]
fn seats_work_through_the_server_behind_the_same_door() {
    let dir = tempfile::tempdir().expect("dir");
    let lighting = common::centre(dir.path());
    let s = start(dir.path(), "max_body_bytes = 65536\n");
    let (status, v) = request(&s, "GET", "/health", None, "", b"");
    assert_eq!((status, v["status"].clone()), (200, json!("ok")), "{v}");
    // While it serves, the file is the server's: the desk and the command line refuse it.
    let e = Store::open(dir.path().join("hotline.db"), Arc::new(SystemClock)).err();
    assert_eq!(e.map(|e| e.code()), Some("held_by_server"));

    // Nothing without a token; a wrong password says so; open commands stay open.
    let (status, v) = call(&s, "queue_counts", None, "desk-1", json!({}));
    assert_eq!((status, v["code"].clone()), (401, json!("unauthenticated")));
    let (status, v) = call(
        &s,
        "login",
        None,
        "desk-1",
        json!({ "login": "agent", "password": "wrong" }),
    );
    assert_eq!((status, v["code"].clone()), (401, json!("bad_credentials")));
    let (status, v) = call(&s, "vocabulary", None, "desk-1", json!({}));
    assert_eq!(status, 200, "{v}");
    let (status, v) = call(
        &s,
        "setup",
        None,
        "desk-1",
        json!({ "login": "x", "name": "x", "password": PASSWORD }),
    );
    assert_eq!(
        (status, v["code"].clone()),
        (404, json!("not_found")),
        "a workstation's own session"
    );
    // A desk's own commands (where its tickets live) are no server's to run.
    let admin = login(&s, "admin", "desk-1");
    for desk_only in [
        "connection",
        "set_connection",
        "offline_outbox",
        "open_export",
    ] {
        let (status, v) = call(&s, desk_only, Some(&admin), "desk-1", json!({}));
        assert_eq!(
            (status, v["code"].clone()),
            (404, json!("not_found")),
            "{desk_only}"
        );
    }

    // The agent logs a call and transfers it, from desk 1.
    let agent = login(&s, "agent", "desk-1");
    let (status, t) = call(
        &s,
        "intake",
        Some(&agent),
        "desk-1",
        json!({
            "ticket": { "caller_name": "张三", "phone": "13812345678", "description": "路灯不亮", "category": "help_request" },
            "then": { "action": "transfer", "department_id": lighting, "requirements": "请修复", "due_at": "2099-01-01T09:00:00Z" }
        }),
    );
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["phone"], "138****5678", "masked on the wire");
    // Not the agent's to do, and nothing written.
    let (status, v) = call(
        &s,
        "create_department",
        Some(&agent),
        "desk-1",
        json!({ "code": "x", "name": "x" }),
    );
    assert_eq!((status, v["code"].clone()), (403, json!("forbidden")));
    // Bad arguments are the registry's own error.
    let (status, v) = call(
        &s,
        "get_ticket",
        Some(&agent),
        "desk-1",
        json!({ "id": "seven" }),
    );
    assert_eq!(
        (status, v["code"].clone()),
        (422, json!("invalid_arguments"))
    );

    // The department's handler, on another seat, sees it; another department does not.
    let handler = login(&s, "lighting", "desk-2");
    let (status, page) = call(
        &s,
        "list_tickets",
        Some(&handler),
        "desk-2",
        json!({ "query": {} }),
    );
    assert_eq!((status, page["total"].clone()), (200, json!(1)), "{page}");
    let id = t["id"].clone();
    let (status, _) = call(
        &s,
        "act",
        Some(&handler),
        "desk-2",
        json!({ "id": id, "version": t["version"], "action": { "action": "accept" } }),
    );
    assert_eq!(status, 200);
    let other = login(&s, "water", "desk-3");
    let (status, v) = call(
        &s,
        "get_ticket",
        Some(&other),
        "desk-3",
        json!({ "id": id }),
    );
    assert_eq!((status, v["code"].clone()), (403, json!("forbidden")));
    // A stale version is the same conflict as at the desk, naming who changed it.
    let (status, v) = call(
        &s,
        "act",
        Some(&agent),
        "desk-1",
        json!({ "id": id, "version": t["version"], "action": { "action": "reopen", "reason": "x" } }),
    );
    assert_eq!(
        (status, v["code"].clone(), v["details"]["by"].clone()),
        (409, json!("conflict"), json!("王工"))
    );

    // The audit log says where: the reveal and the sign-in carry the seat.
    let (status, _) = call(
        &s,
        "reveal",
        Some(&agent),
        "desk-1",
        json!({ "id": id, "reason": "回访核实" }),
    );
    assert_eq!(status, 200);
    let admin = login(&s, "admin", "desk-0");
    for action in ["reveal", "login"] {
        let (status, v) = call(
            &s,
            "audit_entries",
            Some(&admin),
            "desk-0",
            json!({ "query": { "action": action } }),
        );
        assert_eq!(status, 200, "{v}");
        let seats: Vec<String> = v
            .as_array()
            .expect("entries")
            .iter()
            .map(|e| e["detail"]["seat"].as_str().unwrap_or("").to_string())
            .collect();
        assert!(
            seats.iter().any(|s| s == "desk-1 127.0.0.1"),
            "{action}: {seats:?}"
        );
    }

    // A token is bound to its seat, and sign-out revokes it.
    let (status, v) = call(&s, "queue_counts", Some(&agent), "desk-2", json!({}));
    assert_eq!(
        (status, v["code"].clone()),
        (401, json!("unauthenticated")),
        "another seat"
    );
    let (status, _) = request(&s, "POST", "/api/v1/logout", Some(&agent), "desk-1", b"");
    assert_eq!(status, 200);
    let (status, _) = call(&s, "queue_counts", Some(&agent), "desk-1", json!({}));
    assert_eq!(status, 401, "signed out");

    // Limits: an oversized body is refused before it is read.
    let big = vec![b' '; 70_000];
    let (status, v) = request(
        &s,
        "POST",
        "/api/v1/queue_counts",
        Some(&handler),
        "desk-2",
        &big,
    );
    assert_eq!(
        (status, v["code"].clone()),
        (413, json!("too_large")),
        "{v}"
    );
    assert_eq!(v["details"]["max"], 65536);
    // Routes that do not exist answer alike.
    let (status, v) = request(&s, "GET", "/admin", None, "desk-2", b"");
    assert_eq!(
        (status, v["code"].clone()),
        (404, json!("not_found")),
        "{v}"
    );
    let (status, _) = call(&s, "queue_counts", Some(&handler), "desk-2", json!({}));
    assert_eq!(status, 200, "the server carries on");
}

#[test]
fn a_file_larger_than_a_request_crosses_on_its_own_route_up_to_its_limit() {
    use base64::Engine;
    let dir = tempfile::tempdir().expect("dir");
    common::centre(dir.path());
    {
        let store =
            Store::open(dir.path().join("hotline.db"), Arc::new(SystemClock)).expect("store");
        let admin = store.first_admin().expect("admin");
        let t = store
            .create_user(None, "王培训", 1, hotline_core::model::Role::Trainer)
            .expect("trainer");
        store
            .set_password(&admin, t.id, "trainer", PASSWORD)
            .expect("password");
    }
    let s = start(dir.path(), "max_body_bytes = 65536\n");
    let trainer = login(&s, "trainer", "desk-1");
    let agent = login(&s, "agent", "desk-1");
    let (status, session) = call(
        &s,
        "add_training_session",
        Some(&trainer),
        "desk-1",
        json!({ "session": { "title": "规范用语", "topic": "communication", "method": "internal",
                             "startsAt": "2026-12-10T02:00:00Z", "hours": 2.0 } }),
    );
    assert_eq!(status, 200, "{session}");
    let pdf: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let data = base64::engine::general_purpose::STANDARD.encode(&pdf);
    let add = |token: &str, data: &str| {
        call(
            &s,
            "add_attachment",
            Some(token),
            "desk-1",
            json!({ "owner": "training_session", "ownerId": session["id"], "name": "讲义.pdf", "data": data }),
        )
    };
    // Four times the server's request limit, kept whole; an agent may read, not add.
    let (status, v) = add(&trainer, &data);
    assert_eq!((status, v["size"].clone()), (200, json!(200_000)), "{v}");
    let (status, v) = add(&agent, &data);
    assert_eq!(
        (status, v["code"].clone()),
        (403, json!("forbidden")),
        "{v}"
    );
    let (status, v) = call(
        &s,
        "attachments",
        Some(&agent),
        "desk-1",
        json!({ "owner": "training_session", "ownerId": session["id"] }),
    );
    assert_eq!((status, v.as_array().map(Vec::len)), (200, Some(1)), "{v}");
    // Past the file limit the route refuses before reading, naming the file limit.
    let huge = vec![b'A'; hotline_core::attachment::MAX_REQUEST_BYTES + 1];
    let (status, v) = request(
        &s,
        "POST",
        "/api/v1/add_attachment",
        Some(&trainer),
        "desk-1",
        &huge,
    );
    assert_eq!(
        (status, v["code"].clone()),
        (413, json!("too_large")),
        "{v}"
    );
    assert_eq!(v["details"]["max"], hotline_core::attachment::MAX_BYTES);
    // Every other command keeps the server's own limit.
    let (status, v) = request(
        &s,
        "POST",
        "/api/v1/attachments",
        Some(&trainer),
        "desk-1",
        &vec![b' '; 70_000],
    );
    assert_eq!(
        (status, v["details"]["max"].clone()),
        (413, json!(65536)),
        "{v}"
    );
}

#[test]
fn an_address_that_keeps_trying_passwords_is_slowed_down() {
    let dir = tempfile::tempdir().expect("dir");
    common::centre(dir.path());
    let s = start(dir.path(), "");
    // A shift change behind one address (a NAT): successful sign-ins do not count.
    for i in 0..30 {
        login(&s, "agent", &format!("desk-{i}"));
    }
    let wrong = json!({ "login": "nobody", "password": "guess" });
    let codes: Vec<u16> = (0..25)
        .map(|_| call(&s, "login", None, "desk-9", wrong.clone()).0)
        .collect();
    assert!(codes[..20].iter().all(|c| *c == 401), "{codes:?}");
    let (status, v) = call(&s, "login", None, "desk-9", wrong);
    assert_eq!(
        (status, v["code"].clone()),
        (429, json!("rate_limited")),
        "{v}"
    );
    assert!(v["details"]["seconds"].as_u64().is_some_and(|s| s >= 1));
    // Then even the right password waits.
    let right = json!({ "login": "agent", "password": PASSWORD });
    assert_eq!(call(&s, "login", None, "desk-1", right).0, 429);
}

#[test]
fn each_signed_in_seat_keeps_its_own_lock_and_language_on_the_server() {
    let dir = tempfile::tempdir().expect("dir");
    common::centre(dir.path());
    let s = start(dir.path(), "");
    let one = login(&s, "agent", "desk-1");
    let two = login(&s, "agent", "desk-2");
    let code = |name: &str, token: &str, seat: &str, args| {
        let (status, v) = call(&s, name, Some(token), seat, args);
        (status, v["code"].as_str().unwrap_or("ok").to_string())
    };
    // Locking desk 1 locks desk 1 only, on the server: its token is refused until unlocked.
    assert_eq!(code("lock", &one, "desk-1", json!({})).0, 200);
    assert_eq!(
        code("queue_counts", &one, "desk-1", json!({})),
        (401, "session_locked".into())
    );
    assert_eq!(code("queue_counts", &two, "desk-2", json!({})).0, 200);
    let (_, st) = call(&s, "auth_state", Some(&one), "desk-1", json!({}));
    assert_eq!(
        (st["locked"].clone(), st["user"]["name"].clone()),
        (json!(true), json!("李娜"))
    );
    assert_eq!(
        code("unlock", &one, "desk-1", json!({ "password": "wrong" })),
        (401, "bad_credentials".into())
    );
    assert_eq!(
        code("unlock", &one, "desk-1", json!({ "password": PASSWORD })).0,
        200
    );
    assert_eq!(code("queue_counts", &one, "desk-1", json!({})).0, 200);
    // Without a token the state says only whether the centre is set up; a centre already
    // set up refuses a second first administrator.
    let (_, st) = call(&s, "auth_state", None, "desk-9", json!({}));
    assert_eq!(
        (st["needs_setup"].clone(), st["user"].clone()),
        (json!(false), json!(null))
    );
    let (status, v) = call(
        &s,
        "setup_admin",
        None,
        "desk-9",
        json!({ "login": "x", "name": "x", "password": PASSWORD }),
    );
    assert_eq!(
        (status, v["code"].clone()),
        (422, json!("setup_done")),
        "{v}"
    );
    // A language chosen by the agent is the agent's, not the administrator's.
    assert_eq!(
        code(
            "set_setting",
            &one,
            "desk-1",
            json!({ "key": "ui_language", "value": "en" })
        )
        .0,
        200
    );
    let admin = login(&s, "admin", "desk-3");
    let lang = |token: &str, seat: &str| {
        call(&s, "get_settings", Some(token), seat, json!({})).1["ui_language"].clone()
    };
    assert_eq!(
        (lang(&one, "desk-1"), lang(&admin, "desk-3")),
        (json!("en"), json!("zh-CN"))
    );
    // Sign-out ends that seat's token only.
    let (status, _) = request(&s, "POST", "/api/v1/logout", Some(&one), "desk-1", b"");
    assert_eq!(status, 200);
    assert_eq!(
        code("queue_counts", &one, "desk-1", json!({})),
        (401, "unauthenticated".into())
    );
    assert_eq!(code("queue_counts", &two, "desk-2", json!({})).0, 200);
}

#[test]
fn the_server_backs_up_the_centre_and_drills_the_backup() {
    let dir = tempfile::tempdir().expect("dir");
    common::centre(dir.path());
    let backups = dir.path().join("backups");
    {
        let store =
            Store::open(dir.path().join("hotline.db"), Arc::new(SystemClock)).expect("store");
        let admin = store.first_admin().expect("admin");
        store
            .set_setting(None, "backup_dir", &backups.display().to_string())
            .expect("folder");
        store
            .set_backup_passphrase(&admin, "a backup passphrase 1")
            .expect("passphrase");
    }
    let s = start(dir.path(), "");
    // Never backed up: due at once, then drilled; the desks back up nothing themselves.
    let admin = login(&s, "admin", "desk-1");
    let mut status = json!(null);
    for _ in 0..100 {
        status = call(&s, "backup_status", Some(&admin), "desk-1", json!({})).1;
        if status["last_good_drill"].is_object() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(status["last_backup"].is_string(), "{status}");
    assert!(status["last_good_drill"].is_object(), "{status}");
    let (_, list) = call(&s, "backups", Some(&admin), "desk-1", json!({}));
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
}

#[test]
fn the_server_logs_each_request_as_one_json_line_without_secrets() {
    let dir = tempfile::tempdir().expect("dir");
    common::centre(dir.path());
    let log = dir.path().join("server.log");
    let s = common::start_logged(dir.path(), &log);
    let token = login(&s, "agent", "desk-7");
    call(&s, "queue_counts", Some(&token), "desk-7", json!({}));
    drop(s);
    let text = std::fs::read_to_string(&log).expect("log");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let request = lines
        .iter()
        .find(|l| l["fields"]["path"] == "/api/v1/queue_counts")
        .expect("the request's line");
    assert_eq!(request["fields"]["status"], 200);
    assert!(request["fields"]["seat"]
        .as_str()
        .unwrap_or("")
        .starts_with("desk-7"));
    assert!(lines.iter().any(|l| l["fields"]["message"] == "listening"));
    assert!(
        !text.contains(PASSWORD) && !text.contains(&token),
        "no secrets in the log"
    );
}
