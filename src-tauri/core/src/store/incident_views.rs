//! Incidents as the screens read them: a list row with its caller count and current
//! bulletin, and everything about one incident (plan, checklist, bulletins, timeline,
//! calls). The writes are in `incidents`.

use super::db::{from_ms, ms, Store};
use super::rows::{opt_time, time};
use super::sql::{Connection, OptionalExtension, Row};
use crate::emergency::plan::Plan;
use crate::emergency::{Incident, IncidentEvent, IncidentStatus, Level};
use crate::error::{Error, Result};
use crate::model::TicketRow;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One step of an incident's checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentStep {
    pub step: i64,
    pub key: String,
    pub title: String,
    pub due_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<i64>,
    pub note: Option<String>,
}
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bulletin {
    pub incident_id: i64,
    pub version: i64,
    pub wording: String,
    pub advice: String,
    pub measures: String,
    pub valid_until: Option<DateTime<Utc>>,
    pub approved_by: i64,
    pub approver_name: String,
    pub published_at: DateTime<Utc>,
}

/// An incident in a list: with its caller count and current bulletin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentRow {
    #[serde(flatten)]
    pub incident: Incident,
    /// Distinct callers among the attached calls.
    pub callers: i64,
    pub tickets: i64,
    pub bulletin: Option<Bulletin>,
    pub steps_overdue: i64,
}

/// Everything about one incident.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentDetail {
    #[serde(flatten)]
    pub row: IncidentRow,
    pub plan: Plan,
    pub steps: Vec<IncidentStep>,
    /// Every version, newest first.
    pub bulletins: Vec<Bulletin>,
    pub events: Vec<IncidentEvent>,
    pub linked: Vec<TicketRow>,
    /// Everyone paged, and whether they acknowledged.
    pub pages: Vec<super::pages::PageRow>,
}
fn incident_row(r: &Row) -> super::sql::Result<Incident> {
    let level = |col: &str| -> super::sql::Result<Option<Level>> {
        Ok(r.get::<_, Option<i64>>(col)?
            .and_then(|v| Level::try_from(v).ok()))
    };
    let parse = |col: &str| -> super::sql::Result<String> { r.get(col) };
    Ok(Incident {
        id: r.get("id")?,
        number: r.get("number")?,
        version: r.get("version")?,
        title: r.get("title")?,
        kind: parse("kind")?
            .parse()
            .unwrap_or(crate::emergency::IncidentKind::Other),
        level: level("level")?.unwrap_or(Level::LOWEST),
        proposed_level: level("proposed_level")?,
        status: parse("status")?.parse().unwrap_or(IncidentStatus::Declared),
        area: r.get("area")?,
        services: r.get("services")?,
        category_id: r.get("category_id")?,
        started_at: time(r, "started_at")?,
        declared_at: time(r, "declared_at")?,
        declared_by: r.get("declared_by")?,
        owner_id: r.get("owner_id")?,
        plan_id: r.get("plan_id")?,
        drill: r.get("drill")?,
        resolved_at: opt_time(r, "resolved_at")?,
        summary: r.get("summary")?,
        updated_at: time(r, "updated_at")?,
    })
}

pub(super) fn load(c: &Connection, id: i64) -> Result<Incident> {
    c.prepare_cached("SELECT * FROM incidents WHERE id = ?1")?
        .query_row([id], incident_row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "incident",
            key: id.to_string(),
        })
}

impl Store {
    /// Incidents, active ones first then the newest; `active_only` for the intake screen.
    pub fn incidents(&self, active_only: bool, limit: u32) -> Result<Vec<IncidentRow>> {
        let now = self.now();
        self.read(|c| {
            let sql = format!(
                "SELECT * FROM incidents {} ORDER BY status IN ('declared','responding','monitoring') DESC, declared_at DESC, id DESC LIMIT ?1",
                if active_only { "WHERE status IN ('declared','responding','monitoring')" } else { "" }
            );
            let list: Vec<Incident> = c
                .prepare_cached(&sql)?
                .query_map([limit.min(1000)], incident_row)?
                .collect::<super::sql::Result<_>>()?;
            list.into_iter().map(|i| row_of(c, i, now)).collect()
        })
    }

    /// One incident with everything about it; of its calls, those in `scope` (a
    /// department's) only, when given.
    pub fn incident_detail(&self, id: i64, scope: Option<i64>) -> Result<IncidentDetail> {
        let now = self.now();
        self.snapshot(|c| {
            let i = load(c, id)?;
            let plan = super::plans::get(c, i.plan_id)?;
            let row = row_of(c, i, now)?;
            let linked = super::listing::rows_where(
                c,
                "SELECT l.ticket_id FROM incident_tickets l JOIN tickets t ON t.id = l.ticket_id
                 WHERE l.incident_id = ? AND (CAST(? AS BIGINT) IS NULL OR t.department_id = ?)",
                vec![id.into(), scope.into(), scope.into()],
            )?;
            Ok(IncidentDetail {
                row,
                plan,
                steps: steps(c, id)?,
                bulletins: bulletins(c, id)?,
                events: events(c, id)?,
                linked,
                pages: super::pages::of_incident(c, id)?,
            })
        })
    }

    /// An incident with its current bulletin (refused when none was published yet).
    pub fn current_bulletin(&self, id: i64) -> Result<(Incident, Bulletin)> {
        self.snapshot(|c| {
            let i = load(c, id)?;
            let b = bulletins(c, id)?
                .into_iter()
                .next()
                .ok_or_else(|| Error::NotFound {
                    entity: "bulletin",
                    key: i.number.clone(),
                })?;
            Ok((i, b))
        })
    }

    /// An incident's id from its number (YJ20261202-01) or its id as text.
    pub fn incident_id(&self, key: &str) -> Result<i64> {
        let key = key.trim();
        self.read(|c| {
            c.query_row(
                "SELECT id FROM incidents WHERE number = ?1 OR CAST(id AS TEXT) = ?1",
                [key],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound {
                entity: "incident",
                key: key.chars().take(40).collect(),
            })
        })
    }

    /// The incident a call is attached to, if any.
    pub fn incident_of_ticket(&self, ticket_id: i64) -> Result<Option<i64>> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT incident_id FROM incident_tickets WHERE ticket_id = ?1",
                [ticket_id],
                |r| r.get(0),
            )
            .optional()?)
        })
    }
}

fn row_of(c: &Connection, incident: Incident, now: DateTime<Utc>) -> Result<IncidentRow> {
    let (callers, tickets): (i64, i64) = c.query_row(
        "SELECT count(DISTINCT CASE WHEN t.anonymous OR t.phone = '' THEN 'id' || t.id ELSE t.phone END), count(*)
         FROM incident_tickets l JOIN tickets t ON t.id = l.ticket_id WHERE l.incident_id = ?1",
        [incident.id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let steps_overdue: i64 = c.query_row(
        "SELECT count(*) FROM incident_steps WHERE incident_id = ?1 AND done_at IS NULL AND due_at < ?2",
        (incident.id, ms(now)),
        |r| r.get(0),
    )?;
    let bulletin = bulletins(c, incident.id)?.into_iter().next();
    Ok(IncidentRow {
        incident,
        callers,
        tickets,
        bulletin,
        steps_overdue,
    })
}

pub(super) fn steps(c: &Connection, id: i64) -> Result<Vec<IncidentStep>> {
    let mut st = c.prepare_cached(
        "SELECT step, key, title, due_at, done_at, done_by, note FROM incident_steps WHERE incident_id = ?1 ORDER BY step",
    )?;
    let rows = st
        .query_map([id], |r| {
            Ok(IncidentStep {
                step: r.get(0)?,
                key: r.get(1)?,
                title: r.get(2)?,
                due_at: from_ms(r.get(3)?),
                done_at: r.get::<_, Option<i64>>(4)?.map(from_ms),
                done_by: r.get(5)?,
                note: r.get(6)?,
            })
        })?
        .collect::<super::sql::Result<_>>()?;
    Ok(rows)
}

pub(super) fn bulletins(c: &Connection, id: i64) -> Result<Vec<Bulletin>> {
    let mut st = c.prepare_cached(
        "SELECT b.incident_id, b.version, b.wording, b.advice, b.measures, b.valid_until, b.approved_by, u.name, b.published_at
         FROM incident_bulletins b JOIN users u ON u.id = b.approved_by WHERE b.incident_id = ?1 ORDER BY b.version DESC",
    )?;
    let rows = st
        .query_map([id], |r| {
            Ok(Bulletin {
                incident_id: r.get(0)?,
                version: r.get(1)?,
                wording: r.get(2)?,
                advice: r.get(3)?,
                measures: r.get(4)?,
                valid_until: r.get::<_, Option<i64>>(5)?.map(from_ms),
                approved_by: r.get(6)?,
                approver_name: r.get(7)?,
                published_at: from_ms(r.get(8)?),
            })
        })?
        .collect::<super::sql::Result<_>>()?;
    Ok(rows)
}

pub(super) fn events(c: &Connection, id: i64) -> Result<Vec<IncidentEvent>> {
    let mut st = c.prepare_cached(
        "SELECT e.seq, e.at, e.actor_id, u.name, e.action, e.note, e.from_status, e.to_status, e.data
         FROM incident_events e JOIN users u ON u.id = e.actor_id WHERE e.incident_id = ?1 ORDER BY e.seq",
    )?;
    let rows = st
        .query_map([id], |r| {
            let from: Option<String> = r.get(6)?;
            let to: String = r.get(7)?;
            let data: String = r.get(8)?;
            Ok(IncidentEvent {
                seq: r.get(0)?,
                at: from_ms(r.get(1)?),
                actor_id: r.get(2)?,
                actor_name: r.get(3)?,
                action: r.get(4)?,
                note: r.get(5)?,
                from_status: from.and_then(|s| s.parse().ok()),
                to_status: to.parse().unwrap_or(IncidentStatus::Declared),
                data: serde_json::from_str(&data).unwrap_or_default(),
            })
        })?
        .collect::<super::sql::Result<_>>()?;
    Ok(rows)
}
