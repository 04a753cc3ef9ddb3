//! A complaint's root cause and the improvement measures it leads to. A measure's
//! effectiveness is computed from the complaints of the same kind received after it was
//! done (`complaint::cause::effectiveness`), never typed in. Both go on the ticket's
//! timeline.

use super::complaints::record;
use super::db::{from_ms, ms, Author, Store, NOT_DRILL};
use super::reference::get_user;
use super::rows::load;
use super::sql::{Connection, OptionalExtension};
use crate::complaint::cause::{
    effectiveness, watch_until, AnalysisMethod, CauseCategory, Effectiveness, NewCause, NewMeasure,
};
use crate::error::{Error, Result};
use crate::validate::{opt_text, NOTE_MAX};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cause {
    pub ticket_id: i64,
    pub category: CauseCategory,
    pub method: AnalysisMethod,
    pub steps: Vec<String>,
    pub summary: String,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    pub id: i64,
    pub ticket_id: i64,
    pub number: String,
    pub title: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub due_at: DateTime<Utc>,
    pub watch_months: u32,
    pub category_id: i64,
    pub done_at: Option<DateTime<Utc>>,
    pub done_note: Option<String>,
    pub effectiveness: Effectiveness,
}

pub(super) fn cause(c: &Connection, ticket_id: i64) -> Result<Option<Cause>> {
    let row = c
        .prepare_cached(
            "SELECT k.category, k.method, k.steps, k.summary, u.name, k.at FROM complaint_causes k
             JOIN users u ON u.id = k.by_user WHERE k.ticket_id = ?1",
        )?
        .query_row([ticket_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get::<_, String>(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .optional()?;
    row.map(|(category, method, steps, summary, by_name, at)| {
        Ok(Cause {
            ticket_id,
            category,
            method,
            steps: serde_json::from_str(&steps)?,
            summary,
            by_name,
            at: from_ms(at),
        })
    })
    .transpose()
}

/// Complaints of category `category_id` received after `after` (drills left out), but
/// the measure's own: (number, receipt).
pub(super) fn later_complaints(
    c: &Connection,
    category_id: i64,
    source: i64,
    after: DateTime<Utc>,
) -> Result<Vec<(String, DateTime<Utc>)>> {
    let rows = c
        .prepare_cached(&format!(
            "SELECT t.number, t.received_at FROM tickets t JOIN complaints k ON k.ticket_id = t.id
             WHERE t.category_id = ?1 AND t.received_at > ?2 AND t.id <> ?3 AND {NOT_DRILL}
             ORDER BY t.received_at LIMIT 50"
        ))?
        .query_map((category_id, ms(after), source), |r| {
            Ok((r.get(0)?, from_ms(r.get(1)?)))
        })?
        .collect::<super::sql::Result<_>>()?;
    Ok(rows)
}

fn measures_where(
    c: &Connection,
    where_sql: &str,
    param: i64,
    now: DateTime<Utc>,
) -> Result<Vec<Measure>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT m.id, m.ticket_id, t.number, m.title, m.owner_id, u.name, m.due_at, m.watch_months,
                m.category_id, m.done_at, m.done_note
         FROM improvement_measures m JOIN tickets t ON t.id = m.ticket_id JOIN users u ON u.id = m.owner_id
         WHERE {where_sql} ORDER BY m.done_at IS NOT NULL, m.due_at, m.id LIMIT 500"
    ))?;
    let rows: Vec<Measure> = st
        .query_map([param], |r| {
            Ok(Measure {
                id: r.get(0)?,
                ticket_id: r.get(1)?,
                number: r.get(2)?,
                title: r.get(3)?,
                owner_id: r.get(4)?,
                owner_name: r.get(5)?,
                due_at: from_ms(r.get(6)?),
                watch_months: r.get(7)?,
                category_id: r.get(8)?,
                done_at: r.get::<_, Option<i64>>(9)?.map(from_ms),
                done_note: r.get(10)?,
                effectiveness: Effectiveness::Open,
            })
        })?
        .collect::<super::sql::Result<_>>()?;
    rows.into_iter()
        .map(|mut m| {
            if let Some(done) = m.done_at {
                let later = later_complaints(c, m.category_id, m.ticket_id, done)?;
                m.effectiveness = effectiveness(Some(done), m.watch_months, now, &later);
            }
            Ok(m)
        })
        .collect()
}

fn measure(c: &Connection, id: i64, now: DateTime<Utc>) -> Result<Measure> {
    measures_where(c, "m.id = ?1", id, now)?
        .pop()
        .ok_or_else(|| Error::NotFound {
            entity: "measure",
            key: id.to_string(),
        })
}

/// Which measures to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measures {
    OfTicket(i64),
    OwnedBy(i64),
    All,
}

impl Store {
    pub fn complaint_cause(&self, ticket_id: i64) -> Result<Option<Cause>> {
        self.read(|c| cause(c, ticket_id))
    }

    /// Records (or revises) the root cause of a complaint.
    pub fn set_cause(&self, ticket_id: i64, by: Author<'_>, new: &NewCause) -> Result<Cause> {
        let v = new.validated()?;
        let now = self.now();
        self.write(|tx| {
            super::complaints::must_case(tx, ticket_id)?;
            tx.execute(
                "INSERT INTO complaint_causes (ticket_id, category, method, steps, summary, by_user, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(ticket_id) DO UPDATE SET category = excluded.category, method = excluded.method,
                    steps = excluded.steps, summary = excluded.summary, by_user = excluded.by_user, at = excluded.at",
                super::sql::params![
                    ticket_id,
                    v.category,
                    v.method,
                    serde_json::to_string(&v.steps)?,
                    &v.summary,
                    by.user.id,
                    ms(now)
                ],
            )?;
            let data = json!({ "category": v.category, "method": v.method });
            record(tx, ticket_id, by, now, "cause", Some(v.summary.clone()), data)?;
            cause(tx, ticket_id)?.ok_or_else(|| Error::Internal("cause just written".into()))
        })
    }

    /// Adds an improvement measure to a complaint; its kind is the complaint's category.
    pub fn add_measure(&self, ticket_id: i64, by: Author<'_>, new: &NewMeasure) -> Result<Measure> {
        let now = self.now();
        let v = new.validated(now)?;
        self.write(|tx| {
            super::complaints::must_case(tx, ticket_id)?;
            let owner = get_user(tx, v.owner_id)?;
            if !owner.active {
                return Err(Error::Inactive {
                    entity: "user",
                    key: owner.id.to_string(),
                });
            }
            let t = load(tx, ticket_id)?;
            let id = tx.insert(
                "INSERT INTO improvement_measures (ticket_id, title, owner_id, due_at, watch_months, category_id, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                super::sql::params![ticket_id, &v.title, owner.id, ms(v.due_at), v.watch_months, t.category_id, by.user.id, ms(now)],
            )?;
            let data = json!({ "measure_id": id, "owner": owner.name, "due_at": v.due_at });
            record(tx, ticket_id, by, now, "measure", Some(v.title.clone()), data)?;
            measure(tx, id, now)
        })
    }

    /// Marks a measure done; from then on later complaints of the kind judge it.
    pub fn complete_measure(&self, id: i64, by: Author<'_>, note: Option<&str>) -> Result<Measure> {
        let note = opt_text("note", note, NOTE_MAX)?;
        let now = self.now();
        self.write(|tx| {
            let m = measure(tx, id, now)?;
            if m.done_at.is_some() {
                return Err(Error::InvalidTransition {
                    action: "complete".into(),
                    status: "done".into(),
                });
            }
            tx.execute(
                "UPDATE improvement_measures SET done_at = ?1, done_by = ?2, done_note = ?3 WHERE id = ?4",
                (ms(now), by.user.id, &note, id),
            )?;
            let data = json!({ "measure_id": id, "watch_until": watch_until(now, m.watch_months) });
            record(tx, m.ticket_id, by, now, "measure_done", Some(m.title.clone()), data)?;
            measure(tx, id, now)
        })
    }

    pub fn measures(&self, which: Measures) -> Result<Vec<Measure>> {
        let now = self.now();
        self.read(|c| match which {
            Measures::OfTicket(id) => measures_where(c, "m.ticket_id = ?1", id, now),
            Measures::OwnedBy(u) => measures_where(c, "m.owner_id = ?1", u, now),
            Measures::All => measures_where(c, "?1 = ?1", 0, now),
        })
    }

    /// Gives finished complaints without a cause the one `pick` chooses (demo data), in
    /// one transaction, each on its ticket's timeline. The number given.
    pub fn seed_causes(
        &self,
        by: &crate::model::User,
        pick: impl Fn(i64) -> Option<NewCause>,
    ) -> Result<usize> {
        let now = self.now();
        self.write(|tx| {
            let ids: Vec<i64> = tx
                .prepare(
                    "SELECT k.ticket_id FROM complaints k JOIN tickets t ON t.id = k.ticket_id
                     WHERE t.status IN ('closed', 'archived')
                       AND NOT EXISTS (SELECT 1 FROM complaint_causes x WHERE x.ticket_id = k.ticket_id)
                     ORDER BY k.ticket_id",
                )?
                .query_map([], |r| r.get(0))?
                .collect::<super::sql::Result<_>>()?;
            let mut n = 0;
            for id in ids {
                let Some(c) = pick(id) else { continue };
                let c = c.validated()?;
                tx.execute(
                    "INSERT INTO complaint_causes (ticket_id, category, method, steps, summary, by_user, at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    super::sql::params![id, c.category, c.method, serde_json::to_string(&c.steps)?, &c.summary, by.id, ms(now)],
                )?;
                let data = json!({ "category": c.category, "method": c.method });
                record(tx, id, by.into(), now, "cause", Some(c.summary), data)?;
                n += 1;
            }
            Ok(n)
        })
    }

    pub fn measure(&self, id: i64) -> Result<Measure> {
        let now = self.now();
        self.read(|c| measure(c, id, now))
    }
}

#[cfg(test)]
#[path = "improvements_tests.rs"]
mod tests;
