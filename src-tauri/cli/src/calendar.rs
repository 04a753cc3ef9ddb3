//! `hotline calendar …`: working days, deadlines and holiday feeds.

use crate::out::print;
use clap::Subcommand;
use hotline_core::access::Acting;
use hotline_core::{Error, Result};
use serde_json::json;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum CalendarCmd {
    /// Is DATE a working day (holidays and make-up days included)?
    IsWorkday {
        date: String,
        #[arg(long, default_value = "office")]
        calendar: String,
    },
    /// A deadline: FROM plus working days, business hours or calendar hours
    Add {
        #[arg(long)]
        from: String,
        #[arg(long, group = "span")]
        working_days: Option<i64>,
        #[arg(long, group = "span")]
        business_hours: Option<i64>,
        #[arg(long, group = "span")]
        hours: Option<i64>,
        #[arg(long, default_value = "office")]
        calendar: String,
    },
    /// Business time between two instants
    Elapsed {
        from: String,
        to: String,
        #[arg(long, default_value = "office")]
        calendar: String,
    },
    /// Import days off and make-up working days from an iCalendar (.ics) holiday feed
    Import {
        file: PathBuf,
        #[arg(long, default_value = "office")]
        calendar: String,
    },
    /// Mark a day by hand: rest, work, or clear
    SetDay {
        date: String,
        kind: String,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, default_value = "office")]
        calendar: String,
    },
    /// The calendars and the years whose holidays they know
    List,
}

pub fn run(a: &Acting, cmd: CalendarCmd, json: bool) -> Result<()> {
    use hotline_core::calendar::{DayKind, Span};
    let flag = |incomplete: bool| {
        if incomplete {
            "  (calendar_incomplete: no holiday data for a year involved)"
        } else {
            ""
        }
    };
    match cmd {
        CalendarCmd::IsWorkday { date: d, calendar } => {
            let day = date(&d)?;
            let r = a.calendar(&calendar)?.is_working_day(day);
            print(
                json,
                json!({ "date": day, "working": r.value, "calendar_incomplete": r.calendar_incomplete }),
                || {
                    format!(
                        "{day}: {}{}",
                        if r.value { "working day" } else { "day off" },
                        flag(r.calendar_incomplete)
                    )
                },
            );
        }
        CalendarCmd::Add {
            from,
            working_days,
            business_hours,
            hours,
            calendar,
        } => {
            let from = a.parse_time(&from)?;
            let span = match (working_days, business_hours, hours) {
                (Some(n), None, None) => Span::WorkingDays(n),
                (None, Some(h), None) => Span::BusinessHours(h),
                (None, None, Some(h)) => Span::CalendarHours(h),
                _ => {
                    return Err(Error::Required {
                        field: "working_days | business_hours | hours",
                    })
                }
            };
            let cal = a.calendar(&calendar)?;
            let r = cal.add(from, span)?;
            let local = r.value.with_timezone(&cal.tz);
            print(
                json,
                json!({ "from": from, "to": r.value, "to_local": local.to_rfc3339(), "calendar_incomplete": r.calendar_incomplete }),
                || {
                    format!(
                        "{}{}",
                        local.format("%Y-%m-%d %H:%M %a"),
                        flag(r.calendar_incomplete)
                    )
                },
            );
        }
        CalendarCmd::Elapsed { from, to, calendar } => {
            let (from, to) = (a.parse_time(&from)?, a.parse_time(&to)?);
            let r = a.calendar(&calendar)?.elapsed(from, to, &[]);
            let secs = r.value.num_seconds();
            print(
                json,
                json!({ "seconds": secs, "hours": secs as f64 / 3600.0, "calendar_incomplete": r.calendar_incomplete }),
                || {
                    format!(
                        "{}h {:02}m of business time{}",
                        secs / 3600,
                        (secs % 3600) / 60,
                        flag(r.calendar_incomplete)
                    )
                },
            );
        }
        CalendarCmd::Import { file, calendar } => {
            let text = std::fs::read_to_string(&file)?;
            let r = a.import_ics(&calendar, &text)?;
            print(json, serde_json::to_value(&r)?, || {
                format!(
                    "{} added, {} changed, {} unchanged, {} events skipped; years covered: {:?}",
                    r.added,
                    r.changed,
                    r.unchanged,
                    r.skipped.len(),
                    r.years
                )
            });
        }
        CalendarCmd::SetDay {
            date: d,
            kind,
            note,
            calendar,
        } => {
            let day = date(&d)?;
            let k = match kind.as_str() {
                "rest" => Some(DayKind::Rest),
                "work" => Some(DayKind::Work),
                "clear" => None,
                _ => {
                    return Err(Error::InvalidValue {
                        field: "kind",
                        value: kind,
                    })
                }
            };
            a.set_calendar_day(&calendar, day, k, &note)?;
            print(json, json!({ "date": day, "kind": k }), || {
                format!("{day}: {kind}")
            });
        }
        CalendarCmd::List => {
            let mut out = Vec::new();
            for name in a.calendar_names()? {
                let c = a.calendar(&name)?;
                out.push(json!({ "name": name, "always": c.always, "timezone": c.tz.name(), "years": c.years, "days": c.days.len() }));
            }
            print(json, json!(out), || {
                out.iter().map(|c| format!("{}\n", c)).collect()
            });
        }
    }
    Ok(())
}

fn date(s: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| Error::InvalidValue {
        field: "date",
        value: s.chars().take(40).collect(),
    })
}
