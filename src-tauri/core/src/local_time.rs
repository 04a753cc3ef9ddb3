//! Times typed by people: RFC 3339, or wall-clock time in the centre's zone.

use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Parses a time as RFC 3339, or as local `YYYY-MM-DD HH:MM[:SS]` (also with `/`).
pub fn parse_time(s: &str, tz: Tz) -> Result<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let norm = s.replace('/', "-").replace('T', " ");
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(&norm, f) {
            if let Some(t) = tz.from_local_datetime(&n).earliest() {
                return Ok(t.with_timezone(&Utc));
            }
        }
    }
    Err(Error::InvalidValue {
        field: "time",
        value: s.chars().take(40).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_and_rfc3339_times() {
        let tz: Tz = "Asia/Shanghai".parse().expect("zone");
        let a = parse_time("2026-11-01 09:30", tz).expect("local");
        let b = parse_time("2026-11-01T01:30:00Z", tz).expect("rfc3339");
        let c = parse_time("2026/11/01 09:30:00", tz).expect("slashes");
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert!(parse_time("yesterday", tz).is_err());
    }
}
