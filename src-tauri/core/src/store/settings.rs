//! The settings as the store keeps them: read with their defaults, written after the
//! settings table (`crate::settings`) accepts them, a change logged with it.

use super::db::{get_setting, timezone, Store};
use crate::error::Result;
use crate::settings::SETTINGS;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

impl Store {
    pub fn setting(&self, key: &str) -> Result<String> {
        self.read(|c| get_setting(c, key))
    }

    /// The centre's time zone (a setting validated when it is saved).
    pub fn timezone(&self) -> Result<Tz> {
        self.read(timezone)
    }

    /// Saves a setting. A centre setting changed by someone is logged in the same
    /// transaction (saving a form unchanged is not a change worth an entry; a personal
    /// setting is about one screen and not logged).
    pub fn set_setting(
        &self,
        by: Option<&crate::model::User>,
        key: &str,
        value: &str,
    ) -> Result<()> {
        let value = crate::settings::check(key, value)?;
        let personal = crate::settings::is_personal(key);
        self.write(|tx| {
            let before = get_setting(tx, key)?;
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )?;
            if personal || before == value {
                return Ok(());
            }
            let detail = serde_json::json!({ "from": before, "to": value });
            super::audit::note(tx, self.now(), by, "setting_changed", key, detail)
        })
    }

    /// Reads a time typed by a person: RFC 3339, or local time in the configured zone.
    pub fn parse_time(&self, s: &str) -> Result<DateTime<Utc>> {
        let tz = self.timezone()?;
        crate::local_time::parse_time(s, tz)
    }

    pub fn settings(&self) -> Result<Vec<(String, String)>> {
        self.read(|c| {
            SETTINGS
                .iter()
                .map(|s| Ok((s.key.to_string(), get_setting(c, s.key)?)))
                .collect()
        })
    }
}
