//! The onboarding checklist in the store: its items (seeded, a trainer's own, retired
//! rather than deleted), each person's start and mentor, the ticks of tasks, and each
//! person's progress — session and exam items read from attendance and results.

use super::db::{from_ms, ms, Author, Store};
use super::reference::get_user;
use super::sql::{Connection, OptionalExtension};
use crate::error::{Error, Result};
use crate::training::onboarding::{done_by, due, Done, ItemKind, NewItem, Record};
use crate::training::Topic;
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnboardingItem {
    pub id: i64,
    /// A seeded item's key (its wording is the desk's); none for a trainer's own.
    pub key: Option<String>,
    pub title: String,
    pub kind: ItemKind,
    pub topic: Option<Topic>,
    pub exam_id: Option<i64>,
    pub exam_title: Option<String>,
    pub days: u32,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemProgress {
    #[serde(flatten)]
    pub item: OnboardingItem,
    pub due: DateTime<Utc>,
    pub done: Option<Done>,
    pub overdue: bool,
}

/// One person's onboarding: the active items with their state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Onboarding {
    pub user_id: i64,
    pub user_name: String,
    pub started_at: DateTime<Utc>,
    pub mentor_id: Option<i64>,
    pub mentor_name: Option<String>,
    pub items: Vec<ItemProgress>,
    pub done: usize,
    pub total: usize,
    pub overdue: usize,
    pub complete: bool,
}

fn items(c: &Connection, retired: bool) -> Result<Vec<OnboardingItem>> {
    Ok(c.prepare_cached(
        "SELECT i.id, i.key, i.title, i.kind, i.topic, i.exam_id, e.title, i.days, i.active
             FROM onboarding_items i LEFT JOIN exams e ON e.id = i.exam_id
             WHERE i.active = TRUE OR ?1 ORDER BY i.days, i.id",
    )?
    .query_map([retired], |r| {
        Ok(OnboardingItem {
            id: r.get(0)?,
            key: r.get(1)?,
            title: r.get(2)?,
            kind: r.get(3)?,
            topic: r.get(4)?,
            exam_id: r.get(5)?,
            exam_title: r.get(6)?,
            days: r.get(7)?,
            active: r.get(8)?,
        })
    })?
    .collect::<super::sql::Result<_>>()?)
}

/// What the person did that completes items: sessions attended, exams passed.
fn record(c: &Connection, user: i64) -> Result<Record> {
    let attended = c
        .prepare_cached(
            "SELECT s.topic, s.starts_at, s.title FROM training_attendance a
             JOIN training_sessions s ON s.id = a.session_id WHERE a.user_id = ?1 AND a.attended = TRUE",
        )?
        .query_map([user], |r| Ok((r.get(0)?, from_ms(r.get(1)?), r.get(2)?)))?
        .collect::<super::sql::Result<_>>()?;
    let passed = c
        .prepare_cached(
            "SELECT a.exam_id, min(a.submitted_at), e.title FROM exam_attempts a JOIN exams e ON e.id = a.exam_id
             WHERE a.user_id = ?1 AND a.passed = TRUE GROUP BY a.exam_id, e.title",
        )?
        .query_map([user], |r| Ok((r.get(0)?, from_ms(r.get(1)?), r.get(2)?)))?
        .collect::<super::sql::Result<_>>()?;
    Ok(Record { attended, passed })
}

fn progress(c: &Connection, user: i64, now: DateTime<Utc>) -> Result<Onboarding> {
    let (name, started, mentor, mentor_name): (String, i64, Option<i64>, Option<String>) = c
        .prepare_cached(
            "SELECT u.name, o.started_at, o.mentor_id, m.name FROM onboardings o JOIN users u ON u.id = o.user_id
             LEFT JOIN users m ON m.id = o.mentor_id WHERE o.user_id = ?1",
        )?
        .query_row([user], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "onboarding",
            key: user.to_string(),
        })?;
    let start = from_ms(started);
    let r = record(c, user)?;
    let mut ticks = c.prepare_cached(
        "SELECT t.done_at, u.name FROM onboarding_ticks t JOIN users u ON u.id = t.done_by
         WHERE t.user_id = ?1 AND t.item_id = ?2",
    )?;
    let mut out = Vec::new();
    for item in items(c, false)? {
        let tick = ticks
            .query_row((user, item.id), |r| {
                Ok(Done::Ticked {
                    at: from_ms(r.get(0)?),
                    who: r.get(1)?,
                })
            })
            .optional()?;
        let done = done_by(item.kind, item.topic, item.exam_id, start, tick, &r);
        let due = due(start, item.days);
        out.push(ItemProgress {
            overdue: done.is_none() && now > due,
            item,
            due,
            done,
        });
    }
    let done = out.iter().filter(|i| i.done.is_some()).count();
    let overdue = out.iter().filter(|i| i.overdue).count();
    Ok(Onboarding {
        user_id: user,
        user_name: name,
        started_at: start,
        mentor_id: mentor,
        mentor_name,
        total: out.len(),
        complete: done == out.len(),
        items: out,
        done,
        overdue,
    })
}

impl Store {
    /// The checklist (with retired items when asked), by due day.
    pub fn onboarding_items(&self, retired: bool) -> Result<Vec<OnboardingItem>> {
        self.read(|c| items(c, retired))
    }

    pub fn add_onboarding_item(&self, by: Author<'_>, new: &NewItem) -> Result<OnboardingItem> {
        let v = new.validated()?;
        let now = self.now();
        self.write(|tx| {
            if let Some(exam) = v.exam_id {
                let found: Option<i64> = tx
                    .query_row("SELECT id FROM exams WHERE id = ?1", [exam], |r| r.get(0))
                    .optional()?;
                found.ok_or_else(|| Error::NotFound {
                    entity: "exam",
                    key: exam.to_string(),
                })?;
            }
            let id = tx.insert(
                "INSERT INTO onboarding_items (title, kind, topic, exam_id, days, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                (&v.title, v.kind.as_str(), v.topic.map(|t| t.as_str()), v.exam_id, v.days, by.user.id, ms(now)),
            )?;
            items(tx, true)?
                .into_iter()
                .find(|i| i.id == id)
                .ok_or_else(|| Error::Internal("item not kept".into()))
        })
    }

    /// Takes an item off the checklist (ticks already given stay on record).
    pub fn retire_onboarding_item(&self, id: i64) -> Result<()> {
        self.write(|tx| {
            match tx.execute(
                "UPDATE onboarding_items SET active = FALSE WHERE id = ?1",
                [id],
            )? {
                0 => Err(Error::NotFound {
                    entity: "onboarding_item",
                    key: id.to_string(),
                }),
                _ => Ok(()),
            }
        })
    }

    /// Starts a person's onboarding today, or names their mentor again (the start stays).
    pub fn start_onboarding(
        &self,
        by: Author<'_>,
        user: i64,
        mentor: Option<i64>,
    ) -> Result<Onboarding> {
        let now = self.now();
        self.write(|tx| {
            let u = get_user(tx, user)?;
            if !u.active {
                return Err(Error::Inactive {
                    entity: "user",
                    key: u.name,
                });
            }
            if let Some(m) = mentor {
                get_user(tx, m)?;
            }
            tx.execute(
                "INSERT INTO onboardings (user_id, started_at, started_by, mentor_id) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (user_id) DO UPDATE SET mentor_id = excluded.mentor_id",
                (user, ms(now), by.user.id, mentor),
            )?;
            progress(tx, user, now)
        })
    }

    pub fn onboarding(&self, user: i64) -> Result<Onboarding> {
        let now = self.now();
        self.read(|c| progress(c, user, now))
    }

    /// Everyone onboarding, the latest start first.
    pub fn onboardings(&self) -> Result<Vec<Onboarding>> {
        let now = self.now();
        self.read(|c| {
            let users: Vec<i64> = c
                .prepare_cached(
                    "SELECT user_id FROM onboardings ORDER BY started_at DESC, user_id",
                )?
                .query_map([], |r| r.get(0))?
                .collect::<super::sql::Result<_>>()?;
            users.into_iter().map(|u| progress(c, u, now)).collect()
        })
    }

    /// Ticks a task of a person's checklist (once; a session or an exam item is done by
    /// attending or passing, not by a tick).
    pub fn tick_onboarding(
        &self,
        by: Author<'_>,
        user: i64,
        item: i64,
        note: &str,
    ) -> Result<Onboarding> {
        let note = crate::validate::opt_text("note", Some(note), crate::validate::NOTE_MAX)?
            .unwrap_or_default();
        let now = self.now();
        self.write(|tx| {
            progress(tx, user, now)?;
            let kind: ItemKind = tx
                .query_row("SELECT kind FROM onboarding_items WHERE id = ?1 AND active = TRUE", [item], |r| r.get(0))
                .optional()?
                .ok_or_else(|| Error::NotFound {
                    entity: "onboarding_item",
                    key: item.to_string(),
                })?;
            if kind != ItemKind::Task {
                return Err(Error::InvalidValue {
                    field: "item",
                    value: kind.as_str().into(),
                });
            }
            tx.execute(
                "INSERT INTO onboarding_ticks (user_id, item_id, done_at, done_by, note) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT DO NOTHING",
                (user, item, ms(now), by.user.id, note),
            )?;
            progress(tx, user, now)
        })
    }
}

// Tested with the rest of training (store/training_tests.rs), whose bank and exams it uses.
