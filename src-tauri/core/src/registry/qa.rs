//! The commands of spot checks: the scorecard, the month's sample, scoring, the agent's
//! answer, disputes and recordings.

use super::{acting, arguments, need, reply, Command, Ctx, Gate::SignedIn, Run};
use crate::access::{Calibration, Recording, ReviewScope};
use crate::error::Result;
use crate::model::Perm;
use crate::qa::sampling::SamplingPlan;
use crate::qa::scorecard::ScorecardBody;
use crate::store::{Comment, QaReview, Scorecard};
use serde_json::Value;
use std::collections::BTreeMap;

commands! {
    static COMMANDS;
    /// The scorecard new reviews use.
    acting scorecard() [need(Perm::ViewQa)] -> Scorecard = |c, a| a.scorecard();
    /// Saves the scorecard as its next version; scored reviews keep theirs.
    acting save_scorecard(scorecard: ScorecardBody) [need(Perm::ManageQa)] -> Scorecard
        = |c, a| a.save_scorecard(&scorecard);
    /// Draws the month's spot checks (`YYYY-MM`) for the QA reviewers, once.
    acting draw_sample(month: String, plan: SamplingPlan) [need(Perm::ManageQa)] -> Vec<QaReview>
        = |c, a| a.draw_sample(&month, &plan);
    /// Reviews: assigned to me, of my calls, disputed, or all.
    acting qa_reviews(scope: ReviewScope) [SignedIn] -> Vec<QaReview> = |c, a| a.qa_reviews(scope);
    /// Scores an assigned call, item by item, with comments at moments of the recording.
    acting score_review(id: i64, scores: BTreeMap<String, u8>, comments: Option<Vec<Comment>>)
        [need(Perm::ScoreCalls)] -> QaReview
        = |c, a| a.score_review(id, &scores, &comments.unwrap_or_default());
    /// The agent accepts the score of their call.
    acting acknowledge_review(id: i64) [SignedIn] -> QaReview = |c, a| a.acknowledge_review(id);
    /// The agent disputes it, with a reason; a second reviewer decides.
    acting dispute_review(id: i64, reason: String) [SignedIn] -> QaReview
        = |c, a| a.dispute_review(id, &reason);
    /// A second reviewer decides a dispute; their score stands.
    acting decide_dispute(id: i64, scores: BTreeMap<String, u8>) [need(Perm::ScoreCalls)] -> QaReview
        = |c, a| a.decide_dispute(id, &scores);
    /// The reviewer proposes a training topic for the agent (none withdraws it).
    acting propose_training(id: i64, topic: Option<crate::training::Topic>) [need(Perm::ScoreCalls)]
        -> QaReview = |c, a| a.propose_training(id, topic);
    /// The training topics QA proposed, with the calls behind them.
    acting training_proposals() [need(Perm::ManageTraining)] -> Vec<QaReview>
        = |c, a| a.training_proposals();
    /// A calibration session: the reviewers named score the same call. Its number.
    acting start_calibration(call_id: i64, reviewers: Vec<i64>) [need(Perm::ManageQa)] -> i64
        = |c, a| a.start_calibration(call_id, &reviewers);
    /// A calibration session's reviews and the spread of their scores per item.
    acting calibration(session: i64) [need(Perm::ViewQa)] -> Calibration
        = |c, a| a.calibration(session);
    /// The calls behind a ticket, with whether each was recorded.
    acting ticket_calls(ticket_id: i64) [need(Perm::ViewTickets)] -> Vec<crate::store::TicketCall>
        = |c, a| a.ticket_calls(ticket_id);
    /// A call's recording for the audio element (each playback logged).
    acting play_recording(call_id: i64) [SignedIn] -> Recording = |c, a| a.play_recording(call_id);
}
