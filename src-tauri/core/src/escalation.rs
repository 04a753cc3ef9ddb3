//! Escalation rules: reminders before a deadline and the breach itself. Pure functions:
//! which alarms a ticket carries now, and who hears of each.

use crate::model::{Role, Status, Ticket, User};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Reminders at these shares of the time allowed, and 100 = the deadline is breached.
pub const THRESHOLDS: [i64; 4] = [50, 75, 90, 100];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmKind {
    /// The department has not accepted the transfer.
    Accept,
    /// The department has not replied.
    Handle,
    /// The callback visit is due.
    Callback,
}

impl AlarmKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmKind::Accept => "accept",
            AlarmKind::Handle => "handle",
            AlarmKind::Callback => "callback",
        }
    }
    pub fn parse(s: &str) -> AlarmKind {
        match s {
            "accept" => AlarmKind::Accept,
            "callback" => AlarmKind::Callback,
            _ => AlarmKind::Handle,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alarm {
    pub kind: AlarmKind,
    pub threshold: i64,
    pub deadline: DateTime<Utc>,
    pub fire_at: DateTime<Utc>,
}

/// The deadlines a ticket is running against now, each with the instant its clock
/// started. Closed and answered tickets run against none.
pub fn running(t: &Ticket) -> Vec<(AlarmKind, DateTime<Utc>, DateTime<Utc>)> {
    let started = t.transferred_at.unwrap_or(t.received_at);
    let mut out = Vec::new();
    match t.status {
        Status::Transferred => {
            if let Some(a) = t.accept_due_at {
                out.push((AlarmKind::Accept, started, a));
            }
            if let Some(d) = t.due_at {
                out.push((AlarmKind::Handle, started, d));
            }
        }
        Status::InProgress => {
            if let Some(d) = t.due_at {
                out.push((AlarmKind::Handle, started, d));
            }
        }
        Status::AwaitingCallback => {
            // The callback clock starts with the feedback, the ticket's last change.
            if let Some(d) = t.callback_due_at {
                out.push((AlarmKind::Callback, t.updated_at.min(d), d));
            }
        }
        _ => {}
    }
    out
}

/// The alarms of a ticket: each threshold of each running deadline.
pub fn alarms(t: &Ticket) -> Vec<Alarm> {
    let mut out = Vec::new();
    for (kind, start, deadline) in running(t) {
        let span = (deadline - start).num_milliseconds().max(0);
        for threshold in THRESHOLDS {
            let fire_at = start + chrono::Duration::milliseconds(span * threshold / 100);
            out.push(Alarm {
                kind,
                threshold,
                deadline,
                fire_at,
            });
        }
    }
    out
}

/// Who hears of an alarm: reminders go to whoever must act (the handler, or every
/// handler of the department while nobody has accepted; the agent who took the call
/// for a callback); a breach also goes to the supervisors, managers and administrators.
pub fn recipients(t: &Ticket, kind: AlarmKind, threshold: i64, users: &[User]) -> Vec<i64> {
    let mut out: Vec<i64> = match kind {
        AlarmKind::Callback => vec![t.created_by],
        AlarmKind::Accept | AlarmKind::Handle => match t.handler_id {
            Some(h) => vec![h],
            None => users
                .iter()
                .filter(|u| {
                    u.active && u.role == Role::Handler && Some(u.department_id) == t.department_id
                })
                .map(|u| u.id)
                .collect(),
        },
    };
    if threshold >= 100 {
        out.extend(
            users
                .iter()
                .filter(|u| {
                    u.active && matches!(u.role, Role::Supervisor | Role::Manager | Role::Admin)
                })
                .map(|u| u.id),
        );
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::tests::{t0, ticket, user};
    use chrono::Duration;

    #[test]
    fn thresholds_split_the_time_allowed() {
        let mut t = ticket();
        assert!(
            alarms(&t).is_empty(),
            "a received ticket runs against nothing"
        );
        t.status = Status::InProgress;
        t.transferred_at = Some(t0());
        t.due_at = Some(t0() + Duration::hours(100));
        let a = alarms(&t);
        assert_eq!(
            a.iter().map(|a| a.fire_at - t0()).collect::<Vec<_>>(),
            [50, 75, 90, 100].map(Duration::hours)
        );
        t.status = Status::Archived;
        assert!(alarms(&t).is_empty(), "nothing fires for closed tickets");
    }

    #[test]
    fn reminders_reach_who_must_act_and_a_breach_the_supervisors() {
        let mut t = ticket();
        t.department_id = Some(2);
        let users = [
            user(1, Role::Agent, 1),
            user(2, Role::Handler, 2),
            user(3, Role::Handler, 3),
            user(4, Role::Supervisor, 1),
        ];
        assert_eq!(recipients(&t, AlarmKind::Accept, 50, &users), [2]);
        assert_eq!(recipients(&t, AlarmKind::Handle, 100, &users), [2, 4]);
        t.handler_id = Some(3);
        assert_eq!(recipients(&t, AlarmKind::Handle, 90, &users), [3]);
        assert_eq!(recipients(&t, AlarmKind::Callback, 75, &users), [1]);
    }
}
