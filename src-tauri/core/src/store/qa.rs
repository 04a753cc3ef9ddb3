//! Spot checks of recorded calls in the store: scorecard versions, the month's sample
//! drawn by `qa::sampling`, and each review's course — scored by its reviewer,
//! acknowledged or disputed by the agent, a dispute decided by a second reviewer whose
//! score then stands. The rules of who may do what are here, where the rows are.

use super::db::{from_ms, ms, Author, Store, NOT_DRILL};
use super::sql::{Connection, OptionalExtension};
use crate::error::{Error, Result};
use crate::qa::sampling::{sample, Candidate, SamplingPlan};
use crate::qa::scorecard::{seeded, total, ScorecardBody};
use crate::qa::ReviewStatus;
use crate::validate::{text, NOTE_MAX};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    pub id: i64,
    pub version: i64,
    #[serde(flatten)]
    pub body: ScorecardBody,
}

/// A note pinned to a moment of the recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comment {
    pub at_seconds: u32,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QaReview {
    pub id: i64,
    pub sample_id: Option<i64>,
    pub calibration: Option<i64>,
    pub call_id: i64,
    pub started_at: DateTime<Utc>,
    pub seconds: i64,
    pub caller: String,
    pub ticket_id: Option<i64>,
    pub ticket_number: Option<String>,
    pub has_recording: bool,
    pub agent_id: i64,
    pub agent_name: String,
    pub reviewer_id: Option<i64>,
    pub reviewer_name: Option<String>,
    pub status: ReviewStatus,
    pub scorecard_id: Option<i64>,
    pub scores: BTreeMap<String, u8>,
    pub comments: Vec<Comment>,
    pub points: Option<f64>,
    pub critical: bool,
    pub scored_at: Option<DateTime<Utc>>,
    pub acked_at: Option<DateTime<Utc>>,
    pub dispute: Option<String>,
    pub second_id: Option<i64>,
    pub second_scores: BTreeMap<String, u8>,
    pub second_points: Option<f64>,
    pub decided_at: Option<DateTime<Utc>>,
    /// A training topic the reviewer proposes for the agent.
    pub training_topic: Option<crate::training::Topic>,
}

impl QaReview {
    /// The score that counts: the second reviewer's after a dispute, else the first's.
    pub fn final_points(&self) -> Option<f64> {
        self.second_points.or(self.points)
    }
}

impl crate::mask::Mask for QaReview {
    fn mask(&mut self) {
        self.caller = crate::mask::phone(&self.caller);
    }
}

/// A call behind a ticket, for playing its recording from the ticket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketCall {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub seconds: i64,
    pub agent: Option<String>,
    pub has_recording: bool,
}

/// Which reviews to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reviews {
    ForReviewer(i64),
    OfAgent(i64),
    OfCall(i64),
    /// Disputes waiting for a second reviewer.
    Disputed,
    /// The reviews of one calibration session.
    Calibration(i64),
    All,
}

const REVIEW_SQL: &str = "SELECT r.id, r.sample_id, r.calibration, r.call_id, c.started_at,
        coalesce(c.ended_at - coalesce(c.answered_at, c.started_at), 0) / 1000, c.caller, c.ticket_id, t.number,
        c.recording IS NOT NULL, r.agent_id, a.name, r.reviewer_id, rv.name, r.status, r.scorecard_id,
        r.scores, r.comments, r.points, r.critical, r.scored_at, r.acked_at, r.dispute, r.second_id,
        r.second_scores, r.second_points, r.decided_at, r.training_topic
     FROM qa_reviews r JOIN calls c ON c.id = r.call_id JOIN users a ON a.id = r.agent_id
     LEFT JOIN users rv ON rv.id = r.reviewer_id LEFT JOIN tickets t ON t.id = c.ticket_id";

fn json_col<T: serde::de::DeserializeOwned + Default>(v: Option<String>) -> T {
    v.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

fn reviews_where(c: &Connection, where_sql: &str, param: i64) -> Result<Vec<QaReview>> {
    let mut st = c.prepare_cached(&format!(
        "{REVIEW_SQL} WHERE {where_sql} ORDER BY r.status = 'assigned' DESC, c.started_at DESC, r.id LIMIT 1000"
    ))?;
    let rows = st
        .query_map([param], |r| {
            Ok(QaReview {
                id: r.get(0)?,
                sample_id: r.get(1)?,
                calibration: r.get(2)?,
                call_id: r.get(3)?,
                started_at: from_ms(r.get(4)?),
                seconds: r.get(5)?,
                caller: r.get(6)?,
                ticket_id: r.get(7)?,
                ticket_number: r.get(8)?,
                has_recording: r.get(9)?,
                agent_id: r.get(10)?,
                agent_name: r.get(11)?,
                reviewer_id: r.get(12)?,
                reviewer_name: r.get(13)?,
                status: r.get(14)?,
                scorecard_id: r.get(15)?,
                scores: json_col(r.get(16)?),
                comments: json_col(r.get(17)?),
                points: r.get(18)?,
                critical: r.get(19)?,
                scored_at: r.get::<_, Option<i64>>(20)?.map(from_ms),
                acked_at: r.get::<_, Option<i64>>(21)?.map(from_ms),
                dispute: r.get(22)?,
                second_id: r.get(23)?,
                second_scores: json_col(r.get(24)?),
                second_points: r.get(25)?,
                decided_at: r.get::<_, Option<i64>>(26)?.map(from_ms),
                training_topic: r.get(27)?,
            })
        })?
        .collect::<super::sql::Result<_>>()?;
    Ok(rows)
}

fn review(c: &Connection, id: i64) -> Result<QaReview> {
    reviews_where(c, "r.id = ?1", id)?
        .pop()
        .ok_or_else(|| Error::NotFound {
            entity: "review",
            key: id.to_string(),
        })
}

fn scorecard_row(c: &Connection, where_sql: &str, param: i64) -> Result<Option<Scorecard>> {
    let row: Option<(i64, i64, String)> = c
        .prepare_cached(&format!(
            "SELECT id, version, body FROM qa_scorecards WHERE {where_sql} ORDER BY version DESC LIMIT 1"
        ))?
        .query_row([param], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    row.map(|(id, version, body)| {
        Ok(Scorecard {
            id,
            version,
            body: serde_json::from_str(&body)?,
        })
    })
    .transpose()
}

/// The current scorecard, the seeded one saved as version 1 when none is yet.
fn current_scorecard(tx: &Connection, now: DateTime<Utc>) -> Result<Scorecard> {
    if let Some(s) = scorecard_row(tx, "?1 = ?1", 0)? {
        return Ok(s);
    }
    tx.execute(
        "INSERT INTO qa_scorecards (version, body, created_at) VALUES (1, ?1, ?2)",
        (serde_json::to_string(&seeded())?, ms(now)),
    )?;
    scorecard_row(tx, "?1 = ?1", 0)?.ok_or_else(|| Error::Internal("scorecard".into()))
}

fn refuse(action: &str, status: ReviewStatus) -> Error {
    Error::InvalidTransition {
        action: action.into(),
        status: status.as_str().into(),
    }
}

fn forbidden(action: &str, by: &Author<'_>) -> Error {
    Error::Forbidden {
        action: action.into(),
        actor: by.user.name.clone(),
        role: by.user.role.as_str().into(),
        permission: false,
    }
}

/// The calls of `[from, to)` that may be drawn: answered by a known agent, not a drill's.
/// (30 and 90 days in milliseconds are written out: as a product of two small numbers
/// PostgreSQL would compute them in 32 bits and overflow.)
fn candidates(c: &Connection, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Candidate>> {
    let sql = format!(
        "SELECT c.id, c.agent_id,
            coalesce((WITH RECURSIVE up(id, parent, code) AS (
                 SELECT g.id, g.parent_id, g.code FROM categories g WHERE g.id = t.category_id
                 UNION ALL SELECT p.id, p.parent_id, p.code FROM categories p JOIN up ON p.id = up.parent)
              SELECT code FROM up WHERE parent IS NULL), ''),
            (c.ended_at - c.answered_at) / 1000,
            EXISTS (SELECT 1 FROM complaints k WHERE k.ticket_id = c.ticket_id),
            EXISTS (SELECT 1 FROM calls p WHERE p.caller = c.caller AND p.started_at < c.started_at
                    AND p.started_at >= c.started_at - 2592000000),
            NOT EXISTS (SELECT 1 FROM calls f WHERE f.agent_id = c.agent_id AND f.started_at < ?1 - 7776000000)
         FROM calls c LEFT JOIN tickets t ON t.id = c.ticket_id
         WHERE c.started_at >= ?1 AND c.started_at < ?2 AND c.agent_id IS NOT NULL AND c.answered_at IS NOT NULL
           AND (t.id IS NULL OR {NOT_DRILL})"
    );
    let rows = c
        .prepare(&sql)?
        .query_map((ms(from), ms(to)), |r| {
            Ok(Candidate {
                call_id: r.get(0)?,
                agent_id: r.get(1)?,
                category: r.get(2)?,
                seconds: r.get(3)?,
                complaint: r.get(4)?,
                repeat_caller: r.get(5)?,
                new_staff: r.get(6)?,
            })
        })?
        .collect::<super::sql::Result<_>>()?;
    Ok(rows)
}

impl Store {
    /// The scorecard new reviews use (the seeded one until a manager saves another).
    pub fn scorecard(&self) -> Result<Scorecard> {
        self.read(|c| {
            Ok(scorecard_row(c, "?1 = ?1", 0)?.unwrap_or(Scorecard {
                id: 0,
                version: 0,
                body: seeded(),
            }))
        })
    }

    pub fn scorecard_version(&self, id: i64) -> Result<Scorecard> {
        self.read(|c| {
            scorecard_row(c, "id = ?1", id)?.ok_or_else(|| Error::NotFound {
                entity: "scorecard",
                key: id.to_string(),
            })
        })
    }

    /// Saves the next version; reviews already scored keep theirs.
    pub fn save_scorecard(&self, by: Author<'_>, body: &ScorecardBody) -> Result<Scorecard> {
        let body = body.validated()?;
        let now = self.now();
        self.write(|tx| {
            let cur = current_scorecard(tx, now)?;
            tx.execute(
                "INSERT INTO qa_scorecards (version, body, created_by, created_at) VALUES (?1, ?2, ?3, ?4)",
                (cur.version + 1, serde_json::to_string(&body)?, by.user.id, ms(now)),
            )?;
            super::audit::append(tx, now, Some(by.user), "scorecard_saved", &format!("v{}", cur.version + 1), &serde_json::json!({}))?;
            current_scorecard(tx, now)
        })
    }

    /// Draws the spot checks of `[from, to)` (a month, named `month`) for the QA reviewers,
    /// once per month.
    pub fn draw_sample(
        &self,
        by: Author<'_>,
        month: &str,
        (from, to): (DateTime<Utc>, DateTime<Utc>),
        plan: &SamplingPlan,
    ) -> Result<Vec<QaReview>> {
        plan.validated()?;
        let now = self.now();
        self.write(|tx| {
            let taken: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM qa_samples WHERE month = ?1)", [month], |r| r.get(0))?;
            if taken {
                return Err(Error::Taken {
                    field: "month",
                    value: month.to_string(),
                });
            }
            let reviewers: Vec<i64> = tx
                .prepare("SELECT id FROM users WHERE role = 'qa' AND active ORDER BY id")?
                .query_map([], |r| r.get(0))?
                .collect::<super::sql::Result<_>>()?;
            let drawn = sample(&candidates(tx, from, to)?, plan, &reviewers);
            let sample_id = tx.insert(
                "INSERT INTO qa_samples (month, plan, created_by, created_at) VALUES (?1, ?2, ?3, ?4)",
                (month, serde_json::to_string(plan)?, by.user.id, ms(now)),
            )?;
            for d in &drawn {
                tx.execute(
                    "INSERT INTO qa_reviews (sample_id, call_id, agent_id, reviewer_id, status) VALUES (?1, ?2, ?3, ?4, 'assigned')",
                    (sample_id, d.call_id, d.agent_id, d.reviewer_id),
                )?;
            }
            super::audit::append(tx, now, Some(by.user), "qa_sample_drawn", month, &serde_json::json!({ "calls": drawn.len(), "seed": plan.seed }))?;
            reviews_where(tx, "r.sample_id = ?1", sample_id)
        })
    }

    pub fn qa_reviews(&self, which: Reviews) -> Result<Vec<QaReview>> {
        self.read(|c| match which {
            Reviews::ForReviewer(u) => {
                reviews_where(c, "(r.reviewer_id = ?1 OR r.second_id = ?1)", u)
            }
            Reviews::OfAgent(u) => reviews_where(
                c,
                "r.agent_id = ?1 AND r.status <> 'assigned' AND r.calibration IS NULL",
                u,
            ),
            Reviews::Calibration(id) => reviews_where(c, "r.calibration = ?1", id),
            Reviews::OfCall(id) => reviews_where(c, "r.call_id = ?1", id),
            Reviews::Disputed => reviews_where(c, "r.status = 'disputed' AND ?1 = ?1", 0),
            Reviews::All => reviews_where(c, "?1 = ?1", 0),
        })
    }

    pub fn qa_review(&self, id: i64) -> Result<QaReview> {
        self.read(|c| review(c, id))
    }

    /// The assigned reviewer scores (or re-scores, until the agent answers) on the current
    /// scorecard, with comments pinned to moments of the recording.
    pub fn score_review(
        &self,
        id: i64,
        by: Author<'_>,
        scores: &BTreeMap<String, u8>,
        comments: &[Comment],
    ) -> Result<QaReview> {
        let comments = comments
            .iter()
            .map(|c| {
                Ok(Comment {
                    at_seconds: c.at_seconds,
                    text: text("comment", &c.text, NOTE_MAX)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let now = self.now();
        self.write(|tx| {
            let r = review(tx, id)?;
            if r.reviewer_id != Some(by.user.id) {
                return Err(forbidden("score_review", &by));
            }
            if !matches!(r.status, ReviewStatus::Assigned | ReviewStatus::Scored) {
                return Err(refuse("score", r.status));
            }
            let card = current_scorecard(tx, now)?;
            let t = total(&card.body, scores)?;
            tx.execute(
                "UPDATE qa_reviews SET status = 'scored', scorecard_id = ?1, scores = ?2, comments = ?3, points = ?4,
                    critical = ?5, scored_at = ?6 WHERE id = ?7",
                super::sql::params![card.id, serde_json::to_string(scores)?, serde_json::to_string(&comments)?, t.points, !t.critical_failed.is_empty(), ms(now), id],
            )?;
            review(tx, id)
        })
    }

    /// The reviewer proposes a training topic for the agent (or withdraws it with none).
    pub fn propose_training(
        &self,
        id: i64,
        by: Author<'_>,
        topic: Option<crate::training::Topic>,
    ) -> Result<QaReview> {
        self.write(|tx| {
            let r = review(tx, id)?;
            if r.reviewer_id != Some(by.user.id) && r.second_id != Some(by.user.id) {
                return Err(forbidden("propose_training", &by));
            }
            if r.status == ReviewStatus::Assigned {
                return Err(refuse("propose_training", r.status));
            }
            tx.execute(
                "UPDATE qa_reviews SET training_topic = ?1 WHERE id = ?2",
                (topic, id),
            )?;
            review(tx, id)
        })
    }

    /// Reviews that propose a training topic, newest first: the trainers' list.
    pub fn training_proposals(&self) -> Result<Vec<QaReview>> {
        self.read(|c| reviews_where(c, "r.training_topic IS NOT NULL AND ?1 = ?1", 0))
    }

    /// The agent accepts the score.
    pub fn acknowledge_review(&self, id: i64, by: Author<'_>) -> Result<QaReview> {
        self.agent_answers(id, by, None)
    }

    /// The agent disputes the score, with a reason: a second reviewer decides.
    pub fn dispute_review(&self, id: i64, by: Author<'_>, reason: &str) -> Result<QaReview> {
        let reason = text("reason", reason, NOTE_MAX)?;
        self.agent_answers(id, by, Some(reason))
    }

    fn agent_answers(&self, id: i64, by: Author<'_>, dispute: Option<String>) -> Result<QaReview> {
        let now = self.now();
        self.write(|tx| {
            let r = review(tx, id)?;
            // A calibration scores the reviewers, not the agent: nothing to answer.
            if r.agent_id != by.user.id || r.calibration.is_some() {
                return Err(forbidden("answer_review", &by));
            }
            if r.status != ReviewStatus::Scored {
                return Err(refuse(if dispute.is_some() { "dispute" } else { "acknowledge" }, r.status));
            }
            match dispute {
                None => tx.execute("UPDATE qa_reviews SET status = 'acknowledged', acked_at = ?1 WHERE id = ?2", (ms(now), id))?,
                Some(d) => tx.execute(
                    "UPDATE qa_reviews SET status = 'disputed', dispute = ?1, disputed_at = ?2 WHERE id = ?3",
                    (d, ms(now), id),
                )?,
            };
            review(tx, id)
        })
    }

    /// A second reviewer — neither the first nor the agent — decides a dispute on the
    /// scorecard version the first used; their score stands.
    pub fn decide_dispute(
        &self,
        id: i64,
        by: Author<'_>,
        scores: &BTreeMap<String, u8>,
    ) -> Result<QaReview> {
        let now = self.now();
        self.write(|tx| {
            let r = review(tx, id)?;
            if r.status != ReviewStatus::Disputed {
                return Err(refuse("decide", r.status));
            }
            if by.user.id == r.agent_id || Some(by.user.id) == r.reviewer_id {
                return Err(forbidden("decide_dispute", &by));
            }
            let card_id = r.scorecard_id.ok_or_else(|| Error::Internal("a scored review without a scorecard".into()))?;
            let card = scorecard_row(tx, "id = ?1", card_id)?.ok_or_else(|| Error::Internal("scorecard".into()))?;
            let t = total(&card.body, scores)?;
            tx.execute(
                "UPDATE qa_reviews SET status = 'decided', second_id = ?1, second_scores = ?2, second_points = ?3,
                    critical = ?4, decided_at = ?5 WHERE id = ?6",
                super::sql::params![by.user.id, serde_json::to_string(scores)?, t.points, !t.critical_failed.is_empty(), ms(now), id],
            )?;
            review(tx, id)
        })
    }

    /// A calibration session: each reviewer named scores the same call (never its agent);
    /// the session's reviews count in no figure. The session's number.
    pub fn start_calibration(
        &self,
        by: Author<'_>,
        call_id: i64,
        reviewers: &[i64],
    ) -> Result<i64> {
        let now = self.now();
        self.write(|tx| {
            let agent: Option<i64> = tx
                .query_row("SELECT agent_id FROM calls WHERE id = ?1", [call_id], |r| r.get(0))
                .optional()?
                .ok_or_else(|| Error::NotFound { entity: "call", key: call_id.to_string() })?;
            let agent = agent.ok_or_else(|| Error::NotFound { entity: "agent", key: call_id.to_string() })?;
            let mut named: Vec<i64> = reviewers.iter().copied().filter(|r| *r != agent).collect();
            named.sort_unstable();
            named.dedup();
            if named.len() < 2 {
                return Err(Error::Required { field: "reviewers" });
            }
            let session: i64 = tx.query_row("SELECT coalesce(max(calibration), 0) + 1 FROM qa_reviews", [], |r| r.get(0))?;
            for r in &named {
                super::reference::get_user(tx, *r)?;
                tx.execute(
                    "INSERT INTO qa_reviews (calibration, call_id, agent_id, reviewer_id, status) VALUES (?1, ?2, ?3, ?4, 'assigned')",
                    (session, call_id, agent, r),
                )?;
            }
            super::audit::append(tx, now, Some(by.user), "qa_calibration_started", &call_id.to_string(), &serde_json::json!({ "session": session, "reviewers": named }))?;
            Ok(session)
        })
    }

    /// The calls linked to a ticket, first first.
    pub fn ticket_calls(&self, ticket_id: i64) -> Result<Vec<TicketCall>> {
        self.read(|c| {
            let rows = c
                .prepare_cached(
                    "SELECT c.id, c.started_at, (c.ended_at - coalesce(c.answered_at, c.started_at)) / 1000, u.name, c.recording IS NOT NULL
                     FROM calls c LEFT JOIN users u ON u.id = c.agent_id WHERE c.ticket_id = ?1 ORDER BY c.started_at, c.id",
                )?
                .query_map([ticket_id], |r| {
                    Ok(TicketCall {
                        id: r.get(0)?,
                        started_at: from_ms(r.get(1)?),
                        seconds: r.get(2)?,
                        agent: r.get(3)?,
                        has_recording: r.get(4)?,
                    })
                })?
                .collect::<super::sql::Result<_>>()?;
            Ok(rows)
        })
    }

    /// Where a call's recording is (`recording_pattern` at its import).
    pub fn recording_of(&self, call_id: i64) -> Result<String> {
        self.read(|c| {
            let path: Option<String> = c
                .query_row(
                    "SELECT recording FROM calls WHERE id = ?1",
                    [call_id],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| Error::NotFound {
                    entity: "call",
                    key: call_id.to_string(),
                })?;
            path.ok_or_else(|| Error::NotFound {
                entity: "recording",
                key: call_id.to_string(),
            })
        })
    }

    /// Each playback is in the audit log.
    pub fn recording_played(&self, call_id: i64, by: Author<'_>) -> Result<()> {
        let now = self.now();
        self.write(|tx| {
            super::audit::append(
                tx,
                now,
                Some(by.user),
                "recording_played",
                &call_id.to_string(),
                &serde_json::json!({ "call_id": call_id }),
            )
        })
    }
}

#[cfg(test)]
#[path = "qa_tests.rs"]
mod tests;
