//! The desk's queues as SQL conditions, and their live counts.

use super::db::{ms, SharedCounts, Store};
use super::reference::get_user;
use super::sql::Connection;
use super::sql::Value as Sql;
use crate::error::Result;
use crate::model::{Queue, Role, User};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// "Due soon" looks this far ahead.
pub const DUE_SOON: Duration = Duration::hours(24);

/// The condition (on alias `t`) and its parameters selecting `queue` for `me` at `now`.
/// Placeholders are `?`; the caller numbers them.
pub(crate) fn condition(queue: Queue, me: &User, now: DateTime<Utc>) -> (String, Vec<Sql>) {
    const HANDLING: &str = "t.status IN ('transferred', 'in_progress')";
    let now_ms = Sql::Integer(ms(now));
    match queue {
        Queue::All => ("1 = 1".into(), vec![]),
        Queue::Received => ("t.status = 'received'".into(), vec![]),
        Queue::AwaitingAcceptance => ("t.status = 'transferred'".into(), vec![]),
        Queue::Returned => ("t.status = 'returned'".into(), vec![]),
        Queue::InProgress => ("t.status = 'in_progress'".into(), vec![]),
        Queue::ExtensionPending => (
            "t.status = 'in_progress' AND t.extension = 'pending'".into(),
            vec![],
        ),
        Queue::AwaitingFeedback => ("t.status = 'replied'".into(), vec![]),
        Queue::AwaitingCallback => ("t.status = 'awaiting_callback'".into(), vec![]),
        // Nearly every ticket of a big store: `+` keeps SQLite walking the date index in
        // page order instead of collecting and sorting the whole archive by status.
        Queue::Closed => ("+t.status IN ('closed', 'archived')".into(), vec![]),
        Queue::DueSoon => (
            format!("{HANDLING} AND t.due_at >= ? AND t.due_at < ?"),
            vec![now_ms, Sql::Integer(ms(now + DUE_SOON))],
        ),
        Queue::Overdue => (format!("{HANDLING} AND t.due_at < ?"), vec![now_ms]),
        // Their department's transfers, and the parts it owes as a co-handler.
        Queue::Mine if me.role == Role::Handler => (
            format!("(({HANDLING} AND t.department_id = ? AND (t.handler_id IS NULL OR t.handler_id = ?))
                OR t.id IN (SELECT ticket_id FROM co_parts WHERE department_id = ? AND state IN ('open', 'accepted')))"),
            vec![Sql::Integer(me.department_id), Sql::Integer(me.id), Sql::Integer(me.department_id)],
        ),
        Queue::Mine => (
            "t.status IN ('received', 'returned', 'replied', 'awaiting_callback') AND t.created_by = ?".into(),
            vec![Sql::Integer(me.id)],
        ),
    }
}

/// The tickets `me` may see at all: a department handler only their department's.
pub(crate) fn scope(me: &User) -> Option<(String, Vec<Sql>)> {
    crate::permissions::department_scope(me).map(|d| {
        (
            "(t.department_id = ? OR t.id IN (SELECT ticket_id FROM co_parts WHERE department_id = ?))"
                .to_string(),
            vec![Sql::Integer(d), Sql::Integer(d)],
        )
    })
}

/// Counts stop here: "10 000+" says enough about the archive, and counting a million
/// closed tickets on every refresh would cost more than the page itself.
pub const COUNT_CAP: i64 = 10_000;

/// `count(*)` of `FROM … WHERE …`, stopping after `cap + 1` rows (more than `cap`).
pub(crate) fn capped_count(
    c: &Connection,
    from_where: &str,
    params: impl super::sql::Params,
    cap: i64,
) -> Result<i64> {
    Ok(c.prepare_cached(&format!(
        "SELECT count(*) FROM (SELECT 1 {from_where} LIMIT {}) AS capped",
        cap + 1
    ))?
    .query_row(params, |r| r.get(0))?)
}

/// Numbers `?` placeholders from `start + 1` on.
pub(crate) fn number(clause: &str, start: usize) -> String {
    let mut out = String::with_capacity(clause.len() + 8);
    let mut n = start;
    for c in clause.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("?{n}"));
        } else {
            out.push(c);
        }
    }
    out
}

/// How long shared counts serve for the queues that move with the clock (due soon, overdue).
const SHARED_FRESH: Duration = Duration::seconds(10);

/// One queue's count for `me`, within their scope.
fn count(c: &Connection, q: Queue, me: &User, now: DateTime<Utc>) -> Result<i64> {
    let (mut cond, mut params) = condition(q, me, now);
    if let Some((sc, p)) = scope(me) {
        cond = format!("({cond}) AND {sc}");
        params.extend(p);
    }
    capped_count(
        c,
        &format!("FROM tickets t WHERE {}", number(&cond, 0)),
        super::sql::params_from_iter(params),
        COUNT_CAP,
    )
}

impl Store {
    /// How many tickets stand in each queue for `actor_id` now (`COUNT_CAP + 1`: more).
    /// The queue counts `actor_id` sees. Every queue but "mine" is the same for everyone
    /// with the same scope (the hotline side, or one department): those are counted once
    /// per change of the data (the outbox's head) and scope, and reused by every seat that
    /// asks — at most `SHARED_FRESH` old, for the queues that move with the clock — so the
    /// cost of one change does not grow with the seats that refresh after it.
    pub fn queue_counts(&self, actor_id: i64) -> Result<BTreeMap<Queue, i64>> {
        let now = self.now();
        self.read(|c| {
            let me = get_user(c, actor_id)?;
            let scope_key = crate::permissions::department_scope(&me);
            let head: i64 =
                c.query_row("SELECT coalesce(max(seq), 0) FROM outbox", [], |r| r.get(0))?;
            let cached = self
                .counts
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&scope_key)
                .filter(|k| k.head == head && now >= k.at && now - k.at < SHARED_FRESH)
                .map(|k| k.counts.clone());
            let mut out = match cached {
                Some(counts) => counts,
                None => {
                    let mut counts = BTreeMap::new();
                    for q in Queue::ALL.iter().filter(|q| **q != Queue::Mine) {
                        counts.insert(*q, count(c, *q, &me, now)?);
                    }
                    self.counts
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(
                            scope_key,
                            SharedCounts {
                                head,
                                at: now,
                                counts: counts.clone(),
                            },
                        );
                    counts
                }
            };
            out.insert(Queue::Mine, count(c, Queue::Mine, &me, now)?);
            Ok(out)
        })
    }

    /// Changes whenever another connection (another window, the CLI, a second seat)
    /// committed to the file: the cheap signal behind live updates.
    pub fn data_version(&self) -> Result<i64> {
        self.read(|c| Ok(c.query_row("PRAGMA data_version", [], |r| r.get(0))?))
    }
}

#[cfg(test)]
mod tests {
    use crate::lifecycle::Action;
    use crate::model::{Queue, Role};
    use crate::store::testutil::{setup, t0};
    use crate::ticket::tests::new_ticket;
    use chrono::Duration;

    /// Shared counts are reused between users of a scope, yet never show a change late or
    /// a deadline passed more than `SHARED_FRESH` late.
    #[test]
    fn shared_counts_follow_every_change_and_the_clock() {
        let (_d, s, clock, dept, handler) = setup();
        let other = s
            .create_user(None, "赵工", dept, Role::Handler)
            .expect("handler")
            .id;
        let count = |who: i64, q: Queue| s.queue_counts(who).expect("counts")[&q];
        let t = s.create_ticket(1, &new_ticket()).expect("create");
        let due = t0() + Duration::hours(2);
        s.act(
            t.id,
            t.version,
            1,
            &Action::Transfer {
                department_id: dept,
                requirements: "核查".into(),
                due_at: due,
                accept_due_at: None,
                co_department_ids: vec![],
                co_due_at: None,
            },
        )
        .expect("transfer");
        assert_eq!(count(handler.id, Queue::AwaitingAcceptance), 1);
        assert_eq!(
            count(other, Queue::AwaitingAcceptance),
            1,
            "the same scope's counts"
        );
        assert_eq!(count(1, Queue::All), 1);
        // A change is counted at once, whoever asks first.
        s.create_ticket(1, &new_ticket()).expect("another");
        assert_eq!(count(1, Queue::All), 2);
        // "Mine" is each user's own.
        assert_eq!(count(handler.id, Queue::Mine), 1);
        // The deadline passes: overdue within the freshness window.
        assert_eq!(count(handler.id, Queue::Overdue), 0);
        clock.set(due + Duration::seconds(11));
        assert_eq!(count(handler.id, Queue::Overdue), 1);
    }
}
