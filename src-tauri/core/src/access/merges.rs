//! The permission door for repeated requests: the hotline's intake staff see the open
//! tickets a call may repeat, merge a call into its master and split it back.

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
