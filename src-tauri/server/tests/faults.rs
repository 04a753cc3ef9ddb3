//! Faults on the real server process: killed with SIGKILL in the middle of a stream of
//! writes, every write a seat was told had succeeded is there after the restart, and a seat
//! subscribed to the event stream catches up from the last sequence it saw — every change
//! once, none missed.

use common::{start, PASSWORD};
use hotline_client::Client;
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod common;

/// The last sequence seen, and each ticket creation heard: (sequence, ticket id).
type Heard = Arc<Mutex<(i64, Vec<(i64, i64)>)>>;

/// Follows the event stream from the last sequence heard until it ends (or is `quiet`).
async fn follow(address: String, token: String, heard: Heard, quiet: Option<Duration>) {
    let c = Client::new(&address, None, "desk-2").expect("client");
    let after = heard.lock().expect("heard").0;
    let mut events = c.events(&token, after).await.expect("subscribed");
    loop {
        let next = match quiet {
            Some(q) => tokio::time::timeout(q, events.next()).await.ok().flatten(),
            None => events.next().await,
        };
        let Some(Ok(e)) = next else { return };
        let mut h = heard.lock().expect("heard");
        let seq = e["seq"].as_i64().unwrap_or(0);
        if e["kind"] == "ticket" && e["data"]["actions"] == json!(["create"]) {
            h.1.push((seq, e["ticket_id"].as_i64().unwrap_or(0)));
        }
        h.0 = h.0.max(seq);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_nothing_it_acknowledged_and_streams_resume() {
    let dir = tempfile::tempdir().expect("dir");
    common::centre(dir.path());
    let mut s = start(dir.path(), "");
    let address = format!("http://{}", s.addr);
    let writer = Arc::new(Client::new(&address, None, "desk-1").expect("client"));
    let agent = writer.login("agent", PASSWORD).await.expect("agent");
    let token = agent["token"].as_str().expect("token").to_string();
    let head = agent["head"].as_i64().expect("head");
    // A supervisor's seat follows the stream (the hotline side hears of every ticket).
    let sup = Client::new(&address, None, "desk-2")
        .expect("client")
        .login("admin", PASSWORD)
        .await
        .expect("admin");
    let sup_token = sup["token"].as_str().expect("token").to_string();
    let received: Heard = Arc::new(Mutex::new((head, vec![])));

    // Seat 1 logs calls one after another, noting each one it was told succeeded.
    let acked = Arc::new(Mutex::new(Vec::<i64>::new()));
    let writing = {
        let (writer, token, acked) = (writer.clone(), token.clone(), acked.clone());
        tokio::spawn(async move {
            for i in 0..10_000 {
                let ticket = json!({ "ticket": { "caller_name": format!("来电人{i}"), "phone": "13812345678", "description": "停水", "category": "help_request" } });
                match writer.call(Some(&token), "intake", &ticket).await {
                    Ok(r) => acked
                        .lock()
                        .expect("acked")
                        .push(r.result["id"].as_i64().expect("id")),
                    Err(_) => return,
                }
            }
        })
    };
    let first = tokio::spawn(follow(
        address.clone(),
        sup_token.clone(),
        received.clone(),
        None,
    ));
    while acked.lock().expect("acked").len() < 25 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // SIGKILL mid-stream: no shutdown, no flush, nothing finished on purpose.
    s.kill();
    let _ = writing.await;
    let _ = first.await;
    let told = acked.lock().expect("acked").clone();

    // Restarted on the same file: every acknowledged call is there.
    let s2 = start(dir.path(), "");
    let address2 = format!("http://{}", s2.addr);
    let again = Client::new(&address2, None, "desk-1").expect("client");
    let a = again.login("agent", PASSWORD).await.expect("agent");
    let t2 = a["token"].as_str().expect("token");
    let page = again
        .call(
            Some(t2),
            "list_tickets",
            &json!({ "query": { "limit": 200 } }),
        )
        .await
        .expect("list");
    let there: BTreeSet<i64> = page.result["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["id"].as_i64())
        .collect();
    assert!(
        told.iter().all(|id| there.contains(id)),
        "acknowledged {told:?}, stored {there:?}"
    );
    assert!(
        there.len() >= told.len() && there.len() <= told.len() + 1,
        "at most the one in flight more"
    );

    // The watcher resumes from its last sequence (its token outlived the restart): every
    // ticket's creation heard exactly once.
    let quiet = Some(Duration::from_secs(2));
    let second = tokio::spawn(follow(address2, sup_token, received.clone(), quiet));
    second.await.expect("followed");
    let heard = received.lock().expect("r").1.clone();
    let seqs: BTreeSet<i64> = heard.iter().map(|h| h.0).collect();
    assert_eq!(seqs.len(), heard.len(), "no entry twice");
    let ids: BTreeSet<i64> = heard.iter().map(|h| h.1).collect();
    assert_eq!(ids, there, "every stored call heard of, once");
    drop(s2);
}
