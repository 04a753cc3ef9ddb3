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

    /// The same local time on the `n`th working day after the day of `from`.
    pub fn add_working_days(&self, from: DateTime<Utc>, n: i64) -> Result<Computed<DateTime<Utc>>> {
        let start = self.local(from);
        let mut d = start.date();
        let mut incomplete = false;
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
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cn() -> Calendar {
        Calendar::office("office")
            .with_official_cn()
            .expect("official data")
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn make_up_days_and_holidays() {
        let c = cn();
        assert!(
            c.is_working_day(d("2025-09-28")).value,
            "a Sunday make-up day"
        );
        assert!(!c.is_working_day(d("2025-10-01")).value, "National Day");
        assert!(!c.is_working_day(d("2025-10-08")).value);
        assert!(c.is_working_day(d("2025-10-09")).value);
        assert!(
            !c.is_working_day(d("2025-10-12")).value,
            "an ordinary Sunday"
        );
        assert!(
            c.is_working_day(d("2026-01-04")).value,
            "2026 New Year make-up Sunday"
        );
        assert!(
            !c.is_working_day(d("2026-02-23")).value,
            "2026 Spring Festival, nine days"
        );
        assert!(c.is_working_day(d("2027-01-01")).calendar_incomplete);
    }

    #[test]
    fn the_third_working_day_after_national_day_eve_is_a_saturday() {
        let r = cn()
            .add_working_days(at("2025-09-30T10:00:00+08:00"), 3)
            .expect("add");
        assert_eq!(r.value, at("2025-10-11T10:00:00+08:00"));
        assert!(!r.calendar_incomplete);
    }

    #[test]
    fn a_year_without_data_is_flagged_not_assumed() {
        let c = cn();
        let r = c
            .add_working_days(at("2026-12-30T10:00:00+08:00"), 3)
            .expect("add");
        assert!(r.calendar_incomplete);
        assert!(c.is_working_day(d("2027-01-04")).calendar_incomplete);
        assert!(
            !c.add_working_days(at("2026-11-02T10:00:00+08:00"), 3)
                .expect("add")
                .calendar_incomplete
        );
    }

    #[test]
    fn business_hours_skip_lunch_nights_weekends_and_holidays() {
        let c = cn();
        // Friday 16:30 + 2 h: one hour on Friday, then Monday 09:00 + 1 h.
        assert_eq!(
            c.add_business_hours(at("2025-11-14T16:30:00+08:00"), 2)
                .expect("add")
                .value,
            at("2025-11-17T10:00:00+08:00")
        );
        // 11:00 + 2 h crosses lunch: 12:00 -> 13:30, ends 14:30.
        assert_eq!(
            c.add_business_hours(at("2025-11-17T11:00:00+08:00"), 2)
                .expect("add")
                .value,
            at("2025-11-17T14:30:00+08:00")
        );
        // Sept 30 17:00 + 1 h: the next working time is the Oct 9 morning.
        assert_eq!(
            c.add_business_hours(at("2025-09-30T17:00:00+08:00"), 1)
                .expect("add")
                .value,
            at("2025-10-09T09:30:00+08:00")
        );
        // Outside hours, the next working instant is the next opening.
        assert_eq!(
            c.next_working_instant(at("2025-11-15T20:00:00+08:00"))
                .expect("next")
                .value,
            at("2025-11-17T09:00:00+08:00")
        );
        assert_eq!(
            c.next_working_instant(at("2025-11-17T10:15:00+08:00"))
                .expect("next")
                .value,
            at("2025-11-17T10:15:00+08:00")
        );
        let always = Calendar::always("24x7");
        assert_eq!(
            always
                .add_business_hours(at("2025-10-01T23:00:00+08:00"), 2)
                .expect("add")
                .value,
            at("2025-10-02T01:00:00+08:00")
        );
    }

    #[test]
    fn elapsed_excludes_closed_time_and_pauses() {
        let c = cn();
        let e = c.elapsed(
            at("2025-11-14T16:30:00+08:00"),
            at("2025-11-17T10:00:00+08:00"),
            &[],
        );
        assert_eq!(e.value, Duration::hours(2));
        let pause = [(
            at("2025-11-17T09:00:00+08:00"),
            at("2025-11-17T09:30:00+08:00"),
        )];
        assert_eq!(
            c.elapsed(
                at("2025-11-14T16:30:00+08:00"),
                at("2025-11-17T10:00:00+08:00"),
                &pause
            )
            .value,
            Duration::minutes(90)
        );
        // Overlapping pauses count once.
        let twice = [
            pause[0],
            (
                at("2025-11-17T09:15:00+08:00"),
                at("2025-11-17T09:45:00+08:00"),
            ),
        ];
        assert_eq!(
            c.elapsed(
                at("2025-11-17T09:00:00+08:00"),
                at("2025-11-17T10:00:00+08:00"),
                &twice
            )
            .value,
            Duration::minutes(15)
        );
    }

    #[test]
    fn holiday_feeds_in_icalendar_form() {
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//CN holidays//ZH\r\n\
BEGIN:VEVENT\r\nUID:a@test\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270104\r\nSUMMARY:元旦 休\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:b@test\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:20270207\r\nSUMMARY:春节调休 上班\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:c@test\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:20270214\r\nSUMMARY:情人节\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";
        let (days, skipped) = parse_ics(ics).expect("parse");
        assert_eq!(
            days.iter()
                .map(|(d, k, _)| (d.to_string(), *k))
                .collect::<Vec<_>>(),
            [
                ("2027-01-01".to_string(), DayKind::Rest),
                ("2027-01-02".to_string(), DayKind::Rest),
                ("2027-01-03".to_string(), DayKind::Rest),
                ("2027-02-07".to_string(), DayKind::Work),
            ]
        );
        assert_eq!(skipped.len(), 1);
        assert!(parse_ics("not a calendar").is_err());
    }

    #[test]
    fn the_shipped_data_reads_and_covers_2020_to_2026() {
        let (days, years) = parse_official(OFFICIAL_CN).expect("parse");
        assert_eq!(
            years.iter().copied().collect::<Vec<_>>(),
            (2020..=2026).collect::<Vec<_>>()
        );
        // Every make-up day is a weekend and every weekday rest day is a real holiday.
        for (day, kind, note) in &days {
            if *kind == DayKind::Work {
                assert!(day.weekday().num_days_from_monday() >= 5, "{day} {note}");
            }
        }
        assert!(parse_official("2025-13-01 rest x").is_err());
    }

    proptest! {
        #[test]
        fn adding_then_measuring_gives_back_the_duration(start in 0i64..(3 * 365 * 24 * 60), minutes in 0i64..(60 * 24 * 20)) {
            let c = cn();
            let from = at("2024-01-01T00:00:00+08:00") + Duration::minutes(start);
            let to = c.add_business(from, Duration::minutes(minutes)).expect("add").value;
            prop_assert!(to >= from);
            prop_assert_eq!(c.elapsed(from, to, &[]).value, Duration::minutes(minutes));
        }

        #[test]
        fn adding_is_monotonic(start in 0i64..(2 * 365 * 24), a in 0i64..200, b in 0i64..200) {
            let c = cn();
            let from = at("2024-03-01T00:00:00+08:00") + Duration::hours(start);
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert!(c.add_business_hours(from, lo).expect("add").value <= c.add_business_hours(from, hi).expect("add").value);
            prop_assert!(c.add_working_days(from, lo / 10).expect("add").value <= c.add_working_days(from, hi / 10).expect("add").value);
        }

        #[test]
        fn pauses_never_add_time(start in 0i64..(365 * 24), len in 1i64..200, ps in 0i64..200, pl in 0i64..100) {
            let c = cn();
            let from = at("2025-01-01T00:00:00+08:00") + Duration::hours(start);
            let to = from + Duration::hours(len);
            let pause = (from + Duration::hours(ps), from + Duration::hours(ps + pl));
            let with = c.elapsed(from, to, &[pause]).value;
            let without = c.elapsed(from, to, &[]).value;
            prop_assert!(with <= without && with >= Duration::zero());
            prop_assert_eq!(without - with, c.elapsed(pause.0.max(from), pause.1.min(to).max(pause.0.max(from)), &[]).value);
        }
    }
}
