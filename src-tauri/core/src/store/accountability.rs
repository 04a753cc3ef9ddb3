//! Accountability findings about staff involved in a complaint. Kept off the ticket's
//! timeline (which everyone who sees the ticket reads): each step is in the audit log
//! instead, with ids only, and the person concerned is told through their notification
//! centre and seats.

use super::audit::append;
use super::db::{from_ms, ms, Author, Store};
use super::reference::get_user;
use super::rows::load;
use super::sql::Connection;
use crate::complaint::accountability::{
    may_decide, may_respond, NewDecision, NewFinding, Proposal,
};
use crate::error::{Error, Result};
use crate::validate::{text, NOTE_MAX};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub id: i64,
    pub ticket_id: i64,
    pub number: String,
    pub staff_id: i64,
    pub staff_name: String,
    pub finding: String,
    pub proposal: Proposal,
    pub proposal_note: Option<String>,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    pub decision: Option<String>,
    pub effective_on: Option<NaiveDate>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub response: Option<String>,
    pub responded_at: Option<DateTime<Utc>>,
}

/// Which findings to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Findings {
    OfTicket(i64),
    About(i64),
    All,
}

fn findings_where(c: &Connection, where_sql: &str, param: i64) -> Result<Vec<Finding>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT f.id, f.ticket_id, t.number, f.staff_id, s.name, f.finding, f.proposal, f.proposal_note,
                p.name, f.proposed_at, f.decision, f.effective_on, d.name, f.decided_at, f.response, f.responded_at
         FROM complaint_findings f
         JOIN tickets t ON t.id = f.ticket_id
         JOIN users s ON s.id = f.staff_id
         JOIN users p ON p.id = f.proposed_by
         LEFT JOIN users d ON d.id = f.decided_by
         WHERE {where_sql} ORDER BY f.id DESC LIMIT 500"
    ))?;
    let rows = st
        .query_map([param], |r| {
            Ok(Finding {
                id: r.get(0)?,
                ticket_id: r.get(1)?,
                number: r.get(2)?,
                staff_id: r.get(3)?,
                staff_name: r.get(4)?,
                finding: r.get(5)?,
                proposal: r.get(6)?,
                proposal_note: r.get(7)?,
                proposed_by: r.get(8)?,
                proposed_at: from_ms(r.get(9)?),
                decision: r.get(10)?,
                effective_on: r.get::<_, Option<String>>(11)?.and_then(|d| d.parse().ok()),
                decided_by: r.get(12)?,
                decided_at: r.get::<_, Option<i64>>(13)?.map(from_ms),
                response: r.get(14)?,
                responded_at: r.get::<_, Option<i64>>(15)?.map(from_ms),
            })
        })?
        .collect::<super::sql::Result<_>>()?;
    Ok(rows)
}

fn finding(c: &Connection, id: i64) -> Result<Finding> {
    findings_where(c, "f.id = ?1", id)?
        .pop()
        .ok_or_else(|| Error::NotFound {
            entity: "finding",
            key: id.to_string(),
        })
}

/// Tells the person concerned, in their notification centre and on their seats.
fn tell(c: &Connection, f: &Finding, now: DateTime<Utc>) -> Result<()> {
    let kind = crate::alarms::AlarmKind::Finding;
    c.prepare_cached(
        "INSERT INTO notifications (user_id, ticket_id, kind, threshold, deadline, created_at) VALUES (?1, ?2, ?3, 0, ?4, ?4)",
    )?
    .execute((f.staff_id, f.ticket_id, kind.as_str(), ms(now)))?;
    let data = json!({ "kind": kind, "threshold": 0, "number": f.number, "caller_name": "", "deadline": now });
    super::outbox::publish(
        c,
        now,
        super::outbox::OutboxKind::Notification,
        Some(f.ticket_id),
        Some(f.staff_id),
        &data,
    )?;
    Ok(())
}

impl Store {
    /// Records what was found about a member of staff, and HR's proposal.
    pub fn add_finding(&self, ticket_id: i64, by: Author<'_>, new: &NewFinding) -> Result<Finding> {
        let v = new.validated()?;
        let now = self.now();
        self.write(|tx| {
            super::complaints::must_case(tx, ticket_id)?;
            let staff = get_user(tx, v.staff_id)?;
            let t = load(tx, ticket_id)?;
            let new_id = tx.insert(
                "INSERT INTO complaint_findings (ticket_id, staff_id, finding, proposal, proposal_note, proposed_by, proposed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                super::sql::params![ticket_id, staff.id, &v.finding, v.proposal, &v.proposal_note, by.user.id, ms(now)],
            )?;
            let f = finding(tx, new_id)?;
            append(tx, now, Some(by.user), "finding_recorded", &t.number, &json!({ "finding_id": f.id, "staff_id": staff.id }))?;
            tell(tx, &f, now)?;
            Ok(f)
        })
    }

    /// The decision on a finding and the day it takes effect: once.
    pub fn decide_finding(&self, id: i64, by: Author<'_>, d: &NewDecision) -> Result<Finding> {
        let v = d.validated()?;
        let now = self.now();
        self.write(|tx| {
            let f = finding(tx, id)?;
            may_decide(f.decided_at.is_some())?;
            tx.execute(
                "UPDATE complaint_findings SET decision = ?1, effective_on = ?2, decided_by = ?3, decided_at = ?4 WHERE id = ?5",
                (&v.decision, v.effective_on.to_string(), by.user.id, ms(now), id),
            )?;
            append(tx, now, Some(by.user), "finding_decided", &f.number, &json!({ "finding_id": id, "staff_id": f.staff_id }))?;
            let f = finding(tx, id)?;
            tell(tx, &f, now)?;
            Ok(f)
        })
    }

    /// The person concerned answers a finding about them: once.
    pub fn respond_finding(&self, id: i64, by: Author<'_>, response: &str) -> Result<Finding> {
        let response = text("response", response, NOTE_MAX)?;
        let now = self.now();
        self.write(|tx| {
            let f = finding(tx, id)?;
            if f.staff_id != by.user.id {
                return Err(Error::Forbidden {
                    action: "respond_finding".into(),
                    actor: by.user.name.clone(),
                    role: by.user.role.as_str().into(),
                    permission: false,
                });
            }
            may_respond(f.responded_at.is_some())?;
            tx.execute(
                "UPDATE complaint_findings SET response = ?1, responded_at = ?2 WHERE id = ?3",
                (&response, ms(now), id),
            )?;
            append(
                tx,
                now,
                Some(by.user),
                "finding_answered",
                &f.number,
                &json!({ "finding_id": id }),
            )?;
            finding(tx, id)
        })
    }

    pub fn findings(&self, which: Findings) -> Result<Vec<Finding>> {
        self.read(|c| match which {
            Findings::OfTicket(id) => findings_where(c, "f.ticket_id = ?1", id),
            Findings::About(u) => findings_where(c, "f.staff_id = ?1", u),
            Findings::All => findings_where(c, "?1 = ?1", 0),
        })
    }

    pub fn finding(&self, id: i64) -> Result<Finding> {
        self.read(|c| finding(c, id))
    }
}

#[cfg(test)]
#[path = "accountability_tests.rs"]
mod tests;
