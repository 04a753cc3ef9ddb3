//! `hotline qa …`: spot checks of recorded calls from the command line — draw the month's
//! sample, list reviews, score one, answer as the agent, decide a dispute, the scorecard.

use crate::out::print;
use clap::Subcommand;
use hotline_core::access::{Acting, ReviewScope};
use hotline_core::qa::sampling::SamplingPlan;
use hotline_core::store::{Comment, QaReview};
use hotline_core::{Error, Result};
use std::collections::BTreeMap;

#[derive(Subcommand)]
pub enum QaCmd {
    /// Draw the month's spot checks (YYYY-MM) for the QA reviewers
    Sample {
        month: String,
        #[arg(long, default_value_t = 5)]
        per_agent: u32,
        /// The same seed draws the same calls
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Reviews: assigned (to me), mine (of my calls), disputed, all
    List {
        #[arg(long, default_value = "assigned")]
        scope: String,
    },
    /// Score a review: each item as key=points (0–100); comments as seconds:text
    Score {
        id: i64,
        #[arg(long = "item", required = true)]
        items: Vec<String>,
        #[arg(long = "comment")]
        comments: Vec<String>,
    },
    /// As the agent: accept the score
    Ack { id: i64 },
    /// As the agent: dispute the score, with the reason
    Dispute {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// As a second reviewer: decide a dispute (items as key=points)
    Decide {
        id: i64,
        #[arg(long = "item", required = true)]
        items: Vec<String>,
    },
    /// The current scorecard
    Scorecard,
    /// A calibration session: the reviewers (user ids) score the same call
    Calibrate {
        call: i64,
        #[arg(long = "reviewer", required = true)]
        reviewers: Vec<i64>,
    },
    /// A calibration session's spread of scores per item
    Spread { session: i64 },
}

fn scores(items: &[String]) -> Result<BTreeMap<String, u8>> {
    items
        .iter()
        .map(|i| {
            let bad = || Error::InvalidValue {
                field: "item",
                value: i.chars().take(40).collect(),
            };
            let (k, v) = i.split_once('=').ok_or_else(bad)?;
            Ok((k.trim().to_string(), v.trim().parse().map_err(|_| bad())?))
        })
        .collect()
}

fn comments(items: &[String]) -> Result<Vec<Comment>> {
    items
        .iter()
        .map(|c| {
            let (at, text) = c.split_once(':').ok_or_else(|| Error::InvalidValue {
                field: "comment",
                value: c.chars().take(40).collect(),
            })?;
            Ok(Comment {
                at_seconds: at.trim().parse().map_err(|_| Error::InvalidValue {
                    field: "comment",
                    value: at.chars().take(40).collect(),
                })?,
                text: text.to_string(),
            })
        })
        .collect()
}

fn line(r: &QaReview) -> String {
    format!(
        "#{} call {} {} → {} [{}] {}\n",
        r.id,
        r.call_id,
        r.agent_name,
        r.reviewer_name.as_deref().unwrap_or("—"),
        r.status.as_str(),
        r.final_points()
            .map_or("—".to_string(), |p| format!("{p:.1}"))
    )
}

fn one(json: bool, r: &QaReview) -> Result<()> {
    print(json, serde_json::to_value(r)?, || line(r));
    Ok(())
}

pub fn run(a: &Acting, cmd: QaCmd, json: bool) -> Result<()> {
    match cmd {
        QaCmd::Sample {
            month,
            per_agent,
            seed,
        } => {
            let plan = SamplingPlan {
                per_agent,
                seed,
                long_call_seconds: 600,
                oversample: 3,
            };
            let rows = a.draw_sample(&month, &plan)?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter().map(line).collect()
            });
        }
        QaCmd::List { scope } => {
            let scope: ReviewScope =
                serde_json::from_value(serde_json::Value::String(scope.clone())).map_err(|_| {
                    Error::InvalidValue {
                        field: "scope",
                        value: scope.chars().take(20).collect(),
                    }
                })?;
            let rows = a.qa_reviews(scope)?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter().map(line).collect()
            });
        }
        QaCmd::Score {
            id,
            items,
            comments: c,
        } => one(json, &a.score_review(id, &scores(&items)?, &comments(&c)?)?)?,
        QaCmd::Ack { id } => one(json, &a.acknowledge_review(id)?)?,
        QaCmd::Dispute { id, reason } => one(json, &a.dispute_review(id, &reason)?)?,
        QaCmd::Decide { id, items } => one(json, &a.decide_dispute(id, &scores(&items)?)?)?,
        QaCmd::Calibrate { call, reviewers } => {
            let session = a.start_calibration(call, &reviewers)?;
            print(json, serde_json::json!({ "session": session }), || {
                format!("calibration session {session}\n")
            });
        }
        QaCmd::Spread { session } => {
            let c = a.calibration(session)?;
            print(json, serde_json::to_value(&c)?, || {
                c.items
                    .iter()
                    .map(|i| {
                        format!(
                            "{:<16} {:>3}–{:<3} σ {:.1}\n",
                            i.key, i.min, i.max, i.stddev
                        )
                    })
                    .collect()
            });
        }
        QaCmd::Scorecard => {
            let card = a.scorecard()?;
            print(json, serde_json::to_value(&card)?, || {
                card.body
                    .items
                    .iter()
                    .map(|i| {
                        format!(
                            "{:<16} {:>3}{}  {} / {}\n",
                            i.key,
                            i.weight,
                            if i.critical { " !" } else { "  " },
                            i.group,
                            i.label
                        )
                    })
                    .collect()
            });
        }
    }
    Ok(())
}
