//! The permission door for reference data, settings, accounts, the audit log, backups,
//! retention and demo data: the administration of the centre, each change logged.

use super::{Acting, Reference};
use crate::error::Result;
use crate::model::{Perm, Role, User};
use serde_json::json;
use std::collections::BTreeMap;

impl<'s> Acting<'s> {
    /// Departments, categories and staff: every screen names them.
    pub fn reference(&self) -> Result<Reference> {
        let s = self.need(Perm::ViewTickets)?;
        Ok(Reference {
            departments: s.departments()?,
            categories: s.categories()?,
            users: s.users()?,
            return_reasons: s.return_reasons()?,
        })
    }

    pub fn settings(&self) -> Result<BTreeMap<String, String>> {
        Ok(self.store.settings_for(self.user.id)?.into_iter().collect())
    }

    pub fn sla_policies(&self) -> Result<Vec<crate::sla::SlaPolicy>> {
        self.need(Perm::ViewTickets)?.sla_policies()
    }

    /// The acceptance and handling deadlines the SLA policies give a transfer made now.
    pub fn suggest_deadlines(
        &self,
        category: &str,
        severity: crate::model::Severity,
    ) -> Result<Vec<crate::sla::Suggested>> {
        self.need(Perm::ViewTickets)?
            .suggest_deadlines(category, severity)
    }

    pub fn suggest_ticket_deadline(
        &self,
        id: i64,
        kind: crate::model::ActionKind,
    ) -> Result<Option<crate::sla::Suggested>> {
        let s = self.need(Perm::ViewTickets)?;
        self.ticket_in_scope(&s.ticket(id)?)?;
        s.suggest_for_ticket(id, kind)
    }

    pub fn department_by_code(&self, code: &str) -> Result<crate::model::Department> {
        self.need(Perm::ViewTickets)?.department_by_code(code)
    }

    pub fn calendar(&self, name: &str) -> Result<crate::calendar::Calendar> {
        self.need(Perm::ViewTickets)?.calendar(name)
    }

    pub fn calendar_names(&self) -> Result<Vec<String>> {
        self.need(Perm::ViewTickets)?.calendar_names()
    }

    pub fn reply_templates(&self) -> Result<Vec<crate::store::ReplyTemplate>> {
        self.need(Perm::ViewTickets)?.reply_templates()
    }

    pub fn create_reply_template(
        &self,
        field: &str,
        category_id: Option<i64>,
        text: &str,
    ) -> Result<crate::store::ReplyTemplate> {
        self.need(Perm::ManageReference)?.create_reply_template(
            Some(&self.user),
            field,
            category_id,
            text,
        )
    }

    pub fn delete_reply_template(&self, id: i64) -> Result<()> {
        self.need(Perm::ManageReference)?
            .delete_reply_template(Some(&self.user), id)
    }

    pub fn calendars(&self) -> Result<Vec<crate::store::CalendarView>> {
        self.need(Perm::ViewTickets)?.calendar_overview()
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let s = if crate::settings::is_personal(key) {
            self.store
        } else {
            self.need(Perm::ManageSettings)?
        };
        s.set_setting(Some(&self.user), key, value)
    }

    pub fn create_department(
        &self,
        code: &str,
        name: &str,
        parent: Option<i64>,
    ) -> Result<crate::model::Department> {
        self.need(Perm::ManageReference)?
            .create_department(Some(&self.user), code, name, parent)
    }

    pub fn create_category(
        &self,
        code: &str,
        name: &str,
        parent: Option<i64>,
        default_days: i64,
    ) -> Result<crate::model::Category> {
        self.need(Perm::ManageReference)?.create_category(
            Some(&self.user),
            code,
            name,
            parent,
            default_days,
        )
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
            Some(&self.user),
            stage,
            category_id,
            severity,
            span,
            calendar,
        )
    }

    pub fn set_calendar_day(
        &self,
        calendar: &str,
        date: chrono::NaiveDate,
        kind: Option<crate::calendar::DayKind>,
        note: &str,
    ) -> Result<()> {
        self.need(Perm::ManageReference)?.set_calendar_day(
            Some(&self.user),
            calendar,
            date,
            kind,
            note,
        )
    }

    pub fn import_ics(&self, calendar: &str, text: &str) -> Result<crate::store::IcsReport> {
        self.need(Perm::ManageReference)?
            .import_ics(Some(&self.user), calendar, text)
    }

    /// A user without a sign-in yet (set one with `set_password`).
    pub fn create_user(
        &self,
        name: &str,
        department_id: i64,
        role: Role,
        extension: Option<&str>,
    ) -> Result<User> {
        let s = self.need(Perm::ManageUsers)?;
        let u = s.create_user(Some(&self.user), name, department_id, role)?;
        if extension.is_some() {
            s.set_user_extension(u.id, extension)?;
        }
        self.onboard(&u)?;
        Ok(u)
    }

    pub fn accounts(&self) -> Result<Vec<crate::store::Account>> {
        self.need(Perm::ManageUsers)?.accounts()
    }

    pub fn create_account(&self, a: &crate::store::NewAccount) -> Result<User> {
        let u = self
            .need(Perm::ManageUsers)?
            .create_account(&self.user, a)?;
        self.onboard(&u)?;
        Ok(u)
    }

    /// A new agent's onboarding starts with their record.
    fn onboard(&self, u: &User) -> Result<()> {
        if u.role == Role::Agent {
            self.store.start_onboarding(self.author(), u.id, None)?;
        }
        Ok(())
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
        progress: &mut dyn FnMut(crate::files::Progress),
    ) -> Result<crate::store::BackupInfo> {
        self.need(Perm::ManageBackups)?
            .backup_now(Some(&self.user), passphrase, progress)
    }

    pub fn verify_backup(
        &self,
        name: &str,
        passphrase: Option<&str>,
        progress: &mut dyn FnMut(crate::files::Progress),
    ) -> Result<crate::store::DrillReport> {
        self.need(Perm::ManageBackups)?
            .verify_backup(Some(&self.user), name, passphrase, progress)
    }

    pub fn restore_backup(
        &self,
        name: &str,
        passphrase: Option<&str>,
        progress: &mut dyn FnMut(crate::files::Progress),
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
        // The demo centre answers its callers from a knowledge base too (once).
        if s.articles(&Default::default())?.is_empty() {
            crate::seed_kb::seed(s, &self.user, crate::seed_kb::DEMO.len())?;
        }
        self.log("demo_loaded", "", json!({ "tickets": opts.tickets }))?;
        Ok(r)
    }
}
