//! The real server over TLS with the certificate it makes on first start: the desk's
//! client trusts it by the fingerprint the server printed, refuses any other, learns the
//! fingerprint on a first connection, and speaks the same wire (commands, the event
//! stream) through it. A desk of another protocol is told so.

use common::{start, start_tls, PASSWORD};
use hotline_client::Client;
use serde_json::json;

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desks_trust_the_centre_by_its_fingerprint() {
    let dir = tempfile::tempdir().expect("dir");
    let lighting = common::centre(dir.path());
    let (s, fingerprint) = start_tls(dir.path());
    assert!(dir.path().join("tls/centre.key").is_file());

    // A first connection learns the fingerprint without trusting it.
    let probe = Client::new(&s.addr, None, "desk-1").expect("client");
    let e = probe.health().await.expect_err("nothing is trusted yet");
    assert_eq!(e.code, "untrusted_server");
    assert_eq!(e.details["fingerprint"], json!(fingerprint));
    // Another certificate is refused; plain HTTP to a TLS port reaches nothing.
    let other = "SHA256:".to_string() + &["AB"; 32].join(":");
    let wrong = Client::new(&s.addr, Some(&other), "desk-1").expect("client");
    assert_eq!(
        wrong.health().await.map_err(|e| e.code).err().as_deref(),
        Some("untrusted_server")
    );
    let plain = Client::new(&format!("http://{}", s.addr), None, "desk-1").expect("client");
    assert_eq!(
        plain.health().await.map_err(|e| e.code).err().as_deref(),
        Some("unreachable")
    );

    // Pinned, the desk works as at home: sign in, a transfer, the event stream.
    let desk = Client::new(&s.addr, Some(&fingerprint.to_lowercase()), "desk-1").expect("client");
    assert_eq!(desk.health().await.expect("health")["status"], "ok");
    let e = desk
        .login("agent", "wrong")
        .await
        .expect_err("bad password");
    assert_eq!(e.code, "bad_credentials");
    let handler = Client::new(&s.addr, Some(&fingerprint), "desk-2").expect("client");
    let h = handler.login("lighting", PASSWORD).await.expect("handler");
    let h = h["token"].as_str().expect("token").to_string();
    let mut events = handler.events(&h, 0).await.expect("subscribed");
    let signed = desk.login("agent", PASSWORD).await.expect("agent");
    assert_eq!(signed["state"]["user"]["name"], "李娜");
    let token = signed["token"].as_str().expect("token");
    let t = desk
        .call(
            Some(token),
            "intake",
            &json!({
                "ticket": { "caller_name": "张三", "phone": "13812345678", "description": "路灯不亮", "category": "help_request" },
                "then": { "action": "transfer", "department_id": lighting, "requirements": "请修复", "due_at": "2099-01-01T09:00:00Z" }
            }),
        )
        .await
        .expect("intake");
    assert_eq!(t.result["phone"], "138****5678");
    let got = tokio::time::timeout(std::time::Duration::from_secs(5), events.next())
        .await
        .expect("in time")
        .expect("an entry")
        .expect("not an error");
    assert_eq!(
        (got["kind"].clone(), got["ticket_id"].clone()),
        (json!("ticket"), t.result["id"].clone())
    );
    events.close().await;
    desk.logout(token).await.expect("sign out");
    let e = desk
        .call(Some(token), "queue_counts", &json!({}))
        .await
        .expect_err("signed out");
    assert_eq!(e.code, "unauthenticated");

    // The certificate stays across restarts: desks need not confirm it again.
    drop(s);
    let (_s, again) = start_tls(dir.path());
    assert_eq!(again, fingerprint);
}

#[test]
fn a_desk_of_another_protocol_is_told_plainly() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().expect("dir");
    common::centre(dir.path());
    let s = start(dir.path(), "");
    let mut c = std::net::TcpStream::connect(&s.addr).expect("connect");
    let body = json!({ "login": "agent", "password": PASSWORD }).to_string();
    write!(
        c,
        "POST /api/v1/login HTTP/1.1\r\nHost: x\r\nX-Hotline-Protocol: 99\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut out = String::new();
    let _ = c.read_to_string(&mut out);
    assert!(out.starts_with("HTTP/1.1 426"), "{out}");
    assert!(
        out.contains("\"protocol_mismatch\"") && out.contains("\"server\":1"),
        "{out}"
    );
}
