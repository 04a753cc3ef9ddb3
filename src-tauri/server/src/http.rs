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

pub use hotline_core::registry::PROTOCOL;

/// The public commands served over the network: the session ones act on the token's seat
/// (sign-in and sign-out are `/api/v1/login` and `/api/v1/logout`; the first
/// administrator is set up from the server's own machine, `/api/v1/setup_admin`).
const OPEN: &[&str] = &["vocabulary", "auth_state", "lock", "unlock", "activity"];

pub struct App {
    pub store: Arc<Store>,
    pub limits: crate::limits::Limits,
    /// The outbox as the server follows it (`events`).
    pub feed: crate::events::Feed,
    pub seats: crate::seats::Seats,
    /// Where the centre's data file is, on the server.
    pub data_label: String,
}

/// The status that goes with a code: the body always says exactly what.
pub fn status(code: &str) -> StatusCode {
    match code {
        "unauthenticated" | "session_expired" | "bad_credentials" | "session_locked" => {
            StatusCode::UNAUTHORIZED
        }
        "forbidden" => StatusCode::FORBIDDEN,
        "not_found" => StatusCode::NOT_FOUND,
        "conflict" | "incident_changed" | "taken" | "file_exists" | "extension_pending" => {
            StatusCode::CONFLICT
        }
        "protocol_mismatch" => StatusCode::UPGRADE_REQUIRED,
        "too_large" => StatusCode::PAYLOAD_TOO_LARGE,
        "timed_out" => StatusCode::REQUEST_TIMEOUT,
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

/// A desk names the protocol it speaks (`X-Hotline-Protocol`); another version is told
/// plainly instead of failing in odd ways. Scripts that name none are served.
pub(crate) fn same_protocol(headers: &HeaderMap) -> Result<()> {
    match headers
        .get("x-hotline-protocol")
        .and_then(|v| v.to_str().ok())
    {
        Some(v) if v.trim().parse() != Ok(PROTOCOL) => Err(Error::ProtocolMismatch {
            server: PROTOCOL,
            desk: v.trim().parse().unwrap_or(0),
        }),
        _ => Ok(()),
    }
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

/// What the server gives commands in place of a desk's shell. It has no window and no
/// folder of the user's: what a command would do there (save a file among the user's
/// exports, print the window, open the reporting window) becomes an effect in the answer,
/// which the desk carries out on the user's own machine (`X-Hotline-Effects`).
struct ServerHost {
    /// The centre's data file, as the about box shows it.
    data: String,
    effects: std::sync::Mutex<Vec<Value>>,
}

impl ServerHost {
    fn push(&self, effect: Value) {
        self.effects
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(effect);
    }

    fn take(&self) -> Vec<Value> {
        std::mem::take(&mut *self.effects.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Host for ServerHost {
    fn data_label(&self) -> String {
        self.data.clone()
    }
    fn downloads(&self) -> std::path::PathBuf {
        std::path::PathBuf::new()
    }
    fn progress(&self, _: Progress) {}
    fn open_reports(&self) -> Result<()> {
        self.push(json!({ "kind": "open_reports" }));
        Ok(())
    }
    fn deliver(&self, name: &str, bytes: &[u8], _replace: bool) -> Result<std::path::PathBuf> {
        use base64::Engine;
        let path = self.exports_path(name)?;
        let data = base64::engine::general_purpose::STANDARD.encode(bytes);
        self.push(json!({ "kind": "deliver", "name": name, "base64": data }));
        Ok(path)
    }
    fn save_print(&self, name: &str, _replace: bool) -> Result<std::path::PathBuf> {
        let path = self.exports_path(name)?;
        self.push(json!({ "kind": "print", "name": name }));
        Ok(path)
    }
}

/// A request's JSON body, or the registry's own error for arguments that do not fit.
fn parse<T: serde::de::DeserializeOwned>(command: &str, body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| Error::InvalidArguments {
        command: command.into(),
        reason: e.to_string(),
    })
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
    if let Err(e) = same_protocol(&headers) {
        return refuse(e);
    }
    if let Err(e) = app.limits.check(peer.ip(), std::time::Instant::now()) {
        return refuse(e);
    }
    let req: Login = match parse("login", &body) {
        Ok(l) => l,
        Err(e) => return refuse(e),
    };
    // A few password checks at a time; the rest wait their turn without blocking threads.
    let permit = match app.limits.hashing.clone().acquire_owned().await {
        Ok(p) => p,
        Err(e) => return refuse(Error::Internal(e.to_string())),
    };
    let ip = peer.ip();
    let out = blocking(move || {
        let _permit = permit;
        let user = app
            .store
            .login_at(&req.login, &req.password, Some(&seat))
            .inspect_err(|e| {
                if matches!(e.code(), "bad_credentials" | "account_locked") {
                    app.limits.failed(ip, std::time::Instant::now());
                }
            })?;
        signed_in(&app, user.id, &seat)
    })
    .await;
    match out {
        Ok(v) => Json(v).into_response(),
        Err(e) => refuse(e),
    }
}

/// A new session for `user_id` at `seat`: its token, the user, the seat's state, and the
/// event sequence to subscribe from (what happens after the sign-in).
fn signed_in(app: &App, user_id: i64, seat: &str) -> Result<Value> {
    let head = app.store.outbox_head()?;
    let token = app.store.issue_token(user_id, seat)?;
    let state = app.seats.get(&app.store, &token, seat)?.state(&app.store)?;
    Ok(
        json!({ "token": token, "user": state.user, "state": state, "head": head, "protocol": PROTOCOL }),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Setup {
    login: String,
    name: String,
    password: String,
}

/// The first administrator of a new centre, only from the server's own machine (anyone
/// who can reach the port must not be able to claim an empty centre).
async fn setup_admin(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !peer.ip().is_loopback() {
        return refuse(Error::Forbidden {
            action: "setup_admin".into(),
            actor: peer.ip().to_string(),
            role: "remote".into(),
            permission: false,
        });
    }
    let seat = seat_of(&headers, peer);
    let req: Setup = match parse("setup_admin", &body) {
        Ok(l) => l,
        Err(e) => return refuse(e),
    };
    let out = blocking(move || {
        let user = app
            .store
            .setup_admin(&req.login, &req.name, &req.password)?;
        signed_in(&app, user.id, &seat)
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
    let out = blocking(move || {
        if let Some(seat) = app.seats.forget(&token) {
            seat.logout(&app.store)?;
        }
        app.store.revoke_token(&token)
    });
    match out.await {
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
    if let Err(e) = same_protocol(&headers) {
        return refuse(e);
    }
    let Some(cmd) = registry::find(&name) else {
        return refuse(Error::NotFound {
            entity: "command",
            key: name.chars().take(60).collect(),
        });
    };
    let public = matches!(cmd.gate, Gate::Public);
    // A desk's own commands (where its tickets live) are about the desk's computer.
    if cmd.gate == Gate::Desk || (public && !OPEN.contains(&cmd.name)) {
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
        match parse(cmd.name, &body) {
            Ok(v) => v,
            Err(e) => return refuse(e),
        }
    };
    let seat_name = seat_of(&headers, peer);
    let out = blocking(move || {
        let seat = match token {
            Some(t) => app.seats.get(&app.store, &t, &seat_name)?,
            None => Arc::new(Seat::at(seat_name)),
        };
        let host = ServerHost {
            data: app.data_label.clone(),
            effects: Default::default(),
        };
        let ctx = Ctx {
            store: &app.store,
            seat: &seat,
            host: &host,
        };
        let result = cmd.call(&ctx, args)?;
        Ok((result, host.take()))
    })
    .await;
    match out {
        Ok((v, effects)) if effects.is_empty() => Json(v).into_response(),
        Ok((v, effects)) => (
            [("x-hotline-effects", "1")],
            Json(json!({ "result": v, "effects": effects })),
        )
            .into_response(),
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

/// Refusals made by the HTTP layers rather than by a command (a body over the limit, a
/// request past its time, no such route, a malformed upgrade) get the same
/// `{code, message, details}` as every other refusal.
async fn coded(max_body: usize, request_seconds: u64, res: Response) -> Response {
    let status = res.status();
    let json = res
        .headers()
        .get("content-type")
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || json {
        return res;
    }
    let e = match status {
        StatusCode::PAYLOAD_TOO_LARGE => Error::TooLarge { max: max_body },
        StatusCode::REQUEST_TIMEOUT => Error::TimedOut {
            seconds: request_seconds,
        },
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => Error::NotFound {
            entity: "route",
            key: String::new(),
        },
        s if s.is_client_error() => Error::InvalidArguments {
            command: "request".into(),
            reason: s.to_string(),
        },
        s => Error::Internal(s.to_string()),
    };
    let w = WireError::from(e);
    (status, Json(json!(w))).into_response()
}

/// One line per request: what, from where, how it ended, how long it took (never a body,
/// a token or a password).
async fn access_log(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let seat = seat_of(req.headers(), peer);
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1e3;
    if status >= 500 {
        tracing::error!(%method, %path, status, ms, %seat, "request");
    } else {
        tracing::info!(%method, %path, status, ms, %seat, "request");
    }
    res
}

/// The commands that carry a file, on routes of their own that take the larger body a file
/// needs (and say so when one is larger still).
fn uploads() -> Router<Arc<App>> {
    let max = hotline_core::attachment::MAX_REQUEST_BYTES;
    registry::UPLOADS.iter().fold(Router::new(), |r, name| {
        r.route(
            &format!("/api/v1/{name}"),
            post(
                move |app: State<Arc<App>>,
                      peer: ConnectInfo<SocketAddr>,
                      headers: HeaderMap,
                      body: axum::body::Bytes| {
                    command(app, peer, Path(name.to_string()), headers, body)
                },
            )
            .layer(DefaultBodyLimit::max(max))
            .layer(axum::middleware::map_response(|res: Response| {
                coded(hotline_core::attachment::MAX_BYTES, 0, res)
            })),
        )
    })
}

/// The whole HTTP surface, with the body and time limits of the config.
pub fn router(app: Arc<App>, max_body: usize, request_seconds: u64) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/api/v1/login", post(login))
        .route("/api/v1/logout", post(logout))
        .route("/api/v1/setup_admin", post(setup_admin))
        .route("/api/v1/events", get(crate::events::events))
        .route("/api/v1/{command}", post(command))
        .merge(uploads())
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(DefaultBodyLimit::max(max_body))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(request_seconds),
        ))
        .layer(axum::middleware::map_response(move |res: Response| {
            coded(max_body, request_seconds, res)
        }))
        .layer(axum::middleware::from_fn(access_log))
        .with_state(app)
}
