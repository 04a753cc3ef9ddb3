//! IPC commands: one-line adapters from the webview to hotline-core. No SQL and no
//! rules here. Async so they run off the main (UI) thread.

use crate::state::Desk;
use chrono::NaiveDate;
use hotline_core::calendar::{DayKind, Span};
use hotline_core::escalation::Prefs;
use hotline_core::lifecycle::Action;
use hotline_core::model::{
    Category, Department, Queue, Role, Severity, Ticket, TicketDetail, TicketRow, User,
};
use hotline_core::report::{ReportQuery, ReportRequest};
use hotline_core::seed::{seed, SeedOptions, SeedReport};
use hotline_core::sla::{SlaPolicy, Stage, Suggested};
use hotline_core::store::{CalendarView, CallRow, IcsReport, ListQuery, NotificationRow, Page};
use hotline_core::{NewTicket, WireError};
use serde::Serialize;
use std::collections::BTreeMap;
use tauri::{AppHandle, Manager, Runtime, State, WebviewUrl, WebviewWindowBuilder};

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

#[derive(Serialize)]
pub struct DetailView {
    #[serde(flatten)]
    pub detail: TicketDetail,
    /// What the acting user may do now; the backend still checks each action.
    pub allowed_actions: Vec<&'static str>,
}

#[tauri::command]
pub async fn queue_counts(desk: State<'_, Desk>) -> Res<BTreeMap<Queue, i64>> {
    let s = desk.store()?;
    Ok(s.queue_counts(s.acting_user()?.id)?)
}

#[tauri::command]
pub async fn list_tickets(desk: State<'_, Desk>, query: ListQuery) -> Res<Page> {
    Ok(desk.store()?.list(&query)?)
}

#[tauri::command]
pub async fn get_ticket(desk: State<'_, Desk>, id: i64) -> Res<DetailView> {
    let s = desk.store()?;
    let (detail, allowed_actions) = s.detail_for(id, s.acting_user()?.id)?;
    Ok(DetailView {
        detail,
        allowed_actions,
    })
}

/// Logs a call and, in the same transaction, answers it or transfers it.
#[tauri::command]
pub async fn intake(desk: State<'_, Desk>, ticket: NewTicket, then: Option<Action>) -> Res<Ticket> {
    let s = desk.store()?;
    Ok(s.intake(s.acting_user()?.id, &ticket, then.as_ref())?)
}

#[tauri::command]
pub async fn create_department(
    desk: State<'_, Desk>,
    code: String,
    name: String,
    parent_id: Option<i64>,
) -> Res<Department> {
    Ok(desk.store()?.create_department(&code, &name, parent_id)?)
}

#[tauri::command]
pub async fn create_category(
    desk: State<'_, Desk>,
    code: String,
    name: String,
    parent_id: Option<i64>,
    default_days: i64,
) -> Res<Category> {
    Ok(desk
        .store()?
        .create_category(&code, &name, parent_id, default_days)?)
}

#[tauri::command]
pub async fn create_user(
    desk: State<'_, Desk>,
    name: String,
    department_id: i64,
    role: Role,
) -> Res<User> {
    Ok(desk.store()?.create_user(&name, department_id, role)?)
}

#[tauri::command]
pub async fn act(desk: State<'_, Desk>, id: i64, version: i64, action: Action) -> Res<Ticket> {
    let s = desk.store()?;
    Ok(s.act(id, version, s.acting_user()?.id, &action)?)
}

#[derive(Serialize)]
pub struct Inbox {
    pub unread: i64,
    pub items: Vec<NotificationRow>,
}

/// The acting user's notification centre: what the OS may have shown, kept.
#[tauri::command]
pub async fn notifications(desk: State<'_, Desk>) -> Res<Inbox> {
    let s = desk.store()?;
    let me = s.acting_user()?.id;
    Ok(Inbox {
        unread: s.unread_notifications(me)?,
        items: s.notifications(me, 200)?,
    })
}

#[tauri::command]
pub async fn mark_notifications_read(desk: State<'_, Desk>) -> Res<()> {
    let s = desk.store()?;
    Ok(s.mark_notifications_read(s.acting_user()?.id)?)
}

#[tauri::command]
pub async fn get_settings(desk: State<'_, Desk>) -> Res<BTreeMap<String, String>> {
    Ok(desk.store()?.settings()?.into_iter().collect())
}

#[tauri::command]
pub async fn notification_prefs(desk: State<'_, Desk>) -> Res<Prefs> {
    let s = desk.store()?;
    Ok(s.notification_prefs(s.acting_user()?.id)?)
}

#[tauri::command]
pub async fn set_notification_prefs(desk: State<'_, Desk>, prefs: Prefs) -> Res<()> {
    let s = desk.store()?;
    Ok(s.set_notification_prefs(s.acting_user()?.id, &prefs)?)
}

#[tauri::command]
pub async fn sla_policies(desk: State<'_, Desk>) -> Res<Vec<SlaPolicy>> {
    Ok(desk.store()?.sla_policies()?)
}

#[tauri::command]
pub async fn set_sla_policy(
    desk: State<'_, Desk>,
    stage: Stage,
    category_id: Option<i64>,
    severity: Option<Severity>,
    span: Span,
    calendar: String,
) -> Res<()> {
    Ok(desk
        .store()?
        .set_sla_policy(stage, category_id, severity, span, &calendar)?)
}

#[tauri::command]
pub async fn calendars(desk: State<'_, Desk>) -> Res<Vec<CalendarView>> {
    Ok(desk.store()?.calendar_overview()?)
}

#[tauri::command]
pub async fn set_calendar_day(
    desk: State<'_, Desk>,
    calendar: String,
    date: NaiveDate,
    kind: Option<DayKind>,
    note: String,
) -> Res<()> {
    Ok(desk
        .store()?
        .set_calendar_day(&calendar, date, kind, &note)?)
}

#[tauri::command]
pub async fn import_ics(desk: State<'_, Desk>, calendar: String, text: String) -> Res<IcsReport> {
    Ok(desk.store()?.import_ics(&calendar, &text)?)
}

/// The month's report and assessment, the same as `hotline report --month M --json`.
#[tauri::command]
pub async fn monthly_report(
    desk: State<'_, Desk>,
    month: String,
    department_id: Option<i64>,
) -> Res<serde_json::Value> {
    Ok(desk.store()?.monthly_report(&month, department_id)?)
}

/// Any period's report with filters (the reporting window's picker).
#[tauri::command]
pub async fn period_report(
    desk: State<'_, Desk>,
    request: ReportRequest,
) -> Res<serde_json::Value> {
    Ok(desk.store()?.period_report(&request)?)
}

/// The tickets behind a figure (its numerator, or its denominator).
#[tauri::command]
pub async fn kpi_tickets(
    desk: State<'_, Desk>,
    query: ReportQuery,
    key: String,
    denominator: bool,
) -> Res<Vec<TicketRow>> {
    Ok(desk.store()?.kpi_tickets(&query, &key, denominator)?)
}

/// The calls behind a call KPI.
#[tauri::command]
pub async fn kpi_calls(
    desk: State<'_, Desk>,
    query: ReportQuery,
    key: String,
    denominator: bool,
) -> Res<Vec<CallRow>> {
    Ok(desk.store()?.kpi_calls(&query, &key, denominator)?)
}

/// Writes a period's report as XLSX or CSV into the Downloads folder (or the home
/// folder) and returns the file's path.
#[tauri::command]
pub async fn export_report(
    desk: State<'_, Desk>,
    request: ReportRequest,
    format: String,
) -> Res<String> {
    let s = desk.store()?;
    let doc = s.period_report(&request)?;
    let dir = dirs::download_dir()
        .or_else(dirs::home_dir)
        .unwrap_or_else(std::env::temp_dir);
    let path = dir.join(hotline_core::export::file_name(&doc, format == "csv"));
    hotline_core::export::write_report(&doc, &s.setting("ui_language")?, &path)?;
    Ok(path.display().to_string())
}

/// Opens (or brings forward) the managers' reporting window.
#[tauri::command]
pub async fn open_reports<R: Runtime>(app: AppHandle<R>) -> Res<()> {
    if let Some(w) = app.get_webview_window("reports") {
        return w.set_focus().map_err(internal);
    }
    WebviewWindowBuilder::new(&app, "reports", WebviewUrl::App("reports.html".into()))
        .inner_size(1280.0, 860.0)
        .build()
        .map(|_| ())
        .map_err(internal)
}

fn internal(e: impl std::fmt::Display) -> WireError {
    WireError {
        code: "internal".into(),
        message: e.to_string(),
        details: serde_json::Value::Null,
    }
}

/// The acceptance and handling deadlines the SLA policies give a transfer made now.
#[tauri::command]
pub async fn suggest_deadlines(
    desk: State<'_, Desk>,
    category: String,
    severity: Severity,
) -> Res<Vec<Suggested>> {
    Ok(desk.store()?.suggest_deadlines(&category, severity)?)
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
