//! A desk on a centre server: commands forwarded over the wire with this seat's token, the
//! server's effects (a file to save, the window to print, the reporting window) carried
//! out here, and the server's event stream in place of the file watcher and the local
//! scheduler — refreshing the windows and showing this user's pop-ups — reconnecting with
//! backoff and catching up from the last sequence it saw, so no change is missed.

use chrono::{DateTime, Utc};
use hotline_client::Client;
use hotline_core::{Error, WireError};
use serde::Serialize;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tauri::{AppHandle, Emitter, Runtime};
use tauri_plugin_notification::NotificationExt;

/// Told to every window when the link changes (`Link`).
pub const EVENT: &str = "connection-changed";
/// Several changes in this window become one refresh of the windows.
const COALESCE: Duration = Duration::from_millis(150);
const BACKOFF_FIRST: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(10);
const RETRY_OUTBOX: Duration = Duration::from_secs(20);

/// How the link to the server is, since when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    /// `connected`, `reconnecting`, `offline` (a command could not reach it) or
    /// `signed_out` (no stream without a sign-in).
    pub status: &'static str,
    pub since: DateTime<Utc>,
    /// The last event sequence this desk has seen.
    pub seq: i64,
    pub error: Option<WireError>,
}

pub struct Remote {
    pub client: Client,
    pub fingerprint: Option<String>,
    token: Mutex<Option<String>>,
    link: Mutex<Link>,
    stream: Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
    /// Where the signed-in user's offline outbox lives, and the outbox once opened.
    offline_dir: std::path::PathBuf,
    outbox: Mutex<Option<crate::offline::Outbox>>,
    /// One sending of the outbox at a time.
    sending: tokio::sync::Mutex<()>,
}

/// Told to the windows when the offline outbox changes.
pub const OUTBOX_EVENT: &str = "offline-outbox-changed";

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Codes that mean this seat's sign-in is over (the stream stops; the desk asks again).
fn signed_out(code: &str) -> bool {
    matches!(code, "unauthenticated" | "session_expired")
}

impl Remote {
    pub fn new(
        address: &str,
        fingerprint: Option<String>,
        offline_dir: std::path::PathBuf,
    ) -> Result<Remote, WireError> {
        let seat = hotline_core::paths::hostname().unwrap_or_else(|| "desk".into());
        Ok(Remote {
            client: Client::new(address, fingerprint.as_deref(), &seat)?,
            fingerprint,
            token: Mutex::new(None),
            link: Mutex::new(Link {
                status: "signed_out",
                since: Utc::now(),
                seq: 0,
                error: None,
            }),
            stream: Mutex::new(None),
            offline_dir,
            outbox: Mutex::new(None),
            sending: tokio::sync::Mutex::new(()),
        })
    }

    /// The offline outbox's entries (none before a sign-in).
    pub fn outbox(&self) -> Value {
        lock(&self.outbox)
            .as_ref()
            .map_or_else(|| json!([]), crate::offline::Outbox::list)
    }

    /// Opens the user's outbox with the password the server just accepted. One that this
    /// password does not open (kept under an earlier password) is set aside, not lost.
    fn open_outbox(&self, login: &str, password: &str) {
        let dir = &self.offline_dir;
        let address = self.client.address();
        let opened = crate::offline::Outbox::open(dir, address, login, password).or_else(|e| {
            eprintln!("hotline-desk: the offline outbox could not be opened ({e}); set aside");
            crate::offline::Outbox::set_aside(dir, address, login)?;
            crate::offline::Outbox::open(dir, address, login, password)
        });
        match opened {
            Ok(mut o) => {
                let _ = o.forget_sent();
                *lock(&self.outbox) = Some(o);
            }
            Err(e) => eprintln!("hotline-desk: no offline outbox: {e}"),
        }
    }

    /// Keeps a call the server could not take now; what the window is told instead of a
    /// ticket.
    fn keep_offline<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        args: &Value,
    ) -> Result<Value, WireError> {
        let mut guard = lock(&self.outbox);
        let outbox = guard
            .as_mut()
            .ok_or_else(|| WireError::from(Error::NeedsServer))?;
        let e = outbox
            .add(args["ticket"].clone(), args["then"].clone())
            .map_err(WireError::from)?;
        let _ = app.emit(OUTBOX_EVENT, ());
        Ok(json!({ "offline": true, "key": e.key, "taken_at": e.taken_at }))
    }

    /// Sends what waits in the outbox, oldest first, until the server cannot be reached.
    async fn send_outbox<R: Runtime>(&self, app: &AppHandle<R>) {
        let Ok(_one) = self.sending.try_lock() else {
            return;
        };
        let waiting = lock(&self.outbox)
            .as_ref()
            .map(crate::offline::Outbox::waiting)
            .unwrap_or_default();
        for e in waiting {
            let Some(token) = self.token() else { return };
            let args =
                json!({ "key": e.key, "takenAt": e.taken_at, "ticket": e.ticket, "then": e.then });
            let outcome = match self
                .client
                .call(Some(&token), "intake_offline", &args)
                .await
            {
                Ok(r) => Ok(r.result["number"].as_str().unwrap_or_default().to_string()),
                // Not now: the rest waits for the next connection.
                Err(w) if w.code == "unreachable" || signed_out(&w.code) => return,
                Err(w) => Err(w),
            };
            if let Some(o) = lock(&self.outbox).as_mut() {
                if let Err(err) = o.settle(&e.key, outcome) {
                    eprintln!("hotline-desk: offline outbox: {err}");
                }
            }
            let _ = app.emit(OUTBOX_EVENT, ());
            let _ = app.emit(crate::live::EVENT, 0);
        }
    }

    pub fn link(&self) -> Link {
        lock(&self.link).clone()
    }

    fn set_link<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        status: &'static str,
        error: Option<WireError>,
    ) {
        let mut l = lock(&self.link);
        if l.status != status {
            l.status = status;
            l.since = Utc::now();
        }
        l.error = error;
        let _ = app.emit(EVENT, l.clone());
    }

    fn token(&self) -> Option<String> {
        lock(&self.token).clone()
    }

    /// A command for the server. Signing in and out keep the token here; a refusal that
    /// ends the sign-in forgets it; a server out of reach shows as offline.
    pub async fn call<R: Runtime>(
        self: &Arc<Self>,
        app: &AppHandle<R>,
        name: &str,
        args: &Value,
    ) -> Result<hotline_client::Reply, WireError> {
        let text = |k: &str| args[k].as_str().unwrap_or_default().to_string();
        let out = match name {
            "login" => self.client.login(&text("login"), &text("password")).await,
            "setup_admin" => {
                self.client
                    .setup_admin(&text("login"), &text("name"), &text("password"))
                    .await
            }
            "logout" => {
                self.stop();
                let gone = lock(&self.token).take();
                lock(&self.outbox).take();
                self.set_link(app, "signed_out", None);
                if let Some(t) = gone {
                    // Signed out here even if the server cannot be told now: the token
                    // expires there on its own.
                    let _ = self.client.logout(&t).await;
                }
                return Ok(reply(Value::Null));
            }
            _ => {
                let r = self.client.call(self.token().as_deref(), name, args).await;
                match &r {
                    Err(e) if e.code == "unreachable" => {
                        self.set_link(app, "offline", Some(e.clone()));
                        // Only intake goes on without the server; the rest says it needs it.
                        return match name {
                            "intake" if self.token().is_some() => {
                                self.keep_offline(app, args).map(reply)
                            }
                            "auth_state" | "vocabulary" => r,
                            _ => Err(WireError::from(Error::NeedsServer)),
                        };
                    }
                    Err(e) if signed_out(&e.code) => {
                        self.stop();
                        lock(&self.token).take();
                        self.set_link(app, "signed_out", None);
                    }
                    Ok(_) if self.link().status == "offline" => {
                        self.set_link(app, "reconnecting", None)
                    }
                    _ => {}
                }
                return r;
            }
        };
        let signed = out.inspect_err(|e| {
            if e.code == "unreachable" {
                self.set_link(app, "offline", Some(e.clone()));
            }
        })?;
        let v = signed;
        let token = v["token"].as_str().unwrap_or_default().to_string();
        let head = v["head"].as_i64().unwrap_or(0);
        *lock(&self.token) = Some(token.clone());
        lock(&self.link).seq = head;
        let me = self.clone();
        let (login, password) = (text("login"), text("password"));
        // Deriving the outbox's key is slow by design: off the async threads.
        let _ =
            tauri::async_runtime::spawn_blocking(move || me.open_outbox(&login, &password)).await;
        let _ = app.emit(OUTBOX_EVENT, ());
        self.listen(app.clone(), token, head);
        Ok(reply(v["state"].clone()))
    }

    fn stop(&self) {
        if let Some(h) = lock(&self.stream).take() {
            h.abort();
        }
    }

    /// The event stream of this sign-in, from `after`, for as long as it lasts.
    fn listen<R: Runtime>(self: &Arc<Self>, app: AppHandle<R>, token: String, after: i64) {
        self.stop();
        let me = self.clone();
        let task = tauri::async_runtime::spawn(async move {
            let mut after = after;
            let mut backoff = BACKOFF_FIRST;
            loop {
                match me.client.events(&token, after).await {
                    Ok(mut events) => {
                        me.set_link(&app, "connected", None);
                        backoff = BACKOFF_FIRST;
                        // Back in touch: what was logged meanwhile goes first.
                        me.send_outbox(&app).await;
                        // Whatever changed while away: the windows look again once.
                        let _ = app.emit(crate::live::EVENT, after);
                        let _ = app.emit(crate::live::INCIDENTS_EVENT, after);
                        let mut pending = false;
                        let mut incidents = false;
                        // A send cut short (the reply lost) is tried again while connected.
                        let mut retry = tokio::time::interval(RETRY_OUTBOX);
                        retry.tick().await;
                        loop {
                            tokio::select! {
                                _ = retry.tick() => me.send_outbox(&app).await,
                                next = events.next() => match next {
                                    Some(Ok(v)) => {
                                        after = v["seq"].as_i64().unwrap_or(after).max(after);
                                        lock(&me.link).seq = after;
                                        if let Some(p) = v["popups"].as_array() {
                                            popups(&app, p);
                                        } else {
                                            pending = true;
                                            incidents |= v["kind"] == "incident";
                                        }
                                    }
                                    Some(Err(e)) if signed_out(&e.code) => {
                                        lock(&me.token).take();
                                        me.set_link(&app, "signed_out", Some(e));
                                        return;
                                    }
                                    Some(Err(_)) | None => break,
                                },
                                () = tokio::time::sleep(COALESCE), if pending => {
                                    pending = false;
                                    let _ = app.emit(crate::live::EVENT, after);
                                    if std::mem::take(&mut incidents) {
                                        let _ = app.emit(crate::live::INCIDENTS_EVENT, after);
                                    }
                                }
                            }
                        }
                        if pending {
                            let _ = app.emit(crate::live::EVENT, after);
                            let _ = app.emit(crate::live::INCIDENTS_EVENT, after);
                        }
                    }
                    Err(e) if signed_out(&e.code) => {
                        lock(&me.token).take();
                        me.set_link(&app, "signed_out", Some(e));
                        return;
                    }
                    Err(e) => me.set_link(&app, "reconnecting", Some(e)),
                }
                if me.link().status == "connected" {
                    me.set_link(&app, "reconnecting", None);
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(BACKOFF_MAX);
            }
        });
        *lock(&self.stream) = Some(task);
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        self.stop();
    }
}

fn reply(result: Value) -> hotline_client::Reply {
    hotline_client::Reply {
        result,
        effects: vec![],
    }
}

/// This user's pop-ups as the server worded them; the notification centre is refreshed.
fn popups<R: Runtime>(app: &AppHandle<R>, list: &[Value]) {
    for p in list {
        let (Some(title), Some(body)) = (p[0].as_str(), p[1].as_str()) else {
            continue;
        };
        let (title, body) = (title.to_string(), body.to_string());
        let app = app.clone();
        // The daemon answers over D-Bus in its own time (see the scheduler).
        tauri::async_runtime::spawn_blocking(move || {
            if let Err(e) = app.notification().builder().title(title).body(body).show() {
                eprintln!("hotline-desk: notification: {e}");
            }
        });
    }
    let _ = app.emit(crate::scheduler::EVENT, list.len());
}

/// What the desk does on its own machine for a command the server ran, in order: the
/// result becomes where the file landed here.
pub fn perform(
    host: &dyn hotline_core::registry::Host,
    args: &Value,
    reply: hotline_client::Reply,
) -> hotline_core::Result<Value> {
    use base64::Engine;
    let replace = args["replace"].as_bool().unwrap_or(false);
    let mut result = reply.result;
    for e in reply.effects {
        let name = e["name"].as_str().unwrap_or_default();
        match e["kind"].as_str() {
            Some("deliver") => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(e["base64"].as_str().unwrap_or_default())
                    .map_err(|e| Error::Internal(e.to_string()))?;
                result = json!(host.deliver(name, &bytes, replace)?.display().to_string());
            }
            Some("print") => {
                result = json!(host.save_print(name, replace)?.display().to_string());
            }
            Some("open_reports") => host.open_reports()?,
            _ => return Err(Error::Internal(format!("unknown effect {e}"))),
        }
    }
    Ok(result)
}
