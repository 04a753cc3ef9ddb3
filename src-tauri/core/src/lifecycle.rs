//! The ticket state machine (docs/design.md, 12345-style). `apply` is pure: it checks the
//! state, the actor and the input and returns the new ticket plus the timeline events;
//! the store writes both in one transaction. Being pure, it is also what the seeder and
//! the property tests drive.

use crate::error::{Error, Result};
use crate::model::{
    ActionKind, CallbackMethod, ExtensionState, Role, Satisfaction, Status, Ticket, User,
};
use crate::validate::{opt_text, text, DESCRIPTION_MAX, NOTE_MAX};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Re-dispatches after which a ticket is raised for supervision (提级督办).
pub const SUPERVISE_AFTER_REDISPATCHES: i64 = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// 直接答复: answered at first contact, closes the ticket.
    Answer {
        answer: String,
    },
    /// 转办: the transfer slip.
    Transfer {
        department_id: i64,
        requirements: String,
        due_at: DateTime<Utc>,
        #[serde(default)]
        accept_due_at: Option<DateTime<Utc>>,
    },
    /// 退回: the department declines, with a reason, before its acceptance deadline.
    Return {
        reason: String,
    },
    /// 签收: the department accepts; handling starts.
    Accept {
        #[serde(default)]
        note: Option<String>,
    },
    /// 延期申请.
    RequestExtension {
        due_at: DateTime<Utc>,
        reason: String,
    },
    ApproveExtension {
        #[serde(default)]
        note: Option<String>,
    },
    RefuseExtension {
        note: String,
    },
    /// 办结回复: the department's result.
    Reply {
        result: String,
        resolved: bool,
    },
    /// 反馈: the hotline relays the result and records satisfaction. An unsatisfied
    /// answer needs a new deadline: the ticket goes back to the department (发回重办).
    Feedback {
        satisfaction: Satisfaction,
        #[serde(default)]
        note: Option<String>,
        #[serde(default)]
        redispatch_due_at: Option<DateTime<Utc>>,
    },
    /// 回访.
    Callback {
        method: CallbackMethod,
        satisfaction: Satisfaction,
        #[serde(default)]
        note: Option<String>,
    },
    Reopen {
        reason: String,
    },
    Comment {
        note: String,
    },
    /// 挂起: waiting for the caller (documents, a site visit); the SLA clock stops.
    Pause {
        reason: String,
    },
    /// The caller answered: the clock runs again, the deadline moved by the wait.
    Resume {
        #[serde(default)]
        note: Option<String>,
    },
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        use ActionKind as K;
        match self {
            Action::Answer { .. } => K::Answer,
            Action::Transfer { .. } => K::Transfer,
            Action::Return { .. } => K::Return,
            Action::Accept { .. } => K::Accept,
            Action::RequestExtension { .. } => K::RequestExtension,
            Action::ApproveExtension { .. } => K::ApproveExtension,
            Action::RefuseExtension { .. } => K::RefuseExtension,
            Action::Reply { .. } => K::Reply,
            Action::Feedback { .. } => K::Feedback,
            Action::Callback { .. } => K::Callback,
            Action::Reopen { .. } => K::Reopen,
            Action::Comment { .. } => K::Comment,
            Action::Pause { .. } => K::Pause,
            Action::Resume { .. } => K::Resume,
        }
    }

    pub fn name(&self) -> &'static str {
        self.kind().as_str()
    }
}

/// Settings that shape the lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// Days after closure during which a ticket may be reopened.
    pub reopen_window_days: i64,
    /// Days after a satisfied feedback within which the callback is due, when no SLA
    /// policy gives `callback_due_at`.
    pub callback_days: i64,
    /// The callback deadline from the SLA policy and the working calendar.
    #[serde(default)]
    pub callback_due_at: Option<DateTime<Utc>>,
    /// The handling deadline after a pause, moved by the working time waited.
    #[serde(default)]
    pub resume_due_at: Option<DateTime<Utc>>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            reopen_window_days: 30,
            callback_days: 3,
            callback_due_at: None,
            resume_due_at: None,
        }
    }
}

/// An event to append; the store adds id, sequence, time and actor.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub action: &'static str,
    pub note: Option<String>,
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub data: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub ticket: Ticket,
    pub events: Vec<NewEvent>,
}

/// Which side of the hotline an action belongs to.
enum Side {
    Hotline,
    Department,
    Supervisor,
    Anyone,
}

fn side(a: &Action) -> Side {
    match a {
        Action::Answer { .. }
        | Action::Transfer { .. }
        | Action::Feedback { .. }
        | Action::Callback { .. }
        | Action::Reopen { .. } => Side::Hotline,
        Action::Return { .. }
        | Action::Accept { .. }
        | Action::RequestExtension { .. }
        | Action::Reply { .. }
        | Action::Pause { .. }
        | Action::Resume { .. } => Side::Department,
        Action::ApproveExtension { .. } | Action::RefuseExtension { .. } => Side::Supervisor,
        Action::Comment { .. } => Side::Anyone,
    }
}

/// Which role takes which lifecycle action. Whether a role acts on tickets at all, and
/// on which department's, is `access`'s matrix, checked before this.
fn authorize(t: &Ticket, actor: &User, a: &Action) -> Result<()> {
    let in_dept = t.department_id == Some(actor.department_id);
    let ok = match (side(a), actor.role) {
        (_, Role::Admin | Role::Supervisor) => true,
        (Side::Hotline, Role::Agent | Role::Manager) => true,
        (Side::Supervisor, Role::Manager) => true,
        (Side::Department | Side::Anyone, Role::Handler) => in_dept,
        (Side::Anyone, _) => true,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::Forbidden {
            action: a.name().to_string(),
            actor: actor.name.clone(),
            role: actor.role.as_str().to_string(),
        })
    }
}

fn invalid(a: &Action, t: &Ticket) -> Error {
    Error::InvalidTransition {
        action: a.name().to_string(),
        status: t.status.as_str().to_string(),
    }
}

fn deadline_after(deadline: DateTime<Utc>, after: DateTime<Utc>) -> Result<()> {
    if deadline <= after {
        return Err(Error::DeadlineTooEarly {
            deadline: deadline.to_rfc3339(),
            after: after.to_rfc3339(),
        });
    }
    Ok(())
}

/// The statuses in which each action can apply (the first column of `apply`).
fn statuses_for(kind: ActionKind) -> &'static [Status] {
    use ActionKind as K;
    use Status as S;
    match kind {
        K::Answer => &[S::Received],
        K::Transfer => &[S::Received, S::Returned],
        K::Return | K::Accept => &[S::Transferred],
        K::RequestExtension | K::ApproveExtension | K::RefuseExtension | K::Reply => {
            &[S::InProgress]
        }
        K::Feedback => &[S::Replied],
        K::Callback => &[S::AwaitingCallback],
        K::Reopen => &[S::Closed, S::Archived],
        K::Comment => Status::ALL,
        K::Pause | K::Resume => &[S::InProgress],
    }
}

/// The actions `actor` may take on `t` now: what the detail view offers. The store still
/// validates each one when it is taken.
pub fn allowed_actions(
    t: &Ticket,
    actor: &User,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Vec<ActionKind> {
    if !actor.active {
        return vec![];
    }
    let probe = |kind: ActionKind| -> Action {
        let far = now + Duration::days(3650);
        match kind {
            K::Answer => Action::Answer {
                answer: String::new(),
            },
            K::Transfer => Action::Transfer {
                department_id: 0,
                requirements: String::new(),
                due_at: far,
                accept_due_at: None,
            },
            K::Return => Action::Return {
                reason: String::new(),
            },
            K::Accept => Action::Accept { note: None },
            K::RequestExtension => Action::RequestExtension {
                due_at: far,
                reason: String::new(),
            },
            K::ApproveExtension => Action::ApproveExtension { note: None },
            K::RefuseExtension => Action::RefuseExtension {
                note: String::new(),
            },
            K::Reply => Action::Reply {
                result: String::new(),
                resolved: true,
            },
            K::Feedback => Action::Feedback {
                satisfaction: Satisfaction::Satisfied,
                note: None,
                redispatch_due_at: None,
            },
            K::Callback => Action::Callback {
                method: CallbackMethod::Phone,
                satisfaction: Satisfaction::Satisfied,
                note: None,
            },
            K::Reopen => Action::Reopen {
                reason: String::new(),
            },
            K::Comment => Action::Comment {
                note: String::new(),
            },
            K::Pause => Action::Pause {
                reason: String::new(),
            },
            K::Resume => Action::Resume { note: None },
        }
    };
    use ActionKind as K;
    let pending = t.extension == Some(ExtensionState::Pending);
    ActionKind::ALL
        .iter()
        .copied()
        .filter(|kind| statuses_for(*kind).contains(&t.status))
        .filter(|kind| authorize(t, actor, &probe(*kind)).is_ok())
        .filter(|kind| match kind {
            K::RequestExtension => !pending,
            K::Pause => t.paused_at.is_none(),
            K::Resume => t.paused_at.is_some(),
            K::ApproveExtension | K::RefuseExtension => pending,
            K::Return => t.accept_due_at.is_none_or(|limit| now <= limit),
            K::Reopen => {
                now <= t.closed_at.unwrap_or(t.updated_at)
                    + Duration::days(policy.reopen_window_days)
            }
            _ => true,
        })
        .collect()
}

/// Applies `action` by `actor` at `now`. Returns the changed ticket (version not yet
/// bumped) and its events, or an error and no change.
pub fn apply(
    t: &Ticket,
    actor: &User,
    action: &Action,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<Outcome> {
    if !actor.active {
        return Err(Error::Inactive {
            entity: "user",
            key: actor.id.to_string(),
        });
    }
    authorize(t, actor, action)?;
    let from = t.status;
    let mut n = t.clone();
    let mut events = Vec::with_capacity(2);
    let mut push = |action: &'static str, note: Option<String>, to: Status, data: Value| {
        events.push(NewEvent {
            action,
            note,
            from_status: Some(from),
            to_status: to,
            data,
        })
    };
    use Status as S;
    match (action, from) {
        (Action::Answer { answer }, S::Received) => {
            let answer = text("answer", answer, DESCRIPTION_MAX)?;
            n.status = S::Closed;
            n.answer = Some(answer.clone());
            n.resolved = Some(true);
            n.closed_at = Some(now);
            push("answer", Some(answer), S::Closed, json!({}));
        }
        (
            Action::Transfer {
                department_id,
                requirements,
                due_at,
                accept_due_at,
            },
            S::Received | S::Returned,
        ) => {
            let requirements = text("requirements", requirements, NOTE_MAX)?;
            deadline_after(*due_at, now.max(t.received_at))?;
            if let Some(a) = accept_due_at {
                deadline_after(*a, now)?;
                if a > due_at {
                    return Err(Error::DeadlineTooEarly {
                        deadline: due_at.to_rfc3339(),
                        after: a.to_rfc3339(),
                    });
                }
            }
            n.status = S::Transferred;
            n.department_id = Some(*department_id);
            n.handler_id = None;
            n.requirements = Some(requirements.clone());
            n.transferred_at = Some(now);
            n.due_at = Some(*due_at);
            n.accept_due_at = *accept_due_at;
            n.extension = None;
            n.extension_due_at = None;
            push(
                "transfer",
                Some(requirements),
                S::Transferred,
                json!({ "department_id": department_id, "due_at": due_at, "accept_due_at": accept_due_at }),
            );
        }
        (Action::Return { reason }, S::Transferred) => {
            let reason = text("reason", reason, NOTE_MAX)?;
            if let Some(limit) = t.accept_due_at {
                if now > limit {
                    return Err(Error::ReturnWindowPassed {
                        limit: limit.to_rfc3339(),
                    });
                }
            }
            n.status = S::Returned;
            n.return_count += 1;
            push(
                "return",
                Some(reason),
                S::Returned,
                json!({ "department_id": t.department_id }),
            );
        }
        (Action::Accept { note }, S::Transferred) => {
            let note = opt_text("note", note.as_deref(), NOTE_MAX)?;
            n.status = S::InProgress;
            n.handler_id = Some(actor.id);
            push(
                "accept",
                note,
                S::InProgress,
                json!({ "handler_id": actor.id }),
            );
        }
        (Action::RequestExtension { due_at, reason }, S::InProgress) => {
            if t.extension == Some(ExtensionState::Pending) {
                return Err(Error::ExtensionPending);
            }
            let reason = text("reason", reason, NOTE_MAX)?;
            deadline_after(*due_at, t.due_at.unwrap_or(now).max(now))?;
            n.extension = Some(ExtensionState::Pending);
            n.extension_due_at = Some(*due_at);
            push(
                "request_extension",
                Some(reason),
                S::InProgress,
                json!({ "due_at": due_at, "previous_due_at": t.due_at }),
            );
        }
        (Action::ApproveExtension { note }, S::InProgress) => {
            let note = opt_text("note", note.as_deref(), NOTE_MAX)?;
            let Some(new_due) = t
                .extension_due_at
                .filter(|_| t.extension == Some(ExtensionState::Pending))
            else {
                return Err(Error::NoExtensionPending);
            };
            n.extension = Some(ExtensionState::Approved);
            n.due_at = Some(new_due);
            push(
                "approve_extension",
                note,
                S::InProgress,
                json!({ "due_at": new_due, "previous_due_at": t.due_at }),
            );
        }
        (Action::RefuseExtension { note }, S::InProgress) => {
            let note = text("note", note, NOTE_MAX)?;
            if t.extension != Some(ExtensionState::Pending) {
                return Err(Error::NoExtensionPending);
            }
            n.extension = Some(ExtensionState::Refused);
            push("refuse_extension", Some(note), S::InProgress, json!({}));
        }
        (Action::Reply { result, resolved }, S::InProgress) => {
            let result = text("result", result, DESCRIPTION_MAX)?;
            let withdrawn = t.extension == Some(ExtensionState::Pending);
            if withdrawn {
                n.extension = None;
                n.extension_due_at = None;
            }
            n.status = S::Replied;
            n.paused_at = None;
            n.result = Some(result.clone());
            n.resolved = Some(*resolved);
            n.replied_at = Some(now);
            push(
                "reply",
                Some(result),
                S::Replied,
                json!({ "resolved": resolved, "on_time": t.due_at.map(|d| now <= d), "extension_withdrawn": withdrawn }),
            );
        }
        (
            Action::Feedback {
                satisfaction,
                note,
                redispatch_due_at,
            },
            S::Replied,
        ) => {
            let note = opt_text("note", note.as_deref(), NOTE_MAX)?;
            n.satisfaction = Some(*satisfaction);
            if satisfaction.accepts() {
                n.status = S::AwaitingCallback;
                n.callback_due_at = Some(
                    policy
                        .callback_due_at
                        .unwrap_or(now + Duration::days(policy.callback_days)),
                );
                push(
                    "feedback",
                    note,
                    S::AwaitingCallback,
                    json!({ "satisfaction": satisfaction, "callback_due_at": n.callback_due_at }),
                );
            } else {
                let Some(due) = redispatch_due_at else {
                    return Err(Error::Required {
                        field: "redispatch_due_at",
                    });
                };
                deadline_after(*due, now)?;
                push(
                    "feedback",
                    note,
                    S::Replied,
                    json!({ "satisfaction": satisfaction }),
                );
                n.status = S::Transferred;
                n.handler_id = None;
                n.redispatch_count += 1;
                n.transferred_at = Some(now);
                n.due_at = Some(*due);
                n.accept_due_at = None;
                n.extension = None;
                n.extension_due_at = None;
                let raise = n.redispatch_count >= SUPERVISE_AFTER_REDISPATCHES && !t.supervised;
                n.supervised |= raise;
                events.push(NewEvent {
                    action: "redispatch",
                    note: None,
                    from_status: Some(S::Replied),
                    to_status: S::Transferred,
                    data: json!({ "count": n.redispatch_count, "due_at": due, "department_id": t.department_id, "supervised": raise }),
                });
            }
        }
        (
            Action::Callback {
                method,
                satisfaction,
                note,
            },
            S::AwaitingCallback,
        ) => {
            let note = opt_text("note", note.as_deref(), NOTE_MAX)?;
            n.status = S::Archived;
            n.callback_method = Some(*method);
            n.callback_satisfaction = Some(*satisfaction);
            n.closed_at = Some(now);
            push(
                "callback",
                note,
                S::Archived,
                json!({ "method": method, "satisfaction": satisfaction, "on_time": t.callback_due_at.map(|d| now <= d) }),
            );
        }
        (Action::Reopen { reason }, S::Closed | S::Archived) => {
            let reason = text("reason", reason, NOTE_MAX)?;
            let closed = t.closed_at.unwrap_or(t.updated_at);
            if now > closed + Duration::days(policy.reopen_window_days) {
                return Err(Error::ReopenWindowPassed {
                    days: policy.reopen_window_days,
                });
            }
            n.status = S::Received;
            n.reopen_count += 1;
            n.closed_at = None;
            n.department_id = None;
            n.handler_id = None;
            n.requirements = None;
            n.transferred_at = None;
            n.accept_due_at = None;
            n.due_at = None;
            n.extension = None;
            n.extension_due_at = None;
            n.answer = None;
            n.result = None;
            n.resolved = None;
            n.replied_at = None;
            n.satisfaction = None;
            n.callback_due_at = None;
            n.callback_method = None;
            n.callback_satisfaction = None;
            push(
                "reopen",
                Some(reason),
                S::Received,
                json!({ "count": n.reopen_count }),
            );
        }
        (Action::Pause { reason }, S::InProgress) => {
            let reason = text("reason", reason, NOTE_MAX)?;
            if t.paused_at.is_some() {
                return Err(invalid(action, t));
            }
            n.paused_at = Some(now);
            push(
                "pause",
                Some(reason),
                S::InProgress,
                json!({ "due_at": t.due_at }),
            );
        }
        (Action::Resume { note }, S::InProgress) => {
            let note = opt_text("note", note.as_deref(), NOTE_MAX)?;
            let Some(since) = t.paused_at else {
                return Err(invalid(action, t));
            };
            n.paused_at = None;
            n.due_at = policy
                .resume_due_at
                .or_else(|| t.due_at.map(|d| d + (now - since)));
            push(
                "resume",
                note,
                S::InProgress,
                json!({ "paused_since": since, "due_at": n.due_at, "previous_due_at": t.due_at }),
            );
        }
        (Action::Comment { note }, s) => {
            let note = text("note", note, NOTE_MAX)?;
            push("comment", Some(note), s, json!({}));
        }
        _ => return Err(invalid(action, t)),
    }
    n.updated_at = now;
    Ok(Outcome { ticket: n, events })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    pub fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0)
            .single()
            .expect("valid")
    }

    pub fn user(id: i64, role: Role, dept: i64) -> User {
        User {
            id,
            name: format!("user{id}"),
            department_id: dept,
            role,
            active: true,
        }
    }

    /// A received ticket, built the way intake builds one.
    pub fn ticket() -> Ticket {
        let v = crate::ticket::tests::new_ticket()
            .validate(t0())
            .expect("valid intake");
        let mut t = crate::ticket::blank(&v, 1, 1);
        t.id = 1;
        t.number = "20261102-0001".into();
        t
    }

    fn transfer(days: i64) -> Action {
        Action::Transfer {
            department_id: 2,
            requirements: "请核实并答复".into(),
            due_at: t0() + Duration::days(days),
            accept_due_at: None,
        }
    }

    fn step(t: &Ticket, u: &User, a: Action, hours: i64) -> Result<Ticket> {
        apply(t, u, &a, t0() + Duration::hours(hours), &Policy::default()).map(|o| o.ticket)
    }

    #[test]
    fn full_path_with_three_redispatches_raises_supervision() -> Result<()> {
        let agent = user(1, Role::Agent, 1);
        let handler = user(2, Role::Handler, 2);
        let mut t = step(&ticket(), &agent, transfer(5), 0)?;
        assert_eq!(t.status, Status::Transferred);
        for round in 1..=3 {
            t = step(&t, &handler, Action::Accept { note: None }, 1)?;
            t = step(
                &t,
                &handler,
                Action::Reply {
                    result: "已处理".into(),
                    resolved: true,
                },
                2,
            )?;
            t = step(
                &t,
                &agent,
                Action::Feedback {
                    satisfaction: Satisfaction::Unsatisfied,
                    note: None,
                    redispatch_due_at: Some(t0() + Duration::days(9)),
                },
                3,
            )?;
            assert_eq!(t.status, Status::Transferred);
            assert_eq!(t.redispatch_count, round);
            assert_eq!(t.supervised, round >= 3);
        }
        t = step(&t, &handler, Action::Accept { note: None }, 4)?;
        t = step(
            &t,
            &handler,
            Action::Reply {
                result: "已解决".into(),
                resolved: true,
            },
            5,
        )?;
        t = step(
            &t,
            &agent,
            Action::Feedback {
                satisfaction: Satisfaction::Satisfied,
                note: None,
                redispatch_due_at: None,
            },
            6,
        )?;
        assert_eq!(t.status, Status::AwaitingCallback);
        assert!(t.callback_due_at.is_some());
        t = step(
            &t,
            &agent,
            Action::Callback {
                method: CallbackMethod::Phone,
                satisfaction: Satisfaction::VerySatisfied,
                note: None,
            },
            30,
        )?;
        assert_eq!(t.status, Status::Archived);
        assert!(t.closed_at.is_some());
        Ok(())
    }

    #[test]
    fn invalid_transitions_and_roles_are_refused() {
        let agent = user(1, Role::Agent, 1);
        let handler = user(2, Role::Handler, 2);
        let other = user(3, Role::Handler, 3);
        let t = ticket();
        let e =
            step(&t, &agent, Action::Accept { note: None }, 0).expect_err("agent cannot accept");
        assert_eq!(e.code(), "forbidden");
        let e =
            step(&t, &handler, Action::Accept { note: None }, 0).expect_err("not in department");
        assert_eq!(e.code(), "forbidden");
        let t = step(&t, &agent, transfer(2), 0).expect("transfer");
        assert_eq!(
            step(&t, &other, Action::Accept { note: None }, 1).map_err(|e| e.code()),
            Err("forbidden")
        );
        let e =
            step(&t, &agent, Action::Answer { answer: "x".into() }, 1).expect_err("not received");
        assert_eq!(e.code(), "invalid_transition");
        assert_eq!(e.details()["status"], "transferred");
    }

    #[test]
    fn deadlines_must_lie_ahead() {
        let agent = user(1, Role::Agent, 1);
        let e = step(&ticket(), &agent, transfer(0), 0).expect_err("deadline == now");
        assert_eq!(e.code(), "deadline_too_early");
        let e = step(&ticket(), &agent, transfer(-1), 0).expect_err("before receipt");
        assert_eq!(e.code(), "deadline_too_early");
    }

    #[test]
    fn unsatisfied_feedback_needs_a_new_deadline() {
        let agent = user(1, Role::Agent, 1);
        let handler = user(2, Role::Handler, 2);
        let t = step(&ticket(), &agent, transfer(2), 0).expect("transfer");
        let t = step(&t, &handler, Action::Accept { note: None }, 1).expect("accept");
        let t = step(
            &t,
            &handler,
            Action::Reply {
                result: "r".into(),
                resolved: false,
            },
            2,
        )
        .expect("reply");
        let e = step(
            &t,
            &agent,
            Action::Feedback {
                satisfaction: Satisfaction::VeryUnsatisfied,
                note: None,
                redispatch_due_at: None,
            },
            3,
        )
        .expect_err("no deadline");
        assert_eq!(e.code(), "required");
    }

    #[test]
    fn extension_moves_the_deadline_only_when_approved() {
        let agent = user(1, Role::Agent, 1);
        let handler = user(2, Role::Handler, 2);
        let sup = user(4, Role::Supervisor, 1);
        let t = step(&ticket(), &agent, transfer(2), 0).expect("transfer");
        let t = step(&t, &handler, Action::Accept { note: None }, 1).expect("accept");
        let due = t.due_at;
        let later = t0() + Duration::days(6);
        let t = step(
            &t,
            &handler,
            Action::RequestExtension {
                due_at: later,
                reason: "需现场勘查".into(),
            },
            2,
        )
        .expect("request");
        assert_eq!(t.due_at, due);
        let e = step(
            &t,
            &handler,
            Action::RequestExtension {
                due_at: later,
                reason: "again".into(),
            },
            2,
        )
        .expect_err("pending");
        assert_eq!(e.code(), "extension_pending");
        assert_eq!(
            step(&t, &handler, Action::ApproveExtension { note: None }, 3).map_err(|e| e.code()),
            Err("forbidden")
        );
        let refused = step(
            &t,
            &sup,
            Action::RefuseExtension {
                note: "不符合条件".into(),
            },
            3,
        )
        .expect("refuse");
        assert_eq!(refused.due_at, due);
        let approved = step(&t, &sup, Action::ApproveExtension { note: None }, 3).expect("approve");
        assert_eq!(approved.due_at, Some(later));
        assert_eq!(
            step(&approved, &sup, Action::ApproveExtension { note: None }, 4).map_err(|e| e.code()),
            Err("no_extension_pending")
        );
    }

    #[test]
    fn return_only_before_the_acceptance_deadline() {
        let agent = user(1, Role::Agent, 1);
        let handler = user(2, Role::Handler, 2);
        let a = Action::Transfer {
            department_id: 2,
            requirements: "核实".into(),
            due_at: t0() + Duration::days(5),
            accept_due_at: Some(t0() + Duration::hours(4)),
        };
        let t = step(&ticket(), &agent, a, 0).expect("transfer");
        let e = step(
            &t,
            &handler,
            Action::Return {
                reason: "非本单位职责".into(),
            },
            5,
        )
        .expect_err("late");
        assert_eq!(e.code(), "return_window_passed");
        let r = step(
            &t,
            &handler,
            Action::Return {
                reason: "非本单位职责".into(),
            },
            3,
        )
        .expect("in time");
        assert_eq!((r.status, r.return_count), (Status::Returned, 1));
        let again = step(&r, &agent, transfer(3), 4).expect("re-route");
        assert_eq!(again.status, Status::Transferred);
    }

    #[test]
    fn reopen_within_the_window_only() {
        let agent = user(1, Role::Agent, 1);
        let t = step(
            &ticket(),
            &agent,
            Action::Answer {
                answer: "已告知办理流程".into(),
            },
            0,
        )
        .expect("answer");
        assert_eq!(t.status, Status::Closed);
        let r = step(
            &t,
            &agent,
            Action::Reopen {
                reason: "来电人补充".into(),
            },
            24,
        )
        .expect("reopen");
        assert_eq!(
            (r.status, r.reopen_count, r.answer.is_none()),
            (Status::Received, 1, true)
        );
        let e = step(
            &t,
            &agent,
            Action::Reopen {
                reason: "late".into(),
            },
            24 * 31,
        )
        .expect_err("late");
        assert_eq!(e.code(), "reopen_window_passed");
    }

    #[test]
    fn allowed_actions_match_what_apply_accepts() {
        let agent = user(1, Role::Agent, 1);
        let handler = user(2, Role::Handler, 2);
        let sup = user(4, Role::Supervisor, 1);
        let now = t0();
        let p = Policy::default();
        assert_eq!(
            allowed_actions(&ticket(), &agent, now, &p),
            ["answer", "transfer", "comment"]
        );
        assert_eq!(
            allowed_actions(&ticket(), &handler, now, &p),
            Vec::<&str>::new()
        );
        let t = step(&ticket(), &agent, transfer(2), 0).expect("transfer");
        assert_eq!(
            allowed_actions(&t, &handler, now, &p),
            ["return", "accept", "comment"]
        );
        assert_eq!(allowed_actions(&t, &agent, now, &p), ["comment"]);
        let t = step(&t, &handler, Action::Accept { note: None }, 1).expect("accept");
        assert_eq!(
            allowed_actions(&t, &handler, now, &p),
            ["request_extension", "reply", "comment", "pause"]
        );
        let t = step(
            &t,
            &handler,
            Action::RequestExtension {
                due_at: t0() + Duration::days(4),
                reason: "r".into(),
            },
            2,
        )
        .expect("request");
        assert_eq!(
            allowed_actions(&t, &handler, now, &p),
            ["reply", "comment", "pause"]
        );
        assert_eq!(
            allowed_actions(&t, &sup, now, &p),
            [
                "approve_extension",
                "refuse_extension",
                "reply",
                "comment",
                "pause"
            ]
        );
    }

    #[test]
    fn actions_deserialize_from_the_wire_form() {
        let a: Action = serde_json::from_value(json!({
            "action": "feedback", "satisfaction": "unsatisfied", "redispatch_due_at": "2026-11-30T09:00:00Z"
        }))
        .expect("valid");
        assert_eq!(a.name(), "feedback");
        assert!(serde_json::from_value::<Action>(json!({"action": "fly"})).is_err());
        assert!(serde_json::from_value::<Action>(json!({"action": "accept", "x": 1})).is_err());
        // The wire's tag is the kind's name for every action.
        for k in ActionKind::ALL {
            let v = serde_json::to_value(k).expect("kind");
            assert_eq!(v, json!(k.as_str()));
        }
    }
}
