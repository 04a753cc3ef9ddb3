//! The commands of complaint follow-through: the case beside a complaint ticket, its
//! acknowledgement, assessment and legal review.

use super::{acting, arguments, need, reply, Command, Ctx, Run};
use crate::complaint::{AckMethod, NewAssessment, NewOpinion};
use crate::error::Result;
use crate::model::Perm;
use crate::store::{Complaint, HeldComplaint};
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
}
