//! The daily backup on this computer's store: one task that sleeps until the backup time
//! the store computes (`Store::next_backup`: the configured local time, or at once when one
//! was missed), then backs up and drills on a blocking thread. Unconfigured, it looks again
//! every few minutes. On a centre server the server does this for the centre.

use crate::state::Desk;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, Runtime};

const RECHECK: Duration = Duration::from_secs(300);
pub const EVENT: &str = "backup-finished";

pub fn start<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        loop {
            let Ok(store) = app.state::<Desk>().store() else {
                tokio::time::sleep(RECHECK).await;
                continue;
            };
            let wait = match store.next_backup() {
                Ok(Some(at)) if at <= store.now() => {
                    let s = store.clone();
                    let done =
                        tauri::async_runtime::spawn_blocking(move || s.scheduled_backup()).await;
                    match done {
                        Ok(Ok(Some((info, _)))) => {
                            let _ = app.emit(EVENT, info.name);
                        }
                        Ok(Ok(None)) => {}
                        Ok(Err(e)) => eprintln!("hotline-desk: backup: {e}"),
                        Err(e) => eprintln!("hotline-desk: backup: {e}"),
                    }
                    // A failing backup is retried after a pause, not in a loop.
                    RECHECK
                }
                Ok(Some(at)) => (at - store.now()).to_std().unwrap_or(RECHECK).min(RECHECK),
                Ok(None) => RECHECK,
                Err(e) => {
                    eprintln!("hotline-desk: backup schedule: {e}");
                    RECHECK
                }
            };
            tokio::time::sleep(wait).await;
        }
    });
}
