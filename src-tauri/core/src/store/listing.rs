//! Queue pages: the filters, sort orders and search of the ticket lists, the SQL they
//! become, and a caller's earlier tickets.

use super::db::{ms, Store};
use super::queues;
use super::reference::get_user;
use super::rows::{opt_time, time};
use super::sql::Value as Sql;
use super::sql::{params_from_iter, Connection, Row};
use crate::error::Result;
use crate::model::{Channel, Queue, Severity, Status, TicketRow, Urgency};
use crate::phone::Phone;
use crate::search::Query;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A ranked search orders the newest this many matches (of its filters) by relevance.
pub const RANK_WINDOW: i64 = 2_000;

pub(super) const ROW_SELECT: &str =
    "SELECT t.id, t.number, t.status, t.caller_name, t.phone, t.anonymous,
        substr(t.description, 1, 80) AS summary, c.code AS category_code, c.name AS category_name,
        t.channel, t.severity, t.urgency, d.name AS department_name, h.name AS handler_name,
        t.received_at, t.due_at, t.redispatch_count, t.supervised
    FROM tickets t
    JOIN categories c ON c.id = t.category_id
    LEFT JOIN departments d ON d.id = t.department_id
    LEFT JOIN users h ON h.id = t.handler_id";

pub(super) fn list_row(r: &Row) -> super::sql::Result<TicketRow> {
    Ok(TicketRow {
        id: r.get("id")?,
        number: r.get("number")?,
        status: r.get("status")?,
        caller_name: r.get("caller_name")?,
        phone: r.get("phone")?,
        anonymous: r.get("anonymous")?,
        summary: r.get("summary")?,
        category_code: r.get("category_code")?,
        category_name: r.get("category_name")?,
        channel: r.get("channel")?,
        severity: r.get("severity")?,
        urgency: r.get("urgency")?,
        department_name: r.get("department_name")?,
        handler_name: r.get("handler_name")?,
        received_at: time(r, "received_at")?,
        due_at: opt_time(r, "due_at")?,
        redispatch_count: r.get("redispatch_count")?,
        supervised: r.get("supervised")?,
        due_left_minutes: None,
        overdue_minutes: None,
        snippet: None,
    })
}

/// Queue rows of the tickets whose ids `ids_sql` selects (newest first, at most 500).
pub(crate) fn rows_where(
    c: &Connection,
    ids_sql: &str,
    params: Vec<Sql>,
) -> Result<Vec<TicketRow>> {
    let sql = format!(
        "{ROW_SELECT} WHERE t.id IN ({}) ORDER BY t.received_at DESC, t.id DESC LIMIT 500",
        queues::number(ids_sql, 0)
    );
    let mut st = c.prepare(&sql)?;
    let rows = st
        .query_map(params_from_iter(params), list_row)?
        .collect::<super::sql::Result<_>>()?;
    Ok(rows)
}

/// Queue rows of the tickets `ids`, in that order.
fn in_order(c: &Connection, ids: &[i64]) -> Result<Vec<TicketRow>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let marks = queues::number(&vec!["?"; ids.len()].join(", "), 0);
    let mut found: std::collections::HashMap<i64, TicketRow> = c
        .prepare(&format!("{ROW_SELECT} WHERE t.id IN ({marks})"))?
        .query_map(params_from_iter(ids.iter()), list_row)?
        .map(|r| r.map(|row| (row.id, row)))
        .collect::<super::sql::Result<_>>()?;
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

/// Fills in the business time left of the rows whose deadline runs.
pub(super) fn with_time_left(
    c: &Connection,
    rows: &mut [TicketRow],
    now: DateTime<Utc>,
) -> Result<()> {
    if !rows.iter().any(|r| r.due_at.is_some()) {
        return Ok(());
    }
    let cal = super::calendar::load_calendar(c, "office")?;
    for r in rows.iter_mut() {
        let running = matches!(r.status, Status::Transferred | Status::InProgress);
        if let (true, Some(due)) = (running, r.due_at) {
            let m = if due >= now {
                cal.elapsed(now, due, &[]).value.num_minutes()
            } else {
                -cal.elapsed(due, now, &[]).value.num_minutes()
            };
            r.due_left_minutes = Some(m);
            // Rounded up: a deadline passed a moment ago is overdue, never "0 minutes".
            r.overdue_minutes = (due < now).then(|| ((now - due).num_seconds() + 59) / 60);
        }
    }
    Ok(())
}

/// A page of rows with their time left, as a queue shows it.
fn page(
    c: &Connection,
    mut rows: Vec<TicketRow>,
    now: DateTime<Utc>,
    total: i64,
    capped: bool,
    offset: u32,
    limit: u32,
) -> Result<Page> {
    with_time_left(c, &mut rows, now)?;
    Ok(Page {
        rows,
        total,
        capped,
        offset,
        limit,
    })
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    ReceivedDesc,
    ReceivedAsc,
    DueAsc,
    /// Best match first (bm25 of the search index); newest first without a search.
    Relevance,
}

/// A queue: filters, order and page.
/// Longer searches are refused rather than scanned for.
pub const SEARCH_MAX: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListQuery {
    /// One of the desk's queues (combined with the filters below).
    pub queue: Option<Queue>,
    pub statuses: Vec<Status>,
    pub department_id: Option<i64>,
    pub handler_id: Option<i64>,
    pub category_id: Option<i64>,
    pub channel: Option<Channel>,
    pub severity: Option<Severity>,
    pub urgency: Option<Urgency>,
    pub received_from: Option<DateTime<Utc>>,
    pub received_to: Option<DateTime<Utc>>,
    /// A ticket number, a phone number in any spelling, or words of the description.
    pub search: Option<String>,
    pub sort: Sort,
    pub offset: u32,
    /// Page size; 0 means the default of 50, at most 500.
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub rows: Vec<TicketRow>,
    /// Matching tickets, counted up to `COUNT_CAP` past this page.
    pub total: i64,
    /// More than `total` match.
    pub capped: bool,
    pub offset: u32,
    pub limit: u32,
}

/// What a search box query means: a phone number in any spelling, a ticket number (or its
/// start), a fragment of a phone number, or words of the description, answer and result
/// (FTS5 trigram for three characters and more; LIKE below that, which trigram cannot).
/// The SQL condition (on alias `t`) a search box's text stands for.
pub(super) fn search_condition(q: &Query, pg: bool) -> (String, Vec<Sql>) {
    if pg {
        if let Some(c) = super::pg_search::condition(q) {
            return c;
        }
    }
    match q {
        Query::Phone(number) => one("t.phone = ?", Sql::Text(number.clone())),
        // A range on the unique index (LIKE would scan: it ignores case).
        Query::Number(prefix) => (
            "t.number >= ? AND t.number < ?".into(),
            vec![Sql::Text(prefix.clone()), Sql::Text(format!("{prefix}~"))],
        ),
        Query::Trigram(_) | Query::Bigram(_) => {
            let table = fts_table(q);
            one(
                &format!("t.id IN (SELECT rowid FROM {table} WHERE {table} MATCH ?)"),
                Sql::Text(q.fts().unwrap_or_default()),
            )
        }
        Query::Scan(text) => {
            let like = format!("%{}%", like_escape(text));
            // ILIKE on PostgreSQL: SQLite's LIKE ignores ASCII case.
            let op = if pg { "ILIKE" } else { "LIKE" };
            (
                format!("(t.description {op} ? ESCAPE '\\' OR t.answer {op} ? ESCAPE '\\' OR t.result {op} ? ESCAPE '\\')"),
                vec![Sql::Text(like.clone()), Sql::Text(like.clone()), Sql::Text(like)],
            )
        }
    }
}

fn fts_table(q: &Query) -> &'static str {
    match q {
        Query::Bigram(_) => "tickets_bigrams",
        _ => "tickets_fts",
    }
}

fn one(clause: &str, v: Sql) -> (String, Vec<Sql>) {
    (clause.to_string(), vec![v])
}

pub(super) use crate::search::like_escape;

/// `from` and a WHERE of the conditions, the queue's and the actor's scope, its `?`
/// placeholders numbered in order, with their values.
fn filtered(
    from: &str,
    me: &crate::model::User,
    mut conds: Vec<(String, Vec<Sql>)>,
    queue: Option<Queue>,
    now: DateTime<Utc>,
) -> (String, Vec<Sql>) {
    if let Some(queue) = queue {
        conds.push(queues::condition(queue, me, now));
    }
    conds.extend(queues::scope(me));
    let mut params: Vec<Sql> = Vec::new();
    let mut clauses: Vec<String> = Vec::new();
    for (clause, vals) in conds {
        clauses.push(queues::number(&clause, params.len()));
        params.extend(vals);
    }
    if clauses.is_empty() {
        (from.to_string(), params)
    } else {
        (format!("{from} WHERE {}", clauses.join(" AND ")), params)
    }
}

impl Store {
    /// A queue page as the first administrator sees it (tools and tests).
    pub fn list(&self, q: &ListQuery) -> Result<Page> {
        self.list_as(self.first_admin()?.id, q)
    }

    /// A queue page as `actor_id` sees it ("my work" depends on who asks).
    pub fn list_as(&self, actor_id: i64, q: &ListQuery) -> Result<Page> {
        let limit = match q.limit {
            0 => 50,
            n => n.min(500),
        };
        let now = self.now();
        // Conditions with `?` placeholders, numbered once all are known.
        let mut conds: Vec<(String, Vec<Sql>)> = Vec::new();
        if !q.statuses.is_empty() {
            let marks = vec!["?"; q.statuses.len()].join(", ");
            let vals = q
                .statuses
                .iter()
                .map(|s| Sql::Text(s.as_str().into()))
                .collect();
            conds.push((format!("t.status IN ({marks})"), vals));
        }
        if let Some(v) = q.department_id {
            conds.push(one("t.department_id = ?", Sql::Integer(v)));
        }
        if let Some(v) = q.handler_id {
            conds.push(one("t.handler_id = ?", Sql::Integer(v)));
        }
        if let Some(v) = q.category_id {
            conds.push((
                "(t.category_id = ? OR t.category_id IN (SELECT id FROM categories WHERE parent_id = ?))".into(),
                vec![Sql::Integer(v), Sql::Integer(v)],
            ));
        }
        if let Some(v) = q.channel {
            conds.push(one("t.channel = ?", Sql::Text(v.as_str().into())));
        }
        if let Some(v) = q.severity {
            conds.push(one("t.severity = ?", Sql::Text(v.as_str().into())));
        }
        if let Some(v) = q.urgency {
            conds.push(one("t.urgency = ?", Sql::Text(v.as_str().into())));
        }
        if let Some(v) = q.received_from {
            conds.push(one("t.received_at >= ?", Sql::Integer(ms(v))));
        }
        if let Some(v) = q.received_to {
            conds.push(one("t.received_at < ?", Sql::Integer(ms(v))));
        }
        let query = match q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(text) => Some(Query::parse(&crate::validate::text(
                "search", text, SEARCH_MAX,
            )?)),
            None => None,
        };
        // Word searches newest first or ranked are driven by their index, newest match
        // first, so a common word costs a page of matches rather than all of them: newest
        // first is the order tickets were logged in (their id), ranked is the bm25 order
        // of the newest RANK_WINDOW matches. Other orders read every match.
        // PostgreSQL has no FTS5 index to drive by: its word searches are conditions, read
        // newest first in slices of ids, in the same orders (`pg_search`).
        let pg = self.is_postgres();
        let words = query.as_ref().is_some_and(|qq| qq.fts().is_some());
        let driven = match (&query, q.sort) {
            (Some(qq), Sort::Relevance | Sort::ReceivedDesc) if !pg => {
                qq.fts().map(|m| (fts_table(qq), m))
            }
            _ => None,
        };
        if let (Some(qq), None) = (&query, &driven) {
            conds.push(search_condition(qq, pg));
        }
        let ranked_on_pg = pg && words && q.sort == Sort::Relevance;
        let newest_on_pg = pg && words && q.sort == Sort::ReceivedDesc;
        let order = match q.sort {
            Sort::Relevance if driven.is_some() => "m.rank, t.received_at DESC, t.id DESC",
            // The index's own order: sorting by t.id would read every match first.
            Sort::ReceivedDesc if driven.is_some() => "f.rowid DESC",
            Sort::ReceivedDesc | Sort::Relevance => "t.received_at DESC, t.id DESC",
            Sort::ReceivedAsc => "t.received_at ASC, t.id ASC",
            Sort::DueAsc => "t.due_at IS NULL, t.due_at ASC, t.id ASC",
        };
        let cap = queues::COUNT_CAP + i64::from(q.offset) + i64::from(limit);
        if newest_on_pg || ranked_on_pg {
            let me = self.read(|c| get_user(c, actor_id))?;
            let (from_where, params) = filtered("FROM tickets t", &me, conds, q.queue, now);
            let from_where = from_where.as_str();
            let params = params.as_slice();
            // The count and the matches read side by side on one snapshot: each walks
            // the trigram index and checks its matches (a common word: 20–45 ms each).
            return self.snapshot_split(
                |c| match &query {
                    Some(qq) if ranked_on_pg => {
                        let window = RANK_WINDOW.max(i64::from(q.offset) + i64::from(limit));
                        super::pg_search::ranked(c, from_where, params, qq, window, q.offset, limit)
                    }
                    _ => {
                        let n = i64::from(q.offset) + i64::from(limit);
                        let newest =
                            super::pg_search::newest(c, "t.id", from_where, params, n, |r| {
                                r.get(0)
                            })?;
                        Ok(newest.into_iter().skip(q.offset as usize).collect())
                    }
                },
                |c| queues::capped_count(c, from_where, params_from_iter(params.iter()), cap),
                |c, ids, counted| {
                    let rows = in_order(c, &ids)?;
                    page(
                        c,
                        rows,
                        now,
                        counted.min(cap),
                        counted > cap,
                        q.offset,
                        limit,
                    )
                },
            );
        }
        self.read(|c| {
            let me = get_user(c, actor_id)?;
            // A driven search reads its index first (CROSS JOIN fixes the order): its
            // MATCH is parameter 1.
            let (from, first) = match &driven {
                Some((table, m)) => (
                    format!("FROM {table} f CROSS JOIN tickets t ON t.id = f.rowid"),
                    Some((format!("f.{table} MATCH ?"), vec![Sql::Text(m.clone())])),
                ),
                None => ("FROM tickets t".into(), None),
            };
            let only_match = first.is_some() && conds.is_empty() && q.queue.is_none();
            let (from_where, params) =
                filtered(&from, &me, first.into_iter().chain(conds.clone()).collect(), q.queue, now);
            let where_ = &from_where[from.len()..];
            // A search with nothing else to check is counted by its index alone.
            let counting = match &driven {
                Some((table, _)) if only_match && queues::scope(&me).is_none() => {
                    format!("FROM {table} WHERE {table} MATCH ?1")
                }
                _ => from_where.clone(),
            };
            let counted =
                queues::capped_count(c, &counting, params_from_iter(params.iter()), cap)?;
            let sql = match (&driven, q.sort) {
                (Some(_), Sort::Relevance) => {
                    let window = RANK_WINDOW.max(i64::from(q.offset) + i64::from(limit));
                    let ranked = format!(
                        "FROM tickets t JOIN (SELECT f.rowid AS rid, f.rank AS rank {from}{where_} ORDER BY f.rowid DESC LIMIT {window}) m ON m.rid = t.id"
                    );
                    format!(
                        "{} ORDER BY {order} LIMIT {limit} OFFSET {}",
                        ROW_SELECT.replacen("FROM tickets t", &ranked, 1),
                        q.offset
                    )
                }
                // PostgreSQL takes the page of tickets before joining their names: its
                // statistics lag a status that fills up between two ANALYZEs (one row
                // estimated, 2 300 there after a shift), and it then joined every ticket of
                // the queue before sorting — twice the raw SQL's time.
                _ if pg => {
                    let paged = format!(
                        "FROM (SELECT t.* {from}{where_} ORDER BY {order} LIMIT {limit} OFFSET {}) t",
                        q.offset
                    );
                    format!(
                        "{} ORDER BY {order}",
                        ROW_SELECT.replacen("FROM tickets t", &paged, 1)
                    )
                }
                _ => format!(
                    "{}{where_} ORDER BY {order} LIMIT {limit} OFFSET {}",
                    ROW_SELECT.replacen("FROM tickets t", &from, 1),
                    q.offset
                ),
            };
            let mut st = c.prepare_cached(&sql)?;
            let rows: Vec<TicketRow> = st
                .query_map(params_from_iter(params.iter()), list_row)?
                .collect::<super::sql::Result<_>>()?;
            page(c, rows, now, counted.min(cap), counted > cap, q.offset, limit)
        })
    }

    /// The searchable texts of each ticket, in order: description, answer, result.
    pub fn texts(&self, ids: &[i64]) -> Result<Vec<Vec<String>>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        self.read(|c| {
            // One statement for the page: a row each would be 50 round trips to PostgreSQL.
            let marks = queues::number(&vec!["?"; ids.len()].join(", "), 0);
            // Built per page size: prepared for this use only, as `in_order`'s.
            let mut found: std::collections::HashMap<i64, Vec<String>> = c
                .prepare(&format!(
                    "SELECT id, description, answer, result FROM tickets WHERE id IN ({marks})"
                ))?
                .query_map(params_from_iter(ids.iter()), |r| {
                    let texts: [Option<String>; 3] = [r.get(1)?, r.get(2)?, r.get(3)?];
                    Ok((r.get(0)?, texts.into_iter().flatten().collect()))
                })?
                .collect::<super::sql::Result<_>>()?;
            Ok(ids
                .iter()
                .map(|id| found.remove(id).unwrap_or_default())
                .collect())
        })
    }

    /// How many tickets stand in each status: the desk's queue counts.
    pub fn status_counts(&self) -> Result<BTreeMap<Status, i64>> {
        self.read(|c| {
            let mut out: BTreeMap<Status, i64> = Status::ALL.iter().map(|s| (*s, 0)).collect();
            let mut st =
                c.prepare_cached("SELECT status, count(*) FROM tickets GROUP BY status")?;
            for row in st.query_map([], |r| Ok((r.get::<_, Status>(0)?, r.get::<_, i64>(1)?)))? {
                let (s, n) = row?;
                out.insert(s, n);
            }
            Ok(out)
        })
    }

    /// Every ticket of the caller behind `phone` (any spelling), newest first.
    pub fn history(&self, phone: &str) -> Result<Vec<TicketRow>> {
        let key = Phone::parse(phone)?.number;
        self.read(|c| {
            // The two ways to the caller's tickets as a union of index reads: written as
            // `phone = ?1 OR customer_id IN (…)`, PostgreSQL cannot combine the two
            // indexes and walks every ticket by date (630 ms at a million, 3 ms so).
            let mut st = c.prepare_cached(&format!(
                "{ROW_SELECT} WHERE t.id IN (
                        SELECT id FROM tickets WHERE phone = ?1
                        UNION SELECT id FROM tickets WHERE customer_id IN
                            (SELECT customer_id FROM customer_phones WHERE phone = ?1))
                    AND {}
                 ORDER BY t.received_at DESC, t.id DESC LIMIT 500",
                super::db::NOT_DRILL
            ))?;
            let rows = st
                .query_map([&key], list_row)?
                .collect::<super::sql::Result<_>>()?;
            Ok(rows)
        })
    }
}

#[cfg(test)]
#[path = "listing_tests.rs"]
mod tests;
