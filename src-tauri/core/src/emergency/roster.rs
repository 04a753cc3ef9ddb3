//! The 24-hour duty roster (值班表): shifts of the day, who holds which post on each
//! shift, and the rules over them — every minute of every day has a duty leader, and
//! "who is on duty at T" — as pure functions of local (centre) time.

use super::plan::DutyRole;
use crate::error::{Error, Result};
use crate::validate::{text, NAME_MAX};
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

const DAY_MINUTES: i64 = 24 * 60;

/// A shift: from `starts` (local time) for `minutes`; it may run past midnight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shift {
    #[serde(default)]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub starts: NaiveTime,
    pub minutes: i64,
}

impl Shift {
    /// Checked: a code of letters, digits and `_`, a name, 30 minutes to a day.
    pub fn validated(&self) -> Result<Shift> {
        let code = self.code.trim();
        if code.is_empty()
            || code.len() > 20
            || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(Error::InvalidValue {
                field: "code",
                value: code.chars().take(40).collect(),
            });
        }
        if !(30..=DAY_MINUTES).contains(&self.minutes) {
            return Err(Error::InvalidValue {
                field: "minutes",
                value: self.minutes.to_string(),
            });
        }
        Ok(Shift {
            id: self.id,
            code: code.to_string(),
            name: text("name", &self.name, NAME_MAX)?,
            starts: self.starts,
            minutes: self.minutes,
        })
    }

    /// When this shift runs on `day` (the day it starts): [start, end).
    pub fn span(&self, day: NaiveDate) -> (NaiveDateTime, NaiveDateTime) {
        let start = day.and_time(self.starts);
        (start, start + Duration::minutes(self.minutes))
    }
}

/// One person on one shift of one day in one post; a backup is paged when the primary
/// holder does not acknowledge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    #[serde(default)]
    pub id: i64,
    pub day: NaiveDate,
    pub shift_id: i64,
    pub post: DutyRole,
    pub user_id: i64,
    #[serde(default)]
    pub backup: bool,
}

/// The first stretch of `day` (local) without a primary duty leader, if any: shifts of the
/// day before that run past midnight count for the morning.
pub fn leader_gap(
    shifts: &[Shift],
    assignments: &[Assignment],
    day: NaiveDate,
) -> Option<(NaiveDateTime, NaiveDateTime)> {
    let from = day.and_time(NaiveTime::MIN);
    let until = from + Duration::minutes(DAY_MINUTES);
    let mut covered: Vec<(NaiveDateTime, NaiveDateTime)> = assignments
        .iter()
        .filter(|a| a.post == DutyRole::Leader && !a.backup)
        .filter_map(|a| {
            let s = shifts.iter().find(|s| s.id == a.shift_id)?;
            let (start, end) = s.span(a.day);
            (start < until && end > from).then_some((start.max(from), end.min(until)))
        })
        .collect();
    covered.sort();
    let mut at = from;
    for (start, end) in covered {
        if start > at {
            return Some((at, start));
        }
        at = at.max(end);
    }
    (at < until).then_some((at, until))
}

/// Refuses a roster that leaves any minute of the days `from..=to` without a duty leader,
/// naming the first gap.
pub fn check_leaders(
    shifts: &[Shift],
    assignments: &[Assignment],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<()> {
    let mut day = from;
    while day <= to {
        if let Some((a, b)) = leader_gap(shifts, assignments, day) {
            return Err(Error::RosterGap {
                day: day.to_string(),
                from: a.format("%H:%M").to_string(),
                to: if b.date() > day {
                    "24:00".into()
                } else {
                    b.format("%H:%M").to_string()
                },
            });
        }
        day = day.succ_opt().unwrap_or(day);
        if day == NaiveDate::MAX {
            break;
        }
    }
    Ok(())
}

/// Who holds a post at the local instant `at` (primary holders before backups), with
/// the shift's day.
pub fn on_duty_at<'a>(
    shifts: &[Shift],
    assignments: &'a [Assignment],
    at: NaiveDateTime,
) -> Vec<&'a Assignment> {
    let mut out: Vec<&Assignment> = assignments
        .iter()
        .filter(|a| {
            shifts.iter().any(|s| {
                let (start, end) = s.span(a.day);
                s.id == a.shift_id && start <= at && at < end
            })
        })
        .collect();
    out.sort_by_key(|a| (a.post, a.backup, a.user_id));
    out
}

/// The roster of `days` days from `from` by a rotation: day `d` of the rotation gives
/// shift `i` to the `i`-th person of `people`, moved on by one each day — everyone takes
/// every shift in turn. `people` must hold at least one person per shift.
pub fn rotation(
    shifts: &[Shift],
    post: DutyRole,
    people: &[i64],
    from: NaiveDate,
    days: u32,
) -> Result<Vec<Assignment>> {
    if shifts.is_empty() || people.len() < shifts.len() {
        return Err(Error::InvalidValue {
            field: "people",
            value: people.len().to_string(),
        });
    }
    let mut out = Vec::new();
    for d in 0..days {
        let day = from + Duration::days(i64::from(d));
        for (i, s) in shifts.iter().enumerate() {
            let who = people[(i + d as usize) % people.len()];
            out.push(Assignment {
                id: 0,
                day,
                shift_id: s.id,
                post,
                user_id: who,
                backup: false,
            });
        }
    }
    Ok(out)
}

/// Reads a roster from CSV (`day,shift,post,login[,backup]`, a header line first): shifts
/// by code, people through `person` (a login or an id). Refused whole, with its line,
/// at the first bad row; an empty roster is refused too.
pub fn parse_csv(
    text: &str,
    shifts: &[Shift],
    person: impl Fn(&str) -> Option<i64>,
) -> Result<Vec<Assignment>> {
    let mut list = Vec::new();
    let mut rd = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    for (n, row) in rd.records().enumerate() {
        let line = n as u64 + 2;
        let bad = |reason: String| Error::ImportRow { line, reason };
        let row = row.map_err(|e| bad(e.to_string()))?;
        let field = |i: usize| row.get(i).unwrap_or("");
        let day = field(0)
            .parse::<NaiveDate>()
            .map_err(|_| bad(format!("day {}", field(0))))?;
        let shift = shifts
            .iter()
            .find(|x| x.code == field(1))
            .ok_or_else(|| bad(format!("shift {}", field(1))))?;
        let post = field(2)
            .parse()
            .map_err(|_| bad(format!("post {}", field(2))))?;
        let user_id = person(field(3)).ok_or_else(|| bad(format!("login {}", field(3))))?;
        list.push(Assignment {
            id: 0,
            day,
            shift_id: shift.id,
            post,
            user_id,
            backup: matches!(field(4), "1" | "true" | "yes" | "backup"),
        });
    }
    if list.is_empty() {
        return Err(Error::Required {
            field: "assignments",
        });
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_roster_is_read_whole_or_refused_at_its_line() {
        let shifts = three();
        let who = |l: &str| (l == "lina").then_some(7);
        let ok = "day,shift,post,login,backup\n2026-12-02,day,leader,lina,\n2026-12-02,night,technical,lina,1\n";
        let list = parse_csv(ok, &shifts, who).expect("read");
        assert_eq!(
            (list.len(), list[1].post, list[1].backup, list[1].shift_id),
            (2, DutyRole::Technical, true, 3)
        );
        let bad = "day,shift,post,login\n2026-12-02,day,leader,lina\n2026-12-02,day,leader,wang\n";
        let e = parse_csv(bad, &shifts, who).expect_err("unknown login");
        assert_eq!(
            (e.code(), e.details()["line"].as_u64()),
            ("import_row", Some(3))
        );
        let e = parse_csv("day,shift,post,login\n", &shifts, who).expect_err("empty");
        assert_eq!(e.code(), "required");
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("time")
    }

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, day).expect("date")
    }

    /// Day 08:00–16:00, evening 16:00–24:00, night 00:00–08:00.
    fn three() -> Vec<Shift> {
        [("day", 8), ("evening", 16), ("night", 0)]
            .iter()
            .enumerate()
            .map(|(i, (code, h))| Shift {
                id: i as i64 + 1,
                code: (*code).into(),
                name: (*code).into(),
                starts: t(*h, 0),
                minutes: 480,
            })
            .collect()
    }

    fn leader(day: NaiveDate, shift_id: i64, user_id: i64) -> Assignment {
        Assignment {
            id: 0,
            day,
            shift_id,
            post: DutyRole::Leader,
            user_id,
            backup: false,
        }
    }

    #[test]
    fn a_day_without_a_leader_for_an_hour_is_refused_with_the_gap() {
        let shifts = three();
        let full: Vec<Assignment> = (1..=3).map(|s| leader(d(2), s, s)).collect();
        assert!(check_leaders(&shifts, &full, d(2), d(2)).is_ok());
        // The day shift ends an hour early: 15:00–16:00 has nobody.
        let mut short = shifts.clone();
        short[0].minutes = 420;
        let e = check_leaders(&short, &full, d(2), d(2)).expect_err("gap");
        assert_eq!(e.code(), "roster_gap");
        assert_eq!(
            (e.details()["from"].as_str(), e.details()["to"].as_str()),
            (Some("15:00"), Some("16:00"))
        );
        // A backup leader does not fill the gap; another day is not covered at all.
        let mut backup = full.clone();
        backup[2].backup = true;
        let e = check_leaders(&shifts, &backup, d(2), d(2)).expect_err("backup only");
        assert_eq!(e.details()["from"], "00:00");
        let e = check_leaders(&shifts, &full, d(2), d(3)).expect_err("day 3");
        assert_eq!(e.details()["day"], "2026-12-03");
    }

    #[test]
    fn a_night_shift_across_midnight_covers_the_next_morning() {
        let shifts = vec![
            Shift {
                id: 1,
                code: "day".into(),
                name: "白班".into(),
                starts: t(8, 0),
                minutes: 12 * 60,
            },
            Shift {
                id: 2,
                code: "night".into(),
                name: "夜班".into(),
                starts: t(20, 0),
                minutes: 12 * 60,
            },
        ];
        let roster = vec![leader(d(1), 2, 7), leader(d(2), 1, 8), leader(d(2), 2, 9)];
        assert!(check_leaders(&shifts, &roster, d(2), d(2)).is_ok());
        let at = |h, m| d(2).and_time(t(h, m));
        let who = |h, m| {
            on_duty_at(&shifts, &roster, at(h, m))
                .iter()
                .map(|a| a.user_id)
                .collect::<Vec<_>>()
        };
        assert_eq!(who(3, 0), [7], "the night shift of the 1st");
        assert_eq!(who(8, 0), [8], "the day shift starts on the minute");
        assert_eq!(who(19, 59), [8]);
        assert_eq!(who(23, 0), [9]);
    }

    #[test]
    fn a_rotation_gives_everyone_every_shift_in_turn() {
        let shifts = three();
        let r = rotation(&shifts, DutyRole::Leader, &[11, 12, 13], d(1), 3).expect("rotation");
        assert_eq!(r.len(), 9);
        assert!(check_leaders(&shifts, &r, d(1), d(3)).is_ok());
        for person in [11, 12, 13] {
            let mut took: Vec<i64> = r
                .iter()
                .filter(|a| a.user_id == person)
                .map(|a| a.shift_id)
                .collect();
            took.sort_unstable();
            assert_eq!(took, [1, 2, 3], "{person}");
        }
        assert!(rotation(&shifts, DutyRole::Leader, &[11, 12], d(1), 1).is_err());
    }

    #[test]
    fn shifts_are_checked() {
        let mut s = three().remove(0);
        assert!(s.validated().is_ok());
        s.minutes = 10;
        assert_eq!(s.validated().expect_err("short").code(), "invalid_value");
        s.minutes = 480;
        s.code = "白班".into();
        assert!(s.validated().is_err());
    }
}
