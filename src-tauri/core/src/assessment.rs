//! Adjusting the monthly assessment of departments: a ticket proposed as unreasonable
//! (不合理件) and approved by a supervisor leaves every figure of its department; a
//! department's appeal (申诉) of one entry of a month's figure, filed within the window after
//! the month closes and upheld by a manager, leaves that figure. Both are taken out, never
//! turned into a pass, so a figure reads `raw − excluded − appealed` in both its parts.
//! Pure rules.

use crate::calendar::Calendar;
use crate::error::{Error, Result};
use chrono::{Datelike, Duration, NaiveDate};

str_enum!(
    /// Why a ticket is unreasonable for the assessment (不合理件).
    ExclusionReason {
        /// 超出管辖范围: no department of this centre's area may act on it.
        OutsideJurisdiction = "outside_jurisdiction",
        /// 属于诉讼、仲裁、信访等渠道: it belongs to the courts or the petition system.
        LitigationOrPetition = "litigation_or_petition",
        /// 诉求违法: the demand itself is unlawful.
        UnlawfulDemand = "unlawful_demand",
        /// 涉及国家秘密、商业秘密或个人隐私.
        SecretOrPrivacy = "secret_or_privacy",
        /// 反映情况不实.
        Untrue = "untrue",
        /// 诉求明显不合理 (beyond what any policy grants).
        UnreasonableDemand = "unreasonable_demand",
        /// 恶意、骚扰来电.
        Malicious = "malicious",
    }
);

str_enum!(
    /// Where a proposal of an unreasonable ticket stands.
    ExclusionState {
        Proposed = "proposed",
        Approved = "approved",
        Refused = "refused",
    }
);

str_enum!(
    /// Where a department's appeal stands.
    AppealState {
        Filed = "filed",
        Upheld = "upheld",
        Rejected = "rejected",
    }
);

/// The department figures an entry of which may be appealed: those that count against the
/// department that handled the ticket.
pub const APPEALABLE: &[&str] = &[
    "on_time_acceptance",
    "on_time_handling",
    "satisfaction",
    "resolution",
    "redispatch",
];

/// Whether a ticket's part of a figure (in its numerator, in its denominator) counts
/// against the department: a miss of a figure where more is better, or any count of one
/// where less is.
pub fn counts_against(key: &str, numerator: i64, denominator: i64) -> bool {
    if crate::report::LOWER_IS_BETTER.contains(&key) {
        numerator > 0
    } else {
        denominator > numerator
    }
}

/// A supervisor's decision on a proposal.
pub fn decide_exclusion(state: ExclusionState, approve: bool) -> Result<ExclusionState> {
    match state {
        ExclusionState::Proposed if approve => Ok(ExclusionState::Approved),
        ExclusionState::Proposed => Ok(ExclusionState::Refused),
        s => Err(Error::InvalidTransition {
            action: "decide_exclusion".into(),
            status: s.as_str().into(),
        }),
    }
}

/// A manager's decision on an appeal.
pub fn decide_appeal(state: AppealState, uphold: bool) -> Result<AppealState> {
    match state {
        AppealState::Filed if uphold => Ok(AppealState::Upheld),
        AppealState::Filed => Ok(AppealState::Rejected),
        s => Err(Error::InvalidTransition {
            action: "decide_appeal".into(),
            status: s.as_str().into(),
        }),
    }
}

/// A month as `2026-10`: its first day, or none.
pub fn month_start(spec: &str) -> Option<NaiveDate> {
    let d = NaiveDate::parse_from_str(&format!("{spec}-01"), "%Y-%m-%d").ok()?;
    (spec.len() == 7).then_some(d)
}

/// The last day on which a month's entries may be appealed: the `days`th working day
/// after the month closes (its last day being the close), by the office calendar with its
/// make-up working days.
pub fn appeal_last_day(cal: &Calendar, month: NaiveDate, days: i64) -> Option<NaiveDate> {
    let mut d = month.checked_add_months(chrono::Months::new(1))?;
    let mut left = days.max(1);
    // A year of days without working time is a broken calendar, not a long holiday.
    for _ in 0..366 {
        if cal.is_working_day(d).value {
            left -= 1;
            if left == 0 {
                return Some(d);
            }
        }
        d += Duration::days(1);
    }
    None
}

/// Whether `today` (local) lies in the month's appeal window: after the month closed,
/// until its last day.
pub fn within_window(month: NaiveDate, last_day: NaiveDate, today: NaiveDate) -> bool {
    let closed = (today.year(), today.month()) > (month.year(), month.month());
    closed && today <= last_day
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn decisions_are_taken_once() {
        use AppealState as A;
        use ExclusionState as E;
        assert_eq!(decide_exclusion(E::Proposed, true).ok(), Some(E::Approved));
        assert_eq!(decide_exclusion(E::Proposed, false).ok(), Some(E::Refused));
        assert_eq!(decide_appeal(A::Filed, true).ok(), Some(A::Upheld));
        assert_eq!(decide_appeal(A::Filed, false).ok(), Some(A::Rejected));
        for s in [E::Approved, E::Refused] {
            assert_eq!(
                decide_exclusion(s, true).map_err(|e| e.code()),
                Err("invalid_transition")
            );
        }
        for s in [A::Upheld, A::Rejected] {
            assert!(decide_appeal(s, false).is_err());
        }
    }

    #[test]
    fn an_entry_counts_against_by_the_figures_direction() {
        assert!(counts_against("on_time_handling", 0, 1));
        assert!(!counts_against("on_time_handling", 1, 1));
        assert!(counts_against("redispatch", 1, 1));
        assert!(!counts_against("redispatch", 0, 1));
        assert!(!counts_against("satisfaction", 0, 0));
    }

    #[test]
    fn the_window_counts_working_days_after_the_close_with_make_up_days() {
        let cal = crate::calendar::Calendar::office("office")
            .with_official_cn()
            .expect("official days");
        // September 2026 closes on Wednesday the 30th; 1–7 October are the National Day
        // holiday, and Saturday 10 October is a make-up working day.
        let sep = day("2026-09-01");
        assert_eq!(appeal_last_day(&cal, sep, 1), Some(day("2026-10-08")));
        assert_eq!(appeal_last_day(&cal, sep, 3), Some(day("2026-10-10")));
        assert_eq!(appeal_last_day(&cal, sep, 4), Some(day("2026-10-12")));
        // November 2026: Tuesday 1 December is the first working day after it.
        let nov = day("2026-11-01");
        assert_eq!(appeal_last_day(&cal, nov, 5), Some(day("2026-12-07")));
        assert!(!within_window(nov, day("2026-12-07"), day("2026-11-30")));
        assert!(within_window(nov, day("2026-12-07"), day("2026-12-01")));
        assert!(within_window(nov, day("2026-12-07"), day("2026-12-07")));
        assert!(!within_window(nov, day("2026-12-07"), day("2026-12-08")));
        assert_eq!(month_start("2026-11"), Some(nov));
        assert_eq!(month_start("2026-1"), None);
        assert_eq!(month_start("2026-13"), None);
    }
}
