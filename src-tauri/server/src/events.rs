//! The live event stream, `GET /api/v1/events?after=N` (WebSocket): the outbox entries
//! after N that concern the signed-in user, then each new one as it is committed. One task
//! reads the outbox for the whole server — a burst of changes is one read — and hands each
//! batch to every stream, which keeps what concerns its user: the store's work per change
//! does not grow with the seats. A stream reads the store itself only to catch up (a seat
//! coming back after a while) and to re-check its sign-in every few seconds.

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

/// The longest the outbox goes unread: a PostgreSQL instance that somehow missed a
/// notification still catches up.
const LONGEST_WAIT: Duration = Duration::from_secs(5);
/// Entries sent per round of a catch-up; a seat far behind catches up in pages.
const PAGE: u32 = 500;
/// How often a stream checks that its sign-in still holds (revoked, expired, disabled).
const RECHECK: Duration = Duration::from_secs(5);
/// Batches kept for streams that are slow to take them; one further behind catches up
/// from the store.
const BACKLOG: usize = 256;

/// New outbox entries, as the watcher read them once for every stream.
pub struct Batch {
    pub entries: Vec<OutboxEntry>,
}

/// The outbox as the server follows it: its head (the scheduler wakes on it) and the
/// batches of new entries.
#[derive(Clone)]
pub struct Feed {
    pub head: watch::Receiver<i64>,
    pub batches: tokio::sync::broadcast::Sender<Arc<Batch>>,
}

/// Follows the outbox: reads what is new once, publishes the head and the batch. Its own
/// thread waits on the store's change signal (a look every 100 ms at an SQLite file; on
/// PostgreSQL, the notification of a commit by any instance, so a seat here hears at once
/// of a change made through another instance) and ends with the server.
pub fn watch_head(store: Arc<hotline_core::Store>) -> Feed {
    let (tx, rx) = watch::channel(0);
    let (batches, _) = tokio::sync::broadcast::channel(BACKLOG);
    let feed = Feed {
        head: rx,
        batches: batches.clone(),
    };
    let mut signal = store.change_signal();
    let spawned = std::thread::Builder::new()
        .name("outbox".into())
        .spawn(move || {
            let mut last = store.outbox_head().unwrap_or(0);
            tx.send_replace(last);
            while !tx.is_closed() {
                signal.wait(LONGEST_WAIT);
                let Ok(entries) = read_after(&store, last) else {
                    continue;
                };
                if let Some(e) = entries.last() {
                    last = e.seq;
                    // No stream listening is no error: the next one catches up.
                    let _ = batches.send(Arc::new(Batch { entries }));
                    tx.send_if_modified(|cur| {
                        let newer = last > *cur;
                        *cur = last.max(*cur);
                        newer
                    });
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "the outbox follower did not start");
    }
    feed
}

/// The outbox entries after `from`, in pages.
fn read_after(store: &hotline_core::Store, from: i64) -> Result<Vec<OutboxEntry>> {
    let head = store.outbox_head()?;
    let (mut entries, mut from) = (vec![], from);
    while from < head {
        let page = store.outbox_after(from, 5_000)?;
        let Some(e) = page.last() else { break };
        from = e.seq;
        entries.extend(page);
    }
    Ok(entries)
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
    let batches = app.feed.batches.subscribe();
    ws.on_upgrade(move |socket| {
        stream(
            socket,
            app,
            batches,
            token.unwrap_or_default(),
            seat,
            q.after,
        )
    })
}

/// Sends the entries of `entries` after `cursor` that concern `user`, then their pop-ups;
/// the new cursor, or `None` when the seat has gone.
async fn send(
    socket: &mut WebSocket,
    app: &Arc<App>,
    user: &User,
    entries: &[OutboxEntry],
    mut cursor: i64,
) -> Option<i64> {
    // The user's alarms become their pop-ups, in their language and quiet hours, a storm
    // summarised (as on a desk of its own).
    let mine: Vec<&OutboxEntry> = entries
        .iter()
        .filter(|e| e.seq > cursor && e.concerns(user))
        .collect();
    let fired: Vec<_> = mine.iter().filter_map(|e| e.fired()).collect();
    for e in &mine {
        let text = serde_json::json!({ "seq": e.seq, "kind": e.kind, "ticket_id": e.ticket_id, "data": e.data });
        socket
            .send(Message::Text(text.to_string().into()))
            .await
            .ok()?;
    }
    cursor = entries.last().map_or(cursor, |e| e.seq.max(cursor));
    if !fired.is_empty() {
        let a = app.clone();
        let id = user.id;
        let popups = crate::http::blocking(move || a.store.popups(id, &fired)).await;
        if let Some(p) = popups.ok().filter(|p| !p.is_empty()) {
            let text = serde_json::json!({ "seq": cursor, "popups": p });
            socket
                .send(Message::Text(text.to_string().into()))
                .await
                .ok()?;
        }
    }
    Some(cursor)
}

/// The sign-in behind a stream, checked again (revoked, expired, disabled, role changed).
async fn signed_in(app: &Arc<App>, token: &str, seat: &str) -> Result<User> {
    let a = app.clone();
    let (t, s) = (token.to_string(), seat.to_string());
    crate::http::blocking(move || a.store.token_user(&t, &s)).await
}

async fn refuse(socket: &mut WebSocket, e: hotline_core::Error) {
    let w = hotline_core::WireError::from(e);
    let _ = socket
        .send(Message::Text(
            serde_json::json!({ "error": w }).to_string().into(),
        ))
        .await;
    let _ = socket.send(Message::Close(None)).await;
}

/// Catches up from the store from `cursor` to its head, page by page.
async fn catch_up(
    socket: &mut WebSocket,
    app: &Arc<App>,
    user: &User,
    mut cursor: i64,
) -> Option<i64> {
    loop {
        let a = app.clone();
        let page = crate::http::blocking(move || a.store.outbox_after(cursor, PAGE))
            .await
            .ok()?;
        let full = page.len() as u32 == PAGE;
        cursor = send(socket, app, user, &page, cursor).await?;
        if !full {
            return Some(cursor);
        }
    }
}

async fn stream(
    mut socket: WebSocket,
    app: Arc<App>,
    mut batches: tokio::sync::broadcast::Receiver<Arc<Batch>>,
    token: String,
    seat: String,
    cursor: i64,
) {
    let mut user = match signed_in(&app, &token, &seat).await {
        Ok(u) => u,
        Err(e) => return refuse(&mut socket, e).await,
    };
    // Subscribed before catching up: nothing committed meanwhile is missed (the batches
    // that overlap the catch-up are skipped by sequence).
    let Some(mut cursor) = catch_up(&mut socket, &app, &user, cursor).await else {
        return;
    };
    let mut recheck = tokio::time::interval(RECHECK);
    recheck.tick().await;
    loop {
        tokio::select! {
            batch = batches.recv() => {
                let next = match batch {
                    Ok(b) => send(&mut socket, &app, &user, &b.entries, cursor).await,
                    // Too slow for the backlog: the store has it all.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        catch_up(&mut socket, &app, &user, cursor).await
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => None,
                };
                match next {
                    Some(c) => cursor = c,
                    None => return,
                }
            }
            _ = recheck.tick() => match signed_in(&app, &token, &seat).await {
                Ok(u) => user = u,
                Err(e) => return refuse(&mut socket, e).await,
            },
            msg = socket.recv() => match msg {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                _ => {}
            },
        }
    }
}
