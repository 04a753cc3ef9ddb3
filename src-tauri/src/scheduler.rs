//! The deadline scheduler: one task that sleeps until the next alarm (found through the
//! store's index, never by scanning tickets), wakes early when the data changes, fires
//! what is due and shows desktop notifications in the user's language. After the app
//! was closed it catches up once, with one summary instead of a storm of pop-ups. The
//! sleep is capped, so a jump of the system clock is noticed within a minute.

use crate::state::Desk;
use hotline_core::store::Fired;
use hotline_core::Store;
use std::sync::Arc;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::Notify;

pub const EVENT: &str = "notifications-changed";
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// Wakes the scheduler early (the data changed: a deadline may have moved).
#[derive(Default, Clone)]
pub struct Wake(pub Arc<Notify>);

pub fn start<R: Runtime>(app: AppHandle<R>, wake: Wake) {
    tauri::async_runtime::spawn(async move {
        loop {
            // On a centre server its scheduler fires the alarms, once for the centre.
            let Ok(store) = app.state::<Desk>().store() else {
                tokio::select! {
                    _ = tokio::time::sleep(MAX_SLEEP) => {}
                    _ = wake.0.notified() => {}
                }
                continue;
            };
            // Surges and clusters: a suggestion to declare, told through the outbox.
            if let Err(e) = store.detect(store.now()) {
                eprintln!("hotline-desk: detection: {e}");
            }
            // After detection: what it wrote is in the wake-up's answer.
            let next = match store.wake(store.now()) {
                Ok((fired, next)) => {
                    if !fired.is_empty() {
                        show(&app, &store, &fired);
                        let _ = app.emit(EVENT, fired.len());
                    }
                    next
                }
                Err(e) => {
                    eprintln!("hotline-desk: scheduler: {e}");
                    None
                }
            };
            let wait = next.map_or(MAX_SLEEP, |at| {
                (at - store.now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .min(MAX_SLEEP)
            });
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = wake.0.notified() => {}
            }
        }
    });
}

fn show<R: Runtime>(app: &AppHandle<R>, store: &Store, fired: &[Fired]) {
    // Pop-ups are for whoever is signed in at this desk; the notification centre keeps
    // everyone's.
    let Some(me) = app.state::<Desk>().seat.user_id() else {
        return;
    };
    let popups = match store.popups(me, fired) {
        Ok(p) => p,
        Err(e) => return eprintln!("hotline-desk: notifications: {e}"),
    };
    for (title, body) in popups {
        // The desktop's notification daemon answers over D-Bus in its own time: show from
        // a blocking thread so that a slow or absent daemon never delays the deadlines.
        let app = app.clone();
        tauri::async_runtime::spawn_blocking(move || {
            if let Err(e) = app.notification().builder().title(title).body(body).show() {
                eprintln!("hotline-desk: notification: {e}");
            }
        });
    }
}
