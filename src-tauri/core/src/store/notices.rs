//! What the scheduler tells people about incidents: the pages due (after moving
//! unanswered ones down their chain) and the reminders of review follow-ups fallen due —
//! each a notification in its person's notification centre and on the seats where they
//! are signed in (the outbox), fired once in the scheduler's transaction.

use super::db::ms;
use super::incident_views::load;
use super::incidents::{event, record};
use super::sql::Connection;
use crate::error::Result;
use chrono::{DateTime, Utc};

/// A notification about an incident for one person: a page, or a review's follow-up
/// fallen due.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Notice {
    pub incident_id: i64,
    pub number: String,
    /// The incident's title for a page, the follow-up's for a reminder.
    pub subject: String,
    pub kind: &'static str,
    /// The incident's level for a page.
    pub threshold: i64,
    pub deadline: DateTime<Utc>,
    pub user_id: i64,
}

/// Records `n` in its person's notification centre and tells their seats (the outbox).
fn notify(c: &Connection, n: &Notice, now: DateTime<Utc>) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO notifications (user_id, incident_id, kind, threshold, deadline, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((n.user_id, n.incident_id, n.kind, n.threshold, ms(n.deadline), ms(now)))?;
    let data = serde_json::json!({
        "kind": n.kind,
        "threshold": n.threshold,
        "number": n.number,
        "caller_name": n.subject,
        "deadline": n.deadline,
        "incident_id": n.incident_id,
    });
    super::outbox::publish(
        c,
        now,
        super::outbox::OutboxKind::Notification,
        None,
        Some(n.user_id),
        &data,
    )?;
    Ok(())
}

/// Fires, in the scheduler's transaction, the pages due at `now` (moving unanswered ones
/// down their chain first) and the reminders of review follow-ups fallen due: each
/// becomes a notification for its person — their notification centre, the seats where
/// they are signed in — and the incident's timeline says whom a page reached.
pub(crate) fn fire(c: &Connection, now: DateTime<Utc>) -> Result<Vec<Notice>> {
    let mut out = Vec::new();
    for f in super::pages::due_follow_ups(c, now)? {
        let i = load(c, f.incident_id)?;
        let n = Notice {
            incident_id: i.id,
            number: i.number,
            subject: f.title,
            kind: "follow_up",
            threshold: 0,
            deadline: f.due_at,
            user_id: f.owner_id,
        };
        notify(c, &n, now)?;
        out.push(n);
    }
    let ack_minutes = |id: i64| -> Result<Option<i64>> {
        let i = load(c, id)?;
        i.status
            .is_active()
            .then(|| super::plans::get(c, i.plan_id).map(|p| p.body.ack_minutes))
            .transpose()
    };
    super::pages::escalate(c, now, ack_minutes)?;
    let fired = super::pages::due(c, now)?;
    if fired.is_empty() {
        return Ok(out);
    }
    let system = super::reference::get_user(
        c,
        c.query_row(
            "SELECT id FROM users WHERE role = 'admin' ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )?,
    )?;
    let mut incidents: Vec<i64> = fired.iter().map(|p| p.incident_id).collect();
    incidents.sort_unstable();
    incidents.dedup();
    for id in incidents {
        let mut i = load(c, id)?;
        // A page queued before the incident ended is void (it was marked fired).
        if !i.status.is_active() {
            continue;
        }
        for tier in 0..=2 {
            let users: Vec<i64> = fired
                .iter()
                .filter(|p| p.incident_id == id && p.tier == tier)
                .map(|p| p.user_id)
                .collect();
            if users.is_empty() {
                continue;
            }
            for u in &users {
                let n = Notice {
                    incident_id: id,
                    number: i.number.clone(),
                    subject: i.title.clone(),
                    kind: if i.drill { "page_drill" } else { "page" },
                    threshold: i.level.get(),
                    deadline: now,
                    user_id: *u,
                };
                notify(c, &n, now)?;
                out.push(n);
            }
            let action = if tier == 0 { "page" } else { "escalate" };
            let data = serde_json::json!({ "users": users, "tier": tier, "drill": i.drill });
            let e = event(action, &i, None, data);
            record(c, &mut i, (&system).into(), now, &e)?;
        }
    }
    Ok(out)
}
