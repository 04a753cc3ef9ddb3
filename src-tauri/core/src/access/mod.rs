//! The permission door. `Acting` is the store as one signed-in user sees it: every
//! operation the registry serves checks its permission here (the matrix is
//! `permissions::allows`), applies the department scope and masks personal data before
//! anything leaves the domain. Tickets and the user's own things are here; reports and
//! exports in `reports`, the centre's administration in `admin`.

use crate::alarms::Prefs;
use crate::error::{Error, Result};
use crate::lifecycle::Action;
use crate::mask::Mask;
use crate::model::{Perm, Ticket, TicketDetail, TicketRow, User};
use crate::permissions::{allows, permissions, sees};
use crate::store::{ListQuery, NotificationRow, Page, Store};
use crate::NewTicket;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

mod admin;
mod assessment;
mod attachments;
mod complaints;
mod dispatch;
mod incidents;
mod kb;
mod merges;
mod qa;
pub use qa::{Calibration, Recording, ReviewScope};
mod reports;
mod roster;
mod supervision;
mod training;

/// The reference data every screen names: departments, categories, staff.
#[derive(Debug, Clone, Serialize)]
pub struct Reference {
    pub departments: Vec<crate::model::Department>,
    pub categories: Vec<crate::model::Category>,
    pub users: Vec<User>,
    /// The return reasons (退单理由), those taken off the list too (old requests name them).
    pub return_reasons: Vec<crate::store::ReasonRow>,
}

/// A file this desk exported, to be opened: only one in the exports folder, of a kind the
/// desk writes, that exists. Anything else is refused (the webview must not make the desk
/// open arbitrary paths).
pub fn exported_file(path: &str, dir: &std::path::Path) -> Result<std::path::PathBuf> {
    let refuse = || Error::InvalidPath {
        path: path.chars().take(200).collect(),
    };
    let p = std::fs::canonicalize(path).map_err(|_| refuse())?;
    let dir = std::fs::canonicalize(dir).map_err(|_| refuse())?;
    // What the desk exports, and the kept files it saves (types no viewer runs).
    let kind = p
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let known = crate::attachment::TYPES.iter().any(|(e, _)| *e == kind);
    if p.parent() != Some(dir.as_path()) || !known || !p.is_file() {
        return Err(refuse());
    }
    Ok(p)
}

/// The clear personal data of one ticket, returned by a logged reveal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revealed {
    pub ticket_id: i64,
    /// An anonymous caller's identity stays with the hotline: a department's reveal
    /// shows the texts, never the name or the contact.
    pub anonymous: bool,
    pub caller_name: String,
    pub phone: String,
    pub phone_ext: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub description: String,
    pub answer: Option<String>,
    pub result: Option<String>,
    pub requirements: Option<String>,
}

/// The store seen by one signed-in user. Front doors (desk, CLI, server) reach data only
/// through its methods — the store itself stays inside — so none can go around the
/// permission matrix and the masking.
pub struct Acting<'s> {
    store: &'s Store,
    user: User,
    /// Where the user works from (a server's seat: host name and address), recorded
    /// with every entry this user's actions write to the audit log.
    seat: Option<String>,
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
        Ok(Acting {
            store: self,
            user,
            seat: None,
        })
    }
}

impl<'s> Acting<'s> {
    /// The same user at a named seat (the audit log says where).
    pub fn at(mut self, seat: Option<String>) -> Self {
        self.seat = seat;
        self
    }

    pub fn user(&self) -> &User {
        &self.user
    }

    /// Reads a time typed by a person in the centre's zone (no data behind it).
    pub fn parse_time(&self, s: &str) -> Result<chrono::DateTime<chrono::Utc>> {
        self.store.parse_time(s)
    }

    pub fn timezone(&self) -> Result<chrono_tz::Tz> {
        self.store.timezone()
    }

    /// A ticket's id from its number, if the user may see it.
    pub fn ticket_id_by_number(&self, number: &str) -> Result<i64> {
        let s = self.need(Perm::ViewTickets)?;
        let id = s.ticket_id_by_number(number)?;
        self.ticket_in_scope(&s.ticket(id)?)?;
        Ok(id)
    }

    /// Claims the built-in administrator (only while the file has none with a password).
    pub fn setup_admin(&self, login: &str, name: &str, password: &str) -> Result<User> {
        self.store.setup_admin(login, name, password)
    }

    pub fn permissions(&self) -> Vec<Perm> {
        permissions(self.user.role)
    }

    /// The store itself, for an operation that needs `perm` and nothing more.
    pub fn need(&self, perm: Perm) -> Result<&'s Store> {
        if allows(self.user.role, perm) {
            Ok(self.store)
        } else {
            Err(Error::Forbidden {
                action: perm.as_str().into(),
                actor: self.user.name.clone(),
                role: self.user.role.as_str().into(),
                permission: true,
            })
        }
    }

    /// A handler sees their department's tickets and those it co-handles (协办).
    fn ticket_in_scope(&self, t: &Ticket) -> Result<()> {
        if sees(&self.user, t.department_id)
            || self.store.co_handles(t.id, self.user.department_id)?
        {
            Ok(())
        } else {
            Err(Error::Forbidden {
                action: Perm::ViewTickets.as_str().into(),
                actor: self.user.name.clone(),
                role: self.user.role.as_str().into(),
                permission: true,
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

    pub fn detail(&self, id: i64) -> Result<(TicketDetail, Vec<crate::model::ActionKind>)> {
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

    /// This seat has ticket `id` open (or none; `editing` with an action's form open): who
    /// else has it open, so two people do not work on it unawares.
    pub fn presence(&self, id: Option<i64>, editing: bool) -> Result<Vec<crate::store::Presence>> {
        let s = self.need(Perm::ViewTickets)?;
        if let Some(id) = id {
            self.ticket_in_scope(&s.ticket(id)?)?;
        }
        Ok(s.present(
            &self.user,
            self.seat.as_deref().unwrap_or("this desk"),
            id,
            editing,
        ))
    }

    /// A call a desk logged while the server could not be reached (see `Store::intake_offline`).
    pub fn intake_offline(
        &self,
        key: &str,
        taken_at: chrono::DateTime<chrono::Utc>,
        new: &NewTicket,
        then: Option<&Action>,
    ) -> Result<Ticket> {
        self.need(Perm::CreateTickets)?;
        if then.is_some() {
            self.need(Perm::ActOnTickets)?;
        }
        let (t, _) = self
            .store
            .intake_offline(self.user.id, key, taken_at, new, then)?;
        Ok(t.masked())
    }

    pub fn act(&self, id: i64, version: i64, action: &Action) -> Result<Ticket> {
        let s = self.need(Perm::ActOnTickets)?;
        self.ticket_in_scope(&s.ticket(id)?)?;
        Ok(s.act(id, version, self.user.id, action)?.masked())
    }

    /// The transfer slip as the centre prints it. A slip with the phone in clear is
    /// a disclosure of personal data, so printing one is logged like a reveal.
    pub fn transfer_slip(&self, id: i64) -> Result<crate::slip::Slip> {
        let s = self.need(Perm::ViewTickets)?;
        let d = s.detail(id)?;
        self.ticket_in_scope(&d.ticket)?;
        let contact = s
            .setting("slip_phone")?
            .parse::<crate::slip::SlipContact>()?;
        let slip = crate::slip::Slip::new(&d, &s.setting("centre_name")?, contact);
        if contact == crate::slip::SlipContact::Clear && !d.ticket.anonymous {
            self.log(
                "slip_printed",
                &d.ticket.number,
                json!({ "ticket_id": id, "contact": contact }),
            )?;
        }
        Ok(slip)
    }

    /// The call this user was typing, kept across views and restarts.
    pub fn intake_draft(&self) -> Result<Option<serde_json::Value>> {
        self.need(Perm::CreateTickets)?.intake_draft(self.user.id)
    }

    pub fn save_intake_draft(&self, draft: &serde_json::Value) -> Result<()> {
        self.need(Perm::CreateTickets)?
            .save_intake_draft(self.user.id, draft)
    }

    pub fn discard_intake_draft(&self) -> Result<()> {
        self.need(Perm::CreateTickets)?
            .discard_intake_draft(self.user.id)
    }

    /// The transfer slip printed as a PDF by `print` into `dir`, named by the ticket.
    pub fn save_slip_pdf(
        &self,
        id: i64,
        save: impl FnOnce(&str) -> Result<std::path::PathBuf>,
    ) -> Result<std::path::PathBuf> {
        let s = self.need(Perm::ViewTickets)?;
        let t = s.ticket(id)?;
        self.ticket_in_scope(&t)?;
        save(&format!("hotline-slip-{}.pdf", t.number))
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
        self.log(
            "reveal",
            &t.number,
            json!({ "ticket_id": t.id, "reason": reason }),
        )?;
        let hidden = t.anonymous && self.user.role == crate::model::Role::Handler;
        let keep = |v: String| if hidden { String::new() } else { v };
        let keep_opt = |v: Option<String>| v.filter(|_| !hidden);
        Ok(Revealed {
            ticket_id: t.id,
            anonymous: t.anonymous,
            caller_name: keep(t.caller_name),
            phone: keep(t.phone),
            phone_ext: keep_opt(t.phone_ext),
            email: keep_opt(t.email),
            address: keep_opt(t.address),
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

    pub fn change_password(&self, old: &str, new: &str) -> Result<()> {
        self.store.change_password(&self.user, old, new)
    }

    /// Logs a file delivered to the user (what kind, where it went) and names it for them.
    fn export_logged(&self, path: &std::path::Path, kind: &str) -> Result<String> {
        let shown = path.display().to_string();
        self.log("export", &shown, json!({ "kind": kind, "personal": false }))?;
        Ok(shown)
    }

    fn log(&self, action: &str, target: &str, detail: serde_json::Value) -> Result<()> {
        let detail = crate::auth::at_seat(detail, self.seat.as_deref());
        self.store.audit(Some(&self.user), action, target, detail)
    }
}
