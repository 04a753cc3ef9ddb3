//! Bulk writes (imports, seeding, demo data): many tickets with their timelines in one
//! transaction, indexed for search in one statement per index instead of row by row.

use super::db::{timezone, Store};
use super::rows::{customer_for, insert_event, insert_ticket, local_day, ticket_row};
use super::sql::{Connection, OptionalExtension};
use crate::error::Result;
use crate::lifecycle::NewEvent;
use crate::model::Ticket;
use crate::ticket::format_number;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// A ticket with its whole timeline, written in bulk (seed data, imports).
#[derive(Debug, Clone, PartialEq)]
pub struct HistoricTicket {
    pub ticket: Ticket,
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
    tx: &'a Connection<'a>,
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
        x.customer_id = customer_for(self.tx, &x)?;
        x.number = self.next_number(x.received_at)?;
        x.id = insert_ticket(self.tx, &x)?;
        for (n, e) in h.events.iter().enumerate() {
            insert_event(
                self.tx,
                x.id,
                n as i64 + 1,
                e.at,
                e.actor_id,
                None,
                &e.event,
            )?;
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
pub(super) const SEARCH_TRIGGERS: [&str; 2] = ["tickets_fts_insert", "tickets_bigrams_insert"];

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
pub fn suspend_search_triggers(tx: &rusqlite::Connection) -> Result<Vec<String>> {
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

pub fn index_from(tx: &rusqlite::Connection, first: i64, triggers: &[String]) -> Result<()> {
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
fn settle(tx: &rusqlite::Connection, table: &str) -> Result<()> {
    let sql = format!("INSERT INTO {table} ({table}, rank) VALUES ('merge', 4000)");
    loop {
        let before = tx.total_changes();
        tx.execute(&sql, [])?;
        if tx.total_changes() - before < 2 {
            return Ok(());
        }
    }
}

impl Store {
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
            // SQLite's full-text tables are filled in one statement at the end; PostgreSQL's
            // indexes keep up by themselves.
            let triggers = match tx.as_sqlite() {
                Some(lite) => suspend_search_triggers(lite)?,
                None => Vec::new(),
            };
            let mut b = Bulk {
                tx,
                tz,
                now,
                alarms,
                days: BTreeMap::new(),
            };
            let out = f(&mut b)?;
            b.finish()?;
            super::complaints::open_cases(tx, first)?;
            if let Some(lite) = tx.as_sqlite() {
                index_from(lite, first, &triggers)?;
            }
            let count: i64 = tx.query_row(
                "SELECT count(*) FROM tickets WHERE id >= ?1",
                [first],
                |r| r.get(0),
            )?;
            let data = serde_json::json!({ "tickets": count, "first_id": first });
            super::outbox::publish(
                tx,
                now,
                super::outbox::OutboxKind::Import,
                None,
                None,
                &data,
            )?;
            Ok(out)
        })
    }

    /// Visits every ticket in number order (exports), reading in one snapshot.
    pub fn each_ticket(&self, mut f: impl FnMut(&Ticket) -> Result<()>) -> Result<()> {
        self.snapshot(|c| {
            let mut st = c.prepare("SELECT * FROM tickets ORDER BY id")?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                f(&ticket_row(&r)?)?;
            }
            Ok(())
        })
    }
}
