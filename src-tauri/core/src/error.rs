//! Typed errors with stable codes. The code is the contract: the UI and the CLI
//! translate by code, so never rename one; add new ones instead.

use serde::Serialize;
use serde_json::{json, Value};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{field} is required")]
    Required { field: &'static str },
    #[error("{field} is too long: {len} characters, at most {max}")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("{field} contains control characters")]
    ControlChars { field: &'static str },
    #[error("not a valid phone number: {input}")]
    PhoneInvalid { input: String },
    #[error("not a valid value for {field}: {value}")]
    InvalidValue { field: &'static str, value: String },
    #[error("the time of occurrence lies in the future")]
    OccurredInFuture,
    #[error("the deadline {deadline} is not after {after}")]
    DeadlineTooEarly { deadline: String, after: String },
    #[error("{entity} not found: {key}")]
    NotFound { entity: &'static str, key: String },
    #[error("{entity} is disabled: {key}")]
    Inactive { entity: &'static str, key: String },
    #[error("action {action} is not allowed while the ticket is {status}")]
    InvalidTransition { action: String, status: String },
    /// A role may not take a lifecycle action, or lacks a permission of the matrix
    /// (then `action` is the permission's name): one refusal, one code.
    #[error("{actor} ({role}) may not {action}")]
    Forbidden {
        action: String,
        actor: String,
        role: String,
        /// `action` names a permission of the matrix (not a lifecycle action).
        permission: bool,
    },
    #[error("the roster leaves {day} from {from} to {to} without a duty leader")]
    RosterGap {
        day: String,
        from: String,
        to: String,
    },
    #[error("a return request of this ticket is already waiting for the hotline's decision")]
    ReturnPending,
    #[error("this ticket is already proposed or approved as unreasonable for the assessment")]
    ExclusionExists,
    #[error("this entry of {month} was already appealed")]
    AppealExists { month: String },
    #[error("the entries of {month} could be appealed until {last_day}")]
    AppealWindowClosed { month: String, last_day: String },
    #[error("the ticket does not count against its department in {kpi} in {month}")]
    EntryNotCounted { kpi: String, month: String },
    #[error("the co-handling departments have not all replied: {departments}")]
    CoHandlingOwed { departments: String },
    #[error("{step} is not possible while the article is {state}")]
    ArticleStep { step: String, state: String },
    #[error("action {action} is not possible while the incident is {status}")]
    IncidentTransition { action: String, status: String },
    #[error("the incident was changed by {by} ({change}) since you opened it (version {actual}, you had {expected})")]
    IncidentChanged {
        expected: i64,
        actual: i64,
        by: String,
        change: String,
    },
    #[error("the ticket was changed by {by} ({change}) since you opened it (version {actual}, you had {expected})")]
    Conflict {
        expected: i64,
        actual: i64,
        /// Who made the latest change that conflicts, and what it was (empty if unknown).
        by: String,
        change: String,
    },
    #[error("an unsatisfied answer is re-dispatched with a deadline or closed with a reason; a satisfied one is neither")]
    RedispatchChoice,
    #[error(
        "the caller left no phone, e-mail or address: {action} needs one to reply or call back"
    )]
    ContactRequired { action: String },
    #[error("this complaint was marked risky: its answer reaches the complainant only after a legal reviewer cleared it")]
    LegalReviewPending,
    #[error("an extension request is already pending")]
    ExtensionPending,
    #[error("no extension request is pending")]
    NoExtensionPending,
    #[error("the reopen window of {days} days after closure has passed")]
    ReopenWindowPassed { days: i64 },
    #[error("the department could return the ticket only until {limit}")]
    ReturnWindowPassed { limit: String },
    #[error("no active administrator exists; create one with `hotline setup`")]
    NoActingUser,
    #[error("the database was written by a newer Hotline Desk (schema {found}, this version knows up to {supported}); upgrade the app")]
    DatabaseTooNew { found: i64, supported: i64 },
    #[error("the PostgreSQL database classifies characters as {ctype}: Chinese search would find nothing; create it with a UTF-8 LC_CTYPE such as C.UTF-8")]
    DatabaseLocale { ctype: String },
    #[error("the target database already holds a centre's data ({tables}): move into a new, empty database")]
    StoreNotEmpty { tables: String },
    #[error("the copy did not verify ({what}): nothing was committed")]
    CopyMismatch { what: String },
    #[error("{tool} failed: {detail}")]
    PgTool { tool: &'static str, detail: String },
    #[error("migration {version} failed: {reason}")]
    Migration { version: i64, reason: String },
    #[error("import failed at line {line}: {reason}")]
    ImportRow { line: u64, reason: String },
    #[error("the arguments of {command} are not valid: {reason}")]
    InvalidArguments { command: String, reason: String },
    #[error("{field} {value} is already taken")]
    Taken { field: &'static str, value: String },
    #[error("a file is already there: {path}")]
    FileExists { path: String },
    #[error("not signed in")]
    Unauthenticated,
    #[error("a centre server holds {path}: use it through the server")]
    HeldByServer { path: String },
    #[error("the sign-in has expired; sign in again")]
    SessionExpired,
    #[error("the centre server at {address} cannot be reached: {reason}")]
    Unreachable { address: String, reason: String },
    #[error("the centre server's certificate ({fingerprint}) is not the one this desk trusts")]
    UntrustedServer { fingerprint: String },
    #[error("the centre server speaks protocol {server}, this desk {desk}: install the matching version")]
    ProtocolMismatch { server: u32, desk: u32 },
    #[error("this needs the centre server, which cannot be reached now")]
    NeedsServer,
    #[error("the request is larger than the server accepts ({max} bytes)")]
    TooLarge { max: usize },
    #[error("the request took longer than {seconds} s and was stopped")]
    TimedOut { seconds: u64 },
    #[error("too many attempts from this address; try again in {seconds} s")]
    RateLimited { seconds: u64 },
    #[error("the screen is locked; enter the password to continue")]
    SessionLocked,
    #[error("wrong login name or password")]
    BadCredentials,
    #[error("the account is locked after repeated failures until {until}")]
    AccountLocked { until: String },
    #[error("the first administrator has already been created")]
    SetupDone,
    #[error("passwords need {min} to {max} characters, without leading or trailing spaces")]
    WeakPassword { min: usize, max: usize },
    #[error("not a plain file name: {path}")]
    InvalidPath { path: String },
    #[error("{0} is not set up")]
    NotConfigured(&'static str),
    #[error("not possible on this database: {what}")]
    Unsupported { what: &'static str },
    #[error("the backup cannot be decrypted with this passphrase")]
    BackupPassphrase,
    #[error("the backup is damaged: {reason}")]
    BackupCorrupt { reason: String },
    #[error("the backup was made by a newer Hotline Desk (schema {found}, this version knows up to {supported})")]
    BackupTooNew { found: i64, supported: i64 },
    #[error("internal error: {0}")]
    Internal(String),
    #[error("database error: {0}")]
    Db(#[from] crate::sql_value::DbError),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    #[error("CSV error: {0}")]
    Csv(#[from] csv::Error),
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
}

impl Error {
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Required { .. } => "required",
            Error::TooLong { .. } => "too_long",
            Error::ControlChars { .. } => "control_chars",
            Error::PhoneInvalid { .. } => "phone_invalid",
            Error::InvalidValue { .. } => "invalid_value",
            Error::OccurredInFuture => "occurred_in_future",
            Error::DeadlineTooEarly { .. } => "deadline_too_early",
            Error::NotFound { .. } => "not_found",
            Error::Inactive { .. } => "inactive",
            Error::InvalidTransition { .. } => "invalid_transition",
            Error::IncidentTransition { .. } => "incident_transition",
            Error::ArticleStep { .. } => "article_step",
            Error::CoHandlingOwed { .. } => "co_handling_owed",
            Error::ReturnPending => "return_pending",
            Error::ExclusionExists => "exclusion_exists",
            Error::AppealExists { .. } => "appeal_exists",
            Error::AppealWindowClosed { .. } => "appeal_window_closed",
            Error::EntryNotCounted { .. } => "entry_not_counted",
            Error::RosterGap { .. } => "roster_gap",
            Error::IncidentChanged { .. } => "incident_changed",
            Error::Forbidden { .. } => "forbidden",
            Error::Conflict { .. } => "conflict",
            Error::RedispatchChoice => "redispatch_choice",
            Error::ContactRequired { .. } => "contact_required",
            Error::LegalReviewPending => "legal_review_pending",
            Error::ExtensionPending => "extension_pending",
            Error::NoExtensionPending => "no_extension_pending",
            Error::ReopenWindowPassed { .. } => "reopen_window_passed",
            Error::ReturnWindowPassed { .. } => "return_window_passed",
            Error::NoActingUser => "no_acting_user",
            Error::DatabaseTooNew { .. } => "database_too_new",
            Error::DatabaseLocale { .. } => "database_locale",
            Error::StoreNotEmpty { .. } => "store_not_empty",
            Error::CopyMismatch { .. } => "copy_mismatch",
            Error::PgTool { .. } => "pg_tool",
            Error::Migration { .. } => "migration_failed",
            Error::ImportRow { .. } => "import_row",
            Error::FileExists { .. } => "file_exists",
            Error::Taken { .. } => "taken",
            Error::InvalidArguments { .. } => "invalid_arguments",
            Error::Unauthenticated => "unauthenticated",
            Error::SessionLocked => "session_locked",
            Error::SessionExpired => "session_expired",
            Error::HeldByServer { .. } => "held_by_server",
            Error::Unreachable { .. } => "unreachable",
            Error::UntrustedServer { .. } => "untrusted_server",
            Error::ProtocolMismatch { .. } => "protocol_mismatch",
            Error::NeedsServer => "needs_server",
            Error::TooLarge { .. } => "too_large",
            Error::TimedOut { .. } => "timed_out",
            Error::RateLimited { .. } => "rate_limited",
            Error::BadCredentials => "bad_credentials",
            Error::AccountLocked { .. } => "account_locked",
            Error::SetupDone => "setup_done",
            Error::WeakPassword { .. } => "weak_password",
            Error::InvalidPath { .. } => "invalid_path",
            Error::NotConfigured(_) => "not_configured",
            Error::Unsupported { .. } => "unsupported",
            Error::BackupPassphrase => "backup_passphrase",
            Error::BackupCorrupt { .. } => "backup_corrupt",
            Error::BackupTooNew { .. } => "backup_too_new",
            Error::Internal(_) => "internal",
            Error::Db(e) if is_busy(e) => "busy",
            Error::Db(_) => "database",
            Error::Io(_) => "io",
            Error::Csv(_) => "csv",
            Error::Json(_) => "json",
        }
    }

    /// Structured parameters for translated messages (`{field}`, `{max}`, ...).
    pub fn details(&self) -> Value {
        match self {
            Error::Required { field } | Error::ControlChars { field } => json!({ "field": field }),
            Error::TooLong { field, len, max } => json!({ "field": field, "len": len, "max": max }),
            Error::PhoneInvalid { input } => json!({ "input": input }),
            Error::InvalidValue { field, value } | Error::Taken { field, value } => {
                json!({ "field": field, "value": value })
            }
            Error::DeadlineTooEarly { deadline, after } => {
                json!({ "deadline": deadline, "after": after })
            }
            Error::NotFound { entity, key } | Error::Inactive { entity, key } => {
                json!({ "entity": entity, "key": key })
            }
            Error::InvalidTransition { action, status } => {
                json!({ "action": action, "status": status })
            }
            Error::RosterGap { day, from, to } => json!({ "day": day, "from": from, "to": to }),
            Error::ArticleStep { step, state } => json!({ "step": step, "state": state }),
            Error::CoHandlingOwed { departments } => json!({ "departments": departments }),
            Error::IncidentTransition { action, status } => {
                json!({ "incident_action": action, "incident_status": status })
            }
            Error::Forbidden {
                action,
                actor,
                role,
                permission,
            } => {
                // A refused permission is named by its permission label in the UI.
                let permission = permission.then_some(action);
                json!({ "action": action, "permission": permission, "actor": actor, "role": role })
            }
            Error::Conflict {
                expected,
                actual,
                by,
                change,
            }
            | Error::IncidentChanged {
                expected,
                actual,
                by,
                change,
            } => {
                json!({ "expected": expected, "actual": actual, "by": by, "action": change })
            }
            Error::ReopenWindowPassed { days } => json!({ "days": days }),
            Error::ContactRequired { action } => json!({ "action": action }),
            Error::RateLimited { seconds } => json!({ "seconds": seconds }),
            Error::ReturnWindowPassed { limit } => json!({ "limit": limit }),
            Error::AppealExists { month } => json!({ "month": month }),
            Error::AppealWindowClosed { month, last_day } => {
                json!({ "month": month, "last_day": last_day })
            }
            Error::EntryNotCounted { kpi, month } => json!({ "kpi": kpi, "month": month }),
            Error::DatabaseTooNew { found, supported } => {
                json!({ "found": found, "supported": supported })
            }
            Error::DatabaseLocale { ctype } => json!({ "ctype": ctype }),
            Error::StoreNotEmpty { tables } => json!({ "tables": tables }),
            Error::CopyMismatch { what } => json!({ "what": what }),
            Error::PgTool { tool, detail } => json!({ "tool": tool, "detail": detail }),
            Error::AccountLocked { until } => json!({ "until": until }),
            Error::WeakPassword { min, max } => json!({ "min": min, "max": max }),
            Error::InvalidPath { path }
            | Error::FileExists { path }
            | Error::HeldByServer { path } => {
                json!({ "path": path })
            }
            Error::NotConfigured(what) | Error::Unsupported { what } => json!({ "what": what }),
            Error::Unreachable { address, reason } => {
                json!({ "address": address, "reason": reason })
            }
            Error::UntrustedServer { fingerprint } => json!({ "fingerprint": fingerprint }),
            Error::ProtocolMismatch { server, desk } => json!({ "server": server, "desk": desk }),
            Error::TooLarge { max } => json!({ "max": max }),
            Error::TimedOut { seconds } => json!({ "seconds": seconds }),
            Error::BackupCorrupt { reason } => json!({ "reason": reason }),
            Error::BackupTooNew { found, supported } => {
                json!({ "found": found, "supported": supported })
            }
            Error::Migration { version, reason } => json!({ "version": version, "reason": reason }),
            Error::ImportRow { line, reason } => json!({ "line": line, "reason": reason }),
            Error::InvalidArguments { command, reason } => {
                json!({ "command": command, "reason": reason })
            }
            _ => json!({}),
        }
    }

    pub fn to_wire(&self) -> WireError {
        WireError {
            code: self.code().to_string(),
            message: self.to_string(),
            details: self.details(),
        }
    }
}

fn is_busy(e: &crate::sql_value::DbError) -> bool {
    matches!(e, crate::sql_value::DbError::Backend { busy: true, .. })
}

/// What crosses the IPC boundary and what `--json` prints on failure.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct WireError {
    pub code: String,
    pub message: String,
    pub details: Value,
}

impl From<Error> for WireError {
    fn from(e: Error) -> Self {
        e.to_wire()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form_carries_code_and_details() {
        let w = Error::TooLong {
            field: "description",
            len: 20001,
            max: 20000,
        }
        .to_wire();
        assert_eq!(w.code, "too_long");
        assert_eq!(w.details["max"], 20000);
        assert!(w.message.contains("description"));
    }

    #[test]
    fn one_refusal_code_names_a_permission_only_when_it_is_one() {
        let refused = |permission| Error::Forbidden {
            action: "view_reports".into(),
            actor: "张三".into(),
            role: "agent".into(),
            permission,
        };
        assert_eq!(refused(true).code(), "forbidden");
        assert_eq!(refused(true).details()["permission"], "view_reports");
        assert!(refused(false).details()["permission"].is_null());
    }
}
