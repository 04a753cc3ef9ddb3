//! Working-time calendars: weekly business hours (several intervals a day) in a time
//! zone, minus holidays, plus make-up working days (调休). Deadlines are counted in
//! working days, business hours or calendar hours. A computation that touches a year
//! without holiday data is still done, but flagged `calendar_incomplete`.

use crate::error::{Error, Result};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The official arrangements shipped with the app (see the file's header).
pub const OFFICIAL_CN: &str = include_str!("../data/cn-holidays.txt");

/// How far a computation may walk before it gives up (a calendar with no working time).
const MAX_DAYS: i64 = 3660;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A day off (放假), even if it falls on a weekday.
    Rest,
    /// A make-up working day (调休上班), even if it falls on a weekend.
    Work,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Rest => "rest",
            DayKind::Work => "work",
        }
    }
}

/// One business interval of a day, local wall time, `start < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calendar {
    pub name: String,
    pub tz: Tz,
    /// Monday first. A make-up working day follows Monday's hours.
    pub week: [Vec<Interval>; 7],
    /// 7×24: every instant is working time and no holiday applies.
    pub always: bool,
    pub days: BTreeMap<NaiveDate, DayKind>,
    /// Years whose holiday arrangement is known.
    pub years: BTreeSet<i32>,
}

/// A computed value and whether it rests on years without holiday data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Computed<T> {
    pub value: T,
    pub calendar_incomplete: bool,
}

/// How a deadline is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "unit", content = "amount", rename_all = "snake_case")]
pub enum Span {
    WorkingDays(i64),
    BusinessHours(i64),
    CalendarHours(i64),
}

impl Span {
    /// The units' names on the wire (a test holds them to the serde tags).
    pub const UNITS: &'static [&'static str] =
        &["working_days", "business_hours", "calendar_hours"];
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

impl Calendar {
    /// Office hours of the regulations' example: 09:00–12:00 and 13:30–17:30, Monday to
    /// Friday, in Beijing time, with no holidays yet (add `with_official_cn`).
    pub fn office(name: &str) -> Calendar {
        let day = vec![
            Interval {
                start: t(9, 0),
                end: t(12, 0),
            },
            Interval {
                start: t(13, 30),
                end: t(17, 30),
            },
        ];
        Calendar {
            name: name.into(),
            tz: chrono_tz::Asia::Shanghai,
            week: [
                day.clone(),
                day.clone(),
                day.clone(),
                day.clone(),
                day,
                vec![],
                vec![],
            ],
            always: false,
            days: BTreeMap::new(),
            years: BTreeSet::new(),
        }
    }

    /// Every hour of every day (the desk itself, the gravest incidents).
    pub fn always(name: &str) -> Calendar {
        Calendar {
            always: true,
            ..Calendar::office(name)
        }
    }

    /// Adds the shipped official Chinese arrangements.
    pub fn with_official_cn(mut self) -> Result<Calendar> {
        let (days, years) = parse_official(OFFICIAL_CN)?;
        for (d, k, _) in days {
            self.days.insert(d, k);
        }
        self.years.extend(years);
        Ok(self)
    }

    fn intervals(&self, d: NaiveDate) -> &[Interval] {
        match self.days.get(&d) {
            Some(DayKind::Rest) => &[],
            Some(DayKind::Work) => self
                .week
                .iter()
                .find(|w| !w.is_empty())
                .map_or(&[], |w| w.as_slice()),
            None => &self.week[d.weekday().num_days_from_monday() as usize],
        }
    }

    fn known(&self, d: NaiveDate) -> bool {
        self.always || self.years.contains(&d.year())
    }

    pub fn is_working_day(&self, d: NaiveDate) -> Computed<bool> {
        Computed {
            value: self.always || !self.intervals(d).is_empty(),
            calendar_incomplete: !self.known(d),
        }
    }

    fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.tz).naive_local()
    }

    fn utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        // A wall time skipped by a daylight-saving jump counts from the hour after it.
        self.tz
            .from_local_datetime(&local)
            .earliest()
            .or_else(|| {
                self.tz
                    .from_local_datetime(&(local + Duration::hours(1)))
                    .earliest()
            })
            .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc))
    }

    /// The business intervals of day `d` as UTC instants (midnight end = next day).
    fn spans(&self, d: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if self.always {
            return vec![(
                self.utc(d.and_time(NaiveTime::MIN)),
                self.utc((d + Duration::days(1)).and_time(NaiveTime::MIN)),
            )];
        }
        self.intervals(d)
            .iter()
            .map(|i| (self.utc(d.and_time(i.start)), self.utc(d.and_time(i.end))))
            .collect()
    }

    /// The same local time on the `n`th working day after the day counting starts.
    /// Counting starts at `from` when it lies in working time, else at the next opening:
    /// a call logged at 06:48 (or on Sunday, or at lunch) is due at opening time `n`
    /// working days on, never before the department opens.
    pub fn add_working_days(&self, from: DateTime<Utc>, n: i64) -> Result<Computed<DateTime<Utc>>> {
        let opening = self.add_business(from, Duration::zero())?;
        let start = self.local(opening.value);
        let mut d = start.date();
        let mut incomplete = opening.calendar_incomplete;
        let mut left = n;
        let mut walked = 0;
        while left > 0 {
            d += Duration::days(1);
            walked += 1;
            if walked > MAX_DAYS {
                return Err(no_working_time(&self.name));
            }
            let w = self.is_working_day(d);
            incomplete |= w.calendar_incomplete;
            if w.value {
                left -= 1;
            }
        }
        Ok(Computed {
            value: self.utc(d.and_time(start.time())),
            calendar_incomplete: incomplete,
        })
    }

    /// The instant `hours` of business time after `from`.
    pub fn add_business_hours(
        &self,
        from: DateTime<Utc>,
        hours: i64,
    ) -> Result<Computed<DateTime<Utc>>> {
        self.add_business(from, Duration::hours(hours))
    }

    pub fn add_business(
        &self,
        from: DateTime<Utc>,
        amount: Duration,
    ) -> Result<Computed<DateTime<Utc>>> {
        let mut left = amount;
        let mut d = self.local(from).date();
        let mut incomplete = false;
        for _ in 0..MAX_DAYS {
            incomplete |= !self.known(d);
            for (s, e) in self.spans(d) {
                let s = s.max(from);
                if e <= s {
                    continue;
                }
                if left <= e - s {
                    return Ok(Computed {
                        value: s + left,
                        calendar_incomplete: incomplete,
                    });
                }
                left -= e - s;
            }
            d += Duration::days(1);
        }
        Err(no_working_time(&self.name))
    }

    pub fn add_calendar_hours(&self, from: DateTime<Utc>, hours: i64) -> Computed<DateTime<Utc>> {
        Computed {
            value: from + Duration::hours(hours),
            calendar_incomplete: false,
        }
    }

    pub fn add(&self, from: DateTime<Utc>, span: Span) -> Result<Computed<DateTime<Utc>>> {
        match span {
            Span::WorkingDays(n) => self.add_working_days(from, n),
            Span::BusinessHours(h) => self.add_business_hours(from, h),
            Span::CalendarHours(h) => Ok(self.add_calendar_hours(from, h)),
        }
    }

    /// Business time between `from` and `to`, not counting the `paused` intervals.
    pub fn elapsed(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        paused: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> Computed<Duration> {
        if to <= from {
            return Computed {
                value: Duration::zero(),
                calendar_incomplete: false,
            };
        }
        let mut pauses: Vec<(DateTime<Utc>, DateTime<Utc>)> =
            paused.iter().copied().filter(|(a, b)| a < b).collect();
        pauses.sort();
        let mut total = Duration::zero();
        let mut incomplete = false;
        let last = self.local(to).date();
        let mut d = self.local(from).date();
        while d <= last {
            incomplete |= !self.known(d);
            for (s, e) in self.spans(d) {
                let (s, e) = (s.max(from), e.min(to));
                if e <= s {
                    continue;
                }
                total += e - s;
                // Subtract the paused part of [s, e), merging overlapping pauses.
                let mut covered_to = s;
                for &(ps, pe) in &pauses {
                    let (ps, pe) = (ps.max(covered_to), pe.min(e));
                    if pe > ps {
                        total -= pe - ps;
                        covered_to = pe;
                    }
                }
            }
            d += Duration::days(1);
        }
        Computed {
            value: total,
            calendar_incomplete: incomplete,
        }
    }

    /// `at` itself if it is working time, else the start of the next working interval.
    pub fn next_working_instant(&self, at: DateTime<Utc>) -> Result<Computed<DateTime<Utc>>> {
        self.add_business(at, Duration::zero())
    }
}

fn no_working_time(name: &str) -> Error {
    Error::InvalidValue {
        field: "calendar",
        value: format!("{name}: no working time within ten years"),
    }
}

fn bad_line(line: usize, text: &str) -> Error {
    Error::ImportRow {
        line: line as u64,
        reason: format!(
            "cannot read holiday line: {}",
            text.chars().take(60).collect::<String>()
        ),
    }
}

/// Reads the holiday data format: `year Y`, `DATE[..DATE] rest|work NOTE`.
/// A marked day of a holiday source: the date, its kind and the note (holiday name).
pub type MarkedDay = (NaiveDate, DayKind, String);
/// An event of a feed that was not used: its summary and why.
pub type Skipped = (String, String);

pub fn parse_official(text: &str) -> Result<(Vec<MarkedDay>, BTreeSet<i32>)> {
    let mut days = Vec::new();
    let mut years = BTreeSet::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, char::is_whitespace);
        let (a, b, note) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or("").trim(),
        );
        if a == "year" {
            years.insert(b.parse().map_err(|_| bad_line(n + 1, line))?);
            continue;
        }
        let kind = match b {
            "rest" => DayKind::Rest,
            "work" => DayKind::Work,
            _ => return Err(bad_line(n + 1, line)),
        };
        let date =
            |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad_line(n + 1, line));
        let (from, to) = match a.split_once("..") {
            Some((x, y)) => (date(x)?, date(y)?),
            None => (date(a)?, date(a)?),
        };
        if to < from || (to - from).num_days() > 31 {
            return Err(bad_line(n + 1, line));
        }
        let mut d = from;
        while d <= to {
            days.push((d, kind, note.to_string()));
            d += Duration::days(1);
        }
    }
    Ok((days, years))
}

/// Classifies an iCalendar event summary of a holiday feed: 班 marks a make-up working
/// day (checked first: "调休上班"), 休 or 假 a day off; anything else is not ours.
pub fn classify(summary: &str) -> Option<DayKind> {
    if summary.contains('班') {
        Some(DayKind::Work)
    } else if summary.contains('休') || summary.contains('假') {
        Some(DayKind::Rest)
    } else {
        None
    }
}

/// The days an iCalendar (RFC 5545) holiday feed declares, with their summaries, and the
/// events it could not use (summary, reason).
pub fn parse_ics(text: &str) -> Result<(Vec<MarkedDay>, Vec<Skipped>)> {
    use icalendar::{CalendarComponent, Component};
    let cal: icalendar::Calendar = text.parse().map_err(|e: String| Error::ImportRow {
        line: 0,
        reason: format!(
            "not an iCalendar file: {}",
            e.chars().take(120).collect::<String>()
        ),
    })?;
    let mut days = Vec::new();
    let mut skipped = Vec::new();
    for c in &cal.components {
        let CalendarComponent::Event(e) = c else {
            continue;
        };
        let summary = e.get_summary().unwrap_or("").to_string();
        let Some(kind) = classify(&summary) else {
            skipped.push((
                summary,
                "neither a day off nor a make-up working day".into(),
            ));
            continue;
        };
        let Some(start) = e.get_start().map(|d| d.date_naive()) else {
            skipped.push((summary, "no start date".into()));
            continue;
        };
        // DTEND of an all-day event is exclusive; without it the event is one day.
        let end = e
            .get_end()
            .map(|d| d.date_naive())
            .filter(|d| *d > start)
            .unwrap_or(start + Duration::days(1));
        if (end - start).num_days() > 31 {
            skipped.push((summary, "longer than a month".into()));
            continue;
        }
        let mut d = start;
        while d < end {
            days.push((d, kind, summary.clone()));
            d += Duration::days(1);
        }
    }
    Ok((days, skipped))
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;
