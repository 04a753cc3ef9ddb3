//! `hotline`: the admin command line, a thin adapter over hotline-core on the same
//! data file as the desktop app. One module per noun, each with its arguments beside the
//! code that runs them; `run` only opens the store, picks the acting user and dispatches.

mod appeal;
mod audit;
mod backup;
mod calendar;
mod call;
mod calls;
mod complaint;
mod customer;
mod data;
mod department;
mod dispatch;
mod incident;
mod kb;
mod notice;
mod out;
mod qa;
mod remote;
mod report;
mod retention;
mod roster;
mod setting;
mod ticket;
mod training;
mod user;

use clap::{Parser, Subcommand};
use hotline_core::{Error, Result, Store, SystemClock, WireError};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "hotline",
    version,
    about = "Hotline Desk admin command line (热线服务台)"
)]
struct Cli {
    /// The data file [default: the desktop app's, or $HOTLINE_DB]
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    /// Print machine-readable JSON (errors too, as {code, message, details})
    #[arg(long, global = true)]
    json: bool,
    /// Act as this user (id or login) with their permissions [default: the first
    /// administrator; the data file's owner is the command line's authority]
    #[arg(long = "as", global = true, value_name = "USER")]
    as_user: Option<String>,
    /// A running centre server (`host:port`) instead of the data file: `login` there,
    /// then `call` any command as the signed-in user [env: HOTLINE_SERVER]
    #[arg(long, global = true, env = "HOTLINE_SERVER")]
    server: Option<String>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Create or upgrade the data file
    Init(data::InitArgs),
    #[command(subcommand)]
    Ticket(ticket::TicketCmd),
    #[command(subcommand)]
    Customer(customer::CustomerCmd),
    /// Export every ticket (personal data masked unless --personal)
    Export(data::ExportArgs),
    /// Import intake records from a CSV file (columns: caller_name, phone, description, category, ...)
    Import(data::ImportArgs),
    /// Generate realistic, deterministic demo data
    Seed(data::SeedArgs),
    #[command(subcommand)]
    Department(department::DeptCmd),
    #[command(subcommand)]
    User(user::UserCmd),
    #[command(subcommand)]
    Setting(setting::SettingCmd),
    #[command(subcommand)]
    Calendar(calendar::CalendarCmd),
    /// KPIs and the monthly assessment, the same figures as the reporting window
    Report(report::ReportArgs),
    #[command(subcommand)]
    Calls(calls::CallsCmd),
    /// Create the first administrator (password from $HOTLINE_PASSWORD or standard input)
    Setup(user::SetupArgs),
    #[command(subcommand)]
    Audit(audit::AuditCmd),
    #[command(subcommand)]
    Backup(backup::BackupCmd),
    #[command(subcommand)]
    Retention(retention::RetentionCmd),
    /// Graded emergency response: declare, raise, attach calls, publish bulletins, resolve
    #[command(subcommand)]
    Incident(incident::IncidentCmd),
    /// Emergency drills: start one
    #[command(subcommand)]
    Drill(incident::DrillCmd),
    /// Complaint follow-through: remedy, acknowledgement, assessment, legal review
    #[command(subcommand)]
    Complaint(complaint::ComplaintCmd),
    /// Spot checks of recorded calls: sample, score, list, answer, decide
    #[command(subcommand)]
    Qa(qa::QaCmd),
    /// Training: the plan, sessions and attendance, the question bank, exams and results
    #[command(subcommand)]
    Training(training::TrainingCmd),
    /// The knowledge base: write, publish, search, list, import and export articles
    #[command(subcommand)]
    Kb(kb::KbCmd),
    /// The dispatch catalogue: rules for the lead and co-handling departments
    #[command(subcommand)]
    Dispatch(dispatch::DispatchCmd),
    /// Appeals of the departments' monthly assessment (申诉): file, decide, list, entries
    #[command(subcommand)]
    Appeal(appeal::AppealCmd),
    /// Tickets proposed as unreasonable for the assessment (不合理件): propose, decide, list
    #[command(subcommand)]
    Exclusion(appeal::ExclusionCmd),
    /// Supervision notices (催办通知书, 督办单): issue, acknowledge, list, the month's list
    #[command(subcommand)]
    Notice(notice::NoticeCmd),
    /// The 24-hour duty roster: show, import from CSV, who is on duty now
    #[command(subcommand)]
    Roster(roster::RosterCmd),
    /// Run any command of the desk's registry as the acting user (JSON in, JSON out)
    Call(call::CallArgs),
    /// Sign in to the centre server given by --server (password from $HOTLINE_PASSWORD or
    /// standard input); the session is kept for `call`
    Login(remote::LoginArgs),
    /// End the session at the centre server given by --server
    Logout,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    let out = match cli.server.clone() {
        Some(server) => at_server(&server, cli),
        None => run(cli).map_err(WireError::from),
    };
    match out {
        Ok(()) => ExitCode::SUCCESS,
        Err(w) => {
            if json {
                eprintln!(
                    "{}",
                    json!({ "code": w.code, "message": w.message, "details": w.details })
                );
            } else {
                eprintln!("error[{}]: {}", w.code, w.message);
            }
            ExitCode::FAILURE
        }
    }
}

/// Against a centre server: the registry's commands as the signed-in user (the nouns
/// work on a data file no server holds).
fn at_server(server: &str, cli: Cli) -> std::result::Result<(), WireError> {
    match cli.cmd {
        Cmd::Login(args) => remote::login(server, args, cli.json),
        Cmd::Logout => remote::logout(server, cli.json),
        Cmd::Call(args) => remote::call(server, args, cli.json),
        _ => Err(WireError::from(Error::InvalidArguments {
            command: "--server".into(),
            reason: "against a server: login, call COMMAND --args JSON, logout".into(),
        })),
    }
}

fn run(cli: Cli) -> Result<()> {
    let path = cli
        .db
        .clone()
        .unwrap_or_else(hotline_core::paths::default_db_path);
    let store = Store::open(&path, Arc::new(SystemClock))?;
    let actor = acting_user(&store, cli.as_user.as_deref())?;
    let a = store.acting(actor)?;
    let json = cli.json;
    match cli.cmd {
        Cmd::Init(args) => data::init(&a, &path, args, json)?,
        Cmd::Ticket(c) => ticket::run(&a, c, json)?,
        Cmd::Customer(c) => customer::run(&a, c, json)?,
        Cmd::Export(args) => data::export(&a, args, json)?,
        Cmd::Import(args) => data::import(&a, args, json)?,
        Cmd::Seed(args) => data::seed(&a, args, json)?,
        Cmd::Department(c) => department::run(&a, c, json)?,
        Cmd::User(c) => user::run(&a, c, json)?,
        Cmd::Setting(c) => setting::run(&a, c, json)?,
        Cmd::Calendar(c) => calendar::run(&a, c, json)?,
        Cmd::Report(args) => report::run(&a, args, json)?,
        Cmd::Calls(c) => calls::run(&a, c, json)?,
        Cmd::Setup(args) => user::setup(&a, args, json)?,
        Cmd::Audit(c) => audit::run(&a, c, json)?,
        Cmd::Backup(c) => backup::run(&a, c, json)?,
        Cmd::Retention(c) => retention::run(&a, c, json)?,
        Cmd::Incident(c) => incident::run(&a, c, json)?,
        Cmd::Roster(c) => roster::run(&a, c, json)?,
        Cmd::Drill(c) => incident::drill(&a, c, json)?,
        Cmd::Complaint(c) => complaint::run(&a, c, json)?,
        Cmd::Qa(c) => qa::run(&a, c, json)?,
        Cmd::Training(c) => training::run(&a, c, json)?,
        Cmd::Kb(c) => kb::run(&a, c, json)?,
        Cmd::Dispatch(c) => dispatch::run(&a, c, json)?,
        Cmd::Appeal(c) => appeal::run(&a, c, json)?,
        Cmd::Exclusion(c) => appeal::run_exclusion(&a, c, json)?,
        Cmd::Notice(c) => notice::run(&a, c, json)?,
        Cmd::Call(args) => call::run(&store, actor, args, json)?,
        Cmd::Login(_) | Cmd::Logout => {
            return Err(Error::InvalidArguments {
                command: "login".into(),
                reason: "needs --server (a centre server)".into(),
            })
        }
    }
    Ok(())
}

/// Whom the command line acts as: `--as` (an id or a login), else the first administrator
/// (the data file's owner is the command line's authority).
fn acting_user(store: &Store, who: Option<&str>) -> Result<i64> {
    let Some(who) = who else {
        return Ok(store.first_admin()?.id);
    };
    if let Ok(id) = who.parse::<i64>() {
        return Ok(store.user(id)?.id);
    }
    store
        .accounts()?
        .into_iter()
        .find(|a| {
            a.login
                .as_deref()
                .is_some_and(|l| l.eq_ignore_ascii_case(who))
        })
        .map(|a| a.user.id)
        .ok_or_else(|| Error::NotFound {
            entity: "user",
            key: who.chars().take(40).collect(),
        })
}
