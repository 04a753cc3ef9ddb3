//! Graded emergency response (docs/design.md, "Emergency response"): incidents of four
//! levels, their status and timeline rules, the plans they follow (`plan`). Pure values
//! and rules; the store keeps them (`store::incidents`), `Acting` guards them.

pub mod detect;
pub mod notice;
pub mod plan;
pub mod review;
pub mod roster;
pub mod workbook;

use crate::error::{Error, Result};
use crate::model::Role;
use crate::validate::{opt_text, text, NAME_MAX, NOTE_MAX};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use plan::{Plan, PlanStep, Recipients};

str_enum!(
    /// What happened: the consultation-hotline plan's events and the management
    /// regulation's own plans (a hotline failure, a staff shortage, a major complaint).
    IncidentKind {
        ServiceOutage = "service_outage",
        PublicEmergency = "public_emergency",
        MassComplaint = "mass_complaint",
        HotlineFailure = "hotline_failure",
        StaffShortage = "staff_shortage",
        Other = "other",
    }
);

str_enum!(
    /// declared → responding → monitoring → resolved → reviewed.
    IncidentStatus {
        Declared = "declared",
        Responding = "responding",
        Monitoring = "monitoring",
        Resolved = "resolved",
        Reviewed = "reviewed",
    }
);

impl IncidentStatus {
    /// Still under way: shown on every intake screen, open to new calls.
    pub const ACTIVE: &'static [IncidentStatus] = &[
        IncidentStatus::Declared,
        IncidentStatus::Responding,
        IncidentStatus::Monitoring,
    ];

    pub fn is_active(self) -> bool {
        Self::ACTIVE.contains(&self)
    }
}

/// The plans' four levels: 1 一般, 2 较大, 3 重大, 4 特别重大.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Level(u8);

impl Level {
    pub const ALL: &'static [Level] = &[Level(1), Level(2), Level(3), Level(4)];
    pub const LOWEST: Level = Level(1);

    pub fn get(self) -> i64 {
        i64::from(self.0)
    }
}

impl TryFrom<i64> for Level {
    type Error = Error;
    fn try_from(v: i64) -> Result<Level> {
        match v {
            1..=4 => Ok(Level(v as u8)),
            _ => Err(Error::InvalidValue {
                field: "level",
                value: v.to_string(),
            }),
        }
    }
}

impl From<Level> for i64 {
    fn from(l: Level) -> i64 {
        l.get()
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An incident as declared: what the form (or `hotline incident declare`) sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewIncident {
    pub title: String,
    pub kind: IncidentKind,
    pub level: Level,
    #[serde(default)]
    pub area: String,
    #[serde(default)]
    pub services: String,
    /// The calls about it are of this category (bulletins show on their caller's card).
    #[serde(default)]
    pub category_id: Option<i64>,
    /// When it began, if before its declaration.
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub note: Option<String>,
    /// A drill: the same plan, paging marked as drill, outside every KPI.
    #[serde(default)]
    pub drill: bool,
}

impl NewIncident {
    /// A declaration with nothing but its title, kind and level (area, services and the
    /// rest empty), under way from its declaration.
    pub fn new(title: &str, kind: IncidentKind, level: Level) -> NewIncident {
        NewIncident {
            title: title.to_string(),
            kind,
            level,
            area: String::new(),
            services: String::new(),
            category_id: None,
            started_at: None,
            note: None,
            drill: false,
        }
    }

    /// Checked and trimmed; refused when any field is bad.
    pub fn validated(&self, now: DateTime<Utc>) -> Result<NewIncident> {
        let started_at = self.started_at.unwrap_or(now);
        if started_at > now + chrono::Duration::minutes(5) {
            return Err(Error::InvalidValue {
                field: "started_at",
                value: started_at.to_rfc3339(),
            });
        }
        Ok(NewIncident {
            title: text("title", &self.title, NAME_MAX * 2)?,
            kind: self.kind,
            level: self.level,
            area: opt_text("area", Some(&self.area), NAME_MAX * 2)?.unwrap_or_default(),
            services: opt_text("services", Some(&self.services), NAME_MAX * 2)?.unwrap_or_default(),
            category_id: self.category_id,
            started_at: Some(started_at),
            note: opt_text("note", self.note.as_deref(), NOTE_MAX)?,
            drill: self.drill,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    pub id: i64,
    pub number: String,
    pub version: i64,
    pub title: String,
    pub kind: IncidentKind,
    pub level: Level,
    /// A higher level an agent proposed, until someone who may raise decides.
    pub proposed_level: Option<Level>,
    pub status: IncidentStatus,
    pub area: String,
    pub services: String,
    pub category_id: Option<i64>,
    pub started_at: DateTime<Utc>,
    pub declared_at: DateTime<Utc>,
    pub declared_by: i64,
    pub owner_id: Option<i64>,
    /// The plan version it follows (kept while the plan is edited).
    pub plan_id: i64,
    pub drill: bool,
    pub resolved_at: Option<DateTime<Utc>>,
    pub summary: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// A change to an incident (linking calls, bulletins and steps are their own writes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum IncidentAction {
    /// The team takes it up: declared → responding.
    Respond {
        note: Option<String>,
    },
    /// The situation is under control and watched: responding → monitoring.
    Monitor {
        note: Option<String>,
    },
    /// Back to an active response: monitoring → responding.
    Resume {
        note: Option<String>,
    },
    /// Raised or lowered, always with a reason.
    SetLevel {
        level: Level,
        reason: String,
    },
    /// Who leads the response.
    Assign {
        owner_id: i64,
    },
    Comment {
        note: String,
    },
    /// Over: the summary is what the review starts from.
    Resolve {
        summary: String,
    },
    /// Resolved too soon: back to responding.
    Reopen {
        reason: String,
    },
}

impl IncidentAction {
    pub fn name(&self) -> &'static str {
        match self {
            IncidentAction::Respond { .. } => "respond",
            IncidentAction::Monitor { .. } => "monitor",
            IncidentAction::Resume { .. } => "resume",
            IncidentAction::SetLevel { .. } => "set_level",
            IncidentAction::Assign { .. } => "assign",
            IncidentAction::Comment { .. } => "comment",
            IncidentAction::Resolve { .. } => "resolve",
            IncidentAction::Reopen { .. } => "reopen",
        }
    }

    /// Whether only someone who manages incidents may take it (the others — a comment —
    /// whoever may report one).
    pub fn manages(&self) -> bool {
        !matches!(self, IncidentAction::Comment { .. })
    }
}

/// One entry of an incident's timeline, as the rules make it (the store numbers it).
#[derive(Debug, Clone, PartialEq)]
pub struct NewIncidentEvent {
    pub action: String,
    pub note: Option<String>,
    pub from_status: Option<IncidentStatus>,
    pub to_status: IncidentStatus,
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentEvent {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: i64,
    pub actor_name: String,
    pub action: String,
    pub note: Option<String>,
    pub from_status: Option<IncidentStatus>,
    pub to_status: IncidentStatus,
    pub data: serde_json::Value,
}

/// Applies `action` to `incident` at `now`: the changed incident and its timeline entry,
/// or why not. Nothing else decides an incident's status or level (the store numbers the
/// change: its version and time).
pub fn apply(
    incident: &Incident,
    action: &IncidentAction,
    now: DateTime<Utc>,
) -> Result<(Incident, NewIncidentEvent)> {
    use IncidentStatus::*;
    let refuse = || Error::IncidentTransition {
        action: action.name().to_string(),
        status: incident.status.as_str().to_string(),
    };
    let mut next = incident.clone();
    let mut data = serde_json::json!({});
    let note = match action {
        IncidentAction::Respond { note } => {
            next.status = match incident.status {
                Declared => Responding,
                _ => return Err(refuse()),
            };
            opt_text("note", note.as_deref(), NOTE_MAX)?
        }
        IncidentAction::Monitor { note } => {
            next.status = match incident.status {
                Declared | Responding => Monitoring,
                _ => return Err(refuse()),
            };
            opt_text("note", note.as_deref(), NOTE_MAX)?
        }
        IncidentAction::Resume { note } => {
            next.status = match incident.status {
                Monitoring => Responding,
                _ => return Err(refuse()),
            };
            opt_text("note", note.as_deref(), NOTE_MAX)?
        }
        IncidentAction::SetLevel { level, reason } => {
            if !incident.status.is_active() {
                return Err(refuse());
            }
            if *level == incident.level {
                return Err(Error::InvalidValue {
                    field: "level",
                    value: level.to_string(),
                });
            }
            next.level = *level;
            next.proposed_level = None;
            data = serde_json::json!({ "from": incident.level, "to": level, "raised": *level > incident.level });
            Some(text("reason", reason, NOTE_MAX)?)
        }
        IncidentAction::Assign { owner_id } => {
            if !incident.status.is_active() {
                return Err(refuse());
            }
            next.owner_id = Some(*owner_id);
            data = serde_json::json!({ "owner_id": owner_id });
            None
        }
        IncidentAction::Comment { note } => Some(text("note", note, NOTE_MAX)?),
        IncidentAction::Resolve { summary } => {
            if !incident.status.is_active() {
                return Err(refuse());
            }
            let summary = text("summary", summary, NOTE_MAX)?;
            next.status = Resolved;
            next.resolved_at = Some(now);
            next.summary = Some(summary.clone());
            Some(summary)
        }
        IncidentAction::Reopen { reason } => {
            if incident.status != Resolved {
                return Err(refuse());
            }
            next.status = Responding;
            next.resolved_at = None;
            Some(text("reason", reason, NOTE_MAX)?)
        }
    };
    let action_name = match action {
        IncidentAction::SetLevel { level, .. } if *level > incident.level => "raise",
        IncidentAction::SetLevel { .. } => "lower",
        a => a.name(),
    };
    let to_status = next.status;
    Ok((
        next,
        NewIncidentEvent {
            action: action_name.to_string(),
            note,
            from_status: Some(incident.status),
            to_status,
            data,
        },
    ))
}

/// The level a declaration starts at for `role`: an agent declares level 1 and proposes
/// anything higher (a supervisor or the duty leader raises it); the others declare at once.
pub fn declared_level(may_manage: bool, asked: Level) -> (Level, Option<Level>) {
    if may_manage || asked == Level::LOWEST {
        (asked, None)
    } else {
        (Level::LOWEST, Some(asked))
    }
}

/// What answering an incident's linked call with its bulletin does to that ticket: a call
/// still waiting is answered (and, where the plan says and the caller can be reached,
/// waits for its callback); a call already moving gets the wording on its timeline; a
/// finished one is left alone.
pub fn bulletin_answer(
    status: crate::model::Status,
    reachable: bool,
    wording: &str,
    plan_callback: bool,
) -> Option<crate::Action> {
    use crate::model::Status;
    match status {
        Status::Received => Some(crate::Action::Answer {
            answer: wording.to_string(),
            callback: plan_callback && reachable,
            article: None,
        }),
        s if s.is_final() => None,
        _ => Some(crate::Action::Comment {
            note: wording.to_string(),
        }),
    }
}

/// The count of each outcome of a bulk answer, and the calls it could not touch (a
/// ticket changed meanwhile, or out of the user's reach) with the reason's code.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BulkAnswer {
    pub answered: u32,
    /// Answered calls now waiting for their callback.
    pub callbacks: u32,
    /// Calls already with a department: the wording went on their timelines.
    pub noted: u32,
    /// Finished calls, not touched.
    pub finished: u32,
    pub failed: Vec<BulkFailure>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkFailure {
    pub number: String,
    pub code: String,
}

/// Roles a seeded plan notifies, by level: 一般 the supervisors (agents handle it);
/// 较大 management and the team; 重大 and 特别重大 everyone who leads.
pub fn default_roles(level: Level) -> Vec<Role> {
    match level.get() {
        1 => vec![Role::Supervisor],
        _ => vec![Role::Supervisor, Role::Manager],
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
