//! Calendars in the store: named calendars, their days and covered years; the shipped
//! official arrangements are merged in on open (hand edits and imports win).

use super::db::Store;
use super::sql::{Connection, OptionalExtension};
use crate::calendar::{parse_ics, parse_official, Calendar, DayKind, Interval, OFFICIAL_CN};
use crate::error::{Error, Result};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IcsReport {
    pub added: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub years: Vec<i32>,
    pub skipped: Vec<crate::calendar::Skipped>,
}

/// Merges the shipped official days into every calendar that observes holidays; cheap
/// and idempotent (a year already recorded as official is skipped).
pub(crate) fn sync_official(c: &Connection) -> Result<()> {
    let (days, years) = parse_official(OFFICIAL_CN)?;
    let ids: Vec<i64> = c
        .prepare("SELECT id FROM calendars WHERE always = FALSE")?
        .query_map([], |r| r.get(0))?
        .collect::<super::sql::Result<_>>()?;
    for id in ids {
        let known: BTreeSet<i32> = c
            .prepare(
                "SELECT year FROM calendar_years WHERE calendar_id = ?1 AND source = 'official'",
            )?
            .query_map([id], |r| r.get(0))?
            .collect::<super::sql::Result<_>>()?;
        let missing: BTreeSet<i32> = years.difference(&known).copied().collect();
        if missing.is_empty() {
            continue;
        }
        let txn = c.transaction()?;
        let tx = txn.conn();
        for (d, k, note) in days
            .iter()
            .filter(|(d, _, _)| missing.contains(&d.year()) || missing.contains(&(d.year() + 1)))
        {
            tx.execute(
                "INSERT INTO calendar_days (calendar_id, day, kind, note, source) VALUES (?1, ?2, ?3, ?4, 'official')
                 ON CONFLICT(calendar_id, day) DO NOTHING",
                (id, d.to_string(), k.as_str(), note),
            )?;
        }
        for y in &missing {
            tx.execute(
                "INSERT INTO calendar_years (calendar_id, year, source) VALUES (?1, ?2, 'official')
                 ON CONFLICT(calendar_id, year) DO UPDATE SET source = 'official'",
                (id, y),
            )?;
        }
        txn.commit()?;
    }
    Ok(())
}

fn calendar_id(c: &Connection, name: &str) -> Result<i64> {
    c.query_row("SELECT id FROM calendars WHERE name = ?1", [name], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or_else(|| Error::NotFound {
        entity: "calendar",
        key: name.chars().take(60).collect(),
    })
}

/// A calendar with its days and covered years, in one statement: every write that sets
/// a deadline loads the office calendar (four round trips to PostgreSQL, one here).
pub(crate) fn load_calendar(c: &Connection, name: &str) -> Result<Calendar> {
    type Part = (
        i64,
        Option<String>,
        Option<String>,
        Option<bool>,
        Option<i32>,
    );
    let parts: Vec<Part> = c
        .prepare_cached(
            "SELECT 0, c.tz, c.week, c.always, CAST(NULL AS BIGINT) FROM calendars c WHERE c.name = ?1
             UNION ALL
             SELECT 1, d.day, d.kind, NULL, NULL FROM calendar_days d
               JOIN calendars c ON c.id = d.calendar_id WHERE c.name = ?1
             UNION ALL
             SELECT 2, NULL, NULL, NULL, y.year FROM calendar_years y
               JOIN calendars c ON c.id = y.calendar_id WHERE c.name = ?1",
        )?
        .query_map([name], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<super::sql::Result<_>>()?;
    let Some((_, Some(tz), Some(week), always, _)) = parts.iter().find(|p| p.0 == 0).cloned()
    else {
        return Err(Error::NotFound {
            entity: "calendar",
            key: name.chars().take(60).collect(),
        });
    };
    let week: [Vec<Interval>; 7] = serde_json::from_str(&week)?;
    let mut cal = Calendar {
        name: name.to_string(),
        tz: tz.parse().map_err(|_| Error::InvalidValue {
            field: "timezone",
            value: tz.clone(),
        })?,
        week,
        always: always.unwrap_or(false),
        ..Calendar::office(name)
    };
    for part in parts {
        match part {
            (1, Some(day), Some(kind), _, _) => {
                if let Ok(d) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") {
                    let kind = if kind == "work" {
                        DayKind::Work
                    } else {
                        DayKind::Rest
                    };
                    cal.days.insert(d, kind);
                }
            }
            (2, _, _, _, Some(year)) => {
                cal.years.insert(year);
            }
            _ => {}
        }
    }
    Ok(cal)
}

/// A calendar as the settings screen lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalendarView {
    pub name: String,
    pub always: bool,
    pub timezone: String,
    pub years: Vec<i32>,
    /// Marked days from the start of last year on: (date, kind).
    pub days: Vec<(NaiveDate, DayKind)>,
}

impl Store {
    pub fn calendar_overview(&self) -> Result<Vec<CalendarView>> {
        let last_year = self.now().date_naive().year() - 1;
        self.calendar_names()?
            .into_iter()
            .map(|name| {
                let c = self.calendar(&name)?;
                Ok(CalendarView {
                    always: c.always,
                    timezone: c.tz.name().to_string(),
                    years: c.years.iter().copied().collect(),
                    days: c
                        .days
                        .iter()
                        .filter(|(d, _)| d.year() >= last_year)
                        .map(|(d, k)| (*d, *k))
                        .collect(),
                    name,
                })
            })
            .collect()
    }

    pub fn calendar_names(&self) -> Result<Vec<String>> {
        self.read(|c| {
            Ok(c.prepare("SELECT name FROM calendars ORDER BY id")?
                .query_map([], |r| r.get(0))?
                .collect::<super::sql::Result<_>>()?)
        })
    }

    pub fn calendar(&self, name: &str) -> Result<Calendar> {
        self.read(|c| load_calendar(c, name))
    }

    /// Marks a day by hand (`None` clears it back to the weekly rule).
    pub fn set_calendar_day(
        &self,
        by: Option<&crate::model::User>,
        name: &str,
        day: NaiveDate,
        kind: Option<DayKind>,
        note: &str,
    ) -> Result<()> {
        let note = crate::validate::opt_text("note", Some(note), crate::validate::NAME_MAX)?
            .unwrap_or_default();
        self.write(|tx| {
            let id = calendar_id(tx, name)?;
            match kind {
                Some(k) => tx.execute(
                    "INSERT INTO calendar_days (calendar_id, day, kind, note, source) VALUES (?1, ?2, ?3, ?4, 'manual')
                     ON CONFLICT(calendar_id, day) DO UPDATE SET kind = excluded.kind, note = excluded.note, source = 'manual'",
                    (id, day.to_string(), k.as_str(), &note),
                )?,
                None => tx.execute("DELETE FROM calendar_days WHERE calendar_id = ?1 AND day = ?2", (id, day.to_string()))?,
            };
            let detail = serde_json::json!({ "date": day, "kind": kind });
            super::audit::note(tx, self.now(), by, "calendar_changed", name, detail)
        })
    }

    /// Imports an iCalendar holiday feed into `name`. Importing the same feed again
    /// changes nothing; a year with at least one imported day off counts as covered.
    pub fn import_ics(
        &self,
        by: Option<&crate::model::User>,
        name: &str,
        text: &str,
    ) -> Result<IcsReport> {
        let (days, skipped) = parse_ics(text)?;
        self.write(|tx| {
            let id = calendar_id(tx, name)?;
            let mut r = IcsReport { added: 0, changed: 0, unchanged: 0, years: vec![], skipped };
            let mut years = BTreeSet::new();
            for (d, k, note) in &days {
                let before: Option<String> = tx
                    .query_row("SELECT kind FROM calendar_days WHERE calendar_id = ?1 AND day = ?2", (id, d.to_string()), |r| r.get(0))
                    .optional()?;
                match before.as_deref() {
                    Some(b) if b == k.as_str() => r.unchanged += 1,
                    Some(_) => r.changed += 1,
                    None => r.added += 1,
                }
                tx.execute(
                    "INSERT INTO calendar_days (calendar_id, day, kind, note, source) VALUES (?1, ?2, ?3, ?4, 'ics')
                     ON CONFLICT(calendar_id, day) DO UPDATE SET kind = excluded.kind, note = excluded.note",
                    (id, d.to_string(), k.as_str(), note),
                )?;
                if *k == DayKind::Rest {
                    years.insert(d.year());
                }
            }
            for y in &years {
                tx.execute("INSERT INTO calendar_years (calendar_id, year, source) VALUES (?1, ?2, 'ics') ON CONFLICT DO NOTHING", (id, y))?;
            }
            r.years = years.into_iter().collect();
            let detail = serde_json::json!({ "report": r });
            super::audit::note(tx, self.now(), by, "calendar_imported", name, detail)?;
            Ok(r)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::calendar::DayKind;
    use crate::store::testutil::store;
    use chrono::NaiveDate;

    const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//ZH\r\n\
BEGIN:VEVENT\r\nUID:a@t\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270102\r\nSUMMARY:元旦放假\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:b@t\r\nDTSTART;VALUE=DATE:20270206\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:调休上班\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn the_office_calendar_knows_the_official_years_and_reimport_adds_nothing() {
        let (_d, s, _c) = store();
        assert_eq!(s.calendar_names().expect("names"), ["office", "24x7"]);
        let office = s.calendar("office").expect("office");
        assert!(office.is_working_day(d("2025-09-28")).value);
        assert!(office.is_working_day(d("2027-01-01")).calendar_incomplete);
        let r = s.import_ics(None, "office", ICS).expect("import");
        assert_eq!(
            (r.added, r.changed, r.unchanged, r.years.clone()),
            (2, 0, 0, vec![2027])
        );
        let again = s.import_ics(None, "office", ICS).expect("again");
        assert_eq!((again.added, again.changed, again.unchanged), (0, 0, 2));
        let office = s.calendar("office").expect("office");
        assert!(!office.is_working_day(d("2027-01-01")).value);
        assert!(
            office.is_working_day(d("2027-02-06")).value,
            "a Saturday make-up day"
        );
        assert!(!office.is_working_day(d("2027-01-01")).calendar_incomplete);
        assert_eq!(
            s.import_ics(None, "nope", ICS).map_err(|e| e.code()).err(),
            Some("not_found")
        );
    }

    #[test]
    fn hand_edits_win_and_can_be_cleared() {
        let (_d, s, _c) = store();
        s.set_calendar_day(
            None,
            "office",
            d("2026-12-31"),
            Some(DayKind::Rest),
            "中心停电检修",
        )
        .expect("set");
        assert!(
            !s.calendar("office")
                .expect("c")
                .is_working_day(d("2026-12-31"))
                .value
        );
        s.set_calendar_day(None, "office", d("2026-12-31"), None, "")
            .expect("clear");
        assert!(
            s.calendar("office")
                .expect("c")
                .is_working_day(d("2026-12-31"))
                .value
        );
        // Reopening does not undo a hand edit of an official day.
        s.set_calendar_day(None, "office", d("2025-10-08"), Some(DayKind::Work), "值班")
            .expect("set");
        let s = crate::store::testutil::reopen(s, std::sync::Arc::new(crate::SystemClock));
        assert!(
            s.calendar("office")
                .expect("c")
                .is_working_day(d("2025-10-08"))
                .value
        );
        assert!(s.calendar("24x7").expect("c").always);
    }
}
