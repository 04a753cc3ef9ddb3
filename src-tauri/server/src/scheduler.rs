//! The centre's one deadline scheduler: on the server, not on every desk, so each alarm
//! fires once for the whole centre (exactly once across restarts, as the store keeps it)
//! and its notifications reach every seat where their user is signed in, through the
//! outbox and the event stream.

use hotline_core::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The longest sleep: a jump of the clock is noticed within it.
const MAX_SLEEP: Duration = Duration::from_secs(30);

/// Runs the scheduler; `changes` (the outbox head) wakes it early when data changed,
/// since a change may have brought an alarm due now (a transfer's announcement).
pub fn start(store: Arc<Store>, mut changes: watch::Receiver<i64>) {
    tokio::spawn(async move {
        loop {
            let s = store.clone();
            let round = tokio::task::spawn_blocking(move || {
                let fired = s.fire_due(s.now())?.len();
                if fired > 0 {
                    tracing::info!(fired, "alarms fired");
                }
                let suggested = s.detect(s.now())?;
                if suggested > 0 {
                    tracing::info!(suggested, "incidents suggested");
                }
                let next = s.next_alarm()?;
                Ok::<_, hotline_core::Error>((fired, next.map(|at| at - s.now())))
            })
            .await;
            let wait = match round {
                Ok(Ok((_, Some(left)))) => left.to_std().unwrap_or(Duration::ZERO).min(MAX_SLEEP),
                Ok(Ok((_, None))) => MAX_SLEEP,
                Ok(Err(e)) => {
                    tracing::error!(code = e.code(), error = %e, "scheduler");
                    MAX_SLEEP
                }
                Err(_) => return,
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                changed = changes.changed() => if changed.is_err() { return },
            }
        }
    });
}

/// How often the backup schedule is looked at (the backup time is a wall-clock time).
const BACKUP_RECHECK: Duration = Duration::from_secs(60);

/// The centre's daily backup and its restore drill, once for the centre, on the server
/// (desks on the server back up nothing: their data is here).
pub fn backups(store: Arc<Store>) {
    tokio::spawn(async move {
        loop {
            let s = store.clone();
            match tokio::task::spawn_blocking(move || s.scheduled_backup()).await {
                Ok(Ok(Some((info, drill)))) if drill.ok => {
                    tracing::info!(backup = %info.name, "backup taken, restore drill passed")
                }
                Ok(Ok(Some((info, _)))) => {
                    tracing::error!(backup = %info.name, "backup taken, restore drill FAILED")
                }
                Ok(Ok(None)) => {}
                Ok(Err(e)) => tracing::error!(code = e.code(), error = %e, "backup"),
                Err(_) => return,
            }
            tokio::time::sleep(BACKUP_RECHECK).await;
        }
    });
}
