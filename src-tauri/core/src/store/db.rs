//! The store's database connections: one writer and a few readers, of the SQLite file
//! (IMMEDIATE transactions, `synchronous=FULL`, WAL so queues are read while a write
//! commits) or of PostgreSQL (a transaction per write, read-only ones per read), and the
//! helpers every part of the store reads settings and times with.
//! `store/mod.rs` opens it; everything in the store sits on it.

use super::sql;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::lifecycle::Policy;
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use rusqlite::{Connection, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// One writer and a few readers of one database.
pub(super) struct Pool<C> {
    pub(super) writer: Mutex<C>,
    /// Read-only connections: a read takes a free one, so reads run side by side (a
    /// report does not hold up a queue page). A handful of connections needs no pool
    /// crate: a `try_lock` round and, when all are busy, a wait on the next in turn.
    pub(super) readers: Vec<Mutex<C>>,
    pub(super) next_reader: std::sync::atomic::AtomicUsize,
}

impl<C> Pool<C> {
    pub(super) fn new(writer: C, readers: Vec<C>) -> Self {
        Pool {
            writer: Mutex::new(writer),
            readers: readers.into_iter().map(Mutex::new).collect(),
            next_reader: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// A free reader, or (all busy) the next one in turn once it is free.
    fn reader(&self) -> MutexGuard<'_, C> {
        use std::sync::atomic::Ordering;
        let n = self.readers.len();
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        for i in 0..n {
            match self.readers[(start + i) % n].try_lock() {
                Ok(guard) => return guard,
                Err(std::sync::TryLockError::Poisoned(p)) => return p.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => {}
            }
        }
        lock(&self.readers[start % n])
    }

    /// Another reader, if one is free now (never waits: a caller already holding one
    /// must not wait for a second while others do the same).
    fn free_reader(&self) -> Option<MutexGuard<'_, C>> {
        self.readers.iter().find_map(|r| r.try_lock().ok())
    }
}

/// The database behind the store: an SQLite file (a desk, a small centre) or PostgreSQL
/// (a centre server that outgrew one file).
pub(super) enum Backend {
    Lite(Pool<Connection>),
    #[cfg(feature = "postgres")]
    Pg(Box<Pool<super::pg::PgConn>>),
}

pub struct Store {
    pub(super) db: Backend,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) path: PathBuf,
    /// Who has which ticket open (`presence`).
    pub(super) presence: Presences,
    /// Queue counts shared by the users of one scope (`queues`).
    pub(super) counts: Mutex<std::collections::HashMap<Option<i64>, SharedCounts>>,
    /// When detection last ran (`detect`): at most once a minute, however often the
    /// scheduler wakes.
    pub(super) detected: Mutex<Option<DateTime<Utc>>>,
}

/// Queue counts shared by every user of one scope, as of an outbox head and a time.
pub struct SharedCounts {
    pub(super) head: i64,
    pub(super) at: chrono::DateTime<chrono::Utc>,
    pub(super) counts: std::collections::BTreeMap<crate::model::Queue, i64>,
}

/// One seat's having a ticket open (kept in memory: `presence`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Presence {
    pub user_id: i64,
    pub name: String,
    /// An action's form is open (a save may come).
    pub editing: bool,
    pub since: chrono::DateTime<chrono::Utc>,
}

/// (user, seat) → (ticket, presence): a seat shows one ticket at a time.
#[derive(Default)]
pub struct Presences(pub(super) Mutex<std::collections::HashMap<(i64, String), (i64, Presence)>>);

/// Who makes a change and from which seat (the audit log records both).
#[derive(Debug, Clone, Copy)]
pub struct Author<'a> {
    pub user: &'a crate::model::User,
    pub seat: Option<&'a str>,
}

impl<'a> From<&'a crate::model::User> for Author<'a> {
    fn from(user: &'a crate::model::User) -> Self {
        Author { user, seat: None }
    }
}

/// A condition on tickets `t`: not a call of a drill (a ticket attached to an incident
/// marked as drill) — practice, in no figure and no caller's history.
pub(super) const NOT_DRILL: &str =
    "t.id NOT IN (SELECT l.ticket_id FROM incidents i JOIN incident_tickets l ON l.incident_id = i.id WHERE i.drill)";

/// Page caches, in KiB (negative: a size, not a page count).
pub(super) const READER_CACHE_KIB: i64 = -32_768;
const BULK_CACHE_KIB: i64 = -262_144;
const DEFAULT_CACHE_KIB: i64 = -2_000;

/// How long a statement waits for another connection's lock before failing.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

pub(crate) fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // The bigram search index's triggers call it on every write of a ticket's text.
    conn.create_scalar_function(
        crate::search::BIGRAMS_FN,
        1,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8
            | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let text: Option<String> = ctx.get(0)?;
            Ok(crate::search::bigrams(text.as_deref().unwrap_or("")))
        },
    )?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}

/// Runs `f` in an IMMEDIATE transaction on `conn`: all of it is written, or none.
fn immediate<T>(conn: &mut Connection, f: impl FnOnce(&sql::Connection) -> Result<T>) -> Result<T> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let out = f(&sql::Connection::lite(&tx))?;
    tx.commit()?;
    Ok(out)
}

#[cfg(feature = "bench-internals")]
/// A plain connection with the store's settings and functions but none of its rules:
/// the benchmark's "raw SQLite doing the same work".
pub fn open_raw(path: impl AsRef<Path>) -> Result<Connection> {
    let c = Connection::open(path)?;
    configure(&c)?;
    Ok(c)
}

impl Store {
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Whether the store is on PostgreSQL (its search runs on other indexes).
    pub(crate) fn is_postgres(&self) -> bool {
        !matches!(self.db, Backend::Lite(_))
    }

    /// The PostgreSQL database's URL (with its password), for PostgreSQL's own tools.
    #[cfg(feature = "postgres")]
    pub(super) fn pg_url(&self) -> Option<String> {
        match &self.db {
            Backend::Lite(_) => None,
            Backend::Pg(p) => Some(lock(&p.writer).url().to_string()),
        }
    }

    /// The SQLite file's connections, for what is SQLite's own business (its backups).
    pub(super) fn sqlite(&self) -> Result<&Pool<Connection>> {
        match &self.db {
            Backend::Lite(p) => Ok(p),
            #[cfg(feature = "postgres")]
            Backend::Pg(_) => Err(Error::Unsupported {
                what: "file_backups",
            }),
        }
    }

    /// Runs `f` in one transaction that writes (IMMEDIATE on SQLite): all of it is
    /// written, or none.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&sql::Connection) -> Result<T>) -> Result<T> {
        match &self.db {
            Backend::Lite(p) => immediate(&mut lock(&p.writer), f),
            #[cfg(feature = "postgres")]
            Backend::Pg(p) => lock(&p.writer).transaction(f),
        }
    }

    /// `write` for one big transaction (imports, seeding): a page cache large enough to
    /// hold the index pages it changes, so SQLite does not spill them to the WAL again
    /// and again before the commit; back to the default afterwards.
    pub(crate) fn write_big<T>(&self, f: impl FnOnce(&sql::Connection) -> Result<T>) -> Result<T> {
        match &self.db {
            Backend::Lite(p) => {
                let mut conn = lock(&p.writer);
                conn.pragma_update(None, "cache_size", BULK_CACHE_KIB)?;
                let out = immediate(&mut conn, f);
                conn.pragma_update(None, "cache_size", DEFAULT_CACHE_KIB)?;
                out
            }
            #[cfg(feature = "postgres")]
            Backend::Pg(_) => self.write(f),
        }
    }

    /// On PostgreSQL, `f` writing on a reader's connection without the write lock (what
    /// is shared by the instances but no part of the ordered history); None on SQLite.
    #[cfg_attr(not(feature = "postgres"), allow(unused_variables))]
    pub(crate) fn unordered<T>(
        &self,
        f: impl FnOnce(&sql::Connection) -> Result<T>,
    ) -> Option<Result<T>> {
        match &self.db {
            Backend::Lite(_) => None,
            #[cfg(feature = "postgres")]
            Backend::Pg(p) => Some(p.reader().unordered(f)),
        }
    }

    pub(crate) fn read<T>(&self, f: impl Fn(&sql::Connection) -> Result<T>) -> Result<T> {
        match &self.db {
            Backend::Lite(p) => f(&sql::Connection::lite(&p.reader())),
            #[cfg(feature = "postgres")]
            Backend::Pg(p) => p.reader().autocommit_read(f),
        }
    }

    /// Runs `f` on one read transaction: every query in it sees the same committed state
    /// (a report's figures agree with each other while agents keep writing).
    pub(crate) fn snapshot<T>(&self, f: impl FnOnce(&sql::Connection) -> Result<T>) -> Result<T> {
        match &self.db {
            Backend::Lite(p) => {
                let conn = p.reader();
                let tx = conn.unchecked_transaction()?;
                let out = f(&sql::Connection::lite(&tx))?;
                tx.commit()?;
                Ok(out)
            }
            #[cfg(feature = "postgres")]
            Backend::Pg(p) => p.reader().read(true, f),
        }
    }

    /// `a` and `b` on one snapshot, then `then` on it with both results. When a second
    /// reader is free, `a` and `b` run side by side on two connections sharing the
    /// snapshot (a report's two periods on two cores); one after the other otherwise.
    pub(crate) fn snapshot_split<A: Send, B: Send, T>(
        &self,
        a: impl FnOnce(&sql::Connection) -> Result<A>,
        b: impl FnOnce(&sql::Connection) -> Result<B> + Send,
        then: impl FnOnce(&sql::Connection, A, B) -> Result<T>,
    ) -> Result<T> {
        match &self.db {
            Backend::Lite(p) => {
                let first = p.reader();
                let mut second = p.free_reader();
                lite_split(&p.writer, &first, second.as_deref_mut(), a, b, then)
            }
            #[cfg(feature = "postgres")]
            Backend::Pg(p) => {
                let first = p.reader();
                match p.free_reader() {
                    Some(mut second) => first.read_side_by_side(&mut second, a, b, then),
                    None => first.read(true, |c| {
                        let x = a(c)?;
                        let y = b(c)?;
                        then(c, x, y)
                    }),
                }
            }
        }
    }
}

#[cfg(test)]
thread_local! {
    /// Runs between a split's two snapshots: a test's commit trying to land there.
    pub(super) static BETWEEN_SNAPSHOTS: std::cell::RefCell<Option<Box<dyn FnOnce()>>> =
        std::cell::RefCell::new(None);
}

/// The file's write lock if it is free now (this process's writer and every other
/// process's): a report does not wait behind a write — an import holds it for seconds.
fn write_lock_now(w: &Connection) -> Result<Option<rusqlite::Transaction<'_>>> {
    w.busy_timeout(std::time::Duration::ZERO)?;
    let tx = rusqlite::Transaction::new_unchecked(w, TransactionBehavior::Immediate).ok();
    w.busy_timeout(BUSY_TIMEOUT)?;
    Ok(tx)
}

/// `a` and `b` on one snapshot of the SQLite file: side by side on two readers when a
/// second one and the write lock are free, one after the other on `first` otherwise. A
/// reader's snapshot is taken at its first read; both are taken while the write lock is
/// held (`BEGIN IMMEDIATE`), so no commit lands between them. The lock is held for two
/// reads, not for the report.
fn lite_split<A: Send, B: Send, T>(
    writer: &Mutex<Connection>,
    first: &Connection,
    second: Option<&mut Connection>,
    a: impl FnOnce(&sql::Connection) -> Result<A>,
    b: impl FnOnce(&sql::Connection) -> Result<B> + Send,
    then: impl FnOnce(&sql::Connection, A, B) -> Result<T>,
) -> Result<T> {
    fn begin(c: &Connection) -> Result<rusqlite::Transaction<'_>> {
        let tx = c.unchecked_transaction()?;
        tx.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
        Ok(tx)
    }
    std::thread::scope(|scope| {
        let w = second.as_ref().and_then(|_| writer.try_lock().ok());
        let hold = match &w {
            Some(w) => write_lock_now(w)?,
            None => None,
        };
        let (Some(second), Some(hold)) = (second, hold) else {
            drop(w);
            let tx = begin(first)?;
            let c = sql::Connection::lite(&tx);
            let (x, y) = (a(&c)?, b(&c)?);
            let out = then(&c, x, y)?;
            tx.commit()?;
            return Ok(out);
        };
        let ta = begin(first)?;
        #[cfg(test)]
        if let Some(f) = BETWEEN_SNAPSHOTS.with(|h| h.borrow_mut().take()) {
            f();
        }
        let (started, wait) = std::sync::mpsc::channel();
        let other = scope.spawn(move || -> Result<B> {
            let tb = begin(second);
            let _ = started.send(());
            let tb = tb?;
            let y = b(&sql::Connection::lite(&tb))?;
            tb.commit()?;
            Ok(y)
        });
        let _ = wait.recv();
        drop(hold);
        drop(w);
        let x = a(&sql::Connection::lite(&ta));
        let y = other
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let out = then(&sql::Connection::lite(&ta), x?, y?)?;
        ta.commit()?;
        Ok(out)
    })
}

pub(crate) fn lock<C>(m: &Mutex<C>) -> MutexGuard<'_, C> {
    // A panic while holding the lock cannot leave a half-written transaction behind
    // (it rolls back on drop), so the connection stays usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

pub(crate) fn get_setting(c: &sql::Connection, key: &str) -> Result<String> {
    let default = crate::settings::find(key)?.default;
    if c.settings.borrow().is_none() {
        let all = c
            .prepare_cached("SELECT key, value FROM settings")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<sql::Result<_>>()?;
        *c.settings.borrow_mut() = Some(all);
    }
    let v = c
        .settings
        .borrow()
        .as_ref()
        .and_then(|m| m.get(key).cloned());
    Ok(v.unwrap_or_else(|| default.to_string()))
}

/// A number setting as stored.
pub(crate) fn int_setting(c: &sql::Connection, key: &'static str) -> Result<i64> {
    crate::settings::int(key, &get_setting(c, key)?)
}

pub(crate) fn policy(c: &sql::Connection) -> Result<Policy> {
    Ok(Policy {
        reopen_window_days: int_setting(c, "reopen_window_days")?,
        callback_days: int_setting(c, "callback_days")?,
        callback_due_at: None,
        resume_due_at: None,
        relay_held: false,
        return_approved: false,
    })
}

pub(crate) fn timezone(c: &sql::Connection) -> Result<Tz> {
    let v = get_setting(c, "timezone")?;
    v.parse().map_err(|_| Error::InvalidValue {
        field: "timezone",
        value: v.chars().take(40).collect(),
    })
}

pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_ms(v: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(v).single().unwrap_or_default()
}
