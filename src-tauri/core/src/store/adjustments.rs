//! What the departments' figures leave out: tickets approved as unreasonable (不合理件)
//! leave every figure of their department, entries whose appeal was upheld leave the one
//! figure of the one month appealed. Counted ticket by ticket with the KPIs' own
//! definitions, so a figure less its adjustments is exactly the figure without those rows.

use super::kpis::{of_tickets, scoped, TICKET_KPIS};
use super::sql::Value as Sql;
use super::sql::{params_from_iter, Connection};
use crate::error::Result;
use crate::report::{KpiSettings, Less, LessEntry, ReportQuery};
use chrono_tz::Tz;
use std::collections::{BTreeMap, BTreeSet};

/// Per department, per KPI in `TICKET_KPIS` order: what its figure leaves out.
pub(super) type Adjustments = BTreeMap<i64, Vec<Less>>;

/// The KPI bases, each with the KPIs (indexes into `TICKET_KPIS`) counted over it.
fn bases() -> Vec<(&'static str, Vec<usize>)> {
    let mut out: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, (_, base, ..)) in TICKET_KPIS.iter().enumerate() {
        match out.iter_mut().find(|(b, _)| b == base) {
            Some((_, of)) => of.push(i),
            None => out.push((base, vec![i])),
        }
    }
    out
}

/// One ticket's part of a KPI: (ticket, its department, (numerator, denominator) per KPI of
/// `of`).
type Part = (i64, Option<i64>, Vec<(i64, i64)>);

/// The query of the tickets' parts in the KPIs `of` over `base`: its parameters are the
/// tickets (a JSON array) and then those returned.
fn parts_sql(
    base: &str,
    of: &[usize],
    q: &ReportQuery,
    s: &KpiSettings,
) -> Result<(String, Vec<Sql>)> {
    let Some(rows) = of_tickets(base) else {
        return Err(crate::error::Error::Internal(format!(
            "a KPI base read ticket by ticket is unknown: {base}"
        )));
    };
    let (rows, period) = scoped(&rows, q, s);
    let sql = super::kpis::concrete(
        &format!(
            "SELECT t.id, t.department_id, {} {rows} GROUP BY t.id",
            super::kpis::columns(of)
        ),
        s,
    );
    Ok((super::queues::number(&sql, 0), period))
}

/// The parts of the tickets `ids` in the KPIs `of` over `base` in the period.
fn parts(
    c: &Connection,
    base: &str,
    of: &[usize],
    ids: &[i64],
    q: &ReportQuery,
    s: &KpiSettings,
) -> Result<Vec<Part>> {
    let (sql, period) = parts_sql(base, of, q, s)?;
    let mut params = vec![Sql::Text(serde_json::json!(ids).to_string())];
    params.extend(period);
    let mut st = c.prepare_cached(&sql)?;
    let mut r = st.query(params_from_iter(params))?;
    let mut out = Vec::new();
    while let Some(row) = r.next()? {
        let mut counts = Vec::with_capacity(of.len());
        for j in 0..of.len() {
            counts.push((row.get(2 + 2 * j)?, row.get(3 + 2 * j)?));
        }
        out.push((row.get(0)?, row.get(1)?, counts));
    }
    Ok(out)
}

/// A ticket's part of one KPI over a period: its department and (numerator, denominator);
/// none when it has no row there.
pub(super) fn entry(
    c: &Connection,
    ticket: i64,
    key: &str,
    q: &ReportQuery,
    s: &KpiSettings,
) -> Result<Option<(Option<i64>, i64, i64)>> {
    let Some(i) = TICKET_KPIS.iter().position(|k| k.0 == key) else {
        return Ok(None);
    };
    let base = TICKET_KPIS[i].1;
    Ok(parts(c, base, &[i], &[ticket], q, s)?
        .into_iter()
        .next()
        .map(|(_, dept, p)| (dept, p[0].0, p[0].1)))
}

/// The tickets counted against a department in one KPI over a period: a miss where more is
/// better, a count where less is. Newest first, at most 500.
pub(super) fn against(
    c: &Connection,
    key: &str,
    q: &ReportQuery,
    s: &KpiSettings,
) -> Result<Vec<i64>> {
    let Some((_, base, num, den)) = TICKET_KPIS.iter().find(|k| k.0 == key) else {
        return Ok(vec![]);
    };
    let cond = if crate::report::LOWER_IS_BETTER.contains(&key) {
        format!("({num})")
    } else {
        format!("({den}) AND NOT ({num})")
    };
    let (rows, params) = scoped(&format!("{base} AND {cond}"), q, s);
    let sql = super::queues::number(
        &format!("SELECT DISTINCT t.id {rows} ORDER BY t.id DESC LIMIT 500"),
        0,
    );
    let mut st = c.prepare_cached(&sql)?;
    let ids = st
        .query_map(params_from_iter(params), |r| r.get(0))?
        .collect::<super::sql::Result<_>>()?;
    Ok(ids)
}

/// The month specs (`2026-10`) a period touches, in the centre's zone.
fn months_of(q: &ReportQuery, tz: Tz) -> (String, String) {
    let spec = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).format("%Y-%m").to_string();
    let last = q.to - chrono::Duration::milliseconds(1);
    (spec(q.from), spec(last.max(q.from)))
}

/// What each department's figures leave out over the period of `q`.
pub(super) fn adjustments(
    c: &Connection,
    q: &ReportQuery,
    s: &KpiSettings,
    tz: Tz,
) -> Result<Adjustments> {
    let mut out = Adjustments::new();
    let mut add = |dept: Option<i64>, i: usize, (n, d): (i64, i64), entry: LessEntry| {
        let Some(dept) = dept else { return };
        if n == 0 && d == 0 {
            return;
        }
        let less = &mut out
            .entry(dept)
            .or_insert_with(|| vec![Less::default(); TICKET_KPIS.len()])[i];
        let part = if entry.why == "excluded" {
            &mut less.excluded
        } else {
            &mut less.appealed
        };
        part.0 += n;
        part.1 += d;
        less.entries.push(entry);
    };
    let excluded: BTreeMap<i64, (String, String)> = c
        .prepare_cached(
            "SELECT x.ticket_id, t.number, x.reason FROM exclusions x JOIN tickets t ON t.id = x.ticket_id WHERE x.state = 'approved'",
        )?
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect::<super::sql::Result<_>>()?;
    if !excluded.is_empty() {
        let ids: Vec<i64> = excluded.keys().copied().collect();
        for (base, of) in bases() {
            for (ticket, dept, counts) in parts(c, base, &of, &ids, q, s)? {
                let Some((number, reason)) = excluded.get(&ticket) else {
                    continue;
                };
                for (&i, part) in of.iter().zip(counts) {
                    let entry = LessEntry {
                        ticket_id: ticket,
                        number: number.clone(),
                        why: "excluded".into(),
                        reason: reason.clone(),
                    };
                    add(dept, i, part, entry);
                }
            }
        }
    }
    // Upheld appeals, month by month: each leaves its figure in its own month only.
    let (first, last) = months_of(q, tz);
    let mut by_month: BTreeMap<String, Vec<(i64, i64, String, String)>> = BTreeMap::new();
    let mut st = c.prepare_cached(
        "SELECT a.month, a.id, a.ticket_id, t.number, a.kpi FROM appeals a JOIN tickets t ON t.id = a.ticket_id
         WHERE a.state = 'upheld' AND a.month >= ?1 AND a.month <= ?2",
    )?;
    let mut rows = st.query((first, last))?;
    while let Some(r) = rows.next()? {
        let ticket: i64 = r.get(2)?;
        if !excluded.contains_key(&ticket) {
            by_month
                .entry(r.get(0)?)
                .or_default()
                .push((r.get(1)?, ticket, r.get(3)?, r.get(4)?));
        }
    }
    for (month, appeals) in by_month {
        let Some((from, to)) = crate::report::month(&month, tz) else {
            continue;
        };
        let (from, to) = (from.max(q.from), to.min(q.to));
        if from >= to {
            continue;
        }
        let mq = ReportQuery {
            from,
            to,
            ..q.clone()
        };
        let keys: BTreeSet<&str> = appeals.iter().map(|a| a.3.as_str()).collect();
        let ids: Vec<i64> = appeals.iter().map(|a| a.1).collect();
        for (base, of) in bases() {
            let of: Vec<usize> = of
                .into_iter()
                .filter(|&i| keys.contains(TICKET_KPIS[i].0))
                .collect();
            if of.is_empty() {
                continue;
            }
            for (ticket, dept, counts) in parts(c, base, &of, &ids, &mq, s)? {
                for (&i, part) in of.iter().zip(counts) {
                    let key = TICKET_KPIS[i].0;
                    if let Some(a) = appeals.iter().find(|a| a.1 == ticket && a.3 == key) {
                        let entry = LessEntry {
                            ticket_id: ticket,
                            number: a.2.clone(),
                            why: "appealed".into(),
                            reason: a.0.to_string(),
                        };
                        add(dept, i, part, entry);
                    }
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testutil::{sqlite_store, t0};

    /// The tickets left out are read one by one through the primary key and the events of
    /// each, never by scanning the period: a month has a hundred thousand rows to skip.
    #[test]
    fn every_base_is_read_ticket_by_ticket() {
        let (_d, s, _clock) = sqlite_store();
        let q = ReportQuery::new(t0(), t0() + chrono::Duration::days(30));
        let settings = s.kpi_settings().expect("settings");
        for (base, of) in bases() {
            let (sql, period) = parts_sql(base, &of, &q, &settings).expect("known base");
            let mut params = vec![Sql::Text("[1, 2]".into())];
            params.extend(period);
            let plan: Vec<String> = s
                .read(|c| {
                    let mut st = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                    let rows = st
                        .query_map(params_from_iter(params.iter()), |r| r.get(3))?
                        .collect::<crate::store::sql::Result<_>>()?;
                    Ok(rows)
                })
                .expect("plan");
            let text = plan.join(" | ");
            assert!(plan[0].starts_with("SCAN a VIRTUAL TABLE"), "{text}");
            assert!(
                plan.iter().skip(1).all(|p| !p.starts_with("SCAN ")
                    || p.contains("INDEX incidents_drills")
                    || p.starts_with("SCAN a ")),
                "{text}"
            );
            assert!(
                text.contains("USING INTEGER PRIMARY KEY (rowid=?)")
                    || text.contains("(ticket_id=?"),
                "{text}"
            );
        }
    }
}
