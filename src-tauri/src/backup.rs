//! The daily backup: one task that sleeps until the backup time the domain computes
//! (`backup::next_due`: the configured local time, or at once when one was missed),
//! then backs up on a blocking thread. Unconfigured, it looks again every few minutes.

use crate::state::Desk;
use chrono::NaiveTime;
use hotline_core::backup::next_due;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, Runtime};

const RECHECK: Duration = Duration::from_secs(300);
pub const EVENT: &str = "backup-finished";

pub fn start<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        loop {
            // On a centre server the server backs up the centre.
            let Ok(store) = app.state::<Desk>().store() else {
                tokio::time::sleep(RECHECK).await;
                continue;
            };
            let due = (|| -> hotline_core::Result<Option<chrono::DateTime<chrono::Utc>>> {
                let status = store.backup_status()?;
                if !status.configured || !status.passphrase_set {
                    return Ok(None);
                }
                let at = NaiveTime::parse_from_str(&store.setting("backup_time")?, "%H:%M")
                    .unwrap_or_default();
                let tz = store.timezone()?;
                Ok(Some(next_due(store.now(), status.last_backup, at, tz)))
            })();
            let wait = match due {
                Ok(Some(at)) if at <= store.now() => {
                    let s = store.clone();
                    let done = tauri::async_runtime::spawn_blocking(move || {
                        s.backup_now(None, None, &mut |_| {})
                    })
                    .await;
                    match done {
                        Ok(Ok(info)) => {
                            let _ = app.emit(EVENT, info.name);
                        }
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
