//! SLA policies: how long each stage of a ticket may take, by category and severity,
//! counted on a named working-time calendar.

use crate::calendar::{Computed, Span};
use crate::model::Severity;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

str_enum!(
    /// The stages of a transfer that have a time limit.
    Stage {
        /// The department accepts (签收) a transfer.
        Accept = "accept",
        /// The department first contacts the caller.
        Contact = "contact",
        /// The department handles the case and replies.
        Handle = "handle",
        /// The hotline relays the result to the caller.
        Feedback = "feedback",
        /// The callback visit after a satisfied feedback.
        Callback = "callback",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaPolicy {
    pub id: i64,
    pub stage: Stage,
    pub category_id: Option<i64>,
    pub severity: Option<Severity>,
    pub span: Span,
    pub calendar: String,
}

impl SlaPolicy {
    /// How specific the row is: severity weighs more than category (a 重大 incident
    /// counts in hours whatever its category).
    fn rank(&self) -> u8 {
        u8::from(self.severity.is_some()) * 2 + u8::from(self.category_id.is_some())
    }
}

/// The policy for `stage` of a ticket in `categories` (its category, then its parents)
/// at `severity`: the most specific matching row.
pub fn choose<'a>(
    policies: &'a [SlaPolicy],
    stage: Stage,
    categories: &[i64],
    severity: Severity,
) -> Option<&'a SlaPolicy> {
    policies
        .iter()
        .filter(|p| p.stage == stage)
        .filter(|p| p.severity.is_none_or(|s| s == severity))
        .filter(|p| p.category_id.is_none_or(|c| categories.contains(&c)))
        .max_by_key(|p| {
            // Among rows of equal rank, the nearer category (the ticket's own) wins.
            let depth = p
                .category_id
                .and_then(|c| categories.iter().position(|x| *x == c))
                .unwrap_or(usize::MAX);
            (p.rank(), std::cmp::Reverse(depth))
        })
}

/// A deadline suggested by the policies, with the policy it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggested {
    pub stage: Stage,
    pub due_at: DateTime<Utc>,
    pub calendar_incomplete: bool,
    pub policy: SlaPolicy,
}

impl Suggested {
    pub fn new(stage: Stage, due: Computed<DateTime<Utc>>, policy: &SlaPolicy) -> Suggested {
        Suggested {
            stage,
            due_at: due.value,
            calendar_incomplete: due.calendar_incomplete,
            policy: policy.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(id: i64, stage: Stage, category_id: Option<i64>, severity: Option<Severity>) -> SlaPolicy {
        SlaPolicy {
            id,
            stage,
            category_id,
            severity,
            span: Span::WorkingDays(id),
            calendar: "office".into(),
        }
    }

    #[test]
    fn the_most_specific_policy_wins() {
        let all = [
            p(1, Stage::Handle, None, None),
            p(2, Stage::Handle, Some(2), None),
            p(3, Stage::Handle, Some(3), None),
            p(4, Stage::Handle, None, Some(Severity::Major)),
            p(5, Stage::Accept, None, None),
        ];
        let id = |cats: &[i64], s| choose(&all, Stage::Handle, cats, s).map(|p| p.id);
        assert_eq!(id(&[1], Severity::General), Some(1));
        // A sub-category uses its own row, else its parent's.
        assert_eq!(id(&[3, 2], Severity::General), Some(3));
        assert_eq!(id(&[4, 2], Severity::General), Some(2));
        assert_eq!(id(&[3, 2], Severity::Major), Some(4));
        assert_eq!(choose(&all, Stage::Callback, &[1], Severity::General), None);
    }
}
