//! Ticket and event rows: how a ticket maps to its table row and back, how events are
//! appended, customers found by phone and day numbers handed out. The ticket writes,
//! the bulk import, the lists and the alarms all sit on these.

use super::db::{from_ms, ms};
use super::sql::Value as Sql;
use super::sql::{params_from_iter, Connection, OptionalExtension, Row};
use crate::error::{Error, Result};
use crate::lifecycle::NewEvent;
use crate::model::{Event, Ticket};
use crate::ticket::format_number;
use chrono::{DateTime, Utc};
use std::sync::OnceLock;

/// Every stored column of `tickets` but `id`, in the order `values` yields them.
pub(super) const COLUMNS: &[&str] = &[
    "number",
    "version",
    "status",
    "customer_id",
    "caller_name",
    "phone",
    "phone_ext",
    "anonymous",
    "phone_withheld",
    "email",
    "address",
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
    "urge_count",
    "supervised",
    "paused_at",
    "closed_at",
    "updated_at",
    "merged_into",
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

pub(super) fn values(x: &Ticket) -> Vec<Sql> {
    vec![
        Sql::Text(x.number.clone()),
        Sql::Integer(x.version),
        s(Some(x.status)),
        i(x.customer_id),
        Sql::Text(x.caller_name.clone()),
        Sql::Text(x.phone.clone()),
        s(x.phone_ext.as_ref()),
        Sql::Bool(x.anonymous),
        Sql::Bool(x.phone_withheld),
        s(x.email.as_ref()),
        s(x.address.as_ref()),
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
        x.resolved.map_or(Sql::Null, Sql::Bool),
        t(x.replied_at),
        s(x.satisfaction),
        t(x.callback_due_at),
        s(x.callback_method),
        s(x.callback_satisfaction),
        Sql::Integer(x.redispatch_count),
        Sql::Integer(x.return_count),
        Sql::Integer(x.reopen_count),
        Sql::Integer(x.urge_count),
        Sql::Bool(x.supervised),
        t(x.paused_at),
        t(x.closed_at),
        t(Some(x.updated_at)),
        i(x.merged_into),
    ]
}

pub(super) fn insert_sql() -> &'static str {
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

pub(super) fn update_sql() -> &'static str {
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

pub(super) fn time(r: &Row, col: &str) -> super::sql::Result<DateTime<Utc>> {
    Ok(from_ms(r.get(col)?))
}

pub(super) fn opt_time(r: &Row, col: &str) -> super::sql::Result<Option<DateTime<Utc>>> {
    Ok(r.get::<_, Option<i64>>(col)?.map(from_ms))
}

pub(super) fn ticket_row(r: &Row) -> super::sql::Result<Ticket> {
    Ok(Ticket {
        id: r.get("id")?,
        number: r.get("number")?,
        version: r.get("version")?,
        status: r.get("status")?,
        customer_id: r.get("customer_id")?,
        caller_name: r.get("caller_name")?,
        phone: r.get("phone")?,
        phone_ext: r.get("phone_ext")?,
        anonymous: r.get("anonymous")?,
        phone_withheld: r.get("phone_withheld")?,
        email: r.get("email")?,
        address: r.get("address")?,
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
        urge_count: r.get("urge_count")?,
        merged_into: r.get("merged_into")?,
        supervised: r.get("supervised")?,
        paused_at: opt_time(r, "paused_at")?,
        closed_at: opt_time(r, "closed_at")?,
        updated_at: time(r, "updated_at")?,
    })
}

pub(super) fn event_row(r: &Row) -> super::sql::Result<Event> {
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

/// The customer behind the ticket's phone number, found or created; none without a
/// number (a withheld call, a letter), since the number is what recognises a caller.
pub(super) fn customer_for(c: &Connection, x: &Ticket) -> Result<Option<i64>> {
    if x.phone.is_empty() {
        return Ok(None);
    }
    let phone = x.phone.as_str();
    let found: Option<i64> = c
        .prepare_cached(
            "SELECT customer_id FROM customer_phones WHERE phone = ?1 ORDER BY customer_id LIMIT 1",
        )?
        .query_row([phone], |r| r.get(0))
        .optional()?;
    if let Some(id) = found {
        return Ok(Some(id));
    }
    let id = c
        .prepare_cached(
            "INSERT INTO customers (name, email, address, created_at) VALUES (?1, ?2, ?3, ?4)",
        )?
        .insert((&x.caller_name, &x.email, &x.address, ms(x.received_at)))?;
    c.prepare_cached("INSERT INTO customer_phones (customer_id, phone, ext) VALUES (?1, ?2, ?3)")?
        .execute((id, phone, &x.phone_ext))?;
    Ok(Some(id))
}

pub(super) fn local_day(tz: chrono_tz::Tz, at: DateTime<Utc>) -> String {
    at.with_timezone(&tz).format("%Y%m%d").to_string()
}

pub(super) fn next_number(c: &Connection, tz: chrono_tz::Tz, at: DateTime<Utc>) -> Result<String> {
    let day = local_day(tz, at);
    let seq: i64 = c
        .prepare_cached(
            "INSERT INTO day_sequences (day, last) VALUES (?1, 1)
             ON CONFLICT(day) DO UPDATE SET last = day_sequences.last + 1 RETURNING last",
        )?
        .query_row([&day], |r| r.get(0))?;
    Ok(format_number(&day, seq))
}

pub(super) fn insert_ticket(c: &Connection, x: &Ticket) -> Result<i64> {
    let new_id = c
        .prepare_cached(insert_sql())?
        .insert(params_from_iter(values(x)))?;
    Ok(new_id)
}

pub(super) fn insert_event(
    c: &Connection,
    ticket_id: i64,
    seq: i64,
    at: DateTime<Utc>,
    actor_id: i64,
    version: Option<i64>,
    e: &NewEvent,
) -> Result<()> {
    let id = c
        .prepare_cached(
            "INSERT INTO events (ticket_id, seq, at, actor_id, action, note, from_status, to_status, data, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .insert((
        ticket_id,
        seq,
        ms(at),
        actor_id,
        e.action,
        e.note.as_deref(),
        e.from_status,
        e.to_status,
        e.data.to_string(),
        version,
    ))?;
    if e.action == "feedback" {
        // The ticket's evaluations beside its timeline (migration 0046): this one is its
        // last, and its first when it has none before.
        c.prepare_cached("UPDATE evaluations SET last = FALSE WHERE ticket_id = ?1 AND last")?
            .execute([ticket_id])?;
        c.prepare_cached(
            "INSERT INTO evaluations (event_id, ticket_id, at, level, first, last)
             VALUES (?1, ?2, ?3, ?4, NOT EXISTS (SELECT 1 FROM evaluations WHERE ticket_id = ?2), TRUE)",
        )?
        .execute((
            id,
            ticket_id,
            ms(at),
            e.data.get("satisfaction").and_then(|v| v.as_str()),
        ))?;
    }
    Ok(())
}

/// The changes made to a ticket after version `seen`: (action, actor's name) in order.
/// Events without a version (from before versions were recorded) count as changes.
pub(super) fn changes_since(
    c: &Connection,
    ticket_id: i64,
    seen: i64,
) -> Result<Vec<(String, String)>> {
    let mut st = c.prepare_cached(
        "SELECT e.action, u.name FROM events e JOIN users u ON u.id = e.actor_id
         WHERE e.ticket_id = ?1 AND (e.version > ?2 OR e.version IS NULL) ORDER BY e.seq",
    )?;
    let rows = st
        .query_map((ticket_id, seen), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<super::sql::Result<_>>()?;
    Ok(rows)
}

pub(super) fn load(c: &Connection, id: i64) -> Result<Ticket> {
    c.prepare_cached("SELECT * FROM tickets WHERE id = ?1")?
        .query_row([id], ticket_row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "ticket",
            key: id.to_string(),
        })
}

pub(super) fn events(c: &Connection, ticket_id: i64) -> Result<Vec<Event>> {
    let mut st = c.prepare_cached(
        "SELECT e.*, u.name AS actor_name FROM events e JOIN users u ON u.id = e.actor_id
         WHERE e.ticket_id = ?1 ORDER BY e.seq",
    )?;
    let rows = st
        .query_map([ticket_id], event_row)?
        .collect::<super::sql::Result<_>>()?;
    Ok(rows)
}

/// Appends an event that does not change the state (the scheduler's 催办), bumping the
/// version so that an edit based on the older view gets `conflict`.
pub(super) fn append_event(
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
            by: String::new(),
            change: String::new(),
        });
    }
    t.version += 1;
    t.updated_at = now;
    let last: i64 = tx.query_row(
        "SELECT coalesce(max(seq), 0) FROM events WHERE ticket_id = ?1",
        [t.id],
        |r| r.get(0),
    )?;
    insert_event(tx, t.id, last + 1, now, actor_id, Some(t.version), e)?;
    super::outbox::ticket_changed(tx, now, None, t, &[e.action])?;
    Ok(())
}
