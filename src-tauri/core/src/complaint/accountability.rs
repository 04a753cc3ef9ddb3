//! Accountability of the staff involved in a complaint (人力资源: 考核, 奖惩建议): what was
//! found about whom, HR's proposal, the decision and its date, and the staff member's own
//! response. Seen only by the roles the matrix grants and by the person concerned.

use crate::error::{Error, Result};
use crate::validate::{opt_text, text, NOTE_MAX};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

str_enum!(
    /// What HR proposes about a finding.
    Proposal {
        /// 考核: counted in the person's assessment.
        Assessment = "assessment",
        /// 奖励: the complaint showed good conduct.
        Reward = "reward",
        /// 处分: a penalty.
        Penalty = "penalty",
        /// Nothing to answer for.
        NoAction = "no_action",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewFinding {
    pub staff_id: i64,
    pub finding: String,
    pub proposal: Proposal,
    #[serde(default)]
    pub proposal_note: Option<String>,
}

impl NewFinding {
    pub fn validated(&self) -> Result<NewFinding> {
        Ok(NewFinding {
            staff_id: self.staff_id,
            finding: text("finding", &self.finding, NOTE_MAX)?,
            proposal: self.proposal,
            proposal_note: opt_text("proposal_note", self.proposal_note.as_deref(), NOTE_MAX)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewDecision {
    pub decision: String,
    /// The day the decision takes effect.
    pub effective_on: NaiveDate,
}

impl NewDecision {
    pub fn validated(&self) -> Result<NewDecision> {
        Ok(NewDecision {
            decision: text("decision", &self.decision, NOTE_MAX)?,
            effective_on: self.effective_on,
        })
    }
}

/// A decision is taken once, and the person concerned answers once (before or after it).
pub fn may_decide(decided: bool) -> Result<()> {
    if decided {
        return Err(Error::InvalidTransition {
            action: "decide".into(),
            status: "decided".into(),
        });
    }
    Ok(())
}

pub fn may_respond(responded: bool) -> Result<()> {
    if responded {
        return Err(Error::InvalidTransition {
            action: "respond".into(),
            status: "responded".into(),
        });
    }
    Ok(())
}
