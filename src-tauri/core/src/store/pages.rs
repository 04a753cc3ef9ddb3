//! Pages of the emergency team: who a declaration or a raise pages (the plan's roles,
//! named people and the holders of its duty posts now), the chain an unanswered page
//! follows (the duty leader's backup, then the managers), and the page rows themselves.
//! Each row fires once (its unique key); `incidents` fires them and writes the timeline.
//! The reminders of review follow-ups fallen due are found here too.

use super::db::{from_ms, ms};
use super::sql::{Connection, OptionalExtension};
use crate::emergency::plan::{DutyRole, PlanBody};
use crate::error::Result;
use crate::model::Role;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// A page that fired.
#[derive(Debug, Clone, PartialEq)]
pub struct PageFired {
    pub incident_id: i64,
    pub user_id: i64,
    pub tier: i64,
    pub drill: bool,
}

/// One person paged about an incident, for its screen and its review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageRow {
    pub event_seq: i64,
    pub user_id: i64,
    pub user_name: String,
    pub tier: i64,
    pub fired_at: Option<DateTime<Utc>>,
    pub acked_at: Option<DateTime<Utc>>,
    pub drill: bool,
}

fn active_with_role(c: &Connection, roles: &[Role]) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    for r in roles {
        let ids: Vec<i64> = c
            .prepare_cached("SELECT id FROM users WHERE role = ?1 AND active ORDER BY id")?
            .query_map([r.as_str()], |x| x.get(0))?
            .collect::<super::sql::Result<_>>()?;
        out.extend(ids);
    }
    Ok(out)
}

/// Queues the pages of a declaration or a raise (`event_seq`) for `plan`'s recipients,
/// due now. The duty leader's page (and only theirs) goes on down the chain when it is
/// not acknowledged within the plan's minutes.
pub(crate) fn queue(
    c: &Connection,
    incident_id: i64,
    event_seq: i64,
    plan: &PlanBody,
    drill: bool,
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    let on_duty = super::roster::on_duty(c, now)?;
    let leaders: Vec<i64> = on_duty
        .iter()
        .filter(|o| o.assignment.post == DutyRole::Leader && !o.assignment.backup)
        .map(|o| o.assignment.user_id)
        .collect();
    let mut to = active_with_role(c, &plan.notify.roles)?;
    for u in &plan.notify.users {
        // A person named by the plan who has left since is not paged.
        let active: Option<bool> = c
            .query_row("SELECT active FROM users WHERE id = ?1", [u], |r| r.get(0))
            .optional()?;
        if active == Some(true) {
            to.push(*u);
        }
    }
    to.extend(
        on_duty
            .iter()
            .filter(|o| !o.assignment.backup && plan.notify.on_duty.contains(&o.assignment.post))
            .map(|o| o.assignment.user_id),
    );
    to.sort_unstable();
    to.dedup();
    for u in &to {
        let chain = (plan.ack_minutes > 0 && leaders.contains(u))
            .then(|| ms(now + Duration::minutes(plan.ack_minutes)));
        insert(c, incident_id, event_seq, *u, 0, now, chain, drill)?;
    }
    Ok(to)
}

#[allow(clippy::too_many_arguments)]
fn insert(
    c: &Connection,
    incident_id: i64,
    event_seq: i64,
    user_id: i64,
    tier: i64,
    now: DateTime<Utc>,
    escalate_at: Option<i64>,
    drill: bool,
) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO incident_pages (incident_id, event_seq, user_id, tier, fire_at, escalate_at, drill)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(incident_id, event_seq, user_id) DO NOTHING",
    )?
    .execute((incident_id, event_seq, user_id, tier, ms(now), escalate_at, drill))?;
    Ok(())
}

/// Fires the pages due at `now`, once each (marked in the caller's transaction).
pub(crate) fn due(c: &Connection, now: DateTime<Utc>) -> Result<Vec<PageFired>> {
    let rows: Vec<(i64, PageFired)> = c
        .prepare_cached(
            "SELECT id, incident_id, user_id, tier, drill FROM incident_pages
             WHERE fired_at IS NULL AND fire_at <= ?1 ORDER BY fire_at, id LIMIT 1000",
        )?
        .query_map([ms(now)], |r| {
            Ok((
                r.get(0)?,
                PageFired {
                    incident_id: r.get(1)?,
                    user_id: r.get(2)?,
                    tier: r.get(3)?,
                    drill: r.get(4)?,
                },
            ))
        })?
        .collect::<super::sql::Result<_>>()?;
    for (id, _) in &rows {
        c.prepare_cached("UPDATE incident_pages SET fired_at = ?1 WHERE id = ?2")?
            .execute((ms(now), id))?;
    }
    Ok(rows.into_iter().map(|(_, p)| p).collect())
}

/// Pages unanswered past their time: each goes on once down the chain — the duty
/// leader's to the backup leaders on duty (or, with none, the managers), a backup's to
/// the managers — unless someone in the chain has acknowledged, or the incident is over.
/// Returns how many new pages were queued.
pub(crate) fn escalate(
    c: &Connection,
    now: DateTime<Utc>,
    ack_minutes: impl Fn(i64) -> Result<Option<i64>>,
) -> Result<usize> {
    let late: Vec<(i64, i64, i64, i64, bool)> = c
        .prepare_cached(
            "SELECT p.id, p.incident_id, p.event_seq, p.tier, p.drill FROM incident_pages p
             WHERE p.acked_at IS NULL AND p.escalated = FALSE AND p.escalate_at IS NOT NULL AND p.escalate_at <= ?1
             ORDER BY p.escalate_at, p.id LIMIT 1000",
        )?
        .query_map([ms(now)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
        .collect::<super::sql::Result<_>>()?;
    let mut queued = 0;
    for (id, incident_id, event_seq, tier, drill) in late {
        c.prepare_cached("UPDATE incident_pages SET escalated = TRUE WHERE id = ?1")?
            .execute([id])?;
        let answered: bool = c.query_row(
            "SELECT EXISTS(SELECT 1 FROM incident_pages WHERE incident_id = ?1 AND event_seq = ?2
                AND acked_at IS NOT NULL AND (tier > 0 OR escalate_at IS NOT NULL))",
            (incident_id, event_seq),
            |r| r.get(0),
        )?;
        // The plan's minutes while the incident runs; none once it is over.
        let Some(minutes) = ack_minutes(incident_id)?.filter(|_| !answered) else {
            continue;
        };
        let backups: Vec<i64> = if tier == 0 {
            super::roster::on_duty(c, now)?
                .iter()
                .filter(|o| o.assignment.post == DutyRole::Leader && o.assignment.backup)
                .map(|o| o.assignment.user_id)
                .collect()
        } else {
            vec![]
        };
        let (next_tier, to) = if backups.is_empty() {
            let mut up = active_with_role(c, &[Role::Manager])?;
            if up.is_empty() {
                up = active_with_role(c, &[Role::Admin])?;
            }
            (2, up)
        } else {
            (1, backups)
        };
        let chain = (next_tier < 2).then(|| ms(now + Duration::minutes(minutes)));
        for u in to {
            insert(c, incident_id, event_seq, u, next_tier, now, chain, drill)?;
            queued += 1;
        }
    }
    Ok(queued)
}

/// Acknowledges `user_id`'s pages about an incident (from any of their seats); how many.
pub(crate) fn acknowledge(
    c: &Connection,
    incident_id: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<usize> {
    Ok(c.execute(
        "UPDATE incident_pages SET acked_at = ?3 WHERE incident_id = ?1 AND user_id = ?2 AND acked_at IS NULL AND fired_at IS NOT NULL",
        (incident_id, user_id, ms(now)),
    )?)
}

/// A review's follow-up action fallen due: its owner is reminded, once.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpDue {
    pub incident_id: i64,
    pub title: String,
    pub owner_id: i64,
    pub due_at: DateTime<Utc>,
}

/// Follow-ups fallen due at `now`, not done and not yet reminded: marked reminded in the
/// caller's transaction.
pub(crate) fn due_follow_ups(c: &Connection, now: DateTime<Utc>) -> Result<Vec<FollowUpDue>> {
    let rows: Vec<(i64, FollowUpDue)> = c
        .prepare_cached(
            "SELECT id, incident_id, title, owner_id, due_at FROM incident_follow_ups
             WHERE done_at IS NULL AND reminded_at IS NULL AND due_at <= ?1 ORDER BY due_at, id LIMIT 1000",
        )?
        .query_map([ms(now)], |r| {
            Ok((
                r.get(0)?,
                FollowUpDue {
                    incident_id: r.get(1)?,
                    title: r.get(2)?,
                    owner_id: r.get(3)?,
                    due_at: from_ms(r.get(4)?),
                },
            ))
        })?
        .collect::<super::sql::Result<_>>()?;
    for (id, _) in &rows {
        c.prepare_cached("UPDATE incident_follow_ups SET reminded_at = ?2 WHERE id = ?1")?
            .execute((id, ms(now)))?;
    }
    Ok(rows.into_iter().map(|(_, f)| f).collect())
}

/// When the scheduler must look at pages next (a page due, a chain's next step, a
/// follow-up falling due): the parts of the scheduler's one wake-up statement
/// (`alarms::next_due`), one instant each.
pub(super) const DUE: &str =
    "SELECT min(fire_at) FROM incident_pages WHERE fired_at IS NULL
     UNION ALL
     SELECT min(escalate_at) FROM incident_pages WHERE acked_at IS NULL AND escalated = FALSE AND escalate_at IS NOT NULL
     UNION ALL
     SELECT min(due_at) FROM incident_follow_ups WHERE done_at IS NULL AND reminded_at IS NULL";

/// Everyone paged about an incident, in order.
pub(crate) fn of_incident(c: &Connection, incident_id: i64) -> Result<Vec<PageRow>> {
    let mut st = c.prepare_cached(
        "SELECT p.event_seq, p.user_id, u.name, p.tier, p.fired_at, p.acked_at, p.drill
         FROM incident_pages p JOIN users u ON u.id = p.user_id WHERE p.incident_id = ?1
         ORDER BY p.event_seq, p.tier, p.id",
    )?;
    let rows = st
        .query_map([incident_id], |r| {
            Ok(PageRow {
                event_seq: r.get(0)?,
                user_id: r.get(1)?,
                user_name: r.get(2)?,
                tier: r.get(3)?,
                fired_at: r.get::<_, Option<i64>>(4)?.map(from_ms),
                acked_at: r.get::<_, Option<i64>>(5)?.map(from_ms),
                drill: r.get(6)?,
            })
        })?
        .collect::<super::sql::Result<_>>()?;
    Ok(rows)
}

#[cfg(test)]
#[path = "pages_tests.rs"]
mod tests;
