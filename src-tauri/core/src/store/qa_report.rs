//! The spot checks' figures, each with its formula: coverage (calls scored / calls
//! answered), the mean score, critical failures and disputes upheld; and each agent's
//! QA score for the monthly assessment. A review counts in the period of its call; a
//! disputed one only once decided (its second score).

use super::db::ms;
use super::sql::Connection;
use crate::error::Result;
use crate::report::{Kpi, ReportQuery};
use serde::Serialize;
use std::collections::BTreeMap;

/// Reviews whose score counts: scored and accepted, or decided after a dispute.
const COUNTED: &str = "r.status IN ('scored', 'acknowledged', 'decided') AND r.calibration IS NULL";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QaFigures {
    pub coverage: Kpi,
    /// Sum of the scores counted / 100 × reviews counted: the mean score as a share.
    pub average: Kpi,
    pub critical: i64,
    /// Decided disputes whose second score is higher / decided disputes.
    pub disputes_upheld: Kpi,
}

/// Per agent: (the sum of their counted scores, rounded; how many) — the assessment's `qa`.
pub(super) type QaCounts = BTreeMap<i64, (i64, i64)>;

pub(super) fn counts(c: &Connection, q: &ReportQuery) -> Result<QaCounts> {
    let rows = c
        .prepare_cached(&format!(
            "SELECT r.agent_id, CAST(round(sum(coalesce(r.second_points, r.points))) AS BIGINT), count(*)
             FROM qa_reviews r JOIN calls c ON c.id = r.call_id
             WHERE {COUNTED} AND c.started_at >= ?1 AND c.started_at < ?2 GROUP BY r.agent_id"
        ))?
        .query_map((ms(q.from), ms(q.to)), |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect::<super::sql::Result<_>>()?;
    Ok(rows)
}

pub(crate) fn figures(c: &Connection, q: &ReportQuery) -> Result<QaFigures> {
    let period = (ms(q.from), ms(q.to));
    let (scored, sum, critical): (i64, i64, i64) = c.query_row(
        &format!(
            "SELECT count(*), coalesce(CAST(round(sum(coalesce(r.second_points, r.points))) AS BIGINT), 0), count(*) FILTER (WHERE r.critical)
             FROM qa_reviews r JOIN calls c ON c.id = r.call_id
             WHERE {COUNTED} AND c.started_at >= ?1 AND c.started_at < ?2"
        ),
        period,
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let answered: i64 = c.query_row(
        "SELECT count(*) FROM calls WHERE started_at >= ?1 AND started_at < ?2 AND answered_at IS NOT NULL",
        period,
        |r| r.get(0),
    )?;
    let (upheld, decided): (i64, i64) = c.query_row(
        "SELECT count(*) FILTER (WHERE r.second_points > r.points), count(*) FROM qa_reviews r JOIN calls c ON c.id = r.call_id
         WHERE r.status = 'decided' AND c.started_at >= ?1 AND c.started_at < ?2",
        period,
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(QaFigures {
        coverage: Kpi::new("qa_coverage", scored, answered),
        average: Kpi::new("qa_average", sum, 100 * scored),
        critical,
        disputes_upheld: Kpi::new("qa_disputes_upheld", upheld, decided),
    })
}
