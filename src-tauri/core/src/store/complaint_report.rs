//! The complaint figures of the reporting window, each with its formula: complaints by
//! category, by department and by root cause (Pareto, with the cumulative share), the
//! repeat rate, acknowledgement on time, the mean times to acknowledge and to close, the
//! risky ones and those the legal gate holds, and how the improvement measures fared.
//! Drills' calls count nowhere.

use super::db::{from_ms, ms, NOT_DRILL};
use super::sql::Connection;
use crate::complaint::cause::{effectiveness, Effectiveness};
use crate::error::Result;
use crate::report::{Kpi, ReportQuery};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// A complaint repeats one by the same caller within this many days before it.
pub const REPEAT_DAYS: i64 = 30;

/// One bar of a Pareto chart: its count and the cumulative share up to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bar {
    pub key: String,
    pub count: i64,
    pub cumulative: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplaintFigures {
    /// Complaints received in the period.
    pub received: i64,
    pub by_category: Vec<Bar>,
    /// By the department that handled it (`""`: answered by the hotline).
    pub by_department: Vec<Bar>,
    /// By root cause, analysed complaints only; `unanalysed` counts the others.
    pub by_cause: Vec<Bar>,
    pub unanalysed: i64,
    /// Complaints whose caller complained within `REPEAT_DAYS` before / complaints.
    pub repeat: Kpi,
    /// Acknowledged by the deadline / complaints whose deadline fell in the period and passed.
    pub ack_on_time: Kpi,
    /// Mean hours from receipt to acknowledgement, over those not made in person.
    pub ack_hours: Option<f64>,
    /// Mean hours from receipt to closure, over complaints received in the period and closed.
    pub close_hours: Option<f64>,
    pub risky: i64,
    pub held: i64,
    /// Measures whose watch ended without recurrence / measures whose watch ended or recurred.
    pub measures_effective: Kpi,
}

/// Sorted descending, with the cumulative share of the total.
fn pareto(mut rows: Vec<(String, i64)>) -> Vec<Bar> {
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let total: i64 = rows.iter().map(|r| r.1).sum();
    let mut running = 0;
    rows.into_iter()
        .map(|(key, count)| {
            running += count;
            Bar {
                key,
                count,
                cumulative: if total > 0 {
                    running as f64 / total as f64
                } else {
                    0.0
                },
            }
        })
        .collect()
}

/// Complaints received in the period, drills left out: a FROM clause over `t` and `k`.
fn received() -> String {
    format!(
        "FROM complaints k JOIN tickets t ON t.id = k.ticket_id
         WHERE t.received_at >= ?1 AND t.received_at < ?2 AND {NOT_DRILL}"
    )
}

/// A mean of milliseconds as its sum and count, so groups add up.
#[derive(Debug, Default)]
struct Mean(i64, i64);

impl Mean {
    fn add(&mut self, sum: i64, n: i64) {
        self.0 += sum;
        self.1 += n;
    }

    fn hours(&self) -> Option<f64> {
        (self.1 > 0).then(|| self.0 as f64 / self.1 as f64 / 3_600_000.0)
    }
}

/// What one pass over the period's complaints counts: grouped by category and department
/// together (each chart sums over the other key), the mean times as sums and counts.
/// One read of the period's tickets instead of one per figure.
#[derive(Debug, Default)]
struct Once {
    total: i64,
    by_category: BTreeMap<String, i64>,
    by_department: BTreeMap<String, i64>,
    /// Receipt to acknowledgement, those not made in person.
    ack: Mean,
    /// Receipt to closure, those closed.
    close: Mean,
    risky: i64,
    held: i64,
}

impl Once {
    fn count(c: &Connection, period: (i64, i64)) -> Result<Once> {
        let ack = "CASE WHEN k.ack_method IS DISTINCT FROM 'at_intake' THEN k.acknowledged_at - t.received_at END";
        let mut st = c.prepare(&format!(
            "SELECT g.code, coalesce(d.name, ''), count(*),
                    CAST(coalesce(sum({ack}), 0) AS BIGINT), count({ack}),
                    CAST(coalesce(sum(t.closed_at - t.received_at), 0) AS BIGINT), count(t.closed_at),
                    count(*) FILTER (WHERE k.risky),
                    count(*) FILTER (WHERE k.risky AND coalesce((SELECT o.outcome FROM legal_opinions o
                        WHERE o.ticket_id = k.ticket_id ORDER BY o.id DESC LIMIT 1), '') <> 'cleared')
             FROM complaints k JOIN tickets t ON t.id = k.ticket_id
             JOIN categories g ON g.id = t.category_id
             LEFT JOIN departments d ON d.id = t.department_id
             WHERE t.received_at >= ?1 AND t.received_at < ?2 AND {NOT_DRILL} GROUP BY 1, 2"
        ))?;
        let mut rows = st.query(period)?;
        let mut once = Once::default();
        while let Some(r) = rows.next()? {
            let n: i64 = r.get(2)?;
            once.total += n;
            *once.by_category.entry(r.get(0)?).or_default() += n;
            *once.by_department.entry(r.get(1)?).or_default() += n;
            once.ack.add(r.get(3)?, r.get(4)?);
            once.close.add(r.get(5)?, r.get(6)?);
            once.risky += r.get::<_, i64>(7)?;
            once.held += r.get::<_, i64>(8)?;
        }
        Ok(once)
    }
}

pub(crate) fn figures(
    c: &Connection,
    q: &ReportQuery,
    now: DateTime<Utc>,
) -> Result<ComplaintFigures> {
    let period = (ms(q.from), ms(q.to));
    let from = received();
    let once = Once::count(c, period)?;
    let by_cause = pareto(
        c.prepare(&format!(
            "SELECT x.category, count(*) FROM complaints k JOIN tickets t ON t.id = k.ticket_id
             JOIN complaint_causes x ON x.ticket_id = k.ticket_id
             WHERE t.received_at >= ?1 AND t.received_at < ?2 AND {NOT_DRILL} GROUP BY 1"
        ))?
        .query_map(period, |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<super::sql::Result<_>>()?,
    );
    let total = once.total;
    let analysed: i64 = by_cause.iter().map(|b| b.count).sum();
    let repeats: i64 = c.query_row(
        &format!(
            "SELECT count(*) {from} AND t.customer_id IS NOT NULL AND EXISTS (
                SELECT 1 FROM complaints k2 JOIN tickets p ON p.id = k2.ticket_id
                WHERE p.customer_id = t.customer_id AND p.id <> t.id
                  AND p.received_at < t.received_at AND p.received_at >= t.received_at - ?3)"
        ),
        (period.0, period.1, REPEAT_DAYS * 86_400_000),
        |r| r.get(0),
    )?;
    let (on_time, due): (i64, i64) = c.query_row(
        &format!(
            "SELECT count(*) FILTER (WHERE k.acknowledged_at IS NOT NULL AND k.acknowledged_at <= k.ack_due_at), count(*)
             FROM complaints k JOIN tickets t ON t.id = k.ticket_id
             WHERE k.ack_due_at >= ?1 AND k.ack_due_at < ?2 AND (k.ack_due_at <= ?3 OR k.acknowledged_at IS NOT NULL)
               AND {NOT_DRILL}"
        ),
        (period.0, period.1, ms(now)),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(ComplaintFigures {
        received: total,
        by_category: pareto(once.by_category.into_iter().collect()),
        by_department: pareto(once.by_department.into_iter().collect()),
        by_cause,
        unanalysed: total - analysed,
        repeat: Kpi::new("complaint_repeat", repeats, total),
        ack_on_time: Kpi::new("complaint_ack_on_time", on_time, due),
        ack_hours: once.ack.hours(),
        close_hours: once.close.hours(),
        risky: once.risky,
        held: once.held,
        measures_effective: measures_effective(c, period, now)?,
    })
}

/// Measures done in the period whose verdict is in: effective, or recurred.
fn measures_effective(c: &Connection, period: (i64, i64), now: DateTime<Utc>) -> Result<Kpi> {
    let done: Vec<(i64, i64, i64, u32, i64)> = c
        .prepare(
            "SELECT id, ticket_id, category_id, watch_months, done_at FROM improvement_measures
             WHERE done_at >= ?1 AND done_at < ?2",
        )?
        .query_map(period, |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<super::sql::Result<_>>()?;
    let (mut effective, mut judged) = (0, 0);
    for (_, ticket, category, months, done) in done {
        let later = super::improvements::later_complaints(c, category, ticket, from_ms(done))?;
        match effectiveness(Some(from_ms(done)), months, now, &later) {
            Effectiveness::Effective { .. } => {
                effective += 1;
                judged += 1;
            }
            Effectiveness::Recurred { .. } => judged += 1,
            Effectiveness::Open | Effectiveness::Watching { .. } => {}
        }
    }
    Ok(Kpi::new("measures_effective", effective, judged))
}

#[cfg(test)]
#[path = "complaint_report_tests.rs"]
mod tests;
