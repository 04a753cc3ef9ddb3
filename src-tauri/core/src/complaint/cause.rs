//! Root cause and improvement of a complaint (GB/T 19012 analysis and improvement): the
//! cause's category, a 5-why or 8D analysis, and measures whose effectiveness is computed
//! from the tickets that came after them — never typed in.

use crate::error::{Error, Result};
use crate::validate::{text, NAME_MAX, NOTE_MAX};
use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};

str_enum!(
    /// Where a complaint's root cause lies.
    CauseCategory {
        People = "people",
        Process = "process",
        Product = "product",
        System = "system",
        Policy = "policy",
        External = "external",
    }
);

str_enum!(
    AnalysisMethod {
        /// Up to five "why?" in a row, the last one the root cause.
        FiveWhys = "five_whys",
        /// The eight disciplines, D1 (team) to D8 (recognition).
        EightD = "eight_d",
    }
);

/// The disciplines of an 8D analysis that must say something: the root cause (D4) and
/// the corrective action (D5).
const EIGHT_D_REQUIRED: [usize; 2] = [3, 4];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCause {
    pub category: CauseCategory,
    pub method: AnalysisMethod,
    /// The whys in order, or D1…D8.
    pub steps: Vec<String>,
    pub summary: String,
}

impl NewCause {
    pub fn validated(&self) -> Result<NewCause> {
        let steps: Vec<String> = self.steps.iter().map(|s| s.trim().to_string()).collect();
        for s in &steps {
            if s.chars().count() > NOTE_MAX {
                return Err(Error::TooLong {
                    field: "analysis",
                    len: s.chars().count(),
                    max: NOTE_MAX,
                });
            }
        }
        let ok = match self.method {
            AnalysisMethod::FiveWhys => {
                (1..=5).contains(&steps.len()) && steps.iter().all(|s| !s.is_empty())
            }
            AnalysisMethod::EightD => {
                steps.len() == 8 && EIGHT_D_REQUIRED.iter().all(|&i| !steps[i].is_empty())
            }
        };
        if !ok {
            return Err(Error::Required { field: "analysis" });
        }
        Ok(NewCause {
            category: self.category,
            method: self.method,
            steps,
            summary: text("summary", &self.summary, NOTE_MAX)?,
        })
    }
}

/// An improvement measure as proposed: what, who, by when, and how long to watch for the
/// same kind of complaint once it is done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewMeasure {
    pub title: String,
    pub owner_id: i64,
    pub due_at: DateTime<Utc>,
    #[serde(default = "default_watch")]
    pub watch_months: u32,
}

fn default_watch() -> u32 {
    3
}

impl NewMeasure {
    pub fn validated(&self, now: DateTime<Utc>) -> Result<NewMeasure> {
        if self.due_at <= now {
            return Err(Error::DeadlineTooEarly {
                deadline: self.due_at.to_rfc3339(),
                after: now.to_rfc3339(),
            });
        }
        if !(1..=24).contains(&self.watch_months) {
            return Err(Error::InvalidValue {
                field: "watch_months",
                value: self.watch_months.to_string(),
            });
        }
        Ok(NewMeasure {
            title: text("title", &self.title, NAME_MAX)?,
            ..self.clone()
        })
    }
}

/// Whether a measure worked, from the complaints received after it was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Effectiveness {
    /// Not done yet.
    Open,
    /// Done; no complaint of the kind so far, the window still running.
    Watching { until: DateTime<Utc> },
    /// Done and the window passed without a complaint of the kind.
    Effective { until: DateTime<Utc> },
    /// A complaint of the same kind came within the window (their numbers).
    Recurred { tickets: Vec<String> },
}

/// The end of the watch after `done_at`.
pub fn watch_until(done_at: DateTime<Utc>, months: u32) -> DateTime<Utc> {
    done_at
        .checked_add_months(Months::new(months))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Judges a measure from the complaints of the same kind received after it (number,
/// receipt): any within the window means it recurred.
pub fn effectiveness(
    done_at: Option<DateTime<Utc>>,
    months: u32,
    now: DateTime<Utc>,
    later: &[(String, DateTime<Utc>)],
) -> Effectiveness {
    let Some(done) = done_at else {
        return Effectiveness::Open;
    };
    let until = watch_until(done, months);
    let tickets: Vec<String> = later
        .iter()
        .filter(|(_, at)| *at > done && *at <= until)
        .map(|(n, _)| n.clone())
        .collect();
    if !tickets.is_empty() {
        Effectiveness::Recurred { tickets }
    } else if now < until {
        Effectiveness::Watching { until }
    } else {
        Effectiveness::Effective { until }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, 2, 0, 0)
            .single()
            .expect("time")
    }

    #[test]
    fn effectiveness_is_computed_from_the_complaints_after_the_measure() {
        let done = Some(t(1));
        let later = |days: &[i64]| -> Vec<(String, DateTime<Utc>)> {
            days.iter()
                .map(|d| (format!("N{d}"), t(1) + Duration::days(*d)))
                .collect()
        };
        assert_eq!(
            effectiveness(None, 3, t(2), &later(&[1])),
            Effectiveness::Open
        );
        let until = watch_until(t(1), 3);
        assert_eq!(
            until,
            Utc.with_ymd_and_hms(2026, 6, 1, 2, 0, 0)
                .single()
                .expect("t")
        );
        assert_eq!(
            effectiveness(done, 3, t(20), &later(&[])),
            Effectiveness::Watching { until }
        );
        assert_eq!(
            effectiveness(done, 3, until, &later(&[])),
            Effectiveness::Effective { until }
        );
        // One within the window recurs; one before the measure or after the window does not.
        assert_eq!(
            effectiveness(done, 3, until, &later(&[-2, 40, 200])),
            Effectiveness::Recurred {
                tickets: vec!["N40".into()]
            }
        );
        assert_eq!(
            effectiveness(done, 3, until + Duration::days(200), &later(&[-2, 200])),
            Effectiveness::Effective { until }
        );
    }

    #[test]
    fn an_analysis_says_enough() {
        let c = |method, steps: &[&str]| NewCause {
            category: CauseCategory::Process,
            method,
            steps: steps.iter().map(|s| s.to_string()).collect(),
            summary: "转办要求不清".into(),
        };
        assert!(c(AnalysisMethod::FiveWhys, &["为何超时", "为何未签收"])
            .validated()
            .is_ok());
        let code = |c: NewCause| c.validated().map_err(|e| e.code()).err();
        assert_eq!(code(c(AnalysisMethod::FiveWhys, &[])), Some("required"));
        assert_eq!(
            code(c(AnalysisMethod::FiveWhys, &["a", " "])),
            Some("required")
        );
        assert_eq!(
            code(c(AnalysisMethod::FiveWhys, &["a"; 6])),
            Some("required")
        );
        let mut d8 = vec![""; 8];
        assert_eq!(code(c(AnalysisMethod::EightD, &d8)), Some("required"));
        d8[3] = "流程缺少复核";
        d8[4] = "增加复核环节";
        assert!(c(AnalysisMethod::EightD, &d8).validated().is_ok());
        let mut none = c(AnalysisMethod::FiveWhys, &["a"]);
        none.summary = String::new();
        assert_eq!(code(none), Some("required"));
    }

    #[test]
    fn a_measure_is_due_later_and_watched_a_while() {
        let m = |due: DateTime<Utc>, months| NewMeasure {
            title: "修订转办规范".into(),
            owner_id: 1,
            due_at: due,
            watch_months: months,
        };
        assert!(m(t(10), 3).validated(t(1)).is_ok());
        assert_eq!(
            m(t(1), 3).validated(t(2)).map_err(|e| e.code()).err(),
            Some("deadline_too_early")
        );
        assert_eq!(
            m(t(10), 0).validated(t(1)).map_err(|e| e.code()).err(),
            Some("invalid_value")
        );
    }
}
