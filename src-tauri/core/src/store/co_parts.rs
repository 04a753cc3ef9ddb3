//! Co-handling parts in the store: opened by a transfer that names co-handlers, moved by
//! their accept, reply or waiver, cancelled by the next transfer or a return; the lead's
//! reply waits for them.

use super::db::{from_ms, ms};
use super::reference::active_department;
use super::sql::{Connection, OptionalExtension};
use crate::action::Action;
use crate::cohandling::{next_state, owed, CoPart, PartState};
use crate::error::{Error, Result};
use crate::model::{ActionKind, Ticket, User};
use chrono::{DateTime, Utc};

fn part_row(r: &super::sql::Row<'_>) -> super::sql::Result<CoPart> {
    Ok(CoPart {
        id: r.get(0)?,
        department_id: r.get(1)?,
        department_name: r.get(2)?,
        state: r.get(3)?,
        due_at: r.get::<_, Option<i64>>(4)?.map(from_ms),
        accepted_at: r.get::<_, Option<i64>>(5)?.map(from_ms),
        reply: r.get(6)?,
        replied_at: r.get::<_, Option<i64>>(7)?.map(from_ms),
        waive_reason: r.get(8)?,
        by: r.get(9)?,
    })
}

/// Every part of a ticket, oldest first (cancelled ones too: the timeline's history).
/// The clocks of the parts still owed: (transfer, deadline), each once.
pub(super) fn owed_clocks(
    c: &Connection,
    ticket_id: i64,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    let rows = c
        .prepare_cached(
            "SELECT DISTINCT created_at, due_at FROM co_parts
             WHERE ticket_id = ?1 AND state IN ('open', 'accepted') AND due_at IS NOT NULL",
        )?
        .query_map([ticket_id], |r| {
            Ok((from_ms(r.get(0)?), from_ms(r.get(1)?)))
        })?
        .collect::<super::sql::Result<_>>()?;
    Ok(rows)
}

/// The departments that still owe a part due at `deadline`.
pub(super) fn owed_departments(c: &Connection, ticket_id: i64, deadline: i64) -> Result<Vec<i64>> {
    let rows = c
        .prepare_cached(
            "SELECT department_id FROM co_parts
             WHERE ticket_id = ?1 AND state IN ('open', 'accepted') AND due_at = ?2 ORDER BY department_id",
        )?
        .query_map((ticket_id, deadline), |r| r.get(0))?
        .collect::<super::sql::Result<_>>()?;
    Ok(rows)
}

pub(super) fn parts(c: &Connection, ticket_id: i64) -> Result<Vec<CoPart>> {
    Ok(c.prepare_cached(
        "SELECT p.id, p.department_id, d.name, p.state, p.due_at, p.accepted_at, p.reply, p.replied_at,
                p.waive_reason, u.name
         FROM co_parts p JOIN departments d ON d.id = p.department_id LEFT JOIN users u ON u.id = p.by_user
         WHERE p.ticket_id = ?1 ORDER BY p.id",
    )?
    .query_map([ticket_id], part_row)?
    .collect::<super::sql::Result<_>>()?)
}

/// Whether `department` has (or had) a part of the ticket: it may see the ticket.
fn has_part(c: &Connection, ticket_id: i64, department: i64) -> Result<bool> {
    Ok(c.prepare_cached(
        "SELECT 1 FROM co_parts WHERE ticket_id = ?1 AND department_id = ?2 LIMIT 1",
    )?
    .query_row([ticket_id, department], |_| Ok(()))
    .optional()?
    .is_some())
}

fn cancel_owed(c: &Connection, ticket_id: i64) -> Result<()> {
    c.prepare_cached(
        "UPDATE co_parts SET state = 'cancelled' WHERE ticket_id = ?1 AND state IN ('open', 'accepted')",
    )?
    .execute([ticket_id])?;
    Ok(())
}

/// Before the lifecycle applies `action`: a co-handling action needs the department's
/// part in a state it can move from; the lead's reply needs every part in or waived.
/// Returns the part a co-handling action moves.
pub(super) fn check(
    c: &Connection,
    t: &Ticket,
    actor: &User,
    action: &Action,
) -> Result<Option<(i64, PartState)>> {
    let department = match action {
        Action::CoAccept { .. } | Action::CoReply { .. } => actor.department_id,
        Action::CoWaive { department_id, .. } => *department_id,
        Action::Reply { .. } => {
            let left = owed(&parts(c, t.id)?);
            if !left.is_empty() {
                return Err(Error::CoHandlingOwed {
                    departments: left.join("、"),
                });
            }
            return Ok(None);
        }
        Action::Transfer {
            co_department_ids, ..
        } => {
            for d in co_department_ids {
                active_department(c, *d)?;
            }
            return Ok(None);
        }
        _ => return Ok(None),
    };
    let part: Option<(i64, PartState)> = c
        .prepare_cached(
            "SELECT id, state FROM co_parts WHERE ticket_id = ?1 AND department_id = ?2 AND state <> 'cancelled'
             ORDER BY id DESC LIMIT 1",
        )?
        .query_row([t.id, department], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (id, state) = part.ok_or_else(|| Error::NotFound {
        entity: "co_part",
        key: format!("{}:{department}", t.number),
    })?;
    Ok(Some((id, next_state(state, action.kind())?)))
}

/// After the lifecycle applied `action`: the parts follow.
pub(super) fn apply(
    c: &Connection,
    t: &Ticket,
    actor: &User,
    action: &Action,
    moved: Option<(i64, PartState)>,
    now: DateTime<Utc>,
) -> Result<()> {
    match action {
        Action::Transfer {
            department_id,
            co_department_ids,
            co_due_at,
            due_at,
            ..
        } => {
            cancel_owed(c, t.id)?;
            for d in crate::cohandling::co_list(*department_id, co_department_ids)? {
                c.prepare_cached(
                    "INSERT INTO co_parts (ticket_id, department_id, state, due_at, created_at) VALUES (?1, ?2, 'open', ?3, ?4)",
                )?
                .execute((t.id, d, ms(co_due_at.unwrap_or(*due_at)), ms(now)))?;
            }
        }
        Action::Return { .. } | Action::Reopen { .. } => cancel_owed(c, t.id)?,
        _ => {}
    }
    if let Some((id, to)) = moved {
        let (note, column) = match action {
            Action::CoAccept { .. } => (None, "accepted_at"),
            Action::CoReply { result } => (Some(result.trim().to_string()), "replied_at"),
            Action::CoWaive { reason, .. } => (Some(reason.trim().to_string()), "replied_at"),
            _ => (None, "accepted_at"),
        };
        let text_column = if action.kind() == ActionKind::CoWaive {
            "waive_reason"
        } else {
            "reply"
        };
        c.execute(
            &format!(
                "UPDATE co_parts SET state = ?1, {column} = ?2, by_user = ?3,
                    {text_column} = coalesce(?4, {text_column}) WHERE id = ?5"
            ),
            super::sql::params![to, ms(now), actor.id, note, id],
        )?;
    }
    Ok(())
}

/// Which co-handling actions `actor` may take on the ticket now, by its parts.
pub(super) fn allowed(c: &Connection, t: &Ticket, actor: &User, kind: ActionKind) -> Result<bool> {
    let ps = parts(c, t.id)?;
    let mine = ps
        .iter()
        .rev()
        .find(|p| p.department_id == actor.department_id && p.state != PartState::Cancelled);
    Ok(match kind {
        ActionKind::CoAccept => mine.is_some_and(|p| p.state == PartState::Open),
        ActionKind::CoReply => mine.is_some_and(|p| p.state.owed()),
        ActionKind::CoWaive => ps.iter().any(|p| p.state.owed()),
        _ => true,
    })
}

impl super::Store {
    /// Whether `department` co-handles (or co-handled) ticket `id`.
    pub fn co_handles(&self, id: i64, department: i64) -> Result<bool> {
        self.read(|c| has_part(c, id, department))
    }
}

#[cfg(test)]
#[path = "co_parts_tests.rs"]
mod tests;
