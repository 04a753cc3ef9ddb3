//! The audit log: append-only and hash-chained. Each entry's hash is SHA-256 over its
//! own fields and the previous entry's hash, so an edited, removed or reordered entry
//! breaks the chain at a place `verify_audit` names.

use super::db::{from_ms, ms, Store};
use super::sql::{Connection, OptionalExtension};
use crate::error::Result;
use crate::model::User;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The hash the first entry chains to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub target: String,
    pub detail: Value,
    pub prev_hash: String,
    pub hash: String,
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditReport {
    pub ok: bool,
    pub entries: i64,
    /// The first entry whose hash or link does not hold.
    pub broken_at: Option<i64>,
    /// `edited` (its fields no longer give its hash), `unlinked` (it does not follow the
    /// entry before it: one was removed or the order changed).
    pub problem: Option<String>,
    pub head: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditQuery {
    pub action: Option<String>,
    pub actor_id: Option<i64>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: Option<u32>,
}

/// SHA-256 over (previous hash, id, at, actor id, actor name, action, target, detail),
/// each length-prefixed so that no two different entries serialise alike.
fn digest(parts: [&str; 8]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends one entry inside the caller's transaction.
/// The audit entry a change commits with, when it was made by someone (tools and tests
/// that write reference data directly pass no one).
pub(crate) fn note(
    c: &Connection,
    at: DateTime<Utc>,
    by: Option<&User>,
    action: &str,
    target: &str,
    detail: Value,
) -> Result<()> {
    match by {
        Some(u) => append(c, at, Some(u), action, target, &detail),
        None => Ok(()),
    }
}

pub(crate) fn append(
    c: &Connection,
    at: DateTime<Utc>,
    actor: Option<&User>,
    action: &str,
    target: &str,
    detail: &Value,
) -> Result<()> {
    let (prev_id, prev): (i64, String) = c
        .query_row(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, GENESIS.to_string()));
    let id = prev_id + 1;
    let detail = detail.to_string();
    let name = actor.map(|u| u.name.as_str()).unwrap_or("");
    let actor_id = actor.map(|u| u.id);
    let hash = digest([
        &prev,
        &id.to_string(),
        &ms(at).to_string(),
        &actor_id.map(|a| a.to_string()).unwrap_or_default(),
        name,
        action,
        target,
        &detail,
    ]);
    c.execute(
        "INSERT INTO audit_log (id, at, actor_id, actor_name, action, target, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        super::sql::params![id, ms(at), actor_id, name, action, target, detail, prev, hash],
    )?;
    Ok(())
}

/// Walks the chain of any connection (the live store or a backup being verified).
pub(crate) fn verify(c: &Connection) -> Result<AuditReport> {
    let mut st = c.prepare(
        "SELECT id, at, actor_id, actor_name, action, target, detail, prev_hash, hash
         FROM audit_log ORDER BY id",
    )?;
    let mut rows = st.query([])?;
    let (mut prev, mut expected_id, mut n) = (GENESIS.to_string(), 1i64, 0i64);
    while let Some(r) = rows.next()? {
        n += 1;
        let id: i64 = r.get(0)?;
        let stored_prev: String = r.get(7)?;
        let hash: String = r.get(8)?;
        let recomputed = digest([
            &stored_prev,
            &id.to_string(),
            &r.get::<_, i64>(1)?.to_string(),
            &r.get::<_, Option<i64>>(2)?
                .map(|a| a.to_string())
                .unwrap_or_default(),
            &r.get::<_, String>(3)?,
            &r.get::<_, String>(4)?,
            &r.get::<_, String>(5)?,
            &r.get::<_, String>(6)?,
        ]);
        let problem = if recomputed != hash {
            Some("edited")
        } else if stored_prev != prev || id != expected_id {
            Some("unlinked")
        } else {
            None
        };
        if let Some(p) = problem {
            return Ok(AuditReport {
                ok: false,
                entries: n,
                broken_at: Some(id),
                problem: Some(p.into()),
                head: prev,
            });
        }
        prev = hash;
        expected_id = id + 1;
    }
    Ok(AuditReport {
        ok: true,
        entries: n,
        broken_at: None,
        problem: None,
        head: prev,
    })
}

impl Store {
    /// Records something done outside a ticket's timeline (sign-ins, reveals, exports,
    /// changes to users and settings, backups).
    pub fn audit(
        &self,
        actor: Option<&User>,
        action: &str,
        target: &str,
        detail: Value,
    ) -> Result<()> {
        let now = self.now();
        self.write(|tx| append(tx, now, actor, action, target, &detail))
    }

    pub fn verify_audit(&self) -> Result<AuditReport> {
        self.read(verify)
    }

    /// Newest first.
    pub fn audit_entries(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let limit = q.limit.unwrap_or(500).clamp(1, 5000);
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT id, at, actor_id, actor_name, action, target, detail, prev_hash, hash
                 FROM audit_log
                 WHERE (CAST(?1 AS TEXT) IS NULL OR action = ?1) AND (CAST(?2 AS BIGINT) IS NULL OR actor_id = ?2)
                   AND (CAST(?3 AS BIGINT) IS NULL OR at >= ?3) AND (CAST(?4 AS BIGINT) IS NULL OR at < ?4)
                 ORDER BY id DESC LIMIT ?5",
            )?;
            let rows = st
                .query_map(
                    super::sql::params![
                        q.action.as_deref().filter(|a| !a.is_empty()),
                        q.actor_id,
                        q.from.map(ms),
                        q.to.map(ms),
                        limit
                    ],
                    |r| {
                        Ok(AuditEntry {
                            id: r.get(0)?,
                            at: from_ms(r.get(1)?),
                            actor_id: r.get(2)?,
                            actor_name: r.get(3)?,
                            action: r.get(4)?,
                            target: r.get(5)?,
                            detail: serde_json::from_str(&r.get::<_, String>(6)?)
                                .unwrap_or(Value::Null),
                            prev_hash: r.get(7)?,
                            hash: r.get(8)?,
                        })
                    },
                )?
                .collect::<super::sql::Result<_>>()?;
            Ok(rows)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::store::testutil::store;
    use serde_json::json;

    /// Someone with the database's own keys, past the store: the append-only triggers
    /// switched off, then `sql`.
    fn tamper(s: &crate::Store, sql: &str) {
        #[cfg(feature = "postgres")]
        if s.is_postgres() {
            let mut c = postgres::Client::connect(&s.path().to_string_lossy(), postgres::NoTls)
                .expect("open");
            c.batch_execute(&format!(
                "ALTER TABLE audit_log DISABLE TRIGGER USER; {sql}"
            ))
            .expect("tamper");
            return;
        }
        let c = rusqlite::Connection::open(s.path()).expect("open");
        c.execute_batch(&format!(
            "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; {sql}"
        ))
        .expect("tamper");
    }

    #[test]
    fn the_chain_detects_edits_removals_and_reordering() {
        for (sql, at, problem) in [
            (
                "UPDATE audit_log SET target = 'x' WHERE id = 3",
                3,
                "edited",
            ),
            ("DELETE FROM audit_log WHERE id = 2", 3, "unlinked"),
            (
                // Swap two entries' contents, hashes and all.
                "UPDATE audit_log SET id = -2 WHERE id = 2;
                 UPDATE audit_log SET id = 2 WHERE id = 4;
                 UPDATE audit_log SET id = 4 WHERE id = -2;",
                2,
                "edited",
            ),
        ] {
            let (_d, s, _c) = store();
            let me = s.user(1).expect("admin");
            for i in 0..5 {
                s.audit(Some(&me), "test", &format!("t{i}"), json!({"i": i}))
                    .expect("append");
            }
            let good = s.verify_audit().expect("verify");
            assert!(good.ok && good.entries == 5, "{good:?}");
            // The database itself refuses edits and deletes.
            for refused in [
                "UPDATE audit_log SET target = 'x' WHERE id = 1",
                "DELETE FROM audit_log WHERE id = 1",
            ] {
                assert!(
                    s.write(|c| Ok(c.execute(refused, [])?)).is_err(),
                    "{refused}"
                );
            }
            tamper(&s, sql);
            let r = s.verify_audit().expect("verify");
            assert!(!r.ok, "{sql}");
            assert_eq!(r.broken_at, Some(at), "{sql}");
            assert_eq!(r.problem.as_deref(), Some(problem), "{sql}");
        }
    }

    #[test]
    fn entries_filter_by_action_and_actor() {
        let (_d, s, _c) = store();
        let me = s.user(1).expect("admin");
        s.audit(Some(&me), "login", "", json!({})).expect("a");
        s.audit(None, "login_failed", "nobody", json!({}))
            .expect("b");
        let all = s.audit_entries(&Default::default()).expect("all");
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].action, "login_failed");
        let q = super::AuditQuery {
            action: Some("login".into()),
            ..Default::default()
        };
        assert_eq!(s.audit_entries(&q).expect("q").len(), 1);
    }
}
