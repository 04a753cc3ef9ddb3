//! The onboarding checklist (新员工入职培训): what a new agent does in their first weeks,
//! each item due a number of days after the start. A task is ticked by a trainer; a
//! session item is done by attending a session of its topic, an exam item by passing
//! (its exam, or any) — after the start, so what counts is learnt on the job. Pure rules.

use super::Topic;
use crate::error::{Error, Result};
use crate::validate::{opt_text, NAME_MAX};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

str_enum!(
    ItemKind {
        Task = "task",
        Session = "session",
        Exam = "exam",
    }
);

/// An item of the checklist as a trainer writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewItem {
    /// Empty for a seeded item: the desk shows its translated wording by key.
    #[serde(default)]
    pub title: String,
    pub kind: ItemKind,
    /// The topic a session item's session must be of.
    #[serde(default)]
    pub topic: Option<Topic>,
    /// The exam an exam item wants passed (none: any exam).
    #[serde(default)]
    pub exam_id: Option<i64>,
    /// Due this many days after the start.
    pub days: u32,
}

impl NewItem {
    pub fn validated(&self) -> Result<NewItem> {
        if !(1..=365).contains(&self.days) {
            return Err(Error::InvalidValue {
                field: "days",
                value: self.days.to_string(),
            });
        }
        let title = opt_text("title", Some(&self.title), NAME_MAX)?.unwrap_or_default();
        if title.is_empty() {
            return Err(Error::Required { field: "title" });
        }
        let (topic, exam_id) = match self.kind {
            ItemKind::Task => (None, None),
            ItemKind::Session => (
                Some(self.topic.ok_or(Error::Required { field: "topic" })?),
                None,
            ),
            ItemKind::Exam => (None, self.exam_id),
        };
        Ok(NewItem {
            title,
            kind: self.kind,
            topic,
            exam_id,
            days: self.days,
        })
    }
}

/// The seeded checklist, from the regulation's training of new staff: (key, kind, topic,
/// days). Keys name their wording in the desk's translations; migration 0034 inserts the
/// same rows (a test holds them equal).
pub const SEEDED: &[(&str, ItemKind, Option<Topic>, u32)] = &[
    ("accounts", ItemKind::Task, None, 1),
    ("regulations", ItemKind::Task, None, 7),
    (
        "security",
        ItemKind::Session,
        Some(Topic::InformationSecurity),
        7,
    ),
    ("shadowing", ItemKind::Task, None, 14),
    ("knowledge", ItemKind::Task, None, 14),
    (
        "process",
        ItemKind::Session,
        Some(Topic::ServiceProcess),
        21,
    ),
    (
        "communication",
        ItemKind::Session,
        Some(Topic::Communication),
        21,
    ),
    ("exam", ItemKind::Exam, None, 30),
    ("first_calls", ItemKind::Task, None, 30),
];

/// How an item was done.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "by")]
pub enum Done {
    /// Ticked by a trainer.
    Ticked { at: DateTime<Utc>, who: String },
    /// Attended a session of the item's topic.
    Attended { at: DateTime<Utc>, session: String },
    /// Passed an exam.
    Passed { at: DateTime<Utc>, exam: String },
}

impl Done {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Done::Ticked { at, .. } | Done::Attended { at, .. } | Done::Passed { at, .. } => *at,
        }
    }
}

/// What the person has done since the start that can complete items.
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// Sessions attended: (topic, when, title).
    pub attended: Vec<(Topic, DateTime<Utc>, String)>,
    /// Exams passed: (exam id, when, title).
    pub passed: Vec<(i64, DateTime<Utc>, String)>,
}

/// An item's state for one person.
pub fn done_by(
    kind: ItemKind,
    topic: Option<Topic>,
    exam_id: Option<i64>,
    start: DateTime<Utc>,
    tick: Option<Done>,
    r: &Record,
) -> Option<Done> {
    if tick.is_some() {
        return tick;
    }
    match kind {
        ItemKind::Task => None,
        ItemKind::Session => r
            .attended
            .iter()
            .filter(|(t, at, _)| Some(*t) == topic && *at >= start)
            .min_by_key(|(_, at, _)| *at)
            .map(|(_, at, title)| Done::Attended {
                at: *at,
                session: title.clone(),
            }),
        ItemKind::Exam => r
            .passed
            .iter()
            .filter(|(id, at, _)| exam_id.is_none_or(|e| e == *id) && *at >= start)
            .min_by_key(|(_, at, _)| *at)
            .map(|(_, at, title)| Done::Passed {
                at: *at,
                exam: title.clone(),
            }),
    }
}

/// When an item is due for a person who started at `start`.
pub fn due(start: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    start + Duration::days(i64::from(days))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, 1, 0, 0)
            .single()
            .expect("t")
    }

    #[test]
    fn an_item_is_written_whole_or_refused() {
        let item = |kind, topic, days| NewItem {
            title: " 旁听 ".into(),
            kind,
            topic,
            exam_id: Some(3),
            days,
        };
        let ok = item(ItemKind::Task, Some(Topic::Other), 7)
            .validated()
            .expect("ok");
        assert_eq!(
            (ok.title.as_str(), ok.topic, ok.exam_id),
            ("旁听", None, None)
        );
        assert_eq!(
            item(ItemKind::Session, None, 7)
                .validated()
                .map_err(|e| e.code()),
            Err("required")
        );
        assert_eq!(
            item(ItemKind::Task, None, 0)
                .validated()
                .map_err(|e| e.code()),
            Err("invalid_value")
        );
        let blank = NewItem {
            title: "  ".into(),
            ..item(ItemKind::Task, None, 1)
        };
        assert_eq!(blank.validated().map_err(|e| e.code()), Err("required"));
    }

    #[test]
    fn attending_or_passing_after_the_start_completes_an_item_a_tick_always_does() {
        let r = Record {
            attended: vec![
                (Topic::Communication, t(1), "旧课".into()),
                (Topic::Communication, t(9), "规范用语".into()),
                (Topic::Products, t(5), "产品".into()),
            ],
            passed: vec![(7, t(12), "入职考试".into())],
        };
        let start = t(3);
        let session = |topic| done_by(ItemKind::Session, Some(topic), None, start, None, &r);
        assert_eq!(
            session(Topic::Communication),
            Some(Done::Attended {
                at: t(9),
                session: "规范用语".into()
            }),
            "the one before the start does not count"
        );
        assert_eq!(session(Topic::InformationSecurity), None);
        assert_eq!(
            done_by(ItemKind::Exam, None, Some(8), start, None, &r),
            None
        );
        assert_eq!(
            done_by(ItemKind::Exam, None, None, start, None, &r).map(|d| d.at()),
            Some(t(12))
        );
        assert_eq!(done_by(ItemKind::Task, None, None, start, None, &r), None);
        let tick = Done::Ticked {
            at: t(4),
            who: "周".into(),
        };
        assert_eq!(
            done_by(
                ItemKind::Session,
                Some(Topic::Communication),
                None,
                start,
                Some(tick.clone()),
                &r
            ),
            Some(tick)
        );
        assert_eq!(due(start, 7), t(10));
    }

    #[test]
    fn the_seeded_checklist_covers_the_regulations_topics() {
        for topic in [
            Topic::InformationSecurity,
            Topic::ServiceProcess,
            Topic::Communication,
        ] {
            assert!(SEEDED.iter().any(|s| s.2 == Some(topic)), "{topic:?}");
        }
        let mut keys: Vec<_> = SEEDED.iter().map(|s| s.0).collect();
        keys.dedup();
        assert_eq!(keys.len(), SEEDED.len());
    }
}
