//! What several server instances on one PostgreSQL database share beyond the data: which
//! one of them leads (runs the deadline scheduler and the backups), and the signal that
//! another instance committed a change (the outbox grew). On an SQLite file there is one
//! server (the file's lock says so): it always leads, and it polls its own outbox.

#[cfg(feature = "postgres")]
use super::db::lock;
use super::db::{Backend, Store};
#[cfg(feature = "postgres")]
use postgres::fallible_iterator::FallibleIterator;
use std::time::Duration;

/// The session advisory lock the leading instance holds ("HDLEADER").
#[cfg(feature = "postgres")]
const LEAD_LOCK: i64 = 0x4844_4c45_4144_4552;
/// How long a look at the lead's connection may take before it counts as lost.
#[cfg(feature = "postgres")]
const LEAD_CHECK: Duration = Duration::from_secs(3);

/// This instance's claim to lead.
pub enum Lead {
    /// The only server of an SQLite file.
    Sole,
    /// One of several on PostgreSQL: the lead is a session advisory lock, held on a
    /// connection of its own — a pooled connection (or one through pgbouncer) could be
    /// handed to other work or reset, and the lock would silently go with it. When the
    /// leading process dies its session ends, PostgreSQL releases the lock and the next
    /// instance to ask takes it.
    #[cfg(feature = "postgres")]
    Pg {
        url: String,
        conn: Option<Box<postgres::Client>>,
        held: bool,
    },
}

impl Lead {
    /// Whether this instance leads now: it keeps the lead while its connection answers,
    /// and otherwise tries to take it. Blocking (a round trip to the database).
    pub fn holds(&mut self) -> bool {
        match self {
            Lead::Sole => true,
            #[cfg(feature = "postgres")]
            Lead::Pg { url, conn, held } => {
                if conn.is_none() {
                    *held = false;
                    *conn = super::pg::open(url).ok().map(Box::new);
                }
                let Some(c) = conn else { return false };
                let answer = if *held {
                    // Its session still open, the lock is still this instance's.
                    c.is_valid(LEAD_CHECK).map(|()| true)
                } else {
                    c.query_one("SELECT pg_try_advisory_lock($1)", &[&LEAD_LOCK])
                        .and_then(|r| r.try_get::<_, bool>(0))
                };
                match answer {
                    Ok(now) => *held = now,
                    // The session is gone, and the lock with it: another may lead now;
                    // this one asks again on a new session next time.
                    Err(_) => {
                        *conn = None;
                        *held = false;
                    }
                }
                *held
            }
        }
    }
}

/// Wakes an instance when another one committed to the outbox.
pub enum ChangeSignal {
    /// SQLite: no one else writes; the server looks at its outbox every `every`.
    Poll { every: Duration },
    /// PostgreSQL: `LISTEN hotline_outbox` on a connection of its own (the outbox's
    /// trigger notifies on every commit that adds to it).
    #[cfg(feature = "postgres")]
    Listen {
        url: String,
        conn: Option<Box<postgres::Client>>,
    },
}

/// How often an SQLite server looks at its outbox.
const POLL_EVERY: Duration = Duration::from_millis(100);

impl ChangeSignal {
    /// Waits until a change may have been committed, at most `longest`. Blocking. A
    /// listener that lost its connection reports a possible change (it may have missed
    /// one) and listens again on a new one at the next wait.
    pub fn wait(&mut self, longest: Duration) {
        match self {
            ChangeSignal::Poll { every } => std::thread::sleep((*every).min(longest)),
            #[cfg(feature = "postgres")]
            ChangeSignal::Listen { url, conn } => {
                let Some(c) = conn else {
                    // Listening anew: whatever was committed before it is read now.
                    match super::pg::open(url) {
                        Ok(mut c) => match c.batch_execute("LISTEN hotline_outbox") {
                            Ok(()) => *conn = Some(Box::new(c)),
                            Err(_) => std::thread::sleep(longest),
                        },
                        Err(_) => std::thread::sleep(longest),
                    }
                    return;
                };
                let lost = {
                    let mut notes = c.notifications();
                    let first = notes.timeout_iter(longest).next().map(|n| n.is_some());
                    match first {
                        Ok(true) => {
                            // One wake for a burst: what came meanwhile is read at once.
                            while let Ok(Some(_)) = notes.iter().next() {}
                            false
                        }
                        Ok(false) => false,
                        Err(_) => true,
                    }
                };
                if lost {
                    *conn = None;
                }
            }
        }
    }
}

impl Store {
    /// This instance's claim to lead (not yet taken: `Lead::holds` takes it).
    pub fn lead(&self) -> Lead {
        match &self.db {
            Backend::Lite(_) => Lead::Sole,
            #[cfg(feature = "postgres")]
            Backend::Pg(p) => Lead::Pg {
                url: lock(&p.writer).url().to_string(),
                conn: None,
                held: false,
            },
        }
    }

    /// What wakes this instance when the outbox may have grown.
    pub fn change_signal(&self) -> ChangeSignal {
        match &self.db {
            Backend::Lite(_) => ChangeSignal::Poll { every: POLL_EVERY },
            #[cfg(feature = "postgres")]
            Backend::Pg(p) => ChangeSignal::Listen {
                url: lock(&p.writer).url().to_string(),
                conn: None,
            },
        }
    }
}
