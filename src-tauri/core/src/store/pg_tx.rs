//! PostgreSQL's transactions: writing ones, each behind the centre's one write lock;
//! read-only ones, with a snapshot when asked; and those that write what is no part of the
//! ordered history. A session the server closed is replaced before one begins.

use super::pg::PgConn;
use super::sql::Connection;

impl PgConn {
    /// Runs `f` in one transaction: all of it is written, or none.
    ///
    /// Every writing transaction of the centre, from whichever server instance, first
    /// takes one transaction-scoped advisory lock: writes commit one after another, as
    /// on SQLite's single writer. Deliberately, not per row: the audit chain's "next
    /// entry after the last" and the outbox's order (seats follow it by sequence number:
    /// one allocated before another commits would be skipped) need a total order of
    /// writes anyway, almost every write appends to both, and taking the lock before
    /// anything is read means no deadlock and no serialisation failure to retry. Reads
    /// take no lock and run beside the writer. A write is a few milliseconds: one
    /// centre's writes (a few a second at peak) are far below what one lock passes.
    pub fn transaction<T>(
        &self,
        f: impl FnOnce(&Connection) -> crate::error::Result<T>,
    ) -> crate::error::Result<T> {
        self.run(
            &format!("BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"),
            f,
        )
    }

    /// Runs `f` in a transaction that writes without the write lock: for what is no part
    /// of the centre's ordered history (who has a ticket open).
    pub fn unordered<T>(
        &self,
        f: impl FnOnce(&Connection) -> crate::error::Result<T>,
    ) -> crate::error::Result<T> {
        self.run("BEGIN", f)
    }

    /// Runs `f` in a read-only transaction; with `snapshot`, every query of it sees the
    /// same committed state.
    pub fn read<T>(
        &self,
        snapshot: bool,
        f: impl FnOnce(&Connection) -> crate::error::Result<T>,
    ) -> crate::error::Result<T> {
        let begin = if snapshot {
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        } else {
            "BEGIN READ ONLY"
        };
        self.run(begin, f)
    }

    /// Runs `f` with each statement its own transaction, as a read on SQLite outside one:
    /// no BEGIN and COMMIT, two of a short read's three round trips. A session lost since
    /// the last use is found by `f`'s first statement; a read changes nothing, so it runs
    /// again once on a new session, as a transaction's BEGIN would have.
    pub fn autocommit_read<T>(
        &self,
        f: impl Fn(&Connection) -> crate::error::Result<T>,
    ) -> crate::error::Result<T> {
        self.reconnect_if_closed()?;
        match f(&Connection::pg(self)) {
            Err(_) if self.is_closed() => {
                self.reconnect_if_closed()?;
                f(&Connection::pg(self))
            }
            out => out,
        }
    }

    /// `a` here and `b` on `other` side by side in one snapshot — this session's,
    /// exported to the other (`pg_export_snapshot`, as pg_dump's parallel jobs share one)
    /// —, then `then` here with both results.
    pub fn read_side_by_side<A: Send, B: Send, T>(
        &self,
        other: &mut PgConn,
        a: impl FnOnce(&Connection) -> crate::error::Result<A>,
        b: impl FnOnce(&Connection) -> crate::error::Result<B> + Send,
        then: impl FnOnce(&Connection, A, B) -> crate::error::Result<T>,
    ) -> crate::error::Result<T> {
        self.read(true, |c| {
            let id: String = c.query_row("SELECT pg_export_snapshot()", [], |r| r.get(0))?;
            // The snapshot's name is PostgreSQL's own (hex digits and dashes).
            let begin = format!(
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{}'",
                id.replace('\'', "")
            );
            let (x, y) = std::thread::scope(|scope| {
                let other = scope.spawn(move || other.run(&begin, b));
                let x = a(c);
                let y = other
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (x, y)
            });
            then(c, x?, y?)
        })
    }

    fn run<T>(
        &self,
        begin: &str,
        f: impl FnOnce(&Connection) -> crate::error::Result<T>,
    ) -> crate::error::Result<T> {
        self.reconnect_if_closed()?;
        if let Err(e) = self.batch(begin) {
            // The server went away since the last transaction (a restart, a failover):
            // nothing of this one ran yet, so it begins again on a new session.
            if !self.is_closed() {
                return Err(e.into());
            }
            self.reconnect_if_closed()?;
            self.batch(begin)?;
        }
        match f(&Connection::pg(self)) {
            Ok(v) => {
                self.batch("COMMIT")?;
                Ok(v)
            }
            Err(e) => {
                // The transaction's own error matters, not a failed rollback's.
                let _ = self.batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

/// The advisory lock every writing transaction takes first ("HDWRITE1"); advisory locks
/// are per database, so centres sharing a cluster do not wait on each other.
const WRITE_LOCK: i64 = 0x4844_5752_4954_4531;
