//! The live event stream, `GET /api/v1/events?after=N` (WebSocket): the outbox entries
//! after N that concern the signed-in user, then each new one as it is committed. One task
//! watches the outbox's head for the whole server and wakes the streams, so a burst of
//! changes is one wake-up and the cost of watching does not grow with the seats.

use crate::http::App;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use hotline_core::model::User;
use hotline_core::store::OutboxEntry;
use hotline_core::Result;
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How often the head is looked at (one indexed `max(seq)` for the whole server).
const WATCH_EVERY: Duration = Duration::from_millis(100);
/// Entries sent per round; a seat far behind catches up in pages.
const PAGE: u32 = 500;

/// Watches the outbox's head and publishes it; every stream waits on the channel.
pub fn watch_head(store: Arc<hotline_core::Store>) -> watch::Receiver<i64> {
    let start = store.outbox_head().unwrap_or(0);
    let (tx, rx) = watch::channel(start);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(WATCH_EVERY);
        loop {
            tick.tick().await;
            let s = store.clone();
            let head = tokio::task::spawn_blocking(move || s.outbox_head()).await;
            if let Ok(Ok(h)) = head {
                tx.send_if_modified(|cur| {
                    let newer = h > *cur;
                    *cur = h.max(*cur);
                    newer
                });
            }
            if tx.is_closed() {
                break;
            }
        }
    });
    rx
}

#[derive(Deserialize)]
pub struct After {
    #[serde(default)]
    after: i64,
}

pub async fn events(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<After>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let token = crate::http::bearer(&headers).map(str::to_string);
    let seat = crate::http::seat_of(&headers, peer);
    // The sign-in is checked before the upgrade: a refused stream is a plain error.
    let check = {
        let app = app.clone();
        let (token, seat) = (token.clone(), seat.clone());
        crate::http::blocking(move || {
            let t = token.ok_or(hotline_core::Error::Unauthenticated)?;
            app.store.token_user(&t, &seat)
        })
        .await
    };
    if let Err(e) = check {
        return crate::http::refuse(e);
    }
    let head = app.head.clone();
    ws.on_upgrade(move |socket| stream(socket, app, head, token.unwrap_or_default(), seat, q.after))
}

async fn stream(
    mut socket: WebSocket,
    app: Arc<App>,
    mut head: watch::Receiver<i64>,
    token: String,
    seat: String,
    mut cursor: i64,
) {
    loop {
        // Each round re-checks the sign-in: a revoked or expired token ends the stream.
        let a = app.clone();
        let (t, s) = (token.clone(), seat.clone());
        let round: Result<(User, Vec<OutboxEntry>)> = crate::http::blocking(move || {
            let user = a.store.token_user(&t, &s)?;
            let entries = a.store.outbox_after(cursor, PAGE)?;
            Ok((user, entries))
        })
        .await;
        let (user, entries) = match round {
            Ok(r) => r,
            Err(e) => {
                let w = hotline_core::WireError::from(e);
                let _ = socket
                    .send(Message::Text(
                        serde_json::json!({ "error": w }).to_string().into(),
                    ))
                    .await;
                let _ = socket.send(Message::Close(None)).await;
                return;
            }
        };
        let full = entries.len() as u32 == PAGE;
        // The user's alarms of this round become their pop-ups, in their language and
        // quiet hours, a storm summarised (as on a desk of its own).
        let fired: Vec<_> = entries
            .iter()
            .filter(|e| e.concerns(&user))
            .filter_map(OutboxEntry::fired)
            .collect();
        for e in entries {
            cursor = e.seq;
            if e.concerns(&user) {
                let text = serde_json::json!({ "seq": e.seq, "kind": e.kind, "ticket_id": e.ticket_id, "data": e.data });
                if socket
                    .send(Message::Text(text.to_string().into()))
                    .await
                    .is_err()
                {
                    return;
                }
            }
        }
        if !fired.is_empty() {
            let a = app.clone();
            let id = user.id;
            let popups = crate::http::blocking(move || a.store.popups(id, &fired)).await;
            if let Some(p) = popups.ok().filter(|p| !p.is_empty()) {
                let text = serde_json::json!({ "seq": cursor, "popups": p });
                if socket
                    .send(Message::Text(text.to_string().into()))
                    .await
                    .is_err()
                {
                    return;
                }
            }
        }
        if full {
            continue;
        }
        tokio::select! {
            changed = head.changed() => if changed.is_err() { return },
            msg = socket.recv() => match msg {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                _ => {}
            },
        }
    }
}
