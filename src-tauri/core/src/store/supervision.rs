//! Supervision notices in the store (催办通知书, 督办单): issued by the scheduler at a
//! department's first breach of a deadline, by the lifecycle when supervision is raised, or
//! by a supervisor; numbered per kind and year; acknowledged by the department; the month's
//! notice list (通报) of departments urged twice for one ticket.

use super::db::{from_ms, ms, timezone, Store};
use super::rows::{append_event, load};
use super::sql::{Connection, OptionalExtension};
use crate::error::{Error, Result};
use crate::lifecycle::NewEvent;
use crate::model::{Ticket, User};
use crate::supervision::{acknowledge, reply_days, NoticeCause, NoticeKind, LISTED_AFTER};
use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;
use serde_json::json;

/// A document as the department's inbox and its print view show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    pub id: i64,
    pub kind: NoticeKind,
    pub year: i32,
    pub seq: i64,
    pub ticket_id: i64,
    pub number: String,
    pub summary: String,
    pub received_at: DateTime<Utc>,
    pub department_id: i64,
    pub department: String,
    pub cause: NoticeCause,
    /// The deadline that passed (a breach).
    pub deadline: Option<DateTime<Utc>>,
    pub reply_by: DateTime<Utc>,
    pub note: Option<String>,
    /// Who issued it; none: the scheduler.
    pub issued_by: Option<String>,
    pub issued_at: DateTime<Utc>,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub ack_note: Option<String>,
}

/// A department on the month's notice list, with the tickets it was urged twice for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listed {
    pub department_id: i64,
    pub department: String,
    /// (ticket number, urges that month).
    pub tickets: Vec<(String, i64)>,
}

const SELECT: &str = "SELECT n.id, n.kind, n.year, n.seq, n.ticket_id, t.number, t.description, t.received_at,
        n.department_id, d.name, n.cause, n.deadline, n.reply_by, n.note, u.name, n.issued_at, v.name,
        n.acknowledged_at, n.ack_note
     FROM supervision_notices n JOIN tickets t ON t.id = n.ticket_id JOIN departments d ON d.id = n.department_id
     LEFT JOIN users u ON u.id = n.issued_by LEFT JOIN users v ON v.id = n.acknowledged_by";

fn row(r: &super::sql::Row<'_>) -> super::sql::Result<Notice> {
    let summary: String = r.get(6)?;
    Ok(Notice {
        id: r.get(0)?,
        kind: r.get(1)?,
        year: r.get(2)?,
        seq: r.get(3)?,
        ticket_id: r.get(4)?,
        number: r.get(5)?,
        // The document names the matter, not the caller: masked like every list.
        summary: crate::mask::text(&summary.chars().take(120).collect::<String>()),
        received_at: from_ms(r.get(7)?),
        department_id: r.get(8)?,
        department: r.get(9)?,
        cause: r.get(10)?,
        deadline: r.get::<_, Option<i64>>(11)?.map(from_ms),
        reply_by: from_ms(r.get(12)?),
        note: r.get(13)?,
        issued_by: r.get(14)?,
        issued_at: from_ms(r.get(15)?),
        acknowledged_by: r.get(16)?,
        acknowledged_at: r.get::<_, Option<i64>>(17)?.map(from_ms),
        ack_note: r.get(18)?,
    })
}

fn one(c: &Connection, id: i64) -> Result<Notice> {
    c.prepare_cached(&format!("{SELECT} WHERE n.id = ?1"))?
        .query_row([id], row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "notice",
            key: id.to_string(),
        })
}

/// What a notice is issued about.
pub(super) struct Issue<'a> {
    pub kind: NoticeKind,
    pub cause: NoticeCause,
    pub department_id: i64,
    pub deadline: Option<DateTime<Utc>>,
    pub note: Option<String>,
    /// None: the scheduler (its entry on the timeline is the administrator's).
    pub by: Option<i64>,
    pub actor: i64,
    pub now: DateTime<Utc>,
    pub ticket: &'a mut Ticket,
}

/// Issues a document: numbered next in its kind and year, answered within its working
/// days, on the ticket's timeline. A breach is noticed once per deadline: none the second
/// time.
pub(super) fn issue(c: &Connection, i: Issue<'_>) -> Result<Option<i64>> {
    let year = i.now.with_timezone(&timezone(c)?).year();
    let office = super::calendar::load_calendar(c, "office")?;
    let reply_by = office.add_working_days(i.now, reply_days(i.kind))?.value;
    let inserted = c
        .prepare_cached(
            "INSERT INTO supervision_notices (kind, year, seq, ticket_id, department_id, cause, deadline, reply_by, note, issued_by, issued_at)
             SELECT ?1, ?2, coalesce(max(seq), 0) + 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 FROM supervision_notices WHERE kind = ?1 AND year = ?2
             ON CONFLICT DO NOTHING",
        )?
        .insert_new(super::sql::params![
            i.kind,
            year,
            i.ticket.id,
            i.department_id,
            i.cause,
            i.deadline.map(ms),
            ms(reply_by),
            i.note,
            i.by,
            ms(i.now)
        ])?;
    let Some(id) = inserted else {
        return Ok(None);
    };
    let seq: i64 = c.query_row(
        "SELECT seq FROM supervision_notices WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    let event = NewEvent {
        action: "notice_issued",
        note: i.note.clone(),
        from_status: Some(i.ticket.status),
        to_status: i.ticket.status,
        data: json!({ "notice_id": id, "kind": i.kind, "year": year, "seq": seq, "department_id": i.department_id, "cause": i.cause }),
    };
    append_event(c, i.ticket, i.now, i.actor, &event)?;
    // The department hears of a document at once (a breach's comes with the breach's own
    // alarm): an announcement the scheduler fires like the others, once per timeline entry.
    if i.cause != NoticeCause::Breach {
        let entry: i64 = c.query_row(
            "SELECT max(seq) FROM events WHERE ticket_id = ?1",
            [i.ticket.id],
            |r| r.get(0),
        )?;
        c.prepare_cached(
            "INSERT INTO alarms (ticket_id, kind, threshold, deadline, fire_at) VALUES (?1, 'notice', ?2, ?3, ?4)
             ON CONFLICT(ticket_id, kind, threshold, deadline) DO NOTHING",
        )?
        .execute((i.ticket.id, entry, ms(reply_by), ms(i.now)))?;
    }
    Ok(Some(id))
}

impl Store {
    /// A supervisor issues a 催办通知书 or a 督办单 to the ticket's department.
    pub fn issue_notice(
        &self,
        by: &User,
        ticket_id: i64,
        kind: NoticeKind,
        note: &str,
    ) -> Result<Notice> {
        let note = crate::validate::text("note", note, crate::validate::NOTE_MAX)?;
        let now = self.now();
        self.write(|tx| {
            let mut t = load(tx, ticket_id)?;
            let department_id = t.department_id.ok_or(Error::Required {
                field: "department",
            })?;
            let issued = issue(
                tx,
                Issue {
                    kind,
                    cause: NoticeCause::Manual,
                    department_id,
                    deadline: None,
                    note: Some(note),
                    by: Some(by.id),
                    actor: by.id,
                    now,
                    ticket: &mut t,
                },
            )?;
            let id =
                issued.ok_or_else(|| Error::Internal("a manual notice was not written".into()))?;
            one(tx, id)
        })
    }

    /// The department reads and acknowledges a document, once.
    pub fn acknowledge_notice(&self, by: &User, id: i64, note: Option<&str>) -> Result<Notice> {
        let note = crate::validate::opt_text("note", note, crate::validate::NOTE_MAX)?;
        let now = self.now();
        self.write(|tx| {
            let n = one(tx, id)?;
            if n.department_id != by.department_id {
                return Err(Error::Forbidden {
                    action: "acknowledge_notice".into(),
                    actor: by.name.clone(),
                    role: by.role.as_str().into(),
                    permission: false,
                });
            }
            acknowledge(n.acknowledged_at.is_some())?;
            tx.execute(
                "UPDATE supervision_notices SET acknowledged_by = ?1, acknowledged_at = ?2, ack_note = ?3 WHERE id = ?4",
                super::sql::params![by.id, ms(now), note, id],
            )?;
            let mut t = load(tx, n.ticket_id)?;
            let event = NewEvent {
                action: "notice_acknowledged",
                note: note.clone(),
                from_status: Some(t.status),
                to_status: t.status,
                data: json!({ "notice_id": id, "kind": n.kind, "year": n.year, "seq": n.seq, "department_id": n.department_id }),
            };
            append_event(tx, &mut t, now, by.id, &event)?;
            one(tx, id)
        })
    }

    /// Documents, newest first: of one department, of one ticket, only unacknowledged.
    pub fn notices(
        &self,
        department: Option<i64>,
        ticket: Option<i64>,
        open_only: bool,
    ) -> Result<Vec<Notice>> {
        self.read(|c| {
            let sql = format!(
                "{SELECT} WHERE (CAST(?1 AS BIGINT) IS NULL OR n.department_id = ?1) AND (CAST(?2 AS BIGINT) IS NULL OR n.ticket_id = ?2)
                 AND (?3 = FALSE OR n.acknowledged_at IS NULL) ORDER BY n.id DESC LIMIT 500"
            );
            let rows = c
                .prepare_cached(&sql)?
                .query_map(super::sql::params![department, ticket, open_only], row)?
                .collect::<super::sql::Result<_>>()?;
            Ok(rows)
        })
    }

    pub fn notice(&self, id: i64) -> Result<Notice> {
        self.read(|c| one(c, id))
    }

    /// The month's notice list (通报): departments urged at least twice for one ticket.
    pub fn notice_list(&self, month: &str) -> Result<Vec<Listed>> {
        let (from, to) =
            crate::report::month(month, self.timezone()?).ok_or_else(|| Error::InvalidValue {
                field: "month",
                value: month.chars().take(20).collect(),
            })?;
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT n.department_id, d.name, t.number, count(*) FROM supervision_notices n
                 JOIN departments d ON d.id = n.department_id JOIN tickets t ON t.id = n.ticket_id
                 WHERE n.issued_at >= ?1 AND n.issued_at < ?2
                 GROUP BY n.department_id, n.ticket_id, d.name, t.number HAVING count(*) >= ?3 ORDER BY d.name, t.number",
            )?;
            let mut out: Vec<Listed> = Vec::new();
            let mut rows = st.query((ms(from), ms(to), LISTED_AFTER))?;
            while let Some(r) = rows.next()? {
                let dept: i64 = r.get(0)?;
                let entry = (r.get(2)?, r.get(3)?);
                match out.iter_mut().find(|l| l.department_id == dept) {
                    Some(l) => l.tickets.push(entry),
                    None => out.push(Listed {
                        department_id: dept,
                        department: r.get(1)?,
                        tickets: vec![entry],
                    }),
                }
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
#[path = "supervision_tests.rs"]
mod tests;
