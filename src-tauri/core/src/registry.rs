//! Every command of the desk, declared once: its name, its arguments, what it returns,
//! the gate it passes (no session, a signed-in user, or a permission of the matrix) and
//! the `Acting` method that performs it. Every front door serves this table and nothing
//! else: the desktop shell's IPC, and the centre server later; `hotline call` runs any
//! entry from the command line. A door supplies only what is its own (`Host`): where a
//! user's files land, how progress reaches them, the reporting window.
//!
//! Arguments arrive as one JSON object whose keys are the argument names in camelCase
//! (`parentId`), as the webview's `invoke` has always sent them.

use crate::access::{Acting, Reference, Revealed};
use crate::error::{Error, Result};
use crate::files::Progress;
use crate::lifecycle::Action;
use crate::model::{
    ActionKind, CallbackMethod, Channel, Perm, Queue, Role, Satisfaction, Severity, Status,
    TicketDetail, Urgency, User,
};
use crate::report::{ReportQuery, ReportRequest};
use crate::seed::SeedOptions;
use crate::session::Seat;
use crate::store::{ListQuery, NewAccount, Store};
use crate::NewTicket;
use serde::Serialize;
use serde_json::Value;
use std::path::PathBuf;

/// What a front door provides that the domain cannot know.
/// The version of the wire (the registry over HTTP): a desk and a server of different
/// protocols refuse each other plainly. Raised when a command changes incompatibly.
pub const PROTOCOL: u32 = 1;

pub trait Host {
    /// Where the data lives, for the about box: a file path, or a server's address.
    fn data_label(&self) -> String;
    /// The folder on the user's own machine where their exports land.
    fn downloads(&self) -> PathBuf;
    /// How far long work (backups, restores) has come, told to the user.
    fn progress(&self, p: Progress);
    /// Opens (or brings forward) the reporting window; doors without windows refuse.
    fn open_reports(&self) -> Result<()>;
    /// Puts a file made for the user on the user's own machine (where their exports land),
    /// refusing a name that is not a plain file name; an existing file only with `replace`.
    fn deliver(&self, name: &str, bytes: &[u8], replace: bool) -> Result<PathBuf> {
        let path = self.exports_path(name)?;
        crate::files::write_new(&path, replace, |f| Ok(std::io::Write::write_all(f, bytes)?))?;
        Ok(path)
    }
    /// Prints the calling window as a PDF named `name` among the user's exports (what a
    /// server cannot do: it asks the desk to, see `deliver`).
    fn save_print(&self, name: &str, replace: bool) -> Result<PathBuf> {
        let path = self.exports_path(name)?;
        crate::files::write_new_path(&path, replace, |p| self.print_pdf(p))?;
        Ok(path)
    }
    /// `name` in the exports folder, refused unless it is a plain file name.
    fn exports_path(&self, name: &str) -> Result<PathBuf> {
        if std::path::Path::new(name)
            .file_name()
            .and_then(|n| n.to_str())
            != Some(name)
        {
            return Err(Error::InvalidPath {
                path: name.chars().take(200).collect(),
            });
        }
        Ok(self.downloads().join(name))
    }
    /// Prints the calling window's document (its print layout) as a PDF to `path`.
    fn print_pdf(&self, _path: &std::path::Path) -> Result<()> {
        Err(Error::NotConfigured("printing"))
    }
    /// Shows an exported file with the system's viewer.
    fn open_file(&self, _path: &std::path::Path) -> Result<()> {
        Err(Error::NotConfigured("opening files"))
    }
    /// Where this desk's tickets live and how the link to a centre server is.
    fn connection(&self) -> Result<Value> {
        Err(Error::NotConfigured("connections"))
    }
    /// The certificate fingerprint a centre server presents, before it is trusted.
    fn probe_server(&self, _address: &str) -> Result<Value> {
        Err(Error::NotConfigured("connections"))
    }
    /// Connects the desk to a centre server (or back to this computer's file).
    fn set_connection(&self, _setup: &ConnectionSetup) -> Result<Value> {
        Err(Error::NotConfigured("connections"))
    }
    /// Calls logged on this desk while its centre server could not be reached.
    fn offline_outbox(&self) -> Result<Value> {
        Ok(Value::Array(vec![]))
    }
}

/// Connecting a desk to a centre server: its address, the certificate fingerprint the
/// server printed, and the sign-in of one of its administrators, who thereby confirms
/// the certificate. `mode: "local"` goes back to this computer's file.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConnectionSetup {
    pub mode: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub fingerprint: Option<String>,
    #[serde(default)]
    pub login: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
}

/// What a command runs with: the store, the session at this door, the door itself.
pub struct Ctx<'a> {
    pub store: &'a Store,
    pub seat: &'a Seat,
    pub host: &'a dyn Host,
}

/// Who may call a command, checked before it runs (the `Acting` method checks again,
/// with the department scope and whatever depends on the arguments).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "permission")]
pub enum Gate {
    /// Signing in and the session itself: no user yet.
    Public,
    /// Any signed-in user, about their own things (or decided by the arguments).
    SignedIn,
    /// A permission of the matrix.
    Perm(Perm),
    /// The desk's own, about this computer (where its tickets live): run by the desk's
    /// shell with no store at all, never by a server.
    Desk,
}

impl Gate {
    /// Whether the command runs only for a signed-in user.
    pub fn needs_user(self) -> bool {
        matches!(self, Gate::SignedIn | Gate::Perm(_))
    }
}

enum Run {
    Store(fn(&Ctx<'_>, Value) -> Result<Value>),
    Desk(fn(&dyn Host, Value) -> Result<Value>),
}

pub struct Command {
    pub name: &'static str,
    pub gate: Gate,
    run: Run,
}

impl Command {
    /// Runs the command with JSON arguments and returns its JSON result.
    pub fn call(&self, ctx: &Ctx<'_>, args: Value) -> Result<Value> {
        match self.run {
            Run::Store(f) => f(ctx, args),
            Run::Desk(f) => f(ctx.host, args),
        }
    }

    /// Runs a desk's own command where there is no store (a desk on a centre server);
    /// any other is refused.
    pub fn call_desk(&self, host: &dyn Host, args: Value) -> Result<Value> {
        match self.run {
            Run::Desk(f) => f(host, args),
            Run::Store(_) => Err(Error::NeedsServer),
        }
    }
}

/// Every command: the desk's, in the order its screens use them, then each feature's.
pub fn commands() -> impl Iterator<Item = &'static Command> {
    COMMANDS
        .iter()
        .chain(emergency::COMMANDS)
        .chain(emergency::ROSTER)
        .chain(complaints::COMMANDS)
        .chain(qa::COMMANDS)
        .chain(training::COMMANDS)
        .chain(attachments::COMMANDS)
        .chain(kb::COMMANDS)
        .chain(dispatch::COMMANDS)
        .chain(assessment::COMMANDS)
        .chain(supervision::COMMANDS)
}

/// The commands that carry a file: front doors accept a larger request for them
/// (`attachment::MAX_REQUEST_BYTES`) than for the rest.
pub const UPLOADS: &[&str] = &["add_attachment", "import_kb"];

/// The entry called `name`.
pub fn find(name: &str) -> Option<&'static Command> {
    commands().find(|c| c.name == name)
}

/// Runs the command called `name`: the one function every front door calls.
pub fn call(ctx: &Ctx<'_>, name: &str, args: Value) -> Result<Value> {
    find(name)
        .ok_or_else(|| Error::NotFound {
            entity: "command",
            key: name.chars().take(60).collect(),
        })?
        .call(ctx, args)
}

fn acting<'a>(ctx: &Ctx<'a>, gate: Gate) -> Result<Acting<'a>> {
    let a = ctx.seat.acting(ctx.store)?;
    if let Gate::Perm(p) = gate {
        a.need(p)?;
    }
    Ok(a)
}

fn arguments<T: serde::de::DeserializeOwned>(command: &str, args: Value) -> Result<T> {
    // A command without arguments may be called with none at all.
    let args = if args.is_null() {
        Value::Object(Default::default())
    } else {
        args
    };
    serde_json::from_value(args).map_err(|e| Error::InvalidArguments {
        command: command.to_string(),
        reason: e.to_string().chars().take(200).collect(),
    })
}

fn reply<T: Serialize>(v: Result<T>) -> Result<Value> {
    Ok(serde_json::to_value(v?)?)
}

/// Declares the commands. `public name(args) = |ctx| …` runs without a session;
/// `name(args) [gate] = |ctx, acting| …` runs as the signed-in user past `gate`;
/// `desk name(args) [Desk] = |host| …` runs with the desk's shell alone.
macro_rules! commands {
    (static $table:ident; $(
        $(#[doc = $doc:literal])*
        $kind:ident $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) [$gate:expr] -> $ret:ty
            = |$ctx:ident $(, $a:ident)?| $body:expr;
    )*) => {
        pub(crate) static $table: &[Command] = &[$(
            Command {
                name: stringify!($name),
                gate: $gate,
                run: commands!(@fn $kind $name ($($arg: $ty),*) [$gate] -> $ret = |$ctx $(, $a)?| $body),
            },
        )*];
    };
    (@fn desk $name:ident ($($arg:ident : $ty:ty),*) [$gate:expr] -> $ret:ty = |$h:ident| $body:expr) => {
        Run::Desk(|$h: &dyn Host, args: Value| -> Result<Value> {
            #[derive(serde::Deserialize)]
            #[serde(rename_all = "camelCase", deny_unknown_fields)]
            struct Args { $($arg: $ty),* }
            let Args { $($arg),* } = arguments(stringify!($name), args)?;
            let out: Result<$ret> = $body;
            reply(out)
        })
    };
    (@fn $kind:ident $name:ident ($($arg:ident : $ty:ty),*) [$gate:expr] -> $ret:ty = |$ctx:ident $(, $a:ident)?| $body:expr) => {
        Run::Store(|$ctx: &Ctx<'_>, args: Value| -> Result<Value> {
            #[derive(serde::Deserialize)]
            #[serde(rename_all = "camelCase", deny_unknown_fields)]
            struct Args { $($arg: $ty),* }
            // The gate before the arguments: a refused caller learns nothing more.
            commands!(@run $kind $gate, $ctx $(, $a)?);
            let Args { $($arg),* } = arguments(stringify!($name), args)?;
            let out: Result<$ret> = $body;
            reply(out)
        })
    };
    (@run public $gate:expr, $ctx:ident) => {
        let _ = &$ctx;
    };
    (@run acting $gate:expr, $ctx:ident, $a:ident) => {
        let $a = acting($ctx, $gate)?;
        let _ = &$ctx;
    };
}

mod assessment;
mod attachments;
mod complaints;
mod dispatch;
mod emergency;
mod kb;
mod qa;
mod supervision;
mod training;

use Gate::{Desk, Public, SignedIn};
const fn need(p: Perm) -> Gate {
    Gate::Perm(p)
}

/// What the desk shows about itself and the signed-in user.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    pub version: &'static str,
    pub db_path: String,
    pub user: User,
    /// Queue counts stop here; the backend answers one more for "more than".
    pub count_cap: i64,
    /// IANA zone in which the desk shows times (a setting).
    pub timezone: String,
}

/// A ticket with what the signed-in user may do with it now.
#[derive(Debug, Serialize)]
pub struct DetailView {
    #[serde(flatten)]
    pub detail: TicketDetail,
    /// The backend still checks each action when it is taken.
    pub allowed_actions: Vec<ActionKind>,
}

/// The signed-in user's notification centre: what the OS may have shown, kept.
#[derive(Debug, Serialize)]
pub struct Inbox {
    pub unread: i64,
    pub items: Vec<crate::store::NotificationRow>,
}

/// The closed sets of values the screens offer, so that no list is typed twice.
#[derive(Debug, Serialize)]
pub struct Vocabulary {
    pub statuses: &'static [Status],
    /// Statuses with no more work expected: a caller's ticket in another is open.
    pub final_statuses: &'static [Status],
    pub actions: &'static [ActionKind],
    pub channels: &'static [Channel],
    pub severities: &'static [Severity],
    pub urgencies: &'static [Urgency],
    pub satisfactions: &'static [Satisfaction],
    pub callback_methods: &'static [CallbackMethod],
    pub roles: &'static [Role],
    pub permissions: &'static [Perm],
    pub queues: &'static [Queue],
    pub stages: &'static [crate::sla::Stage],
    pub alarm_kinds: &'static [crate::alarms::AlarmKind],
    pub span_units: &'static [&'static str],
    pub call_kpis: &'static [&'static str],
    pub languages: &'static [&'static str],
    pub template_fields: &'static [&'static str],
    pub incident_kinds: &'static [crate::emergency::IncidentKind],
    pub incident_statuses: &'static [crate::emergency::IncidentStatus],
    pub duty_roles: &'static [crate::emergency::plan::DutyRole],
    pub ack_methods: &'static [crate::complaint::AckMethod],
    pub legal_outcomes: &'static [crate::complaint::LegalOutcome],
    pub cause_categories: &'static [crate::complaint::cause::CauseCategory],
    pub analysis_methods: &'static [crate::complaint::cause::AnalysisMethod],
    pub proposals: &'static [crate::complaint::accountability::Proposal],
    pub training_topics: &'static [crate::training::Topic],
    pub training_methods: &'static [crate::training::Method],
    pub question_kinds: &'static [crate::training::exam::QuestionKind],
    pub onboarding_kinds: &'static [crate::training::onboarding::ItemKind],
    /// The file types kept with records (extension, media type) and the largest size.
    pub file_types: &'static [(&'static str, &'static str)],
    pub kb_materials: &'static [crate::kb::Material],
    pub kb_states: &'static [crate::kb::ArticleState],
    pub kb_upkeep: &'static [crate::store::Upkeep],
    pub exclusion_reasons: &'static [crate::assessment::ExclusionReason],
    /// The figures whose entries a department may appeal.
    pub appealable: &'static [&'static str],
    pub file_max_bytes: usize,
}

const DEMO: SeedOptions = SeedOptions {
    tickets: 2000,
    days: 60,
    seed: 1,
    extra_calls: 0,
};

commands! {
    static COMMANDS;
    // Signing in: these work without a session (they create one).
    public auth_state() [Public] -> crate::session::SeatState = |c| c.seat.state(c.store);
    public setup_admin(login: String, name: String, password: String) [Public]
        -> crate::session::SeatState = |c| c.seat.setup(c.store, &login, &name, &password);
    public login(login: String, password: String) [Public] -> crate::session::SeatState
        = |c| c.seat.login(c.store, &login, &password);
    public logout() [Public] -> () = |c| c.seat.logout(c.store);
    public lock() [Public] -> () = |c| {
        c.seat.lock();
        Ok(())
    };
    public unlock(password: String) [Public] -> crate::session::SeatState
        = |c| c.seat.unlock(c.store, &password);
    /// Keyboard or mouse input (throttled by the UI): keeps the idle lock away.
    public activity() [Public] -> () = |c| c.seat.touch(c.store);
    // The desk's own: where this computer's tickets live.
    /// This computer's file or a centre server, and how the link to it is.
    desk connection() [Desk] -> Value = |h| h.connection();
    /// The certificate fingerprint a centre server presents, to compare before trusting it.
    desk probe_server(address: String) [Desk] -> Value = |h| h.probe_server(&address);
    /// Connects this desk to a centre server once one of its administrators confirms the
    /// certificate with their sign-in, or (`mode: "local"`) back to this computer's file.
    desk set_connection(setup: ConnectionSetup) [Desk] -> Value = |h| h.set_connection(&setup);
    /// Calls logged here while the centre server could not be reached: waiting, sent (with
    /// their ticket numbers) or refused (with the reason).
    desk offline_outbox() [Desk] -> Value = |h| h.offline_outbox();
    public vocabulary() [Public] -> Vocabulary = |c| Ok(Vocabulary {
        statuses: Status::ALL,
        final_statuses: Status::FINAL,
        actions: ActionKind::ALL,
        channels: Channel::ALL,
        severities: Severity::ALL,
        urgencies: Urgency::ALL,
        satisfactions: Satisfaction::ALL,
        callback_methods: CallbackMethod::ALL,
        roles: Role::ALL,
        permissions: Perm::ALL,
        queues: Queue::ALL,
        stages: crate::sla::Stage::ALL,
        alarm_kinds: crate::alarms::AlarmKind::ALL,
        span_units: crate::calendar::Span::UNITS,
        call_kpis: crate::report::CALL_KPIS,
        languages: crate::settings::LANGUAGES,
        template_fields: crate::store::TEMPLATE_FIELDS,
        incident_kinds: crate::emergency::IncidentKind::ALL,
        incident_statuses: crate::emergency::IncidentStatus::ALL,
        duty_roles: crate::emergency::plan::DutyRole::ALL,
        ack_methods: crate::complaint::AckMethod::ALL,
        legal_outcomes: crate::complaint::LegalOutcome::ALL,
        cause_categories: crate::complaint::cause::CauseCategory::ALL,
        analysis_methods: crate::complaint::cause::AnalysisMethod::ALL,
        proposals: crate::complaint::accountability::Proposal::ALL,
        training_topics: crate::training::Topic::ALL,
        training_methods: crate::training::Method::ALL,
        question_kinds: crate::training::exam::QuestionKind::ALL,
        onboarding_kinds: crate::training::onboarding::ItemKind::ALL,
        file_types: crate::attachment::TYPES,
        kb_materials: crate::kb::Material::ALL,
        kb_states: crate::kb::ArticleState::ALL,
        kb_upkeep: crate::store::Upkeep::ALL,
        exclusion_reasons: crate::assessment::ExclusionReason::ALL,
        appealable: crate::assessment::APPEALABLE,
        file_max_bytes: crate::attachment::MAX_BYTES,
    });

    // The desk.
    acting app_info() [SignedIn] -> AppInfo = |c, a| Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        db_path: c.host.data_label(),
        user: a.user().clone(),
        count_cap: crate::store::COUNT_CAP,
        timezone: a.timezone()?.name().to_string(),
    });
    acting change_password(old: String, new: String) [SignedIn] -> ()
        = |c, a| a.change_password(&old, &new);
    acting reference() [need(Perm::ViewTickets)] -> Reference = |c, a| a.reference();
    acting queue_counts() [need(Perm::ViewTickets)]
        -> std::collections::BTreeMap<Queue, i64> = |c, a| a.queue_counts();
    acting list_tickets(query: ListQuery) [need(Perm::ViewTickets)] -> crate::store::Page
        = |c, a| a.list(&query);
    acting get_ticket(id: i64) [need(Perm::ViewTickets)] -> DetailView = |c, a| {
        let (detail, allowed_actions) = a.detail(id)?;
        Ok(DetailView { detail, allowed_actions })
    };
    /// This seat has ticket `id` open (none: it left it); who else has it open or is editing it.
    acting presence(id: Option<i64>, editing: bool) [need(Perm::ViewTickets)]
        -> Vec<crate::store::Presence> = |c, a| a.presence(id, editing);
    /// Shows one ticket's personal data in clear, for a stated reason (logged).
    acting reveal(id: i64, reason: String) [need(Perm::RevealPersonal)] -> Revealed
        = |c, a| a.reveal(id, &reason);
    /// The call being typed: kept per user until it is logged or discarded.
    acting intake_draft() [need(Perm::CreateTickets)] -> Option<serde_json::Value>
        = |c, a| a.intake_draft();
    acting save_intake_draft(draft: serde_json::Value) [need(Perm::CreateTickets)] -> ()
        = |c, a| a.save_intake_draft(&draft);
    acting discard_intake_draft() [need(Perm::CreateTickets)] -> ()
        = |c, a| a.discard_intake_draft();
    /// Logs a call and, in the same transaction, answers it or transfers it.
    acting intake(ticket: NewTicket, then: Option<Action>) [need(Perm::CreateTickets)]
        -> crate::model::Ticket = |c, a| a.intake(&ticket, then.as_ref());
    /// A call logged on a desk while the server could not be reached, sent when it can be:
    /// received when it was taken, once per `key` however often it is sent.
    acting intake_offline(key: String, taken_at: chrono::DateTime<chrono::Utc>, ticket: NewTicket, then: Option<Action>)
        [need(Perm::CreateTickets)] -> crate::model::Ticket
        = |c, a| a.intake_offline(&key, taken_at, &ticket, then.as_ref());
    acting act(id: i64, version: i64, action: Action) [need(Perm::ActOnTickets)]
        -> crate::model::Ticket = |c, a| a.act(id, version, &action);
    /// The transfer slip: the centre's name, the caller as the slip may show them, the
    /// deadlines.
    acting transfer_slip(id: i64) [need(Perm::ViewTickets)] -> crate::slip::Slip
        = |c, a| a.transfer_slip(id);
    /// Saves the transfer slip as the desk prints it, as a PDF in the exports folder.
    acting save_slip_pdf(id: i64, replace: Option<bool>) [need(Perm::ViewTickets)] -> String
        = |c, a| a
        .save_slip_pdf(id, |name| c.host.save_print(name, replace.unwrap_or(false)))
        .map(|p| p.display().to_string());
    acting customer_history(phone: String) [need(Perm::CreateTickets)]
        -> Vec<crate::model::TicketRow> = |c, a| a.history(&phone);
    acting suggest_deadlines(category: String, severity: Severity) [need(Perm::ViewTickets)]
        -> Vec<crate::sla::Suggested> = |c, a| a.suggest_deadlines(&category, severity);
    /// The deadline the SLA policy gives an extension or a re-dispatch of this ticket now.
    acting suggest_ticket_deadline(id: i64, action: ActionKind) [need(Perm::ViewTickets)]
        -> Option<crate::sla::Suggested> = |c, a| a.suggest_ticket_deadline(id, action);
    acting notifications() [SignedIn] -> Inbox = |c, a| {
        let (unread, items) = a.notifications(200)?;
        Ok(Inbox { unread, items })
    };
    acting mark_notifications_read() [SignedIn] -> () = |c, a| a.mark_notifications_read();
    acting notification_prefs() [SignedIn] -> crate::alarms::Prefs
        = |c, a| a.notification_prefs();
    acting set_notification_prefs(prefs: crate::alarms::Prefs) [SignedIn] -> ()
        = |c, a| a.set_notification_prefs(&prefs);
    /// Loads demo data (the first-run offer); takes seconds.
    acting seed_demo() [need(Perm::LoadDemo)] -> crate::seed::SeedReport
        = |c, a| a.load_demo(DEMO, |_| {});

    // Settings and reference data (a personal setting needs no permission).
    acting get_settings() [SignedIn] -> std::collections::BTreeMap<String, String>
        = |c, a| a.settings();
    acting set_setting(key: String, value: String) [SignedIn] -> ()
        = |c, a| a.set_setting(&key, &value);
    acting create_department(code: String, name: String, parent_id: Option<i64>)
        [need(Perm::ManageReference)] -> crate::model::Department
        = |c, a| a.create_department(&code, &name, parent_id);
    acting create_category(code: String, name: String, parent_id: Option<i64>, default_days: i64)
        [need(Perm::ManageReference)] -> crate::model::Category
        = |c, a| a.create_category(&code, &name, parent_id, default_days);
    /// 常用语: wording to insert, per field and category.
    acting reply_templates() [need(Perm::ViewTickets)] -> Vec<crate::store::ReplyTemplate>
        = |c, a| a.reply_templates();
    acting create_reply_template(field: String, category_id: Option<i64>, text: String)
        [need(Perm::ManageReference)] -> crate::store::ReplyTemplate
        = |c, a| a.create_reply_template(&field, category_id, &text);
    acting delete_reply_template(id: i64) [need(Perm::ManageReference)] -> ()
        = |c, a| a.delete_reply_template(id);
    acting sla_policies() [need(Perm::ViewTickets)] -> Vec<crate::sla::SlaPolicy>
        = |c, a| a.sla_policies();
    acting set_sla_policy(
        stage: crate::sla::Stage,
        category_id: Option<i64>,
        severity: Option<Severity>,
        span: crate::calendar::Span,
        calendar: String,
    ) [need(Perm::ManageReference)] -> ()
        = |c, a| a.set_sla_policy(stage, category_id, severity, span, &calendar);
    acting calendars() [need(Perm::ViewTickets)] -> Vec<crate::store::CalendarView>
        = |c, a| a.calendars();
    acting set_calendar_day(
        calendar: String,
        date: chrono::NaiveDate,
        kind: Option<crate::calendar::DayKind>,
        note: String,
    ) [need(Perm::ManageReference)] -> ()
        = |c, a| a.set_calendar_day(&calendar, date, kind, &note);
    acting import_ics(calendar: String, text: String) [need(Perm::ManageReference)]
        -> crate::store::IcsReport = |c, a| a.import_ics(&calendar, &text);

    // Accounts.
    acting accounts() [need(Perm::ManageUsers)] -> Vec<crate::store::Account>
        = |c, a| a.accounts();
    acting create_account(account: NewAccount) [need(Perm::ManageUsers)] -> User
        = |c, a| a.create_account(&account);
    acting set_password(user_id: i64, login: String, password: String)
        [need(Perm::ManageUsers)] -> () = |c, a| a.set_password(user_id, &login, &password);
    acting set_user_active(user_id: i64, active: bool) [need(Perm::ManageUsers)] -> User
        = |c, a| a.set_user_active(user_id, active);
    acting set_user_role(user_id: i64, role: Role, department_id: i64)
        [need(Perm::ManageUsers)] -> User = |c, a| a.set_user_role(user_id, role, department_id);

    // Reports.
    /// Opens the managers' reporting window (refused before it opens without the permission).
    acting open_reports() [need(Perm::ViewReports)] -> () = |c, a| {
        a.open_reports()?;
        c.host.open_reports()
    };
    /// The month's report and assessment, the same as `hotline report --month M --json`.
    acting monthly_report(month: String, department_id: Option<i64>) [need(Perm::ViewReports)]
        -> Value = |c, a| a.monthly_report(&month, department_id);
    /// Any period's report with filters (the reporting window's picker).
    acting period_report(request: ReportRequest) [need(Perm::ViewReports)] -> Value
        = |c, a| a.period_report(&request);
    /// The tickets behind a figure (its numerator, or its denominator).
    acting kpi_tickets(query: ReportQuery, key: String, denominator: bool)
        [need(Perm::ViewReports)] -> Vec<crate::model::TicketRow>
        = |c, a| a.kpi_tickets(&query, &key, denominator);
    /// The calls behind a call KPI.
    acting kpi_calls(query: ReportQuery, key: String, denominator: bool)
        [need(Perm::ViewReports)] -> Vec<crate::cdr::CallRow>
        = |c, a| a.kpi_calls(&query, &key, denominator);
    /// A period's report as XLSX or CSV, delivered to the user's own machine (the desk's
    /// Downloads folder); an existing file is replaced only with `replace`. Its path.
    acting export_report(request: ReportRequest, format: String, replace: Option<bool>)
        [need(Perm::ExportReports)] -> String = |c, a| {
        let (name, bytes) = a.report_file(&request, format == "csv")?;
        a.exported(&c.host.deliver(&name, &bytes, replace.unwrap_or(false))?)
    };

    /// Saves the report as the reporting window prints it, as a PDF beside the exports.
    acting save_report_pdf(request: ReportRequest, replace: Option<bool>)
        [need(Perm::ViewReports)] -> String = |c, a| a
        .save_report_pdf(&request, |name| c.host.save_print(name, replace.unwrap_or(false)))
        .map(|p| p.display().to_string());
    /// Opens a file this desk exported (only from the exports folder) in its viewer.
    desk open_export(path: String) [Desk] -> ()
        = |h| h.open_file(&crate::access::exported_file(&path, &h.downloads())?);

    // Audit, backups, retention.
    acting audit_entries(query: crate::store::AuditQuery) [need(Perm::ViewAudit)]
        -> Vec<crate::store::AuditEntry> = |c, a| a.audit_entries(&query);
    acting verify_audit() [need(Perm::ViewAudit)] -> crate::store::AuditReport
        = |c, a| a.verify_audit();
    acting backup_status() [need(Perm::ManageBackups)] -> crate::store::BackupStatus
        = |c, a| a.backup_status();
    acting backups() [need(Perm::ManageBackups)] -> Vec<crate::store::BackupInfo>
        = |c, a| a.backups();
    acting set_backup_passphrase(passphrase: String) [need(Perm::ManageBackups)] -> ()
        = |c, a| a.set_backup_passphrase(&passphrase);
    acting backup_now() [need(Perm::ManageBackups)] -> crate::store::BackupInfo
        = |c, a| a.backup_now(None, &mut |p| c.host.progress(p));
    acting verify_backup(name: String, passphrase: Option<String>) [need(Perm::ManageBackups)]
        -> crate::store::DrillReport
        = |c, a| a.verify_backup(&name, passphrase.as_deref(), &mut |p| c.host.progress(p));
    acting restore_backup(name: String, passphrase: Option<String>) [need(Perm::ManageBackups)]
        -> String = |c, a| a
        .restore_backup(&name, passphrase.as_deref(), &mut |p| c.host.progress(p))
        .map(|p| p.display().to_string());
    acting retention_plan() [need(Perm::ManageRetention)] -> crate::store::RetentionPlan
        = |c, a| a.retention_plan();
    acting anonymise() [need(Perm::ManageRetention)] -> crate::store::RetentionPlan
        = |c, a| a.anonymise();
}

#[cfg(test)]
#[path = "registry_tests.rs"]
mod tests;
