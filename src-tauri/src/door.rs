//! The desk's front door: the webview's IPC served from the core's command registry.
//! No command is listed here; the shell adds only what is its own (`Host`): the data
//! file's path, the Downloads folder of this machine, progress events and the reporting
//! window. Each call runs on a blocking thread (SQLite is synchronous), so the window never
//! waits on the store.

use crate::state::Desk;
use hotline_core::files::Progress;
use hotline_core::registry::{self, Ctx, Host};
use hotline_core::{Error, Result, WireError};
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
        tauri::async_runtime::spawn_blocking(move || {
            let desk = app.state::<Desk>();
            let store = desk.store()?;
            let host = DeskHost {
                app: app.clone(),
                window,
            };
            let ctx = Ctx {
                store,
                seat: &desk.seat,
                host: &host,
            };
            command.call(&ctx, args).map_err(WireError::from)
        })
        .await
        .map_err(|e| InvokeError::from(WireError::from(Error::Internal(e.to_string()))))?
        .map_err(InvokeError::from)
    });
    true
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
}

fn reports<R: Runtime>(app: &AppHandle<R>) -> WebviewWindowBuilder<'_, R, AppHandle<R>> {
    WebviewWindowBuilder::new(app, "reports", WebviewUrl::App("reports.html".into()))
        .inner_size(1280.0, 860.0)
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(e.to_string())
}
