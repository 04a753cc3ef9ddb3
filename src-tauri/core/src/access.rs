//! Who may do what. `allows` is the permission matrix (role × permission); `Acting` is
//! the store as one signed-in user sees it: every operation the desk and the CLI offer
//! checks its permission here, applies the department scope and masks personal data
//! before anything leaves the domain. The shell only forwards.

use crate::error::{Error, Result};
use crate::escalation::Prefs;
use crate::lifecycle::Action;
use crate::mask::Mask;
use crate::model::{Perm, Role, Ticket, TicketDetail, TicketRow, User};
use crate::store::{ListQuery, NotificationRow, Page, Store};
use crate::NewTicket;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

/// The permission matrix. Masked display is the default for everyone; revealing one
/// caller's data is a logged act of the roles that must phone callers back.
pub fn allows(role: Role, perm: Perm) -> bool {
    use Perm::*;
    match role {
        Role::Agent => matches!(
            perm,
            ViewTickets | CreateTickets | ActOnTickets | RevealPersonal
        ),
        Role::Handler => matches!(perm, ViewTickets | ActOnTickets | RevealPersonal),
        Role::Supervisor => matches!(
            perm,
            ViewTickets
                | CreateTickets
                | ActOnTickets
                | RevealPersonal
                | ViewReports
                | ExportReports
        ),
        Role::Manager => matches!(
            perm,
            ViewTickets | ActOnTickets | ViewReports | ExportReports | ImportCalls
        ),
        // Administration without reading callers' data: bulk export is the one way,
        // with its own permission and a log entry.
        Role::Admin => !matches!(perm, RevealPersonal),
    }
}

/// Every permission a role has, for the UI (which hides what the backend refuses).
pub fn permissions(role: Role) -> Vec<Perm> {
    Perm::ALL
        .iter()
        .copied()
        .filter(|p| allows(role, *p))
        .collect()
}

/// A department handler sees and acts on their own department's tickets only.
pub fn department_scope(user: &User) -> Option<i64> {
    (user.role == Role::Handler).then_some(user.department_id)
}

pub fn sees(user: &User, ticket_department: Option<i64>) -> bool {
    match department_scope(user) {
        Some(d) => ticket_department == Some(d),
        None => true,
    }
}

/// The clear personal data of one ticket, returned by a logged reveal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revealed {
    pub ticket_id: i64,
    pub phone: String,
    pub phone_ext: Option<String>,
    pub description: String,
    pub answer: Option<String>,
    pub result: Option<String>,
    pub requirements: Option<String>,
}

/// Settings anyone signed in may change (they are about their own screen).
const PERSONAL_SETTINGS: &[&str] = &["ui_language"];

/// The store seen by one signed-in user.
pub struct Acting<'s> {
    store: &'s Store,
    user: User,
}

impl Store {
    /// The store as `user_id` may use it; a disabled or unknown user is refused.
    pub fn acting(&self, user_id: i64) -> Result<Acting<'_>> {
        let user = self.user(user_id).map_err(|e| match e {
            Error::NotFound { .. } => Error::Unauthenticated,
            e => e,
        })?;
        if !user.active {
            return Err(Error::Unauthenticated);
        }
        Ok(Acting { store: self, user })
    }
}

impl<'s> Acting<'s> {
    pub fn user(&self) -> &User {
        &self.user
    }

    pub fn store(&self) -> &'s Store {
        self.store
    }

    pub fn permissions(&self) -> Vec<Perm> {
        permissions(self.user.role)
    }

    /// The store itself, for an operation that needs `perm` and nothing more.
    pub fn need(&self, perm: Perm) -> Result<&'s Store> {
        if allows(self.user.role, perm) {
            Ok(self.store)
        } else {
            Err(Error::Denied {
                permission: perm.as_str().into(),
                actor: self.user.name.clone(),
                role: self.user.role.as_str().into(),
            })
        }
    }

    fn ticket_in_scope(&self, t: &Ticket) -> Result<()> {
        if sees(&self.user, t.department_id) {
            Ok(())
        } else {
            Err(Error::Denied {
                permission: Perm::ViewTickets.as_str().into(),
                actor: self.user.name.clone(),
                role: self.user.role.as_str().into(),
            })
        }
    }

    pub fn queue_counts(&self) -> Result<BTreeMap<crate::model::Queue, i64>> {
        self.need(Perm::ViewTickets)?.queue_counts(self.user.id)
    }

    pub fn list(&self, q: &ListQuery) -> Result<Page> {
        let s = self.need(Perm::ViewTickets)?;
        let mut page = s.list_as(self.user.id, q)?;
        page.rows.mask();
        // Where the words matched, marked in the masked text (never the clear one).
        if let Some(needle) = q
            .search
            .as_deref()
            .map(str::trim)
            .filter(|t| crate::search::Query::parse(t).is_words())
        {
            let ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
            for (texts, row) in s.texts(&ids)?.into_iter().zip(page.rows.iter_mut()) {
                row.snippet = texts
                    .iter()
                    .find_map(|t| crate::search::snippet(&crate::mask::text(t), needle, 60));
            }
        }
        Ok(page)
    }

    pub fn detail(&self, id: i64) -> Result<(TicketDetail, Vec<&'static str>)> {
        let (d, allowed) = self.need(Perm::ViewTickets)?.detail_for(id, self.user.id)?;
        self.ticket_in_scope(&d.ticket)?;
        let allowed = if allows(self.user.role, Perm::ActOnTickets) {
            allowed
        } else {
            vec![]
        };
        Ok((d.masked(), allowed))
    }

    pub fn intake(&self, new: &NewTicket, then: Option<&Action>) -> Result<Ticket> {
        self.need(Perm::CreateTickets)?;
        if then.is_some() {
            self.need(Perm::ActOnTickets)?;
        }
        Ok(self.store.intake(self.user.id, new, then)?.masked())
    }

    pub fn act(&self, id: i64, version: i64, action: &Action) -> Result<Ticket> {
        let s = self.need(Perm::ActOnTickets)?;
        self.ticket_in_scope(&s.ticket(id)?)?;
        Ok(s.act(id, version, self.user.id, action)?.masked())
    }

    /// The caller's earlier tickets while an agent types the number at intake.
    pub fn history(&self, phone: &str) -> Result<Vec<TicketRow>> {
        Ok(self.need(Perm::CreateTickets)?.history(phone)?.masked())
    }

    /// Shows one ticket's personal data in clear, for a stated reason, logged first.
    pub fn reveal(&self, ticket_id: i64, reason: &str) -> Result<Revealed> {
        let s = self.need(Perm::RevealPersonal)?;
        let reason = crate::validate::text("reason", reason, crate::validate::NOTE_MAX)?;
        let t = s.ticket(ticket_id)?;
        self.ticket_in_scope(&t)?;
        s.audit(
            Some(&self.user),
            "reveal",
            &t.number,
            json!({ "ticket_id": t.id, "reason": reason }),
        )?;
        Ok(Revealed {
            ticket_id: t.id,
            phone: t.phone,
            phone_ext: t.phone_ext,
            description: t.description,
            answer: t.answer,
            result: t.result,
            requirements: t.requirements,
        })
    }

    pub fn notifications(&self, limit: u32) -> Result<(i64, Vec<NotificationRow>)> {
        Ok((
            self.store.unread_notifications(self.user.id)?,
            self.store.notifications(self.user.id, limit)?,
        ))
    }

    pub fn mark_notifications_read(&self) -> Result<()> {
        self.store.mark_notifications_read(self.user.id)
    }

    pub fn notification_prefs(&self) -> Result<Prefs> {
        self.store.notification_prefs(self.user.id)
    }

    pub fn set_notification_prefs(&self, prefs: &Prefs) -> Result<()> {
        self.store.set_notification_prefs(self.user.id, prefs)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let s = if PERSONAL_SETTINGS.contains(&key) {
            self.store
        } else {
            self.need(Perm::ManageSettings)?
        };
        let before = s.setting(key).ok();
        s.set_setting(key, value)?;
        // Saving a form unchanged is not a change worth a log entry.
        if !PERSONAL_SETTINGS.contains(&key) && before.as_deref() != Some(value.trim()) {
            s.audit(
                Some(&self.user),
                "setting_changed",
                key,
                json!({ "from": before, "to": value.trim() }),
            )?;
        }
        Ok(())
    }

    pub fn change_password(&self, old: &str, new: &str) -> Result<()> {
        self.store.change_password(&self.user, old, new)
    }

    /// Report drill-downs list tickets: masked like every other list.
    pub fn kpi_tickets(
        &self,
        q: &crate::report::ReportQuery,
        key: &str,
        denominator: bool,
    ) -> Result<Vec<TicketRow>> {
        Ok(self
            .need(Perm::ViewReports)?
            .kpi_tickets(q, key, denominator)?
            .masked())
    }

    pub fn kpi_calls(
        &self,
        q: &crate::report::ReportQuery,
        key: &str,
        denominator: bool,
    ) -> Result<Vec<crate::store::CallRow>> {
        Ok(self
            .need(Perm::ViewReports)?
            .kpi_calls(q, key, denominator)?
            .masked())
    }

    /// Writes a report file; logged like every export.
    pub fn export_report(
        &self,
        req: &crate::report::ReportRequest,
        csv: bool,
        dir: &std::path::Path,
    ) -> Result<std::path::PathBuf> {
        let s = self.need(Perm::ExportReports)?;
        let doc = s.period_report(req)?;
        let path = dir.join(crate::export::file_name(&doc, csv));
        crate::export::write_report(&doc, &s.setting("ui_language")?, &path)?;
        s.audit(
            Some(&self.user),
            "export",
            &path.display().to_string(),
            json!({ "kind": "report", "personal": false }),
        )?;
        Ok(path)
    }

    /// Every ticket as CSV or JSON; personal data in clear only with its permission.
    pub fn export_tickets(
        &self,
        json_format: bool,
        personal: bool,
        out: impl std::io::Write,
    ) -> Result<u64> {
        let s = self.need(if personal {
            Perm::ExportPersonal
        } else {
            Perm::ViewTickets
        })?;
        if department_scope(&self.user).is_some() {
            // Bulk exports are whole-centre documents.
            self.need(Perm::ExportPersonal)?;
        }
        let n = if json_format {
            crate::exchange::export_json(s, out, !personal)?
        } else {
            crate::exchange::export_csv(s, out, !personal)?
        };
        s.audit(
            Some(&self.user),
            "export",
            if json_format {
                "tickets.json"
            } else {
                "tickets.csv"
            },
            json!({ "kind": "tickets", "personal": personal, "rows": n }),
        )?;
        Ok(n)
    }

    // Reference data and settings.

    pub fn create_department(
        &self,
        code: &str,
        name: &str,
        parent: Option<i64>,
    ) -> Result<crate::model::Department> {
        let d = self
            .need(Perm::ManageReference)?
            .create_department(code, name, parent)?;
        self.log("department_created", &d.code, json!({ "name": d.name }))?;
        Ok(d)
    }

    pub fn create_category(
        &self,
        code: &str,
        name: &str,
        parent: Option<i64>,
        default_days: i64,
    ) -> Result<crate::model::Category> {
        let c =
            self.need(Perm::ManageReference)?
                .create_category(code, name, parent, default_days)?;
        self.log("category_created", &c.code, json!({ "name": c.name }))?;
        Ok(c)
    }

    pub fn set_sla_policy(
        &self,
        stage: crate::sla::Stage,
        category_id: Option<i64>,
        severity: Option<crate::model::Severity>,
        span: crate::calendar::Span,
        calendar: &str,
    ) -> Result<()> {
        self.need(Perm::ManageReference)?.set_sla_policy(
            stage,
            category_id,
            severity,
            span,
            calendar,
        )?;
        self.log(
            "sla_changed",
            stage.as_str(),
            json!({ "category_id": category_id, "severity": severity, "span": span, "calendar": calendar }),
        )
    }

    pub fn set_calendar_day(
        &self,
        calendar: &str,
        date: chrono::NaiveDate,
        kind: Option<crate::calendar::DayKind>,
        note: &str,
    ) -> Result<()> {
        self.need(Perm::ManageReference)?
            .set_calendar_day(calendar, date, kind, note)?;
        self.log(
            "calendar_changed",
            calendar,
            json!({ "date": date, "kind": kind }),
        )
    }

    pub fn import_ics(&self, calendar: &str, text: &str) -> Result<crate::store::IcsReport> {
        let r = self
            .need(Perm::ManageReference)?
            .import_ics(calendar, text)?;
        self.log("calendar_imported", calendar, json!({ "report": r }))?;
        Ok(r)
    }

    // Accounts.

    /// A user without a sign-in yet (set one with `set_password`).
    pub fn create_user(
        &self,
        name: &str,
        department_id: i64,
        role: Role,
        extension: Option<&str>,
    ) -> Result<User> {
        let s = self.need(Perm::ManageUsers)?;
        let u = s.create_user(name, department_id, role)?;
        if extension.is_some() {
            s.set_user_extension(u.id, extension)?;
        }
        self.log(
            "user_created",
            &u.id.to_string(),
            json!({ "name": u.name, "role": u.role }),
        )?;
        Ok(u)
    }

    pub fn accounts(&self) -> Result<Vec<crate::store::Account>> {
        self.need(Perm::ManageUsers)?.accounts()
    }

    pub fn create_account(&self, a: &crate::store::NewAccount) -> Result<User> {
        self.need(Perm::ManageUsers)?.create_account(&self.user, a)
    }

    pub fn set_password(&self, user_id: i64, login: &str, password: &str) -> Result<()> {
        self.need(Perm::ManageUsers)?
            .set_password(&self.user, user_id, login, password)
    }

    pub fn set_user_active(&self, user_id: i64, active: bool) -> Result<User> {
        self.need(Perm::ManageUsers)?
            .set_user_active(&self.user, user_id, active)
    }

    pub fn set_user_role(&self, user_id: i64, role: Role, department_id: i64) -> Result<User> {
        self.need(Perm::ManageUsers)?
            .set_user_role(&self.user, user_id, role, department_id)
    }

    // Reports.

    /// The reporting window opens only for those who may read reports.
    pub fn open_reports(&self) -> Result<()> {
        self.need(Perm::ViewReports).map(|_| ())
    }

    pub fn period_report(&self, req: &crate::report::ReportRequest) -> Result<serde_json::Value> {
        self.need(Perm::ViewReports)?.period_report(req)
    }

    pub fn monthly_report(
        &self,
        month: &str,
        department_id: Option<i64>,
    ) -> Result<serde_json::Value> {
        self.need(Perm::ViewReports)?
            .monthly_report(month, department_id)
    }

    /// Writes an already computed report document to `path` (the CLI's `--export`).
    pub fn write_report(
        &self,
        doc: &serde_json::Value,
        lang: &str,
        path: &std::path::Path,
    ) -> Result<()> {
        self.need(Perm::ExportReports)?;
        crate::export::write_report(doc, lang, path)?;
        self.log(
            "export",
            &path.display().to_string(),
            json!({ "kind": "report", "personal": false }),
        )
    }

    pub fn save_cdr_mapping(&self, name: &str, mapping: &crate::cdr::Mapping) -> Result<()> {
        self.need(Perm::ImportCalls)?
            .save_cdr_mapping(name, mapping)?;
        self.log("cdr_mapping_saved", name, json!({}))
    }

    pub fn import_calls(
        &self,
        calls: &[crate::cdr::Call],
        source: &str,
        bad_rows: Vec<crate::cdr::BadRow>,
    ) -> Result<crate::store::CallImport> {
        let r = self
            .need(Perm::ImportCalls)?
            .import_calls(calls, source, bad_rows)?;
        self.log("calls_imported", "", json!({ "imported": r.imported }))?;
        Ok(r)
    }

    // Audit, backups, retention.

    pub fn audit_entries(
        &self,
        q: &crate::store::AuditQuery,
    ) -> Result<Vec<crate::store::AuditEntry>> {
        self.need(Perm::ViewAudit)?.audit_entries(q)
    }

    pub fn verify_audit(&self) -> Result<crate::store::AuditReport> {
        self.need(Perm::ViewAudit)?.verify_audit()
    }

    pub fn backup_status(&self) -> Result<crate::store::BackupStatus> {
        self.need(Perm::ManageBackups)?.backup_status()
    }

    pub fn backups(&self) -> Result<Vec<crate::store::BackupInfo>> {
        self.need(Perm::ManageBackups)?.backups()
    }

    pub fn set_backup_passphrase(&self, passphrase: &str) -> Result<()> {
        self.need(Perm::ManageBackups)?
            .set_backup_passphrase(&self.user, passphrase)
    }

    pub fn backup_now(
        &self,
        passphrase: Option<&str>,
        progress: &mut dyn FnMut(crate::store::Progress),
    ) -> Result<crate::store::BackupInfo> {
        self.need(Perm::ManageBackups)?
            .backup_now(Some(&self.user), passphrase, progress)
    }

    pub fn verify_backup(
        &self,
        name: &str,
        passphrase: Option<&str>,
        progress: &mut dyn FnMut(crate::store::Progress),
    ) -> Result<crate::store::DrillReport> {
        self.need(Perm::ManageBackups)?
            .verify_backup(Some(&self.user), name, passphrase, progress)
    }

    pub fn restore_backup(
        &self,
        name: &str,
        passphrase: Option<&str>,
        progress: &mut dyn FnMut(crate::store::Progress),
    ) -> Result<std::path::PathBuf> {
        self.need(Perm::ManageBackups)?
            .restore_backup(Some(&self.user), name, passphrase, progress)
    }

    pub fn retention_plan(&self) -> Result<crate::store::RetentionPlan> {
        self.need(Perm::ManageRetention)?.retention_plan()
    }

    pub fn anonymise(&self) -> Result<crate::store::RetentionPlan> {
        self.need(Perm::ManageRetention)?
            .anonymise(Some(&self.user))
    }

    pub fn load_demo(
        &self,
        opts: crate::seed::SeedOptions,
        progress: impl FnMut(u64),
    ) -> Result<crate::seed::SeedReport> {
        let s = self.need(Perm::LoadDemo)?;
        let r = crate::seed::seed_with_progress(s, opts, progress)?;
        self.log("demo_loaded", "", json!({ "tickets": opts.tickets }))?;
        Ok(r)
    }

    pub fn import_tickets(
        &self,
        input: impl std::io::Read,
        strict: bool,
    ) -> Result<crate::exchange::ImportReport> {
        let s = self.need(Perm::ImportTickets)?;
        let r = crate::exchange::import_csv(s, self.user.id, input, strict)?;
        self.log(
            "tickets_imported",
            "",
            json!({ "imported": r.imported, "errors": r.errors.len() }),
        )?;
        Ok(r)
    }

    fn log(&self, action: &str, target: &str, detail: serde_json::Value) -> Result<()> {
        self.store.audit(Some(&self.user), action, target, detail)
    }
}
