//! The incident figures of the reporting window, each with its formula: incidents by
//! level and kind; the time from declaration to the team's acknowledgement, to the first
//! bulletin and to resolution, in calendar and in business time; drills held; review
//! follow-ups done on time. Drills count as drills only, in no other figure.

use super::db::{from_ms, ms};
use super::sql::Connection;
use crate::error::Result;
use crate::report::{Kpi, ReportQuery};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// A mean time from declaration, over the incidents that reached the milestone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timing {
    pub key: &'static str,
    /// Incidents declared in the period that reached it (the denominator of the means).
    pub incidents: i64,
    pub calendar_minutes: Option<f64>,
    /// On the office calendar's working time.
    pub business_minutes: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentFigures {
    /// Incidents declared in the period (drills apart).
    pub declared: i64,
    pub by_level: BTreeMap<i64, i64>,
    pub by_kind: BTreeMap<String, i64>,
    pub times: Vec<Timing>,
    pub drills_held: i64,
    /// Follow-ups due in the period (and due by now) done by their deadline.
    pub follow_ups_on_time: Kpi,
}

/// The milestones timed, with the SQL of each one's instant for incident `i`.
const MILESTONES: &[(&str, &str)] = &[
    (
        "to_acknowledged",
        "SELECT min(at) FROM incident_events WHERE incident_id = i.id AND action = 'acknowledge'",
    ),
    (
        "to_first_bulletin",
        "SELECT min(published_at) FROM incident_bulletins WHERE incident_id = i.id",
    ),
    ("to_resolved", "SELECT i.resolved_at"),
];

pub(crate) fn figures(
    c: &Connection,
    q: &ReportQuery,
    now: DateTime<Utc>,
) -> Result<IncidentFigures> {
    let period = (ms(q.from), ms(q.to));
    let grouped = |col: &str| -> Result<Vec<(String, i64)>> {
        let rows = c
            .prepare(&format!(
                "SELECT CAST({col} AS TEXT), count(*) FROM incidents WHERE NOT drill AND declared_at >= ?1 AND declared_at < ?2 GROUP BY {col}"
            ))?
            .query_map(period, |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<super::sql::Result<_>>()?;
        Ok(rows)
    };
    let by_level: BTreeMap<i64, i64> = grouped("level")?
        .into_iter()
        .filter_map(|(l, n)| Some((l.parse().ok()?, n)))
        .collect();
    let by_kind: BTreeMap<String, i64> = grouped("kind")?.into_iter().collect();
    let office = super::calendar::load_calendar(c, "office")?;
    let mut times = Vec::new();
    for (key, instant) in MILESTONES {
        let spans: Vec<(i64, i64)> = c
            .prepare(&format!(
                "SELECT declared_at, t FROM (SELECT i.declared_at, ({instant}) AS t FROM incidents i
                 WHERE NOT i.drill AND i.declared_at >= ?1 AND i.declared_at < ?2) spans WHERE t IS NOT NULL"
            ))?
            .query_map(period, |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<super::sql::Result<_>>()?;
        let n = spans.len() as i64;
        let mean = |f: &dyn Fn(i64, i64) -> f64| {
            (n > 0).then(|| spans.iter().map(|(a, b)| f(*a, *b)).sum::<f64>() / n as f64)
        };
        times.push(Timing {
            key,
            incidents: n,
            calendar_minutes: mean(&|a, b| (b - a) as f64 / 60_000.0),
            business_minutes: mean(&|a, b| {
                office
                    .elapsed(from_ms(a), from_ms(b), &[])
                    .value
                    .num_seconds() as f64
                    / 60.0
            }),
        });
    }
    let drills_held: i64 = c.query_row(
        "SELECT count(*) FROM incidents WHERE drill AND declared_at >= ?1 AND declared_at < ?2",
        period,
        |r| r.get(0),
    )?;
    let (on_time, due): (i64, i64) = c.query_row(
        "SELECT count(*) FILTER (WHERE done_at IS NOT NULL AND done_at <= due_at), count(*) FROM incident_follow_ups
         WHERE due_at >= ?1 AND due_at < ?2 AND due_at <= ?3",
        (period.0, period.1, ms(now)),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(IncidentFigures {
        declared: by_level.values().sum(),
        by_level,
        by_kind,
        times,
        drills_held,
        follow_ups_on_time: Kpi::new("follow_ups_on_time", on_time, due),
    })
}
