//! The permission door for repeated requests and return review: the hotline's intake
//! staff find repeats, merge and split them; dispatchers decide departments' returns, which
//! a department may escalate once.

use super::Acting;
use crate::duplicates::Candidate;
use crate::error::Result;
use crate::mask::Mask;
use crate::model::{Perm, Ticket};

impl<'s> Acting<'s> {
    pub fn duplicate_candidates(
        &self,
        phone: &str,
        address: &str,
        description: &str,
        category: &str,
        exclude: Option<i64>,
    ) -> Result<Vec<Candidate>> {
        self.need(Perm::CreateTickets)?.duplicate_candidates(
            phone,
            address,
            description,
            category,
            exclude,
        )
    }

    pub fn merge_ticket(&self, id: i64, master: i64) -> Result<Ticket> {
        let s = self.need(Perm::CreateTickets)?;
        self.need(Perm::ActOnTickets)?;
        Ok(s.merge_ticket(id, master, self.user.id)?.masked())
    }

    pub fn split_ticket(&self, id: i64) -> Result<Ticket> {
        let s = self.need(Perm::CreateTickets)?;
        self.need(Perm::ActOnTickets)?;
        Ok(s.split_ticket(id, self.user.id)?.masked())
    }
}

impl<'s> Acting<'s> {
    /// Return requests waiting for the hotline (dispatchers).
    pub fn open_return_requests(&self) -> Result<Vec<crate::store::ReturnRequest>> {
        self.need(Perm::ManageDispatch)?.open_return_requests()
    }

    /// A ticket's latest return request, for those who see the ticket.
    pub fn return_request(&self, ticket: i64) -> Result<Option<crate::store::ReturnRequest>> {
        let s = self.need(Perm::ViewTickets)?;
        self.ticket_in_scope(&s.ticket(ticket)?)?;
        s.return_request(ticket)
    }

    /// The dispatcher's decision on a department's return (退单审核), or the supervisor's
    /// final word on an escalated one.
    pub fn decide_return(
        &self,
        ticket: i64,
        approve: bool,
        note: Option<&str>,
    ) -> Result<crate::store::ReturnRequest> {
        self.need(Perm::ManageDispatch)?
            .decide_return(&self.user, ticket, approve, note)
    }

    /// Adds a return reason to the centre's list or changes one (dispatchers).
    pub fn save_return_reason(
        &self,
        code: &crate::returns::ReturnReason,
        name: &str,
        active: bool,
    ) -> Result<crate::store::ReasonRow> {
        self.need(Perm::ManageDispatch)?
            .save_return_reason(&self.user, code, name, active)
    }

    /// The department takes a refusal to a supervisor, once.
    pub fn escalate_return(&self, ticket: i64, note: &str) -> Result<crate::store::ReturnRequest> {
        let s = self.need(Perm::ActOnTickets)?;
        self.ticket_in_scope(&s.ticket(ticket)?)?;
        s.escalate_return(&self.user, ticket, note)
    }
}
