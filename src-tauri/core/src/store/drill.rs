//! What a restore drill finds in a backup: the database's own checks of the restored
//! copy and of the evaluations kept beside its timeline, then its counts and audit chain
//! held against the manifest written with it.

use super::audit::AuditReport;
use super::migrate::Migration;
use super::sql;
use crate::backup::Manifest;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

impl Check {
    pub(super) fn new(name: &str, ok: bool, detail: String) -> Check {
        Check {
            name: name.into(),
            ok,
            detail,
        }
    }
}

/// The evaluations kept beside the timeline agree with it — one per feedback event, each
/// evaluated ticket's first and last marked once — in a copy whose schema has them
/// (`migrations`' "evaluations"): the satisfaction KPI reads them, not the timeline.
pub(super) fn evaluations(
    c: &sql::Connection,
    version: i64,
    migrations: &[Migration],
) -> Result<Option<Check>> {
    let since = migrations.iter().find(|m| m.name == "evaluations");
    if since.is_none_or(|m| version < m.version) {
        return Ok(None);
    }
    let (feedback, kept, missing, tickets, first, last): (i64, i64, i64, i64, i64, i64) = c
        .query_row(
            "SELECT (SELECT count(*) FROM events WHERE action = 'feedback'),
                    (SELECT count(*) FROM evaluations),
                    (SELECT count(*) FROM events e WHERE e.action = 'feedback'
                        AND NOT EXISTS (SELECT 1 FROM evaluations v WHERE v.event_id = e.id)),
                    (SELECT count(DISTINCT ticket_id) FROM evaluations),
                    (SELECT count(*) FROM evaluations WHERE first = TRUE),
                    (SELECT count(*) FROM evaluations WHERE last = TRUE)",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )?;
    Ok(Some(Check::new(
        "evaluations",
        missing == 0 && kept == feedback && first == tickets && last == tickets,
        format!(
            "{kept} evaluations of {feedback} feedback events ({missing} missing); \
             {first} first and {last} last of {tickets} tickets"
        ),
    )))
}

/// What a backup holds, read in the very snapshot it was taken from (its manifest).
pub(super) struct Contents {
    pub tickets: i64,
    pub schema_version: i64,
    pub chain: AuditReport,
}

/// What a decrypted backup was found to hold once opened (SQLite) or restored into a
/// scratch database (PostgreSQL), with the database's own checks of it.
pub(super) struct Restored {
    pub checks: Vec<Check>,
    pub schema_version: i64,
    /// The newest schema this version knows on that database.
    pub supported: i64,
    pub tickets: i64,
    pub events: i64,
    pub chain: Option<AuditReport>,
}

/// Every check of a restore drill: the database's own, then the counts and the audit
/// chain against the manifest. A backup of a newer schema is refused.
pub(super) fn judge(r: Restored, manifest: Option<&Manifest>) -> Result<(Vec<Check>, i64, i64)> {
    if r.schema_version > r.supported {
        return Err(Error::BackupTooNew {
            found: r.schema_version,
            supported: r.supported,
        });
    }
    let (tickets, events) = (r.tickets, r.events);
    let mut checks = r.checks;
    checks.push(match manifest {
        Some(m) => Check::new(
            "counts",
            m.tickets == tickets,
            format!(
                "{tickets} tickets ({} in the manifest), {events} events",
                m.tickets
            ),
        ),
        None => Check::new(
            "counts",
            tickets >= 0,
            format!("{tickets} tickets, {events} events"),
        ),
    });
    if let Some(chain) = r.chain {
        let matches_manifest = manifest.is_none_or(|m| m.audit_head == chain.head);
        checks.push(Check::new(
            "audit_chain",
            chain.ok && matches_manifest,
            format!(
                "{} entries{}",
                chain.entries,
                chain
                    .broken_at
                    .map(|b| format!(", broken at {b}"))
                    .unwrap_or_default()
            ),
        ));
    }
    Ok((checks, tickets, r.schema_version))
}
