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
            ViewTickets | CreateTickets | ActOnTickets | RevealPersonal | ViewReports | ExportReports
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
        let mut page = self.need(Perm::ViewTickets)?.list_as(self.user.id, q)?;
        page.rows.mask();
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
        if !PERSONAL_SETTINGS.contains(&key) {
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
    pub fn export_tickets(&self, json_format: bool, personal: bool, out: impl std::io::Write) -> Result<u64> {
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
            if json_format { "tickets.json" } else { "tickets.csv" },
            json!({ "kind": "tickets", "personal": personal, "rows": n }),
        )?;
        Ok(n)
    }
}
