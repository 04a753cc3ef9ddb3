//! Complaint follow-through (GB/T 19012-2019 = ISO 10002:2018, GB/T 17242-2025): a ticket
//! in a complaint category is also a complaint case — the remedy the complainant seeks,
//! its acknowledgement within a time limit, an urgency × impact assessment that suggests
//! the severity, legal review and the emergency plan, and the legal gate on relaying a
//! risky complaint's answer. Pure rules; the store keeps the case beside the ticket.

pub mod accountability;
pub mod cause;

use crate::error::{Error, Result};
use crate::model::{Channel, Severity};
use crate::validate::{opt_text, text, DESCRIPTION_MAX, NOTE_MAX};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The root category whose subtree is complaints.
pub const COMPLAINT_ROOT: &str = "complaint";

str_enum!(
    /// How the complainant was told their complaint was received.
    AckMethod {
        /// On the call itself: a phone or walk-in complaint is acknowledged at intake.
        AtIntake = "at_intake",
        Phone = "phone",
        Sms = "sms",
        Email = "email",
        Letter = "letter",
    }
);

str_enum!(
    /// A legal reviewer's opinion on a risky complaint's answer.
    LegalOutcome {
        /// The answer may be relayed.
        Cleared = "cleared",
        /// The answer must be revised and reviewed again.
        Revise = "revise",
    }
);

/// Complaints made in person are acknowledged on the spot; the others wait for one.
pub fn acknowledged_at_intake(channel: Channel) -> bool {
    matches!(channel, Channel::Phone | Channel::WalkIn)
}

/// When a complaint received at `received_at` must be acknowledged.
pub fn ack_due(received_at: DateTime<Utc>, hours: i64) -> DateTime<Utc> {
    received_at + Duration::hours(hours)
}

/// A grade of the assessment matrix, 1 (low) to 3 (high).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(into = "u8")]
pub struct Grade(u8);

impl TryFrom<i64> for Grade {
    type Error = Error;
    fn try_from(v: i64) -> Result<Grade> {
        match u8::try_from(v) {
            Ok(g @ 1..=3) => Ok(Grade(g)),
            _ => Err(Error::InvalidValue {
                field: "grade",
                value: v.to_string(),
            }),
        }
    }
}

impl<'de> Deserialize<'de> for Grade {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Grade, D::Error> {
        Grade::try_from(i64::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl From<Grade> for u8 {
    fn from(g: Grade) -> u8 {
        g.0
    }
}

impl Grade {
    pub fn get(self) -> u8 {
        self.0
    }
}

/// What the matrix suggests for an urgency and an impact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggested {
    pub severity: Severity,
    /// Whether the answer should pass a legal reviewer before it reaches the complainant.
    pub legal: bool,
    /// Whether the complaint should start the emergency plan (a major complaint).
    pub emergency: bool,
}

/// The assessment matrix: urgency × impact, each 1–3. The product grades the severity
/// (1–2 一般, 3–4 较大, 6 重大, 9 特别重大); from 4 (two mediums) the answer is reviewed
/// by legal, from 6 (a high on one side, at least medium on the other) the emergency plan
/// for major complaints is suggested.
pub fn suggest(urgency: Grade, impact: Grade) -> Suggested {
    let score = urgency.0 * impact.0;
    let severity = match score {
        1..=2 => Severity::General,
        3..=4 => Severity::Serious,
        5..=6 => Severity::Major,
        _ => Severity::Extraordinary,
    };
    Suggested {
        severity,
        legal: score >= 4,
        emergency: score >= 6,
    }
}

/// The level of the major-complaint response a severity calls for: the four severities
/// are the four levels (一般 1 … 特别重大 4).
pub fn incident_level(severity: Severity) -> crate::emergency::Level {
    let n = match severity {
        Severity::General => 1,
        Severity::Serious => 2,
        Severity::Major => 3,
        Severity::Extraordinary => 4,
    };
    crate::emergency::Level::try_from(n).unwrap_or(crate::emergency::Level::LOWEST)
}

/// An assessment as a supervisor records it: the grades, and the severity and legal
/// review when they override the matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewAssessment {
    pub urgency: Grade,
    pub impact: Grade,
    #[serde(default)]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub risky: Option<bool>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A checked assessment: what the matrix suggested and what was decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub urgency: Grade,
    pub impact: Grade,
    pub suggested: Suggested,
    pub severity: Severity,
    pub risky: bool,
    pub note: Option<String>,
}

impl NewAssessment {
    /// Overriding the matrix towards less care needs a reason: a complaint the matrix
    /// calls risky cleared of legal review, or a severity below the suggestion.
    pub fn validated(&self) -> Result<Assessment> {
        let suggested = suggest(self.urgency, self.impact);
        let severity = self.severity.unwrap_or(suggested.severity);
        let risky = self.risky.unwrap_or(suggested.legal);
        let note = opt_text("note", self.note.as_deref(), NOTE_MAX)?;
        let lowered = severity < suggested.severity || (suggested.legal && !risky);
        if lowered && note.is_none() {
            return Err(Error::Required { field: "note" });
        }
        Ok(Assessment {
            urgency: self.urgency,
            impact: self.impact,
            suggested,
            severity,
            risky,
            note,
        })
    }
}

/// A legal reviewer's opinion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewOpinion {
    pub outcome: LegalOutcome,
    pub opinion: String,
}

impl NewOpinion {
    pub fn validated(&self) -> Result<(LegalOutcome, String)> {
        Ok((
            self.outcome,
            text("opinion", &self.opinion, DESCRIPTION_MAX)?,
        ))
    }
}

/// The legal gate: a risky complaint's answer reaches the complainant only after the
/// latest legal opinion cleared it.
pub fn relay_held(risky: bool, latest: Option<LegalOutcome>) -> bool {
    risky && latest != Some(LegalOutcome::Cleared)
}

/// The remedy the complainant seeks (诉求), in their words.
pub fn remedy(s: &str) -> Result<String> {
    text("remedy", s, DESCRIPTION_MAX)
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
