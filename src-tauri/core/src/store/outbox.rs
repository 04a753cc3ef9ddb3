//! The outbox: changes numbered in the transaction that makes them, for whoever must
//! hear of them (the desks of a centre server, a seat catching up after a reconnect).

use super::db::{from_ms, ms, Store};
use super::sql::Connection;
use crate::error::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

str_enum!(
    /// What an outbox entry announces.
    OutboxKind {
        /// A ticket was created or changed: `data` has its status, version, the actions
        /// and the departments concerned (before and after a transfer).
        Ticket = "ticket",
        /// A notification for `user_id`.
        Notification = "notification",
        /// Tickets imported in bulk: `data` has how many.
        Import = "import",
        /// An incident was declared or changed: `data` has its number, status, level,
        /// version and the action.
        Incident = "incident",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub kind: OutboxKind,
    pub ticket_id: Option<i64>,
    pub user_id: Option<i64>,
    pub data: Value,
}

impl OutboxEntry {
    /// Whether `user` should hear of this entry: their own notifications; tickets they may
    /// see (the matrix's department scope: a handler, their department's); bulk imports
    /// for whoever sees every ticket.
    pub fn concerns(&self, user: &crate::model::User) -> bool {
        let scope = crate::permissions::department_scope(user);
        match self.kind {
            OutboxKind::Notification => self.user_id == Some(user.id),
            OutboxKind::Ticket => scope.is_none_or(|d| {
                self.data["departments"]
                    .as_array()
                    .is_some_and(|ds| ds.iter().any(|x| x.as_i64() == Some(d)))
            }),
            OutboxKind::Import => scope.is_none(),
            // The whole centre, departments included, hears of an emergency.
            OutboxKind::Incident => true,
        }
    }
}

/// Numbers a change in the caller's transaction; returns its sequence number.
pub(super) fn publish(
    c: &Connection,
    at: DateTime<Utc>,
    kind: OutboxKind,
    ticket_id: Option<i64>,
    user_id: Option<i64>,
    data: &Value,
) -> Result<i64> {
    // Its key is `seq`, not `id`: asked for by name.
    Ok(c.prepare_cached(
        "INSERT INTO outbox (at, kind, ticket_id, user_id, data) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING seq",
    )?
    .query_row((ms(at), kind.as_str(), ticket_id, user_id, data.to_string()), |r| r.get(0))?)
}

/// A ticket's change: which departments it concerns (the one it left, the one it is at).
pub(super) fn ticket_changed(
    c: &Connection,
    at: DateTime<Utc>,
    before: Option<&crate::model::Ticket>,
    after: &crate::model::Ticket,
    actions: &[&str],
) -> Result<i64> {
    let mut departments: Vec<i64> = before
        .and_then(|b| b.department_id)
        .into_iter()
        .chain(after.department_id)
        .collect();
    departments.dedup();
    let data = serde_json::json!({
        "number": after.number,
        "status": after.status,
        "version": after.version,
        "actions": actions,
        "departments": departments,
    });
    publish(c, at, OutboxKind::Ticket, Some(after.id), None, &data)
}

impl Store {
    /// The entries after `seq`, oldest first, at most `limit` (a reconnecting seat pages
    /// through them).
    pub fn outbox_after(&self, seq: i64, limit: u32) -> Result<Vec<OutboxEntry>> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT seq, at, kind, ticket_id, user_id, data FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            let rows = st
                .query_map((seq, limit.min(10_000)), |r| {
                    let kind: String = r.get(2)?;
                    let data: String = r.get(5)?;
                    Ok(OutboxEntry {
                        seq: r.get(0)?,
                        at: from_ms(r.get(1)?),
                        kind: kind.parse().unwrap_or(OutboxKind::Ticket),
                        ticket_id: r.get(3)?,
                        user_id: r.get(4)?,
                        data: serde_json::from_str(&data).unwrap_or(Value::Null),
                    })
                })?
                .collect::<super::sql::Result<_>>()?;
            Ok(rows)
        })
    }

    /// The last number handed out (0 before any change): where a new subscriber starts.
    pub fn outbox_head(&self) -> Result<i64> {
        self.read(
            |c| Ok(c.query_row("SELECT coalesce(max(seq), 0) FROM outbox", [], |r| r.get(0))?),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::OutboxKind;
    use crate::lifecycle::Action;
    use crate::store::testutil::{setup, t0};
    use crate::ticket::tests::new_ticket;
    use chrono::Duration;

    #[test]
    fn changes_are_numbered_with_the_write_and_a_refused_one_leaves_none() {
        let (_d, s, clock, dept, handler) = setup();
        assert_eq!(s.outbox_head().expect("head"), 0);
        let t = s.create_ticket(1, &new_ticket()).expect("create");
        let transfer = Action::Transfer {
            department_id: dept,
            requirements: "请核实".into(),
            due_at: t0() + Duration::days(3),
            accept_due_at: None,
            co_department_ids: vec![],
            co_due_at: None,
        };
        let t = s.act(t.id, t.version, 1, &transfer).expect("transfer");
        let head = s.outbox_head().expect("head");
        let all = s.outbox_after(0, 100).expect("all");
        assert_eq!(all.len(), 2);
        assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
        assert_eq!(all[1].kind, OutboxKind::Ticket);
        assert_eq!(all[1].data["actions"], serde_json::json!(["transfer"]));
        assert_eq!(all[1].data["departments"], serde_json::json!([dept]));
        // The department hears of its transfer, not of the call before it; the hotline of both.
        let agent = s.user(1).expect("admin");
        assert_eq!(
            (all[0].concerns(&handler), all[1].concerns(&handler)),
            (false, true)
        );
        assert!(all.iter().all(|e| e.concerns(&agent)));
        // A refused action (a stale version that conflicts) numbers nothing.
        let e = s
            .act(
                t.id,
                t.version - 1,
                handler.id,
                &Action::Accept { note: None },
            )
            .expect_err("stale");
        assert_eq!(e.code(), "conflict");
        assert_eq!(s.outbox_head().expect("head"), head);
        // Notifications are numbered per recipient.
        s.act(t.id, t.version, handler.id, &Action::Accept { note: None })
            .expect("accept");
        clock.advance(Duration::minutes(1));
        s.fire_due(s.now()).expect("fire");
        let later = s.outbox_after(head, 100).expect("later");
        assert_eq!(later[0].data["actions"], serde_json::json!(["accept"]));
        let told: Vec<Option<i64>> = later
            .iter()
            .filter(|e| e.kind == OutboxKind::Notification)
            .map(|e| e.user_id)
            .collect();
        assert_eq!(
            told,
            [Some(handler.id)],
            "the transfer's announcement, to the handler"
        );
        // The entry carries what the handler's seat needs for the pop-up.
        let note = later
            .iter()
            .find(|e| e.kind == OutboxKind::Notification)
            .and_then(|e| e.fired())
            .expect("a fired alarm");
        assert_eq!(
            (note.ticket_id, note.number.as_str()),
            (Some(t.id), t.number.as_str())
        );
        let pops = s.popups(handler.id, &[note]).expect("popups");
        assert!(pops[0].0.contains(&t.number), "{pops:?}");
        // A bulk import is one entry.
        s.bulk(|_| Ok(())).expect("empty import");
        let last = s.outbox_after(0, 100).expect("all");
        assert_eq!(last.last().map(|e| e.kind), Some(OutboxKind::Import));
    }
}
