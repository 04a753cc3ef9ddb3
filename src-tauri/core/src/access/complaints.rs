//! The permission door for complaint cases: a case is seen by whoever sees its ticket
//! (masked), acknowledged by the hotline, assessed by those who lead it, and only a legal
//! reviewer gives the opinion that opens the gate on a risky complaint's answer.

use super::Acting;
use crate::complaint::accountability::{NewDecision, NewFinding};
use crate::complaint::cause::{NewCause, NewMeasure};
use crate::complaint::{AckMethod, NewAssessment, NewOpinion};
use crate::error::Result;
use crate::mask::Mask;
use crate::model::Perm;
use crate::store::{Cause, Complaint, Finding, Findings, HeldComplaint, Measure, Measures, Store};

impl<'s> Acting<'s> {
    /// The store, once `perm` holds and the ticket is within the user's reach.
    fn on_case(&self, perm: Perm, ticket_id: i64) -> Result<&'s Store> {
        let s = self.need(perm)?;
        self.need(Perm::ViewTickets)?;
        self.ticket_in_scope(&s.ticket(ticket_id)?)?;
        Ok(s)
    }

    pub fn complaint(&self, ticket_id: i64) -> Result<Option<Complaint>> {
        Ok(self
            .on_case(Perm::ViewTickets, ticket_id)?
            .complaint(ticket_id)?
            .map(Mask::masked))
    }

    pub fn set_remedy(&self, ticket_id: i64, remedy: &str) -> Result<Complaint> {
        let s = self.on_case(Perm::HandleComplaints, ticket_id)?;
        Ok(s.set_remedy(ticket_id, self.author(), remedy)?.masked())
    }

    pub fn acknowledge_complaint(&self, ticket_id: i64, method: AckMethod) -> Result<Complaint> {
        let s = self.on_case(Perm::HandleComplaints, ticket_id)?;
        Ok(s.acknowledge_complaint(ticket_id, self.author(), method)?
            .masked())
    }

    pub fn assess_complaint(&self, ticket_id: i64, a: &NewAssessment) -> Result<Complaint> {
        let s = self.on_case(Perm::AssessComplaints, ticket_id)?;
        Ok(s.assess_complaint(ticket_id, self.author(), a)?.masked())
    }

    pub fn legal_opinion(&self, ticket_id: i64, o: &NewOpinion) -> Result<Complaint> {
        let s = self.on_case(Perm::LegalReview, ticket_id)?;
        Ok(s.legal_opinion(ticket_id, self.author(), o)?.masked())
    }

    /// The legal reviewer's queue: risky complaints, those still held first.
    pub fn held_complaints(&self) -> Result<Vec<HeldComplaint>> {
        Ok(self
            .need(Perm::LegalReview)?
            .held_complaints(200)?
            .into_iter()
            .map(Mask::masked)
            .collect())
    }
}

/// Root cause and improvement: seen with the ticket, recorded by those who analyse
/// complaints; a measure is completed by its owner or by them.
impl<'s> Acting<'s> {
    pub fn complaint_cause(&self, ticket_id: i64) -> Result<Option<Cause>> {
        self.on_case(Perm::ViewTickets, ticket_id)?
            .complaint_cause(ticket_id)
    }

    pub fn set_cause(&self, ticket_id: i64, cause: &NewCause) -> Result<Cause> {
        self.on_case(Perm::AnalyseComplaints, ticket_id)?
            .set_cause(ticket_id, self.author(), cause)
    }

    pub fn add_measure(&self, ticket_id: i64, measure: &NewMeasure) -> Result<Measure> {
        self.on_case(Perm::AnalyseComplaints, ticket_id)?
            .add_measure(ticket_id, self.author(), measure)
    }

    /// A complaint's measures, the user's own (`mine`), or all of them.
    pub fn measures(&self, ticket_id: Option<i64>, mine: bool) -> Result<Vec<Measure>> {
        match (ticket_id, mine) {
            (Some(id), _) => self
                .on_case(Perm::ViewTickets, id)?
                .measures(Measures::OfTicket(id)),
            (None, true) => self.store.measures(Measures::OwnedBy(self.user.id)),
            (None, false) => self.need(Perm::AnalyseComplaints)?.measures(Measures::All),
        }
    }

    pub fn complete_measure(&self, id: i64, note: Option<&str>) -> Result<Measure> {
        let m = self.store.measure(id)?;
        if m.owner_id != self.user.id {
            self.need(Perm::AnalyseComplaints)?;
        }
        self.store.complete_measure(id, self.author(), note)
    }
}

/// Accountability: HR proposes, management decides, both read; the person concerned reads
/// and answers the findings about them; nobody else sees one.
impl<'s> Acting<'s> {
    pub fn add_finding(&self, ticket_id: i64, finding: &NewFinding) -> Result<Finding> {
        self.on_case(Perm::ProposeFindings, ticket_id)?.add_finding(
            ticket_id,
            self.author(),
            finding,
        )
    }

    pub fn decide_finding(&self, id: i64, decision: &NewDecision) -> Result<Finding> {
        self.need(Perm::DecideFindings)?
            .decide_finding(id, self.author(), decision)
    }

    pub fn respond_finding(&self, id: i64, response: &str) -> Result<Finding> {
        // The store lets only the person concerned answer.
        self.store.respond_finding(id, self.author(), response)
    }

    /// The findings of a complaint, or all (HR and management); the user's own (`mine`).
    pub fn findings(&self, ticket_id: Option<i64>, mine: bool) -> Result<Vec<Finding>> {
        if mine {
            return self.store.findings(Findings::About(self.user.id));
        }
        let s = self.need(Perm::ViewFindings)?;
        match ticket_id {
            Some(id) => {
                self.on_case(Perm::ViewFindings, id)?;
                s.findings(Findings::OfTicket(id))
            }
            None => s.findings(Findings::All),
        }
    }
}
