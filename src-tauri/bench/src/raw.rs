//! The raw side of each figure: the same work done by minimal hand-written SQL on a
//! plain connection, once in SQLite's words and once in PostgreSQL's, each using the
//! indexes its database has (FTS5 there, trigram and character-pair GIN indexes here).

use hotline_core::store::{COUNT_CAP, RANK_WINDOW};
use hotline_core::Result;
use rusqlite::Connection;
use std::cell::RefCell;

pub(crate) trait Raw {
    /// A queue's first page of 50 and its count up to the desk's cap.
    fn page(&self, cond: &str, order: &str) -> Result<()>;
    fn busiest_category_in_progress(&self) -> i64;
    /// `n + 1` tickets spread over the store: (id, phone).
    fn sample_ids(&self, n: usize) -> Result<Vec<(i64, String)>>;
    /// A ticket, its timeline and the names it refers to.
    fn detail(&self, id: i64) -> Result<()>;
    fn history(&self, phone: &str) -> Result<()>;
    /// A word search's capped count and first page, ranked or newest first.
    fn search(&self, word: &str, ranked: bool) -> Result<()>;
    /// Every figure of the monthly report by hand, for `this` month and the one `before`.
    fn monthly(&self, this: (i64, i64), before: (i64, i64)) -> Result<()>;
    fn next_alarm(&self) -> Result<()>;
    /// A ticket and its first event in one durable transaction.
    fn create(&self, number: &str, now: i64) -> Result<()>;
    fn count(&self, sql: &str) -> Result<i64>;
}

const PAGE_COLUMNS: &str =
    "id, number, status, caller_name, phone, substr(description, 1, 80), received_at, due_at";
const HISTORY: &str =
    "SELECT id, number, status, caller_name, phone, substr(description, 1, 80), received_at
     FROM tickets WHERE phone = ?1
        OR customer_id IN (SELECT customer_id FROM customer_phones WHERE phone = ?1)
     ORDER BY received_at DESC, id DESC LIMIT 500";
/// The same history in PostgreSQL's own words: the customer's ids as an array, so the
/// two index reads combine (an `OR … IN (subquery)` walks every ticket by date there).
const PG_HISTORY: &str =
    "SELECT id, number, status, caller_name, phone, substr(description, 1, 80), received_at
     FROM tickets WHERE phone = $1
        OR customer_id = ANY(ARRAY(SELECT customer_id FROM customer_phones WHERE phone = $1))
     ORDER BY received_at DESC, id DESC LIMIT 500";
const NAMES: [&str; 4] = [
    "SELECT name FROM categories WHERE id = ?1",
    "SELECT name FROM departments WHERE id = ?1",
    "SELECT name FROM users WHERE id = ?1",
    "SELECT name FROM users WHERE id = ?1",
];
const NEW_TICKET: &str = "INSERT INTO tickets (number, version, status, caller_name, phone, description, received_at,
        category_id, channel, severity, urgency, created_by, updated_at)
     VALUES (?1, 1, 'received', '测试', '13800138000', '基准测试来电：路灯不亮', ?2, 1, 'phone', 'general', 'normal', 1, ?2)";
const NEW_EVENT: &str = "INSERT INTO events (ticket_id, seq, at, actor_id, action, to_status) VALUES (?1, 1, ?2, 1, 'create', 'received')";
const BUSIEST: &str = "SELECT category_id FROM tickets WHERE status = 'in_progress' GROUP BY category_id ORDER BY count(*) DESC LIMIT 1";

/// The monthly report's statements: per period (this month and the one before), every
/// KPI per department and agent over its period column and the calls; for this month,
/// the handling times, the volume by day and the categories. `{satisfaction}` and
/// `{resolved}` are said in each database's words.
fn per_period(satisfaction: &str, resolved: &str) -> Vec<String> {
    vec![
        "SELECT department_id, created_by, count(*), count(*) FILTER (WHERE status IN ('closed', 'archived')),
                count(*) FILTER (WHERE answer IS NOT NULL)
         FROM tickets WHERE received_at >= ?1 AND received_at < ?2 GROUP BY 1, 2".into(),
        "SELECT department_id, created_by, count(*), count(*) FILTER (WHERE EXISTS
                (SELECT 1 FROM events e WHERE e.ticket_id = tickets.id AND e.action = 'accept' AND e.at <= accept_due_at))
         FROM tickets WHERE accept_due_at >= ?1 AND accept_due_at < ?2 GROUP BY 1, 2".into(),
        "SELECT department_id, created_by, count(*), count(*) FILTER (WHERE replied_at <= due_at)
         FROM tickets WHERE due_at >= ?1 AND due_at < ?2 GROUP BY 1, 2".into(),
        format!("SELECT department_id, created_by, count(*), count(*) FILTER (WHERE {resolved})
         FROM tickets WHERE closed_at >= ?1 AND closed_at < ?2 GROUP BY 1, 2"),
        "SELECT department_id, created_by, count(*), count(*) FILTER (WHERE callback_method IS NOT NULL)
         FROM tickets WHERE callback_due_at >= ?1 AND callback_due_at < ?2 GROUP BY 1, 2".into(),
        format!("SELECT t.department_id, t.created_by, e.action, {satisfaction}, count(*)
         FROM events e JOIN tickets t ON t.id = e.ticket_id
         WHERE e.action IN ('feedback', 'redispatch', 'reply') AND e.at >= ?1 AND e.at < ?2 GROUP BY 1, 2, 3, 4"),
        "SELECT count(*), count(answered_at), count(*) FILTER (WHERE answered_at - started_at <= 15000)
         FROM calls WHERE started_at >= ?1 AND started_at < ?2".into(),
    ]
}
const THIS_PERIOD: [&str; 3] = [
    "SELECT transferred_at, replied_at FROM tickets WHERE replied_at >= ?1 AND replied_at < ?2 AND transferred_at IS NOT NULL",
    "SELECT received_at FROM tickets WHERE received_at >= ?1 AND received_at < ?2",
    "SELECT category_id, count(*) FROM tickets WHERE received_at >= ?1 AND received_at < ?2 GROUP BY 1",
];

fn spread(i: i64, max: i64) -> i64 {
    1 + (i * 7_919_993) % max.max(1)
}

impl Raw for Connection {
    fn page(&self, cond: &str, order: &str) -> Result<()> {
        let n: i64 = self
            .prepare_cached(&format!(
                "SELECT count(*) FROM (SELECT 1 FROM tickets WHERE {cond} LIMIT {})",
                COUNT_CAP + 51
            ))?
            .query_row([], |r| r.get(0))?;
        let mut st = self.prepare_cached(&format!(
            "SELECT {PAGE_COLUMNS} FROM tickets WHERE {cond} ORDER BY {order} LIMIT 50"
        ))?;
        let rows = st.query_map([], |r| r.get::<_, i64>(0))?.count();
        std::hint::black_box((n, rows));
        Ok(())
    }

    fn busiest_category_in_progress(&self) -> i64 {
        self.query_row(BUSIEST, [], |r| r.get(0)).unwrap_or(1)
    }

    fn sample_ids(&self, n: usize) -> Result<Vec<(i64, String)>> {
        let max: i64 = self.query_row("SELECT max(id) FROM tickets", [], |r| r.get(0))?;
        let mut st = self.prepare_cached("SELECT id, phone FROM tickets WHERE id >= ?1 LIMIT 1")?;
        (0..n as i64 + 1)
            .map(|i| Ok(st.query_row([spread(i, max)], |r| Ok((r.get(0)?, r.get(1)?)))?))
            .collect()
    }

    fn detail(&self, id: i64) -> Result<()> {
        let (cat, dept, handler, by): (i64, Option<i64>, Option<i64>, i64) = self
            .prepare_cached("SELECT * FROM tickets WHERE id = ?1")?
            .query_row([id], |r| {
                Ok((
                    r.get("category_id")?,
                    r.get("department_id")?,
                    r.get("handler_id")?,
                    r.get("created_by")?,
                ))
            })?;
        let events = self
            .prepare_cached("SELECT * FROM events WHERE ticket_id = ?1 ORDER BY seq")?
            .query_map([id], |r| r.get::<_, i64>(0))?
            .count();
        for (sql, key) in NAMES.iter().zip([Some(cat), dept, handler, Some(by)]) {
            if let Some(k) = key {
                let _: String = self.prepare_cached(sql)?.query_row([k], |r| r.get(0))?;
            }
        }
        std::hint::black_box(events);
        Ok(())
    }

    fn history(&self, phone: &str) -> Result<()> {
        let rows = self
            .prepare_cached(HISTORY)?
            .query_map([phone], |r| r.get::<_, i64>(0))?
            .count();
        std::hint::black_box(rows);
        Ok(())
    }

    fn search(&self, word: &str, ranked: bool) -> Result<()> {
        let table = if word.chars().count() < 3 {
            "tickets_bigrams"
        } else {
            "tickets_fts"
        };
        // The same shapes the desk uses: driven by the index newest first, ranked within
        // the newest window of matches.
        let rows_sql = if ranked {
            format!("FROM tickets t JOIN (SELECT rowid AS rid, rank FROM {table} WHERE {table} MATCH ?1 ORDER BY rowid DESC LIMIT {RANK_WINDOW}) m ON m.rid = t.id ORDER BY m.rank, t.received_at DESC")
        } else {
            format!("FROM {table} f CROSS JOIN tickets t ON t.id = f.rowid WHERE f.{table} MATCH ?1 ORDER BY f.rowid DESC")
        };
        let m = hotline_core::search::Query::parse(word)
            .fts()
            .unwrap_or_default();
        let total: i64 = self
            .prepare_cached(&format!(
                "SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH ?1 LIMIT {})",
                COUNT_CAP + 50
            ))?
            .query_row([&m], |r| r.get(0))?;
        let rows = self
            .prepare_cached(&format!(
                "SELECT t.id, t.number, t.status, t.caller_name, t.phone, substr(t.description, 1, 80) {rows_sql} LIMIT 50"
            ))?
            .query_map([&m], |r| r.get::<_, i64>(0))?
            .count();
        std::hint::black_box((total, rows));
        Ok(())
    }

    fn monthly(&self, this: (i64, i64), before: (i64, i64)) -> Result<()> {
        let rows = |sql: &str, (from, to): (i64, i64)| -> Result<usize> {
            Ok(self
                .prepare_cached(sql)?
                .query_map([from, to], |r| r.get::<_, Option<i64>>(0))?
                .count())
        };
        let mut n = 0;
        for period in [this, before] {
            for sql in per_period("json_extract(e.data, '$.satisfaction')", "resolved = 1") {
                n += rows(&sql, period)?;
            }
        }
        for sql in THIS_PERIOD {
            n += rows(sql, this)?;
        }
        std::hint::black_box(n);
        Ok(())
    }

    fn next_alarm(&self) -> Result<()> {
        let v: Option<i64> = self
            .prepare_cached("SELECT min(fire_at) FROM alarms WHERE fired_at IS NULL")?
            .query_row([], |r| r.get(0))?;
        std::hint::black_box(v);
        Ok(())
    }

    fn create(&self, number: &str, now: i64) -> Result<()> {
        self.execute_batch("BEGIN IMMEDIATE")?;
        self.prepare_cached(NEW_TICKET)?
            .execute(rusqlite::params![number, now])?;
        let id = self.last_insert_rowid();
        self.prepare_cached(NEW_EVENT)?
            .execute(rusqlite::params![id, now])?;
        self.execute_batch("COMMIT")?;
        Ok(())
    }

    fn count(&self, sql: &str) -> Result<i64> {
        Ok(self.query_row(sql, [], |r| r.get(0))?)
    }
}

/// A plain PostgreSQL session.
pub(crate) struct Pg(pub RefCell<postgres::Client>);

/// `?N` said as `$N` (the statements here have no `?` inside a text).
fn dollars(sql: &str) -> String {
    sql.replace('?', "$")
}

fn pg_error(e: postgres::Error) -> hotline_core::Error {
    hotline_core::Error::Internal(format!("PostgreSQL: {e}"))
}

impl Pg {
    pub(crate) fn connect(url: &str) -> Result<Pg> {
        let mut client = postgres::Client::connect(url, postgres::NoTls).map_err(pg_error)?;
        // As the store's sessions: JIT compiling costs these statements more than it saves.
        client.batch_execute("SET jit = off").map_err(pg_error)?;
        Ok(Pg(RefCell::new(client)))
    }

    pub(crate) fn version(&self) -> Result<String> {
        let r = self.rows("SHOW server_version", &[])?;
        let v: String = r.first().map(|r| r.get(0)).unwrap_or_default();
        Ok(format!("PostgreSQL {v}"))
    }

    fn rows(
        &self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>> {
        let mut c = self.0.borrow_mut();
        let st = c.prepare(&dollars(sql)).map_err(pg_error)?;
        c.query(&st, params).map_err(pg_error)
    }
}

impl Raw for Pg {
    fn page(&self, cond: &str, order: &str) -> Result<()> {
        let n = self.count(&format!(
            "SELECT count(*) FROM (SELECT 1 FROM tickets WHERE {cond} LIMIT {}) x",
            COUNT_CAP + 51
        ))?;
        let rows = self.rows(
            &format!("SELECT {PAGE_COLUMNS} FROM tickets WHERE {cond} ORDER BY {order} LIMIT 50"),
            &[],
        )?;
        std::hint::black_box((n, rows.len()));
        Ok(())
    }

    fn busiest_category_in_progress(&self) -> i64 {
        self.rows(BUSIEST, &[])
            .ok()
            .and_then(|r| r.first().map(|r| r.get(0)))
            .unwrap_or(1)
    }

    fn sample_ids(&self, n: usize) -> Result<Vec<(i64, String)>> {
        let max = self.count("SELECT max(id) FROM tickets")?;
        (0..n as i64 + 1)
            .map(|i| {
                let r = self.rows(
                    "SELECT id, phone FROM tickets WHERE id >= ?1 ORDER BY id LIMIT 1",
                    &[&spread(i, max)],
                )?;
                let r = r.first().ok_or(hotline_core::Error::NotFound {
                    entity: "ticket",
                    key: i.to_string(),
                })?;
                Ok((r.get(0), r.get(1)))
            })
            .collect()
    }

    fn detail(&self, id: i64) -> Result<()> {
        let t = self.rows("SELECT * FROM tickets WHERE id = ?1", &[&id])?;
        let t = t.first().ok_or(hotline_core::Error::NotFound {
            entity: "ticket",
            key: id.to_string(),
        })?;
        let keys: [Option<i64>; 4] = [
            t.get("category_id"),
            t.get("department_id"),
            t.get("handler_id"),
            t.get("created_by"),
        ];
        let events = self.rows(
            "SELECT * FROM events WHERE ticket_id = ?1 ORDER BY seq",
            &[&id],
        )?;
        for (sql, key) in NAMES.iter().zip(keys) {
            if let Some(k) = key {
                std::hint::black_box(self.rows(sql, &[&k])?);
            }
        }
        std::hint::black_box(events.len());
        Ok(())
    }

    fn history(&self, phone: &str) -> Result<()> {
        std::hint::black_box(self.rows(PG_HISTORY, &[&phone])?.len());
        Ok(())
    }

    fn search(&self, word: &str, ranked: bool) -> Result<()> {
        let like = format!("%{word}%");
        // Trigram indexes for three characters or more; the character-pair index, each
        // match then checked, for fewer.
        let cond = if word.chars().count() < 3 {
            "hd_grams(phone || ' ' || description || ' ' || coalesce(answer, '') || ' ' || coalesce(result, '')) @> hd_grams(?2)
             AND (phone ILIKE ?1 OR description ILIKE ?1 OR answer ILIKE ?1 OR result ILIKE ?1)"
        } else {
            "(description ILIKE ?1 OR answer ILIKE ?1 OR result ILIKE ?1)"
        };
        let both: [&(dyn postgres::types::ToSql + Sync); 2] = [&like, &word];
        // PostgreSQL takes as many values as the statement names.
        let run = |sql: String| {
            let n = if sql.contains("?2") { 2 } else { 1 };
            self.rows(&sql, &both[..n])
        };
        let total = run(format!(
            "SELECT count(*) FROM (SELECT 1 FROM tickets WHERE {cond} LIMIT {}) x",
            COUNT_CAP + 50
        ))?;
        // Ranked: the newest window of matches ordered by trigram similarity (the
        // nearest PostgreSQL itself offers); else newest first.
        let rows = run(if ranked {
            format!(
                "SELECT t.id, t.number, t.status, t.caller_name, t.phone, substr(t.description, 1, 80)
                 FROM (SELECT id FROM tickets WHERE {cond} ORDER BY id DESC LIMIT {RANK_WINDOW}) m
                 JOIN tickets t ON t.id = m.id
                 ORDER BY similarity(t.description, ?2) DESC, t.received_at DESC LIMIT 50"
            )
        } else {
            format!(
                "SELECT id, number, status, caller_name, phone, substr(description, 1, 80)
                 FROM tickets WHERE {cond} ORDER BY id DESC LIMIT 50"
            )
        })?;
        std::hint::black_box((total.len(), rows.len()));
        Ok(())
    }

    fn monthly(&self, this: (i64, i64), before: (i64, i64)) -> Result<()> {
        let mut n = 0;
        for (from, to) in [this, before] {
            for sql in per_period("(e.data::jsonb)->>'satisfaction'", "resolved") {
                n += self.rows(&sql, &[&from, &to])?.len();
            }
        }
        for sql in THIS_PERIOD {
            n += self.rows(sql, &[&this.0, &this.1])?.len();
        }
        std::hint::black_box(n);
        Ok(())
    }

    fn next_alarm(&self) -> Result<()> {
        std::hint::black_box(self.rows(
            "SELECT min(fire_at) FROM alarms WHERE fired_at IS NULL",
            &[],
        )?);
        Ok(())
    }

    fn create(&self, number: &str, now: i64) -> Result<()> {
        let mut c = self.0.borrow_mut();
        let mut tx = c.transaction().map_err(pg_error)?;
        let id: i64 = tx
            .query_one(
                &format!("{} RETURNING id", dollars(NEW_TICKET)),
                &[&number, &now],
            )
            .map_err(pg_error)?
            .get(0);
        tx.execute(&dollars(NEW_EVENT), &[&id, &now])
            .map_err(pg_error)?;
        tx.commit().map_err(pg_error)
    }

    fn count(&self, sql: &str) -> Result<i64> {
        let r = self.rows(sql, &[])?;
        Ok(r.first()
            .and_then(|r| r.get::<_, Option<i64>>(0))
            .unwrap_or(0))
    }
}
