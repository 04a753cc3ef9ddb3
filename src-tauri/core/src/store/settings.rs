//! The settings as the store keeps them: read with their defaults, written after the
//! settings table (`crate::settings`) accepts them, a change logged with it.

use super::db::{get_setting, timezone, Store};
use crate::error::Result;
use crate::settings::SETTINGS;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// A personal setting of `user_id`, or the centre's default for it.
fn user_setting(c: &super::sql::Connection, user_id: i64, key: &str) -> Result<String> {
    let own: Option<String> = super::sql::OptionalExtension::optional(c.query_row(
        "SELECT value FROM user_settings WHERE user_id = ?1 AND key = ?2",
        (user_id, key),
        |r| r.get(0),
    ))?;
    match own {
        Some(v) => Ok(v),
        None => get_setting(c, key),
    }
}

impl Store {
    pub fn setting(&self, key: &str) -> Result<String> {
        self.read(|c| get_setting(c, key))
    }

    /// The centre's time zone (a setting validated when it is saved).
    pub fn timezone(&self) -> Result<Tz> {
        self.read(timezone)
    }

    /// Saves a setting. A centre setting changed by someone is logged in the same
    /// transaction (saving a form unchanged is not a change worth an entry). A personal
    /// setting saved by a user is theirs alone and not logged; without a user (the command
    /// line) it is the centre's default for everyone who chose nothing.
    pub fn set_setting(
        &self,
        by: Option<&crate::model::User>,
        key: &str,
        value: &str,
    ) -> Result<()> {
        let value = crate::settings::check(key, value)?;
        let personal = crate::settings::is_personal(key);
        self.write(|tx| {
            if let (true, Some(u)) = (personal, by) {
                tx.execute(
                    "INSERT INTO user_settings (user_id, key, value) VALUES (?1, ?2, ?3)
                     ON CONFLICT(user_id, key) DO UPDATE SET value = excluded.value",
                    (u.id, key, &value),
                )?;
                return Ok(());
            }
            let before = get_setting(tx, key)?;
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )?;
            tx.settings.take();
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

    /// Every setting as `user_id` sees it: their personal choices over the centre's.
    pub fn settings_for(&self, user_id: i64) -> Result<Vec<(String, String)>> {
        self.read(|c| {
            SETTINGS
                .iter()
                .map(|s| {
                    let v = if s.personal {
                        user_setting(c, user_id, s.key)?
                    } else {
                        get_setting(c, s.key)?
                    };
                    Ok((s.key.to_string(), v))
                })
                .collect()
        })
    }

    /// One setting as `user_id` sees it.
    pub fn user_setting(&self, user_id: i64, key: &str) -> Result<String> {
        self.read(|c| user_setting(c, user_id, key))
    }
}
