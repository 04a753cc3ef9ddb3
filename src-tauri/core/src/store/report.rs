//! Counting for reports and the call records behind the answer-rate KPIs.

use super::db::{from_ms, ms, Store};
use super::kpis::{columns, concrete, count, filters, scoped, TICKET_KPIS};
use super::sql::Value as Sql;
use super::sql::{params_from_iter, Connection};
use crate::cdr::CallRow;
use crate::error::Result;
use crate::report::{
    p90, parse_weights, rank, score, Assessed, Kpi, KpiSettings, Report, ReportQuery, ReportRequest,
};
use chrono::{Datelike, Timelike};
use chrono_tz::Tz;
use std::collections::BTreeMap;

/// (department, agent who took the call).
type Cell = (Option<i64>, i64);

/// The ticket KPIs of a period counted per (department, agent who took the call): one
/// grouped query per base, from which the totals, the departments' and the agents'
/// figures are sums (instead of a count per figure per department and per agent).
#[derive(Debug, Default)]
struct KpiCounts {
    /// (department, agent) → (numerator, denominator) per KPI, in `TICKET_KPIS` order.
    cells: BTreeMap<Cell, Vec<(i64, i64)>>,
    /// What the departments' figures leave out (不合理件, upheld appeals).
    less: super::adjustments::Adjustments,
}

impl KpiCounts {
    fn count(c: &Connection, q: &ReportQuery, s: &KpiSettings, tz: Tz) -> Result<KpiCounts> {
        let mut out = KpiCounts {
            less: super::adjustments::adjustments(c, q, s, tz)?,
            ..KpiCounts::default()
        };
        let mut bases: Vec<&str> = TICKET_KPIS.iter().map(|k| k.1).collect();
        bases.sort_unstable();
        bases.dedup();
        for base in bases {
            let of: Vec<usize> = (0..TICKET_KPIS.len())
                .filter(|&i| TICKET_KPIS[i].1 == base)
                .collect();
            let (sql, params) = Self::sql(base, &of, q, s);
            let mut st = c.prepare_cached(&sql)?;
            let mut r = st.query(params_from_iter(params))?;
            while let Some(row) = r.next()? {
                let cell = out
                    .cells
                    .entry((row.get(0)?, row.get(1)?))
                    .or_insert_with(|| vec![(0, 0); TICKET_KPIS.len()]);
                for (j, &i) in of.iter().enumerate() {
                    cell[i] = (row.get(2 + 2 * j)?, row.get(3 + 2 * j)?);
                }
            }
        }
        Ok(out)
    }

    /// The grouped count of the KPIs `of` over their common base.
    fn sql(base: &str, of: &[usize], q: &ReportQuery, s: &KpiSettings) -> (String, Vec<Sql>) {
        let (rows, params) = scoped(base, q, s);
        let sql = format!(
            "SELECT t.department_id, t.created_by, {} {rows} GROUP BY 1, 2",
            concrete(&columns(of), s)
        );
        (super::queues::number(&sql, 0), params)
    }

    /// The KPIs summed over the cells `keep` selects.
    fn kpis(&self, keep: impl Fn(Option<i64>, i64) -> bool) -> Vec<Kpi> {
        let mut sums = vec![(0, 0); TICKET_KPIS.len()];
        for ((dept, agent), cell) in &self.cells {
            if keep(*dept, *agent) {
                for (sum, (n, d)) in sums.iter_mut().zip(cell) {
                    sum.0 += n;
                    sum.1 += d;
                }
            }
        }
        TICKET_KPIS
            .iter()
            .zip(sums)
            .map(|((key, ..), (n, d))| Kpi::new(key, n, d))
            .collect()
    }

    /// A department's figures, less what its assessment leaves out.
    fn of_department(&self, id: i64) -> Vec<Kpi> {
        let kpis = self.kpis(|d, _| d == Some(id));
        match self.less.get(&id) {
            Some(less) => kpis
                .into_iter()
                .zip(less.iter().cloned())
                .map(|(k, l)| k.less(l))
                .collect(),
            None => kpis,
        }
    }

    fn of_agent(&self, id: i64) -> Vec<Kpi> {
        self.kpis(|_, a| a == id)
    }
}

type Weights = (Vec<(String, f64)>, Vec<(String, f64)>);

/// Every KPI of a period: the calls' and the tickets' (from its counts).
fn period_kpis(
    c: &Connection,
    q: &ReportQuery,
    s: &KpiSettings,
    counts: &KpiCounts,
) -> Result<Vec<Kpi>> {
    let mut kpis = call_kpis(c, q, s)?;
    kpis.extend(counts.kpis(|_, _| true));
    Ok(kpis)
}

/// The report of a period from its KPI counts and a few more reads of the same snapshot.
fn report_in(
    c: &Connection,
    q: &ReportQuery,
    s: &KpiSettings,
    tz: chrono_tz::Tz,
    counts: &KpiCounts,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Report> {
    let kpis = period_kpis(c, q, s, counts)?;
    let (f, fv) = filters(q);
    let period = || {
        let mut v = vec![Sql::Integer(ms(q.from)), Sql::Integer(ms(q.to))];
        v.extend(fv.iter().cloned());
        v
    };
    // Handling time in business hours, transfer to reply.
    let office = super::calendar::load_calendar(c, "office")?;
    let mut hours: Vec<f64> = Vec::new();
    {
        let sql = super::queues::number(
            &format!("SELECT t.transferred_at, t.replied_at FROM tickets t WHERE t.replied_at >= ? AND t.replied_at < ? AND t.transferred_at IS NOT NULL AND {f}"),
            0,
        );
        let mut st = c.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(period()), |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })?;
        for row in rows {
            let (a, b) = row?;
            hours.push(
                office
                    .elapsed(from_ms(a), from_ms(b), &[])
                    .value
                    .num_minutes() as f64
                    / 60.0,
            );
        }
    }
    let avg = (!hours.is_empty())
        .then(|| (hours.iter().sum::<f64>() / hours.len() as f64 * 10.0).round() / 10.0);
    let p90 = p90(&mut hours).map(|h| (h * 10.0).round() / 10.0);
    let overdue_open = count(
        c,
        &format!("SELECT count(*) FROM tickets t WHERE t.status IN ('transferred', 'in_progress') AND t.due_at < ? AND {f}"),
        {
            let mut v = vec![Sql::Integer(ms(q.to.min(now)))];
            v.extend(fv.iter().cloned());
            v
        },
    )?;
    // Volume by local day, heat map by weekday and hour.
    let mut by_day: BTreeMap<chrono::NaiveDate, i64> = BTreeMap::new();
    let mut heat = vec![[0i64; 24]; 7];
    {
        let sql = super::queues::number(&format!("SELECT t.received_at FROM tickets t WHERE t.received_at >= ? AND t.received_at < ? AND {f}"), 0);
        let mut st = c.prepare_cached(&sql)?;
        for row in st.query_map(params_from_iter(period()), |r| r.get::<_, i64>(0))? {
            let local = from_ms(row?).with_timezone(&tz);
            *by_day.entry(local.date_naive()).or_default() += 1;
            heat[local.weekday().num_days_from_monday() as usize][local.hour() as usize] += 1;
        }
    }
    let grouped = |sql: &str| -> Result<Vec<(String, i64)>> {
        let mut st = c.prepare_cached(&super::queues::number(sql, 0))?;
        let rows = st.query_map(params_from_iter(period()), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        Ok(rows.collect::<super::sql::Result<_>>()?)
    };
    let by_category = grouped(&format!(
        "SELECT c.code, count(*) FROM tickets t JOIN categories c ON c.id = t.category_id WHERE t.received_at >= ? AND t.received_at < ? AND {f} GROUP BY c.code ORDER BY count(*) DESC"
    ))?;
    let satisfaction = grouped(&format!(
        "SELECT v.level, count(*) FROM evaluations v JOIN tickets t ON t.id = v.ticket_id WHERE v.at >= ? AND v.at < ? AND {f} GROUP BY 1 ORDER BY 1"
    ))?;
    let depts: Vec<(i64, String)> = c
        .prepare_cached("SELECT id, name FROM departments WHERE code <> 'hotline' ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<super::sql::Result<_>>()?;
    let mut department_on_time: Vec<(String, Kpi)> = depts
        .into_iter()
        .filter_map(|(id, name)| {
            let k = counts
                .of_department(id)
                .into_iter()
                .find(|k| k.key == "on_time_handling")?;
            (k.denominator > 0).then_some((name, k))
        })
        .collect();
    department_on_time.sort_by(|a, b| {
        b.1.value
            .partial_cmp(&a.1.value)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(Report {
        from: q.from,
        to: q.to,
        kpis,
        handling_hours_avg: avg,
        handling_hours_p90: p90,
        overdue_open,
        volume_by_day: by_day.into_iter().collect(),
        heat,
        by_category,
        satisfaction,
        department_on_time,
    })
}

/// The assessment from this period's and the previous period's KPI counts.
/// Per agent, the KPIs counted outside the tickets: the QA score, exams, training.
type Extras = BTreeMap<i64, Vec<Kpi>>;

fn extras(c: &Connection, q: &ReportQuery) -> Result<Extras> {
    let mut out = super::training::kpis(c, q)?;
    for (agent, (sum, n)) in super::qa_report::counts(c, q)? {
        out.entry(agent)
            .or_default()
            .push(Kpi::new("qa", sum, 100 * n));
    }
    Ok(out)
}

fn assessment_in(
    c: &Connection,
    (agent_w, dept_w): &Weights,
    (now, extra_now): (&KpiCounts, &Extras),
    (before, extra_before): (&KpiCounts, &Extras),
) -> Result<(Vec<Assessed>, Vec<Assessed>)> {
    // `extra`: KPIs counted elsewhere (QA, exams, training), now and before.
    let assess = |id: i64,
                  name: String,
                  of: &dyn Fn(&KpiCounts) -> Vec<Kpi>,
                  w: &[(String, f64)],
                  extra: (Vec<Kpi>, Vec<Kpi>)| {
        let pick = |mut k: Vec<Kpi>, more: Vec<Kpi>| -> Vec<Kpi> {
            k.extend(more);
            k.into_iter()
                .filter(|k| w.iter().any(|(w, _)| *w == k.key))
                .collect()
        };
        let kpis = pick(of(now), extra.0);
        let previous_score = score(&pick(of(before), extra.1), w);
        Assessed {
            id,
            name,
            score: score(&kpis, w),
            kpis,
            rank: None,
            previous_score,
            change: None,
        }
    };
    let list = |sql: &str| -> Result<Vec<(i64, String)>> {
        Ok(c.prepare_cached(sql)?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<super::sql::Result<_>>()?)
    };
    let mut agents: Vec<Assessed> =
        list("SELECT id, name FROM users WHERE active = TRUE AND role = 'agent' ORDER BY id")?
            .into_iter()
            .map(|(id, name)| {
                let of = |e: &Extras| e.get(&id).cloned().unwrap_or_default();
                let extra = (of(extra_now), of(extra_before));
                assess(id, name, &|k: &KpiCounts| k.of_agent(id), agent_w, extra)
            })
            .collect();
    let mut departments: Vec<Assessed> = list(
        "SELECT id, name FROM departments WHERE active = TRUE AND code <> 'hotline' ORDER BY id",
    )?
    .into_iter()
    .map(|(id, name)| {
        let of = |k: &KpiCounts| {
            let mut k = k.of_department(id);
            if let Some(r) = k.iter().find(|k| k.key == "redispatch").cloned() {
                let mut no = Kpi::new("no_redispatch", r.denominator - r.numerator, r.denominator);
                // The same entries left out, seen from the other side.
                no.less = r.less.map(|l| crate::report::Less {
                    excluded: (l.excluded.1 - l.excluded.0, l.excluded.1),
                    appealed: (l.appealed.1 - l.appealed.0, l.appealed.1),
                    entries: l.entries,
                });
                k.push(no);
            }
            k
        };
        assess(id, name, &of, dept_w, (vec![], vec![]))
    })
    .collect();
    rank(&mut agents);
    rank(&mut departments);
    Ok((agents, departments))
}

/// The calls' KPIs as conditions over `calls`, the period as two parameters: the calls
/// offered, and what answering, and answering in time, add to that.
struct CallConditions {
    offered: String,
    answered: &'static str,
    in_time: String,
}

impl CallConditions {
    fn of(s: &KpiSettings) -> CallConditions {
        // A call abandoned within the short-abandon time was not really offered.
        let offered = format!(
            "started_at >= ? AND started_at < ? AND NOT (answered_at IS NULL AND ended_at - started_at < {})",
            s.short_abandon_seconds.max(0) * 1000
        );
        let within = s.answer_seconds().max(0) * 1000;
        CallConditions {
            offered,
            answered: "answered_at IS NOT NULL",
            in_time: format!("answered_at IS NOT NULL AND answered_at - started_at <= {within}"),
        }
    }
}

/// Both answer KPIs in one pass over the period's calls (a hundred thousand a month at a
/// million tickets: each pass cost 70–90 ms on PostgreSQL).
fn call_kpis(c: &Connection, q: &ReportQuery, s: &KpiSettings) -> Result<Vec<Kpi>> {
    let CallConditions {
        offered,
        answered,
        in_time,
    } = CallConditions::of(s);
    let sql = super::queues::number(
        &format!(
            "SELECT count(*) FILTER (WHERE {answered}), count(*) FILTER (WHERE {in_time}), count(*) FROM calls WHERE {offered}"
        ),
        0,
    );
    let (answered, in_time, total): (i64, i64, i64) = c
        .prepare_cached(&sql)?
        .query_row((ms(q.from), ms(q.to)), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    Ok(vec![
        Kpi::new("answer_rate", answered, total),
        Kpi::new("answered_within", in_time, total),
    ])
}

impl Store {
    pub fn kpi_settings(&self) -> Result<KpiSettings> {
        let get = |k: &str, d: i64| {
            self.setting(k)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(d)
        };
        Ok(KpiSettings {
            answer_rings: get("answer_rings", 3),
            seconds_per_ring: get("seconds_per_ring", 5),
            short_abandon_seconds: get("short_abandon_seconds", 5),
            basic_counts: self
                .setting("basic_satisfied_counts")
                .map(|v| v != "0")
                .unwrap_or(true),
            first_evaluation_counts: self
                .setting("evaluation_counted")
                .is_ok_and(|v| v == "first"),
        })
    }

    /// Every figure of the reporting window for a period.
    pub fn report(&self, q: &ReportQuery) -> Result<Report> {
        let (s, tz) = (self.kpi_settings()?, self.timezone()?);
        self.snapshot(|c| {
            let counts = KpiCounts::count(c, q, &s, tz)?;
            report_in(c, q, &s, tz, &counts, self.now())
        })
    }

    /// The monthly assessment (月度考核) of agents and departments, with last month's scores.
    pub fn assessment(
        &self,
        q: &ReportQuery,
        previous: &ReportQuery,
    ) -> Result<(Vec<Assessed>, Vec<Assessed>)> {
        let (s, w, tz) = (self.kpi_settings()?, self.weights()?, self.timezone()?);
        let period = |c: &Connection, q: &ReportQuery| -> Result<(KpiCounts, Extras)> {
            Ok((KpiCounts::count(c, q, &s, tz)?, extras(c, q)?))
        };
        self.snapshot_split(
            |c| period(c, q),
            |c| period(c, previous),
            |c, (now, extra_now), (before, extra_before)| {
                assessment_in(c, &w, (&now, &extra_now), (&before, &extra_before))
            },
        )
    }

    /// The agents' and the departments' assessment weights.
    fn weights(&self) -> Result<Weights> {
        let of = |key: &str| -> Result<Vec<(String, f64)>> {
            Ok(parse_weights(&self.setting(key)?).unwrap_or_default())
        };
        Ok((of("weights_agents")?, of("weights_departments")?))
    }

    /// A period's report, the previous period's KPIs and the assessment as one document:
    /// what `hotline report --json` prints and what the reporting window shows.
    pub fn period_report(&self, req: &ReportRequest) -> Result<serde_json::Value> {
        let tz = self.timezone()?;
        let p = crate::report::period(req.kind, req.anchor, req.until, tz).ok_or(
            crate::error::Error::InvalidValue {
                field: "period",
                value: format!("{:?} {}", req.kind, req.anchor),
            },
        )?;
        let q = ReportQuery {
            from: p.from,
            to: p.to,
            ..req.filters.clone()
        };
        let pq = ReportQuery {
            from: p.previous_from,
            to: p.previous_to,
            ..q.clone()
        };
        let (s, w) = (self.kpi_settings()?, self.weights()?);
        // One snapshot: the figures, last period's and the assessment agree with each other
        // even while agents keep writing. The two periods are counted side by side when a
        // second reader is free, this period's complaints beside last period's counts
        // (the halves then take about as long).
        let (report, previous, (agents, departments), rest) = self.snapshot_split(
            |c| {
                let now = KpiCounts::count(c, &q, &s, tz)?;
                let extra = extras(c, &q)?;
                let report = report_in(c, &q, &s, tz, &now, self.now())?;
                let incidents = super::incident_report::figures(c, &q, self.now())?;
                Ok((report, now, extra, incidents))
            },
            |c| {
                let before = KpiCounts::count(c, &pq, &s, tz)?;
                let extra = extras(c, &pq)?;
                let previous = period_kpis(c, &pq, &s, &before)?;
                let rest = (
                    super::complaint_report::figures(c, &q, self.now())?,
                    super::qa_report::figures(c, &q)?,
                    super::kb_views::figures(c, q.from, q.to)?,
                    super::dispatch::figures(c, q.from, q.to)?,
                );
                Ok((previous, before, extra, rest))
            },
            |c, (report, now, extra_now, a), (previous, before, extra_before, b)| {
                let assessed = assessment_in(c, &w, (&now, &extra_now), (&before, &extra_before))?;
                Ok((report, previous, assessed, (a, b)))
            },
        )?;
        let (incidents, (complaints, qa, knowledge, dispatch)) = rest;
        Ok(serde_json::json!({
            "period": p.label,
            "previous_period": p.previous_label,
            // A period still running is compared with a whole one: say so, and how far.
            "running": crate::report::running_share(&p, self.now()),
            "query": q,
            "report": report,
            "previous": previous,
            "settings": s,
            "assessment": { "agents": agents, "departments": departments },
            "incidents": incidents,
            "complaints": complaints,
            "qa": qa,
            "knowledge": knowledge,
            "dispatch": dispatch,
        }))
    }

    /// The month `2026-10` (the monthly assessment's period).
    pub fn monthly_report(
        &self,
        month: &str,
        department_id: Option<i64>,
    ) -> Result<serde_json::Value> {
        let anchor = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
            .map_err(|_| crate::error::Error::InvalidValue {
                field: "month",
                value: month.chars().take(20).collect(),
            })?;
        // The period replaces these bounds; the injected clock keeps the report reproducible.
        let mut filters = ReportQuery::new(self.now(), self.now());
        filters.department_id = department_id;
        self.period_report(&ReportRequest {
            kind: crate::report::PeriodKind::Month,
            anchor,
            until: None,
            filters,
        })
    }

    /// The calls behind a call KPI (numerator or denominator), newest first, at most 500.
    pub fn kpi_calls(&self, q: &ReportQuery, key: &str, denominator: bool) -> Result<Vec<CallRow>> {
        let s = self.kpi_settings()?;
        let CallConditions {
            offered,
            answered,
            in_time,
        } = CallConditions::of(&s);
        let cond = match (key, denominator) {
            (_, true) => offered,
            ("answer_rate", false) => format!("{offered} AND {answered}"),
            ("answered_within", false) => format!("{offered} AND {in_time}"),
            _ => {
                return Err(crate::error::Error::InvalidValue {
                    field: "kpi",
                    value: key.chars().take(40).collect(),
                })
            }
        };
        self.read(|c| {
            let mut st = c.prepare(&super::queues::number(
                &format!(
                    "SELECT calls.id, caller, started_at, answered_at, ended_at, disposition, t.number, u.name FROM calls
                     LEFT JOIN tickets t ON t.id = calls.ticket_id LEFT JOIN users u ON u.id = calls.agent_id
                     WHERE {cond} ORDER BY started_at DESC LIMIT 500"
                ),
                0,
            ))?;
            let rows = st
                .query_map((ms(q.from), ms(q.to)), |r| {
                    Ok(CallRow {
                        id: r.get(0)?,
                        caller: r.get(1)?,
                        started_at: from_ms(r.get(2)?),
                        ring_seconds: r.get::<_, Option<i64>>(3)?.map(|a| (a - r.get::<_, i64>(2).unwrap_or(a)) / 1000),
                        seconds: (r.get::<_, i64>(4)? - r.get::<_, i64>(2)?) / 1000,
                        disposition: r.get(5)?,
                        ticket: r.get(6)?,
                        agent: r.get(7)?,
                    })
                })?
                .collect::<super::sql::Result<_>>()?;
            Ok(rows)
        })
    }

    /// The tickets behind a figure: those counted in its numerator (`denominator` false)
    /// or its denominator, newest first, at most 500.
    pub fn kpi_tickets(
        &self,
        q: &ReportQuery,
        key: &str,
        denominator: bool,
    ) -> Result<Vec<crate::model::TicketRow>> {
        let s = self.kpi_settings()?;
        let Some((_, base, num, den)) = TICKET_KPIS.iter().find(|(k, ..)| *k == key) else {
            return Err(crate::error::Error::InvalidValue {
                field: "kpi",
                value: key.chars().take(40).collect(),
            });
        };
        let cond = if denominator { den } else { num };
        let (sql, params) = scoped(&format!("{base} AND ({cond})"), q, &s);
        let ids = format!("SELECT DISTINCT t.id {sql}");
        self.read(|c| super::listing::rows_where(c, &ids, params.clone()))
    }
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
