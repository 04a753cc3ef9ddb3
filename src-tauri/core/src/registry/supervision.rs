//! The commands of supervision notices (催办通知书, 督办单) and the month's notice list.

use super::{acting, arguments, need, reply, Command, Ctx, Gate::SignedIn, Run};
use crate::error::Result;
use crate::model::Perm;
use crate::store::{Listed, Notice};
use crate::supervision::NoticeKind;
use serde_json::Value;

commands! {
    static COMMANDS;
    /// Documents, newest first (a department: its own; `open_only`: not yet acknowledged).
    acting notices(department: Option<i64>, ticket: Option<i64>, open_only: Option<bool>) [SignedIn]
        -> Vec<Notice> = |c, a| a.notices(department, ticket, open_only.unwrap_or(false));
    /// One document, for its print view.
    acting notice(id: i64) [SignedIn] -> Notice = |c, a| a.notice(id);
    /// Issues a 催办通知书 (`urge`) or a 督办单 (`supervise`) to the ticket's department.
    acting issue_notice(ticket: i64, kind: NoticeKind, note: String) [need(Perm::IssueNotices)]
        -> Notice = |c, a| a.issue_notice(ticket, kind, &note);
    /// The department acknowledges a document addressed to it, once.
    acting acknowledge_notice(id: i64, note: Option<String>) [need(Perm::ActOnTickets)]
        -> Notice = |c, a| a.acknowledge_notice(id, note.as_deref());
    /// Saves the document as the desk prints it (A4), as a PDF beside the exports.
    acting save_notice_pdf(id: i64, replace: Option<bool>) [SignedIn] -> String
        = |c, a| a
        .save_notice_pdf(id, |name| c.host.save_print(name, replace.unwrap_or(false)))
        .map(|p| p.display().to_string());
    /// The month's notice list (通报): departments urged at least twice for one ticket.
    acting notice_list(month: String) [need(Perm::ViewReports)] -> Vec<Listed>
        = |c, a| a.notice_list(&month);
}
