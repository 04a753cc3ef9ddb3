//! Training in the store: sessions with their audience and attendance, the question
//! bank, exams (one paper for every taker, drawn once) and attempts — started, answered
//! within the time limit, scored, retaken up to the exam's limit; the best one counts.

use super::db::{from_ms, ms, Author, Store};
use super::sql::{Connection, OptionalExtension};
use crate::error::{Error, Result};
use crate::report::{Kpi, ReportQuery};
use crate::training::exam::{in_time, score, NewExam, NewQuestion, QuestionKind};
use crate::training::{Method, NewSession, Topic};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attendee {
    pub user_id: i64,
    pub name: String,
    /// None: expected, not yet marked.
    pub attended: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Session {
    pub id: i64,
    pub title: String,
    pub topic: Topic,
    pub method: Method,
    pub starts_at: DateTime<Utc>,
    pub hours: f64,
    pub place: String,
    pub attendees: Vec<Attendee>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Question {
    pub id: i64,
    #[serde(flatten)]
    pub body: NewQuestion,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exam {
    pub id: i64,
    pub title: String,
    pub minutes: u32,
    pub pass_mark: u32,
    pub attempts: u32,
    pub questions: usize,
}

/// A question as the taker sees it: no answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaperQuestion {
    pub id: i64,
    pub kind: QuestionKind,
    pub text: String,
    pub options: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attempt {
    pub id: i64,
    pub exam_id: i64,
    pub exam_title: String,
    pub user_id: i64,
    pub user_name: String,
    pub started_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub score: Option<f64>,
    pub passed: Option<bool>,
    /// Submitted after the time limit: the answers did not count.
    pub late: bool,
    /// The questions, while the attempt runs.
    pub paper: Vec<PaperQuestion>,
}

/// The exam's paper: each question as it was when drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Drawn {
    id: i64,
    question: NewQuestion,
}

fn session(c: &Connection, id: i64) -> Result<Session> {
    let s = c
        .prepare_cached("SELECT id, title, topic, method, starts_at, hours, place FROM training_sessions WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(Session {
                id: r.get(0)?,
                title: r.get(1)?,
                topic: r.get(2)?,
                method: r.get(3)?,
                starts_at: from_ms(r.get(4)?),
                hours: r.get(5)?,
                place: r.get(6)?,
                attendees: vec![],
            })
        })
        .optional()?
        .ok_or_else(|| Error::NotFound { entity: "session", key: id.to_string() })?;
    let attendees = c
        .prepare_cached(
            "SELECT a.user_id, u.name, a.attended FROM training_attendance a JOIN users u ON u.id = a.user_id
             WHERE a.session_id = ?1 ORDER BY u.name, u.id",
        )?
        .query_map([id], |r| Ok(Attendee { user_id: r.get(0)?, name: r.get(1)?, attended: r.get(2)? }))?
        .collect::<super::sql::Result<_>>()?;
    Ok(Session { attendees, ..s })
}

fn exam_row(c: &Connection, id: i64) -> Result<(Exam, Vec<Drawn>)> {
    let (e, paper): (Exam, String) = c
        .prepare_cached(
            "SELECT id, title, minutes, pass_mark, attempts, paper FROM exams WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                Exam {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    minutes: r.get(2)?,
                    pass_mark: r.get(3)?,
                    attempts: r.get(4)?,
                    questions: 0,
                },
                r.get(5)?,
            ))
        })
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "exam",
            key: id.to_string(),
        })?;
    let paper: Vec<Drawn> = serde_json::from_str(&paper)?;
    Ok((
        Exam {
            questions: paper.len(),
            ..e
        },
        paper,
    ))
}

fn attempt(c: &Connection, id: i64, now: DateTime<Utc>) -> Result<Attempt> {
    let a = c
        .prepare_cached(
            "SELECT a.id, a.exam_id, e.title, a.user_id, u.name, a.started_at, e.minutes, a.submitted_at, a.score, a.passed, a.answers
             FROM exam_attempts a JOIN exams e ON e.id = a.exam_id JOIN users u ON u.id = a.user_id WHERE a.id = ?1",
        )?
        .query_row([id], |r| {
            let started = from_ms(r.get(5)?);
            let minutes: i64 = r.get(6)?;
            let submitted: Option<i64> = r.get(7)?;
            let answers: Option<String> = r.get(10)?;
            Ok(Attempt {
                id: r.get(0)?,
                exam_id: r.get(1)?,
                exam_title: r.get(2)?,
                user_id: r.get(3)?,
                user_name: r.get(4)?,
                started_at: started,
                deadline: started + Duration::minutes(minutes),
                submitted_at: submitted.map(from_ms),
                score: r.get(8)?,
                passed: r.get(9)?,
                late: submitted.is_some() && answers.is_none(),
                paper: vec![],
            })
        })
        .optional()?
        .ok_or_else(|| Error::NotFound { entity: "attempt", key: id.to_string() })?;
    if a.submitted_at.is_none() && now <= a.deadline {
        let (_, paper) = exam_row(c, a.exam_id)?;
        let paper = paper
            .into_iter()
            .map(|d| PaperQuestion {
                id: d.id,
                kind: d.question.kind,
                text: d.question.text,
                options: d.question.options,
            })
            .collect();
        return Ok(Attempt { paper, ..a });
    }
    Ok(a)
}

/// Per person, the training KPIs of a period: the mean of their best exam scores
/// (`exam`: sum of best scores / 100 × exams taken) and attendance (`training`: sessions
/// attended / sessions they were expected at).
pub(super) fn kpis(c: &Connection, q: &ReportQuery) -> Result<BTreeMap<i64, Vec<Kpi>>> {
    let period = (ms(q.from), ms(q.to));
    let mut out: BTreeMap<i64, Vec<Kpi>> = BTreeMap::new();
    let exams: Vec<(i64, i64, i64)> = c
        .prepare_cached(
            "SELECT user_id, CAST(round(sum(best)) AS BIGINT), count(*) FROM (
                SELECT user_id, exam_id, max(score) AS best FROM exam_attempts
                WHERE submitted_at >= ?1 AND submitted_at < ?2 AND score IS NOT NULL GROUP BY user_id, exam_id) AS best
             GROUP BY user_id",
        )?
        .query_map(period, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<super::sql::Result<_>>()?;
    for (u, sum, n) in exams {
        out.entry(u)
            .or_default()
            .push(Kpi::new("exam", sum, 100 * n));
    }
    let attendance: Vec<(i64, i64, i64)> = c
        .prepare_cached(
            "SELECT a.user_id, count(*) FILTER (WHERE a.attended = TRUE), count(*) FROM training_attendance a
             JOIN training_sessions s ON s.id = a.session_id
             WHERE s.starts_at >= ?1 AND s.starts_at < ?2 AND a.attended IS NOT NULL GROUP BY a.user_id",
        )?
        .query_map(period, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<super::sql::Result<_>>()?;
    for (u, attended, expected) in attendance {
        out.entry(u)
            .or_default()
            .push(Kpi::new("training", attended, expected));
    }
    Ok(out)
}

/// A reminder sent for a session: to whom.
pub(super) struct Reminded {
    pub session_id: i64,
    pub title: String,
    pub place: String,
    pub starts_at: DateTime<Utc>,
    pub recipients: Vec<i64>,
}

/// Reminds, once, everyone expected at a session that starts within `training_reminder_hours`
/// (in the scheduler's transaction): their notification centre and their seats.
pub(super) fn remind(c: &Connection, now: DateTime<Utc>) -> Result<Vec<Reminded>> {
    let lead = Duration::hours(super::db::int_setting(c, "training_reminder_hours")?);
    let due: Vec<(i64, String, String, i64)> = c
        .prepare_cached(
            "SELECT id, title, place, starts_at FROM training_sessions
             WHERE reminded_at IS NULL AND starts_at > ?1 AND starts_at <= ?2 ORDER BY starts_at, id",
        )?
        .query_map((ms(now), ms(now + lead)), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<super::sql::Result<_>>()?;
    let kind = crate::alarms::AlarmKind::Training;
    let mut out = Vec::new();
    for (id, title, place, starts) in due {
        c.execute(
            "UPDATE training_sessions SET reminded_at = ?1 WHERE id = ?2",
            (ms(now), id),
        )?;
        let who: Vec<i64> = c
            .prepare_cached("SELECT user_id FROM training_attendance WHERE session_id = ?1 AND attended IS NULL ORDER BY user_id")?
            .query_map([id], |r| r.get(0))?
            .collect::<super::sql::Result<_>>()?;
        for u in &who {
            c.prepare_cached(
                "INSERT INTO notifications (user_id, session_id, kind, threshold, deadline, created_at) VALUES (?1, ?2, ?3, 0, ?4, ?5)",
            )?
            .execute((u, id, kind.as_str(), starts, ms(now)))?;
            let data = serde_json::json!({ "kind": kind, "threshold": 0, "number": title, "caller_name": place, "deadline": from_ms(starts), "session_id": id });
            super::outbox::publish(
                c,
                now,
                super::outbox::OutboxKind::Notification,
                None,
                Some(*u),
                &data,
            )?;
        }
        if !who.is_empty() {
            out.push(Reminded {
                session_id: id,
                title,
                place,
                starts_at: from_ms(starts),
                recipients: who,
            });
        }
    }
    Ok(out)
}

/// When the next reminder of a session still ahead falls due, given the reminders' lead
/// (`?1`, ms) and now (`?2`): a part of the scheduler's one wake-up statement.
pub(super) const REMINDER_DUE: &str =
    "SELECT min(starts_at) - ?1 FROM training_sessions WHERE reminded_at IS NULL AND starts_at > ?2";

/// How long before a session its reminder goes out, in ms.
pub(super) fn reminder_lead(c: &Connection) -> Result<i64> {
    Ok(super::db::int_setting(c, "training_reminder_hours")? * 3_600_000)
}

impl Store {
    pub fn add_session(&self, by: Author<'_>, new: &NewSession) -> Result<Session> {
        let v = new.validated()?;
        let now = self.now();
        self.write(|tx| {
            let id = tx.insert(
                "INSERT INTO training_sessions (title, topic, method, starts_at, hours, place, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                super::sql::params![v.title, v.topic, v.method, ms(v.starts_at), v.hours, v.place, by.user.id, ms(now)],
            )?;
            for u in &v.audience {
                super::reference::get_user(tx, *u)?;
                tx.execute("INSERT INTO training_attendance (session_id, user_id) VALUES (?1, ?2)", (id, u))?;
            }
            session(tx, id)
        })
    }

    /// Sessions starting in `[from, to)`, in order.
    pub fn sessions(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Session>> {
        self.read(|c| {
            let ids: Vec<i64> = c
                .prepare_cached("SELECT id FROM training_sessions WHERE starts_at >= ?1 AND starts_at < ?2 ORDER BY starts_at, id")?
                .query_map((ms(from), ms(to)), |r| r.get(0))?
                .collect::<super::sql::Result<_>>()?;
            ids.into_iter().map(|id| session(c, id)).collect()
        })
    }

    /// Marks whether `user` attended (adding them when they were not expected).
    pub fn mark_attendance(&self, session_id: i64, user: i64, attended: bool) -> Result<Session> {
        self.write(|tx| {
            session(tx, session_id)?;
            super::reference::get_user(tx, user)?;
            tx.execute(
                "INSERT INTO training_attendance (session_id, user_id, attended) VALUES (?1, ?2, ?3)
                 ON CONFLICT(session_id, user_id) DO UPDATE SET attended = excluded.attended",
                (session_id, user, attended),
            )?;
            session(tx, session_id)
        })
    }

    pub fn add_question(&self, by: Author<'_>, new: &NewQuestion) -> Result<Question> {
        let v = new.validated()?;
        let now = self.now();
        self.write(|tx| {
            let new_id = tx.insert(
                "INSERT INTO exam_questions (topic, kind, body, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                super::sql::params![v.topic, v.kind, serde_json::to_string(&v)?, by.user.id, ms(now)],
            )?;
            Ok(Question { id: new_id, body: v })
        })
    }

    pub fn questions(&self) -> Result<Vec<Question>> {
        self.read(|c| {
            let rows: Vec<(i64, String)> = c
                .prepare_cached(
                    "SELECT id, body FROM exam_questions WHERE active = TRUE ORDER BY id",
                )?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<super::sql::Result<_>>()?;
            rows.into_iter()
                .map(|(id, b)| {
                    Ok(Question {
                        id,
                        body: serde_json::from_str(&b)?,
                    })
                })
                .collect()
        })
    }

    /// Sets an exam: its paper drawn once from the bank (the topic's questions, or all).
    pub fn create_exam(&self, by: Author<'_>, new: &NewExam) -> Result<Exam> {
        let v = new.validated()?;
        let now = self.now();
        self.write(|tx| {
            let bank: Vec<(i64, String)> = tx
                .prepare("SELECT id, body FROM exam_questions WHERE active = TRUE AND (CAST(?1 AS TEXT) IS NULL OR topic = ?1)")?
                .query_map([v.topic], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<super::sql::Result<_>>()?;
            let ids = v.draw(&bank.iter().map(|b| b.0).collect::<Vec<_>>())?;
            let paper = ids
                .iter()
                .map(|id| {
                    let body = &bank.iter().find(|b| b.0 == *id).ok_or_else(|| Error::Internal("drawn".into()))?.1;
                    Ok(Drawn { id: *id, question: serde_json::from_str(body)? })
                })
                .collect::<Result<Vec<_>>>()?;
            let new_id = tx.insert(
                "INSERT INTO exams (title, minutes, pass_mark, attempts, paper, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                super::sql::params![v.title, v.minutes, v.pass_mark, v.attempts, serde_json::to_string(&paper)?, by.user.id, ms(now)],
            )?;
            Ok(exam_row(tx, new_id)?.0)
        })
    }

    pub fn exams(&self) -> Result<Vec<Exam>> {
        self.read(|c| {
            let ids: Vec<i64> = c
                .prepare_cached("SELECT id FROM exams ORDER BY id DESC LIMIT 200")?
                .query_map([], |r| r.get(0))?
                .collect::<super::sql::Result<_>>()?;
            ids.into_iter().map(|id| Ok(exam_row(c, id)?.0)).collect()
        })
    }

    /// Starts (or resumes) the user's attempt at an exam: not after passing, and not beyond
    /// the attempts allowed.
    pub fn start_attempt(&self, exam_id: i64, by: Author<'_>) -> Result<Attempt> {
        let now = self.now();
        self.write(|tx| {
            let (exam, _) = exam_row(tx, exam_id)?;
            let rows: Vec<(i64, i64, Option<i64>, Option<bool>)> = tx
                .prepare("SELECT id, started_at, submitted_at, passed FROM exam_attempts WHERE exam_id = ?1 AND user_id = ?2 ORDER BY id")?
                .query_map((exam_id, by.user.id), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<super::sql::Result<_>>()?;
            if let Some((id, ..)) = rows.iter().find(|(_, s, sub, _)| sub.is_none() && in_time(from_ms(*s), exam.minutes, now)) {
                return attempt(tx, *id, now);
            }
            let refuse = |status: &str| Error::InvalidTransition { action: "start".into(), status: status.into() };
            if rows.iter().any(|r| r.3 == Some(true)) {
                return Err(refuse("passed"));
            }
            if rows.len() >= exam.attempts as usize {
                return Err(refuse("no_attempts_left"));
            }
            // An attempt left running past its time counts, with nothing answered.
            for (id, ..) in rows.iter().filter(|r| r.2.is_none()) {
                tx.execute("UPDATE exam_attempts SET submitted_at = ?1, score = 0, passed = FALSE WHERE id = ?2", (ms(now), id))?;
            }
            let new_id = tx.insert(
                "INSERT INTO exam_attempts (exam_id, user_id, started_at) VALUES (?1, ?2, ?3)",
                (exam_id, by.user.id, ms(now)),
            )?;
            attempt(tx, new_id, now)
        })
    }

    /// Hands in an attempt: scored at once; answers after the time limit do not count.
    pub fn submit_attempt(
        &self,
        id: i64,
        by: Author<'_>,
        answers: &BTreeMap<i64, Vec<u8>>,
    ) -> Result<Attempt> {
        let now = self.now();
        self.write(|tx| {
            let a = attempt(tx, id, now)?;
            if a.user_id != by.user.id {
                return Err(Error::Forbidden {
                    action: "submit_attempt".into(),
                    actor: by.user.name.clone(),
                    role: by.user.role.as_str().into(),
                    permission: false,
                });
            }
            if a.submitted_at.is_some() {
                return Err(Error::InvalidTransition { action: "submit".into(), status: "submitted".into() });
            }
            let (exam, paper) = exam_row(tx, a.exam_id)?;
            if !in_time(a.started_at, exam.minutes, now) {
                tx.execute("UPDATE exam_attempts SET submitted_at = ?1, score = 0, passed = FALSE WHERE id = ?2", (ms(now), id))?;
                return attempt(tx, id, now);
            }
            let papers: Vec<(NewQuestion, Vec<u8>)> = paper
                .into_iter()
                .map(|d| {
                    let given = answers.get(&d.id).cloned().unwrap_or_default();
                    (d.question, given)
                })
                .collect();
            let (pct, passed) = score(&papers, exam.pass_mark);
            tx.execute(
                "UPDATE exam_attempts SET submitted_at = ?1, answers = ?2, score = ?3, passed = ?4 WHERE id = ?5",
                super::sql::params![ms(now), serde_json::to_string(answers)?, pct, passed, id],
            )?;
            attempt(tx, id, now)
        })
    }

    /// Attempts, newest first: a person's, or everyone's.
    pub fn attempts(&self, user: Option<i64>) -> Result<Vec<Attempt>> {
        let now = self.now();
        self.read(|c| {
            let ids: Vec<i64> = c
                .prepare_cached("SELECT id FROM exam_attempts WHERE CAST(?1 AS BIGINT) IS NULL OR user_id = ?1 ORDER BY id DESC LIMIT 500")?
                .query_map([user], |r| r.get(0))?
                .collect::<super::sql::Result<_>>()?;
            ids.into_iter().map(|id| attempt(c, id, now)).collect()
        })
    }
}

#[cfg(test)]
#[path = "training_tests.rs"]
mod tests;
