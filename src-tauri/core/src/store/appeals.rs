//! Exclusions (不合理件) and appeals (申诉) of the departments' assessment in the store:
//! proposed or filed with evidence, decided once by another person, each step on the
//! ticket's timeline. What they take out of the figures is counted in `adjustments`.

use super::adjustments::{against, entry};
use super::db::{from_ms, ms, Store};
use super::rows::load;
use super::sql::{Connection, OptionalExtension};
use super::tickets;
use crate::assessment::{
    appeal_last_day, decide_appeal, decide_exclusion, month_start, within_window, AppealState,
    ExclusionReason, ExclusionState, APPEALABLE,
};
use crate::error::{Error, Result};
use crate::model::{TicketRow, User};
use crate::report::ReportQuery;
use crate::validate::{opt_text, text, NOTE_MAX};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

/// A ticket proposed as unreasonable for the assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exclusion {
    pub id: i64,
    pub ticket_id: i64,
    pub number: String,
    pub department_id: i64,
    pub department: String,
    pub reason: ExclusionReason,
    pub evidence: String,
    pub state: ExclusionState,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

/// A department's appeal of one entry of a month's figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Appeal {
    pub id: i64,
    pub ticket_id: i64,
    pub number: String,
    pub department_id: i64,
    pub department: String,
    pub month: String,
    pub kpi: String,
    pub evidence: String,
    pub state: AppealState,
    pub filed_by: String,
    pub filed_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

/// The tickets counted against a department in one figure of a month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entries {
    pub kpi: String,
    pub tickets: Vec<TicketRow>,
}

/// A month's appeal window: its last day, and whether it is open today.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppealWindow {
    pub month: String,
    pub last_day: chrono::NaiveDate,
    pub open: bool,
}

const EXCLUSIONS: &str = "SELECT x.id, x.ticket_id, t.number, x.department_id, d.name, x.reason, x.evidence, x.state,
        u.name, x.proposed_at, v.name, x.decided_at, x.note
     FROM exclusions x JOIN tickets t ON t.id = x.ticket_id JOIN departments d ON d.id = x.department_id
     JOIN users u ON u.id = x.proposed_by LEFT JOIN users v ON v.id = x.decided_by";

const APPEALS: &str = "SELECT a.id, a.ticket_id, t.number, a.department_id, d.name, a.month, a.kpi, a.evidence, a.state,
        u.name, a.filed_at, v.name, a.decided_at, a.note
     FROM appeals a JOIN tickets t ON t.id = a.ticket_id JOIN departments d ON d.id = a.department_id
     JOIN users u ON u.id = a.filed_by LEFT JOIN users v ON v.id = a.decided_by";

fn exclusion(r: &super::sql::Row<'_>) -> super::sql::Result<Exclusion> {
    Ok(Exclusion {
        id: r.get(0)?,
        ticket_id: r.get(1)?,
        number: r.get(2)?,
        department_id: r.get(3)?,
        department: r.get(4)?,
        reason: r.get(5)?,
        evidence: r.get(6)?,
        state: r.get(7)?,
        proposed_by: r.get(8)?,
        proposed_at: from_ms(r.get(9)?),
        decided_by: r.get(10)?,
        decided_at: r.get::<_, Option<i64>>(11)?.map(from_ms),
        note: r.get(12)?,
    })
}

fn appeal(r: &super::sql::Row<'_>) -> super::sql::Result<Appeal> {
    Ok(Appeal {
        id: r.get(0)?,
        ticket_id: r.get(1)?,
        number: r.get(2)?,
        department_id: r.get(3)?,
        department: r.get(4)?,
        month: r.get(5)?,
        kpi: r.get(6)?,
        evidence: r.get(7)?,
        state: r.get(8)?,
        filed_by: r.get(9)?,
        filed_at: from_ms(r.get(10)?),
        decided_by: r.get(11)?,
        decided_at: r.get::<_, Option<i64>>(12)?.map(from_ms),
        note: r.get(13)?,
    })
}

fn one<T>(
    c: &Connection,
    sql: &str,
    id: i64,
    f: fn(&super::sql::Row<'_>) -> super::sql::Result<T>,
    entity: &'static str,
) -> Result<T> {
    c.prepare_cached(sql)?
        .query_row([id], f)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity,
            key: id.to_string(),
        })
}

/// Another person decides: nobody approves their own proposal or appeal.
fn not_own(c: &Connection, by: &User, sql: &str, id: i64, action: &str) -> Result<()> {
    let author: i64 = c.query_row(sql, [id], |r| r.get(0))?;
    if by.id == author {
        return Err(Error::Forbidden {
            action: action.into(),
            actor: by.name.clone(),
            role: by.role.as_str().into(),
            permission: false,
        });
    }
    Ok(())
}

/// A month spec checked: `2026-10`.
fn month_of(spec: &str) -> Result<chrono::NaiveDate> {
    month_start(spec).ok_or_else(|| Error::InvalidValue {
        field: "month",
        value: spec.chars().take(20).collect(),
    })
}

impl Store {
    /// Proposes a ticket as unreasonable for its department's assessment (不合理件).
    pub fn propose_exclusion(
        &self,
        by: &User,
        ticket_id: i64,
        reason: ExclusionReason,
        evidence: &str,
    ) -> Result<Exclusion> {
        let evidence = text("evidence", evidence, NOTE_MAX)?;
        let now = self.now();
        self.write(|tx| {
            let cur = load(tx, ticket_id)?;
            let dept = cur.department_id.ok_or(Error::Required {
                field: "department",
            })?;
            let live: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM exclusions WHERE ticket_id = ?1 AND state IN ('proposed', 'approved'))",
                [ticket_id],
                |r| r.get(0),
            )?;
            if live {
                return Err(Error::ExclusionExists);
            }
            let id = tx.insert(
                "INSERT INTO exclusions (ticket_id, department_id, reason, evidence, state, proposed_by, proposed_at)
                 VALUES (?1, ?2, ?3, ?4, 'proposed', ?5, ?6)",
                super::sql::params![ticket_id, dept, reason, evidence, by.id, ms(now)],
            )?;
            let data = json!({ "department_id": dept, "exclusion_id": id, "reason": reason });
            tickets::note(tx, &cur, by.id, now, "exclusion_proposed", Some(evidence), data)?;
            one(tx, &format!("{EXCLUSIONS} WHERE x.id = ?1"), id, exclusion, "exclusion")
        })
    }

    /// A supervisor approves (the ticket leaves its department's figures) or refuses, with
    /// the reason, a proposal someone else made.
    pub fn decide_exclusion(
        &self,
        by: &User,
        id: i64,
        approve: bool,
        note: Option<&str>,
    ) -> Result<Exclusion> {
        let note = opt_text("note", note, NOTE_MAX)?;
        if !approve && note.is_none() {
            return Err(Error::Required { field: "note" });
        }
        let now = self.now();
        self.write(|tx| {
            let x = one(tx, &format!("{EXCLUSIONS} WHERE x.id = ?1"), id, exclusion, "exclusion")?;
            let to = decide_exclusion(x.state, approve)?;
            let author = "SELECT proposed_by FROM exclusions WHERE id = ?1";
            not_own(tx, by, author, id, "decide_exclusion")?;
            tx.execute(
                "UPDATE exclusions SET state = ?1, decided_by = ?2, decided_at = ?3, note = ?4 WHERE id = ?5",
                super::sql::params![to, by.id, ms(now), note, id],
            )?;
            let cur = load(tx, x.ticket_id)?;
            let action = if approve { "exclusion_approved" } else { "exclusion_refused" };
            let data = json!({ "department_id": x.department_id, "exclusion_id": id, "reason": x.reason });
            tickets::note(tx, &cur, by.id, now, action, note.clone(), data)?;
            one(tx, &format!("{EXCLUSIONS} WHERE x.id = ?1"), id, exclusion, "exclusion")
        })
    }

    /// Proposals and decisions, newest first: of one state and department when given.
    pub fn exclusions(
        &self,
        state: Option<ExclusionState>,
        department: Option<i64>,
    ) -> Result<Vec<Exclusion>> {
        self.read(|c| {
            let sql = format!(
                "{EXCLUSIONS} WHERE (CAST(?1 AS TEXT) IS NULL OR x.state = ?1) AND (CAST(?2 AS BIGINT) IS NULL OR x.department_id = ?2) ORDER BY x.id DESC LIMIT 1000"
            );
            let rows = c
                .prepare_cached(&sql)?
                .query_map(super::sql::params![state, department], exclusion)?
                .collect::<super::sql::Result<_>>()?;
            Ok(rows)
        })
    }

    /// The last day a month's entries may be appealed, and whether that is still open.
    pub fn appeal_window(&self, month: &str) -> Result<AppealWindow> {
        let first = month_of(month)?;
        let days =
            crate::settings::int("appeal_working_days", &self.setting("appeal_working_days")?)?;
        let (tz, cal) = (self.timezone()?, self.calendar("office")?);
        let last_day = appeal_last_day(&cal, first, days).ok_or(Error::InvalidValue {
            field: "calendar",
            value: "office".into(),
        })?;
        let today = self.now().with_timezone(&tz).date_naive();
        Ok(AppealWindow {
            month: month.into(),
            last_day,
            open: within_window(first, last_day, today),
        })
    }

    /// The month's bounds as a report query of one department.
    fn month_query(&self, month: &str, department: Option<i64>) -> Result<ReportQuery> {
        month_of(month)?;
        let (from, to) =
            crate::report::month(month, self.timezone()?).ok_or_else(|| Error::InvalidValue {
                field: "month",
                value: month.into(),
            })?;
        let mut q = ReportQuery::new(from, to);
        q.department_id = department;
        Ok(q)
    }

    /// A department appeals one entry of a closed month's figure that counts against it,
    /// within the window, once.
    pub fn file_appeal(
        &self,
        by: &User,
        ticket_id: i64,
        month: &str,
        kpi: &str,
        evidence: &str,
    ) -> Result<Appeal> {
        let evidence = text("evidence", evidence, NOTE_MAX)?;
        if !APPEALABLE.contains(&kpi) {
            return Err(Error::InvalidValue {
                field: "kpi",
                value: kpi.chars().take(40).collect(),
            });
        }
        let window = self.appeal_window(month)?;
        if !window.open {
            return Err(Error::AppealWindowClosed {
                month: month.into(),
                last_day: window.last_day.to_string(),
            });
        }
        let q = self.month_query(month, None)?;
        let s = self.kpi_settings()?;
        let now = self.now();
        self.write(|tx| {
            let cur = load(tx, ticket_id)?;
            let counted = entry(tx, ticket_id, kpi, &q, &s)?;
            let dept = match counted {
                Some((Some(d), n, den)) if crate::assessment::counts_against(kpi, n, den) => d,
                _ => {
                    return Err(Error::EntryNotCounted {
                        kpi: kpi.into(),
                        month: month.into(),
                    })
                }
            };
            let taken: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM appeals WHERE ticket_id = ?1 AND month = ?2 AND kpi = ?3)",
                super::sql::params![ticket_id, month, kpi],
                |r| r.get(0),
            )?;
            if taken {
                return Err(Error::AppealExists {
                    month: month.into(),
                });
            }
            let id = tx.insert(
                "INSERT INTO appeals (ticket_id, department_id, month, kpi, evidence, state, filed_by, filed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'filed', ?6, ?7)",
                super::sql::params![ticket_id, dept, month, kpi, evidence, by.id, ms(now)],
            )?;
            let data = json!({ "department_id": dept, "appeal_id": id, "month": month, "kpi": kpi });
            tickets::note(tx, &cur, by.id, now, "appeal_filed", Some(evidence), data)?;
            one(tx, &format!("{APPEALS} WHERE a.id = ?1"), id, appeal, "appeal")
        })
    }

    /// A manager upholds (the entry leaves the figure) or rejects, with the reason, an appeal.
    pub fn decide_appeal(
        &self,
        by: &User,
        id: i64,
        uphold: bool,
        note: Option<&str>,
    ) -> Result<Appeal> {
        let note = opt_text("note", note, NOTE_MAX)?;
        if !uphold && note.is_none() {
            return Err(Error::Required { field: "note" });
        }
        let now = self.now();
        self.write(|tx| {
            let a = one(tx, &format!("{APPEALS} WHERE a.id = ?1"), id, appeal, "appeal")?;
            let to = decide_appeal(a.state, uphold)?;
            not_own(tx, by, "SELECT filed_by FROM appeals WHERE id = ?1", id, "decide_appeal")?;
            tx.execute(
                "UPDATE appeals SET state = ?1, decided_by = ?2, decided_at = ?3, note = ?4 WHERE id = ?5",
                super::sql::params![to, by.id, ms(now), note, id],
            )?;
            let cur = load(tx, a.ticket_id)?;
            let action = if uphold { "appeal_upheld" } else { "appeal_rejected" };
            let data = json!({ "department_id": a.department_id, "appeal_id": id, "month": a.month, "kpi": a.kpi });
            tickets::note(tx, &cur, by.id, now, action, note.clone(), data)?;
            one(tx, &format!("{APPEALS} WHERE a.id = ?1"), id, appeal, "appeal")
        })
    }

    /// Appeals of a month (or all), of one state and one department when given, newest first.
    pub fn appeals(
        &self,
        month: Option<&str>,
        state: Option<AppealState>,
        department: Option<i64>,
    ) -> Result<Vec<Appeal>> {
        if let Some(m) = month {
            month_of(m)?;
        }
        self.read(|c| {
            let sql = format!(
                "{APPEALS} WHERE (CAST(?1 AS TEXT) IS NULL OR a.month = ?1) AND (CAST(?2 AS TEXT) IS NULL OR a.state = ?2) AND (CAST(?3 AS BIGINT) IS NULL OR a.department_id = ?3) ORDER BY a.id DESC LIMIT 1000"
            );
            let rows = c
                .prepare_cached(&sql)?
                .query_map(super::sql::params![month, state, department], appeal)?
                .collect::<super::sql::Result<_>>()?;
            Ok(rows)
        })
    }

    /// The tickets counted against a department in each appealable figure of a month.
    pub fn department_entries(&self, department: i64, month: &str) -> Result<Vec<Entries>> {
        let q = self.month_query(month, Some(department))?;
        let s = self.kpi_settings()?;
        self.snapshot(|c| {
            APPEALABLE
                .iter()
                .map(|kpi| {
                    let ids = against(c, kpi, &q, &s)?;
                    let tickets = super::listing::rows_where(
                        c,
                        "SELECT value FROM json_each(?)",
                        vec![super::sql::Value::Text(json!(ids).to_string())],
                    )?;
                    Ok(Entries {
                        kpi: (*kpi).into(),
                        tickets,
                    })
                })
                .collect()
        })
    }
}

#[cfg(test)]
#[path = "appeals_tests.rs"]
mod tests;
