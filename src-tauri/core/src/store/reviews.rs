//! Reviews of incidents in the store: the review closes a resolved incident, its
//! follow-up actions are tracked to completion (their owners reminded once when one falls
//! due), and the review's timeline is the incident's own events.

use super::db::{from_ms, ms, Author, Store};
use super::incident_views::load;
use super::sql::{Connection, OptionalExtension};
use crate::emergency::review::{reviewed, NewReview};
use crate::emergency::IncidentEvent;
use crate::error::{Error, Result};
use crate::validate::{opt_text, NOTE_MAX};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUp {
    pub id: i64,
    pub incident_id: i64,
    pub title: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub due_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<i64>,
    pub note: Option<String>,
}

/// An incident's review: the assessments, the follow-ups and the timeline, assembled from
/// the incident's events (declared, each page and acknowledgement, bulletins, steps,
/// level changes, resolution).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    pub incident_id: i64,
    pub went_well: String,
    pub went_badly: String,
    pub plan_changes: String,
    pub reviewed_by: i64,
    pub reviewed_at: DateTime<Utc>,
    pub follow_ups: Vec<FollowUp>,
    pub timeline: Vec<IncidentEvent>,
}

fn follow_ups(c: &Connection, where_sql: &str, param: i64) -> Result<Vec<FollowUp>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT f.id, f.incident_id, f.title, f.owner_id, u.name, f.due_at, f.done_at, f.done_by, f.note
         FROM incident_follow_ups f JOIN users u ON u.id = f.owner_id WHERE {where_sql} ORDER BY f.due_at, f.id"
    ))?;
    let rows = st
        .query_map([param], |r| {
            Ok(FollowUp {
                id: r.get(0)?,
                incident_id: r.get(1)?,
                title: r.get(2)?,
                owner_id: r.get(3)?,
                owner_name: r.get(4)?,
                due_at: from_ms(r.get(5)?),
                done_at: r.get::<_, Option<i64>>(6)?.map(from_ms),
                done_by: r.get(7)?,
                note: r.get(8)?,
            })
        })?
        .collect::<super::sql::Result<_>>()?;
    Ok(rows)
}

fn review(c: &Connection, incident_id: i64) -> Result<Option<Review>> {
    let row = c
        .query_row(
            "SELECT went_well, went_badly, plan_changes, reviewed_by, reviewed_at FROM incident_reviews WHERE incident_id = ?1",
            [incident_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, i64>(4)?)),
        )
        .optional()?;
    let Some((went_well, went_badly, plan_changes, reviewed_by, at)) = row else {
        return Ok(None);
    };
    Ok(Some(Review {
        incident_id,
        went_well,
        went_badly,
        plan_changes,
        reviewed_by,
        reviewed_at: from_ms(at),
        follow_ups: follow_ups(c, "f.incident_id = ?1", incident_id)?,
        timeline: super::incident_views::events(c, incident_id)?,
    }))
}

impl Store {
    /// Reviews a resolved incident (`version`: the one on screen): resolved → reviewed,
    /// with its follow-ups. Refused, with nothing written, when any part is bad.
    pub fn review_incident(
        &self,
        id: i64,
        version: i64,
        by: Author<'_>,
        r: &NewReview,
    ) -> Result<Review> {
        let now = self.now();
        let r = r.validated(now)?;
        self.write(|tx| {
            let cur = load(tx, id)?;
            if cur.version != version {
                return Err(Error::IncidentChanged { expected: version, actual: cur.version, by: String::new(), change: String::new() });
            }
            let (mut next, e) = reviewed(&cur)?;
            for f in &r.follow_ups {
                let owner = super::reference::get_user(tx, f.owner_id)?;
                if !owner.active {
                    return Err(Error::Inactive { entity: "user", key: owner.name });
                }
            }
            tx.execute(
                "INSERT INTO incident_reviews (incident_id, went_well, went_badly, plan_changes, reviewed_by, reviewed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                (id, &r.went_well, &r.went_badly, &r.plan_changes, by.user.id, ms(now)),
            )?;
            for f in &r.follow_ups {
                tx.execute(
                    "INSERT INTO incident_follow_ups (incident_id, title, owner_id, due_at) VALUES (?1, ?2, ?3, ?4)",
                    (id, &f.title, f.owner_id, ms(f.due_at)),
                )?;
            }
            super::incidents::record(tx, &mut next, by, now, &e)?;
            review(tx, id)?.ok_or_else(|| Error::Internal("review not saved".into()))
        })
    }

    /// An incident's review, if it has one.
    pub fn incident_review(&self, id: i64) -> Result<Option<Review>> {
        self.snapshot(|c| {
            load(c, id)?;
            review(c, id)
        })
    }

    /// Marks a follow-up done (once), on the incident's timeline.
    pub fn complete_follow_up(
        &self,
        id: i64,
        by: Author<'_>,
        note: Option<&str>,
    ) -> Result<FollowUp> {
        let now = self.now();
        let note = opt_text("note", note, NOTE_MAX)?;
        self.write(|tx| {
            let f = follow_ups(tx, "f.id = ?1", id)?
                .pop()
                .ok_or_else(|| Error::NotFound { entity: "follow_up", key: id.to_string() })?;
            if f.done_at.is_some() {
                return Err(Error::InvalidValue { field: "follow_up", value: id.to_string() });
            }
            tx.execute(
                "UPDATE incident_follow_ups SET done_at = ?2, done_by = ?3, note = ?4 WHERE id = ?1",
                (id, ms(now), by.user.id, &note),
            )?;
            let mut i = load(tx, f.incident_id)?;
            let data = serde_json::json!({ "follow_up": id, "title": f.title, "late": now > f.due_at });
            let e = super::incidents::event("follow_up_done", &i, note, data);
            super::incidents::record(tx, &mut i, by, now, &e)?;
            Ok(follow_ups(tx, "f.id = ?1", id)?.remove(0))
        })
    }

    /// Follow-ups not done yet, the earliest due first (a person's own with `owner`).
    pub fn open_follow_ups(&self, owner: Option<i64>) -> Result<Vec<FollowUp>> {
        self.read(|c| match owner {
            Some(o) => follow_ups(c, "f.done_at IS NULL AND f.owner_id = ?1", o),
            None => follow_ups(c, "f.done_at IS NULL AND ?1 = ?1", 0),
        })
    }
}

#[cfg(test)]
#[path = "reviews_tests.rs"]
mod tests;
