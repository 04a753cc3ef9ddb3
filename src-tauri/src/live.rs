//! Live updates: one background task watches the data file's `data_version` (bumped by
//! any commit from another connection: this app's own writes, another window, the CLI
//! or a second seat on the same file) and tells every window to refresh.

use crate::state::Desk;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, Runtime};

pub const EVENT: &str = "tickets-changed";
/// Told when incidents (or their suggestions) may have changed: on a shared file whenever
/// the file changed, on a centre server when the stream brings an incident's entry.
pub const INCIDENTS_EVENT: &str = "incidents-changed";
const EVERY: Duration = Duration::from_millis(500);

pub fn watch<R: Runtime>(app: AppHandle<R>, wake: crate::scheduler::Wake) {
    tauri::async_runtime::spawn(async move {
        let mut last = None;
        loop {
            tokio::time::sleep(EVERY).await;
            // On a centre server the event stream tells the windows instead (`remote`).
            let Ok(store) = app.state::<Desk>().store() else {
                last = None;
                continue;
            };
            let Ok(v) = store.data_version() else {
                continue;
            };
            if last.is_some_and(|l| l != v) {
                let _ = app.emit(EVENT, v);
                // A file does not say what changed: incidents and another seat's
                // notifications may have.
                let _ = app.emit(INCIDENTS_EVENT, v);
                let _ = app.emit(crate::scheduler::EVENT, 0);
                // A deadline may have moved: let the scheduler look again.
                wake.0.notify_one();
            }
            last = Some(v);
        }
    });
}
