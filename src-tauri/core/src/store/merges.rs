//! Repeated requests in the store: the open tickets a call may repeat, merging a call into
//! its master (the call closed as merged, kept as it was) and splitting it back exactly.

use super::db::{int_setting, ms, Store};
use super::rows::load;
use super::sql::OptionalExtension;
use super::tickets::{note, rewrite};
use crate::duplicates::{can_merge, Call, Candidate};
use crate::error::{Error, Result};
use crate::lifecycle::NewEvent;
use crate::model::{Status, Ticket};
use chrono::Duration;
use serde_json::json;

/// The statuses of a ticket still being worked on.
const OPEN: &str =
    "'received', 'transferred', 'returned', 'in_progress', 'replied', 'awaiting_callback'";

fn event(action: &'static str, from: Status, to: Status, data: serde_json::Value) -> NewEvent {
    NewEvent {
        action,
        note: None,
        from_status: Some(from),
        to_status: to,
        data,
    }
}

impl Store {
    /// The open tickets a call may repeat, the likeliest first: the same caller's, those
    /// at the same address with similar words, and very similar ones of the same category,
    /// received within the `duplicate_window_days` setting.
    pub fn duplicate_candidates(
        &self,
        phone: &str,
        address: &str,
        description: &str,
        category: &str,
        exclude: Option<i64>,
    ) -> Result<Vec<Candidate>> {
        let phone = if phone.trim().is_empty() {
            String::new()
        } else {
            crate::phone::Phone::parse(phone)
                .map(|p| p.number)
                .unwrap_or_default()
        };
        let now = self.now();
        self.read(|c| {
            let days = int_setting(c, "duplicate_window_days")?;
let category_id = super::reference::category_by_code(c, category)?.id;
            let since = ms(now - Duration::days(days));
            let mut st = c.prepare_cached(&format!(
                "SELECT id, number, status, phone, coalesce(address, ''), description, category_id FROM tickets
                 WHERE status IN ({OPEN}) AND merged_into IS NULL AND received_at >= ?1
                 UNION
                 SELECT id, number, status, phone, coalesce(address, ''), description, category_id FROM tickets
                 WHERE phone = ?2 AND status IN ({OPEN}) AND merged_into IS NULL"
            ))?;
            let rows = st.query_map(super::sql::params![since, phone], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Status>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, i64>(6)?,
                ))
            })?;
            let call = Call::new(&phone, address, description, category_id);
            let mut out: Vec<Candidate> = Vec::new();
            for row in rows {
                let (id, number, status, o_phone, o_address, text, cat) = row?;
                if Some(id) == exclude {
                    continue;
                }
                if let Some((why, sim)) = call.reason((&o_phone, &o_address, &text, cat)) {
                    out.push(Candidate {
                        id,
                        number,
                        status,
                        summary: crate::mask::text(&text.chars().take(80).collect::<String>()),
                        reason: why,
                        similarity: (sim * 100.0).round() / 100.0,
                    });
                }
            }
            out.sort_by(|a, b| {
                a.reason
                    .cmp(&b.reason)
                    .then(b.similarity.total_cmp(&a.similarity))
                    .then(b.id.cmp(&a.id))
            });
            out.truncate(10);
            Ok(out)
        })
    }

    /// Merges call `id` into `master`: the call is closed as merged (its deadlines and
    /// alarms go with it), the master counts one more repeat request; both timelines say so.
    pub fn merge_ticket(&self, id: i64, master: i64, actor: i64) -> Result<Ticket> {
        let now = self.now();
        self.write(|tx| {
            let dup = load(tx, id)?;
            let m = load(tx, master)?;
            can_merge(&dup, &m)?;
            tx.execute(
                "INSERT INTO ticket_merges (master_id, ticket_id, merged_at, merged_by, snapshot) VALUES (?1, ?2, ?3, ?4, ?5)",
                super::sql::params![master, id, ms(now), actor, serde_json::to_string(&dup)?],
            )?;
            let mut next = dup.clone();
            next.status = Status::Closed;
            next.closed_at = Some(now);
            next.merged_into = Some(master);
            next.due_at = None;
            next.accept_due_at = None;
            next.callback_due_at = None;
            let out = rewrite(
                tx,
                &dup,
                next,
                actor,
                now,
                &event("merge", dup.status, Status::Closed, json!({ "into": m.number, "master_id": master })),
            )?;
            note(tx, &m, actor, now, "merged", None, json!({ "ticket": dup.number, "ticket_id": id }))?;
            Ok(out)
        })
    }

    /// Splits a merged call back off its master: the call is as it was before the merge
    /// (status, deadlines, everything but its version), both timelines say so.
    pub fn split_ticket(&self, id: i64, actor: i64) -> Result<Ticket> {
        let now = self.now();
        self.write(|tx| {
            let merge: Option<(i64, i64, String)> = tx
                .query_row(
                    "SELECT id, master_id, snapshot FROM ticket_merges WHERE ticket_id = ?1 AND split_at IS NULL",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((merge_id, master, snapshot)) = merge else {
                return Err(Error::InvalidTransition {
                    action: "split".into(),
                    status: "not_merged".into(),
                });
            };
            let cur = load(tx, id)?;
            let before: Ticket = serde_json::from_str(&snapshot)?;
            let m = load(tx, master)?;
            tx.execute(
                "UPDATE ticket_merges SET split_at = ?1, split_by = ?2 WHERE id = ?3",
                super::sql::params![ms(now), actor, merge_id],
            )?;
            let out = rewrite(
                tx,
                &cur,
                before.clone(),
                actor,
                now,
                &event("split", cur.status, before.status, json!({ "from": m.number, "master_id": master })),
            )?;
            note(tx, &m, actor, now, "unmerged", None, json!({ "ticket": cur.number, "ticket_id": id }))?;
            Ok(out)
        })
    }

    /// The calls merged into `master` (not split back): their ids.
    pub fn merged_calls(&self, master: i64) -> Result<Vec<i64>> {
        self.read(|c| {
            Ok(c.prepare_cached(
                "SELECT ticket_id FROM ticket_merges WHERE master_id = ?1 AND split_at IS NULL ORDER BY id",
            )?
            .query_map([master], |r| r.get(0))?
            .collect::<super::sql::Result<_>>()?)
        })
    }
}

#[cfg(test)]
#[path = "merges_tests.rs"]
mod tests;
