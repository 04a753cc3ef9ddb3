//! The notification centre: each user's notifications of fired alarms and pages, which
//! of them pop up on their desktop, and their preferences (muted kinds, quiet hours).

use super::db::{from_ms, ms, Store};
use super::sql::OptionalExtension;
use crate::alarms::{AlarmKind, Prefs};
use crate::error::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::alarms::Fired;

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

impl Store {
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
}
