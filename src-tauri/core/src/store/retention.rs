//! Retention (PIPL: keep personal data no longer than needed): closed tickets older than
//! the `retention_months` setting lose their personal data. Phone numbers become a
//! salted pseudonym, so "the same caller called again" still counts the same and every
//! statistic stays as it was; names, extensions and numbers in free text are removed.

use super::audit::append;
use super::db::{ms, Store};
use super::sql::{Connection, OptionalExtension};
use crate::error::{Error, Result};
use crate::mask;
use crate::model::User;
use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

/// What replaces a caller's name.
pub const ANONYMOUS: &str = "***";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetentionPlan {
    pub months: i64,
    /// Tickets closed before this lose their personal data.
    pub cutoff: Option<DateTime<Utc>>,
    pub tickets: i64,
    pub calls: i64,
    /// Call recordings deleted (the files, and their references).
    #[serde(default)]
    pub recordings: i64,
    pub customers: i64,
    /// A few tickets as they are shown now and as they will be.
    pub sample: Vec<SampleChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleChange {
    pub number: String,
    pub caller_before: String,
    pub caller_after: String,
    pub phone_before: String,
    pub phone_after: String,
}

fn salt(c: &Connection) -> Result<String> {
    if let Some(s) = c
        .query_row(
            "SELECT value FROM secrets WHERE key = 'pseudonym_salt'",
            [],
            |r| r.get(0),
        )
        .optional()?
    {
        return Ok(s);
    }
    let s: String = (0..32)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect();
    c.execute(
        "INSERT INTO secrets (key, value) VALUES ('pseudonym_salt', ?1)",
        [&s],
    )?;
    Ok(s)
}

/// A stable, non-reversible stand-in for a phone number (without the secret salt a
/// guessed number cannot be confirmed).
fn pseudonym(salt: &str, phone: &str) -> String {
    if phone.starts_with("anon-") || phone.is_empty() {
        return phone.to_string();
    }
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(phone.as_bytes());
    let d = h.finalize();
    format!(
        "anon-{}",
        d.iter()
            .take(6)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

const DUE: &str = "status IN ('closed', 'archived') AND anonymised_at IS NULL AND closed_at < ?1";

impl Store {
    fn cutoff(&self) -> Result<(i64, Option<DateTime<Utc>>)> {
        let months: i64 = self.setting("retention_months")?.parse().unwrap_or(0);
        let cutoff = (months > 0)
            .then(|| self.now().checked_sub_months(Months::new(months as u32)))
            .flatten();
        Ok((months, cutoff))
    }

    /// What `anonymise` would change now, without changing anything.
    pub fn retention_plan(&self) -> Result<RetentionPlan> {
        let (months, cutoff) = self.cutoff()?;
        let Some(cut) = cutoff else {
            return Ok(RetentionPlan {
                months,
                cutoff,
                tickets: 0,
                calls: 0,
                recordings: 0,
                customers: 0,
                sample: vec![],
            });
        };
        self.read(|c| {
            let count = |sql: &str| -> Result<i64> { Ok(c.query_row(sql, [ms(cut)], |r| r.get(0))?) };
            let tickets = count(&format!("SELECT count(*) FROM tickets WHERE {DUE}"))?;
            let calls = count("SELECT count(*) FROM calls WHERE started_at < ?1 AND caller NOT LIKE 'anon-%'")?;
            let customers = count(&customers_sql("count(*)"))?;
            let recordings = count(RECORDINGS_DUE)?;
            let mut st = c.prepare(&format!(
                "SELECT number, caller_name, phone FROM tickets WHERE {DUE} ORDER BY closed_at LIMIT 5"
            ))?;
            let sample = st
                .query_map([ms(cut)], |r| {
                    let phone: String = r.get(2)?;
                    Ok(SampleChange {
                        number: r.get(0)?,
                        caller_before: r.get(1)?,
                        caller_after: ANONYMOUS.into(),
                        phone_before: mask::phone(&phone),
                        phone_after: "anon-…".into(),
                    })
                })?
                .collect::<super::sql::Result<_>>()?;
            Ok(RetentionPlan {
                months,
                cutoff,
                tickets,
                calls,
                recordings,
                customers,
                sample,
            })
        })
    }

    /// Applies the retention rule in one transaction and logs what it did.
    pub fn anonymise(&self, actor: Option<&User>) -> Result<RetentionPlan> {
        let plan = self.retention_plan()?;
        let Some(cut) = plan.cutoff else {
            return Err(Error::NotConfigured("retention_months"));
        };
        let now = self.now();
        self.write(|tx| {
            let salt = salt(tx)?;
            let ids: Vec<(i64, String)> = tx
                .prepare(&format!("SELECT id, phone FROM tickets WHERE {DUE}"))?
                .query_map([ms(cut)], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<super::sql::Result<_>>()?;
            let mut text_st = tx.prepare(
                "SELECT description, answer, result, requirements FROM tickets WHERE id = ?1",
            )?;
            for (id, phone) in &ids {
                let (d, a, r, q): (String, Option<String>, Option<String>, Option<String>) =
                    text_st.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
                tx.execute(
                    "UPDATE tickets SET caller_name = ?1, phone = ?2, phone_ext = NULL,
                        description = ?3, answer = ?4, result = ?5, requirements = ?6, anonymised_at = ?7
                     WHERE id = ?8",
                    super::sql::params![
                        ANONYMOUS,
                        pseudonym(&salt, phone),
                        mask::text(&d),
                        a.as_deref().map(mask::text),
                        r.as_deref().map(mask::text),
                        q.as_deref().map(mask::text),
                        ms(now),
                        id
                    ],
                )?;
                let remedy: Option<String> = tx
                    .query_row("SELECT remedy FROM complaints WHERE ticket_id = ?1", [id], |r| r.get(0))
                    .optional()?;
                if let Some(remedy) = remedy {
                    tx.execute(
                        "UPDATE complaints SET remedy = ?1 WHERE ticket_id = ?2",
                        (mask::text(&remedy), id),
                    )?;
                }
                let events: Vec<(i64, Option<String>, String)> = tx
                    .prepare_cached("SELECT id, note, data FROM events WHERE ticket_id = ?1")?
                    .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect::<super::sql::Result<_>>()?;
                for (eid, note, data) in events {
                    let mut v: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
                    mask_strings(&mut v);
                    tx.execute(
                        "UPDATE events SET note = ?1, data = ?2 WHERE id = ?3",
                        super::sql::params![note.as_deref().map(mask::text), v.to_string(), eid],
                    )?;
                }
            }
            let calls: Vec<(i64, String)> = tx
                .prepare("SELECT id, caller FROM calls WHERE started_at < ?1 AND caller NOT LIKE 'anon-%'")?
                .query_map([ms(cut)], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<super::sql::Result<_>>()?;
            for (id, caller) in &calls {
                tx.execute(
                    "UPDATE calls SET caller = ?1 WHERE id = ?2",
                    (pseudonym(&salt, caller), id),
                )?;
            }
            // Recordings are personal data too: the files go, then their references.
            let recordings: Vec<(i64, String)> = tx
                .prepare(&RECORDINGS_DUE.replace("count(*)", "id, recording"))?
                .query_map([ms(cut)], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<super::sql::Result<_>>()?;
            for (id, path) in &recordings {
                match std::fs::remove_file(path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e.into()),
                }
                tx.execute("UPDATE calls SET recording = NULL WHERE id = ?1", [id])?;
            }
            let customers: Vec<i64> = tx
                .prepare(&customers_sql("id"))?
                .query_map([ms(cut)], |r| r.get(0))?
                .collect::<super::sql::Result<_>>()?;
            for id in &customers {
                tx.execute(
                    "UPDATE customers SET name = ?1, email = NULL, address = NULL, notes = NULL WHERE id = ?2",
                    (ANONYMOUS, id),
                )?;
                let phones: Vec<String> = tx
                    .prepare_cached("SELECT phone FROM customer_phones WHERE customer_id = ?1")?
                    .query_map([id], |r| r.get(0))?
                    .collect::<super::sql::Result<_>>()?;
                for p in phones {
                    // Where the caller already has the pseudonym (two numbers that map to
                    // one), the real number goes rather than stays beside it.
                    tx.execute(
                        "UPDATE customer_phones SET phone = ?1, ext = NULL WHERE customer_id = ?2 AND phone = ?3
                           AND NOT EXISTS (SELECT 1 FROM customer_phones x WHERE x.customer_id = ?2 AND x.phone = ?1)",
                        (pseudonym(&salt, &p), id, &p),
                    )?;
                    tx.execute(
                        "DELETE FROM customer_phones WHERE customer_id = ?1 AND phone = ?2",
                        (id, &p),
                    )?;
                }
            }
            append(
                tx,
                now,
                actor,
                "anonymise",
                "",
                &json!({
                    "months": plan.months,
                    "cutoff": cut,
                    "tickets": ids.len(),
                    "calls": calls.len(),
                    "recordings": recordings.len(),
                    "customers": customers.len()
                }),
            )?;
            Ok(())
        })?;
        Ok(plan)
    }
}

/// Recordings of calls older than the cutoff (one placeholder).
const RECORDINGS_DUE: &str =
    "SELECT count(*) FROM calls WHERE started_at < ?1 AND recording IS NOT NULL";

/// Customers all of whose tickets are due or already anonymised (one placeholder: cutoff).
fn customers_sql(what: &str) -> String {
    format!(
        "SELECT {what} FROM customers cu WHERE cu.name <> '{ANONYMOUS}'
           AND EXISTS (SELECT 1 FROM tickets t WHERE t.customer_id = cu.id)
           AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.customer_id = cu.id
                AND t.anonymised_at IS NULL
                AND NOT (t.status IN ('closed', 'archived') AND t.closed_at < ?1))"
    )
}

fn mask_strings(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => *s = mask::text(s),
        serde_json::Value::Array(a) => a.iter_mut().for_each(mask_strings),
        serde_json::Value::Object(o) => o.values_mut().for_each(mask_strings),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::report::{PeriodKind, ReportRequest};
    use crate::store::testutil::store;
    use chrono::Duration;

    #[test]
    fn old_closed_tickets_lose_personal_data_and_statistics_stay() {
        let (_d, s, clock) = store();
        crate::seed::seed(
            &s,
            crate::seed::SeedOptions {
                tickets: 400,
                days: 200,
                seed: 9,
                extra_calls: 0,
            },
        )
        .expect("seed");
        let req = ReportRequest {
            kind: PeriodKind::Custom,
            anchor: (s.now() - Duration::days(400)).date_naive(),
            until: Some(s.now().date_naive()),
            filters: Default::default(),
        };
        let report_before = s.period_report(&req).expect("report");
        assert_eq!(
            s.anonymise(None).map_err(|e| e.code()).err(),
            Some("not_configured"),
            "off by default"
        );
        s.set_setting(None, "retention_months", "3")
            .expect("months");
        let plan = s.retention_plan().expect("plan");
        assert!(plan.tickets > 10, "{plan:?}");
        assert!(!plan.sample.is_empty());
        // The preview changed nothing.
        assert_eq!(s.retention_plan().expect("again"), plan);
        let cut = plan.cutoff.expect("cutoff");
        s.anonymise(None).expect("anonymise");
        // Every due ticket lost its personal data, and only those.
        let mut changed = 0;
        s.each_ticket(|t| {
            let due = t.closed_at.is_some_and(|c| c < cut)
                && matches!(
                    t.status,
                    crate::model::Status::Closed | crate::model::Status::Archived
                );
            if due {
                changed += 1;
                assert_eq!(t.caller_name, super::ANONYMOUS);
                assert!(t.phone.starts_with("anon-"), "{}", t.phone);
            } else {
                assert_ne!(t.caller_name, super::ANONYMOUS);
            }
            Ok(())
        })
        .expect("each");
        assert_eq!(changed, plan.tickets);
        // The statistics are unchanged: same counts, same repeat callers.
        assert_eq!(s.period_report(&req).expect("report"), report_before);
        // The timeline kept its shape; other tickets' events stay immutable.
        let open_ticket: i64 = s
            .read(|c| Ok(c.query_row("SELECT ticket_id FROM events e JOIN tickets t ON t.id = e.ticket_id WHERE t.anonymised_at IS NULL LIMIT 1", [], |r| r.get(0))?))
            .expect("open ticket");
        assert!(s
            .write(|c| Ok(c.execute(
                "UPDATE events SET note = 'x' WHERE ticket_id = ?1",
                [open_ticket]
            )?))
            .is_err());
        assert!(s
            .write(|c| Ok(c.execute("UPDATE events SET action = 'x' WHERE ticket_id IN (SELECT id FROM tickets WHERE anonymised_at IS NOT NULL)", [])?))
            .is_err());
        // Nothing is due twice; the log says what happened.
        clock.advance(Duration::seconds(1));
        assert_eq!(s.retention_plan().expect("plan").tickets, 0);
        let log = s.audit_entries(&Default::default()).expect("log");
        assert_eq!(log[0].action, "anonymise");
        assert_eq!(log[0].detail["tickets"], plan.tickets);
    }
}
