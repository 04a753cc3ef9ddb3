//! The settings table: every key with its default, the values it accepts, and whether it
//! is personal (about the user's own screen, so anyone signed in may change it). The
//! store keeps the values; this is the one place that says what they may be.

use crate::error::{Error, Result};
use chrono_tz::Tz;

/// What a setting accepts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Accepts {
    /// A whole number in the range.
    Int(i64, i64),
    /// 0 (off) or a whole number in the range.
    OffOr(i64, i64),
    /// A local time `HH:MM`.
    Time,
    /// An absolute folder, or empty.
    Folder,
    /// An IANA time zone.
    Zone,
    /// One of these words.
    OneOf(&'static [&'static str]),
    /// Reminder thresholds in percent, e.g. `50,75,90`.
    Thresholds,
    /// Assessment weights `key:weight,…` over these keys.
    Weights(&'static [&'static str]),
    /// A line of text of at most this many characters, not empty.
    Text(usize),
    /// The pattern of the telephone system's recording files, or empty.
    RecordingPattern,
}

pub struct Setting {
    pub key: &'static str,
    pub default: &'static str,
    pub accepts: Accepts,
    /// About the user's own screen: anyone signed in may change it, and it is not logged.
    pub personal: bool,
}

const fn centre(key: &'static str, default: &'static str, accepts: Accepts) -> Setting {
    Setting {
        key,
        default,
        accepts,
        personal: false,
    }
}

pub const LANGUAGES: &[&str] = &["zh-CN", "zh-TW", "en"];
pub const AGENT_WEIGHTS: &[&str] = &[
    "direct_answer",
    "satisfaction",
    "callback",
    "resolution",
    "closure",
    "qa",
    "exam",
    "training",
];
pub const DEPARTMENT_WEIGHTS: &[&str] = &[
    "on_time_acceptance",
    "on_time_handling",
    "satisfaction",
    "no_redispatch",
    "resolution",
    "callback",
];

pub const SETTINGS: &[Setting] = &[
    // Seconds without keyboard or mouse input before the desk locks (0: never).
    centre("idle_lock_seconds", "600", Accepts::OffOr(10, 28_800)),
    // Hours a seat's sign-in through the centre server lasts (a shift, then sign in again).
    centre("session_hours", "12", Accepts::Int(1, 168)),
    // Months after closure when a ticket's personal data is anonymised (0: kept).
    centre("retention_months", "0", Accepts::Int(0, 1200)),
    centre("backup_dir", "", Accepts::Folder),
    centre("backup_offsite_dir", "", Accepts::Folder),
    // Local time of the daily backup.
    centre("backup_time", "02:00", Accepts::Time),
    centre("backup_keep_daily", "7", Accepts::Int(1, 365)),
    centre("backup_keep_monthly", "12", Accepts::Int(1, 365)),
    centre("timezone", "Asia/Shanghai", Accepts::Zone),
    centre("reopen_window_days", "30", Accepts::Int(0, 3650)),
    centre("callback_days", "3", Accepts::Int(0, 3650)),
    // Days back an open ticket is offered as the one a new call repeats (重复件).
    centre("duplicate_window_days", "30", Accepts::Int(1, 365)),
    // Where the telephone system records calls: e.g. /var/spool/asterisk/monitor/{date}/{key}.wav.
    centre("recording_pattern", "", Accepts::RecordingPattern),
    // Hours before a training session when those expected at it are reminded.
    centre("training_reminder_hours", "24", Accepts::Int(1, 168)),
    // Hours within which a complaint not made in person is acknowledged (a KPI).
    centre("complaint_ack_hours", "24", Accepts::Int(1, 720)),
    Setting {
        key: "ui_language",
        default: "zh-CN",
        accepts: Accepts::OneOf(LANGUAGES),
        personal: true,
    },
    centre("reminder_thresholds", "50,75,90", Accepts::Thresholds),
    centre("repeat_hours", "4", Accepts::Int(0, 168)),
    centre("answer_rings", "3", Accepts::Int(0, 600)),
    centre("seconds_per_ring", "5", Accepts::Int(0, 600)),
    centre("short_abandon_seconds", "5", Accepts::Int(0, 600)),
    centre("basic_satisfied_counts", "1", Accepts::OneOf(&["0", "1"])),
    // Which evaluation counts for satisfaction when an unsatisfied caller was re-handled
    // and asked again (二次回访): the last one, or the first.
    centre(
        "evaluation_counted",
        "last",
        Accepts::OneOf(&["last", "first"]),
    ),
    // Working days after a month closes in which a department may appeal its entries.
    centre("appeal_working_days", "5", Accepts::Int(1, 30)),
    centre(
        "weights_agents",
        "direct_answer:0.3,satisfaction:0.4,callback:0.3",
        Accepts::Weights(AGENT_WEIGHTS),
    ),
    centre(
        "weights_departments",
        "on_time_acceptance:0.2,on_time_handling:0.4,satisfaction:0.3,no_redispatch:0.1",
        Accepts::Weights(DEPARTMENT_WEIGHTS),
    ),
    // The centre's name, printed on transfer slips and reports.
    centre("centre_name", "12345 热线服务中心", Accepts::Text(60)),
    // Whether transfer slips show the caller's phone and address in clear.
    centre("slip_phone", "masked", Accepts::OneOf(&["masked", "clear"])),
    // Detection of incidents: a surge is calls in the last window at least this percent of
    // the same window on the same weekday of the weeks before, and at least the minimum.
    centre("surge_window_minutes", "30", Accepts::Int(5, 240)),
    centre("surge_factor_percent", "200", Accepts::OffOr(110, 10_000)),
    centre("surge_min_calls", "20", Accepts::Int(1, 100_000)),
    centre("surge_baseline_weeks", "4", Accepts::Int(1, 12)),
    // A cluster is this many tickets of one category naming one area within the window.
    centre("cluster_window_minutes", "60", Accepts::Int(5, 1440)),
    centre("cluster_min_tickets", "5", Accepts::OffOr(2, 1000)),
    // A reminder when no drill took place in this many months (0: none).
    centre("drill_every_months", "6", Accepts::Int(0, 36)),
    // Test-only: how many seconds an SLA "calendar hour" lasts.
    centre("sla_hour_seconds", "3600", Accepts::Int(1, 3600)),
];

/// The setting called `key`; an unknown key is refused.
pub fn find(key: &str) -> Result<&'static Setting> {
    SETTINGS
        .iter()
        .find(|s| s.key == key)
        .ok_or_else(|| invalid("key", key))
}

pub fn is_personal(key: &str) -> bool {
    find(key).is_ok_and(|s| s.personal)
}

/// The value to store for `key`: trimmed and checked, or refused.
pub fn check<'v>(key: &str, value: &'v str) -> Result<&'v str> {
    let setting = find(key)?;
    let value = value.trim();
    let bad = || invalid("value", value);
    let int = || value.parse::<i64>().map_err(|_| bad());
    match setting.accepts {
        Accepts::Int(lo, hi) => {
            if !(lo..=hi).contains(&int()?) {
                return Err(bad());
            }
        }
        Accepts::OffOr(lo, hi) => {
            let n = int()?;
            if n != 0 && !(lo..=hi).contains(&n) {
                return Err(bad());
            }
        }
        Accepts::Time => {
            chrono::NaiveTime::parse_from_str(value, "%H:%M").map_err(|_| bad())?;
        }
        Accepts::Folder => crate::backup::check_folder(value)?,
        Accepts::RecordingPattern => crate::recording::check_pattern(value)?,
        Accepts::Zone => {
            value
                .parse::<Tz>()
                .map_err(|_| invalid("timezone", value))?;
        }
        Accepts::OneOf(words) => {
            if !words.contains(&value) {
                return Err(bad());
            }
        }
        Accepts::Thresholds => {
            crate::alarms::Rules::parse_thresholds(value).ok_or_else(bad)?;
        }
        Accepts::Text(max) => {
            crate::validate::text(setting.key, value, max)?;
        }
        Accepts::Weights(keys) => {
            let ok = crate::report::parse_weights(value).is_some_and(|w| {
                !w.is_empty() && w.iter().all(|(k, _)| keys.contains(&k.as_str()))
            });
            if !ok {
                return Err(bad());
            }
        }
    }
    Ok(value)
}

/// A stored number read back (stored values were checked; a default is always valid).
pub fn int(key: &'static str, value: &str) -> Result<i64> {
    value.trim().parse().map_err(|_| Error::InvalidValue {
        field: key,
        value: value.chars().take(40).collect(),
    })
}

fn invalid(field: &'static str, value: &str) -> Error {
    Error::InvalidValue {
        field,
        value: value.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_accepted_and_keys_are_unique() {
        for s in SETTINGS {
            assert_eq!(check(s.key, s.default).ok(), Some(s.default), "{}", s.key);
            assert_eq!(SETTINGS.iter().filter(|o| o.key == s.key).count(), 1);
        }
    }

    #[test]
    fn bounds_and_words_are_enforced() {
        assert!(check("idle_lock_seconds", "0").is_ok());
        assert!(check("idle_lock_seconds", "5").is_err());
        assert!(check("retention_months", "1201").is_err());
        assert!(check("backup_time", "25:00").is_err());
        assert!(check("timezone", "Mars/Base").is_err());
        assert!(check("ui_language", "fr").is_err());
        assert!(check("weights_agents", "on_time_handling:1").is_err());
        assert_eq!(check("repeat_hours", " 8 ").ok(), Some("8"));
        assert!(matches!(
            check("no_such_key", "1"),
            Err(Error::InvalidValue { field: "key", .. })
        ));
        assert!(is_personal("ui_language") && !is_personal("timezone"));
    }
}
