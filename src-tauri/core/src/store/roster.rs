//! The duty roster in the store: shifts, assignments saved only when every minute of
//! the days they cover has a duty leader, who is on duty at an instant, swaps and covers
//! decided by a manager, and handover notes.

use super::db::{from_ms, ms, timezone, Author, Store};
use super::sql::{Connection, OptionalExtension};
use crate::emergency::plan::DutyRole;
use crate::emergency::roster::{check_leaders, on_duty_at, Assignment, Shift};
use crate::error::{Error, Result};
use crate::validate::{text, NOTE_MAX};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::Serialize;

/// The longest stretch one save of the roster covers.
pub const ROSTER_DAYS_MAX: i64 = 366;

/// Someone on duty: the assignment, with the person's and the shift's names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnDuty {
    #[serde(flatten)]
    pub assignment: Assignment,
    pub user_name: String,
    pub shift_code: String,
}

/// The roster of some days: the shifts and who holds what.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Roster {
    pub shifts: Vec<Shift>,
    pub assignments: Vec<OnDuty>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DutyChange {
    pub id: i64,
    pub assignment_id: i64,
    pub kind: String,
    pub from_user: i64,
    pub to_user: i64,
    pub reason: String,
    pub requested_by: i64,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub approved: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Handover {
    pub id: i64,
    pub written_by: i64,
    pub writer_name: String,
    pub written_at: DateTime<Utc>,
    pub note: String,
    /// The shift handing over and the one taking over (none: written off duty).
    pub from_day: Option<NaiveDate>,
    pub from_shift_id: Option<i64>,
    pub to_day: Option<NaiveDate>,
    pub to_shift_id: Option<i64>,
    pub acknowledged_by: Option<i64>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

pub(crate) fn shifts(c: &Connection) -> Result<Vec<Shift>> {
    let mut st = c.prepare_cached(
        "SELECT id, code, name, starts, minutes FROM duty_shifts ORDER BY starts, id",
    )?;
    let rows = st
        .query_map([], |r| {
            let starts: String = r.get(3)?;
            Ok(Shift {
                id: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
                starts: NaiveTime::parse_from_str(&starts, "%H:%M").unwrap_or(NaiveTime::MIN),
                minutes: r.get(4)?,
            })
        })?
        .collect::<super::sql::Result<_>>()?;
    Ok(rows)
}

fn assignments(c: &Connection, from: NaiveDate, to: NaiveDate) -> Result<Vec<OnDuty>> {
    let mut st = c.prepare_cached(
        "SELECT a.id, a.day, a.shift_id, a.post, a.user_id, a.backup, u.name, s.code
         FROM duty_assignments a JOIN users u ON u.id = a.user_id JOIN duty_shifts s ON s.id = a.shift_id
         WHERE a.day BETWEEN ?1 AND ?2 ORDER BY a.day, s.starts, a.post, a.backup, a.id",
    )?;
    let rows = st
        .query_map((from.to_string(), to.to_string()), |r| {
            let day: String = r.get(1)?;
            let post: String = r.get(3)?;
            Ok(OnDuty {
                assignment: Assignment {
                    id: r.get(0)?,
                    day: day.parse().unwrap_or(NaiveDate::MIN),
                    shift_id: r.get(2)?,
                    post: post.parse().unwrap_or(DutyRole::Agent),
                    user_id: r.get(4)?,
                    backup: r.get(5)?,
                },
                user_name: r.get(6)?,
                shift_code: r.get(7)?,
            })
        })?
        .collect::<super::sql::Result<_>>()?;
    Ok(rows)
}

/// Who holds a post at `at` (primary holders first).
pub(crate) fn on_duty(c: &Connection, at: DateTime<Utc>) -> Result<Vec<OnDuty>> {
    let local = at.with_timezone(&timezone(c)?).naive_local();
    let day = local.date();
    // A shift of the day before may still run (past midnight).
    let held = assignments(c, day - Duration::days(1), day)?;
    let plain: Vec<Assignment> = held.iter().map(|h| h.assignment.clone()).collect();
    let now = on_duty_at(&shifts(c)?, &plain, local);
    Ok(now
        .into_iter()
        .filter_map(|a| held.iter().find(|h| h.assignment == *a).cloned())
        .collect())
}

fn check_range(from: NaiveDate, to: NaiveDate) -> Result<()> {
    if to < from || (to - from).num_days() >= ROSTER_DAYS_MAX {
        return Err(Error::InvalidValue {
            field: "to",
            value: to.to_string(),
        });
    }
    Ok(())
}

impl Store {
    pub fn duty_shifts(&self) -> Result<Vec<Shift>> {
        self.read(shifts)
    }

    /// Adds a shift or changes the one with the same code. A change that would leave the
    /// days already rostered from today on without a duty leader is refused.
    pub fn save_shift(&self, by: Author<'_>, shift: &Shift) -> Result<Shift> {
        let s = shift.validated()?;
        let now = self.now();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO duty_shifts (code, name, starts, minutes) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(code) DO UPDATE SET name = excluded.name, starts = excluded.starts, minutes = excluded.minutes",
                (&s.code, &s.name, s.starts.format("%H:%M").to_string(), s.minutes),
            )?;
            let today = now.with_timezone(&timezone(tx)?).date_naive();
            let last: Option<String> = tx.query_row("SELECT max(day) FROM duty_assignments", [], |r| r.get(0))?;
            if let Some(last) = last.and_then(|d| d.parse::<NaiveDate>().ok()).filter(|l| *l >= today) {
                let held: Vec<Assignment> =
                    assignments(tx, today - Duration::days(1), last)?.into_iter().map(|h| h.assignment).collect();
                check_leaders(&shifts(tx)?, &held, today, last)?;
            }
            let detail = crate::auth::at_seat(serde_json::to_value(&s)?, by.seat);
            super::audit::note(tx, now, Some(by.user), "shift_saved", &s.code, detail)?;
            shifts(tx)?
                .into_iter()
                .find(|x| x.code == s.code)
                .ok_or_else(|| Error::Internal("shift not saved".into()))
        })
    }

    pub fn roster(&self, from: NaiveDate, to: NaiveDate) -> Result<Roster> {
        check_range(from, to)?;
        self.snapshot(|c| {
            Ok(Roster {
                shifts: shifts(c)?,
                assignments: assignments(c, from, to)?,
            })
        })
    }

    /// Replaces the roster of the days `from..=to` by `list`, refused (nothing changed)
    /// when any minute of those days would have no duty leader, or when it names an
    /// unknown or disabled person or shift, or a day outside the range.
    pub fn save_roster(
        &self,
        by: Author<'_>,
        from: NaiveDate,
        to: NaiveDate,
        list: &[Assignment],
    ) -> Result<Roster> {
        check_range(from, to)?;
        let now = self.now();
        self.write(|tx| {
            let all_shifts = shifts(tx)?;
            for a in list {
                if a.day < from || a.day > to {
                    return Err(Error::InvalidValue { field: "day", value: a.day.to_string() });
                }
                if !all_shifts.iter().any(|s| s.id == a.shift_id) {
                    return Err(Error::NotFound { entity: "shift", key: a.shift_id.to_string() });
                }
                let u = super::reference::get_user(tx, a.user_id)?;
                if !u.active {
                    return Err(Error::Inactive { entity: "user", key: u.name });
                }
            }
            // The night of the day before still covers the first morning.
            let mut held: Vec<Assignment> = assignments(tx, from - Duration::days(1), from - Duration::days(1))?
                .into_iter()
                .map(|h| h.assignment)
                .collect();
            held.extend(list.iter().cloned());
            check_leaders(&all_shifts, &held, from, to)?;
            // Changes asked on the days replaced go with them (their decisions stay in the
            // audit log).
            tx.execute(
                "DELETE FROM duty_changes WHERE assignment_id IN (SELECT id FROM duty_assignments WHERE day BETWEEN ?1 AND ?2)",
                (from.to_string(), to.to_string()),
            )?;
            tx.execute(
                "DELETE FROM duty_assignments WHERE day BETWEEN ?1 AND ?2",
                (from.to_string(), to.to_string()),
            )?;
            for a in list {
                tx.prepare_cached(
                    "INSERT INTO duty_assignments (day, shift_id, post, user_id, backup) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT(day, shift_id, post, user_id) DO UPDATE SET backup = excluded.backup",
                )?
                .execute((a.day.to_string(), a.shift_id, a.post.as_str(), a.user_id, a.backup))?;
            }
            let detail = serde_json::json!({ "from": from, "to": to, "assignments": list.len() });
            let detail = crate::auth::at_seat(detail, by.seat);
            super::audit::note(tx, now, Some(by.user), "roster_saved", &format!("{from}..{to}"), detail)?;
            Ok(Roster { shifts: all_shifts, assignments: assignments(tx, from, to)? })
        })
    }

    /// One assignment of the roster, if it exists.
    pub fn roster_assignment(&self, id: i64) -> Result<Option<Assignment>> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT id, day, shift_id, post, user_id, backup FROM duty_assignments WHERE id = ?1",
                [id],
                |r| {
                    let day: String = r.get(1)?;
                    let post: String = r.get(3)?;
                    Ok(Assignment {
                        id: r.get(0)?,
                        day: day.parse().unwrap_or(NaiveDate::MIN),
                        shift_id: r.get(2)?,
                        post: post.parse().unwrap_or(DutyRole::Agent),
                        user_id: r.get(4)?,
                        backup: r.get(5)?,
                    })
                },
            )
            .optional()?)
        })
    }

    /// Who is on duty at `at`.
    pub fn on_duty(&self, at: DateTime<Utc>) -> Result<Vec<OnDuty>> {
        self.read(|c| on_duty(c, at))
    }

    /// Asks for someone else (`to_user`) to take an assignment: a swap, a cover or leave.
    pub fn request_duty_change(
        &self,
        by: Author<'_>,
        assignment_id: i64,
        kind: &str,
        to_user: i64,
        reason: &str,
    ) -> Result<DutyChange> {
        if !["swap", "cover", "leave"].contains(&kind) {
            return Err(Error::InvalidValue {
                field: "kind",
                value: kind.chars().take(20).collect(),
            });
        }
        let reason = text("reason", reason, NOTE_MAX)?;
        let now = self.now();
        self.write(|tx| {
            let from_user: i64 = tx
                .query_row("SELECT user_id FROM duty_assignments WHERE id = ?1", [assignment_id], |r| r.get(0))
                .optional()?
                .ok_or_else(|| Error::NotFound { entity: "assignment", key: assignment_id.to_string() })?;
            let to = super::reference::get_user(tx, to_user)?;
            if !to.active || to_user == from_user {
                return Err(Error::InvalidValue { field: "to_user", value: to_user.to_string() });
            }
            let id = tx.insert(
                "INSERT INTO duty_changes (assignment_id, kind, from_user, to_user, reason, requested_by, requested_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                (assignment_id, kind, from_user, to_user, &reason, by.user.id, ms(now)),
            )?;
            let detail = crate::auth::at_seat(serde_json::json!({ "assignment": assignment_id, "kind": kind, "to_user": to_user }), by.seat);
            super::audit::note(tx, now, Some(by.user), "duty_change_requested", &id.to_string(), detail)?;
            change(tx, id)
        })
    }

    /// Approves (the other person takes the assignment) or refuses a requested change.
    pub fn decide_duty_change(&self, by: Author<'_>, id: i64, approve: bool) -> Result<DutyChange> {
        let now = self.now();
        self.write(|tx| {
            let c = change(tx, id)?;
            if c.decided_at.is_some() {
                return Err(Error::InvalidValue { field: "change", value: id.to_string() });
            }
            if approve {
                let clash: bool = tx.query_row(
                    "SELECT EXISTS(SELECT 1 FROM duty_assignments a JOIN duty_assignments b
                       ON a.day = b.day AND a.shift_id = b.shift_id AND a.post = b.post
                     WHERE a.id = ?1 AND b.user_id = ?2)",
                    (c.assignment_id, c.to_user),
                    |r| r.get(0),
                )?;
                if clash {
                    return Err(Error::Taken { field: "assignment", value: c.to_user.to_string() });
                }
                tx.execute("UPDATE duty_assignments SET user_id = ?2 WHERE id = ?1", (c.assignment_id, c.to_user))?;
            }
            tx.execute(
                "UPDATE duty_changes SET decided_by = ?2, decided_at = ?3, approved = ?4 WHERE id = ?1",
                (id, by.user.id, ms(now), approve),
            )?;
            let detail = crate::auth::at_seat(serde_json::json!({ "approved": approve }), by.seat);
            super::audit::note(tx, now, Some(by.user), "duty_change_decided", &id.to_string(), detail)?;
            change(tx, id)
        })
    }

    /// Changes asked for, undecided first, then the newest.
    pub fn duty_changes(&self, limit: u32) -> Result<Vec<DutyChange>> {
        self.read(|c| {
            let ids: Vec<i64> = c
                .prepare_cached("SELECT id FROM duty_changes ORDER BY decided_at IS NOT NULL, requested_at DESC, id DESC LIMIT ?1")?
                .query_map([limit.min(500)], |r| r.get(0))?
                .collect::<super::sql::Result<_>>()?;
            ids.into_iter().map(|id| change(c, id)).collect()
        })
    }

    pub fn write_handover(&self, by: Author<'_>, note: &str) -> Result<Handover> {
        let note = text("note", note, NOTE_MAX)?;
        let now = self.now();
        self.write(|tx| {
            // The writer's shift now, and the shift that starts as it ends: the one that
            // acknowledges.
            let mine = on_duty(tx, now)?.into_iter().find(|o| o.assignment.user_id == by.user.id);
            let (from, to) = match mine {
                Some(o) => {
                    let all = shifts(tx)?;
                    let from = (o.assignment.day, o.assignment.shift_id);
                    let end = all
                        .iter()
                        .find(|x| x.id == o.assignment.shift_id)
                        .map(|x| x.span(o.assignment.day).1);
                    let next = end.and_then(|end| {
                        all.iter()
                            .find(|x| x.starts == end.time())
                            .map(|x| (end.date(), x.id))
                    });
                    (Some(from), next)
                }
                None => (None, None),
            };
            let id = tx.insert(
                "INSERT INTO duty_handovers (written_by, written_at, note, from_day, from_shift_id, to_day, to_shift_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                (
                    by.user.id,
                    ms(now),
                    &note,
                    from.map(|f| f.0.to_string()),
                    from.map(|f| f.1),
                    to.map(|t| t.0.to_string()),
                    to.map(|t| t.1),
                ),
            )?;
            let detail = crate::auth::at_seat(serde_json::json!({}), by.seat);
            super::audit::note(
                tx,
                now,
                Some(by.user),
                "handover_written",
                &id.to_string(),
                detail,
            )?;
            handover(tx, id)
        })
    }

    /// The incoming shift acknowledges a handover note, once: someone rostered on the shift
    /// it hands over to (or, `for_anyone`, a manager of the roster); a note written off duty
    /// by anyone but its writer.
    pub fn acknowledge_handover(
        &self,
        by: Author<'_>,
        id: i64,
        for_anyone: bool,
    ) -> Result<Handover> {
        let now = self.now();
        self.write(|tx| {
            let h = handover(tx, id)?;
            if h.acknowledged_at.is_some() || h.written_by == by.user.id {
                return Err(Error::InvalidValue { field: "handover", value: id.to_string() });
            }
            if let (Some(day), Some(shift), false) = (h.to_day, h.to_shift_id, for_anyone) {
                let incoming: bool = tx.query_row(
                    "SELECT EXISTS(SELECT 1 FROM duty_assignments WHERE day = ?1 AND shift_id = ?2 AND user_id = ?3)",
                    (day.to_string(), shift, by.user.id),
                    |r| r.get(0),
                )?;
                if !incoming {
                    return Err(Error::Forbidden {
                        action: "acknowledge_handover".into(),
                        actor: by.user.name.clone(),
                        role: by.user.role.as_str().into(),
                        permission: false,
                    });
                }
            }
            tx.execute(
                "UPDATE duty_handovers SET acknowledged_by = ?2, acknowledged_at = ?3 WHERE id = ?1",
                (id, by.user.id, ms(now)),
            )?;
            let detail = crate::auth::at_seat(serde_json::json!({}), by.seat);
            super::audit::note(tx, now, Some(by.user), "handover_acknowledged", &id.to_string(), detail)?;
            handover(tx, id)
        })
    }

    /// Handover notes, the newest first.
    pub fn handovers(&self, limit: u32) -> Result<Vec<Handover>> {
        self.read(|c| {
            let ids: Vec<i64> = c
                .prepare_cached(
                    "SELECT id FROM duty_handovers ORDER BY written_at DESC, id DESC LIMIT ?1",
                )?
                .query_map([limit.min(500)], |r| r.get(0))?
                .collect::<super::sql::Result<_>>()?;
            ids.into_iter().map(|id| handover(c, id)).collect()
        })
    }
}

fn change(c: &Connection, id: i64) -> Result<DutyChange> {
    c.query_row(
        "SELECT id, assignment_id, kind, from_user, to_user, reason, requested_by, requested_at, decided_by, decided_at, approved
         FROM duty_changes WHERE id = ?1",
        [id],
        |r| {
            Ok(DutyChange {
                id: r.get(0)?,
                assignment_id: r.get(1)?,
                kind: r.get(2)?,
                from_user: r.get(3)?,
                to_user: r.get(4)?,
                reason: r.get(5)?,
                requested_by: r.get(6)?,
                requested_at: from_ms(r.get(7)?),
                decided_by: r.get(8)?,
                decided_at: r.get::<_, Option<i64>>(9)?.map(from_ms),
                approved: r.get(10)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| Error::NotFound { entity: "change", key: id.to_string() })
}

fn handover(c: &Connection, id: i64) -> Result<Handover> {
    c.query_row(
        "SELECT h.id, h.written_by, u.name, h.written_at, h.note, h.acknowledged_by, h.acknowledged_at,
                h.from_day, h.from_shift_id, h.to_day, h.to_shift_id
         FROM duty_handovers h JOIN users u ON u.id = h.written_by WHERE h.id = ?1",
        [id],
        |r| {
            Ok(Handover {
                id: r.get(0)?,
                written_by: r.get(1)?,
                writer_name: r.get(2)?,
                written_at: from_ms(r.get(3)?),
                note: r.get(4)?,
                acknowledged_by: r.get(5)?,
                acknowledged_at: r.get::<_, Option<i64>>(6)?.map(from_ms),
                from_day: r.get::<_, Option<String>>(7)?.and_then(|d| d.parse().ok()),
                from_shift_id: r.get(8)?,
                to_day: r.get::<_, Option<String>>(9)?.and_then(|d| d.parse().ok()),
                to_shift_id: r.get(10)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| Error::NotFound { entity: "handover", key: id.to_string() })
}

#[cfg(test)]
#[path = "roster_tests.rs"]
mod tests;
