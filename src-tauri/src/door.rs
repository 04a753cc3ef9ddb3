//! The desk's front door: the webview's IPC served from the core's command registry.
//! No command is listed here; the shell adds only what is its own (`Host`): the data
//! file's path, the Downloads folder of this machine, progress events, the reporting
//! window and where the tickets live. On this computer's store each call runs on a
//! blocking thread (SQLite is synchronous), so the window never waits on the store; on a
//! centre server it is forwarded (`remote`), and what the server asks of the desk's own
//! machine (save a file, print) is done here.

use crate::connection::{Connection, Server};
use crate::state::{Backend, Desk};
use hotline_client::{to_core, Client};
use hotline_core::files::Progress;
use hotline_core::registry::{self, ConnectionSetup, Ctx, Gate, Host};
use hotline_core::{Error, Result, WireError};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use tauri::ipc::{Invoke, InvokeBody, InvokeError};
use tauri::{AppHandle, Emitter, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

/// Long backups and restores report how far they are under this event.
pub const PROGRESS_EVENT: &str = "backup-progress";

/// The IPC handler: a command the registry declares runs through it; any other name is
/// refused with the same coded error as everywhere (Tauri routes its plugins' commands
/// to their own handlers).
pub fn handle<R: Runtime>(invoke: Invoke<R>) -> bool {
    let Some(command) = registry::find(invoke.message.command()) else {
        let e = Error::NotFound {
            entity: "command",
            key: invoke.message.command().chars().take(60).collect(),
        };
        invoke.resolver.reject(WireError::from(e));
        return true;
    };
    let args = match invoke.message.payload() {
        InvokeBody::Json(v) => v.clone(),
        InvokeBody::Raw(_) => {
            let e = Error::InvalidArguments {
                command: command.name.into(),
                reason: "expected a JSON object".into(),
            };
            invoke.resolver.reject(WireError::from(e));
            return true;
        }
    };
    let app = invoke.message.webview().app_handle().clone();
    let window = invoke.message.webview().label().to_string();
    invoke.resolver.respond_async(async move {
        let host = DeskHost {
            app: app.clone(),
            window,
        };
        let backend = app.state::<Desk>().backend();
        let out = match backend {
            _ if command.gate == Gate::Desk => {
                blocking(move || command.call_desk(&host, args).map_err(WireError::from)).await
            }
            Backend::Local(store) => {
                let store = store.map_err(InvokeError::from)?;
                blocking(move || {
                    let desk = host.app.state::<Desk>();
                    let ctx = Ctx {
                        store: &store,
                        seat: &desk.seat,
                        host: &host,
                    };
                    command.call(&ctx, args).map_err(WireError::from)
                })
                .await
            }
            Backend::Remote(remote) => {
                let reply = remote.call(&app, command.name, &args).await;
                match reply {
                    Ok(r) if r.effects.is_empty() => Ok(r.result),
                    Ok(r) => {
                        blocking(move || {
                            crate::remote::perform(&host, &args, r).map_err(WireError::from)
                        })
                        .await
                    }
                    Err(e) => Err(e),
                }
            }
        };
        out.map_err(InvokeError::from)
    });
    true
}

/// Runs `f` on a blocking thread (the store, printing and the desk's files are synchronous).
async fn blocking(
    f: impl FnOnce() -> std::result::Result<Value, WireError> + Send + 'static,
) -> std::result::Result<Value, WireError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(WireError::from(Error::Internal(e.to_string()))))
}

struct DeskHost<R: Runtime> {
    app: AppHandle<R>,
    /// The window whose webview made the call (what `print_pdf` prints).
    window: String,
}

impl<R: Runtime> Host for DeskHost<R> {
    fn data_label(&self) -> String {
        self.app.state::<Desk>().path().display().to_string()
    }

    fn downloads(&self) -> PathBuf {
        dirs::download_dir()
            .or_else(dirs::home_dir)
            .unwrap_or_else(std::env::temp_dir)
    }

    fn progress(&self, p: Progress) {
        let _ = self.app.emit(PROGRESS_EVENT, p);
    }

    fn open_reports(&self) -> Result<()> {
        let app = &self.app;
        if let Some(w) = app.get_webview_window("reports") {
            return w.set_focus().map_err(internal);
        }
        // WebKitGTK gives each unrelated view a web process of its own (~250 MB); related
        // to the desk, the reporting window shares the desk's.
        #[cfg(target_os = "linux")]
        if let Some(desk) = app.get_webview_window("main") {
            let handle = app.clone();
            return desk
                .with_webview(move |view| {
                    if let Err(e) = reports(&handle).with_related_view(view.inner()).build() {
                        eprintln!("hotline-desk: the reporting window did not open: {e}");
                    }
                })
                .map_err(internal);
        }
        reports(app).build().map(|_| ()).map_err(internal)
    }

    fn print_pdf(&self, path: &Path) -> Result<()> {
        let w = self
            .app
            .get_webview_window(&self.window)
            .ok_or_else(|| internal("the window to print is gone"))?;
        crate::print::to_pdf(&w, path)
    }

    fn open_file(&self, path: &Path) -> Result<()> {
        open::that_detached(path).map_err(Error::Io)
    }

    fn connection(&self) -> Result<Value> {
        let desk = self.app.state::<Desk>();
        let (mode, address, fingerprint, link) = match desk.backend() {
            Backend::Local(_) => ("local", None, None, None),
            Backend::Remote(r) => (
                "server",
                Some(r.client.address().to_string()),
                r.fingerprint.clone(),
                Some(r.link()),
            ),
        };
        Ok(json!({
            "mode": mode,
            "address": address,
            "fingerprint": fingerprint,
            "link": link,
            "data_path": desk.path().display().to_string(),
        }))
    }

    fn offline_outbox(&self) -> Result<Value> {
        Ok(match self.app.state::<Desk>().backend() {
            Backend::Remote(r) => r.outbox(),
            Backend::Local(_) => json!([]),
        })
    }

    fn probe_server(&self, address: &str) -> Result<Value> {
        let client = Client::new(address, None, &seat_name()).map_err(to_core)?;
        match tauri::async_runtime::block_on(client.health()) {
            // Plain HTTP on this machine: nothing to pin.
            Ok(_) => Ok(json!({ "address": client.address(), "fingerprint": null })),
            Err(e) if e.code == "untrusted_server" => Ok(json!({
                "address": client.address(),
                "fingerprint": e.details["fingerprint"],
            })),
            Err(e) => Err(to_core(e)),
        }
    }

    fn set_connection(&self, setup: &ConnectionSetup) -> Result<Value> {
        let desk = self.app.state::<Desk>();
        match setup.mode.as_str() {
            "local" => desk.switch(&Connection::default())?,
            "server" => desk.switch(&confirmed(setup)?)?,
            other => {
                return Err(Error::InvalidValue {
                    field: "mode",
                    value: other.chars().take(40).collect(),
                })
            }
        }
        self.connection()
    }
}

/// This machine's name for the server.
fn seat_name() -> String {
    hotline_core::paths::hostname().unwrap_or_else(|| "desk".into())
}

/// A centre server whose certificate one of its administrators confirmed: reached with
/// the fingerprint pinned and signed in to as someone who may manage the centre's settings
/// (that session is closed again at once).
fn confirmed(setup: &ConnectionSetup) -> Result<Connection> {
    let text = |v: &Option<String>, field| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .ok_or(Error::Required { field })
    };
    let address = text(&setup.address, "address")?;
    let login = text(&setup.login, "login")?;
    let password = setup.password.clone().unwrap_or_default();
    let fingerprint = setup
        .fingerprint
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let client = Client::new(&address, fingerprint.as_deref(), &seat_name()).map_err(to_core)?;
    let confirm = async {
        client.health().await?;
        let signed = client.login(&login, &password).await?;
        if let Some(t) = signed["token"].as_str() {
            let _ = client.logout(t).await;
        }
        Ok::<Value, WireError>(signed)
    };
    let signed = tauri::async_runtime::block_on(confirm).map_err(to_core)?;
    let perms = &signed["state"]["permissions"];
    let may = perms
        .as_array()
        .is_some_and(|p| p.iter().any(|x| x == "manage_settings"));
    if !may {
        return Err(Error::Forbidden {
            action: "manage_settings".into(),
            actor: signed["user"]["name"].as_str().unwrap_or_default().into(),
            role: signed["user"]["role"].as_str().unwrap_or_default().into(),
            permission: true,
        });
    }
    Ok(Connection {
        server: Some(Server {
            address: client.address().to_string(),
            fingerprint,
        }),
    })
}

fn reports<R: Runtime>(app: &AppHandle<R>) -> WebviewWindowBuilder<'_, R, AppHandle<R>> {
    WebviewWindowBuilder::new(app, "reports", WebviewUrl::App("reports.html".into()))
        .inner_size(1280.0, 860.0)
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(e.to_string())
}
