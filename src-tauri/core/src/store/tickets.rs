//! Tickets, their timelines, queues and caller history.

use super::reference::{
    active_department, category_by_code, get_category, get_department, get_user,
};
use super::{from_ms, ms, policy, queues, timezone, Store};
use crate::error::{Error, Result};
use crate::lifecycle::{self, Action, NewEvent};
use crate::model::{
    Channel, Event, Queue, Role, Severity, Status, Ticket, TicketDetail, TicketRow, Urgency, User,
};
use crate::phone::Phone;
use crate::search::Query;
use crate::ticket::{format_number, NewTicket, ValidTicket};
use chrono::{DateTime, Utc};
use rusqlite::types::Value as Sql;
use rusqlite::{params_from_iter, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Every stored column of `tickets` but `id`, in the order `values` yields them.
const COLUMNS: &[&str] = &[
    "number",
    "version",
    "status",
    "customer_id",
    "caller_name",
    "phone",
    "phone_ext",
    "description",
    "occurred_at",
    "received_at",
    "category_id",
    "channel",
    "severity",
    "urgency",
    "created_by",
    "department_id",
    "handler_id",
    "requirements",
    "transferred_at",
    "accept_due_at",
    "due_at",
    "extension",
    "extension_due_at",
    "answer",
    "result",
    "resolved",
    "replied_at",
    "satisfaction",
    "callback_due_at",
    "callback_method",
    "callback_satisfaction",
    "redispatch_count",
    "return_count",
    "reopen_count",
    "supervised",
    "paused_at",
    "closed_at",
    "updated_at",
];

fn t(v: Option<DateTime<Utc>>) -> Sql {
    v.map_or(Sql::Null, |d| Sql::Integer(ms(d)))
}
fn s<T: ToString>(v: Option<T>) -> Sql {
    v.map_or(Sql::Null, |x| Sql::Text(x.to_string()))
}
fn i(v: Option<i64>) -> Sql {
    v.map_or(Sql::Null, Sql::Integer)
}

fn values(x: &Ticket) -> Vec<Sql> {
    vec![
        Sql::Text(x.number.clone()),
        Sql::Integer(x.version),
        s(Some(x.status)),
        i(x.customer_id),
        Sql::Text(x.caller_name.clone()),
        Sql::Text(x.phone.clone()),
        s(x.phone_ext.as_ref()),
        Sql::Text(x.description.clone()),
        t(x.occurred_at),
        t(Some(x.received_at)),
        Sql::Integer(x.category_id),
        s(Some(x.channel)),
        s(Some(x.severity)),
        s(Some(x.urgency)),
        Sql::Integer(x.created_by),
        i(x.department_id),
        i(x.handler_id),
        s(x.requirements.as_ref()),
        t(x.transferred_at),
        t(x.accept_due_at),
        t(x.due_at),
        s(x.extension),
        t(x.extension_due_at),
        s(x.answer.as_ref()),
        s(x.result.as_ref()),
        i(x.resolved.map(i64::from)),
        t(x.replied_at),
        s(x.satisfaction),
        t(x.callback_due_at),
        s(x.callback_method),
        s(x.callback_satisfaction),
        Sql::Integer(x.redispatch_count),
        Sql::Integer(x.return_count),
        Sql::Integer(x.reopen_count),
        Sql::Integer(i64::from(x.supervised)),
        t(x.paused_at),
        t(x.closed_at),
        t(Some(x.updated_at)),
    ]
}

fn insert_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let marks: Vec<String> = (1..=COLUMNS.len()).map(|n| format!("?{n}")).collect();
        format!(
            "INSERT INTO tickets ({}) VALUES ({})",
            COLUMNS.join(", "),
            marks.join(", ")
        )
    })
}

fn update_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let sets: Vec<String> = COLUMNS
            .iter()
            .enumerate()
            .map(|(n, c)| format!("{c} = ?{}", n + 1))
            .collect();
        let n = COLUMNS.len();
        format!(
            "UPDATE tickets SET {} WHERE id = ?{} AND version = ?{}",
            sets.join(", "),
            n + 1,
            n + 2
        )
    })
}

fn time(r: &Row, col: &str) -> rusqlite::Result<DateTime<Utc>> {
    Ok(from_ms(r.get(col)?))
}
fn opt_time(r: &Row, col: &str) -> rusqlite::Result<Option<DateTime<Utc>>> {
    Ok(r.get::<_, Option<i64>>(col)?.map(from_ms))
}

fn ticket_row(r: &Row) -> rusqlite::Result<Ticket> {
    Ok(Ticket {
        id: r.get("id")?,
        number: r.get("number")?,
        version: r.get("version")?,
        status: r.get("status")?,
        customer_id: r.get("customer_id")?,
        caller_name: r.get("caller_name")?,
        phone: r.get("phone")?,
        phone_ext: r.get("phone_ext")?,
        description: r.get("description")?,
        occurred_at: opt_time(r, "occurred_at")?,
        received_at: time(r, "received_at")?,
        category_id: r.get("category_id")?,
        channel: r.get("channel")?,
        severity: r.get("severity")?,
        urgency: r.get("urgency")?,
        created_by: r.get("created_by")?,
        department_id: r.get("department_id")?,
        handler_id: r.get("handler_id")?,
        requirements: r.get("requirements")?,
        transferred_at: opt_time(r, "transferred_at")?,
        accept_due_at: opt_time(r, "accept_due_at")?,
        due_at: opt_time(r, "due_at")?,
        extension: r.get("extension")?,
        extension_due_at: opt_time(r, "extension_due_at")?,
        answer: r.get("answer")?,
        result: r.get("result")?,
        resolved: r.get("resolved")?,
        replied_at: opt_time(r, "replied_at")?,
        satisfaction: r.get("satisfaction")?,
        callback_due_at: opt_time(r, "callback_due_at")?,
        callback_method: r.get("callback_method")?,
        callback_satisfaction: r.get("callback_satisfaction")?,
        redispatch_count: r.get("redispatch_count")?,
        return_count: r.get("return_count")?,
        reopen_count: r.get("reopen_count")?,
        supervised: r.get("supervised")?,
        paused_at: opt_time(r, "paused_at")?,
        closed_at: opt_time(r, "closed_at")?,
        updated_at: time(r, "updated_at")?,
    })
}

fn event_row(r: &Row) -> rusqlite::Result<Event> {
    let data: String = r.get("data")?;
    Ok(Event {
        id: r.get("id")?,
        ticket_id: r.get("ticket_id")?,
        seq: r.get("seq")?,
        at: time(r, "at")?,
        actor_id: r.get("actor_id")?,
        actor_name: r.get("actor_name")?,
        action: r.get("action")?,
        note: r.get("note")?,
        from_status: r.get("from_status")?,
        to_status: r.get("to_status")?,
        data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
    })
}

/// A ranked search orders the newest this many matches (of its filters) by relevance.
pub const RANK_WINDOW: i64 = 2_000;

const ROW_SELECT: &str = "SELECT t.id, t.number, t.status, t.caller_name, t.phone,
        substr(t.description, 1, 80) AS summary, c.code AS category_code, c.name AS category_name,
        t.channel, t.severity, t.urgency, d.name AS department_name, h.name AS handler_name,
        t.received_at, t.due_at, t.redispatch_count, t.supervised
    FROM tickets t
    JOIN categories c ON c.id = t.category_id
    LEFT JOIN departments d ON d.id = t.department_id
    LEFT JOIN users h ON h.id = t.handler_id";

fn list_row(r: &Row) -> rusqlite::Result<TicketRow> {
    Ok(TicketRow {
        id: r.get("id")?,
        number: r.get("number")?,
        status: r.get("status")?,
        caller_name: r.get("caller_name")?,
        phone: r.get("phone")?,
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
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Fills in the business time left of the rows whose deadline runs.
fn with_time_left(c: &Connection, rows: &mut [TicketRow], now: DateTime<Utc>) -> Result<()> {
    if !rows.iter().any(|r| r.due_at.is_some()) {
        return Ok(());
    }
    let cal = super::calendars::load_calendar(c, "office")?;
    for r in rows.iter_mut() {
        let running = matches!(r.status, Status::Transferred | Status::InProgress);
        if let (true, Some(due)) = (running, r.due_at) {
            let m = if due >= now {
                cal.elapsed(now, due, &[]).value.num_minutes()
            } else {
                -cal.elapsed(due, now, &[]).value.num_minutes()
            };
            r.due_left_minutes = Some(m);
        }
    }
    Ok(())
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

/// A ticket with its whole timeline, written in bulk (seed data, imports).
#[derive(Debug, Clone, PartialEq)]
pub struct HistoricTicket {
    pub ticket: Ticket,
    pub email: Option<String>,
    pub address: Option<String>,
    pub events: Vec<HistoricEvent>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HistoricEvent {
    pub at: DateTime<Utc>,
    pub actor_id: i64,
    pub event: NewEvent,
}

/// A bulk write in progress: one IMMEDIATE transaction, prepared statements reused.
pub struct Bulk<'a> {
    tx: &'a Connection,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
    alarms: super::alarms::Ctx,
    /// The last number given out per receipt day, written back once at the end: the
    /// upsert per ticket cost a fifth of an import (a statement journal each time).
    days: BTreeMap<String, i64>,
}

impl Bulk<'_> {
    /// Writes a ticket and its timeline; assigns its number from its receipt day.
    pub fn insert(&mut self, h: &HistoricTicket) -> Result<String> {
        let mut x = h.ticket.clone();
        x.customer_id = Some(customer_for(
            self.tx,
            &x.caller_name,
            &x.phone,
            x.phone_ext.as_deref(),
            h.email.as_deref(),
            h.address.as_deref(),
            x.received_at,
        )?);
        x.number = self.next_number(x.received_at)?;
        x.id = insert_ticket(self.tx, &x)?;
        for (n, e) in h.events.iter().enumerate() {
            insert_event(self.tx, x.id, n as i64 + 1, e.at, e.actor_id, &e.event)?;
        }
        super::alarms::refresh(self.tx, &x, self.now, &self.alarms)?;
        Ok(x.number)
    }

    fn next_number(&mut self, at: DateTime<Utc>) -> Result<String> {
        let day = local_day(self.tz, at);
        let last = match self.days.get_mut(&day) {
            Some(last) => last,
            None => {
                let last = self
                    .tx
                    .query_row(
                        "SELECT last FROM day_sequences WHERE day = ?1",
                        [&day],
                        |r| r.get(0),
                    )
                    .optional()?
                    .unwrap_or(0);
                self.days.entry(day.clone()).or_insert(last)
            }
        };
        *last += 1;
        Ok(format_number(&day, *last))
    }

    fn finish(self) -> Result<()> {
        let mut st = self.tx.prepare(
            "INSERT INTO day_sequences (day, last) VALUES (?1, ?2)
             ON CONFLICT(day) DO UPDATE SET last = excluded.last",
        )?;
        for (day, last) in &self.days {
            st.execute((day, last))?;
        }
        Ok(())
    }
}

/// The triggers that index each new ticket for search, and the statements that index
/// many at once the same way (`bulk_rows_are_indexed_like_single_ones` holds them equal).
const SEARCH_TRIGGERS: [&str; 2] = ["tickets_fts_insert", "tickets_bigrams_insert"];
const SEARCH_BATCH: [&str; 2] = [
    "INSERT INTO tickets_fts (rowid, description, answer, result)
     SELECT id, description, coalesce(answer, ''), coalesce(result, '') FROM tickets WHERE id >= ?1",
    "INSERT INTO tickets_bigrams (rowid, body)
     SELECT id, hd_bigrams(phone || ' ' || description || ' ' || coalesce(answer, '') || ' ' || coalesce(result, ''))
     FROM tickets WHERE id >= ?1",
];

/// Row by row, FTS5 flushes its pending terms as a new segment at every statement a
/// trigger runs and merges them again and again: ten times the cost of indexing the same
/// rows in one statement. A bulk write drops the insert triggers inside its transaction
/// (DDL is transactional: a failed import gets them back with the rollback) and
/// `index_from` restores them.
pub(crate) fn suspend_search_triggers(tx: &Connection) -> Result<Vec<String>> {
    let mut saved = Vec::new();
    for name in SEARCH_TRIGGERS {
        let sql: String = tx.query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
            [name],
            |r| r.get(0),
        )?;
        tx.execute_batch(&format!("DROP TRIGGER {name}"))?;
        saved.push(sql);
    }
    Ok(saved)
}

pub(crate) fn index_from(tx: &Connection, first: i64, triggers: &[String]) -> Result<()> {
    for sql in SEARCH_BATCH {
        tx.execute(sql, [first])?;
    }
    for table in ["tickets_fts", "tickets_bigrams"] {
        settle(tx, table)?;
    }
    for sql in triggers {
        tx.execute_batch(sql)?;
    }
    Ok(())
}

/// A batch leaves FTS5 levels with segments waiting to be merged. Left alone, FTS5's
/// automerge spreads that work over the next writes, the agents' intakes; the import
/// pays for it instead: 'merge' until a round finds nothing to merge (FTS5's documented
/// test: fewer than two changes).
fn settle(tx: &Connection, table: &str) -> Result<()> {
    let sql = format!("INSERT INTO {table} ({table}, rank) VALUES ('merge', 4000)");
    loop {
        let before = tx.total_changes();
        tx.execute(&sql, [])?;
        if tx.total_changes() - before < 2 {
            return Ok(());
        }
    }
}

fn customer_for(
    c: &Connection,
    name: &str,
    phone: &str,
    ext: Option<&str>,
    email: Option<&str>,
    address: Option<&str>,
    at: DateTime<Utc>,
) -> Result<i64> {
    let found: Option<i64> = c
        .prepare_cached(
            "SELECT customer_id FROM customer_phones WHERE phone = ?1 ORDER BY customer_id LIMIT 1",
        )?
        .query_row([phone], |r| r.get(0))
        .optional()?;
    if let Some(id) = found {
        return Ok(id);
    }
    c.prepare_cached(
        "INSERT INTO customers (name, email, address, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute((name, email, address, ms(at)))?;
    let id = c.last_insert_rowid();
    c.prepare_cached("INSERT INTO customer_phones (customer_id, phone, ext) VALUES (?1, ?2, ?3)")?
        .execute((id, phone, ext))?;
    Ok(id)
}

fn local_day(tz: chrono_tz::Tz, at: DateTime<Utc>) -> String {
    at.with_timezone(&tz).format("%Y%m%d").to_string()
}

fn next_number(c: &Connection, tz: chrono_tz::Tz, at: DateTime<Utc>) -> Result<String> {
    let day = local_day(tz, at);
    let seq: i64 = c
        .prepare_cached(
            "INSERT INTO day_sequences (day, last) VALUES (?1, 1)
             ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last",
        )?
        .query_row([&day], |r| r.get(0))?;
    Ok(format_number(&day, seq))
}

fn insert_ticket(c: &Connection, x: &Ticket) -> Result<i64> {
    c.prepare_cached(insert_sql())?
        .execute(params_from_iter(values(x)))?;
    Ok(c.last_insert_rowid())
}

fn insert_event(
    c: &Connection,
    ticket_id: i64,
    seq: i64,
    at: DateTime<Utc>,
    actor_id: i64,
    e: &NewEvent,
) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO events (ticket_id, seq, at, actor_id, action, note, from_status, to_status, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute((
        ticket_id,
        seq,
        ms(at),
        actor_id,
        e.action,
        e.note.as_deref(),
        e.from_status,
        e.to_status,
        e.data.to_string(),
    ))?;
    Ok(())
}

pub(crate) fn load(c: &Connection, id: i64) -> Result<Ticket> {
    c.prepare_cached("SELECT * FROM tickets WHERE id = ?1")?
        .query_row([id], ticket_row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "ticket",
            key: id.to_string(),
        })
}

fn events(c: &Connection, ticket_id: i64) -> Result<Vec<Event>> {
    let mut st = c.prepare_cached(
        "SELECT e.*, u.name AS actor_name FROM events e JOIN users u ON u.id = e.actor_id
         WHERE e.ticket_id = ?1 ORDER BY e.seq",
    )?;
    let rows = st
        .query_map([ticket_id], event_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Who may log calls: everyone on the hotline side.
fn may_create(actor: &User) -> Result<()> {
    if !actor.active {
        return Err(Error::Inactive {
            entity: "user",
            key: actor.id.to_string(),
        });
    }
    if actor.role == Role::Handler {
        return Err(Error::Forbidden {
            action: "create".into(),
            actor: actor.name.clone(),
            role: actor.role.as_str().into(),
        });
    }
    Ok(())
}

impl Store {
    /// Logs a call as a ticket, received now by `actor_id`.
    pub fn create_ticket(&self, actor_id: i64, new: &NewTicket) -> Result<Ticket> {
        let v = new.validate(self.now())?;
        self.write(|tx| create(tx, actor_id, &v))
    }

    pub fn ticket(&self, id: i64) -> Result<Ticket> {
        self.read(|c| load(c, id))
    }

    pub fn ticket_id_by_number(&self, number: &str) -> Result<i64> {
        self.read(|c| {
            c.prepare_cached("SELECT id FROM tickets WHERE number = ?1")?
                .query_row([number.trim()], |r| r.get(0))
                .optional()?
                .ok_or_else(|| Error::NotFound {
                    entity: "ticket",
                    key: number.chars().take(40).collect(),
                })
        })
    }

    pub fn detail(&self, id: i64) -> Result<TicketDetail> {
        self.read(|c| {
            let ticket = load(c, id)?;
            Ok(TicketDetail {
                category: get_category(c, ticket.category_id)?,
                department: ticket
                    .department_id
                    .map(|d| get_department(c, d))
                    .transpose()?,
                handler: ticket.handler_id.map(|h| get_user(c, h)).transpose()?,
                created_by: get_user(c, ticket.created_by)?,
                events: events(c, id)?,
                ticket,
            })
        })
    }

    /// Performs a lifecycle action. `expected_version` is the version the actor saw:
    /// if someone changed the ticket since, nothing is written and `conflict` returned.
    pub fn act(
        &self,
        id: i64,
        expected_version: i64,
        actor_id: i64,
        action: &Action,
    ) -> Result<Ticket> {
        let now = self.now();
        self.write(|tx| act_in(tx, id, expected_version, actor_id, action, now))
    }

    /// Intake at the desk: logs the call and, in the same transaction, takes its first
    /// action (answer at once, or transfer). Either both are saved or neither.
    pub fn intake(&self, actor_id: i64, new: &NewTicket, then: Option<&Action>) -> Result<Ticket> {
        let v = new.validate(self.now())?;
        let now = self.now();
        self.write(|tx| {
            let t = create(tx, actor_id, &v)?;
            match then {
                Some(a) => act_in(tx, t.id, t.version, actor_id, a, now),
                None => Ok(t),
            }
        })
    }

    /// The detail view for `actor_id`, with the actions they may take now.
    pub fn detail_for(&self, id: i64, actor_id: i64) -> Result<(TicketDetail, Vec<&'static str>)> {
        let d = self.detail(id)?;
        let now = self.now();
        let allowed = self.read(|c| {
            Ok(lifecycle::allowed_actions(
                &d.ticket,
                &get_user(c, actor_id)?,
                now,
                &policy(c)?,
            ))
        })?;
        Ok((d, allowed))
    }

    /// Longer searches are refused rather than scanned for.
    pub const SEARCH_MAX: usize = 200;

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
        let driven = match (&query, q.sort) {
            (Some(qq), Sort::Relevance | Sort::ReceivedDesc) => {
                qq.fts().map(|m| (fts_table(qq), m))
            }
            _ => None,
        };
        if let (Some(qq), None) = (&query, &driven) {
            conds.push(search_condition(qq));
        }
        let order = match q.sort {
            Sort::Relevance if driven.is_some() => "m.rank, t.received_at DESC, t.id DESC",
            // The index's own order: sorting by t.id would read every match first.
            Sort::ReceivedDesc if driven.is_some() => "f.rowid DESC",
            Sort::ReceivedDesc | Sort::Relevance => "t.received_at DESC, t.id DESC",
            Sort::ReceivedAsc => "t.received_at ASC, t.id ASC",
            Sort::DueAsc => "t.due_at IS NULL, t.due_at ASC, t.id ASC",
        };
        self.read(|c| {
            let me = get_user(c, actor_id)?;
            if let Some(queue) = q.queue {
                conds.push(queues::condition(queue, &me, now));
            }
            conds.extend(queues::scope(&me));
            let mut params: Vec<Sql> = Vec::new();
            let mut clauses: Vec<String> = Vec::new();
            // A driven search reads its index first (CROSS JOIN fixes the order): its
            // MATCH is parameter 1.
            let from = match &driven {
                Some((table, m)) => {
                    params.push(Sql::Text(m.clone()));
                    clauses.push(format!("f.{table} MATCH ?1"));
                    format!("FROM {table} f CROSS JOIN tickets t ON t.id = f.rowid")
                }
                None => "FROM tickets t".into(),
            };
            for (clause, vals) in &conds {
                clauses.push(queues::number(clause, params.len()));
                params.extend(vals.iter().cloned());
            }
            let where_ = if clauses.is_empty() {
                String::new()
            } else {
                format!(" WHERE {}", clauses.join(" AND "))
            };
            let cap = queues::COUNT_CAP + i64::from(q.offset) + i64::from(limit);
            // A search with nothing else to check is counted by its index alone.
            let counting = match &driven {
                Some((table, _)) if clauses.len() == 1 => {
                    format!("FROM {table} WHERE {table} MATCH ?1")
                }
                _ => format!("{from}{where_}"),
            };
            let counted =
                queues::capped_count(c, &counting, params_from_iter(params.iter()), cap)?;
            let (select, where_) = match (&driven, q.sort) {
                (Some(_), Sort::Relevance) => {
                    let window = RANK_WINDOW.max(i64::from(q.offset) + i64::from(limit));
                    let ranked = format!(
                        "FROM tickets t JOIN (SELECT f.rowid AS rid, f.rank AS rank {from}{where_} ORDER BY f.rowid DESC LIMIT {window}) m ON m.rid = t.id"
                    );
                    (ROW_SELECT.replacen("FROM tickets t", &ranked, 1), String::new())
                }
                _ => (ROW_SELECT.replacen("FROM tickets t", &from, 1), where_),
            };
            let sql = format!(
                "{select}{where_} ORDER BY {order} LIMIT {limit} OFFSET {}",
                q.offset
            );
            let mut st = c.prepare_cached(&sql)?;
            let mut rows: Vec<TicketRow> = st
                .query_map(params_from_iter(params.iter()), list_row)?
                .collect::<rusqlite::Result<_>>()?;
            with_time_left(c, &mut rows, now)?;
            Ok(Page {
                rows,
                total: counted.min(cap),
                capped: counted > cap,
                offset: q.offset,
                limit,
            })
        })
    }

    /// The searchable texts of each ticket, in order: description, answer, result.
    pub fn texts(&self, ids: &[i64]) -> Result<Vec<Vec<String>>> {
        self.read(|c| {
            let mut st =
                c.prepare_cached("SELECT description, answer, result FROM tickets WHERE id = ?1")?;
            ids.iter()
                .map(|id| {
                    let (d, a, r): (String, Option<String>, Option<String>) =
                        st.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
                    Ok([Some(d), a, r].into_iter().flatten().collect())
                })
                .collect()
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
            let mut st = c.prepare_cached(&format!(
                "{ROW_SELECT} WHERE t.phone = ?1
                    OR t.customer_id IN (SELECT customer_id FROM customer_phones WHERE phone = ?1)
                 ORDER BY t.received_at DESC, t.id DESC LIMIT 500"
            ))?;
            let rows = st
                .query_map([&key], list_row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows)
        })
    }

    /// Writes many tickets with their timelines in one transaction: all or nothing. The
    /// new tickets are searchable at the commit like any other.
    pub fn bulk<T>(&self, f: impl FnOnce(&mut Bulk) -> Result<T>) -> Result<T> {
        let now = self.now();
        self.write_big(|tx| {
            let tz = timezone(tx)?;
            let alarms = super::alarms::ctx(tx)?;
            let first: i64 =
                tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM tickets", [], |r| {
                    r.get(0)
                })?;
            let triggers = suspend_search_triggers(tx)?;
            let mut b = Bulk {
                tx,
                tz,
                now,
                alarms,
                days: BTreeMap::new(),
            };
            let out = f(&mut b)?;
            b.finish()?;
            index_from(tx, first, &triggers)?;
            Ok(out)
        })
    }

    /// Visits every ticket in number order (exports), reading in one snapshot.
    pub fn each_ticket(&self, mut f: impl FnMut(&Ticket) -> Result<()>) -> Result<()> {
        self.read(|c| {
            let tx = c.unchecked_transaction()?;
            let mut st = tx.prepare("SELECT * FROM tickets ORDER BY id")?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                f(&ticket_row(r)?)?;
            }
            Ok(())
        })
    }

    /// The events of a ticket in order (for the replay invariant and exports).
    pub fn timeline(&self, id: i64) -> Result<Vec<Event>> {
        self.read(|c| events(c, id))
    }
}

/// What a search box query means: a phone number in any spelling, a ticket number (or its
/// start), a fragment of a phone number, or words of the description, answer and result
/// (FTS5 trigram for three characters and more; LIKE below that, which trigram cannot).
/// The SQL condition (on alias `t`) a search box's text stands for.
fn search_condition(q: &Query) -> (String, Vec<Sql>) {
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
            (
                "(t.description LIKE ? ESCAPE '\\' OR t.answer LIKE ? ESCAPE '\\' OR t.result LIKE ? ESCAPE '\\')".into(),
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

fn act_in(
    tx: &Connection,
    id: i64,
    expected_version: i64,
    actor_id: i64,
    action: &Action,
    now: DateTime<Utc>,
) -> Result<Ticket> {
    let cur = load(tx, id)?;
    if cur.version != expected_version {
        return Err(Error::Conflict {
            expected: expected_version,
            actual: cur.version,
        });
    }
    let actor = get_user(tx, actor_id)?;
    if let Action::Transfer { department_id, .. } = action {
        active_department(tx, *department_id)?;
    }
    let mut rules = policy(tx)?;
    if let (Action::Resume { .. }, Some(since), Some(due)) = (action, cur.paused_at, cur.due_at) {
        // The time spent waiting for the caller, in working time, is given back.
        let office = super::calendars::load_calendar(tx, "office")?;
        let waited = office.elapsed(since, now, &[]).value;
        rules.resume_due_at = Some(office.add_business(due, waited)?.value);
    }
    if let Action::Feedback { .. } = action {
        let callback = super::sla::suggest(
            tx,
            crate::sla::Stage::Callback,
            cur.category_id,
            cur.severity,
            now,
        )?;
        rules.callback_due_at = callback.map(|s| s.due_at);
    }
    let out = lifecycle::apply(&cur, &actor, action, now, &rules)?;
    let mut next = out.ticket;
    next.version = cur.version + 1;
    let mut params = values(&next);
    params.push(Sql::Integer(id));
    params.push(Sql::Integer(cur.version));
    let changed = tx
        .prepare_cached(update_sql())?
        .execute(params_from_iter(params))?;
    if changed != 1 {
        return Err(Error::Conflict {
            expected: expected_version,
            actual: cur.version,
        });
    }
    let last: i64 = tx.query_row(
        "SELECT coalesce(max(seq), 0) FROM events WHERE ticket_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    for (n, e) in out.events.iter().enumerate() {
        insert_event(tx, id, last + 1 + n as i64, now, actor_id, e)?;
    }
    super::alarms::refresh(tx, &next, now, &super::alarms::ctx(tx)?)?;
    Ok(next)
}

/// Appends an event that does not change the state (the scheduler's 催办), bumping the
/// version so that an edit based on the older view gets `conflict`.
pub(crate) fn append_event(
    tx: &Connection,
    t: &mut Ticket,
    now: DateTime<Utc>,
    actor_id: i64,
    e: &NewEvent,
) -> Result<()> {
    let changed = tx
        .prepare_cached("UPDATE tickets SET version = version + 1, updated_at = ?1 WHERE id = ?2 AND version = ?3")?
        .execute((ms(now), t.id, t.version))?;
    if changed != 1 {
        return Err(Error::Conflict {
            expected: t.version,
            actual: t.version + 1,
        });
    }
    t.version += 1;
    t.updated_at = now;
    let last: i64 = tx.query_row(
        "SELECT coalesce(max(seq), 0) FROM events WHERE ticket_id = ?1",
        [t.id],
        |r| r.get(0),
    )?;
    insert_event(tx, t.id, last + 1, now, actor_id, e)
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn create(tx: &Connection, actor_id: i64, v: &ValidTicket) -> Result<Ticket> {
    let actor = get_user(tx, actor_id)?;
    may_create(&actor)?;
    let category = category_by_code(tx, &v.category)?;
    let customer_id = customer_for(
        tx,
        &v.caller_name,
        &v.phone.number,
        v.phone.ext.as_deref(),
        v.email.as_deref(),
        v.address.as_deref(),
        v.received_at,
    )?;
    let number = next_number(tx, timezone(tx)?, v.received_at)?;
    let mut x = blank(v, category.id, actor.id);
    x.number = number;
    x.customer_id = Some(customer_id);
    x.id = insert_ticket(tx, &x)?;
    insert_event(tx, x.id, 1, v.received_at, actor.id, &created_event(&x))?;
    super::alarms::refresh(tx, &x, v.received_at, &super::alarms::ctx(tx)?)?;
    Ok(x)
}

/// The first event of every timeline.
pub fn created_event(x: &Ticket) -> NewEvent {
    NewEvent {
        action: "create",
        note: None,
        from_status: None,
        to_status: Status::Received,
        data: serde_json::json!({ "channel": x.channel, "severity": x.severity, "urgency": x.urgency }),
    }
}

/// A freshly received ticket from validated intake.
pub fn blank(v: &ValidTicket, category_id: i64, created_by: i64) -> Ticket {
    Ticket {
        id: 0,
        number: String::new(),
        version: 1,
        status: Status::Received,
        customer_id: None,
        caller_name: v.caller_name.clone(),
        phone: v.phone.number.clone(),
        phone_ext: v.phone.ext.clone(),
        description: v.description.clone(),
        occurred_at: v.occurred_at,
        received_at: v.received_at,
        category_id,
        channel: v.channel,
        severity: v.severity,
        urgency: v.urgency,
        created_by,
        department_id: None,
        handler_id: None,
        requirements: None,
        transferred_at: None,
        accept_due_at: None,
        due_at: None,
        extension: None,
        extension_due_at: None,
        answer: None,
        result: None,
        resolved: None,
        replied_at: None,
        satisfaction: None,
        callback_due_at: None,
        callback_method: None,
        callback_satisfaction: None,
        redispatch_count: 0,
        return_count: 0,
        reopen_count: 0,
        supervised: false,
        paused_at: None,
        closed_at: None,
        updated_at: v.received_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Satisfaction;
    use crate::store::testutil::{store, t0};
    use crate::ticket::tests::new_ticket;
    use chrono::Duration;

    fn setup() -> (
        tempfile::TempDir,
        Store,
        std::sync::Arc<crate::clock::FakeClock>,
        i64,
        User,
    ) {
        let (d, s, c) = store();
        let dept = s
            .create_department("lighting", "路灯管理所", None)
            .expect("dept");
        let handler = s
            .create_user("王工", dept.id, Role::Handler)
            .expect("handler");
        (d, s, c, dept.id, handler)
    }

    fn count_events(s: &Store) -> i64 {
        s.read(|c| Ok(c.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?))
            .expect("count")
    }

    #[test]
    fn create_numbers_per_local_day_and_links_the_caller() {
        let (_d, s, clock, _, _) = setup();
        let a = s.create_ticket(1, &new_ticket()).expect("create");
        // 2026-11-02 01:00 UTC is 09:00 in Shanghai.
        assert_eq!(a.number, "20261102-0001");
        let b = s
            .create_ticket(
                1,
                &NewTicket {
                    phone: "+86 138-1234-5678".into(),
                    ..new_ticket()
                },
            )
            .expect("create");
        assert_eq!(b.number, "20261102-0002");
        assert_eq!(a.customer_id, b.customer_id);
        // 16:30 UTC is already the next day in Shanghai.
        clock.set(t0() + Duration::hours(15) + Duration::minutes(30));
        let c = s.create_ticket(1, &new_ticket()).expect("create");
        assert_eq!(c.number, "20261103-0001");
        let hist = s.history("8613812345678").expect("history");
        assert_eq!(
            hist.iter().map(|r| r.number.as_str()).collect::<Vec<_>>(),
            ["20261103-0001", "20261102-0002", "20261102-0001"]
        );
        let detail = s.detail(a.id).expect("detail");
        assert_eq!(detail.events.len(), 1);
        assert_eq!(detail.events[0].action, "create");
        assert_eq!(
            s.history("12345").map_err(|e| e.code()).err(),
            Some("phone_invalid")
        );
    }

    #[test]
    fn bad_intake_writes_nothing() {
        let (_d, s, _c, _, handler) = setup();
        let before = s.list(&ListQuery::default()).expect("list").total;
        for bad in [
            NewTicket {
                phone: "010-1234".into(),
                ..new_ticket()
            },
            NewTicket {
                category: "nope".into(),
                ..new_ticket()
            },
            NewTicket {
                description: String::new(),
                ..new_ticket()
            },
        ] {
            assert!(s.create_ticket(1, &bad).is_err());
        }
        assert_eq!(
            s.create_ticket(handler.id, &new_ticket())
                .map_err(|e| e.code())
                .err(),
            Some("forbidden")
        );
        assert_eq!(
            s.create_ticket(99, &new_ticket())
                .map_err(|e| e.code())
                .err(),
            Some("not_found")
        );
        assert_eq!(s.list(&ListQuery::default()).expect("list").total, before);
        assert_eq!(count_events(&s), 0);
    }

    #[test]
    fn the_whole_path_through_the_store_with_versions() {
        let (_d, s, clock, dept, handler) = setup();
        let x = s.create_ticket(1, &new_ticket()).expect("create");
        let due = t0() + Duration::days(5);
        let transfer = Action::Transfer {
            department_id: dept,
            requirements: "请三日内修复".into(),
            due_at: due,
            accept_due_at: None,
        };
        let x = s.act(x.id, x.version, 1, &transfer).expect("transfer");
        assert_eq!((x.status, x.version), (Status::Transferred, 2));
        // A stale version is refused and nothing is written.
        let events = count_events(&s);
        let e = s
            .act(x.id, 1, handler.id, &Action::Accept { note: None })
            .expect_err("stale");
        assert_eq!(
            (e.code(), e.details()["actual"].as_i64()),
            ("conflict", Some(2))
        );
        assert_eq!(count_events(&s), events);
        clock.advance(Duration::hours(2));
        let x = s
            .act(x.id, x.version, handler.id, &Action::Accept { note: None })
            .expect("accept");
        let x = s
            .act(
                x.id,
                x.version,
                handler.id,
                &Action::Reply {
                    result: "已更换灯具".into(),
                    resolved: true,
                },
            )
            .expect("reply");
        let x = s
            .act(
                x.id,
                x.version,
                1,
                &Action::Feedback {
                    satisfaction: Satisfaction::Satisfied,
                    note: None,
                    redispatch_due_at: None,
                },
            )
            .expect("feedback");
        assert_eq!(x.status, Status::AwaitingCallback);
        // Monday 11:00 Beijing + 3 working days (the callback SLA) = Thursday 11:00.
        assert_eq!(
            x.callback_due_at,
            Some(t0() + Duration::days(3) + Duration::hours(2))
        );
        let x = s
            .act(
                x.id,
                x.version,
                1,
                &Action::Callback {
                    method: crate::model::CallbackMethod::Questionnaire,
                    satisfaction: Satisfaction::VerySatisfied,
                    note: Some("问卷回访满意".into()),
                },
            )
            .expect("callback");
        assert_eq!(x.status, Status::Archived);
        let d = s.detail(x.id).expect("detail");
        assert_eq!(d.ticket, x);
        let actions: Vec<_> = d.events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            ["create", "transfer", "accept", "reply", "feedback", "callback"]
        );
        assert_eq!(d.events.last().map(|e| e.to_status), Some(x.status));
        assert_eq!(d.events[2].actor_name, "王工");
        assert_eq!(d.department.map(|d| d.code).as_deref(), Some("lighting"));
    }

    #[test]
    fn refused_actions_leave_no_trace() {
        let (_d, s, _c, _, handler) = setup();
        let x = s.create_ticket(1, &new_ticket()).expect("create");
        let bad = [
            (1, Action::Accept { note: None }, "invalid_transition"),
            (
                handler.id,
                Action::Answer { answer: "x".into() },
                "forbidden",
            ),
            (
                1,
                Action::Transfer {
                    department_id: 999,
                    requirements: "x".into(),
                    due_at: t0() + Duration::days(1),
                    accept_due_at: None,
                },
                "not_found",
            ),
            (
                1,
                Action::Answer {
                    answer: "  ".into(),
                },
                "required",
            ),
        ];
        for (actor, a, code) in bad {
            assert_eq!(
                s.act(x.id, x.version, actor, &a)
                    .map_err(|e| e.code())
                    .err(),
                Some(code),
                "{a:?}"
            );
        }
        assert_eq!(s.ticket(x.id).expect("ticket"), x);
        assert_eq!(count_events(&s), 1);
    }

    #[test]
    fn timeline_events_are_immutable() {
        let (_d, s, _c, _, _) = setup();
        s.create_ticket(1, &new_ticket()).expect("create");
        let e = s
            .write(|tx| Ok(tx.execute("UPDATE events SET note = 'x'", [])?))
            .expect_err("immutable");
        assert!(e.to_string().contains("immutable"));
        assert!(s
            .write(|tx| Ok(tx.execute("DELETE FROM events", [])?))
            .is_err());
    }

    #[test]
    fn queues_filter_search_sort_and_count() {
        let (_d, s, clock, dept, _) = setup();
        let mut ids = vec![];
        for (n, phone) in ["13800000001", "13800000002", "13800000003"]
            .iter()
            .enumerate()
        {
            clock.advance(Duration::minutes(10));
            let x = s
                .create_ticket(
                    1,
                    &NewTicket {
                        phone: phone.to_string(),
                        description: format!("第{n}件 噪声扰民"),
                        ..new_ticket()
                    },
                )
                .expect("create");
            ids.push(x);
        }
        let due = t0() + Duration::days(2);
        let x = &ids[1];
        s.act(
            x.id,
            x.version,
            1,
            &Action::Transfer {
                department_id: dept,
                requirements: "核查".into(),
                due_at: due,
                accept_due_at: None,
            },
        )
        .expect("transfer");
        let page = s
            .list(&ListQuery {
                statuses: vec![Status::Transferred],
                department_id: Some(dept),
                ..Default::default()
            })
            .expect("q");
        assert_eq!((page.total, page.rows[0].id), (1, x.id));
        assert_eq!(page.rows[0].department_name.as_deref(), Some("路灯管理所"));
        let page = s
            .list(&ListQuery {
                search: Some("138 0000 0003".into()),
                ..Default::default()
            })
            .expect("phone");
        assert_eq!(
            page.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            [ids[2].id]
        );
        let page = s
            .list(&ListQuery {
                search: Some(ids[0].number.clone()),
                ..Default::default()
            })
            .expect("number");
        assert_eq!(
            page.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            [ids[0].id]
        );
        let page = s
            .list(&ListQuery {
                search: Some("第2件".into()),
                ..Default::default()
            })
            .expect("text");
        assert_eq!(
            page.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            [ids[2].id]
        );
        let page = s
            .list(&ListQuery {
                search: Some("100%_'--".into()),
                ..Default::default()
            })
            .expect("hostile");
        assert_eq!(page.total, 0);
        let page = s
            .list(&ListQuery {
                limit: 2,
                ..Default::default()
            })
            .expect("page");
        assert_eq!(
            (page.total, page.rows.len(), page.rows[0].id),
            (3, 2, ids[2].id)
        );
        let page = s
            .list(&ListQuery {
                sort: Sort::DueAsc,
                ..Default::default()
            })
            .expect("due");
        assert_eq!(page.rows[0].id, x.id);
        let counts = s.status_counts().expect("counts");
        assert_eq!(
            (
                counts[&Status::Received],
                counts[&Status::Transferred],
                counts[&Status::Archived]
            ),
            (2, 1, 0)
        );
        let page = s
            .list(&ListQuery {
                category_id: Some(2),
                ..Default::default()
            })
            .expect("category tree");
        assert_eq!(page.total, 0);
    }

    /// A common word: newest first is the index's logging order (the newest matches,
    /// exactly), ranked is the best of the newest `RANK_WINDOW` matches, both under the
    /// queue's filters and counted in full.
    #[test]
    fn common_words_are_searched_newest_matches_first() {
        let (_d, s, _c) = store();
        crate::seed::seed(
            &s,
            crate::seed::SeedOptions {
                tickets: 6_000,
                days: 60,
                seed: 9,
                extra_calls: 0,
            },
        )
        .expect("seed");
        let admin = s.first_admin().expect("admin").id;
        let word = "问题";
        let matching: Vec<i64> = s
            .read(|c| {
                let mut st = c.prepare(
                    "SELECT id FROM tickets WHERE description || coalesce(answer, '') || coalesce(result, '') LIKE '%问题%' ORDER BY id DESC",
                )?;
                let ids = st
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                Ok(ids)
            })
            .expect("ids");
        assert!(matching.len() as i64 > RANK_WINDOW, "{}", matching.len());
        let page = |sort: Sort, queue: Option<Queue>| {
            s.list_as(
                admin,
                &ListQuery {
                    search: Some(word.into()),
                    sort,
                    queue,
                    ..Default::default()
                },
            )
            .expect("search")
        };
        let newest = page(Sort::ReceivedDesc, None);
        let ids: Vec<i64> = newest.rows.iter().map(|r| r.id).collect();
        assert_eq!(ids, matching[..50]);
        assert_eq!(
            (newest.total, newest.capped),
            (matching.len() as i64, false)
        );
        let ranked = page(Sort::Relevance, None);
        let window = &matching[..RANK_WINDOW as usize];
        assert_eq!(ranked.rows.len(), 50);
        assert!(ranked.rows.iter().all(|r| window.contains(&r.id)));
        assert_eq!(ranked.total, matching.len() as i64);
        // Under a queue's filter the newest matches of that queue, not of all tickets.
        let closed = page(Sort::ReceivedDesc, Some(Queue::Closed));
        assert!(!closed.rows.is_empty());
        assert!(closed
            .rows
            .iter()
            .all(|r| matches!(r.status, Status::Closed | Status::Archived)));
        assert!(closed.rows.windows(2).all(|w| w[0].id > w[1].id));
    }

    /// Past `COUNT_CAP` a page says "more than" instead of counting the whole archive,
    /// pages beyond the cap still count, and small queues stay exact.
    #[test]
    fn big_queues_count_up_to_the_cap() {
        let (_d, s, _c) = store();
        let cap = queues::COUNT_CAP;
        crate::seed::seed(
            &s,
            crate::seed::SeedOptions {
                tickets: cap as u64 + 200,
                days: 60,
                seed: 3,
                extra_calls: 0,
            },
        )
        .expect("seed");
        let all = |offset: u32| {
            s.list(&ListQuery {
                queue: Some(Queue::All),
                offset,
                ..Default::default()
            })
            .expect("list")
        };
        let first = all(0);
        assert_eq!((first.total, first.capped), (cap + 50, true));
        assert_eq!(first.rows.len(), 50);
        let far = all(cap as u32);
        assert_eq!((far.total, far.capped), (cap + 200, false));
        let counts = s
            .queue_counts(s.first_admin().expect("admin").id)
            .expect("counts");
        assert_eq!(counts[&Queue::All], cap + 1, "more than the cap");
        let open = s
            .list(&ListQuery {
                queue: Some(Queue::InProgress),
                ..Default::default()
            })
            .expect("in progress");
        assert!(!open.capped && open.total < cap);
        assert_eq!(counts[&Queue::InProgress], open.total);
        // The closed queue is read newest first from the date index, not sorted whole.
        let closed = s
            .list(&ListQuery {
                queue: Some(Queue::Closed),
                ..Default::default()
            })
            .expect("closed");
        assert!(closed
            .rows
            .windows(2)
            .all(|w| w[0].received_at >= w[1].received_at));
    }

    #[test]
    fn queues_follow_the_lifecycle_and_the_clock() {
        use crate::model::Queue;
        let (_d, s, clock, dept, handler) = setup();
        let counts = |who: i64| s.queue_counts(who).expect("counts");
        let x = s
            .intake(
                1,
                &new_ticket(),
                Some(&Action::Transfer {
                    department_id: dept,
                    requirements: "核查".into(),
                    due_at: t0() + Duration::hours(30),
                    accept_due_at: None,
                }),
            )
            .expect("intake");
        assert_eq!(x.status, Status::Transferred);
        let c = counts(handler.id);
        assert_eq!(
            (
                c[&Queue::Mine],
                c[&Queue::AwaitingAcceptance],
                c[&Queue::DueSoon],
                c[&Queue::Overdue]
            ),
            (1, 1, 0, 0)
        );
        assert_eq!(counts(1)[&Queue::Mine], 0);
        clock.advance(Duration::hours(8));
        assert_eq!(counts(handler.id)[&Queue::DueSoon], 1);
        // Monday 17:00 to Tuesday 15:00: 30 + 180 + 90 business minutes.
        let page = s
            .list_as(
                handler.id,
                &ListQuery {
                    queue: Some(Queue::DueSoon),
                    ..Default::default()
                },
            )
            .expect("list");
        assert_eq!(page.rows[0].due_left_minutes, Some(300));
        clock.advance(Duration::hours(24));
        let c = counts(handler.id);
        assert_eq!((c[&Queue::DueSoon], c[&Queue::Overdue]), (0, 1));
        let page = s
            .list_as(
                handler.id,
                &ListQuery {
                    queue: Some(Queue::Overdue),
                    ..Default::default()
                },
            )
            .expect("list");
        assert_eq!(page.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [x.id]);
        let x = s
            .act(x.id, x.version, handler.id, &Action::Accept { note: None })
            .expect("accept");
        let x = s
            .act(
                x.id,
                x.version,
                handler.id,
                &Action::Reply {
                    result: "已处理".into(),
                    resolved: true,
                },
            )
            .expect("reply");
        assert_eq!(x.status, Status::Replied);
        let c = counts(1);
        assert_eq!(
            (
                c[&Queue::Mine],
                c[&Queue::AwaitingFeedback],
                c[&Queue::Overdue]
            ),
            (1, 1, 0)
        );
        assert_eq!(counts(handler.id)[&Queue::Mine], 0);
        let (_, allowed) = s.detail_for(x.id, 1).expect("detail");
        assert_eq!(allowed, ["feedback", "comment"]);
        let (_, allowed) = s.detail_for(x.id, handler.id).expect("detail");
        assert_eq!(allowed, ["comment"]);
    }

    #[test]
    fn intake_saves_the_call_and_its_first_action_or_neither() {
        let (_d, s, _c, _, _) = setup();
        let bad = Action::Transfer {
            department_id: 999,
            requirements: "x".into(),
            due_at: t0() + Duration::days(1),
            accept_due_at: None,
        };
        assert_eq!(
            s.intake(1, &new_ticket(), Some(&bad))
                .map_err(|e| e.code())
                .err(),
            Some("not_found")
        );
        assert_eq!(s.list(&ListQuery::default()).expect("list").total, 0);
        assert_eq!(count_events(&s), 0);
        let x = s
            .intake(
                1,
                &new_ticket(),
                Some(&Action::Answer {
                    answer: "已解答".into(),
                }),
            )
            .expect("answer");
        assert_eq!((x.status, x.version), (Status::Closed, 2));
        // The day's sequence was not consumed by the refused intake.
        assert_eq!(x.number, "20261102-0001");
    }

    #[test]
    fn search_finds_words_short_words_phone_fragments_and_numbers() {
        let (_d, s, _c, dept, handler) = setup();
        let mk = |phone: &str, text: &str| {
            s.create_ticket(
                1,
                &NewTicket {
                    phone: phone.into(),
                    description: text.into(),
                    ..new_ticket()
                },
            )
            .expect("create")
        };
        let a = mk("13812345678", "小区路灯连续三晚不亮，夜间出行不安全");
        let b = mk("13900001111", "楼下下水道堵塞，污水外溢");
        let c = mk("02162345678", "施工噪声扰民");
        let ids = |q: &str| -> Vec<i64> {
            let mut v: Vec<i64> = s
                .list(&ListQuery {
                    search: Some(q.into()),
                    ..Default::default()
                })
                .expect("search")
                .rows
                .iter()
                .map(|r| r.id)
                .collect();
            v.sort();
            v
        };
        assert_eq!(ids("路灯连续"), [a.id], "trigram phrase");
        assert_eq!(
            ids("污水"),
            [b.id],
            "two characters: below the trigram length"
        );
        assert_eq!(ids("噪"), [c.id], "one character");
        assert_eq!(ids("0000111"), [b.id], "a fragment of a phone number");
        assert_eq!(
            ids("021-62345678"),
            [c.id],
            "a whole number in another spelling"
        );
        assert_eq!(ids(&a.number), [a.id], "a ticket number");
        assert_eq!(
            ids("\"; DROP TABLE tickets; --"),
            Vec::<i64>::new(),
            "hostile input is only text"
        );
        // The index follows updates: a department's result is searchable.
        let t = s
            .act(
                b.id,
                b.version,
                1,
                &Action::Transfer {
                    department_id: dept,
                    requirements: "疏通".into(),
                    due_at: t0() + Duration::days(2),
                    accept_due_at: None,
                },
            )
            .expect("transfer");
        let t = s
            .act(t.id, t.version, handler.id, &Action::Accept { note: None })
            .expect("accept");
        s.act(
            t.id,
            t.version,
            handler.id,
            &Action::Reply {
                result: "已安排高压清洗车疏通管道".into(),
                resolved: true,
            },
        )
        .expect("reply");
        assert_eq!(ids("高压清洗"), [b.id]);
        assert_eq!(ids("清洗"), [b.id], "two characters of an update");
        assert_eq!(ids("5678"), [a.id, c.id], "a fragment in two numbers");

        // Two-character and fragment searches are answered by the bigram index, not by
        // reading every ticket.
        let plan = |q: &str| -> String {
            let query = Query::parse(q);
            let (cond, params) = search_condition(&query);
            s.read(|c| {
                let mut st = c.prepare(&format!(
                    "EXPLAIN QUERY PLAN SELECT t.id FROM tickets t WHERE {}",
                    super::queues::number(&cond, 0)
                ))?;
                let rows: Vec<String> = st
                    .query_map(params_from_iter(params.iter()), |r| r.get(3))?
                    .collect::<rusqlite::Result<_>>()?;
                Ok(rows.join(" | "))
            })
            .expect("plan")
        };
        for q in ["污水", "5678", "路灯连续"] {
            let p = plan(q);
            assert!(p.contains("VIRTUAL TABLE INDEX 0:M"), "{q}: {p}");
            assert!(
                p.split(" | ")
                    .all(|x| x != "SCAN t" && !x.starts_with("SCAN t ")),
                "{q}: {p}"
            );
        }
    }

    /// Bulk writes index their tickets in one statement after the rows (see
    /// `suspend_search_triggers`): every kind of search finds them as it finds tickets
    /// created one by one, the index agrees with the table, and the triggers are back
    /// whether the bulk write committed or failed.
    #[test]
    fn bulk_rows_are_indexed_like_single_ones() {
        let (_d, s, _c, _, _) = setup();
        let calls = [
            ("13812345678", "小区路灯连续三晚不亮", "已派人检修"),
            ("13900001111", "楼下下水道堵塞，污水外溢", ""),
            ("02162345678", "施工噪声扰民 ABC", "已告知城管"),
        ];
        let mut csv = String::from("caller_name,phone,description,category,answer\n");
        for (phone, text, answer) in calls {
            csv += &format!("张三,{phone},{text},consultation,{answer}\n");
        }
        let bulk = crate::exchange::import_csv(&s, 1, csv.as_bytes(), true).expect("import");
        assert_eq!(bulk.imported, 3);
        let failed: Result<()> = s.bulk(|_| Err(Error::OccurredInFuture));
        assert!(failed.is_err());
        let single: Vec<Ticket> = calls
            .iter()
            .map(|(phone, text, answer)| {
                let t = s
                    .create_ticket(
                        1,
                        &NewTicket {
                            phone: phone.to_string(),
                            description: text.to_string(),
                            category: "consultation".into(),
                            ..new_ticket()
                        },
                    )
                    .expect("create");
                if answer.is_empty() {
                    return t;
                }
                let answer = Action::Answer {
                    answer: answer.to_string(),
                };
                s.act(t.id, t.version, 1, &answer).expect("answer")
            })
            .collect();
        // Numbers run on across bulk and single writes on the same day.
        let seq = |n: &str| n.rsplit('-').next().map(str::to_string);
        let numbers: Vec<_> = bulk
            .numbers
            .iter()
            .chain(single.iter().map(|t| &t.number))
            .collect();
        assert_eq!(
            numbers.iter().filter_map(|n| seq(n)).collect::<Vec<_>>(),
            ["0001", "0002", "0003", "0004", "0005", "0006"]
        );
        let again = crate::exchange::import_csv(&s, 1, csv.as_bytes(), true).expect("import");
        assert_eq!(
            again.numbers.first().and_then(|n| seq(n)).as_deref(),
            Some("0007")
        );
        let found = |q: &str| -> Vec<String> {
            let mut v: Vec<String> = s
                .list(&ListQuery {
                    search: Some(q.into()),
                    ..Default::default()
                })
                .expect("search")
                .rows
                .into_iter()
                .map(|r| r.number)
                .collect();
            v.sort();
            v
        };
        let pair = |i: usize| {
            let mut v = vec![
                bulk.numbers[i].clone(),
                single[i].number.clone(),
                again.numbers[i].clone(),
            ];
            v.sort();
            v
        };
        for (q, i) in [
            ("路灯连续", 0),
            ("污水", 1),
            ("噪", 2),
            ("abc", 2),
            ("0000111", 1),
            ("检修", 0),
            ("已告知城管", 2),
        ] {
            assert_eq!(found(q), pair(i), "{q}");
        }
        // FTS5's check is an INSERT: it needs the writer, and writes nothing.
        s.write(|c| {
            c.execute(
                "INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('integrity-check', 1)",
                [],
            )?;
            let triggers: i64 = c.query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (?1, ?2)",
                SEARCH_TRIGGERS,
                |r| r.get(0),
            )?;
            assert_eq!(triggers, 2);
            Ok(())
        })
        .expect("index agrees with the table");
    }

    #[test]
    fn search_results_rank_by_relevance_and_the_bundled_sqlite_misses_short_trigrams() {
        let (_d, s, _c, _, _) = setup();
        let mk = |text: &str| {
            s.create_ticket(
                1,
                &NewTicket {
                    description: text.into(),
                    ..new_ticket()
                },
            )
            .expect("create")
            .id
        };
        let once = mk("路灯不亮，另外小区门口积水");
        let thrice = mk("路灯不亮，路灯不亮三天了，整条街路灯不亮");
        let newest = mk("积水严重");
        let rows = |sort: Sort| -> Vec<i64> {
            s.list(&ListQuery {
                search: Some("路灯不亮".into()),
                sort,
                ..Default::default()
            })
            .expect("search")
            .rows
            .iter()
            .map(|r| r.id)
            .collect()
        };
        assert_eq!(rows(Sort::Relevance), [thrice, once]);
        assert_eq!(rows(Sort::ReceivedAsc), [once, thrice]);
        let page = s
            .list(&ListQuery {
                search: Some("积水".into()),
                sort: Sort::Relevance,
                ..Default::default()
            })
            .expect("two characters ranked");
        assert_eq!(page.total, 2);
        assert!(page.rows.iter().any(|r| r.id == newest));
        // Why the bigram index exists: a trigram MATCH of two characters finds nothing,
        // silently (SQLite does not raise an error).
        let n: i64 = s
            .read(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM tickets_fts WHERE tickets_fts MATCH '\"积水\"'",
                    [],
                    |r| r.get(0),
                )?)
            })
            .expect("count");
        assert_eq!(n, 0);
    }

    #[test]
    fn a_saved_ticket_survives_reopening_the_file() {
        let (d, s, _c, _, _) = setup();
        let x = s.create_ticket(1, &new_ticket()).expect("create");
        let path = s.path().to_path_buf();
        drop(s);
        let s = Store::open(&path, std::sync::Arc::new(crate::clock::SystemClock)).expect("reopen");
        assert_eq!(s.ticket(x.id).expect("ticket"), x);
        drop(d);
    }
}
