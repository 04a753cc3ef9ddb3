//! The commands of the assessment's exclusions (不合理件) and appeals (申诉).

use super::{acting, arguments, need, reply, Command, Ctx, Gate::SignedIn, Run};
use crate::assessment::{AppealState, ExclusionReason, ExclusionState};
use crate::error::Result;
use crate::model::Perm;
use crate::store::{Appeal, AppealWindow, Entries, Exclusion};
use serde_json::Value;

commands! {
    static COMMANDS;
    /// Proposes a ticket as unreasonable for its department's assessment, with the evidence.
    acting propose_exclusion(ticket: i64, reason: ExclusionReason, evidence: String)
        [need(Perm::ProposeExclusion)] -> Exclusion
        = |c, a| a.propose_exclusion(ticket, reason, &evidence);
    /// Approves (the ticket leaves its department's figures) or refuses (with the reason).
    acting decide_exclusion(id: i64, approve: bool, note: Option<String>)
        [need(Perm::DecideExclusion)] -> Exclusion
        = |c, a| a.decide_exclusion(id, approve, note.as_deref());
    /// Proposals and decisions, newest first (a department: its own).
    acting exclusions(state: Option<ExclusionState>, department: Option<i64>) [SignedIn]
        -> Vec<Exclusion> = |c, a| a.exclusions(state, department);
    /// Appeals one entry (`kpi`) of a closed month's figures, within the window, once.
    acting file_appeal(ticket: i64, month: String, kpi: String, evidence: String)
        [need(Perm::FileAppeal)] -> Appeal
        = |c, a| a.file_appeal(ticket, &month, &kpi, &evidence);
    /// Upholds (the entry leaves the figure) or rejects (with the reason) an appeal.
    acting decide_appeal(id: i64, uphold: bool, note: Option<String>)
        [need(Perm::DecideAppeal)] -> Appeal
        = |c, a| a.decide_appeal(id, uphold, note.as_deref());
    /// Appeals of a month, a state, a department (a department: its own), newest first.
    acting appeals(month: Option<String>, state: Option<AppealState>, department: Option<i64>)
        [SignedIn] -> Vec<Appeal> = |c, a| a.appeals(month.as_deref(), state, department);
    /// The tickets counted against a department in each appealable figure of a month.
    acting department_entries(department: Option<i64>, month: String) [SignedIn]
        -> Vec<Entries> = |c, a| a.department_entries(department, &month);
    /// The last day a month's entries may be appealed, and whether that is still open.
    acting appeal_window(month: String) [SignedIn] -> AppealWindow
        = |c, a| a.appeal_window(&month);
}
