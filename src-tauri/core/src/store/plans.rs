//! Emergency plans in the store: versions per incident kind × level, never changed
//! (an edit adds a version), seeded from the regulations when the store opens.

use super::db::{from_ms, ms, Store};
use super::sql::{Connection, OptionalExtension, Row};
use crate::emergency::plan::{seeded, Plan, PlanBody};
use crate::emergency::{IncidentKind, Level};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};

const SELECT: &str =
    "SELECT id, kind, level, version, body, created_by, created_at FROM incident_plans";

fn plan_row(r: &Row) -> super::sql::Result<Plan> {
    let kind: String = r.get(1)?;
    let level: i64 = r.get(2)?;
    let body: String = r.get(4)?;
    let bad = |e: Error| super::sql::Error::Column {
        column: "kind".into(),
        source: super::sql::FromSqlError::Other(Box::new(e)),
    };
    Ok(Plan {
        id: r.get(0)?,
        kind: kind.parse().map_err(bad)?,
        level: Level::try_from(level).map_err(bad)?,
        version: r.get(3)?,
        created_by: r.get(5)?,
        created_at: from_ms(r.get(6)?),
        body: serde_json::from_str(&body).map_err(|e| super::sql::Error::Column {
            column: "body".into(),
            source: super::sql::FromSqlError::Other(Box::new(e)),
        })?,
    })
}

/// Seeds every kind × level the store has no plan for (a new store; a kind added later).
pub(crate) fn seed(c: &Connection, now: DateTime<Utc>) -> Result<()> {
    for kind in IncidentKind::ALL {
        for level in Level::ALL {
            let exists: bool = c.query_row(
                "SELECT EXISTS(SELECT 1 FROM incident_plans WHERE kind = ?1 AND level = ?2)",
                (kind.as_str(), level.get()),
                |r| r.get(0),
            )?;
            if !exists {
                insert(c, *kind, *level, 1, &seeded(*kind, *level), None, now)?;
            }
        }
    }
    Ok(())
}

fn insert(
    c: &Connection,
    kind: IncidentKind,
    level: Level,
    version: i64,
    body: &PlanBody,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let new_id = c.prepare_cached(
        "INSERT INTO incident_plans (kind, level, version, body, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .insert((kind.as_str(), level.get(), version, serde_json::to_string(body)?, by, ms(now)))?;
    Ok(new_id)
}

/// The current (newest) version of the plan for `kind` at `level`.
pub(crate) fn current(c: &Connection, kind: IncidentKind, level: Level) -> Result<Plan> {
    c.prepare_cached(&format!(
        "{SELECT} WHERE kind = ?1 AND level = ?2 ORDER BY version DESC LIMIT 1"
    ))?
    .query_row((kind.as_str(), level.get()), plan_row)
    .optional()?
    .ok_or_else(|| Error::NotFound {
        entity: "plan",
        key: format!("{kind}/{level}"),
    })
}

pub(crate) fn get(c: &Connection, id: i64) -> Result<Plan> {
    c.prepare_cached(&format!("{SELECT} WHERE id = ?1"))?
        .query_row([id], plan_row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "plan",
            key: id.to_string(),
        })
}

impl Store {
    /// The current version of every plan, by kind then level.
    pub fn plans(&self) -> Result<Vec<Plan>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "{SELECT} p WHERE version = (SELECT max(version) FROM incident_plans q WHERE q.kind = p.kind AND q.level = p.level)
                 ORDER BY kind, level"
            ))?;
            let rows = st.query_map([], plan_row)?.collect::<super::sql::Result<_>>()?;
            Ok(rows)
        })
    }

    /// Every version of one plan, newest first.
    pub fn plan_versions(&self, kind: IncidentKind, level: Level) -> Result<Vec<Plan>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "{SELECT} WHERE kind = ?1 AND level = ?2 ORDER BY version DESC"
            ))?;
            let rows = st
                .query_map((kind.as_str(), level.get()), plan_row)?
                .collect::<super::sql::Result<_>>()?;
            Ok(rows)
        })
    }

    pub fn plan(&self, id: i64) -> Result<Plan> {
        self.read(|c| get(c, id))
    }

    /// Saves `body` as the next version of the plan for `kind` at `level` (incidents under
    /// way keep theirs). Every user it names must exist.
    pub fn save_plan(
        &self,
        by: super::db::Author<'_>,
        kind: IncidentKind,
        level: Level,
        body: &PlanBody,
    ) -> Result<Plan> {
        let body = body.validated()?;
        let now = self.now();
        self.write(|tx| {
            for u in &body.notify.users {
                super::reference::get_user(tx, *u)?;
            }
            let version = current(tx, kind, level)?.version + 1;
            let id = insert(tx, kind, level, version, &body, Some(by.user.id), now)?;
            let detail = serde_json::json!({ "kind": kind, "level": level, "version": version });
            let detail = crate::auth::at_seat(detail, by.seat);
            super::audit::note(
                tx,
                now,
                Some(by.user),
                "plan_saved",
                &format!("{kind}/{level}"),
                detail,
            )?;
            get(tx, id)
        })
    }
}
