//! The ticket state machine (docs/design.md, 12345-style). `apply` is pure: it checks the
//! state, the actor and the input and returns the new ticket plus the timeline events;
//! the store writes both in one transaction. Being pure, it is also what the seeder and
//! the property tests drive.

pub use crate::action::Action;
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
    /// A risky complaint whose answer legal has not cleared (`complaint::relay_held`):
    /// nothing is relayed to the complainant yet.
    #[serde(default)]
    pub relay_held: bool,
    /// A department's return request the hotline approved (the window was kept then).
    #[serde(default)]
    pub return_approved: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            reopen_window_days: 30,
            callback_days: 3,
            callback_due_at: None,
            resume_due_at: None,
            relay_held: false,
            return_approved: false,
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

/// Timeline entries that change nothing an action depends on: a comment, what the
/// scheduler writes (催办 on a breach, an incident's alert, the report upward) and the
/// complaint case's steps beside the lifecycle.
pub fn leaves_state(action: &str) -> bool {
    matches!(
        action,
        "comment"
            | "supplement"
            | "urge"
            | "alert"
            | "report_upward"
            | "remedy"
            | "acknowledge"
            | "assess"
            | "legal_opinion"
            | "co_accept"
            | "co_reply"
            | "co_waive"
            | "merged"
            | "unmerged"
            | "return_requested"
            | "return_refused"
            | "return_escalated"
            | "return_upheld"
            | "exclusion_proposed"
            | "exclusion_approved"
            | "exclusion_refused"
            | "appeal_filed"
            | "appeal_upheld"
            | "appeal_rejected"
            | "notice_issued"
            | "notice_acknowledged"
    )
}

/// An answer's event names the knowledge article it gave, when it gave one.
fn with_article(mut data: Value, article: &Option<crate::kb::ArticleRef>) -> Value {
    if let Some(a) = article {
        data["article"] = json!(a);
    }
    data
}

/// The timeline entry of a co-handling action: (action, note, data naming the department).
fn co_event(action: &Action, actor: &User) -> Result<(&'static str, Option<String>, Value)> {
    Ok(match action {
        Action::CoAccept { note } => (
            "co_accept",
            opt_text("note", note.as_deref(), NOTE_MAX)?,
            json!({ "department_id": actor.department_id }),
        ),
        Action::CoReply { result } => (
            "co_reply",
            Some(text("result", result, DESCRIPTION_MAX)?),
            json!({ "department_id": actor.department_id }),
        ),
        Action::CoWaive {
            department_id,
            reason,
        } => (
            "co_waive",
            Some(text("reason", reason, NOTE_MAX)?),
            json!({ "department_id": department_id }),
        ),
        _ => {
            return Err(Error::Internal(format!(
                "{} is no co-handling action",
                action.name()
            )))
        }
    })
}

/// Which side of the hotline an action belongs to.
enum Side {
    Hotline,
    Department,
    Supervisor,
    Anyone,
    /// A co-handling department (the store checks it has a part).
    CoHandler,
    /// The lead department or the hotline's supervisors.
    Lead,
}

fn side(a: &Action) -> Side {
    match a {
        Action::Answer { .. }
        | Action::Transfer { .. }
        | Action::Feedback { .. }
        | Action::Callback { .. }
        | Action::Supplement { .. }
        | Action::Urge { .. }
        | Action::Reopen { .. } => Side::Hotline,
        Action::Return { .. }
        | Action::Accept { .. }
        | Action::RequestExtension { .. }
        | Action::Reply { .. }
        | Action::Pause { .. }
        | Action::Resume { .. } => Side::Department,
        Action::ApproveExtension { .. } | Action::RefuseExtension { .. } => Side::Supervisor,
        Action::Comment { .. } => Side::Anyone,
        Action::CoAccept { .. } | Action::CoReply { .. } => Side::CoHandler,
        Action::CoWaive { .. } => Side::Lead,
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
        (Side::Department | Side::Anyone | Side::Lead, Role::Handler) => in_dept,
        (Side::CoHandler, Role::Handler) => !in_dept,
        (Side::Lead, Role::Manager) => true,
        // A return request approved by a dispatcher who is a manager.
        (Side::Department, Role::Manager) => matches!(a, Action::Return { .. }),
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
            permission: false,
        })
    }
}

fn invalid(a: &Action, t: &Ticket) -> Error {
    Error::InvalidTransition {
        action: a.name().to_string(),
        status: t.status.as_str().to_string(),
    }
}

/// The caller's satisfaction, which the agent must have chosen: never a default.
fn chosen(s: Option<Satisfaction>) -> Result<Satisfaction> {
    s.ok_or(Error::Required {
        field: "satisfaction",
    })
}

/// When the callback is due: the SLA policy's deadline, else the days the settings give.
fn callback_due(policy: &Policy, now: DateTime<Utc>) -> DateTime<Utc> {
    policy
        .callback_due_at
        .unwrap_or(now + Duration::days(policy.callback_days))
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
        K::Supplement => &[
            S::Received,
            S::Transferred,
            S::Returned,
            S::InProgress,
            S::Replied,
            S::AwaitingCallback,
        ],
        // Urging is about the department's work: a transfer not yet accepted or in hand.
        K::Urge => &[S::Transferred, S::InProgress],
        K::CoAccept | K::CoReply | K::CoWaive => &[S::Transferred, S::InProgress],
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
    actions(t, actor, now, policy, false)
}

/// `allowed_actions` with the co-handling actions the actor's role and the status allow
/// (`co`): the store keeps those its parts allow.
pub fn allowed_with_co(
    t: &Ticket,
    actor: &User,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Vec<ActionKind> {
    actions(t, actor, now, policy, true)
}

fn actions(
    t: &Ticket,
    actor: &User,
    now: DateTime<Utc>,
    policy: &Policy,
    co: bool,
) -> Vec<ActionKind> {
    if !actor.active {
        return vec![];
    }
    let probe = |kind: ActionKind| -> Action {
        let far = now + Duration::days(3650);
        match kind {
            K::Answer => Action::Answer {
                answer: String::new(),
                callback: false,
                article: None,
            },
            K::Transfer => Action::Transfer {
                department_id: 0,
                requirements: String::new(),
                due_at: far,
                accept_due_at: None,
                co_department_ids: vec![],
                co_due_at: None,
            },
            K::Return => Action::Return {
                reason: String::new(),
                reason_code: None,
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
                resolved: None,
            },
            K::Feedback => Action::Feedback {
                satisfaction: None,
                note: None,
                redispatch_due_at: None,
                no_redispatch_reason: None,
            },
            K::Callback => Action::Callback {
                method: CallbackMethod::Phone,
                satisfaction: None,
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
            K::Supplement => Action::Supplement {
                note: String::new(),
            },
            K::Urge => Action::Urge { note: None },
            K::CoAccept => Action::CoAccept { note: None },
            K::CoReply => Action::CoReply {
                result: String::new(),
            },
            K::CoWaive => Action::CoWaive {
                department_id: 0,
                reason: String::new(),
            },
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
            // Whether a part is owed is the store's to say (`co_parts::allowed`).
            K::CoAccept | K::CoReply | K::CoWaive => co,
            K::RequestExtension => !pending,
            K::Pause => t.paused_at.is_none(),
            K::Resume => t.paused_at.is_some(),
            K::ApproveExtension | K::RefuseExtension => pending,
            K::Return => t.accept_due_at.is_none_or(|limit| now <= limit),
            K::Answer | K::Feedback => !policy.relay_held,
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
    let relays = matches!(
        (action, t.status),
        (Action::Answer { .. }, Status::Received) | (Action::Feedback { .. }, Status::Replied)
    );
    if relays && policy.relay_held {
        return Err(Error::LegalReviewPending);
    }
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
        (
            Action::Answer {
                answer,
                callback,
                article,
            },
            S::Received,
        ) => {
            let answer = text("answer", answer, DESCRIPTION_MAX)?;
            n.answer = Some(answer.clone());
            n.resolved = Some(true);
            if *callback {
                if !t.has_contact() {
                    return Err(Error::ContactRequired {
                        action: action.name().to_string(),
                    });
                }
                n.status = S::AwaitingCallback;
                n.callback_due_at = Some(callback_due(policy, now));
                push(
                    "answer",
                    Some(answer),
                    S::AwaitingCallback,
                    with_article(json!({ "callback_due_at": n.callback_due_at }), article),
                );
            } else {
                n.status = S::Closed;
                n.closed_at = Some(now);
                push(
                    "answer",
                    Some(answer),
                    S::Closed,
                    with_article(json!({}), article),
                );
            }
        }
        (
            Action::Transfer {
                department_id,
                requirements,
                due_at,
                accept_due_at,
                co_department_ids,
                co_due_at,
            },
            S::Received | S::Returned,
        ) => {
            let requirements = text("requirements", requirements, NOTE_MAX)?;
            // A transfer ends in a feedback and a callback: someone must be reachable.
            if !t.has_contact() {
                return Err(Error::ContactRequired {
                    action: action.name().to_string(),
                });
            }
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
            let mut data = json!({ "department_id": department_id, "due_at": due_at, "accept_due_at": accept_due_at });
            let co = crate::cohandling::co_list(*department_id, co_department_ids)?;
            if !co.is_empty() {
                let co_due = co_due_at.unwrap_or(*due_at);
                deadline_after(co_due, now)?;
                if co_due > *due_at {
                    return Err(Error::DeadlineTooEarly {
                        deadline: due_at.to_rfc3339(),
                        after: co_due.to_rfc3339(),
                    });
                }
                data["co_department_ids"] = json!(co);
                data["co_due_at"] = json!(co_due);
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
            push("transfer", Some(requirements), S::Transferred, data);
        }
        (
            Action::Return {
                reason,
                reason_code,
            },
            S::Transferred,
        ) => {
            let reason = text("reason", reason, NOTE_MAX)?;
            // An approved return request was made within the window.
            if let (Some(limit), false) = (t.accept_due_at, policy.return_approved) {
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
                json!({ "department_id": t.department_id, "reason_code": reason_code }),
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
            let resolved = resolved.ok_or(Error::Required { field: "resolved" })?;
            let withdrawn = t.extension == Some(ExtensionState::Pending);
            if withdrawn {
                n.extension = None;
                n.extension_due_at = None;
            }
            n.status = S::Replied;
            n.paused_at = None;
            n.result = Some(result.clone());
            n.resolved = Some(resolved);
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
                no_redispatch_reason,
            },
            S::Replied,
        ) => {
            let satisfaction = chosen(*satisfaction)?;
            let note = opt_text("note", note.as_deref(), NOTE_MAX)?;
            let keep = opt_text(
                "no_redispatch_reason",
                no_redispatch_reason.as_deref(),
                NOTE_MAX,
            )?;
            n.satisfaction = Some(satisfaction);
            if keep.is_some() && (satisfaction.accepts() || redispatch_due_at.is_some()) {
                // Not re-dispatching is an outcome of an unsatisfied answer only, and
                // excludes a re-dispatch deadline.
                return Err(Error::RedispatchChoice);
            }
            if let Some(reason) = keep {
                n.status = S::Closed;
                n.closed_at = Some(now);
                push(
                    "feedback",
                    note,
                    S::Closed,
                    json!({ "satisfaction": satisfaction, "redispatched": false, "reason": reason }),
                );
            } else if satisfaction.accepts() {
                n.status = S::AwaitingCallback;
                n.callback_due_at = Some(callback_due(policy, now));
                push(
                    "feedback",
                    note,
                    S::AwaitingCallback,
                    json!({ "satisfaction": satisfaction, "callback_due_at": n.callback_due_at }),
                );
            } else {
                let Some(due) = redispatch_due_at else {
                    return Err(Error::RedispatchChoice);
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
            let satisfaction = chosen(*satisfaction)?;
            let note = opt_text("note", note.as_deref(), NOTE_MAX)?;
            n.status = S::Archived;
            n.callback_method = Some(*method);
            n.callback_satisfaction = Some(satisfaction);
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
        (
            Action::Supplement { note },
            s @ (S::Received
            | S::Transferred
            | S::Returned
            | S::InProgress
            | S::Replied
            | S::AwaitingCallback),
        ) => {
            let note = text("note", note, DESCRIPTION_MAX)?;
            push("supplement", Some(note), s, json!({}));
        }
        (Action::Urge { note }, s @ (S::Transferred | S::InProgress)) => {
            let note = opt_text("note", note.as_deref(), NOTE_MAX)?;
            n.urge_count += 1;
            push(
                "urge",
                note,
                s,
                json!({ "count": n.urge_count, "by_caller": true, "department_id": t.department_id }),
            );
        }
        (
            Action::CoAccept { .. } | Action::CoReply { .. } | Action::CoWaive { .. },
            s @ (S::Transferred | S::InProgress),
        ) => {
            let (name, note, data) = co_event(action, actor)?;
            push(name, note, s, data);
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
#[path = "lifecycle_tests.rs"]
pub(crate) mod tests;
