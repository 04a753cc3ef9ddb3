//! Detection in the store: counts the calls of the last window and of the same window on
//! the same weekday of the weeks before, gathers the recent tickets not attached to any
//! incident, and keeps what the rules (`emergency::detect`) suggest — once each, with its
//! evidence — until someone declares or dismisses it.

use super::db::{from_ms, int_setting, ms, Author, Store};
use super::sql::{Connection, OptionalExtension};
use crate::emergency::detect::{clusters, surge, ClusterRule, SurgeRule};
use crate::error::{Error, Result};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub id: i64,
    pub kind: String,
    pub at: DateTime<Utc>,
    pub evidence: serde_json::Value,
    pub status: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub incident_id: Option<i64>,
}

fn count_calls(c: &Connection, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<i64> {
    Ok(
        c.prepare_cached("SELECT count(*) FROM calls WHERE started_at >= ?1 AND started_at < ?2")?
            .query_row((ms(from), ms(to)), |r| r.get(0))?,
    )
}

fn raise(
    c: &Connection,
    kind: &str,
    key: &str,
    at: DateTime<Utc>,
    evidence: &serde_json::Value,
) -> Result<bool> {
    let n = c
        .prepare_cached(
            "INSERT INTO incident_suggestions (kind, key, at, evidence) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(key) DO NOTHING",
        )?
        .execute((kind, key, ms(at), evidence.to_string()))?;
    if n > 0 {
        super::audit::append(c, at, None, "incident_suggested", key, evidence)?;
        let data = serde_json::json!({ "action": "suggest", "kind": kind });
        super::outbox::publish(
            c,
            at,
            super::outbox::OutboxKind::Incident,
            None,
            None,
            &data,
        )?;
    }
    Ok(n > 0)
}

/// Runs the detection rules at `now` in the caller's transaction; how many suggestions
/// it raised.
pub(crate) fn run(c: &Connection, now: DateTime<Utc>) -> Result<usize> {
    let mut raised = 0;
    let factor = int_setting(c, "surge_factor_percent")?;
    if factor > 0 {
        let rule = SurgeRule {
            window_minutes: int_setting(c, "surge_window_minutes")?,
            factor_percent: factor,
            min_calls: int_setting(c, "surge_min_calls")?,
            weeks: int_setting(c, "surge_baseline_weeks")?,
        };
        let window = Duration::minutes(rule.window_minutes);
        // One surge at a time: none while one is open or was raised within the window.
        let recent_one: bool = c.query_row(
            "SELECT EXISTS(SELECT 1 FROM incident_suggestions WHERE kind = 'surge' AND (status = 'open' OR at > ?1))",
            [ms(now - window)],
            |r| r.get(0),
        )?;
        if !recent_one {
            let recent = count_calls(c, now - window, now)?;
            let weeks = (1..=rule.weeks)
                .map(|w| {
                    let back = Duration::weeks(w);
                    count_calls(c, now - back - window, now - back)
                })
                .collect::<Result<Vec<i64>>>()?;
            if let Some(s) = surge(rule, recent, &weeks) {
                let key = format!("surge:{}", ms(now));
                raised += usize::from(raise(c, "surge", &key, now, &serde_json::to_value(&s)?)?);
            }
        }
    }
    let min = int_setting(c, "cluster_min_tickets")?;
    if min > 0 {
        let rule = ClusterRule {
            window_minutes: int_setting(c, "cluster_window_minutes")?,
            min_tickets: usize::try_from(min).unwrap_or(usize::MAX),
        };
        let tickets: Vec<(i64, String, String)> = c
            .prepare_cached(
                "SELECT t.id, c.code, coalesce(t.address, '') || ' ' || t.description FROM tickets t
                 JOIN categories c ON c.id = t.category_id
                 WHERE t.received_at >= ?1 AND t.id NOT IN (SELECT ticket_id FROM incident_tickets)
                 ORDER BY t.id LIMIT 5000",
            )?
            .query_map([ms(now - Duration::minutes(rule.window_minutes))], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<super::sql::Result<_>>()?;
        let day = super::rows::local_day(super::db::timezone(c)?, now);
        for cl in clusters(rule, &tickets) {
            // One suggestion per topic and area a day.
            let key = format!("cluster:{}:{}:{day}", cl.category, cl.area);
            let mut evidence = serde_json::to_value(&cl)?;
            let numbers: Vec<String> = cl
                .tickets
                .iter()
                .map(|id| {
                    c.query_row("SELECT number FROM tickets WHERE id = ?1", [id], |r| {
                        r.get(0)
                    })
                })
                .collect::<super::sql::Result<_>>()?;
            evidence["numbers"] = numbers.into();
            evidence["window_minutes"] = rule.window_minutes.into();
            raised += usize::from(raise(c, "cluster", &key, now, &evidence)?);
        }
    }
    let months = int_setting(c, "drill_every_months")?;
    if months > 0 {
        // Since the last drill, or since the centre's first recorded act (a new centre is
        // not reminded on its first day).
        let since: Option<i64> = c.query_row(
            "SELECT coalesce((SELECT max(declared_at) FROM incidents WHERE drill),
                             (SELECT min(at) FROM audit_log))",
            [],
            |r| r.get(0),
        )?;
        let due = since.is_some_and(|t| from_ms(t) + Duration::days(30 * months) <= now);
        if due {
            let month = now.with_timezone(&super::db::timezone(c)?).format("%Y-%m");
            let evidence = serde_json::json!({ "last": since.map(from_ms), "months": months });
            raised += usize::from(raise(
                c,
                "drill",
                &format!("drill:{month}"),
                now,
                &evidence,
            )?);
        }
    }
    Ok(raised)
}

fn suggestion(c: &Connection, id: i64) -> Result<Suggestion> {
    c.query_row(
        "SELECT id, kind, at, evidence, status, decided_by, decided_at, incident_id FROM incident_suggestions WHERE id = ?1",
        [id],
        |r| {
            let evidence: String = r.get(3)?;
            Ok(Suggestion {
                id: r.get(0)?,
                kind: r.get(1)?,
                at: from_ms(r.get(2)?),
                evidence: serde_json::from_str(&evidence).unwrap_or_default(),
                status: r.get(4)?,
                decided_by: r.get(5)?,
                decided_at: r.get::<_, Option<i64>>(6)?.map(from_ms),
                incident_id: r.get(7)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| Error::NotFound { entity: "suggestion", key: id.to_string() })
}

/// Marks an open suggestion decided (declared as `incident_id`, or dismissed).
pub(crate) fn decide(
    c: &Connection,
    id: i64,
    by: i64,
    incident_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Suggestion> {
    let s = suggestion(c, id)?;
    if s.status != "open" {
        return Err(Error::InvalidValue {
            field: "suggestion",
            value: id.to_string(),
        });
    }
    c.execute(
        "UPDATE incident_suggestions SET status = ?2, decided_by = ?3, decided_at = ?4, incident_id = ?5 WHERE id = ?1",
        (id, if incident_id.is_some() { "declared" } else { "dismissed" }, by, ms(now), incident_id),
    )?;
    suggestion(c, id)
}

impl Store {
    /// Runs detection at `now` (the schedulers call it each round; it looks at most once a
    /// minute): how many suggestions it raised.
    pub fn detect(&self, now: DateTime<Utc>) -> Result<usize> {
        {
            let mut last = self.detected.lock().unwrap_or_else(|p| p.into_inner());
            if last.is_some_and(|l| now >= l && now - l < Duration::minutes(1)) {
                return Ok(0);
            }
            *last = Some(now);
        }
        self.write(|tx| run(tx, now))
    }

    /// Suggestions, the open ones first, then the newest.
    pub fn suggestions(&self, open_only: bool, limit: u32) -> Result<Vec<Suggestion>> {
        self.read(|c| {
            let ids: Vec<i64> = c
                .prepare_cached(
                    "SELECT id FROM incident_suggestions WHERE (?1 = FALSE OR status = 'open')
                     ORDER BY status = 'open' DESC, at DESC, id DESC LIMIT ?2",
                )?
                .query_map((open_only, limit.min(500)), |r| r.get(0))?
                .collect::<super::sql::Result<_>>()?;
            ids.into_iter().map(|id| suggestion(c, id)).collect()
        })
    }

    pub fn suggestion(&self, id: i64) -> Result<Suggestion> {
        self.read(|c| suggestion(c, id))
    }

    /// Declares the incident a suggestion points to, in one transaction: the incident,
    /// the cluster's tickets attached to it, the suggestion marked declared.
    pub fn declare_suggestion(
        &self,
        id: i64,
        by: Author<'_>,
        new: &crate::emergency::NewIncident,
        may_manage: bool,
    ) -> Result<crate::emergency::Incident> {
        let now = self.now();
        let new = new.validated(now)?;
        self.write(|tx| {
            let s = suggestion(tx, id)?;
            let mut i = super::incidents::declare(tx, by, &new, may_manage, now)?;
            let tickets: Vec<i64> =
                serde_json::from_value(s.evidence["tickets"].clone()).unwrap_or_default();
            for t in tickets {
                let taken: bool = tx.query_row(
                    "SELECT EXISTS(SELECT 1 FROM incident_tickets WHERE ticket_id = ?1)",
                    [t],
                    |r| r.get(0),
                )?;
                if !taken {
                    i = super::incidents::link(tx, i.id, t, by, now)?;
                }
            }
            decide(tx, id, by.user.id, Some(i.id), now)?;
            let detail = crate::auth::at_seat(serde_json::json!({ "incident": i.number }), by.seat);
            super::audit::note(
                tx,
                now,
                Some(by.user),
                "suggestion_declared",
                &id.to_string(),
                detail,
            )?;
            Ok(i)
        })
    }

    /// Dismisses a suggestion (logged).
    pub fn dismiss_suggestion(&self, id: i64, by: Author<'_>) -> Result<Suggestion> {
        let now = self.now();
        self.write(|tx| {
            let s = decide(tx, id, by.user.id, None, now)?;
            let detail = crate::auth::at_seat(serde_json::json!({ "kind": s.kind }), by.seat);
            super::audit::note(
                tx,
                now,
                Some(by.user),
                "suggestion_dismissed",
                &id.to_string(),
                detail,
            )?;
            Ok(s)
        })
    }
}

#[cfg(test)]
#[path = "detect_tests.rs"]
mod tests;
