//! IPC commands: one-line adapters from the webview to hotline-core. No SQL, no rules
//! and no permission decisions here: every command goes through `Desk::acting`, the
//! store as the signed-in user may use it. Async so they run off the main (UI) thread.

use crate::state::Desk;
use chrono::NaiveDate;
use hotline_core::access::Revealed;
use hotline_core::auth::SeatState;
use hotline_core::calendar::{DayKind, Span};
use hotline_core::escalation::Prefs;
use hotline_core::lifecycle::Action;
use hotline_core::model::{
    Category, Department, Queue, Role, Severity, Ticket, TicketDetail, TicketRow, User,
};
use hotline_core::report::{ReportQuery, ReportRequest};
use hotline_core::seed::{SeedOptions, SeedReport};
use hotline_core::sla::{SlaPolicy, Stage, Suggested};
use hotline_core::store::{
    Account, AuditEntry, AuditQuery, AuditReport, BackupInfo, BackupStatus, CalendarView, CallRow,
    DrillReport, IcsReport, ListQuery, NewAccount, NotificationRow, Page, Progress, RetentionPlan,
};
use hotline_core::{NewTicket, WireError};
use serde::Serialize;
use std::collections::BTreeMap;
use tauri::{AppHandle, Emitter, Manager, Runtime, State, WebviewUrl, WebviewWindowBuilder};

type Res<T> = Result<T, WireError>;

/// Long backups and restores report how far they are under this event.
pub const PROGRESS_EVENT: &str = "backup-progress";

#[derive(Serialize)]
pub struct AppInfo {
    pub version: &'static str,
    pub db_path: String,
    pub user: User,
    /// Queue counts stop here; the backend answers one more for "more than".
    pub count_cap: i64,
    /// IANA zone in which the desk shows times (a setting).
    pub timezone: String,
}

#[derive(Serialize)]
pub struct Reference {
    pub departments: Vec<Department>,
    pub categories: Vec<Category>,
    pub users: Vec<User>,
}

// Signing in. These work without a session (they create one).

#[tauri::command]
pub async fn auth_state(desk: State<'_, Desk>) -> Res<SeatState> {
    Ok(desk.seat.state(desk.store()?)?)
}

#[tauri::command]
pub async fn setup_admin(
    desk: State<'_, Desk>,
    login: String,
    name: String,
    password: String,
) -> Res<SeatState> {
    Ok(desk.seat.setup(desk.store()?, &login, &name, &password)?)
}

#[tauri::command]
pub async fn login(desk: State<'_, Desk>, login: String, password: String) -> Res<SeatState> {
    Ok(desk.seat.login(desk.store()?, &login, &password)?)
}

#[tauri::command]
pub async fn logout(desk: State<'_, Desk>) -> Res<()> {
    Ok(desk.seat.logout(desk.store()?)?)
}

#[tauri::command]
pub async fn lock(desk: State<'_, Desk>) -> Res<()> {
    desk.seat.lock();
    Ok(())
}

#[tauri::command]
pub async fn unlock(desk: State<'_, Desk>, password: String) -> Res<SeatState> {
    Ok(desk.seat.unlock(desk.store()?, &password)?)
}

/// Keyboard or mouse input (throttled by the UI): keeps the idle lock away.
#[tauri::command]
pub async fn activity(desk: State<'_, Desk>) -> Res<()> {
    Ok(desk.seat.touch(desk.store()?)?)
}

#[tauri::command]
pub async fn change_password(desk: State<'_, Desk>, old: String, new: String) -> Res<()> {
    Ok(desk.acting()?.change_password(&old, &new)?)
}

// The desk.

#[tauri::command]
pub async fn app_info(desk: State<'_, Desk>) -> Res<AppInfo> {
    let a = desk.acting()?;
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        db_path: desk.path().display().to_string(),
        user: a.user().clone(),
        count_cap: hotline_core::store::COUNT_CAP,
        timezone: a.store().setting("timezone")?,
    })
}

#[tauri::command]
pub async fn reference(desk: State<'_, Desk>) -> Res<Reference> {
    let s = desk.acting()?.store();
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
    /// What the signed-in user may do now; the backend still checks each action.
    pub allowed_actions: Vec<&'static str>,
}

#[tauri::command]
pub async fn queue_counts(desk: State<'_, Desk>) -> Res<BTreeMap<Queue, i64>> {
    Ok(desk.acting()?.queue_counts()?)
}

#[tauri::command]
pub async fn list_tickets(desk: State<'_, Desk>, query: ListQuery) -> Res<Page> {
    Ok(desk.acting()?.list(&query)?)
}

#[tauri::command]
pub async fn get_ticket(desk: State<'_, Desk>, id: i64) -> Res<DetailView> {
    let (detail, allowed_actions) = desk.acting()?.detail(id)?;
    Ok(DetailView {
        detail,
        allowed_actions,
    })
}

/// Shows one ticket's personal data in clear, for a stated reason (logged).
#[tauri::command]
pub async fn reveal(desk: State<'_, Desk>, id: i64, reason: String) -> Res<Revealed> {
    Ok(desk.acting()?.reveal(id, &reason)?)
}

/// Logs a call and, in the same transaction, answers it or transfers it.
#[tauri::command]
pub async fn intake(desk: State<'_, Desk>, ticket: NewTicket, then: Option<Action>) -> Res<Ticket> {
    Ok(desk.acting()?.intake(&ticket, then.as_ref())?)
}

#[tauri::command]
pub async fn act(desk: State<'_, Desk>, id: i64, version: i64, action: Action) -> Res<Ticket> {
    Ok(desk.acting()?.act(id, version, &action)?)
}

#[tauri::command]
pub async fn customer_history(desk: State<'_, Desk>, phone: String) -> Res<Vec<TicketRow>> {
    Ok(desk.acting()?.history(&phone)?)
}

/// The acceptance and handling deadlines the SLA policies give a transfer made now.
#[tauri::command]
pub async fn suggest_deadlines(
    desk: State<'_, Desk>,
    category: String,
    severity: Severity,
) -> Res<Vec<Suggested>> {
    Ok(desk
        .acting()?
        .store()
        .suggest_deadlines(&category, severity)?)
}

#[derive(Serialize)]
pub struct Inbox {
    pub unread: i64,
    pub items: Vec<NotificationRow>,
}

/// The signed-in user's notification centre: what the OS may have shown, kept.
#[tauri::command]
pub async fn notifications(desk: State<'_, Desk>) -> Res<Inbox> {
    let (unread, items) = desk.acting()?.notifications(200)?;
    Ok(Inbox { unread, items })
}

#[tauri::command]
pub async fn mark_notifications_read(desk: State<'_, Desk>) -> Res<()> {
    Ok(desk.acting()?.mark_notifications_read()?)
}

#[tauri::command]
pub async fn notification_prefs(desk: State<'_, Desk>) -> Res<Prefs> {
    Ok(desk.acting()?.notification_prefs()?)
}

#[tauri::command]
pub async fn set_notification_prefs(desk: State<'_, Desk>, prefs: Prefs) -> Res<()> {
    Ok(desk.acting()?.set_notification_prefs(&prefs)?)
}

// Settings and reference data.

#[tauri::command]
pub async fn get_settings(desk: State<'_, Desk>) -> Res<BTreeMap<String, String>> {
    Ok(desk.acting()?.store().settings()?.into_iter().collect())
}

#[tauri::command]
pub async fn set_setting(desk: State<'_, Desk>, key: String, value: String) -> Res<()> {
    Ok(desk.acting()?.set_setting(&key, &value)?)
}

#[tauri::command]
pub async fn create_department(
    desk: State<'_, Desk>,
    code: String,
    name: String,
    parent_id: Option<i64>,
) -> Res<Department> {
    Ok(desk.acting()?.create_department(&code, &name, parent_id)?)
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
        .acting()?
        .create_category(&code, &name, parent_id, default_days)?)
}

#[tauri::command]
pub async fn sla_policies(desk: State<'_, Desk>) -> Res<Vec<SlaPolicy>> {
    Ok(desk.acting()?.store().sla_policies()?)
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
        .acting()?
        .set_sla_policy(stage, category_id, severity, span, &calendar)?)
}

#[tauri::command]
pub async fn calendars(desk: State<'_, Desk>) -> Res<Vec<CalendarView>> {
    Ok(desk.acting()?.store().calendar_overview()?)
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
        .acting()?
        .set_calendar_day(&calendar, date, kind, &note)?)
}

#[tauri::command]
pub async fn import_ics(desk: State<'_, Desk>, calendar: String, text: String) -> Res<IcsReport> {
    Ok(desk.acting()?.import_ics(&calendar, &text)?)
}

// Accounts.

#[tauri::command]
pub async fn accounts(desk: State<'_, Desk>) -> Res<Vec<Account>> {
    Ok(desk.acting()?.accounts()?)
}

#[tauri::command]
pub async fn create_account(desk: State<'_, Desk>, account: NewAccount) -> Res<User> {
    Ok(desk.acting()?.create_account(&account)?)
}

#[tauri::command]
pub async fn set_password(
    desk: State<'_, Desk>,
    user_id: i64,
    login: String,
    password: String,
) -> Res<()> {
    Ok(desk.acting()?.set_password(user_id, &login, &password)?)
}

#[tauri::command]
pub async fn set_user_active(desk: State<'_, Desk>, user_id: i64, active: bool) -> Res<User> {
    Ok(desk.acting()?.set_user_active(user_id, active)?)
}

#[tauri::command]
pub async fn set_user_role(
    desk: State<'_, Desk>,
    user_id: i64,
    role: Role,
    department_id: i64,
) -> Res<User> {
    Ok(desk.acting()?.set_user_role(user_id, role, department_id)?)
}

// Reports.

/// The month's report and assessment, the same as `hotline report --month M --json`.
#[tauri::command]
pub async fn monthly_report(
    desk: State<'_, Desk>,
    month: String,
    department_id: Option<i64>,
) -> Res<serde_json::Value> {
    Ok(desk.acting()?.monthly_report(&month, department_id)?)
}

/// Any period's report with filters (the reporting window's picker).
#[tauri::command]
pub async fn period_report(
    desk: State<'_, Desk>,
    request: ReportRequest,
) -> Res<serde_json::Value> {
    Ok(desk.acting()?.period_report(&request)?)
}

/// The tickets behind a figure (its numerator, or its denominator).
#[tauri::command]
pub async fn kpi_tickets(
    desk: State<'_, Desk>,
    query: ReportQuery,
    key: String,
    denominator: bool,
) -> Res<Vec<TicketRow>> {
    Ok(desk.acting()?.kpi_tickets(&query, &key, denominator)?)
}

/// The calls behind a call KPI.
#[tauri::command]
pub async fn kpi_calls(
    desk: State<'_, Desk>,
    query: ReportQuery,
    key: String,
    denominator: bool,
) -> Res<Vec<CallRow>> {
    Ok(desk.acting()?.kpi_calls(&query, &key, denominator)?)
}

/// Writes a period's report as XLSX or CSV into the Downloads folder (or the home
/// folder) and returns the file's path.
#[tauri::command]
pub async fn export_report(
    desk: State<'_, Desk>,
    request: ReportRequest,
    format: String,
) -> Res<String> {
    let dir = dirs::download_dir()
        .or_else(dirs::home_dir)
        .unwrap_or_else(std::env::temp_dir);
    let path = desk
        .acting()?
        .export_report(&request, format == "csv", &dir)?;
    Ok(path.display().to_string())
}

/// Opens (or brings forward) the managers' reporting window.
#[tauri::command]
pub async fn open_reports<R: Runtime>(app: AppHandle<R>) -> Res<()> {
    app.state::<Desk>().acting()?.open_reports()?;
    if let Some(w) = app.get_webview_window("reports") {
        return w.set_focus().map_err(internal);
    }
    // WebKitGTK gives each unrelated view a web process of its own (~250 MB); related to
    // the desk, the reporting window shares the desk's.
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
    reports(&app).build().map(|_| ()).map_err(internal)
}

fn reports<R: Runtime>(app: &AppHandle<R>) -> WebviewWindowBuilder<'_, R, AppHandle<R>> {
    WebviewWindowBuilder::new(app, "reports", WebviewUrl::App("reports.html".into()))
        .inner_size(1280.0, 860.0)
}

fn internal(e: impl std::fmt::Display) -> WireError {
    WireError {
        code: "internal".into(),
        message: e.to_string(),
        details: serde_json::Value::Null,
    }
}

/// Loads demo data (the first-run offer) on a blocking thread: it takes seconds.
#[tauri::command]
pub async fn seed_demo(desk: State<'_, Desk>) -> Res<SeedReport> {
    let opts = SeedOptions {
        tickets: 2000,
        days: 60,
        seed: 1,
        extra_calls: 0,
    };
    blocking(&desk, move |a| a.load_demo(opts, |_| {})).await
}

// Audit, backups, retention.

#[tauri::command]
pub async fn audit_entries(desk: State<'_, Desk>, query: AuditQuery) -> Res<Vec<AuditEntry>> {
    Ok(desk.acting()?.audit_entries(&query)?)
}

#[tauri::command]
pub async fn verify_audit(desk: State<'_, Desk>) -> Res<AuditReport> {
    Ok(desk.acting()?.verify_audit()?)
}

#[tauri::command]
pub async fn backup_status(desk: State<'_, Desk>) -> Res<BackupStatus> {
    Ok(desk.acting()?.backup_status()?)
}

#[tauri::command]
pub async fn backups(desk: State<'_, Desk>) -> Res<Vec<BackupInfo>> {
    Ok(desk.acting()?.backups()?)
}

#[tauri::command]
pub async fn set_backup_passphrase(desk: State<'_, Desk>, passphrase: String) -> Res<()> {
    Ok(desk.acting()?.set_backup_passphrase(&passphrase)?)
}

#[tauri::command]
pub async fn backup_now<R: Runtime>(app: AppHandle<R>) -> Res<BackupInfo> {
    let desk = app.state::<Desk>();
    let tell = progress(&app);
    blocking(&desk, move |a| a.backup_now(None, &mut { tell })).await
}

#[tauri::command]
pub async fn verify_backup<R: Runtime>(
    app: AppHandle<R>,
    name: String,
    passphrase: Option<String>,
) -> Res<DrillReport> {
    let desk = app.state::<Desk>();
    let tell = progress(&app);
    blocking(&desk, move |a| {
        a.verify_backup(&name, passphrase.as_deref(), &mut { tell })
    })
    .await
}

#[tauri::command]
pub async fn restore_backup<R: Runtime>(
    app: AppHandle<R>,
    name: String,
    passphrase: Option<String>,
) -> Res<String> {
    let desk = app.state::<Desk>();
    let tell = progress(&app);
    blocking(&desk, move |a| {
        a.restore_backup(&name, passphrase.as_deref(), &mut { tell })
            .map(|p| p.display().to_string())
    })
    .await
}

#[tauri::command]
pub async fn retention_plan(desk: State<'_, Desk>) -> Res<RetentionPlan> {
    Ok(desk.acting()?.retention_plan()?)
}

#[tauri::command]
pub async fn anonymise(desk: State<'_, Desk>) -> Res<RetentionPlan> {
    blocking(&desk, |a| a.anonymise()).await
}

fn progress<R: Runtime>(app: &AppHandle<R>) -> impl FnMut(Progress) + Send + 'static {
    let app = app.clone();
    move |p| {
        let _ = app.emit(PROGRESS_EVENT, p);
    }
}

/// Runs long work as the signed-in user on a blocking thread, so the window never freezes.
async fn blocking<T: Send + 'static>(
    desk: &Desk,
    f: impl FnOnce(hotline_core::access::Acting<'_>) -> hotline_core::Result<T> + Send + 'static,
) -> Res<T> {
    let user = desk.acting()?.user().id;
    let store = desk.store()?.clone();
    tauri::async_runtime::spawn_blocking(move || store.acting(user).and_then(f))
        .await
        .map_err(internal)?
        .map_err(Into::into)
}
