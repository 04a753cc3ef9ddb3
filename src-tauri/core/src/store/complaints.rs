//! Complaint cases beside their tickets: opened with the ticket when its category is a
//! complaint, acknowledged, assessed on the matrix and reviewed by legal. Each change is
//! also an entry on the ticket's timeline (state-neutral, like a comment), so the ticket's
//! history, versions and the centre's stream carry it.

use super::db::{from_ms, int_setting, ms, policy, Author, Store};
use super::rows::{append_event, load};
use super::sql::{Connection, OptionalExtension};
use crate::complaint::{AckMethod, Grade, LegalOutcome, NewAssessment, NewOpinion, COMPLAINT_ROOT};
use crate::error::{Error, Result};
use crate::lifecycle::{NewEvent, Policy};
use crate::model::Severity;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

/// Opens the cases of complaint tickets from id `first` on that have none: acknowledged
/// at intake when made in person, otherwise by the hotline's first step after intake (an
/// import's history) or not yet (a new ticket). One statement for intake and imports.
pub(super) fn open_cases(tx: &Connection, first: i64) -> Result<()> {
    let hours = int_setting(tx, "complaint_ack_hours")?;
    tx.prepare_cached(OPEN_CASES)?
        .execute((first, COMPLAINT_ROOT, hours))?;
    Ok(())
}

/// The complaints among the tickets from `?1` on. They are the newest rows: read by id
/// range. The `+` keeps SQLite off the category index, which it preferred on a
/// million-ticket store, visiting every complaint ever logged on each intake (46 ms).
pub(super) const OPEN_CASES: &str =
        "INSERT INTO complaints (ticket_id, ack_due_at, acknowledged_at, acknowledged_by, ack_method)
         WITH RECURSIVE tree(id) AS (
             SELECT id FROM categories WHERE code = ?2
             UNION ALL SELECT c.id FROM categories c JOIN tree ON c.parent_id = tree.id
         ), acks AS (
             SELECT t.id, t.received_at, t.created_by, t.channel IN ('phone', 'walk_in') AS in_person,
                    (SELECT min(e.at) FROM events e WHERE e.ticket_id = t.id AND e.seq > 1) AS first_step
             FROM tickets t
             WHERE t.id >= ?1 AND +t.category_id IN (SELECT id FROM tree)
               AND NOT EXISTS (SELECT 1 FROM complaints k WHERE k.ticket_id = t.id)
         )
         SELECT id, received_at + ?3 * 3600000,
                CASE WHEN in_person THEN received_at ELSE first_step END,
                CASE WHEN in_person THEN created_by END,
                CASE WHEN in_person THEN 'at_intake' END
         FROM acks";

/// The lifecycle's settings for one ticket: the centre's, with the legal gate.
pub(super) fn ticket_policy(c: &Connection, ticket_id: i64) -> Result<Policy> {
    let mut p = policy(c)?;
    p.relay_held = relay_held(c, ticket_id)?;
    Ok(p)
}

fn relay_held(c: &Connection, ticket_id: i64) -> Result<bool> {
    let row: Option<(bool, Option<LegalOutcome>)> = c
        .prepare_cached(
            "SELECT k.risky, (SELECT o.outcome FROM legal_opinions o WHERE o.ticket_id = k.ticket_id ORDER BY o.id DESC LIMIT 1)
             FROM complaints k WHERE k.ticket_id = ?1",
        )?
        .query_row([ticket_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.is_some_and(|(risky, latest)| crate::complaint::relay_held(risky, latest)))
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LegalOpinion {
    pub id: i64,
    pub outcome: LegalOutcome,
    pub opinion: String,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

/// A complaint case as the ticket's screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Complaint {
    pub ticket_id: i64,
    pub remedy: String,
    pub ack_due_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    pub ack_method: Option<AckMethod>,
    pub urgency: Option<Grade>,
    pub impact: Option<Grade>,
    pub suggested: Option<Severity>,
    pub legal_suggested: bool,
    pub emergency: bool,
    /// The level to declare the major-complaint response at, when the matrix suggests it.
    pub incident_level: Option<crate::emergency::Level>,
    pub risky: bool,
    pub assessed_at: Option<DateTime<Utc>>,
    pub assessed_by: Option<String>,
    pub opinions: Vec<LegalOpinion>,
    /// Whether the legal gate holds the answer back now.
    pub relay_held: bool,
}

fn grade(v: Option<i64>) -> Option<Grade> {
    v.and_then(|v| Grade::try_from(v).ok())
}

pub(super) fn case(c: &Connection, ticket_id: i64) -> Result<Option<Complaint>> {
    let row = c
        .prepare_cached(
            "SELECT k.remedy, k.ack_due_at, k.acknowledged_at, a.name, k.ack_method, k.urgency, k.impact,
                    k.suggested, k.legal_suggested, k.emergency, k.risky, k.assessed_at, s.name
             FROM complaints k
             LEFT JOIN users a ON a.id = k.acknowledged_by
             LEFT JOIN users s ON s.id = k.assessed_by
             WHERE k.ticket_id = ?1",
        )?
        .query_row([ticket_id], |r| {
            Ok(Complaint {
                ticket_id,
                remedy: r.get(0)?,
                ack_due_at: from_ms(r.get(1)?),
                acknowledged_at: r.get::<_, Option<i64>>(2)?.map(from_ms),
                acknowledged_by: r.get(3)?,
                ack_method: r.get(4)?,
                urgency: grade(r.get(5)?),
                impact: grade(r.get(6)?),
                suggested: r.get(7)?,
                legal_suggested: r.get(8)?,
                emergency: r.get(9)?,
                incident_level: None,
                risky: r.get(10)?,
                assessed_at: r.get::<_, Option<i64>>(11)?.map(from_ms),
                assessed_by: r.get(12)?,
                opinions: Vec::new(),
                relay_held: false,
            })
        })
        .optional()?;
    let Some(mut k) = row else { return Ok(None) };
    k.opinions = c
        .prepare_cached(
            "SELECT o.id, o.outcome, o.opinion, u.name, o.at FROM legal_opinions o
             JOIN users u ON u.id = o.by_user WHERE o.ticket_id = ?1 ORDER BY o.id DESC",
        )?
        .query_map([ticket_id], |r| {
            Ok(LegalOpinion {
                id: r.get(0)?,
                outcome: r.get(1)?,
                opinion: r.get(2)?,
                by_name: r.get(3)?,
                at: from_ms(r.get(4)?),
            })
        })?
        .collect::<super::sql::Result<_>>()?;
    k.incident_level = k
        .suggested
        .filter(|_| k.emergency)
        .map(crate::complaint::incident_level);
    k.relay_held = crate::complaint::relay_held(k.risky, k.opinions.first().map(|o| o.outcome));
    Ok(Some(k))
}

pub(super) fn must_case(c: &Connection, ticket_id: i64) -> Result<Complaint> {
    case(c, ticket_id)?.ok_or_else(|| Error::NotFound {
        entity: "complaint",
        key: ticket_id.to_string(),
    })
}

/// A case's change as an entry on the ticket's timeline.
pub(super) fn record(
    tx: &Connection,
    ticket_id: i64,
    by: Author<'_>,
    now: DateTime<Utc>,
    action: &'static str,
    note: Option<String>,
    data: serde_json::Value,
) -> Result<()> {
    let mut t = load(tx, ticket_id)?;
    let event = NewEvent {
        action,
        note,
        from_status: Some(t.status),
        to_status: t.status,
        data,
    };
    append_event(tx, &mut t, now, by.user.id, &event)
}

impl crate::mask::Mask for Complaint {
    fn mask(&mut self) {
        self.remedy = crate::mask::text(&self.remedy);
    }
}

/// A risky complaint in the legal reviewer's queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeldComplaint {
    pub ticket_id: i64,
    pub number: String,
    pub summary: String,
    pub remedy: String,
    pub status: crate::model::Status,
    pub severity: Severity,
    pub assessed_at: Option<DateTime<Utc>>,
    pub latest: Option<LegalOutcome>,
    pub relay_held: bool,
}

impl crate::mask::Mask for HeldComplaint {
    fn mask(&mut self) {
        self.summary = crate::mask::text(&self.summary);
        self.remedy = crate::mask::text(&self.remedy);
    }
}

impl Store {
    /// Risky complaints, those the gate holds first, then the newest.
    pub fn held_complaints(&self, limit: u32) -> Result<Vec<HeldComplaint>> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT t.id, t.number, substr(t.description, 1, 80), k.remedy, t.status, t.severity, k.assessed_at,
                        (SELECT o.outcome FROM legal_opinions o WHERE o.ticket_id = k.ticket_id ORDER BY o.id DESC LIMIT 1) AS latest
                 FROM complaints k JOIN tickets t ON t.id = k.ticket_id
                 WHERE k.risky = TRUE
                 ORDER BY coalesce(latest = 'cleared', 0), k.assessed_at DESC, t.id DESC
                 LIMIT ?1",
            )?;
            let rows = st
                .query_map([limit], |r| {
                    let latest: Option<LegalOutcome> = r.get(7)?;
                    Ok(HeldComplaint {
                        ticket_id: r.get(0)?,
                        number: r.get(1)?,
                        summary: r.get(2)?,
                        remedy: r.get(3)?,
                        status: r.get(4)?,
                        severity: r.get(5)?,
                        assessed_at: r.get::<_, Option<i64>>(6)?.map(from_ms),
                        latest,
                        relay_held: crate::complaint::relay_held(true, latest),
                    })
                })?
                .collect::<super::sql::Result<_>>()?;
            Ok(rows)
        })
    }

    /// The complaint case of a ticket, if it is one.
    pub fn complaint(&self, ticket_id: i64) -> Result<Option<Complaint>> {
        self.read(|c| case(c, ticket_id))
    }

    /// Records the remedy the complainant seeks, in their words.
    pub fn set_remedy(&self, ticket_id: i64, by: Author<'_>, remedy: &str) -> Result<Complaint> {
        let remedy = crate::complaint::remedy(remedy)?;
        let now = self.now();
        self.write(|tx| {
            must_case(tx, ticket_id)?;
            tx.execute(
                "UPDATE complaints SET remedy = ?1 WHERE ticket_id = ?2",
                (&remedy, ticket_id),
            )?;
            record(
                tx,
                ticket_id,
                by,
                now,
                "remedy",
                Some(remedy.clone()),
                json!({}),
            )?;
            must_case(tx, ticket_id)
        })
    }

    /// Tells the complainant their complaint was received: once.
    pub fn acknowledge_complaint(
        &self,
        ticket_id: i64,
        by: Author<'_>,
        method: AckMethod,
    ) -> Result<Complaint> {
        let now = self.now();
        self.write(|tx| {
            let k = must_case(tx, ticket_id)?;
            if k.acknowledged_at.is_some() {
                return Err(Error::InvalidTransition {
                    action: "acknowledge".into(),
                    status: "acknowledged".into(),
                });
            }
            tx.execute(
                "UPDATE complaints SET acknowledged_at = ?1, acknowledged_by = ?2, ack_method = ?3 WHERE ticket_id = ?4",
                (ms(now), by.user.id, method, ticket_id),
            )?;
            let on_time = now <= k.ack_due_at;
            record(tx, ticket_id, by, now, "acknowledge", None, json!({ "ack": method, "on_time": on_time }))?;
            must_case(tx, ticket_id)
        })
    }

    /// Assesses urgency × impact. The decided severity becomes the ticket's, so a grave
    /// complaint alerts like any grave ticket.
    pub fn assess_complaint(
        &self,
        ticket_id: i64,
        by: Author<'_>,
        a: &NewAssessment,
    ) -> Result<Complaint> {
        let a = a.validated()?;
        let now = self.now();
        self.write(|tx| {
            must_case(tx, ticket_id)?;
            tx.execute(
                "UPDATE complaints SET urgency = ?1, impact = ?2, suggested = ?3, legal_suggested = ?4,
                    emergency = ?5, risky = ?6, assessed_at = ?7, assessed_by = ?8 WHERE ticket_id = ?9",
                super::sql::params![
                    a.urgency.get(),
                    a.impact.get(),
                    a.suggested.severity,
                    a.suggested.legal,
                    a.suggested.emergency,
                    a.risky,
                    ms(now),
                    by.user.id,
                    ticket_id
                ],
            )?;
            let before = load(tx, ticket_id)?;
            if before.severity != a.severity {
                tx.execute(
                    "UPDATE tickets SET severity = ?1 WHERE id = ?2",
                    (a.severity, ticket_id),
                )?;
                let t = load(tx, ticket_id)?;
                super::alarms::refresh(tx, &t, now, &super::alarms::ctx(tx)?)?;
            }
            record(
                tx,
                ticket_id,
                by,
                now,
                "assess",
                a.note.clone(),
                json!({
                    "urgency": a.urgency, "impact": a.impact, "suggested": a.suggested.severity,
                    "severity": a.severity, "from_severity": before.severity, "risky": a.risky,
                    "emergency": a.suggested.emergency,
                }),
            )?;
            must_case(tx, ticket_id)
        })
    }

    /// Records a legal opinion; the latest decides whether the answer may be relayed.
    pub fn legal_opinion(
        &self,
        ticket_id: i64,
        by: Author<'_>,
        o: &NewOpinion,
    ) -> Result<Complaint> {
        let (outcome, opinion) = o.validated()?;
        let now = self.now();
        self.write(|tx| {
            must_case(tx, ticket_id)?;
            tx.execute(
                "INSERT INTO legal_opinions (ticket_id, outcome, opinion, by_user, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                (ticket_id, outcome, &opinion, by.user.id, ms(now)),
            )?;
            record(tx, ticket_id, by, now, "legal_opinion", Some(opinion.clone()), json!({ "outcome": outcome }))?;
            must_case(tx, ticket_id)
        })
    }
}

#[cfg(test)]
#[path = "complaints_tests.rs"]
mod tests;
