//! The permission door for spot checks: managers keep the scorecard and draw the sample,
//! QA reviewers score what is assigned to them and decide others' disputes, agents read,
//! acknowledge or dispute the scores of their own calls, and recordings play for those
//! who may hear them — the agent too, for a call of theirs under review.

use super::Acting;
use crate::error::{Error, Result};
use crate::mask::Mask;
use crate::model::Perm;
use crate::qa::sampling::SamplingPlan;
use crate::qa::scorecard::ScorecardBody;
use crate::store::{Comment, QaReview, Reviews, Scorecard};
use base64::Engine;
use serde::Serialize;
use std::collections::BTreeMap;

/// Which reviews a user asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewScope {
    /// Assigned to me to score (or decided by me).
    Assigned,
    /// The scores of my own calls.
    Mine,
    /// Disputes waiting for a second reviewer.
    Disputed,
    All,
}

/// A calibration session: the reviews, and the spread of their scores per item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    pub session: i64,
    pub reviews: Vec<QaReview>,
    pub items: Vec<crate::qa::calibration::ItemSpread>,
}

/// A recording for the webview's audio element.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recording {
    pub media_type: &'static str,
    pub base64: String,
}

fn masked(v: Vec<QaReview>) -> Vec<QaReview> {
    v.into_iter().map(Mask::masked).collect()
}

impl<'s> Acting<'s> {
    pub fn scorecard(&self) -> Result<Scorecard> {
        self.need(Perm::ViewQa)?.scorecard()
    }

    pub fn save_scorecard(&self, body: &ScorecardBody) -> Result<Scorecard> {
        self.need(Perm::ManageQa)?
            .save_scorecard(self.author(), body)
    }

    /// Draws the spot checks of `month` (`YYYY-MM`, the centre's time zone).
    pub fn draw_sample(&self, month: &str, plan: &SamplingPlan) -> Result<Vec<QaReview>> {
        let s = self.need(Perm::ManageQa)?;
        let bad = || Error::InvalidValue {
            field: "month",
            value: month.chars().take(20).collect(),
        };
        let anchor = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
            .map_err(|_| bad())?;
        let p = crate::report::period(
            crate::report::PeriodKind::Month,
            anchor,
            None,
            s.timezone()?,
        )
        .ok_or_else(bad)?;
        Ok(masked(s.draw_sample(
            self.author(),
            month,
            (p.from, p.to),
            plan,
        )?))
    }

    pub fn qa_reviews(&self, scope: ReviewScope) -> Result<Vec<QaReview>> {
        let which = match scope {
            ReviewScope::Assigned => {
                self.need(Perm::ScoreCalls)?;
                Reviews::ForReviewer(self.user.id)
            }
            ReviewScope::Mine => Reviews::OfAgent(self.user.id),
            ReviewScope::Disputed => {
                self.need(Perm::ScoreCalls)?;
                Reviews::Disputed
            }
            ReviewScope::All => {
                self.need(Perm::ViewQa)?;
                Reviews::All
            }
        };
        Ok(masked(self.store.qa_reviews(which)?))
    }

    pub fn score_review(
        &self,
        id: i64,
        scores: &BTreeMap<String, u8>,
        comments: &[Comment],
    ) -> Result<QaReview> {
        Ok(self
            .need(Perm::ScoreCalls)?
            .score_review(id, self.author(), scores, comments)?
            .masked())
    }

    /// The agent's answers; the store lets only the agent of the call give them.
    pub fn acknowledge_review(&self, id: i64) -> Result<QaReview> {
        Ok(self.store.acknowledge_review(id, self.author())?.masked())
    }

    pub fn dispute_review(&self, id: i64, reason: &str) -> Result<QaReview> {
        Ok(self
            .store
            .dispute_review(id, self.author(), reason)?
            .masked())
    }

    pub fn decide_dispute(&self, id: i64, scores: &BTreeMap<String, u8>) -> Result<QaReview> {
        Ok(self
            .need(Perm::ScoreCalls)?
            .decide_dispute(id, self.author(), scores)?
            .masked())
    }

    pub fn propose_training(
        &self,
        id: i64,
        topic: Option<crate::training::Topic>,
    ) -> Result<QaReview> {
        Ok(self
            .need(Perm::ScoreCalls)?
            .propose_training(id, self.author(), topic)?
            .masked())
    }

    /// The training topics QA proposed, for those who plan the training.
    pub fn training_proposals(&self) -> Result<Vec<QaReview>> {
        Ok(masked(
            self.need(Perm::ManageTraining)?.training_proposals()?,
        ))
    }

    /// The calls behind a ticket the user sees (their recordings play for those who may).
    pub fn ticket_calls(&self, ticket_id: i64) -> Result<Vec<crate::store::TicketCall>> {
        let s = self.need(Perm::ViewTickets)?;
        self.ticket_in_scope(&s.ticket(ticket_id)?)?;
        s.ticket_calls(ticket_id)
    }

    pub fn start_calibration(&self, call_id: i64, reviewers: &[i64]) -> Result<i64> {
        self.need(Perm::ManageQa)?
            .start_calibration(self.author(), call_id, reviewers)
    }

    pub fn calibration(&self, session: i64) -> Result<Calibration> {
        let reviews = masked(
            self.need(Perm::ViewQa)?
                .qa_reviews(Reviews::Calibration(session))?,
        );
        if reviews.is_empty() {
            return Err(Error::NotFound {
                entity: "calibration",
                key: session.to_string(),
            });
        }
        let scored: Vec<&BTreeMap<String, u8>> = reviews
            .iter()
            .filter(|r| r.scored_at.is_some())
            .map(|r| &r.scores)
            .collect();
        Ok(Calibration {
            session,
            items: crate::qa::calibration::spread(&scored),
            reviews,
        })
    }

    /// A call's recording, read by the backend from where the telephone system left it:
    /// for those who may play recordings, and for the agent of a call under review.
    pub fn play_recording(&self, call_id: i64) -> Result<Recording> {
        if !crate::permissions::allows(self.user.role, Perm::PlayRecordings) {
            let own = self
                .store
                .qa_reviews(Reviews::OfCall(call_id))?
                .iter()
                .any(|r| r.agent_id == self.user.id);
            if !own {
                self.need(Perm::PlayRecordings)?;
            }
        }
        let path = self.store.recording_of(call_id)?;
        let media_type = crate::recording::media_type(&path)
            .ok_or_else(|| Error::InvalidPath { path: path.clone() })?;
        let missing = || Error::NotFound {
            entity: "recording",
            key: call_id.to_string(),
        };
        let meta = std::fs::metadata(&path).map_err(|_| missing())?;
        if !meta.is_file() {
            return Err(missing());
        }
        if meta.len() > crate::recording::MAX_BYTES {
            return Err(Error::TooLong {
                field: "recording",
                len: meta.len() as usize,
                max: crate::recording::MAX_BYTES as usize,
            });
        }
        let bytes = std::fs::read(&path).map_err(|_| missing())?;
        self.store.recording_played(call_id, self.author())?;
        Ok(Recording {
            media_type,
            base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        })
    }
}
