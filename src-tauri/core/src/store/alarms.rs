//! Alarms in the store: kept in step with every ticket write, found through an index on
//! their instants, fired once in a transaction that also records the notifications.

use super::db::{from_ms, ms, Store};
use super::reference::user_row;
use super::sql::{Connection, OptionalExtension};
use crate::alarms::{due, recipients, AlarmKind, Prefs, Rules, BREACH};
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
    let thresholds = super::db::get_setting(c, "reminder_thresholds")?;
    let rules = Rules {
        thresholds: Rules::parse_thresholds(&thresholds)
            .unwrap_or_else(|| Rules::default().thresholds),
        repeat_hours: super::db::get_setting(c, "repeat_hours")?
            .parse()
            .unwrap_or(4),
    };
    Ok(Ctx {
        rules,
        office: super::calendar::load_calendar(c, "office")?,
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

/// More pop-ups than this at once (the catch-up after a restart) become one summary.
pub const SUMMARISE_OVER: usize = 3;

/// The desktop pop-ups for one user: (title, body) pairs in their language.
pub type Popups = Vec<(String, String)>;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotificationRow {
    pub id: i64,
    /// A ticket's notification, or an incident's page.
    pub ticket_id: Option<i64>,
    pub incident_id: Option<i64>,
    /// A reminder of a training session (`number`: its title, `caller_name`: its place).
    pub session_id: Option<i64>,
    pub number: String,
    pub caller_name: String,
    pub kind: AlarmKind,
    pub threshold: i64,
    pub deadline: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub read: bool,
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
    let v: Option<i64> = c.query_row(
        "SELECT min(fire_at) FROM alarms WHERE fired_at IS NULL",
        [],
        |r| r.get(0),
    )?;
    let others = [
        super::pages::next(c)?,
        super::training::next_reminder(c, now)?,
    ];
    Ok(others.into_iter().flatten().chain(v.map(from_ms)).min())
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
        // Most wake-ups find nothing due: a read says so without the write transaction
        // (on PostgreSQL the centre's write lock and a commit). What becomes due after
        // this read wakes the scheduler again through the change it was written by.
        if self.read(|c| next_due(c, now))?.is_none_or(|at| at > now) {
            return Ok(Vec::new());
        }
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

    pub fn notifications(&self, user_id: i64, limit: u32) -> Result<Vec<NotificationRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT n.id, n.ticket_id, coalesce(t.number, i.number, s.title),
                        CASE WHEN i.id IS NOT NULL THEN i.title WHEN s.id IS NOT NULL THEN s.place WHEN t.anonymous THEN '' ELSE t.caller_name END,
                        n.kind, n.threshold, n.deadline, n.created_at, n.read_at, n.incident_id, n.session_id
                 FROM notifications n LEFT JOIN tickets t ON t.id = n.ticket_id LEFT JOIN incidents i ON i.id = n.incident_id
                 LEFT JOIN training_sessions s ON s.id = n.session_id
                 WHERE n.user_id = ?1 ORDER BY n.created_at DESC, n.id DESC LIMIT ?2",
            )?;
            let rows = st
                .query_map((user_id, limit.min(500)), |r| {
                    Ok(NotificationRow {
                        id: r.get(0)?,
                        ticket_id: r.get(1)?,
                        incident_id: r.get(9)?,
                        session_id: r.get(10)?,
                        number: r.get(2)?,
                        caller_name: r.get(3)?,
                        kind: AlarmKind::parse(&r.get::<_, String>(4)?),
                        threshold: r.get(5)?,
                        deadline: from_ms(r.get(6)?),
                        created_at: from_ms(r.get(7)?),
                        read: r.get::<_, Option<i64>>(8)?.is_some(),
                    })
                })?
                .collect::<super::sql::Result<_>>()?;
            Ok(rows)
        })
    }

    /// Which of the fired alarms pop up on `user_id`'s desktop now: theirs, not muted, not
    /// in their quiet hours (grave incidents break through); many at once become one
    /// summary. The notification centre keeps them all regardless.
    pub fn popups(&self, user_id: i64, fired: &[Fired]) -> Result<Popups> {
        let prefs = self.notification_prefs(user_id)?;
        let lang = self.user_setting(user_id, "ui_language")?;
        let tz = self.timezone()?;
        let local = self.now().with_timezone(&tz).time();
        let mine: Vec<&Fired> = fired
            .iter()
            .filter(|f| f.recipients.contains(&user_id) && prefs.allows(f.kind, local))
            .collect();
        if mine.len() > SUMMARISE_OVER {
            let n = mine.len().to_string();
            return Ok(vec![(
                crate::i18n::tr(&lang, "notify.summary.title", &[("n", n.clone())]),
                crate::i18n::tr(&lang, "notify.summary.body", &[("n", n)]),
            )]);
        }
        Ok(mine.into_iter().map(|f| f.message(&lang, tz)).collect())
    }

    pub fn notification_prefs(&self, user_id: i64) -> Result<Prefs> {
        self.read(|c| {
            let row: Option<(String, Option<String>, Option<String>)> = c
                .query_row(
                    "SELECT muted_kinds, quiet_from, quiet_to FROM user_prefs WHERE user_id = ?1",
                    [user_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((muted, from, to)) = row else {
                return Ok(Prefs::default());
            };
            let time = |s: Option<String>| {
                s.and_then(|s| chrono::NaiveTime::parse_from_str(&s, "%H:%M").ok())
            };
            Ok(Prefs {
                muted: muted
                    .split(',')
                    .filter(|k| !k.is_empty())
                    .map(AlarmKind::parse)
                    .collect(),
                quiet_from: time(from),
                quiet_to: time(to),
            })
        })
    }

    pub fn set_notification_prefs(&self, user_id: i64, prefs: &Prefs) -> Result<()> {
        if prefs.quiet_from.is_some() != prefs.quiet_to.is_some() {
            return Err(crate::error::Error::Required {
                field: "quiet_hours",
            });
        }
        let muted: Vec<&str> = prefs.muted.iter().map(|k| k.as_str()).collect();
        let fmt = |t: Option<chrono::NaiveTime>| t.map(|t| t.format("%H:%M").to_string());
        self.write(|tx| {
            super::reference::get_user(tx, user_id)?;
            tx.execute(
                "INSERT INTO user_prefs (user_id, muted_kinds, quiet_from, quiet_to) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(user_id) DO UPDATE SET muted_kinds = excluded.muted_kinds, quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to",
                (user_id, muted.join(","), fmt(prefs.quiet_from), fmt(prefs.quiet_to)),
            )?;
            Ok(())
        })
    }

    pub fn unread_notifications(&self, user_id: i64) -> Result<i64> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM notifications WHERE user_id = ?1 AND read_at IS NULL",
                [user_id],
                |r| r.get(0),
            )?)
        })
    }

    pub fn mark_notifications_read(&self, user_id: i64) -> Result<()> {
        let now = self.now();
        self.write(|tx| {
            tx.execute(
                "UPDATE notifications SET read_at = ?1 WHERE user_id = ?2 AND read_at IS NULL",
                (ms(now), user_id),
            )?;
            Ok(())
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
