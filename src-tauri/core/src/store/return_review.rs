//! Return review in the store: the requests waiting for the hotline, the dispatcher's
//! decision (an approval carries the return out, a refusal leaves the ticket and its clock
//! as they were), a department's one escalation, and the supervisor's final word.

use super::db::{ms, Store};
use super::returns::{latest, open, ReturnRequest};
use super::rows::load;
use super::tickets::{self, act_as};
use crate::action::Action;
use crate::error::{Error, Result};
use crate::model::User;
use crate::returns::{decide, escalate, RequestState};
use serde_json::json;

fn pending(c: &super::sql::Connection, ticket_id: i64) -> Result<ReturnRequest> {
    latest(c, ticket_id)?.ok_or_else(|| Error::NotFound {
        entity: "return_request",
        key: ticket_id.to_string(),
    })
}

impl Store {
    /// Requests waiting for a decision, oldest first.
    pub fn open_return_requests(&self) -> Result<Vec<ReturnRequest>> {
        self.read(open)
    }

    /// The ticket's latest return request, if any.
    pub fn return_request(&self, ticket_id: i64) -> Result<Option<ReturnRequest>> {
        self.read(|c| latest(c, ticket_id))
    }

    /// Approves or refuses a ticket's pending (or escalated) return request. An escalated
    /// one is decided by another than who refused it, finally.
    pub fn decide_return(
        &self,
        by: &User,
        ticket_id: i64,
        approve: bool,
        note: Option<&str>,
    ) -> Result<ReturnRequest> {
        let note = crate::validate::opt_text("note", note, crate::validate::NOTE_MAX)?;
        if !approve && note.is_none() {
            return Err(Error::Required { field: "note" });
        }
        let now = self.now();
        self.write(|tx| {
            let r = pending(tx, ticket_id)?;
            let to = decide(r.state, approve)?;
            let final_word = r.state == RequestState::Escalated;
            if final_word {
                let first: Option<i64> =
                    tx.query_row("SELECT decided_by FROM return_requests WHERE id = ?1", [r.id], |x| x.get(0))?;
                if first == Some(by.id) {
                    return Err(Error::Forbidden {
                        action: "decide_escalated_return".into(),
                        actor: by.name.clone(),
                        role: by.role.as_str().into(),
                        permission: false,
                    });
                }
                tx.execute(
                    "UPDATE return_requests SET state = ?1, final_by = ?2, final_at = ?3, final_note = ?4 WHERE id = ?5",
                    super::sql::params![to, by.id, ms(now), note, r.id],
                )?;
            } else {
                tx.execute(
                    "UPDATE return_requests SET state = ?1, decided_by = ?2, decided_at = ?3, note = ?4 WHERE id = ?5",
                    super::sql::params![to, by.id, ms(now), note, r.id],
                )?;
            }
            let cur = load(tx, ticket_id)?;
            if to == RequestState::Approved {
                // The department's return, carried out: the ticket comes back to the hotline.
                act_as(
                    tx,
                    ticket_id,
                    cur.version,
                    by.id,
                    &Action::Return {
                        reason: r.reason.clone(),
                        reason_code: Some(r.reason_code.clone()),
                    },
                    now,
                    true,
                )?;
            } else {
                let action = if final_word { "return_upheld" } else { "return_refused" };
                let data = json!({ "department_id": r.department_id, "request_id": r.id });
                tickets::note(tx, &cur, by.id, now, action, note.clone(), data)?;
            }
            pending(tx, ticket_id)
        })
    }

    /// The department takes a refusal to a supervisor, once.
    pub fn escalate_return(&self, by: &User, ticket_id: i64, note: &str) -> Result<ReturnRequest> {
        let note = crate::validate::text("note", note, crate::validate::NOTE_MAX)?;
        let now = self.now();
        self.write(|tx| {
            let r = pending(tx, ticket_id)?;
            if r.department_id != by.department_id {
                return Err(Error::Forbidden {
                    action: "escalate_return".into(),
                    actor: by.name.clone(),
                    role: by.role.as_str().into(),
                    permission: false,
                });
            }
            let to = escalate(r.state)?;
            tx.execute(
                "UPDATE return_requests SET state = ?1, escalated_at = ?2 WHERE id = ?3",
                super::sql::params![to, ms(now), r.id],
            )?;
            let cur = load(tx, ticket_id)?;
            let data = json!({ "department_id": r.department_id, "request_id": r.id });
            tickets::note(tx, &cur, by.id, now, "return_escalated", Some(note), data)?;
            pending(tx, ticket_id)
        })
    }
}

#[cfg(test)]
#[path = "return_review_tests.rs"]
mod tests;
