//! Return requests in the store: a department's return recorded as a request (the ticket
//! stays with it, its clock running), the request read back, and an approved request
//! letting the return through.

use super::db::{from_ms, ms};
use super::sql::{Connection, OptionalExtension};
use crate::action::Action;
use crate::error::{Error, Result};
use crate::lifecycle::{NewEvent, Outcome};
use crate::model::{Role, Ticket, User};
use crate::returns::{RequestState, ReturnReason};
use chrono::{DateTime, Utc};
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

fn row(r: &super::sql::Row<'_>) -> super::sql::Result<ReturnRequest> {
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

/// A reason on the centre's list of return reasons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReasonRow {
    pub code: ReturnReason,
    /// Empty for a built-in reason, named in the reader's language.
    pub name: String,
    pub built_in: bool,
    pub active: bool,
}

/// The list, in its order, those taken off it too.
pub(super) fn reasons(c: &Connection) -> Result<Vec<ReasonRow>> {
    Ok(c.prepare_cached(
        "SELECT code, name, built_in, active FROM return_reasons ORDER BY position, code",
    )?
    .query_map([], |r| {
        Ok(ReasonRow {
            code: r.get(0)?,
            name: r.get(1)?,
            built_in: r.get(2)?,
            active: r.get(3)?,
        })
    })?
    .collect::<super::sql::Result<_>>()?)
}

impl super::db::Store {
    pub fn return_reasons(&self) -> Result<Vec<ReasonRow>> {
        self.read(reasons)
    }

    /// Adds a reason to the list or changes one: a new one needs its name; a built-in one
    /// keeps its translated name (`name` empty) and "other" stays on the list.
    pub fn save_return_reason(
        &self,
        by: &User,
        code: &ReturnReason,
        name: &str,
        active: bool,
    ) -> Result<ReasonRow> {
        let name = name.trim();
        if !code.is_built_in() {
            crate::validate::text("name", name, 60)?;
        } else if !name.is_empty() {
            return Err(Error::InvalidValue {
                field: "name",
                value: name.chars().take(60).collect(),
            });
        }
        if code.as_str() == "other" && !active {
            return Err(Error::InvalidValue {
                field: "active",
                value: code.to_string(),
            });
        }
        let now = self.now();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO return_reasons (code, name, active, position)
                 VALUES (?1, ?2, ?3, (SELECT coalesce(max(position), 0) + 1 FROM return_reasons WHERE code <> 'other'))
                 ON CONFLICT(code) DO UPDATE SET name = excluded.name, active = excluded.active",
                super::sql::params![code, name, active],
            )?;
            super::audit::append(
                tx,
                now,
                Some(by),
                "return_reason_saved",
                &format!("return_reason:{code}"),
                &json!({ "code": code, "name": name, "active": active }),
            )?;
            reasons(tx)?
                .into_iter()
                .find(|r| &r.code == code)
                .ok_or_else(|| Error::Internal("a saved reason is missing".into()))
        })
    }
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
    .collect::<super::sql::Result<_>>()?)
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
    let code = reason_code.as_ref().ok_or(Error::Required {
        field: "reason_code",
    })?;
    let listed: bool = c.query_row(
        "SELECT EXISTS (SELECT 1 FROM return_reasons WHERE code = ?1 AND active = TRUE)",
        [code],
        |r| r.get(0),
    )?;
    if !listed {
        return Err(Error::InvalidValue {
            field: "reason_code",
            value: code.to_string(),
        });
    }
    let reason = crate::validate::text("reason", reason, crate::validate::NOTE_MAX)?;
    c.prepare_cached(
        "INSERT INTO return_requests (ticket_id, department_id, reason_code, reason, state, requested_by, requested_at)
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6)",
    )?
    .execute(super::sql::params![t.id, actor.department_id, code, reason, actor.id, ms(now)])?;
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
