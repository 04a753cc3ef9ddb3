//! Emergency plans: per incident kind × level, who is notified, the checklist of steps
//! with their time limits, how long a page waits for its acknowledgement, whether the
//! incident is reported upward. Plans are versioned: an edit adds a version and a running
//! incident keeps the one it started with. The seeded plans follow the regulations.

use super::{IncidentKind, Level};
use crate::error::{Error, Result};
use crate::model::Role;
use crate::validate::{opt_text, NAME_MAX, NOTE_MAX};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

str_enum!(
    /// The posts of the 24-hour duty roster.
    DutyRole {
        Leader = "leader",
        Agent = "agent",
        Technical = "technical",
    }
);

/// Who a plan's declaration or raise pages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Recipients {
    #[serde(default)]
    pub roles: Vec<Role>,
    #[serde(default)]
    pub users: Vec<i64>,
    /// Whoever holds these posts on the duty roster at the moment.
    #[serde(default)]
    pub on_duty: Vec<DutyRole>,
}

/// One step of the checklist, due `minutes` after the declaration. A seeded step has a
/// `key` and no `title` (its name is in the translation tables, `incident.step.KEY`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanStep {
    pub key: String,
    #[serde(default)]
    pub title: String,
    pub minutes: i64,
}

/// What a plan says (what an editor sends; stored as JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanBody {
    pub notify: Recipients,
    /// Minutes a page waits for its acknowledgement before it goes to the next person
    /// in the chain (0: it does not go on).
    pub ack_minutes: i64,
    pub steps: Vec<PlanStep>,
    /// Report to the higher authority and ask for support (特别重大).
    pub report_upward: bool,
    /// The upward report's wording; blank: the translated default.
    #[serde(default)]
    pub report_template: String,
    /// Answering linked calls with the bulletin also schedules a callback to each caller.
    #[serde(default)]
    pub callback: bool,
}

/// The longest a step may be given: a week.
pub const STEP_MINUTES_MAX: i64 = 7 * 24 * 60;
const STEPS_MAX: usize = 40;

impl PlanBody {
    /// Checked; refused when any part is bad (an empty checklist, a step without a key
    /// or with a time limit out of range, the same key twice).
    pub fn validated(&self) -> Result<PlanBody> {
        if self.steps.is_empty() || self.steps.len() > STEPS_MAX {
            return Err(Error::InvalidValue {
                field: "steps",
                value: self.steps.len().to_string(),
            });
        }
        if !(0..=24 * 60).contains(&self.ack_minutes) {
            return Err(Error::InvalidValue {
                field: "ack_minutes",
                value: self.ack_minutes.to_string(),
            });
        }
        let mut steps = Vec::with_capacity(self.steps.len());
        for s in &self.steps {
            let key = s.key.trim();
            let key_ok = !key.is_empty()
                && key.len() <= 40
                && key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !key_ok || steps.iter().any(|x: &PlanStep| x.key == key) {
                return Err(Error::InvalidValue {
                    field: "step",
                    value: key.chars().take(40).collect(),
                });
            }
            if !(1..=STEP_MINUTES_MAX).contains(&s.minutes) {
                return Err(Error::InvalidValue {
                    field: "minutes",
                    value: s.minutes.to_string(),
                });
            }
            steps.push(PlanStep {
                key: key.to_string(),
                title: opt_text("title", Some(&s.title), NAME_MAX)?.unwrap_or_default(),
                minutes: s.minutes,
            });
        }
        let mut notify = self.notify.clone();
        notify.roles.sort();
        notify.roles.dedup();
        notify.users.sort();
        notify.users.dedup();
        notify.on_duty.sort();
        notify.on_duty.dedup();
        Ok(PlanBody {
            notify,
            ack_minutes: self.ack_minutes,
            steps,
            report_upward: self.report_upward,
            report_template: opt_text("report_template", Some(&self.report_template), NOTE_MAX)?
                .unwrap_or_default(),
            callback: self.callback,
        })
    }
}

/// A plan version as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub id: i64,
    pub kind: IncidentKind,
    pub level: Level,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    #[serde(flatten)]
    pub body: PlanBody,
}

/// The seeded plan for `kind` at `level`, from the regulations: 一般 — agents handle it and
/// report if needed; 较大 — management and the emergency team start the plan and
/// coordinate departments; 重大 — the team acts at once, all departments respond;
/// 特别重大 — the highest plan, reported upward with a request for support. Every level
/// isolates, publishes, coordinates, reassures and restores, faster as it rises.
pub fn seeded(kind: IncidentKind, level: Level) -> PlanBody {
    let l = level.get();
    // Minutes for each step by level (1..=4); a step absent below a level is None.
    let table: &[(&str, [Option<i64>; 4])] = &[
        ("assess", [Some(30), Some(15), Some(10), Some(5)]),
        ("notify_management", [None, Some(30), Some(15), Some(10)]),
        ("isolate", [None, Some(60), Some(30), Some(15)]),
        ("publish", [Some(120), Some(60), Some(30), Some(20)]),
        ("coordinate", [None, Some(120), Some(60), Some(30)]),
        ("report_upward", [None, None, None, Some(30)]),
        ("reassure", [Some(240), Some(240), Some(120), Some(60)]),
        ("restore", [Some(1440), Some(720), Some(480), Some(240)]),
    ];
    let idx = usize::try_from(l - 1).unwrap_or(0);
    let mut steps: Vec<PlanStep> = table
        .iter()
        .filter_map(|(key, m)| {
            m[idx].map(|minutes| PlanStep {
                key: (*key).to_string(),
                title: String::new(),
                minutes,
            })
        })
        .collect();
    // The regulation's own plans add what their situation needs right after the assessment.
    let own = match kind {
        IncidentKind::HotlineFailure => Some("switch_backup"),
        IncidentKind::StaffShortage => Some("call_in_staff"),
        IncidentKind::MassComplaint => Some("complaint_team"),
        _ => None,
    };
    if let Some(key) = own {
        let minutes = steps[0].minutes * 2;
        steps.insert(
            1,
            PlanStep {
                key: key.to_string(),
                title: String::new(),
                minutes,
            },
        );
    }
    let on_duty = match l {
        1 | 2 => vec![DutyRole::Leader],
        _ => vec![DutyRole::Leader, DutyRole::Technical],
    };
    PlanBody {
        notify: Recipients {
            roles: super::default_roles(level),
            users: vec![],
            on_duty,
        },
        ack_minutes: [30, 15, 10, 5][idx],
        steps,
        report_upward: l == 4,
        report_template: String::new(),
        callback: l >= 3,
    }
}

/// The step keys seeded plans use (each has its name in the translation tables).
pub const SEEDED_STEPS: &[&str] = &[
    "assess",
    "notify_management",
    "isolate",
    "publish",
    "coordinate",
    "report_upward",
    "reassure",
    "restore",
    "switch_backup",
    "call_in_staff",
    "complaint_team",
];
