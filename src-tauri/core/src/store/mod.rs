//! The ticket store. This module is the one place that opens SQLite.
//!
//! One writer connection (every write an IMMEDIATE transaction, `synchronous=FULL`) and
//! one reader connection: WAL lets queues be read while a write commits, and no single
//! lock serialises the whole app.

mod accounts;
mod alarms;
mod audit;
mod backup;
mod calendars;
mod migrate;
mod queues;
mod reference;
mod report;
mod retention;
mod sla;
mod tickets;

pub use accounts::{Account, NewAccount};
pub use alarms::{Fired, NotificationRow, Popups};
pub use audit::{AuditEntry, AuditQuery, AuditReport};
pub use backup::{BackupInfo, BackupStatus, Check, Drill, DrillReport, Progress};
pub use calendars::{CalendarView, IcsReport};
pub use migrate::{Migration, MIGRATIONS};
pub use queues::{COUNT_CAP, DUE_SOON};
pub use report::{CallImport, CallRow};
pub use retention::{RetentionPlan, SampleChange};
pub use tickets::{
    blank, created_event, Bulk, HistoricEvent, HistoricTicket, ListQuery, Page, Sort, RANK_WINDOW,
};
pub(crate) use tickets::{index_from, suspend_search_triggers};

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::lifecycle::Policy;
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

pub struct Store {
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
    clock: Arc<dyn Clock>,
    path: PathBuf,
}

/// Settings a user may change, with their defaults.
pub const SETTINGS: &[(&str, &str)] = &[
    // Seconds without keyboard or mouse input before the desk locks (0: never).
    ("idle_lock_seconds", "600"),
    // Months after closure when a ticket's personal data is anonymised (0: kept).
    ("retention_months", "0"),
    ("backup_dir", ""),
    ("backup_offsite_dir", ""),
    // Local time of the daily backup, HH:MM.
    ("backup_time", "02:00"),
    ("backup_keep_daily", "7"),
    ("backup_keep_monthly", "12"),
    ("timezone", "Asia/Shanghai"),
    ("reopen_window_days", "30"),
    ("callback_days", "3"),
    ("ui_language", "zh-CN"),
    ("reminder_thresholds", "50,75,90"),
    ("repeat_hours", "4"),
    ("answer_rings", "3"),
    ("seconds_per_ring", "5"),
    ("short_abandon_seconds", "5"),
    ("basic_satisfied_counts", "1"),
    (
        "weights_agents",
        "direct_answer:0.3,satisfaction:0.4,callback:0.3",
    ),
    (
        "weights_departments",
        "on_time_acceptance:0.2,on_time_handling:0.4,satisfaction:0.3,no_redispatch:0.1",
    ),
    // Test-only: how many seconds an SLA "calendar hour" lasts (1..=3600).
    ("sla_hour_seconds", "3600"),
];

/// Page caches, in KiB (negative: a size, not a page count).
const READER_CACHE_KIB: i64 = -32_768;
const BULK_CACHE_KIB: i64 = -262_144;
const DEFAULT_CACHE_KIB: i64 = -2_000;

pub(crate) fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // The bigram search index's triggers call it on every write of a ticket's text.
    conn.create_scalar_function(
        crate::search::BIGRAMS_FN,
        1,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8
            | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let text: Option<String> = ctx.get(0)?;
            Ok(crate::search::bigrams(text.as_deref().unwrap_or("")))
        },
    )?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}

/// Runs `f` in an IMMEDIATE transaction on `conn`: all of it is written, or none.
fn immediate<T>(conn: &mut Connection, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// A plain connection with the store's settings and functions but none of its rules:
/// the benchmark's "raw SQLite doing the same work".
pub fn open_raw(path: impl AsRef<Path>) -> Result<Connection> {
    let c = Connection::open(path)?;
    configure(&c)?;
    Ok(c)
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Store> {
        Self::open_with(path, clock, MIGRATIONS)
    }

    pub(crate) fn open_with(
        path: impl AsRef<Path>,
        clock: Arc<dyn Clock>,
        migrations: &[Migration],
    ) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let created = !path.exists();
        let mut writer = Connection::open(&path)?;
        // Customer data: readable by the desk's own OS account only (SQLite gives the
        // -wal and -shm files the same mode).
        #[cfg(unix)]
        if created {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        }
        #[cfg(not(unix))]
        let _ = created;
        configure(&writer)?;
        // Migrate (or refuse a newer file) before switching to WAL, which rewrites the header.
        migrate::run(&mut writer, migrations)?;
        if migrations.iter().any(|m| m.name == "calendars") {
            calendars::sync_official(&writer)?;
        }
        if migrations.iter().any(|m| m.name == "alarms") {
            alarms::backfill(&writer, clock.now())?;
        }
        let mode: String =
            writer.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::InvalidValue {
                field: "journal_mode",
                value: mode,
            });
        }
        let reader = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure(&reader)?;
        // Reports and searches read tens of thousands of pages of a big store; with the
        // default 2 MB cache most of that time went to copying pages from the OS again.
        reader.pragma_update(None, "cache_size", READER_CACHE_KIB)?;
        Ok(Store {
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
            clock,
            path,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Runs `f` in an IMMEDIATE transaction: all of it is written, or none.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        immediate(&mut lock(&self.writer), f)
    }

    /// `write` for one big transaction (imports, seeding): a page cache large enough to
    /// hold the index pages it changes, so SQLite does not spill them to the WAL again
    /// and again before the commit; back to the default afterwards.
    pub(crate) fn write_big<T>(&self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let mut conn = lock(&self.writer);
        conn.pragma_update(None, "cache_size", BULK_CACHE_KIB)?;
        let out = immediate(&mut conn, f);
        conn.pragma_update(None, "cache_size", DEFAULT_CACHE_KIB)?;
        out
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        f(&lock(&self.reader))
    }

    /// Runs `f` on one read transaction: every query in it sees the same committed state
    /// (a report's figures agree with each other while agents keep writing).
    pub(crate) fn snapshot<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = lock(&self.reader);
        let tx = conn.unchecked_transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    pub fn setting(&self, key: &str) -> Result<String> {
        self.read(|c| get_setting(c, key))
    }

    /// The centre's time zone (a setting validated when it is saved).
    pub fn timezone(&self) -> Result<Tz> {
        self.read(timezone)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let value = value.trim();
        match key {
            "idle_lock_seconds" => {
                let n = parse_int(key, value)?;
                if n != 0 && !(10..=28_800).contains(&n) {
                    return Err(invalid_setting("value", value));
                }
            }
            "retention_months" => {
                let n = parse_int(key, value)?;
                if !(0..=1200).contains(&n) {
                    return Err(invalid_setting("value", value));
                }
            }
            "backup_keep_daily" | "backup_keep_monthly" => {
                let n = parse_int(key, value)?;
                if !(1..=365).contains(&n) {
                    return Err(invalid_setting("value", value));
                }
            }
            "backup_time" => {
                if chrono::NaiveTime::parse_from_str(value, "%H:%M").is_err() {
                    return Err(invalid_setting("value", value));
                }
            }
            "backup_dir" | "backup_offsite_dir" => {
                crate::backup::check_folder(value)?;
            }
            "timezone" => {
                value.parse::<Tz>().map_err(|_| Error::InvalidValue {
                    field: "timezone",
                    value: value.chars().take(40).collect(),
                })?;
            }
            "ui_language" => {
                if !["zh-CN", "zh-TW", "en"].contains(&value) {
                    return Err(invalid_setting("value", value));
                }
            }
            "reminder_thresholds" => {
                if crate::escalation::Rules::parse_thresholds(value).is_none() {
                    return Err(invalid_setting("value", value));
                }
            }
            "repeat_hours" => {
                let n = parse_int(key, value)?;
                if !(0..=168).contains(&n) {
                    return Err(invalid_setting("value", value));
                }
            }
            "answer_rings" | "seconds_per_ring" | "short_abandon_seconds" => {
                let n = parse_int(key, value)?;
                if !(0..=600).contains(&n) {
                    return Err(invalid_setting("value", value));
                }
            }
            "weights_agents" | "weights_departments" => {
                let allowed: &[&str] = if key == "weights_agents" {
                    &[
                        "direct_answer",
                        "satisfaction",
                        "callback",
                        "resolution",
                        "closure",
                    ]
                } else {
                    &[
                        "on_time_acceptance",
                        "on_time_handling",
                        "satisfaction",
                        "no_redispatch",
                        "resolution",
                        "callback",
                    ]
                };
                let ok = crate::report::parse_weights(value).is_some_and(|w| {
                    !w.is_empty() && w.iter().all(|(k, _)| allowed.contains(&k.as_str()))
                });
                if !ok {
                    return Err(invalid_setting("value", value));
                }
            }
            "basic_satisfied_counts" => {
                if !["0", "1"].contains(&value) {
                    return Err(invalid_setting("value", value));
                }
            }
            "sla_hour_seconds" => {
                let n = parse_int(key, value)?;
                if !(1..=3600).contains(&n) {
                    return Err(invalid_setting("value", value));
                }
            }
            "reopen_window_days" | "callback_days" => {
                let n = parse_int(key, value)?;
                if !(0..=3650).contains(&n) {
                    return Err(invalid_setting("value", value));
                }
            }
            _ => return Err(invalid_setting("key", key)),
        }
        self.write(|tx| {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )?;
            Ok(())
        })
    }

    /// Reads a time typed by a person: RFC 3339, or local time in the configured zone.
    pub fn parse_time(&self, s: &str) -> Result<DateTime<Utc>> {
        let tz = self.timezone()?;
        crate::exchange::parse_time(s, tz)
    }

    pub fn settings(&self) -> Result<Vec<(String, String)>> {
        self.read(|c| {
            SETTINGS
                .iter()
                .map(|(k, _)| Ok((k.to_string(), get_setting(c, k)?)))
                .collect()
        })
    }
}

pub(crate) fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock cannot leave a half-written transaction behind
    // (it rolls back on drop), so the connection stays usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn invalid_setting(field: &'static str, value: &str) -> Error {
    Error::InvalidValue {
        field,
        value: value.chars().take(40).collect(),
    }
}

fn parse_int(key: &str, value: &str) -> Result<i64> {
    value.parse().map_err(|_| Error::InvalidValue {
        field: SETTINGS
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(k, _)| *k)
            .unwrap_or("setting"),
        value: value.chars().take(40).collect(),
    })
}

pub(crate) fn get_setting(c: &Connection, key: &str) -> Result<String> {
    let default = SETTINGS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| *v)
        .ok_or_else(|| invalid_setting("key", key))?;
    let v: Option<String> = c
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    Ok(v.unwrap_or_else(|| default.to_string()))
}

pub(crate) fn policy(c: &Connection) -> Result<Policy> {
    Ok(Policy {
        reopen_window_days: parse_int(
            "reopen_window_days",
            &get_setting(c, "reopen_window_days")?,
        )?,
        callback_days: parse_int("callback_days", &get_setting(c, "callback_days")?)?,
        callback_due_at: None,
        resume_due_at: None,
    })
}

pub(crate) fn timezone(c: &Connection) -> Result<Tz> {
    let v = get_setting(c, "timezone")?;
    v.parse().map_err(|_| invalid_setting("timezone", &v))
}

pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_ms(v: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(v).single().unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod testutil {
    use super::*;
    use crate::clock::FakeClock;

    pub fn t0() -> DateTime<Utc> {
        crate::lifecycle::tests::t0()
    }

    /// A department (路灯管理所) with one handler: (department id, handler id).
    pub fn lighting(s: &Store) -> (i64, i64) {
        let dept = s
            .create_department("lighting", "路灯管理所", None)
            .expect("dept")
            .id;
        let handler = s
            .create_user("王工", dept, crate::model::Role::Handler)
            .expect("handler")
            .id;
        (dept, handler)
    }

    pub fn store() -> (tempfile::TempDir, Store, Arc<FakeClock>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = Arc::new(FakeClock::new(t0()));
        let s = Store::open(dir.path().join("hotline.db"), clock.clone()).expect("open");
        (dir, s, clock)
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::*;

    #[test]
    fn opens_with_the_durable_pragmas() {
        let (_d, s, _c) = store();
        s.read(|c| {
            let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
            let fk: i64 = c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
            let sync: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
            assert_eq!((mode.as_str(), fk, sync), ("wal", 1, 2));
            Ok(())
        })
        .expect("pragmas");
    }

    #[cfg(unix)]
    #[test]
    fn a_new_data_file_is_private_to_its_owner() {
        use std::os::unix::fs::PermissionsExt;
        let (_d, s, _c) = store();
        let mode = std::fs::metadata(s.path())
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn settings_are_validated() {
        let (_d, s, _c) = store();
        assert_eq!(s.setting("timezone").ok().as_deref(), Some("Asia/Shanghai"));
        assert_eq!(
            s.set_setting("timezone", "Mars/Base").map_err(|e| e.code()),
            Err("invalid_value")
        );
        assert_eq!(
            s.set_setting("idle_lock_seconds", "5")
                .map_err(|e| e.code()),
            Err("invalid_value")
        );
        assert_eq!(
            s.set_setting("nope", "1").map_err(|e| e.code()),
            Err("invalid_value")
        );
        s.set_setting("callback_days", "5").expect("valid");
        assert_eq!(s.setting("callback_days").ok().as_deref(), Some("5"));
    }
}
