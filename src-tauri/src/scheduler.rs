//! The deadline scheduler: one task that sleeps until the next alarm (found through the
//! store's index, never by scanning tickets), wakes early when the data changes, fires
//! what is due and shows desktop notifications in the user's language. After the app
//! was closed it catches up once, with one summary instead of a storm of pop-ups. The
//! sleep is capped, so a jump of the system clock is noticed within a minute.

use crate::state::Desk;
use hotline_core::escalation::AlarmKind;
use hotline_core::store::Fired;
use hotline_core::Store;
use std::sync::Arc;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::Notify;

pub const EVENT: &str = "notifications-changed";
const MAX_SLEEP: Duration = Duration::from_secs(60);
/// More than this many at once (the catch-up after a restart) become one summary.
const SUMMARISE_OVER: usize = 3;

/// Wakes the scheduler early (the data changed: a deadline may have moved).
#[derive(Default, Clone)]
pub struct Wake(pub Arc<Notify>);

pub fn start<R: Runtime>(app: AppHandle<R>, wake: Wake) {
    tauri::async_runtime::spawn(async move {
        loop {
            let Ok(store) = app.state::<Desk>().store().cloned() else {
                return;
            };
            match store.fire_due(store.now()) {
                Ok(fired) if !fired.is_empty() => {
                    show(&app, &store, &fired);
                    let _ = app.emit(EVENT, fired.len());
                }
                Ok(_) => {}
                Err(e) => eprintln!("hotline-desk: scheduler: {e}"),
            }
            let wait = match store.next_alarm() {
                Ok(Some(at)) => (at - store.now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .min(MAX_SLEEP),
                _ => MAX_SLEEP,
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = wake.0.notified() => {}
            }
        }
    });
}

pub use hotline_core::i18n::tr;

/// Title and body of one fired alarm, in `lang`, with the deadline in local time.
pub fn message(lang: &str, f: &Fired, tz: chrono_tz::Tz) -> (String, String) {
    let kind = f.kind.as_str();
    let deadline = f
        .deadline
        .with_timezone(&tz)
        .format("%m-%d %H:%M")
        .to_string();
    let title = tr(
        lang,
        &format!("notify.title.{kind}"),
        &[("number", f.number.clone())],
    );
    let body = if matches!(f.kind, AlarmKind::Incident | AlarmKind::ReportUpward) {
        tr(
            lang,
            &format!("notify.body.{kind}"),
            &[("caller", f.caller_name.clone())],
        )
    } else if f.threshold >= 100 {
        tr(
            lang,
            "notify.body.breach",
            &[("caller", f.caller_name.clone()), ("deadline", deadline)],
        )
    } else {
        tr(
            lang,
            "notify.body.reminder",
            &[
                ("caller", f.caller_name.clone()),
                ("deadline", deadline),
                ("percent", f.threshold.to_string()),
            ],
        )
    };
    (title, body)
}

fn show<R: Runtime>(app: &AppHandle<R>, store: &Store, fired: &[Fired]) {
    let Ok(me) = store.acting_user() else { return };
    let lang = store
        .setting("ui_language")
        .unwrap_or_else(|_| "zh-CN".into());
    let tz: chrono_tz::Tz = store
        .setting("timezone")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(chrono_tz::Asia::Shanghai);
    let mine: Vec<&Fired> = fired
        .iter()
        .filter(|f| f.recipients.contains(&me.id))
        .collect();
    // The desktop's notification daemon answers over D-Bus in its own time: show from a
    // blocking thread so that a slow or absent daemon never delays the deadlines.
    let notify = |title: String, body: String| {
        let app = app.clone();
        tauri::async_runtime::spawn_blocking(move || {
            if let Err(e) = app.notification().builder().title(title).body(body).show() {
                eprintln!("hotline-desk: notification: {e}");
            }
        });
    };
    if mine.len() > SUMMARISE_OVER {
        let n = mine.len().to_string();
        notify(
            tr(&lang, "notify.summary.title", &[("n", n.clone())]),
            tr(&lang, "notify.summary.body", &[("n", n)]),
        );
    } else {
        for f in mine {
            let (title, body) = message(&lang, f, tz);
            notify(title, body);
        }
    }
}
