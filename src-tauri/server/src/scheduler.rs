//! The centre's one deadline scheduler: on the server, not on every desk, so each alarm
//! fires once for the whole centre (exactly once across restarts, as the store keeps it)
//! and its notifications reach every seat where their user is signed in, through the
//! outbox and the event stream. Several instances on one PostgreSQL database: only the
//! one that leads (`Lead`) fires and backs up; the others ask again every few seconds and
//! one of them takes over when the leader dies.

use hotline_core::store::Lead;
use hotline_core::Store;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// The longest sleep: a jump of the clock is noticed within it.
const MAX_SLEEP: Duration = Duration::from_secs(30);
/// How often an instance that does not lead asks for the lead: a dead leader's work is
/// taken over within this (and the moment PostgreSQL notices its session ended).
const FOLLOWER_RETRY: Duration = Duration::from_secs(2);

/// Whether this instance leads now, taking the lead if it is free; logs a change.
fn leads(lead: &Mutex<Lead>, was: &mut bool) -> bool {
    let now = lead.lock().map(|mut l| l.holds()).unwrap_or(false);
    if now != *was {
        if now {
            tracing::info!("this instance leads: it runs the scheduler and the backups");
        } else {
            tracing::warn!("this instance no longer leads");
        }
        *was = now;
    }
    now
}

/// Runs the scheduler; `changes` (the outbox head) wakes it early when data changed,
/// since a change may have brought an alarm due now (a transfer's announcement).
pub fn start(store: Arc<Store>, mut changes: watch::Receiver<i64>, lead: Arc<Mutex<Lead>>) {
    tokio::spawn(async move {
        let mut led = false;
        loop {
            let s = store.clone();
            let lead = lead.clone();
            let mut was = led;
            let round = tokio::task::spawn_blocking(move || {
                if !leads(&lead, &mut was) {
                    return Ok((was, Some(FOLLOWER_RETRY)));
                }
                let suggested = s.detect(s.now())?;
                if suggested > 0 {
                    tracing::info!(suggested, "incidents suggested");
                }
                // After detection: what it wrote is in the wake-up's answer.
                let (fired, next) = s.wake(s.now())?;
                if !fired.is_empty() {
                    tracing::info!(fired = fired.len(), "alarms fired");
                }
                let left = next.map(|at| (at - s.now()).to_std().unwrap_or(Duration::ZERO));
                Ok::<_, hotline_core::Error>((was, left))
            })
            .await;
            let wait = match round {
                Ok(Ok((leading, left))) => {
                    led = leading;
                    left.unwrap_or(MAX_SLEEP).min(MAX_SLEEP)
                }
                Ok(Err(e)) => {
                    tracing::error!(code = e.code(), error = %e, "scheduler");
                    MAX_SLEEP
                }
                Err(_) => return,
            };
            if !led {
                // A follower only asks for the lead again; changes are the leader's to act on.
                tokio::time::sleep(wait).await;
                continue;
            }
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
pub fn backups(store: Arc<Store>, lead: Arc<Mutex<Lead>>) {
    tokio::spawn(async move {
        loop {
            let s = store.clone();
            let lead = lead.clone();
            let round = tokio::task::spawn_blocking(move || {
                let leads = lead.lock().map(|mut l| l.holds()).unwrap_or(false);
                if leads {
                    s.scheduled_backup()
                } else {
                    Ok(None)
                }
            });
            match round.await {
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
