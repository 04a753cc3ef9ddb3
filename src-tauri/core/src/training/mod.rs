//! Training (培训): the annual plan by topic and method, sessions with attendance, and
//! exams drawn from a question bank, taken in the desk with a time limit and scored
//! automatically. Pure rules; the store keeps the rows.

pub mod exam;
pub mod onboarding;

use crate::error::{Error, Result};
use crate::validate::{text, NAME_MAX};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

str_enum!(
    /// What a training is about (the regulations' list).
    Topic {
        Products = "products",
        ServiceProcess = "service_process",
        Communication = "communication",
        ProblemSolving = "problem_solving",
        InformationSecurity = "information_security",
        Other = "other",
    }
);

str_enum!(
    Method {
        Internal = "internal",
        External = "external",
        Online = "online",
    }
);

/// A planned training session of the annual plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewSession {
    pub title: String,
    pub topic: Topic,
    pub method: Method,
    pub starts_at: DateTime<Utc>,
    /// Length in hours (0.5 steps), the training hours attendance earns.
    pub hours: f64,
    #[serde(default)]
    pub place: String,
    /// Who should attend: user ids.
    #[serde(default)]
    pub audience: Vec<i64>,
}

impl NewSession {
    pub fn validated(&self) -> Result<NewSession> {
        if !(0.5..=40.0).contains(&self.hours) || (self.hours * 2.0).fract() != 0.0 {
            return Err(Error::InvalidValue {
                field: "hours",
                value: self.hours.to_string(),
            });
        }
        let mut audience = self.audience.clone();
        audience.sort_unstable();
        audience.dedup();
        Ok(NewSession {
            title: text("title", &self.title, NAME_MAX)?,
            place: self.place.trim().chars().take(NAME_MAX).collect(),
            audience,
            ..self.clone()
        })
    }
}
