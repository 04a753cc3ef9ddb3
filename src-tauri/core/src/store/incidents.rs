//! Incidents in the store: declared with their plan's checklist, changed only through the
//! emergency rules (`emergency::apply`), each change on the incident's immutable timeline,
//! in the outbox and in the audit log, in one transaction. Calls are attached here and
//! bulletins published.

use super::db::{ms, Author, Store};
use super::incident_views::{bulletins, load, steps, Bulletin, IncidentStep};
use super::sql::{Connection, OptionalExtension};
use crate::emergency::plan::Plan;
use crate::emergency::{
    apply, declared_level, Incident, IncidentAction, IncidentStatus, Level, NewIncident,
    NewIncidentEvent,
};
use crate::error::{Error, Result};
use crate::validate::{opt_text, text, NOTE_MAX};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A bulletin (口径) as an approver publishes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewBulletin {
    /// What agents tell callers.
    pub wording: String,
    /// Advice to the public and the measures taken (the statutory fields of a notice).
    #[serde(default)]
    pub advice: String,
    #[serde(default)]
    pub measures: String,
    #[serde(default)]
    pub valid_until: Option<DateTime<Utc>>,
}

/// Changes after which an older view of the incident may no longer act: its course, not
/// what is added beside it (calls, bulletins, steps, comments).
const CHANGES_COURSE: &[&str] = &[
    "respond", "monitor", "resume", "raise", "lower", "assign", "resolve", "reopen",
];

fn active(c: &Connection, id: i64, action: &str) -> Result<Incident> {
    let i = load(c, id)?;
    if i.status.is_active() {
        Ok(i)
    } else {
        Err(Error::IncidentTransition {
            action: action.to_string(),
            status: i.status.as_str().to_string(),
        })
    }
}

fn next_number(c: &Connection, at: DateTime<Utc>) -> Result<String> {
    let day = super::rows::local_day(super::db::timezone(c)?, at);
    let seq: i64 = c
        .prepare_cached(
            "INSERT INTO day_sequences (day, last) VALUES (?1, 1)
             ON CONFLICT(day) DO UPDATE SET last = day_sequences.last + 1 RETURNING last",
        )?
        .query_row([format!("YJ{day}")], |r| r.get(0))?;
    Ok(format!("YJ{day}-{seq:02}"))
}

fn save(c: &Connection, i: &Incident) -> Result<()> {
    c.prepare_cached(
        "UPDATE incidents SET version = ?2, level = ?3, proposed_level = ?4, status = ?5, owner_id = ?6,
            plan_id = ?7, resolved_at = ?8, summary = ?9, updated_at = ?10 WHERE id = ?1",
    )?
    .execute((
        i.id,
        i.version,
        i.level.get(),
        i.proposed_level.map(Level::get),
        i.status.as_str(),
        i.owner_id,
        i.plan_id,
        i.resolved_at.map(ms),
        &i.summary,
        ms(i.updated_at),
    ))?;
    Ok(())
}

/// Appends `e` to the timeline (bumping the incident's version unless it is new), then
/// announces it and logs it.
pub(super) fn record(
    c: &Connection,
    i: &mut Incident,
    by: Author<'_>,
    at: DateTime<Utc>,
    e: &NewIncidentEvent,
) -> Result<i64> {
    let seq: i64 = c.query_row(
        "SELECT coalesce(max(seq), 0) + 1 FROM incident_events WHERE incident_id = ?1",
        [i.id],
        |r| r.get(0),
    )?;
    if e.action != "declare" {
        i.version += 1;
        i.updated_at = at;
    }
    save(c, i)?;
    c.prepare_cached(
        "INSERT INTO incident_events (incident_id, seq, at, actor_id, action, note, from_status, to_status, data, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute((
        i.id,
        seq,
        ms(at),
        by.user.id,
        &e.action,
        &e.note,
        e.from_status.map(|s| s.as_str()),
        e.to_status.as_str(),
        e.data.to_string(),
        i.version,
    ))?;
    let data = serde_json::json!({
        "number": i.number,
        "status": i.status,
        "level": i.level,
        "version": i.version,
        "action": e.action,
        "drill": i.drill,
    });
    super::outbox::publish(
        c,
        at,
        super::outbox::OutboxKind::Incident,
        None,
        None,
        &data,
    )?;
    let mut detail = e.data.clone();
    if let Some(o) = detail.as_object_mut() {
        o.insert("incident".into(), i.number.clone().into());
    }
    let detail = crate::auth::at_seat(detail, by.seat);
    super::audit::note(
        c,
        at,
        Some(by.user),
        &format!("incident_{}", e.action),
        &i.number,
        detail,
    )?;
    Ok(seq)
}

/// The plan's steps not yet on the checklist, due their minutes after `from`.
fn add_steps(c: &Connection, incident_id: i64, plan: &Plan, from: DateTime<Utc>) -> Result<()> {
    let have: Vec<String> = c
        .prepare_cached("SELECT key FROM incident_steps WHERE incident_id = ?1")?
        .query_map([incident_id], |r| r.get(0))?
        .collect::<super::sql::Result<_>>()?;
    let first: i64 = c.query_row(
        "SELECT coalesce(max(step), 0) + 1 FROM incident_steps WHERE incident_id = ?1",
        [incident_id],
        |r| r.get(0),
    )?;
    let new = plan.body.steps.iter().filter(|s| !have.contains(&s.key));
    for (n, s) in (first..).zip(new) {
        c.prepare_cached(
            "INSERT INTO incident_steps (incident_id, step, key, title, due_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute((incident_id, n, &s.key, &s.title, ms(from + Duration::minutes(s.minutes))))?;
    }
    Ok(())
}

/// Who last changed the incident's course after `version`, and how.
fn course_changed_since(c: &Connection, id: i64, version: i64) -> Result<Option<(String, String)>> {
    let actions = CHANGES_COURSE
        .iter()
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(",");
    Ok(c.query_row(
        &format!(
            "SELECT u.name, e.action FROM incident_events e JOIN users u ON u.id = e.actor_id
                 WHERE e.incident_id = ?1 AND e.version > ?2 AND e.action IN ({actions})
                 ORDER BY e.seq DESC LIMIT 1"
        ),
        (id, version),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?)
}

pub(super) fn event(
    action: &str,
    i: &Incident,
    note: Option<String>,
    data: serde_json::Value,
) -> NewIncidentEvent {
    NewIncidentEvent {
        action: action.to_string(),
        note,
        from_status: Some(i.status),
        to_status: i.status,
        data,
    }
}

/// Declares an incident in the caller's transaction (`new` already checked).
pub(super) fn declare(
    tx: &Connection,
    by: Author<'_>,
    new: &NewIncident,
    may_manage: bool,
    now: DateTime<Utc>,
) -> Result<Incident> {
    let (level, proposed_level) = declared_level(may_manage, new.level);
    if let Some(c) = new.category_id {
        super::reference::get_category(tx, c)?;
    }
    let plan = super::plans::current(tx, new.kind, level)?;
    let number = next_number(tx, now)?;
    let new_id = tx.prepare_cached(
        "INSERT INTO incidents (number, version, title, kind, level, proposed_level, status, area, services,
            category_id, started_at, declared_at, declared_by, plan_id, drill, updated_at)
         VALUES (?1, 1, ?2, ?3, ?4, ?5, 'declared', ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?10)",
    )?
    .insert(super::sql::params![
        number,
        new.title,
        new.kind.as_str(),
        level.get(),
        proposed_level.map(Level::get),
        new.area,
        new.services,
        new.category_id,
        ms(new.started_at.unwrap_or(now)),
        ms(now),
        by.user.id,
        plan.id,
        new.drill,
    ])?;
    let mut i = load(tx, new_id)?;
    add_steps(tx, i.id, &plan, now)?;
    let data = serde_json::json!({
        "title": i.title, "kind": i.kind, "level": level, "proposed_level": proposed_level,
        "plan_id": plan.id, "plan_version": plan.version, "drill": i.drill, "area": i.area,
    });
    let e = NewIncidentEvent {
        action: "declare".into(),
        note: new.note.clone(),
        from_status: None,
        to_status: IncidentStatus::Declared,
        data,
    };
    let seq = record(tx, &mut i, by, now, &e)?;
    super::pages::queue(tx, i.id, seq, &plan.body, i.drill, now)?;
    Ok(i)
}

/// Attaches a call to an active incident in the caller's transaction.
pub(super) fn link(
    tx: &Connection,
    incident_id: i64,
    ticket_id: i64,
    by: Author<'_>,
    now: DateTime<Utc>,
) -> Result<Incident> {
    let mut i = active(tx, incident_id, "link")?;
    let t = super::rows::load(tx, ticket_id)?;
    let other: Option<String> = tx
        .query_row(
            "SELECT i.number FROM incident_tickets l JOIN incidents i ON i.id = l.incident_id WHERE l.ticket_id = ?1",
            [ticket_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(number) = other {
        return Err(Error::Taken {
            field: "incident",
            value: number,
        });
    }
    tx.prepare_cached("INSERT INTO incident_tickets (ticket_id, incident_id, linked_at, linked_by) VALUES (?1, ?2, ?3, ?4)")?
        .execute((ticket_id, incident_id, ms(now), by.user.id))?;
    let e = event(
        "link",
        &i,
        None,
        serde_json::json!({ "ticket_id": t.id, "number": t.number }),
    );
    record(tx, &mut i, by, now, &e)?;
    Ok(i)
}

impl Store {
    /// Declares an incident: numbered, on the current plan of its kind and level, with
    /// that plan's checklist, its recipients paged. Without `may_manage` a level above 1
    /// is declared at 1 and proposed (someone who may raise decides).
    pub fn declare_incident(
        &self,
        by: Author<'_>,
        new: &NewIncident,
        may_manage: bool,
    ) -> Result<Incident> {
        let now = self.now();
        let new = new.validated(now)?;
        self.write(|tx| declare(tx, by, &new, may_manage, now))
    }

    /// Changes an incident's course. `version` is the one the user saw: if its course has
    /// changed since (status, level, owner), nothing is written and they are told by whom.
    pub fn act_incident(
        &self,
        id: i64,
        version: i64,
        by: Author<'_>,
        action: &IncidentAction,
    ) -> Result<Incident> {
        let now = self.now();
        self.write(|tx| {
            let cur = load(tx, id)?;
            if version > cur.version {
                return Err(Error::IncidentChanged {
                    expected: version,
                    actual: cur.version,
                    by: String::new(),
                    change: String::new(),
                });
            }
            if version < cur.version && action.manages() {
                if let Some((by, change)) = course_changed_since(tx, id, version)? {
                    return Err(Error::IncidentChanged {
                        expected: version,
                        actual: cur.version,
                        by,
                        change,
                    });
                }
            }
            if let IncidentAction::Assign { owner_id } = action {
                let owner = super::reference::get_user(tx, *owner_id)?;
                if !owner.active {
                    return Err(Error::Inactive {
                        entity: "user",
                        key: owner.name,
                    });
                }
            }
            let (mut next, mut e) = apply(&cur, action, now)?;
            let mut page = None;
            if next.level != cur.level {
                // The new level's plan (as it stands now) takes over; its steps not yet on
                // the checklist are added, due from now.
                let plan = super::plans::current(tx, next.kind, next.level)?;
                add_steps(tx, id, &plan, now)?;
                next.plan_id = plan.id;
                if let Some(o) = e.data.as_object_mut() {
                    o.insert("plan_id".into(), plan.id.into());
                    o.insert("plan_version".into(), plan.version.into());
                }
                // A raise pages the higher plan's recipients; a lowering pages nobody.
                page = (next.level > cur.level).then_some(plan);
            }
            let seq = record(tx, &mut next, by, now, &e)?;
            if let Some(plan) = page {
                super::pages::queue(tx, id, seq, &plan.body, next.drill, now)?;
            }
            Ok(next)
        })
    }

    /// Attaches a call to an active incident (a call belongs to one incident at most).
    pub fn link_ticket(
        &self,
        incident_id: i64,
        ticket_id: i64,
        by: Author<'_>,
    ) -> Result<Incident> {
        let now = self.now();
        self.write(|tx| link(tx, incident_id, ticket_id, by, now))
    }

    /// Detaches a call attached by mistake.
    pub fn unlink_ticket(&self, ticket_id: i64, by: Author<'_>) -> Result<Incident> {
        let now = self.now();
        self.write(|tx| {
            let incident_id: i64 = tx
                .query_row(
                    "SELECT incident_id FROM incident_tickets WHERE ticket_id = ?1",
                    [ticket_id],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| Error::NotFound {
                    entity: "incident",
                    key: format!("ticket {ticket_id}"),
                })?;
            let mut i = load(tx, incident_id)?;
            let t = super::rows::load(tx, ticket_id)?;
            tx.execute(
                "DELETE FROM incident_tickets WHERE ticket_id = ?1",
                [ticket_id],
            )?;
            let e = event(
                "unlink",
                &i,
                None,
                serde_json::json!({ "ticket_id": t.id, "number": t.number }),
            );
            record(tx, &mut i, by, now, &e)?;
            Ok(i)
        })
    }

    /// Publishes the next version of an active incident's bulletin.
    pub fn publish_bulletin(
        &self,
        incident_id: i64,
        by: Author<'_>,
        b: &NewBulletin,
    ) -> Result<Bulletin> {
        let now = self.now();
        let wording = text("wording", &b.wording, NOTE_MAX)?;
        let advice = opt_text("advice", Some(&b.advice), NOTE_MAX)?.unwrap_or_default();
        let measures = opt_text("measures", Some(&b.measures), NOTE_MAX)?.unwrap_or_default();
        if let Some(until) = b.valid_until.filter(|u| *u <= now) {
            return Err(Error::DeadlineTooEarly {
                deadline: until.to_rfc3339(),
                after: now.to_rfc3339(),
            });
        }
        self.write(|tx| {
            let mut i = active(tx, incident_id, "bulletin")?;
            let version: i64 = tx.query_row(
                "SELECT coalesce(max(version), 0) + 1 FROM incident_bulletins WHERE incident_id = ?1",
                [incident_id],
                |r| r.get(0),
            )?;
            tx.prepare_cached(
                "INSERT INTO incident_bulletins (incident_id, version, wording, advice, measures, valid_until, approved_by, published_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute((incident_id, version, &wording, &advice, &measures, b.valid_until.map(ms), by.user.id, ms(now)))?;
            let e = event("bulletin", &i, Some(wording.clone()), serde_json::json!({ "bulletin_version": version }));
            record(tx, &mut i, by, now, &e)?;
            Ok(bulletins(tx, incident_id)?.remove(0))
        })
    }

    /// Marks a step of the checklist done (once), saying whether it was late.
    pub fn complete_step(
        &self,
        incident_id: i64,
        step: i64,
        by: Author<'_>,
        note: Option<&str>,
    ) -> Result<IncidentStep> {
        let now = self.now();
        let note = opt_text("note", note, NOTE_MAX)?;
        self.write(|tx| {
            let mut i = load(tx, incident_id)?;
            let s = steps(tx, incident_id)?
                .into_iter()
                .find(|s| s.step == step)
                .ok_or_else(|| Error::NotFound { entity: "step", key: step.to_string() })?;
            if s.done_at.is_some() || i.status == IncidentStatus::Reviewed {
                return Err(Error::IncidentTransition { action: "step_done".into(), status: i.status.as_str().into() });
            }
            tx.execute(
                "UPDATE incident_steps SET done_at = ?3, done_by = ?4, note = ?5 WHERE incident_id = ?1 AND step = ?2",
                (incident_id, step, ms(now), by.user.id, &note),
            )?;
            let data = serde_json::json!({ "step": step, "key": s.key, "late": now > s.due_at });
            let e = event("step_done", &i, note, data);
            record(tx, &mut i, by, now, &e)?;
            Ok(steps(tx, incident_id)?.into_iter().find(|s| s.step == step).unwrap_or(s))
        })
    }

    /// Acknowledges the user's pages about an incident (from any of their seats): the
    /// chain stops there. Refused when nothing waits for their acknowledgement.
    pub fn acknowledge_page(&self, incident_id: i64, by: Author<'_>) -> Result<Incident> {
        let now = self.now();
        self.write(|tx| {
            let mut i = load(tx, incident_id)?;
            if super::pages::acknowledge(tx, incident_id, by.user.id, now)? == 0 {
                return Err(Error::NotFound {
                    entity: "page",
                    key: i.number.clone(),
                });
            }
            let e = event(
                "acknowledge",
                &i,
                None,
                serde_json::json!({ "drill": i.drill }),
            );
            record(tx, &mut i, by, now, &e)?;
            Ok(i)
        })
    }
}

#[cfg(test)]
#[path = "incidents_tests.rs"]
mod tests;
