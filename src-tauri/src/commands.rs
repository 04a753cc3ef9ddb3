//! IPC commands: one-line adapters from the webview to hotline-core. No SQL and no
//! rules here. Async so they run off the main (UI) thread.

use crate::state::Desk;
use hotline_core::lifecycle::Action;
use hotline_core::model::{Category, Department, Status, Ticket, TicketDetail, TicketRow, User};
use hotline_core::seed::{seed, SeedOptions, SeedReport};
use hotline_core::store::{ListQuery, Page};
use hotline_core::{NewTicket, WireError};
use serde::Serialize;
use std::collections::BTreeMap;
use tauri::State;

type Res<T> = Result<T, WireError>;

#[derive(Serialize)]
pub struct AppInfo {
    pub version: &'static str,
    pub db_path: String,
    pub user: User,
    pub tickets: i64,
    /// IANA zone in which the desk shows times (a setting).
    pub timezone: String,
}

#[derive(Serialize)]
pub struct Reference {
    pub departments: Vec<Department>,
    pub categories: Vec<Category>,
    pub users: Vec<User>,
}

#[tauri::command]
pub async fn app_info(desk: State<'_, Desk>) -> Res<AppInfo> {
    let s = desk.store()?;
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        db_path: desk.path().display().to_string(),
        user: s.acting_user()?,
        tickets: s.status_counts()?.values().sum(),
        timezone: s.setting("timezone")?,
    })
}

#[tauri::command]
pub async fn reference(desk: State<'_, Desk>) -> Res<Reference> {
    let s = desk.store()?;
    Ok(Reference {
        departments: s.departments()?,
        categories: s.categories()?,
        users: s.users()?,
    })
}

#[tauri::command]
pub async fn status_counts(desk: State<'_, Desk>) -> Res<BTreeMap<Status, i64>> {
    Ok(desk.store()?.status_counts()?)
}

#[tauri::command]
pub async fn list_tickets(desk: State<'_, Desk>, query: ListQuery) -> Res<Page> {
    Ok(desk.store()?.list(&query)?)
}

#[tauri::command]
pub async fn get_ticket(desk: State<'_, Desk>, id: i64) -> Res<TicketDetail> {
    Ok(desk.store()?.detail(id)?)
}

#[tauri::command]
pub async fn create_ticket(desk: State<'_, Desk>, ticket: NewTicket) -> Res<Ticket> {
    let s = desk.store()?;
    Ok(s.create_ticket(s.acting_user()?.id, &ticket)?)
}

#[tauri::command]
pub async fn act(desk: State<'_, Desk>, id: i64, version: i64, action: Action) -> Res<Ticket> {
    let s = desk.store()?;
    Ok(s.act(id, version, s.acting_user()?.id, &action)?)
}

#[tauri::command]
pub async fn customer_history(desk: State<'_, Desk>, phone: String) -> Res<Vec<TicketRow>> {
    Ok(desk.store()?.history(&phone)?)
}

#[tauri::command]
pub async fn set_setting(desk: State<'_, Desk>, key: String, value: String) -> Res<()> {
    Ok(desk.store()?.set_setting(&key, &value)?)
}

/// Loads demo data (the first-run offer) on a blocking thread: it takes seconds.
#[tauri::command]
pub async fn seed_demo(desk: State<'_, Desk>) -> Res<SeedReport> {
    let s = desk.store()?.clone();
    let opts = SeedOptions {
        tickets: 2000,
        days: 60,
        seed: 1,
    };
    tauri::async_runtime::spawn_blocking(move || seed(&s, opts))
        .await
        .map_err(|e| WireError {
            code: "internal".into(),
            message: e.to_string(),
            details: serde_json::Value::Null,
        })?
        .map_err(Into::into)
}
