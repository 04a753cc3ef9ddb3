//! The permission door for the assessment's exclusions and appeals: staff who see a ticket
//! propose it as unreasonable, supervisors decide; a department appeals the entries counted
//! against it, managers decide. A department reads its own; report readers read all.

use super::Acting;
use crate::assessment::{AppealState, ExclusionReason, ExclusionState};
use crate::error::{Error, Result};
use crate::mask::Mask;
use crate::model::Perm;
use crate::permissions::{department_scope, sees};
use crate::store::{Appeal, AppealWindow, Entries, Exclusion};

impl<'s> Acting<'s> {
    /// The department whose records this user may read: any (`None` asked, all) for those
    /// who read reports, their own for a department.
    pub(super) fn assessed_department(&self, asked: Option<i64>) -> Result<Option<i64>> {
        if crate::permissions::allows(self.user.role, Perm::ViewReports) {
            return Ok(asked);
        }
        self.need(Perm::FileAppeal)?;
        match department_scope(&self.user) {
            Some(own) if asked.is_none_or(|d| d == own) => Ok(Some(own)),
            _ => Err(self.refused(Perm::ViewReports)),
        }
    }

    pub(super) fn refused(&self, perm: Perm) -> Error {
        Error::Forbidden {
            action: perm.as_str().into(),
            actor: self.user.name.clone(),
            role: self.user.role.as_str().into(),
            permission: true,
        }
    }

    /// A ticket the user may speak for: a department only for its own (not one it co-handles).
    fn own_ticket(&self, ticket: i64, perm: Perm) -> Result<&'s crate::Store> {
        let s = self.need(perm)?;
        if !sees(&self.user, s.ticket(ticket)?.department_id) {
            return Err(self.refused(Perm::ViewTickets));
        }
        Ok(s)
    }

    pub fn propose_exclusion(
        &self,
        ticket: i64,
        reason: ExclusionReason,
        evidence: &str,
    ) -> Result<Exclusion> {
        self.own_ticket(ticket, Perm::ProposeExclusion)?
            .propose_exclusion(&self.user, ticket, reason, evidence)
    }

    pub fn decide_exclusion(
        &self,
        id: i64,
        approve: bool,
        note: Option<&str>,
    ) -> Result<Exclusion> {
        self.need(Perm::DecideExclusion)?
            .decide_exclusion(&self.user, id, approve, note)
    }

    pub fn exclusions(
        &self,
        state: Option<ExclusionState>,
        department: Option<i64>,
    ) -> Result<Vec<Exclusion>> {
        let department = self.assessed_department(department)?;
        self.store.exclusions(state, department)
    }

    pub fn file_appeal(
        &self,
        ticket: i64,
        month: &str,
        kpi: &str,
        evidence: &str,
    ) -> Result<Appeal> {
        self.own_ticket(ticket, Perm::FileAppeal)?
            .file_appeal(&self.user, ticket, month, kpi, evidence)
    }

    pub fn decide_appeal(&self, id: i64, uphold: bool, note: Option<&str>) -> Result<Appeal> {
        self.need(Perm::DecideAppeal)?
            .decide_appeal(&self.user, id, uphold, note)
    }

    pub fn appeals(
        &self,
        month: Option<&str>,
        state: Option<AppealState>,
        department: Option<i64>,
    ) -> Result<Vec<Appeal>> {
        let department = self.assessed_department(department)?;
        self.store.appeals(month, state, department)
    }

    /// The tickets counted against a department in a month's figures (masked).
    pub fn department_entries(&self, department: Option<i64>, month: &str) -> Result<Vec<Entries>> {
        let Some(department) = self.assessed_department(department)? else {
            return Err(Error::Required {
                field: "department",
            });
        };
        let mut entries = self.store.department_entries(department, month)?;
        for e in &mut entries {
            e.tickets = std::mem::take(&mut e.tickets).masked();
        }
        Ok(entries)
    }

    pub fn appeal_window(&self, month: &str) -> Result<AppealWindow> {
        self.assessed_department(None)?;
        self.store.appeal_window(month)
    }
}
