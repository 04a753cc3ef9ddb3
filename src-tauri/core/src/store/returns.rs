//! Return requests in the store: a department's return recorded as a request (the ticket
//! stays with it, its clock running), the request read back, and an approved request
//! letting the return through.

use super::db::{from_ms, ms};
use crate::action::Action;
use crate::error::{Error, Result};
use crate::lifecycle::{NewEvent, Outcome};
use crate::model::{Role, Ticket, User};
use crate::returns::{RequestState, ReturnReason};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde_json::json;

/// A return request as the desk shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReturnRequest {
    pub id: i64,
    pub ticket_id: i64,
    pub number: String,
    pub department_id: i64,
    pub department: String,
    pub reason_code: ReturnReason,
    pub reason: String,
    pub state: RequestState,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub note: Option<String>,
    pub final_note: Option<String>,
}

const SELECT: &str = "SELECT r.id, r.ticket_id, t.number, r.department_id, d.name, r.reason_code, r.reason, r.state,
        u.name, r.requested_at, v.name, r.note, r.final_note
     FROM return_requests r JOIN tickets t ON t.id = r.ticket_id JOIN departments d ON d.id = r.department_id
     JOIN users u ON u.id = r.requested_by LEFT JOIN users v ON v.id = r.decided_by";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReturnRequest> {
    Ok(ReturnRequest {
        id: r.get(0)?,
        ticket_id: r.get(1)?,
        number: r.get(2)?,
        department_id: r.get(3)?,
        department: r.get(4)?,
        reason_code: r.get(5)?,
        reason: r.get(6)?,
        state: r.get(7)?,
        requested_by: r.get(8)?,
        requested_at: from_ms(r.get(9)?),
        decided_by: r.get(10)?,
        note: r.get(11)?,
        final_note: r.get(12)?,
    })
}

/// The ticket's latest request.
pub(super) fn latest(c: &Connection, ticket_id: i64) -> Result<Option<ReturnRequest>> {
    Ok(c.prepare_cached(&format!(
        "{SELECT} WHERE r.ticket_id = ?1 ORDER BY r.id DESC LIMIT 1"
    ))?
    .query_row([ticket_id], row)
    .optional()?)
}

/// Requests waiting for a decision (pending, or escalated to a supervisor), oldest first.
pub(super) fn open(c: &Connection) -> Result<Vec<ReturnRequest>> {
    Ok(c.prepare_cached(&format!(
        "{SELECT} WHERE r.state IN ('pending', 'escalated') ORDER BY r.id"
    ))?
    .query_map([], row)?
    .collect::<rusqlite::Result<_>>()?)
}

/// What a return is: a department's request (recorded, the ticket unchanged but for the
/// timeline), or the hotline's own return.
pub(super) enum Path {
    Request(Box<Outcome>),
    Direct,
}

/// Sorts a return out before the lifecycle takes it (the lifecycle has already checked a
/// department's return: status, window, reason).
pub(super) fn on_return(
    c: &Connection,
    t: &Ticket,
    actor: &User,
    action: &Action,
    now: DateTime<Utc>,
) -> Result<Path> {
    let Action::Return {
        reason,
        reason_code,
    } = action
    else {
        return Ok(Path::Direct);
    };
    // The hotline's own returns (and a dispatcher carrying out an approval) are no requests.
    if actor.role != Role::Handler {
        return Ok(Path::Direct);
    }
    let last = latest(c, t.id)?;
    if last
        .as_ref()
        .is_some_and(|r| matches!(r.state, RequestState::Pending | RequestState::Escalated))
    {
        return Err(Error::ReturnPending);
    }
    let code = reason_code.ok_or(Error::Required {
        field: "reason_code",
    })?;
    let reason = crate::validate::text("reason", reason, crate::validate::NOTE_MAX)?;
    c.prepare_cached(
        "INSERT INTO return_requests (ticket_id, department_id, reason_code, reason, state, requested_by, requested_at)
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6)",
    )?
    .execute(rusqlite::params![t.id, actor.department_id, code, reason, actor.id, ms(now)])?;
    let mut next = t.clone();
    next.updated_at = now;
    Ok(Path::Request(Box::new(Outcome {
        ticket: next,
        events: vec![NewEvent {
            action: "return_requested",
            note: Some(reason),
            from_status: Some(t.status),
            to_status: t.status,
            data: json!({ "reason_code": code, "department_id": actor.department_id }),
        }],
    })))
}
