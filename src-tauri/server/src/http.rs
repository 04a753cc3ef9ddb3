//! The wire: `POST /api/v1/login`, `POST /api/v1/logout`, `POST /api/v1/{command}` with
//! the command's JSON arguments and `Authorization: Bearer <token>`, `GET /health`.
//! Every command is the registry's, behind the same gate, permission matrix and masking
//! as at the desk; errors are `{code, message, details}` with a fitting status.

use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hotline_core::files::Progress;
use hotline_core::registry::{self, Ctx, Gate, Host};
use hotline_core::session::Seat;
use hotline_core::{Error, Result, Store, WireError};
use serde::Deserialize;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The protocol a desk must speak; a desk of another version is told so plainly.
pub const PROTOCOL: u32 = 1;

/// Commands without a signed-in user that make sense over the network: the rest of the
/// public ones are a workstation's own session (sign-in is `/api/v1/login` here).
const OPEN: &[&str] = &["vocabulary"];

pub struct App {
    pub store: Arc<Store>,
    pub limits: crate::limits::Limits,
    /// The outbox's head as the watcher last saw it (`events`).
    pub head: tokio::sync::watch::Receiver<i64>,
}

/// The status that goes with a code: the body always says exactly what.
pub fn status(code: &str) -> StatusCode {
    match code {
        "unauthenticated" | "session_expired" | "bad_credentials" | "session_locked" => {
            StatusCode::UNAUTHORIZED
        }
        "forbidden" => StatusCode::FORBIDDEN,
        "not_found" => StatusCode::NOT_FOUND,
        "conflict" | "taken" | "file_exists" | "extension_pending" => StatusCode::CONFLICT,
        "account_locked" | "rate_limited" => StatusCode::TOO_MANY_REQUESTS,
        "internal" | "database" | "io" | "busy" | "migration_failed" => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

pub(crate) fn refuse(e: Error) -> Response {
    let w = WireError::from(e);
    (status(&w.code), Json(json!(w))).into_response()
}

/// The seat a request comes from: the desk's name for itself and its address, so a
/// token works only where it was issued and the audit log says where.
pub(crate) fn seat_of(headers: &HeaderMap, peer: SocketAddr) -> String {
    let host = headers
        .get("x-hotline-seat")
        .and_then(|v| v.to_str().ok())
        .map(|s| {
            s.chars()
                .filter(|c| !c.is_control())
                .take(80)
                .collect::<String>()
        })
        .unwrap_or_default();
    format!("{host} {}", peer.ip())
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// Runs store work on a blocking thread: SQLite is synchronous, the server must not be.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
}

/// What the server gives commands that a desk's shell would: no windows, no local folders.
struct ServerHost;

impl Host for ServerHost {
    fn data_label(&self) -> String {
        "centre server".into()
    }
    fn downloads(&self) -> std::path::PathBuf {
        std::env::temp_dir()
    }
    fn progress(&self, _: Progress) {}
    fn open_reports(&self) -> Result<()> {
        Err(Error::NotConfigured("the reporting window"))
    }
    fn deliver(&self, _: &str, _: &[u8], _: bool) -> Result<std::path::PathBuf> {
        // Files for the user travel to the user's own machine (a later step).
        Err(Error::NotConfigured("files over the network"))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    login: String,
    password: String,
}

async fn login(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let seat = seat_of(&headers, peer);
    if let Err(e) = app.limits.attempt(peer.ip(), std::time::Instant::now()) {
        return refuse(e);
    }
    let req: Login = match serde_json::from_slice(&body) {
        Ok(l) => l,
        Err(e) => {
            return refuse(Error::InvalidArguments {
                command: "login".into(),
                reason: e.to_string(),
            })
        }
    };
    // A few password checks at a time; the rest wait their turn without blocking threads.
    let permit = match app.limits.hashing.clone().acquire_owned().await {
        Ok(p) => p,
        Err(e) => return refuse(Error::Internal(e.to_string())),
    };
    let out = blocking(move || {
        let _permit = permit;
        let user = app.store.login_at(&req.login, &req.password, Some(&seat))?;
        let token = app.store.issue_token(user.id, &seat)?;
        Ok(json!({ "token": token, "user": user, "protocol": PROTOCOL }))
    })
    .await;
    match out {
        Ok(v) => Json(v).into_response(),
        Err(e) => refuse(e),
    }
}

async fn logout(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let Some(token) = bearer(&headers).map(str::to_string) else {
        return refuse(Error::Unauthenticated);
    };
    match blocking(move || app.store.revoke_token(&token)).await {
        Ok(()) => Json(json!(null)).into_response(),
        Err(e) => refuse(e),
    }
}

async fn command(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let Some(cmd) = registry::find(&name) else {
        return refuse(Error::NotFound {
            entity: "command",
            key: name.chars().take(60).collect(),
        });
    };
    let public = matches!(cmd.gate, Gate::Public);
    if public && !OPEN.contains(&cmd.name) {
        return refuse(Error::NotFound {
            entity: "command",
            key: name.chars().take(60).collect(),
        });
    }
    let token = bearer(&headers).map(str::to_string);
    if token.is_none() && !public {
        return refuse(Error::Unauthenticated);
    }
    let args: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                return refuse(Error::InvalidArguments {
                    command: cmd.name.into(),
                    reason: e.to_string(),
                })
            }
        }
    };
    let seat_name = seat_of(&headers, peer);
    let out = blocking(move || {
        let seat = Seat::at(seat_name.clone());
        if let Some(t) = token {
            let user = app.store.token_user(&t, &seat_name)?;
            seat.assume(&app.store, user.id)?;
        }
        let ctx = Ctx {
            store: &app.store,
            seat: &seat,
            host: &ServerHost,
        };
        cmd.call(&ctx, args)
    })
    .await;
    match out {
        Ok(v) => Json(v).into_response(),
        Err(e) => refuse(e),
    }
}

async fn health(State(app): State<Arc<App>>) -> Response {
    match blocking(move || app.store.outbox_head()).await {
        Ok(head) => Json(json!({
            "status": "ok",
            "version": env!("CARGO_PKG_VERSION"),
            "protocol": PROTOCOL,
            "outbox": head,
        }))
        .into_response(),
        Err(e) => refuse(e),
    }
}

/// The whole HTTP surface, with the body and time limits of the config.
pub fn router(app: Arc<App>, max_body: usize, request_seconds: u64) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/api/v1/login", post(login))
        .route("/api/v1/logout", post(logout))
        .route("/api/v1/events", get(crate::events::events))
        .route("/api/v1/{command}", post(command))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(request_seconds),
        ))
        .with_state(app)
}
