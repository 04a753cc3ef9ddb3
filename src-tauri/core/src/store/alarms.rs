//! Alarms in the store: kept in step with every ticket write, found through an index on
//! their instants, fired once in a transaction that also records the notifications.

use super::db::{from_ms, ms, Store};
use super::reference::user_row;
use super::sql::{Connection, OptionalExtension};
use crate::alarms::{due, recipients, AlarmKind, Rules, BREACH};
use crate::calendar::Calendar;
use crate::error::Result;
use crate::lifecycle::NewEvent;
use crate::model::{Severity, Ticket, Urgency, User};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// What refreshing alarms needs besides the ticket: the rules and the office calendar
/// (non-urgent reminders wait for working time).
pub(crate) struct Ctx {
    pub rules: Rules,
    pub office: Calendar,
}

pub(crate) fn ctx(c: &Connection) -> Result<Ctx> {
    Ok(Ctx {
        rules: rules(c)?,
        office: super::calendar::load_calendar(c, "office")?,
    })
}

fn rules(c: &Connection) -> Result<Rules> {
    let thresholds = super::db::get_setting(c, "reminder_thresholds")?;
    Ok(Rules {
        thresholds: Rules::parse_thresholds(&thresholds)
            .unwrap_or_else(|| Rules::default().thresholds),
        repeat_hours: super::db::get_setting(c, "repeat_hours")?
            .parse()
            .unwrap_or(4),
    })
}

/// Non-urgent reminders wait for working time; urgent and grave ones do not.
fn when(t: &Ticket, at: DateTime<Utc>, cx: &Ctx) -> DateTime<Utc> {
    if t.urgency == Urgency::Normal && t.severity == Severity::General {
        cx.office.next_working_instant(at).map_or(at, |c| c.value)
    } else {
        at
    }
}

/// Replaces a ticket's pending alarms by those of its current deadlines. A reminder whose
/// moment has already passed, or an incident alert from the past, is recorded as fired
/// (no late storm); a breach still fires.
pub(crate) fn refresh(c: &Connection, t: &Ticket, now: DateTime<Utc>, cx: &Ctx) -> Result<()> {
    let mut wanted = due(t, &cx.rules);
    // The co-handling parts still owed run their own clocks while the ticket runs.
    if !t.status.is_final() && t.paused_at.is_none() {
        wanted.extend(crate::alarms::co_due(
            &super::co_parts::owed_clocks(c, t.id)?,
            &cx.rules,
        ));
    }
    // Pending repeats survive only while their deadline still runs.
    let pending: Vec<(i64, String, i64, i64)> = c
        .prepare_cached("SELECT id, kind, threshold, deadline FROM alarms WHERE ticket_id = ?1 AND fired_at IS NULL")?
        .query_map([t.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<super::sql::Result<_>>()?;
    for (id, kind, threshold, deadline) in pending {
        if AlarmKind::parse(&kind).is_workflow() {
            continue; // an announcement stands whatever the deadlines do
        }
        let running = wanted
            .iter()
            .any(|a| a.kind.as_str() == kind && ms(a.deadline) == deadline);
        if threshold <= BREACH || !running {
            c.prepare_cached("DELETE FROM alarms WHERE id = ?1")?
                .execute([id])?;
        }
    }
    add(c, t, now, cx, wanted)
}

/// The alarms of a ticket logged in this transaction: it has no co-handling parts and no
/// alarms yet to read, and without a deadline no calendar to load.
pub(crate) fn first(c: &Connection, t: &Ticket, now: DateTime<Utc>) -> Result<()> {
    let rules = rules(c)?;
    let wanted = due(t, &rules);
    if wanted.is_empty() {
        return Ok(());
    }
    let office = super::calendar::load_calendar(c, "office")?;
    add(c, t, now, &Ctx { rules, office }, wanted)
}

fn add(
    c: &Connection,
    t: &Ticket,
    now: DateTime<Utc>,
    cx: &Ctx,
    wanted: Vec<crate::alarms::Alarm>,
) -> Result<()> {
    for a in wanted {
        let fire_at = if a.threshold < BREACH {
            when(t, a.fire_at, cx)
        } else {
            a.fire_at
        };
        let stale = match a.kind {
            AlarmKind::Incident | AlarmKind::ReportUpward => fire_at < now - Duration::minutes(1),
            _ => fire_at <= now && a.threshold < BREACH,
        };
        c.prepare_cached(
            "INSERT INTO alarms (ticket_id, kind, threshold, deadline, fire_at, fired_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(ticket_id, kind, threshold, deadline) DO NOTHING",
        )?
        .execute((t.id, a.kind.as_str(), a.threshold, ms(a.deadline), ms(fire_at), stale.then_some(ms(now))))?;
    }
    Ok(())
}

/// Announces a workflow step (a transfer reaching a department, a reply coming back, an
/// extension asked or decided) as an alarm due now: the scheduler fires it like any
/// other, so the same recipients' rules, languages, quiet hours and muting apply, and the
/// unique key (the event's sequence number in `threshold`) makes it notify once.
pub(crate) fn announce(
    c: &Connection,
    t: &Ticket,
    action: &str,
    seq: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(kind) = AlarmKind::announced_by(action) else {
        return Ok(());
    };
    let deadline = match kind {
        AlarmKind::ExtensionRequested => t.extension_due_at,
        AlarmKind::Replied => None,
        _ => t.due_at,
    }
    .unwrap_or(now);
    c.prepare_cached(
        "INSERT INTO alarms (ticket_id, kind, threshold, deadline, fire_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(ticket_id, kind, threshold, deadline) DO NOTHING",
    )?
    .execute((t.id, kind.as_str(), seq.clamp(1, 10_000), ms(deadline), ms(now)))?;
    Ok(())
}

/// Builds the alarms of every open ticket once (a file from before alarms existed).
pub(crate) fn backfill(c: &Connection, now: DateTime<Utc>) -> Result<()> {
    let any: bool = c.query_row("SELECT EXISTS(SELECT 1 FROM alarms)", [], |r| r.get(0))?;
    if any {
        return Ok(());
    }
    let cx = ctx(c)?;
    let txn = c.transaction()?;
    let tx = txn.conn();
    let ids: Vec<i64> = tx
        .prepare("SELECT id FROM tickets WHERE status NOT IN ('closed', 'archived')")?
        .query_map([], |r| r.get(0))?
        .collect::<super::sql::Result<_>>()?;
    for id in ids {
        let t = super::rows::load(&tx, id)?;
        refresh(&tx, &t, now, &cx)?;
    }
    txn.commit()?;
    Ok(())
}

/// One alarm (or page) that fired, with what a notification needs to say.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fired {
    /// The ticket a deadline or an announcement is about…
    pub ticket_id: Option<i64>,
    /// …or the incident a page is about (then `number` is the incident's and
    /// `caller_name` its title, `threshold` its level)…
    pub incident_id: Option<i64>,
    /// …or the training session a reminder is about (`number`: its title).
    #[serde(default)]
    pub session_id: Option<i64>,
    pub number: String,
    pub caller_name: String,
    pub kind: AlarmKind,
    pub threshold: i64,
    pub deadline: DateTime<Utc>,
    pub recipients: Vec<i64>,
}

impl Fired {
    /// Title and body of the desktop notification, in `lang`, the deadline in `tz`.
    pub fn message(&self, lang: &str, tz: chrono_tz::Tz) -> (String, String) {
        use crate::i18n::tr;
        let kind = self.kind.as_str();
        let deadline = self
            .deadline
            .with_timezone(&tz)
            .format("%m-%d %H:%M")
            .to_string();
        let caller = match self.caller_name.as_str() {
            "" => ("caller", tr(lang, "notify.caller_unnamed", &[])),
            name => ("caller", name.to_string()),
        };
        let title = tr(
            lang,
            &format!("notify.title.{kind}"),
            &[("number", self.number.clone())],
        );
        let body = match self.kind {
            AlarmKind::FollowUp => tr(
                lang,
                "notify.body.follow_up",
                &[
                    ("title", self.caller_name.clone()),
                    ("deadline", deadline.clone()),
                ],
            ),
            AlarmKind::Training => tr(
                lang,
                "notify.body.training",
                &[
                    ("title", self.number.clone()),
                    ("deadline", deadline.clone()),
                ],
            ),
            AlarmKind::Finding => tr(
                lang,
                "notify.body.finding",
                &[("number", self.number.clone())],
            ),
            AlarmKind::Page | AlarmKind::PageDrill => tr(
                lang,
                &format!("notify.body.{kind}"),
                &[
                    ("title", self.caller_name.clone()),
                    (
                        "level",
                        tr(lang, &format!("incident.level.{}", self.threshold), &[]),
                    ),
                ],
            ),
            AlarmKind::Incident | AlarmKind::ReportUpward => {
                tr(lang, &format!("notify.body.{kind}"), &[caller])
            }
            k if k.is_workflow() => tr(
                lang,
                &format!("notify.body.{kind}"),
                &[caller, ("deadline", deadline)],
            ),
            _ if self.threshold >= BREACH => tr(
                lang,
                "notify.body.breach",
                &[caller, ("deadline", deadline)],
            ),
            _ => tr(
                lang,
                "notify.body.reminder",
                &[
                    caller,
                    ("deadline", deadline),
                    ("percent", self.threshold.to_string()),
                ],
            ),
        };
        (title, body)
    }
}

impl super::outbox::OutboxEntry {
    /// A notification entry as the alarm that fired it, for its recipient's pop-up (in
    /// their language and quiet hours: `Store::popups`).
    pub fn fired(&self) -> Option<Fired> {
        if self.kind != super::outbox::OutboxKind::Notification {
            return None;
        }
        let d = &self.data;
        let incident_id = d["incident_id"].as_i64();
        let session_id = d["session_id"].as_i64();
        Some(Fired {
            ticket_id: if incident_id.is_some() || session_id.is_some() {
                None
            } else {
                Some(self.ticket_id?)
            },
            session_id,
            incident_id,
            number: d["number"].as_str()?.to_string(),
            caller_name: d["caller_name"].as_str().unwrap_or_default().to_string(),
            kind: crate::alarms::AlarmKind::parse(d["kind"].as_str()?),
            threshold: d["threshold"].as_i64()?,
            deadline: serde_json::from_value(d["deadline"].clone()).ok()?,
            recipients: vec![self.user_id?],
        })
    }
}

/// The earliest moment something is due: an unfired alarm, a page or a step of a page's
/// chain, a follow-up, a training reminder. `fire_due` fires exactly what this covers.
fn next_due(c: &Connection, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
    // One statement: the scheduler asks on every wake-up, mostly to hear "not yet".
    let v: Option<i64> = c
        .prepare_cached(&format!(
            "SELECT min(t) FROM (
                SELECT min(fire_at) AS t FROM alarms WHERE fired_at IS NULL
                UNION ALL {}
                UNION ALL {}) AS due",
            super::pages::DUE,
            super::training::REMINDER_DUE
        ))?
        .query_row((super::training::reminder_lead(c)?, ms(now)), |r| r.get(0))?;
    Ok(v.map(from_ms))
}

impl Store {
    /// When the scheduler must wake next (the earliest unfired alarm, page or step of a
    /// page's chain).
    pub fn next_alarm(&self) -> Result<Option<DateTime<Utc>>> {
        let now = self.now();
        self.read(|c| next_due(c, now))
    }

    /// Fires every alarm due at `now`, once: marks it fired, records a notification for
    /// each recipient and, for a breach, a 催办 (urge) event on the ticket's timeline. The
    /// emergency team's pages due fire in the same transaction.
    pub fn fire_due(&self, now: DateTime<Utc>) -> Result<Vec<Fired>> {
        Ok(self.wake(now)?.0)
    }

    /// One round of the scheduler: fires what is due at `now` (`fire_due`) and says when
    /// to wake next. Most wake-ups find nothing due (every change wakes the scheduler): one
    /// read answers both, without the write transaction (on PostgreSQL the centre's write
    /// lock and a commit). What becomes due after this read wakes the scheduler again
    /// through the change it was written by.
    pub fn wake(&self, now: DateTime<Utc>) -> Result<(Vec<Fired>, Option<DateTime<Utc>>)> {
        let next = self.read(|c| next_due(c, now))?;
        if next.is_none_or(|at| at > now) {
            return Ok((Vec::new(), next));
        }
        let fired = self.fire(now)?;
        Ok((fired, self.read(|c| next_due(c, now))?))
    }

    fn fire(&self, now: DateTime<Utc>) -> Result<Vec<Fired>> {
        self.write(|tx| {
            let mut out: Vec<Fired> = super::notices::fire(tx, now)?
                .into_iter()
                .map(|n| Fired {
                    ticket_id: None,
                    incident_id: Some(n.incident_id),
                    session_id: None,
                    number: n.number,
                    caller_name: n.subject,
                    kind: AlarmKind::parse(n.kind),
                    threshold: n.threshold,
                    deadline: n.deadline,
                    recipients: vec![n.user_id],
                })
                .collect();
            out.extend(super::training::remind(tx, now)?.into_iter().map(|r| Fired {
                ticket_id: None,
                incident_id: None,
                session_id: Some(r.session_id),
                number: r.title,
                caller_name: r.place,
                kind: AlarmKind::Training,
                threshold: 0,
                deadline: r.starts_at,
                recipients: r.recipients,
            }));
            let due: Vec<(i64, i64, String, i64, i64)> = tx
                .prepare_cached(
                    "SELECT id, ticket_id, kind, threshold, deadline FROM alarms
                     WHERE fired_at IS NULL AND fire_at <= ?1 ORDER BY fire_at, id LIMIT 1000",
                )?
                .query_map([ms(now)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
                .collect::<super::sql::Result<_>>()?;
            if due.is_empty() {
                return Ok(out);
            }
            let cx = ctx(tx)?;
            let users: Vec<User> = tx.prepare_cached("SELECT * FROM users")?.query_map([], user_row)?.collect::<super::sql::Result<_>>()?;
            for (alarm, ticket_id, kind, threshold, deadline) in due {
                // Only an alarm still unfired is taken: what another instance fired is
                // not fired again (its writes come before or after this one, never beside).
                if tx.prepare_cached("UPDATE alarms SET fired_at = ?1 WHERE id = ?2 AND fired_at IS NULL")?.execute((ms(now), alarm))? == 0 {
                    continue;
                }
                let mut t = super::rows::load(tx, ticket_id)?;
                let kind = AlarmKind::parse(&kind);
                // A co-handling part's alarm reaches the departments that still owe it.
                let owing = if kind == AlarmKind::CoHandle {
                    super::co_parts::owed_departments(tx, ticket_id, deadline)?
                } else {
                    vec![]
                };
                let to = if kind == AlarmKind::CoHandle {
                    crate::alarms::co_recipients(threshold, &owing, &users)
                } else {
                    recipients(&t, kind, threshold, &users)
                };
                for u in &to {
                    tx.prepare_cached(
                        "INSERT INTO notifications (user_id, ticket_id, kind, threshold, deadline, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?
                    .execute((u, ticket_id, kind.as_str(), threshold, deadline, ms(now)))?;
                    // What a seat needs to show the pop-up (`OutboxEntry::fired`); an
                    // anonymous caller's name reaches nobody.
                    let data = serde_json::json!({
                        "kind": kind,
                        "threshold": threshold,
                        "number": t.number,
                        "caller_name": if t.anonymous { "" } else { t.caller_name.as_str() },
                        "deadline": from_ms(deadline),
                    });
                    super::outbox::publish(tx, now, super::outbox::OutboxKind::Notification, Some(ticket_id), Some(*u), &data)?;
                }
                // The breach urges (催办) on the timeline and repeats while missed; a grave
                // incident records whom it alerted, and 特别重大 the report upward.
                let action = match kind {
                    AlarmKind::Incident => Some("alert"),
                    AlarmKind::ReportUpward => Some("report_upward"),
                    k if k.is_workflow() => None,
                    _ if threshold == BREACH => Some("urge"),
                    _ => None,
                };
                if let Some(action) = action {
                    let actor = users.iter().find(|u| u.role == crate::model::Role::Admin).map_or(1, |u| u.id);
                    let event = NewEvent {
                        action,
                        note: None,
                        from_status: Some(t.status),
                        to_status: t.status,
                        data: serde_json::json!({ "kind": kind, "deadline": from_ms(deadline), "notified": to }),
                    };
                    super::rows::append_event(tx, &mut t, now, actor, &event)?;
                    // Each department's first breach of this deadline: a 催办通知书 (the
                    // lead's, or every co-handler's that still owes its part).
                    let urged: Vec<i64> = match kind {
                        AlarmKind::CoHandle => owing.clone(),
                        _ => t.department_id.into_iter().collect(),
                    };
                    for department_id in urged.into_iter().filter(|_| threshold == BREACH && action == "urge") {
                        super::supervision::issue(tx, super::supervision::Issue {
                            kind: crate::supervision::NoticeKind::Urge,
                            cause: crate::supervision::NoticeCause::Breach,
                            department_id,
                            deadline: Some(from_ms(deadline)),
                            note: None,
                            by: None,
                            actor,
                            now,
                            ticket: &mut t,
                        })?;
                    }
                }
                if threshold >= BREACH && kind.repeats() && cx.rules.repeat_hours > 0 {
                    let next = when(&t, now + Duration::hours(cx.rules.repeat_hours), &cx);
                    tx.prepare_cached(
                        "INSERT INTO alarms (ticket_id, kind, threshold, deadline, fire_at) VALUES (?1, ?2, ?3, ?4, ?5)
                         ON CONFLICT(ticket_id, kind, threshold, deadline) DO NOTHING",
                    )?
                    .execute((ticket_id, kind.as_str(), threshold + 1, deadline, ms(next)))?;
                }
                out.push(Fired {
                    ticket_id: Some(ticket_id),
                    incident_id: None,
                    session_id: None,
                    number: t.number.clone(),
                    // An anonymous caller's name reaches nobody, not even in a pop-up.
                    caller_name: if t.anonymous { String::new() } else { t.caller_name.clone() },
                    kind,
                    threshold,
                    deadline: from_ms(deadline),
                    recipients: to,
                });
            }
            Ok(out)
        })
    }

    /// Whether a ticket still has a pending alarm (tests and diagnostics).
    pub fn pending_alarms(&self, ticket_id: i64) -> Result<i64> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM alarms WHERE ticket_id = ?1 AND fired_at IS NULL",
                [ticket_id],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
        })
    }
}

#[cfg(test)]
#[path = "alarms_tests.rs"]
mod tests;
