//! The permission door for supervision notices: supervisors issue them, a department reads
//! and acknowledges its own, report readers read every department's and the notice list.

use super::Acting;
use crate::error::Result;
use crate::model::Perm;
use crate::store::{Listed, Notice};
use crate::supervision::NoticeKind;

impl<'s> Acting<'s> {
    pub fn issue_notice(&self, ticket: i64, kind: NoticeKind, note: &str) -> Result<Notice> {
        self.need(Perm::IssueNotices)?
            .issue_notice(&self.user, ticket, kind, note)
    }

    pub fn acknowledge_notice(&self, id: i64, note: Option<&str>) -> Result<Notice> {
        self.need(Perm::ActOnTickets)?
            .acknowledge_notice(&self.user, id, note)
    }

    pub fn notices(
        &self,
        department: Option<i64>,
        ticket: Option<i64>,
        open_only: bool,
    ) -> Result<Vec<Notice>> {
        let department = self.assessed_department(department)?;
        self.store.notices(department, ticket, open_only)
    }

    pub fn notice(&self, id: i64) -> Result<Notice> {
        let n = self.store.notice(id);
        // Who may not read the department's notices learns nothing of this one either.
        let department = self.assessed_department(n.as_ref().ok().map(|n| n.department_id))?;
        let n = n?;
        match department {
            Some(d) if d != n.department_id => Err(self.refused(Perm::ViewReports)),
            _ => Ok(n),
        }
    }

    /// The document printed as an A4 PDF by `save`, named by its kind, year and number.
    pub fn save_notice_pdf(
        &self,
        id: i64,
        save: impl FnOnce(&str) -> Result<std::path::PathBuf>,
    ) -> Result<std::path::PathBuf> {
        let n = self.notice(id)?;
        save(&format!(
            "hotline-{}-{}-{}.pdf",
            n.kind.as_str(),
            n.year,
            n.seq
        ))
    }

    pub fn notice_list(&self, month: &str) -> Result<Vec<Listed>> {
        self.need(Perm::ViewReports)?.notice_list(month)
    }
}
