//! The permission door for complaint cases: a case is seen by whoever sees its ticket
//! (masked), acknowledged by the hotline, assessed by those who lead it, and only a legal
//! reviewer gives the opinion that opens the gate on a risky complaint's answer.

use super::Acting;
use crate::complaint::{AckMethod, NewAssessment, NewOpinion};
use crate::error::Result;
use crate::mask::Mask;
use crate::model::Perm;
use crate::store::{Complaint, HeldComplaint, Store};

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
