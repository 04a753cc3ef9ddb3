//! The call records table: calls imported from the switch's CDR files, the saved column
//! mappings for other switches, and the agents' extensions that link calls to agents.

use super::db::{ms, Store};
use crate::cdr::{BadRow, Call};
use crate::error::Result;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallImport {
    pub imported: u64,
    pub duplicates: u64,
    pub linked_tickets: u64,
    pub linked_agents: u64,
    pub bad_rows: Vec<BadRow>,
}

impl Store {
    /// Imports call records; a call seen before adds nothing. Calls are linked to the
    /// caller's ticket received around the call and to the agent by extension.
    pub fn import_calls(
        &self,
        calls: &[Call],
        source: &str,
        bad_rows: Vec<BadRow>,
    ) -> Result<CallImport> {
        self.write(|tx| {
            let mut r = CallImport { imported: 0, duplicates: 0, linked_tickets: 0, linked_agents: 0, bad_rows };
            let pattern = super::db::get_setting(tx, "recording_pattern")?;
            let tz = super::db::timezone(tx)?;
            for call in calls {
                let added = tx
                    .prepare_cached(
                        "INSERT INTO calls (key, source, caller, callee, extension, started_at, answered_at, ended_at, disposition, recording, ticket_id, agent_id)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
                            (SELECT id FROM tickets WHERE phone = ?3 AND received_at BETWEEN ?6 - 300000 AND ?8 + 1800000
                             ORDER BY abs(received_at - ?6) LIMIT 1),
                            (SELECT id FROM users WHERE extension = ?5))
                         ON CONFLICT(key) DO NOTHING",
                    )?
                    .insert_new((
                        &call.key,
                        source,
                        &call.caller,
                        &call.callee,
                        call.extension.as_deref(),
                        ms(call.started_at),
                        call.answered_at.map(ms),
                        ms(call.ended_at),
                        &call.disposition,
                        crate::recording::path_of(&pattern, call, tz),
                    ))?;
                let Some(id) = added else {
                    r.duplicates += 1;
                    continue;
                };
                r.imported += 1;
                let (t, a): (Option<i64>, Option<i64>) =
                    tx.query_row("SELECT ticket_id, agent_id FROM calls WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))?;
                r.linked_tickets += u64::from(t.is_some());
                r.linked_agents += u64::from(a.is_some());
            }
            Ok(r)
        })
    }

    pub fn save_cdr_mapping(&self, name: &str, mapping: &crate::cdr::Mapping) -> Result<()> {
        let name = crate::validate::text("name", name, 40)?;
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(crate::error::Error::InvalidValue {
                field: "name",
                value: name,
            });
        }
        mapping.validate()?;
        let spec = serde_json::to_string(mapping)?;
        self.write(|tx| {
            tx.execute("INSERT INTO cdr_mappings (name, spec) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET spec = excluded.spec", (&name, &spec))?;
            Ok(())
        })
    }

    pub fn cdr_mapping(&self, name: &str) -> Result<crate::cdr::Mapping> {
        self.read(|c| {
            let spec: Option<String> = super::sql::OptionalExtension::optional(c.query_row(
                "SELECT spec FROM cdr_mappings WHERE name = ?1",
                [name],
                |r| r.get(0),
            ))?;
            let spec = spec.ok_or_else(|| crate::error::Error::NotFound {
                entity: "mapping",
                key: name.chars().take(40).collect(),
            })?;
            Ok(serde_json::from_str(&spec)?)
        })
    }

    pub fn set_user_extension(&self, user_id: i64, extension: Option<&str>) -> Result<()> {
        let ext = crate::validate::opt_text("extension", extension, 20)?;
        self.write(|tx| {
            super::reference::get_user(tx, user_id)?;
            tx.execute(
                "UPDATE users SET extension = ?1 WHERE id = ?2",
                (ext, user_id),
            )?;
            Ok(())
        })
    }
}
