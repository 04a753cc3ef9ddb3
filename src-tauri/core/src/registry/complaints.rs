//! The commands of complaint follow-through: the case beside a complaint ticket, its
//! acknowledgement, assessment and legal review.

use super::{acting, arguments, need, reply, Command, Ctx, Gate::SignedIn, Run};
use crate::complaint::accountability::{NewDecision, NewFinding};
use crate::complaint::cause::{NewCause, NewMeasure};
use crate::complaint::{AckMethod, NewAssessment, NewOpinion};
use crate::error::Result;
use crate::model::Perm;
use crate::store::{Cause, Complaint, Finding, HeldComplaint, Measure};
use serde_json::Value;

commands! {
    static COMMANDS;
    /// A ticket's complaint case (none when the ticket is not a complaint).
    acting complaint(ticket_id: i64) [need(Perm::ViewTickets)] -> Option<Complaint>
        = |c, a| a.complaint(ticket_id);
    /// The remedy the complainant seeks (诉求).
    acting set_remedy(ticket_id: i64, remedy: String) [need(Perm::HandleComplaints)] -> Complaint
        = |c, a| a.set_remedy(ticket_id, &remedy);
    /// Tells the complainant their complaint was received (once).
    acting acknowledge_complaint(ticket_id: i64, method: AckMethod) [need(Perm::HandleComplaints)]
        -> Complaint = |c, a| a.acknowledge_complaint(ticket_id, method);
    /// Urgency × impact: the severity, legal review and the emergency plan it suggests.
    acting assess_complaint(ticket_id: i64, assessment: NewAssessment)
        [need(Perm::AssessComplaints)] -> Complaint
        = |c, a| a.assess_complaint(ticket_id, &assessment);
    /// A legal opinion on a risky complaint; the latest decides whether its answer may go out.
    acting legal_opinion(ticket_id: i64, opinion: NewOpinion) [need(Perm::LegalReview)]
        -> Complaint = |c, a| a.legal_opinion(ticket_id, &opinion);
    /// Risky complaints for the legal reviewer, those held first.
    acting held_complaints() [need(Perm::LegalReview)] -> Vec<HeldComplaint>
        = |c, a| a.held_complaints();
    /// A complaint's root cause (5-why or 8D), if analysed.
    acting complaint_cause(ticket_id: i64) [need(Perm::ViewTickets)] -> Option<Cause>
        = |c, a| a.complaint_cause(ticket_id);
    /// Records or revises a complaint's root cause.
    acting set_cause(ticket_id: i64, cause: NewCause) [need(Perm::AnalyseComplaints)] -> Cause
        = |c, a| a.set_cause(ticket_id, &cause);
    /// An improvement measure: owner, due date, and how long to watch for recurrence.
    acting add_measure(ticket_id: i64, measure: NewMeasure) [need(Perm::AnalyseComplaints)]
        -> Measure = |c, a| a.add_measure(ticket_id, &measure);
    /// Measures of a complaint, the user's own (`mine`), or all, with their effectiveness
    /// computed from later complaints.
    acting measures(ticket_id: Option<i64>, mine: Option<bool>) [SignedIn] -> Vec<Measure>
        = |c, a| a.measures(ticket_id, mine.unwrap_or(false));
    /// Marks a measure done (its owner, or who analyses complaints).
    acting complete_measure(id: i64, note: Option<String>) [SignedIn] -> Measure
        = |c, a| a.complete_measure(id, note.as_deref());
    /// Records a finding about a member of staff and HR's proposal (考核, 奖惩).
    acting add_finding(ticket_id: i64, finding: NewFinding) [need(Perm::ProposeFindings)]
        -> Finding = |c, a| a.add_finding(ticket_id, &finding);
    /// The decision on a finding and the day it takes effect.
    acting decide_finding(id: i64, decision: NewDecision) [need(Perm::DecideFindings)]
        -> Finding = |c, a| a.decide_finding(id, &decision);
    /// The person concerned answers a finding about them.
    acting respond_finding(id: i64, response: String) [SignedIn] -> Finding
        = |c, a| a.respond_finding(id, &response);
    /// Findings of a complaint or all (HR, management); `mine`: those about the user.
    acting findings(ticket_id: Option<i64>, mine: Option<bool>) [SignedIn] -> Vec<Finding>
        = |c, a| a.findings(ticket_id, mine.unwrap_or(false));
}
