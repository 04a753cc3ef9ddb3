//! The live event stream of the real server: each seat hears of what concerns it, from
//! where it left off, and a revoked sign-in ends its stream.

use common::{login, request, start, Server};
use futures_util::StreamExt;
use serde_json::{json, Value};

mod common;

fn post(s: &Server, path: &str, token: Option<&str>, seat: &str, body: Value) -> Value {
    request(s, "POST", path, token, seat, body.to_string().as_bytes()).1
}
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn subscribe(s: &Server, token: &str, seat: &str, after: i64) -> Ws {
    let mut req = format!("ws://{}/api/v1/events?after={after}", s.addr)
        .into_client_request()
        .expect("request");
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("h"),
    );
    req.headers_mut()
        .insert("x-hotline-seat", seat.parse().expect("h"));
    tokio_tungstenite::connect_async(req)
        .await
        .expect("upgrade")
        .0
}

/// The next event within `wait`, or None.
async fn next(ws: &mut Ws, wait: Duration) -> Option<Value> {
    match tokio::time::timeout(wait, ws.next()).await {
        Ok(Some(Ok(Message::Text(t)))) => serde_json::from_str(&t).ok(),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_seat_hears_what_concerns_it_and_a_revoked_one_is_cut_off() {
    let dir = tempfile::tempdir().expect("dir");
    let lighting = common::centre(dir.path());
    let s = start(dir.path(), "");
    let agent = login(&s, "agent", "desk-1");
    let handler = login(&s, "lighting", "desk-2");
    let other = login(&s, "water", "desk-3");
    // Without a sign-in there is no stream at all.
    let mut bare = format!("ws://{}/api/v1/events", s.addr)
        .into_client_request()
        .expect("r");
    bare.headers_mut()
        .insert("x-hotline-seat", "desk-9".parse().expect("h"));
    assert!(
        tokio_tungstenite::connect_async(bare).await.is_err(),
        "refused before the upgrade"
    );

    let mut agent_ws = subscribe(&s, &agent, "desk-1", 0).await;
    let mut handler_ws = subscribe(&s, &handler, "desk-2", 0).await;
    let mut other_ws = subscribe(&s, &other, "desk-3", 0).await;
    let t = post(
        &s,
        "/api/v1/intake",
        Some(&agent),
        "desk-1",
        json!({
            "ticket": { "caller_name": "张三", "phone": "13812345678", "description": "路灯不亮", "category": "help_request" },
            "then": { "action": "transfer", "department_id": lighting, "requirements": "请修复", "due_at": "2099-01-01T09:00:00Z" }
        }),
    );
    assert!(t["id"].is_i64(), "{t}");
    // The hotline side hears of the call and the transfer; the department of the transfer.
    let a1 = next(&mut agent_ws, Duration::from_secs(5))
        .await
        .expect("create");
    let a2 = next(&mut agent_ws, Duration::from_secs(5))
        .await
        .expect("transfer");
    assert_eq!(
        (a1["data"]["actions"].clone(), a2["data"]["actions"].clone()),
        (json!(["create"]), json!(["transfer"]))
    );
    assert!(a1["seq"].as_i64() < a2["seq"].as_i64());
    let h = next(&mut handler_ws, Duration::from_secs(5))
        .await
        .expect("the transfer arrives");
    // The server's scheduler fires the transfer's announcement once: a notification for the
    // department's handler on their stream, and for nobody else.
    let n = next(&mut handler_ws, Duration::from_secs(5))
        .await
        .expect("the handler is told");
    assert_eq!(
        (n["kind"].clone(), n["data"]["kind"].clone()),
        (json!("notification"), json!("assigned"))
    );
    assert_eq!(
        (h["kind"].clone(), h["ticket_id"].clone()),
        (json!("ticket"), t["id"].clone())
    );
    // And the pop-up to show, in the handler's language, naming the ticket.
    let p = next(&mut handler_ws, Duration::from_secs(5))
        .await
        .expect("the pop-up");
    let title = p["popups"][0][0].as_str().unwrap_or_default();
    assert!(title.contains(t["number"].as_str().expect("number")), "{p}");
    assert_eq!(p["seq"], n["seq"], "{p}");
    assert_eq!(
        next(&mut other_ws, Duration::from_millis(800)).await,
        None,
        "not the water department's"
    );
    assert!(
        !a2.to_string().contains("13812345678") && !a2.to_string().contains("张三"),
        "no personal data"
    );

    // A seat that reconnects from where it left off misses nothing and repeats nothing.
    let seen = n["seq"].as_i64().expect("seq");
    drop(handler_ws);
    post(
        &s,
        "/api/v1/act",
        Some(&handler),
        "desk-2",
        json!({ "id": t["id"], "version": t["version"], "action": { "action": "accept" } }),
    );
    let mut again = subscribe(&s, &handler, "desk-2", seen).await;
    let back = next(&mut again, Duration::from_secs(5))
        .await
        .expect("the accept");
    assert_eq!(back["data"]["actions"], json!(["accept"]));

    // Signed out elsewhere: at the next change the stream says so and ends.
    post(&s, "/api/v1/logout", Some(&agent), "desk-1", json!({}));
    post(
        &s,
        "/api/v1/act",
        Some(&handler),
        "desk-2",
        json!({ "id": t["id"], "version": back["data"]["version"], "action": { "action": "comment", "note": "跟进" } }),
    );
    let mut ended = false;
    for _ in 0..5 {
        match next(&mut agent_ws, Duration::from_secs(5)).await {
            Some(v) if v["error"]["code"] == "unauthenticated" => {
                ended = true;
                break;
            }
            Some(_) => continue,
            None => break,
        }
    }
    assert!(ended, "a revoked sign-in ends its stream");
}
