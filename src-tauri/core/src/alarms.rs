//! Alarm rules (the regulations' escalation): reminders before a deadline and the breach
//! itself. Pure functions: which alarms a ticket carries now, and who hears of each.

use crate::model::{Role, Severity, Status, Ticket, User};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The breach of a deadline; its repeats count on from 101.
pub const BREACH: i64 = 100;

/// Escalation rules (settings): reminders at these shares of the time allowed, then the
/// breach, then a repeat every `repeat_hours` while the deadline stays missed (0: none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    pub thresholds: Vec<i64>,
    pub repeat_hours: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            thresholds: vec![50, 75, 90],
            repeat_hours: 4,
        }
    }
}

impl Rules {
    /// Reads `50,75,90`: whole percentages from 1 to 99, at most six, ascending.
    pub fn parse_thresholds(s: &str) -> Option<Vec<i64>> {
        let mut v: Vec<i64> = s
            .split(',')
            .map(|x| x.trim().parse().ok())
            .collect::<Option<_>>()?;
        v.sort_unstable();
        v.dedup();
        (v.len() <= 6 && v.iter().all(|p| (1..=99).contains(p))).then_some(v)
    }
}

str_enum!(
    /// What a deadline alarm is about.
    AlarmKind {
        /// The department has not accepted the transfer.
        Accept = "accept",
        /// The department has not replied.
        Handle = "handle",
        /// The callback visit is due.
        Callback = "callback",
        /// A 较大 or graver incident: the emergency team and the managers hear at once.
        Incident = "incident",
        /// A 特别重大 incident: report upward (a task for the managers).
        ReportUpward = "report_upward",
        /// Workflow: a ticket was transferred or re-dispatched to the department.
        Assigned = "assigned",
        /// Workflow: the department replied; the agent who took the call relays it.
        Replied = "replied",
        /// Workflow: a handler asks for more time; the supervisors decide.
        ExtensionRequested = "extension_requested",
        /// Workflow: the extension was approved or refused.
        ExtensionDecided = "extension_decided",
        /// Workflow: the caller called again to urge the department (催办).
        Urged = "urged",
        /// The emergency team is paged about an incident (it needs an acknowledgement).
        Page = "page",
        /// A page of a drill.
        PageDrill = "page_drill",
        /// A follow-up action of an incident's review fell due (its owner is reminded).
        FollowUp = "follow_up",
        /// A finding about the person's part in a complaint was recorded or decided.
        Finding = "finding",
        /// A training session the person is expected at starts soon.
        Training = "training",
        /// A co-handling department's part (协办) is due.
        CoHandle = "co_handle",
        /// Workflow: a 催办通知书 or 督办单 was issued to the department.
        Notice = "notice",
    }
);

impl AlarmKind {
    /// The kind of a stored alarm row (an unknown word reads as a handling deadline).
    pub fn parse(s: &str) -> AlarmKind {
        s.parse().unwrap_or(AlarmKind::Handle)
    }

    /// Announcements of a workflow step (not a deadline): they fire at once, once.
    pub fn is_workflow(self) -> bool {
        matches!(
            self,
            AlarmKind::Assigned
                | AlarmKind::Replied
                | AlarmKind::ExtensionRequested
                | AlarmKind::ExtensionDecided
                | AlarmKind::Urged
                | AlarmKind::Notice
        )
    }

    /// The workflow announcement a timeline event makes, if any.
    pub fn announced_by(action: &str) -> Option<AlarmKind> {
        Some(match action {
            "transfer" | "redispatch" => AlarmKind::Assigned,
            "reply" => AlarmKind::Replied,
            "request_extension" => AlarmKind::ExtensionRequested,
            "approve_extension" | "refuse_extension" => AlarmKind::ExtensionDecided,
            // Only a caller's urge is an action; the scheduler's 催办 on a breach is its
            // own deadline alarm.
            "urge" => AlarmKind::Urged,
            _ => return None,
        })
    }

    /// Deadlines that repeat their reminder while missed.
    pub fn repeats(self) -> bool {
        matches!(
            self,
            AlarmKind::Accept | AlarmKind::Handle | AlarmKind::Callback | AlarmKind::CoHandle
        )
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
    if t.paused_at.is_some() {
        return out;
    }
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

/// The alarms of a ticket: each reminder threshold and the breach of each running
/// deadline, and for a grave incident the immediate alerts.
pub fn due(t: &Ticket, rules: &Rules) -> Vec<Alarm> {
    let mut out = Vec::new();
    for (kind, start, deadline) in running(t) {
        let span = (deadline - start).num_milliseconds().max(0);
        for threshold in rules.thresholds.iter().copied().chain([BREACH]) {
            let fire_at = start + chrono::Duration::milliseconds(span * threshold / 100);
            out.push(Alarm {
                kind,
                threshold,
                deadline,
                fire_at,
            });
        }
    }
    if !t.status.is_final() && t.severity >= Severity::Serious {
        let at = t.received_at;
        out.push(Alarm {
            kind: AlarmKind::Incident,
            threshold: BREACH,
            deadline: at,
            fire_at: at,
        });
        if t.severity == Severity::Extraordinary {
            out.push(Alarm {
                kind: AlarmKind::ReportUpward,
                threshold: BREACH,
                deadline: at,
                fire_at: at,
            });
        }
    }
    out
}

/// The alarms of the co-handling parts still owed: each part's clock (from the transfer to
/// its deadline) reminds at the thresholds and urges at the breach, like the lead's.
pub fn co_due(clocks: &[(DateTime<Utc>, DateTime<Utc>)], rules: &Rules) -> Vec<Alarm> {
    let mut out = Vec::new();
    for &(start, deadline) in clocks {
        let span = (deadline - start).num_milliseconds().max(0);
        for threshold in rules.thresholds.iter().copied().chain([BREACH]) {
            out.push(Alarm {
                kind: AlarmKind::CoHandle,
                threshold,
                deadline,
                fire_at: start + chrono::Duration::milliseconds(span * threshold / 100),
            });
        }
    }
    out
}

/// Who hears of co-handling parts due: the handlers of the departments that owe them, and
/// at the breach the supervisors, as for any deadline.
pub fn co_recipients(threshold: i64, departments: &[i64], users: &[User]) -> Vec<i64> {
    let mut out: Vec<i64> = users
        .iter()
        .filter(|u| {
            let owes = u.role == Role::Handler && departments.contains(&u.department_id);
            let escalated = threshold >= BREACH
                && matches!(u.role, Role::Supervisor | Role::Manager | Role::Admin);
            u.active && (owes || escalated)
        })
        .map(|u| u.id)
        .collect();
    out.sort_unstable();
    out
}

/// A user's desktop notification preferences.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefs {
    pub muted: Vec<AlarmKind>,
    /// Quiet hours, local wall time; `from > to` wraps midnight (22:00-07:00).
    pub quiet_from: Option<chrono::NaiveTime>,
    pub quiet_to: Option<chrono::NaiveTime>,
}

impl Prefs {
    /// Whether a pop-up of `kind` may show at local time `at`. Grave incidents break
    /// through quiet hours; only muting them silences them.
    pub fn allows(&self, kind: AlarmKind, at: chrono::NaiveTime) -> bool {
        // A page waits for its acknowledgement: it is neither muted nor kept quiet.
        if matches!(kind, AlarmKind::Page | AlarmKind::PageDrill) {
            return true;
        }
        if self.muted.contains(&kind) {
            return false;
        }
        let quiet = match (self.quiet_from, self.quiet_to) {
            (Some(f), Some(t)) if f <= t => at >= f && at < t,
            (Some(f), Some(t)) => at >= f || at < t,
            _ => false,
        };
        !quiet || matches!(kind, AlarmKind::Incident | AlarmKind::ReportUpward)
    }
}

/// Who hears of an alarm: reminders go to whoever must act (the handler, or every
/// handler of the department while nobody has accepted; the agent who took the call
/// for a callback); a breach also goes to the supervisors, managers and administrators.
pub fn recipients(t: &Ticket, kind: AlarmKind, threshold: i64, users: &[User]) -> Vec<i64> {
    let with_role = |roles: &[Role]| -> Vec<i64> {
        users
            .iter()
            .filter(|u| u.active && roles.contains(&u.role))
            .map(|u| u.id)
            .collect()
    };
    let department = || -> Vec<i64> {
        users
            .iter()
            .filter(|u| {
                u.active && u.role == Role::Handler && Some(u.department_id) == t.department_id
            })
            .map(|u| u.id)
            .collect()
    };
    let mut out: Vec<i64> = match kind {
        AlarmKind::Callback | AlarmKind::Replied => vec![t.created_by],
        // A (re-)dispatch reaches every handler of the department: nobody holds it yet; so
        // does a document addressed to the department.
        AlarmKind::Assigned | AlarmKind::Notice => department(),
        // Whoever asked: the handler holding the ticket.
        AlarmKind::ExtensionDecided => t.handler_id.into_iter().collect(),
        // The supervisors decide; without one, the managers.
        AlarmKind::ExtensionRequested => {
            let s = with_role(&[Role::Supervisor]);
            if s.is_empty() {
                with_role(&[Role::Manager])
            } else {
                s
            }
        }
        AlarmKind::Accept | AlarmKind::Handle | AlarmKind::Urged => match t.handler_id {
            Some(h) => vec![h],
            None => department(),
        },
        AlarmKind::Incident => with_role(&[Role::Supervisor, Role::Manager, Role::Admin]),
        AlarmKind::ReportUpward => with_role(&[Role::Manager, Role::Admin]),
        // Pages are about incidents, never a ticket's alarm (their recipients: the plan).
        AlarmKind::Page
        | AlarmKind::PageDrill
        | AlarmKind::FollowUp
        | AlarmKind::Finding
        | AlarmKind::Training => {
            vec![]
        }
        // Co-handling parts: their departments (`co_recipients`), not the lead's.
        AlarmKind::CoHandle => return vec![],
    };
    if threshold >= BREACH && kind.repeats() {
        out.extend(with_role(&[Role::Supervisor, Role::Manager, Role::Admin]));
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
        let rules = Rules::default();
        assert!(
            due(&t, &rules).is_empty(),
            "a received ticket runs against nothing"
        );
        t.status = Status::InProgress;
        t.transferred_at = Some(t0());
        t.due_at = Some(t0() + Duration::hours(100));
        let a = due(&t, &rules);
        assert_eq!(
            a.iter().map(|a| a.fire_at - t0()).collect::<Vec<_>>(),
            [50, 75, 90, 100].map(Duration::hours)
        );
        let custom = Rules {
            thresholds: vec![80],
            repeat_hours: 0,
        };
        assert_eq!(
            due(&t, &custom)
                .iter()
                .map(|a| a.threshold)
                .collect::<Vec<_>>(),
            [80, 100]
        );
        t.severity = Severity::Extraordinary;
        let kinds: Vec<_> = due(&t, &custom).iter().map(|a| a.kind).collect();
        assert_eq!(
            kinds,
            [
                AlarmKind::Handle,
                AlarmKind::Handle,
                AlarmKind::Incident,
                AlarmKind::ReportUpward
            ]
        );
        t.status = Status::Archived;
        assert!(
            due(&t, &custom).is_empty(),
            "nothing fires for closed tickets"
        );
        assert_eq!(Rules::parse_thresholds("90, 50,75"), Some(vec![50, 75, 90]));
        assert_eq!(Rules::parse_thresholds("0,50"), None);
        assert_eq!(Rules::parse_thresholds("x"), None);
    }

    #[test]
    fn quiet_hours_and_muted_kinds() {
        let hm = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).expect("time");
        let p = Prefs {
            muted: vec![AlarmKind::Callback],
            quiet_from: Some(hm(22, 0)),
            quiet_to: Some(hm(7, 0)),
        };
        assert!(p.allows(AlarmKind::Handle, hm(9, 0)));
        assert!(!p.allows(AlarmKind::Handle, hm(23, 30)));
        assert!(!p.allows(AlarmKind::Handle, hm(6, 59)));
        assert!(p.allows(AlarmKind::Handle, hm(7, 0)));
        assert!(
            p.allows(AlarmKind::Incident, hm(3, 0)),
            "grave incidents break through"
        );
        assert!(!p.allows(AlarmKind::Callback, hm(10, 0)));
        let day = Prefs {
            muted: vec![],
            quiet_from: Some(hm(12, 0)),
            quiet_to: Some(hm(13, 30)),
        };
        assert!(
            !day.allows(AlarmKind::Accept, hm(12, 15)) && day.allows(AlarmKind::Accept, hm(13, 30))
        );
        assert!(Prefs::default().allows(AlarmKind::Accept, hm(3, 0)));
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
        assert_eq!(recipients(&t, AlarmKind::Incident, 100, &users), [4]);
    }

    #[test]
    fn workflow_steps_reach_whom_they_concern() {
        let mut t = ticket();
        t.department_id = Some(2);
        let users = [
            user(1, Role::Agent, 1),
            user(2, Role::Handler, 2),
            user(3, Role::Handler, 2),
            user(5, Role::Handler, 3),
            user(4, Role::Supervisor, 1),
            user(6, Role::Manager, 1),
        ];
        let to = |k| recipients(&t, k, 1, &users);
        assert_eq!(to(AlarmKind::Assigned), [2, 3], "the department's handlers");
        assert_eq!(to(AlarmKind::Replied), [1], "the agent who took the call");
        assert_eq!(to(AlarmKind::ExtensionRequested), [4], "the supervisors");
        t.handler_id = Some(3);
        assert_eq!(
            recipients(&t, AlarmKind::ExtensionDecided, 1, &users),
            [3],
            "the handler who asked"
        );
        let no_supervisor = &users[..4];
        assert!(recipients(&t, AlarmKind::ExtensionRequested, 1, no_supervisor).is_empty());
        assert_eq!(
            recipients(&t, AlarmKind::ExtensionRequested, 1, &[users[5].clone()]),
            [6]
        );
        assert_eq!(
            AlarmKind::announced_by("redispatch"),
            Some(AlarmKind::Assigned)
        );
        assert_eq!(AlarmKind::announced_by("comment"), None);
        assert!(AlarmKind::ALL
            .iter()
            .filter(|k| k.is_workflow())
            .all(|k| !k.repeats()));
    }
}
