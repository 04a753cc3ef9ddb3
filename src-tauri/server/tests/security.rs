//! The real server against hostile seats: arbitrary arguments to every command of the
//! registry, a body that dribbles in, garbage on the event stream — each refused with
//! `{code, message, details}`, nothing written, and the server serving the others.

use common::{call, login, request, start};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::time::Duration;

mod common;

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        ".{0,30}".prop_map(Value::from),
        Just(json!("../../etc/passwd")),
        Just(json!("2026-11-24T00:00:00Z")),
    ];
    leaf.prop_recursive(3, 20, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("query".to_string()),
                    Just("ticket".to_string()),
                    Just("action".to_string()),
                    "[a-z_]{1,10}".prop_map(String::from),
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[test]
fn every_command_takes_arbitrary_arguments_over_the_network_without_harm() {
    let dir = tempfile::tempdir().expect("dir");
    common::centre(dir.path());
    let s = start(dir.path(), "");
    let agent = login(&s, "agent", "desk-1");
    let names: Vec<&str> = hotline_core::registry::commands()
        .map(|c| c.name)
        // Signing in and out are their own routes (`/api/v1/login`, `/api/v1/logout`:
        // fuzzing them only signs the fuzzer out or into a lockout).
        .filter(|n| !["login", "logout", "setup_admin", "unlock"].contains(n))
        .collect();
    let (_, before) = call(&s, "queue_counts", Some(&agent), "desk-1", json!({}));
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 48,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &prop::collection::vec((0..names.len(), arb_json()), 1..12),
            |picks| {
                for (i, args) in picks {
                    let (status, v) = call(&s, names[i], Some(&agent), "desk-1", args);
                    // Success, or a coded refusal; never a crash of the server.
                    prop_assert!(
                        status == 200 || v["code"].is_string(),
                        "{}: {status} {v}",
                        names[i]
                    );
                    prop_assert!(
                        status != 500 || v["code"] != "internal",
                        "{}: {v}",
                        names[i]
                    );
                }
                Ok(())
            },
        )
        .expect("no command misbehaves");
    // (The fuzzer may have locked the seat: `lock` is a command too.)
    call(
        &s,
        "unlock",
        Some(&agent),
        "desk-1",
        json!({ "password": common::PASSWORD }),
    );
    let (status, after) = call(&s, "queue_counts", Some(&agent), "desk-1", json!({}));
    assert_eq!(status, 200, "still serving: {after}");
    // The agent may log calls; arbitrary input created none (a valid ticket is unlikely).
    assert_eq!(before["all"], after["all"]);
}

#[test]
fn a_body_that_dribbles_in_is_cut_off_with_a_coded_error() {
    let dir = tempfile::tempdir().expect("dir");
    common::centre(dir.path());
    let s = start(dir.path(), "request_seconds = 1\n");
    let agent = login(&s, "agent", "desk-1");
    let mut c = std::net::TcpStream::connect(&s.addr).expect("connect");
    write!(
        c,
        "POST /api/v1/intake HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {agent}\r\nX-Hotline-Seat: desk-1\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{{\"ticket\":"
    )
    .expect("head");
    // The rest never comes; meanwhile the server serves others.
    let (status, _) = call(&s, "queue_counts", Some(&agent), "desk-1", json!({}));
    assert_eq!(status, 200);
    c.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut out = String::new();
    let _ = c.read_to_string(&mut out);
    assert!(out.starts_with("HTTP/1.1 408"), "{out}");
    assert!(out.contains("\"timed_out\""), "{out}");
    let (_, counts) = call(&s, "queue_counts", Some(&agent), "desk-1", json!({}));
    assert_eq!(counts["all"], 0, "nothing written");
}

#[test]
fn garbage_on_the_event_stream_ends_that_stream_only() {
    let dir = tempfile::tempdir().expect("dir");
    common::centre(dir.path());
    let s = start(dir.path(), "");
    let agent = login(&s, "agent", "desk-1");
    let mut c = std::net::TcpStream::connect(&s.addr).expect("connect");
    write!(
        c,
        "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {agent}\r\nX-Hotline-Seat: desk-1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    )
    .expect("upgrade");
    let mut head = [0u8; 512];
    let n = c.read(&mut head).expect("answer");
    assert!(String::from_utf8_lossy(&head[..n]).starts_with("HTTP/1.1 101"));
    // Not a WebSocket frame at all (reserved bits, an unmasked client frame, nonsense).
    c.write_all(&[0xff; 64]).expect("garbage");
    c.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut rest = Vec::new();
    let _ = c.read_to_end(&mut rest);
    // The server closed it; everyone else is served.
    let (status, v) = request(&s, "GET", "/health", None, "", b"");
    assert_eq!((status, v["status"].clone()), (200, json!("ok")));
}
