//! The review after an incident (复盘): what went well and badly, the plan changes it
//! leads to, and follow-up actions with an owner and a deadline. Pure values and their
//! checks; the timeline is the incident's own, assembled by the store.

use super::{Incident, IncidentStatus, NewIncidentEvent};
use crate::error::{Error, Result};
use crate::validate::{opt_text, text, NAME_MAX, NOTE_MAX};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewFollowUp {
    pub title: String,
    pub owner_id: i64,
    pub due_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewReview {
    pub went_well: String,
    pub went_badly: String,
    #[serde(default)]
    pub plan_changes: String,
    #[serde(default)]
    pub follow_ups: Vec<NewFollowUp>,
}

const FOLLOW_UPS_MAX: usize = 50;

impl NewReview {
    /// Checked and trimmed: both assessments said, every follow-up titled and due after
    /// `now`.
    pub fn validated(&self, now: DateTime<Utc>) -> Result<NewReview> {
        if self.follow_ups.len() > FOLLOW_UPS_MAX {
            return Err(Error::InvalidValue {
                field: "follow_ups",
                value: self.follow_ups.len().to_string(),
            });
        }
        let follow_ups = self
            .follow_ups
            .iter()
            .map(|f| {
                if f.due_at <= now {
                    return Err(Error::DeadlineTooEarly {
                        deadline: f.due_at.to_rfc3339(),
                        after: now.to_rfc3339(),
                    });
                }
                Ok(NewFollowUp {
                    title: text("title", &f.title, NAME_MAX * 2)?,
                    owner_id: f.owner_id,
                    due_at: f.due_at,
                })
            })
            .collect::<Result<_>>()?;
        Ok(NewReview {
            went_well: text("went_well", &self.went_well, NOTE_MAX)?,
            went_badly: text("went_badly", &self.went_badly, NOTE_MAX)?,
            plan_changes: opt_text("plan_changes", Some(&self.plan_changes), NOTE_MAX)?
                .unwrap_or_default(),
            follow_ups,
        })
    }
}

/// The review closes a resolved incident: resolved → reviewed, once.
pub fn reviewed(incident: &Incident) -> Result<(Incident, NewIncidentEvent)> {
    if incident.status != IncidentStatus::Resolved {
        return Err(Error::IncidentTransition {
            action: "review".into(),
            status: incident.status.as_str().into(),
        });
    }
    let mut next = incident.clone();
    next.status = IncidentStatus::Reviewed;
    Ok((
        next,
        NewIncidentEvent {
            action: "review".into(),
            note: None,
            from_status: Some(IncidentStatus::Resolved),
            to_status: IncidentStatus::Reviewed,
            data: serde_json::json!({}),
        },
    ))
}
