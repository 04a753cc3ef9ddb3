//! The commands of dispatching right: the catalogue's rules, its suggestion at intake,
//! the dispatch figures; repeated requests found, merged into their master, split back.

use super::{acting, arguments, need, reply, Command, Ctx, Run};
use crate::dispatch::NewRule;
use crate::error::Result;
use crate::model::{Perm, Severity};
use crate::store::{DispatchFigures, DispatchSuggestion, RuleRow};
use chrono::{DateTime, Utc};
use serde_json::Value;

commands! {
    static COMMANDS;
    /// The catalogue: active rules, and retired ones with `all`.
    acting dispatch_rules(all: Option<bool>) [need(Perm::ViewTickets)] -> Vec<RuleRow>
        = |c, a| a.dispatch_rules(all.unwrap_or(false));
    /// Adds a rule: category × keywords × area → lead, co-handlers, handling time.
    acting add_dispatch_rule(rule: NewRule) [need(Perm::ManageDispatch)] -> RuleRow
        = |c, a| a.add_dispatch_rule(&rule);
    acting retire_dispatch_rule(id: i64) [need(Perm::ManageDispatch)] -> RuleRow
        = |c, a| a.retire_dispatch_rule(id);
    /// The lead department, co-handlers and deadlines the catalogue suggests for a request
    /// (`exclude`: a department that returned it, so that the next one is named).
    acting suggest_dispatch(category: String, description: String, address: Option<String>, severity: Option<Severity>, exclude: Option<i64>)
        [need(Perm::ViewTickets)] -> Option<DispatchSuggestion>
        = |c, a| a.suggest_dispatch(&category, &description, address.as_deref().unwrap_or(""), severity.unwrap_or(Severity::General), exclude);
    /// The open tickets a call may repeat: the same caller's, similar ones at the same
    /// address or of the same category (重复件).
    acting duplicate_candidates(phone: Option<String>, address: Option<String>, description: String, category: String, exclude: Option<i64>)
        [need(Perm::CreateTickets)] -> Vec<crate::duplicates::Candidate>
        = |c, a| a.duplicate_candidates(phone.as_deref().unwrap_or(""), address.as_deref().unwrap_or(""), &description, &category, exclude);
    /// Merges call `id` into `master` (并单): the call is closed as merged.
    acting merge_ticket(id: i64, master: i64) [need(Perm::CreateTickets)] -> crate::model::Ticket
        = |c, a| a.merge_ticket(id, master);
    /// Splits a merged call back off its master, exactly as it was.
    acting split_ticket(id: i64) [need(Perm::CreateTickets)] -> crate::model::Ticket
        = |c, a| a.split_ticket(id);
    /// Return requests waiting for the hotline's decision (退单审核).
    acting return_requests() [need(Perm::ManageDispatch)] -> Vec<crate::store::ReturnRequest>
        = |c, a| a.open_return_requests();
    /// A ticket's latest return request.
    acting return_request(ticket: i64) [need(Perm::ViewTickets)] -> Option<crate::store::ReturnRequest>
        = |c, a| a.return_request(ticket);
    /// Approves (the ticket comes back to be re-routed) or refuses (with the reason; the
    /// department keeps it, its clock running) a department's return.
    acting decide_return(ticket: i64, approve: bool, note: Option<String>) [need(Perm::ManageDispatch)]
        -> crate::store::ReturnRequest = |c, a| a.decide_return(ticket, approve, note.as_deref());
    /// Takes a refused return to a supervisor, once.
    acting escalate_return(ticket: i64, note: String) [need(Perm::ActOnTickets)]
        -> crate::store::ReturnRequest = |c, a| a.escalate_return(ticket, &note);
    /// Adds a return reason (退单理由) to the centre's list, renames it or takes it off.
    acting save_return_reason(code: crate::returns::ReturnReason, name: Option<String>, active: Option<bool>)
        [need(Perm::ManageDispatch)] -> crate::store::ReasonRow
        = |c, a| a.save_return_reason(&code, name.as_deref().unwrap_or(""), active.unwrap_or(true));
    /// Dispatch accuracy and overrides in `[from, to)`.
    acting dispatch_figures(from: DateTime<Utc>, to: DateTime<Utc>) [need(Perm::ViewReports)]
        -> DispatchFigures = |c, a| a.dispatch_figures(from, to);
}
