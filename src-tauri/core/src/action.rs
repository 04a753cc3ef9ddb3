//! The lifecycle actions with their arguments, as the wire and the forms carry them: what
//! `lifecycle::apply` takes. Their names are `model::ActionKind`.

use crate::model::{ActionKind, CallbackMethod, Satisfaction};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// 直接答复: answered at first contact. Closes the ticket, or with `callback` waits
    /// for the callback that checks satisfaction (an emergency plan may ask for one).
    Answer {
        answer: String,
        #[serde(default)]
        callback: bool,
        /// The knowledge article (and version) whose wording the answer gave.
        #[serde(default)]
        article: Option<crate::kb::ArticleRef>,
    },
    /// 转办: the transfer slip.
    Transfer {
        department_id: i64,
        requirements: String,
        due_at: DateTime<Utc>,
        #[serde(default)]
        accept_due_at: Option<DateTime<Utc>>,
        /// 协办: departments that each reply with their part before the lead's reply.
        #[serde(default)]
        co_department_ids: Vec<i64>,
        /// The co-handlers' deadline (none: the lead's).
        #[serde(default)]
        co_due_at: Option<DateTime<Utc>>,
    },
    /// 退回: the department declines, with a reason, before its acceptance deadline.
    Return {
        reason: String,
        /// The reason from the list (退单理由); required of a department.
        #[serde(default)]
        reason_code: Option<crate::returns::ReturnReason>,
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
        /// Whether the matter was solved: asked every time, never assumed, since a
        /// default would inflate the resolution rate.
        #[serde(default)]
        resolved: Option<bool>,
    },
    /// 反馈: the hotline relays the result and records satisfaction. An unsatisfied
    /// answer either goes back to the department with a new deadline (发回重办) or,
    /// with a reason, is closed as unsatisfied without re-dispatch.
    Feedback {
        /// Required; optional here only so that a missing choice is the domain's
        /// `required` error rather than a parse failure.
        #[serde(default)]
        satisfaction: Option<Satisfaction>,
        #[serde(default)]
        note: Option<String>,
        #[serde(default)]
        redispatch_due_at: Option<DateTime<Utc>>,
        #[serde(default)]
        no_redispatch_reason: Option<String>,
    },
    /// 回访.
    Callback {
        method: CallbackMethod,
        #[serde(default)]
        satisfaction: Option<Satisfaction>,
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
    /// 补充: a repeat call adds information to the open ticket instead of a duplicate.
    Supplement {
        note: String,
    },
    /// 催办: a repeat call urges the department; the department hears of it.
    Urge {
        #[serde(default)]
        note: Option<String>,
    },
    /// A co-handling department accepts its part.
    CoAccept {
        #[serde(default)]
        note: Option<String>,
    },
    /// A co-handling department's part of the result (协办意见).
    CoReply {
        result: String,
    },
    /// A co-handling part is waived (no longer needed), with the reason.
    CoWaive {
        department_id: i64,
        reason: String,
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
            Action::Supplement { .. } => K::Supplement,
            Action::Urge { .. } => K::Urge,
            Action::CoAccept { .. } => K::CoAccept,
            Action::CoReply { .. } => K::CoReply,
            Action::CoWaive { .. } => K::CoWaive,
        }
    }

    pub fn name(&self) -> &'static str {
        self.kind().as_str()
    }
}
