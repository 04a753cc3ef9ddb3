//! Tests of working-time calendars.

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

/// Outside working time, counting starts at the next opening (09:00, or 13:30 after
/// lunch): the deadline never falls before the department opens.
#[test]
fn working_days_count_from_the_next_opening() {
    let c = cn();
    let due = |from: &str, n| c.add_working_days(at(from), n).expect("add").value;
    // Received 06:48 on a Monday: ten working days on, at opening time.
    assert_eq!(
        due("2026-11-02T06:48:00+08:00", 10),
        at("2026-11-16T09:00:00+08:00")
    );
    // In the evening: from the next morning.
    assert_eq!(
        due("2026-11-02T19:30:00+08:00", 1),
        at("2026-11-04T09:00:00+08:00")
    );
    // On Saturday: from Monday's opening.
    assert_eq!(
        due("2026-11-07T10:00:00+08:00", 1),
        at("2026-11-10T09:00:00+08:00")
    );
    // At lunch: from the afternoon opening.
    assert_eq!(
        due("2026-11-02T12:30:00+08:00", 3),
        at("2026-11-05T13:30:00+08:00")
    );
    // In working time nothing moves.
    assert_eq!(
        due("2026-11-02T10:15:00+08:00", 3),
        at("2026-11-05T10:15:00+08:00")
    );
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
