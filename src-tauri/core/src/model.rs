//! The data model: plain values that the store reads and writes and the lifecycle transforms.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

str_enum!(
    /// Where a ticket stands in the 12345-style lifecycle (docs/design.md).
    Status {
        Received = "received",
        Closed = "closed",
        Transferred = "transferred",
        Returned = "returned",
        InProgress = "in_progress",
        Replied = "replied",
        AwaitingCallback = "awaiting_callback",
        Archived = "archived",
    }
);

impl Status {
    /// No more work is expected (until a reopen).
    pub const FINAL: &'static [Status] = &[Status::Closed, Status::Archived];

    pub fn is_final(self) -> bool {
        Status::FINAL.contains(&self)
    }
}

str_enum!(
    /// The lifecycle actions by name (`lifecycle::Action` carries their arguments).
    ActionKind {
        Answer = "answer",
        Transfer = "transfer",
        Return = "return",
        Accept = "accept",
        RequestExtension = "request_extension",
        ApproveExtension = "approve_extension",
        RefuseExtension = "refuse_extension",
        Reply = "reply",
        Feedback = "feedback",
        Callback = "callback",
        Reopen = "reopen",
        Comment = "comment",
        Pause = "pause",
        Resume = "resume",
        /// 补充: the caller called again with more information for an open ticket.
        Supplement = "supplement",
        /// 催办: the caller called again to urge the department; counted on the ticket.
        Urge = "urge",
        /// 协办: a co-handling department accepts its part, replies with it, or is waived.
        CoAccept = "co_accept",
        CoReply = "co_reply",
        CoWaive = "co_waive",
    }
);

str_enum!(Channel {
    Phone = "phone",
    Email = "email",
    Online = "online",
    WalkIn = "walk_in",
    Letter = "letter",
});

str_enum!(
    /// Incident level of the emergency plans: 一般, 较大, 重大, 特别重大.
    Severity {
        General = "general",
        Serious = "serious",
        Major = "major",
        Extraordinary = "extraordinary",
    }
);

impl Severity {
    pub fn raised(self) -> Severity {
        match self {
            Severity::General => Severity::Serious,
            Severity::Serious => Severity::Major,
            Severity::Major | Severity::Extraordinary => Severity::Extraordinary,
        }
    }
}

str_enum!(Urgency {
    Normal = "normal",
    Urgent = "urgent",
});

str_enum!(
    /// The five-level satisfaction scale of the feedback and callback.
    Satisfaction {
        VerySatisfied = "very_satisfied",
        Satisfied = "satisfied",
        BasicallySatisfied = "basically_satisfied",
        Unsatisfied = "unsatisfied",
        VeryUnsatisfied = "very_unsatisfied",
    }
);

impl Satisfaction {
    /// Whether the caller accepts the result; the unsatisfied levels send the ticket back.
    pub fn accepts(self) -> bool {
        !matches!(
            self,
            Satisfaction::Unsatisfied | Satisfaction::VeryUnsatisfied
        )
    }
}

str_enum!(CallbackMethod {
    Phone = "phone",
    Questionnaire = "questionnaire",
});

str_enum!(
    /// 话务员, 承办人, 班长, 管理者, 管理员; 质检员, 法务, 人力资源, 培训师.
    Role {
        Agent = "agent",
        Handler = "handler",
        Supervisor = "supervisor",
        Manager = "manager",
        Admin = "admin",
        Qa = "qa",
        Legal = "legal",
        Hr = "hr",
        Trainer = "trainer",
    }
);

str_enum!(
    /// What a role may do; `permissions::allows` is the matrix.
    Perm {
        ViewTickets = "view_tickets",
        CreateTickets = "create_tickets",
        ActOnTickets = "act_on_tickets",
        RevealPersonal = "reveal_personal",
        ExportPersonal = "export_personal",
        ViewReports = "view_reports",
        ExportReports = "export_reports",
        ImportCalls = "import_calls",
        ManageReference = "manage_reference",
        ManageSettings = "manage_settings",
        ManageUsers = "manage_users",
        ViewAudit = "view_audit",
        ManageBackups = "manage_backups",
        ManageRetention = "manage_retention",
        ImportTickets = "import_tickets",
        LoadDemo = "load_demo",
        /// Incidents, their plans and bulletins: the whole centre sees an emergency.
        ViewIncidents = "view_incidents",
        /// Declaring (level 1; proposing higher), attaching calls, commenting.
        ReportIncidents = "report_incidents",
        /// Declaring at any level, raising, lowering, leading and closing the response.
        ManageIncidents = "manage_incidents",
        /// Approving and publishing the wording callers are given (口径).
        PublishBulletins = "publish_bulletins",
        /// Editing the emergency plans.
        ManagePlans = "manage_plans",
        /// Shifts and the 24-hour duty roster; deciding swaps and covers.
        ManageRoster = "manage_roster",
        /// A complaint case's acknowledgement and the remedy the complainant seeks.
        HandleComplaints = "handle_complaints",
        /// The urgency × impact assessment: severity, legal review, the emergency plan.
        AssessComplaints = "assess_complaints",
        /// Legal opinions on risky complaints (the gate on relaying their answers).
        LegalReview = "legal_review",
        /// A complaint's root cause and its improvement measures.
        AnalyseComplaints = "analyse_complaints",
        /// Reading the accountability findings about staff (人力资源, management).
        ViewFindings = "view_findings",
        /// Recording findings and proposing 考核 or 奖惩 (人力资源).
        ProposeFindings = "propose_findings",
        /// Deciding on a finding.
        DecideFindings = "decide_findings",
        /// Spot checks: the scorecard, the samples and every review's score.
        ViewQa = "view_qa",
        /// Scoring the calls assigned, deciding others' disputes (质检员).
        ScoreCalls = "score_calls",
        /// Editing the scorecard and drawing the month's sample.
        ManageQa = "manage_qa",
        /// Playing call recordings (each playback logged).
        PlayRecordings = "play_recordings",
        /// The training plan, sessions and attendance, the question bank and exams.
        ManageTraining = "manage_training",
        /// Writing knowledge articles and sending them for review (a department: its own).
        ProposeKnowledge = "propose_knowledge",
        /// Reviewing, publishing and retiring articles; importing them (知识库编辑).
        ManageKnowledge = "manage_knowledge",
        /// Keeping the dispatch catalogue (派单目录) and deciding disputed dispatches.
        ManageDispatch = "manage_dispatch",
        /// Proposing a ticket as unreasonable for the assessment (不合理件).
        ProposeExclusion = "propose_exclusion",
        /// Approving or refusing such a proposal.
        DecideExclusion = "decide_exclusion",
        /// A department appealing an entry of its month's figures (申诉).
        FileAppeal = "file_appeal",
        /// Upholding or rejecting an appeal.
        DecideAppeal = "decide_appeal",
        /// Issuing a 催办通知书 or a 督办单 to a department.
        IssueNotices = "issue_notices",
    }
);

str_enum!(
    /// The desk's work queues. "mine" depends on the user: a department handler's is their
    /// department's open transfers, everyone else's the tickets they took that wait on them.
    Queue {
        Mine = "mine",
        Received = "received",
        AwaitingAcceptance = "awaiting_acceptance",
        Returned = "returned",
        InProgress = "in_progress",
        /// 延期待审批: extension requests waiting for a supervisor.
        ExtensionPending = "extension_pending",
        DueSoon = "due_soon",
        Overdue = "overdue",
        AwaitingFeedback = "awaiting_feedback",
        AwaitingCallback = "awaiting_callback",
        Closed = "closed",
        All = "all",
    }
);

str_enum!(ExtensionState {
    Pending = "pending",
    Approved = "approved",
    Refused = "refused",
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Department {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// Stable code, e.g. `complaint.service_attitude`; the UI translates known codes.
    pub code: String,
    pub name: String,
    /// Prefills the handling deadline of a transfer slip.
    pub default_days: i64,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub department_id: i64,
    pub role: Role,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub phones: Vec<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: i64,
    /// Human number: local date plus per-day sequence, `20261122-0007`.
    pub number: String,
    pub version: i64,
    pub status: Status,
    pub customer_id: Option<i64>,
    /// Empty when the caller gave none.
    pub caller_name: String,
    /// Normalised national digits, or `+` and the digits of a foreign number (the
    /// history key); empty when withheld or when the channel has no phone.
    pub phone: String,
    pub phone_ext: Option<String>,
    /// The caller asked to stay anonymous: name and contact never leave the hotline
    /// (the slip, masked views and masked exports show neither).
    #[serde(default)]
    pub anonymous: bool,
    /// The call came in with its number withheld.
    #[serde(default)]
    pub phone_withheld: bool,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    pub description: String,
    pub occurred_at: Option<DateTime<Utc>>,
    pub received_at: DateTime<Utc>,
    pub category_id: i64,
    pub channel: Channel,
    pub severity: Severity,
    pub urgency: Urgency,
    pub created_by: i64,
    pub department_id: Option<i64>,
    pub handler_id: Option<i64>,
    pub requirements: Option<String>,
    pub transferred_at: Option<DateTime<Utc>>,
    pub accept_due_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub extension: Option<ExtensionState>,
    pub extension_due_at: Option<DateTime<Utc>>,
    pub answer: Option<String>,
    pub result: Option<String>,
    pub resolved: Option<bool>,
    pub replied_at: Option<DateTime<Utc>>,
    pub satisfaction: Option<Satisfaction>,
    pub callback_due_at: Option<DateTime<Utc>>,
    pub callback_method: Option<CallbackMethod>,
    pub callback_satisfaction: Option<Satisfaction>,
    pub redispatch_count: i64,
    pub return_count: i64,
    pub reopen_count: i64,
    /// 催办: repeat calls that urged the department.
    #[serde(default)]
    pub urge_count: i64,
    /// 提级督办: raised for supervision (third re-dispatch, later also by escalation rules).
    pub supervised: bool,
    /// Waiting for the caller since then: the SLA clock stands still.
    pub paused_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    /// 并单: this call was merged into that ticket (the master handles it).
    #[serde(default)]
    pub merged_into: Option<i64>,
}

impl Ticket {
    /// Whether anyone could relay a result to the caller or call back: a phone, an
    /// e-mail address or a postal address.
    pub fn has_contact(&self) -> bool {
        !self.phone.is_empty() || self.email.is_some() || self.address.is_some()
    }
}

/// One immutable line of a ticket's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: i64,
    pub ticket_id: i64,
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: i64,
    pub actor_name: String,
    pub action: String,
    pub note: Option<String>,
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub data: serde_json::Value,
}

/// A row of a queue: what a list needs, joined with display names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketRow {
    pub id: i64,
    pub number: String,
    pub status: Status,
    pub caller_name: String,
    pub phone: String,
    pub anonymous: bool,
    pub summary: String,
    pub category_code: String,
    pub category_name: String,
    pub channel: Channel,
    pub severity: Severity,
    pub urgency: Urgency,
    pub department_name: Option<String>,
    pub handler_name: Option<String>,
    pub received_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub redispatch_count: i64,
    pub supervised: bool,
    /// Business minutes until the running deadline (negative: overdue by that much), on
    /// the office calendar; None when no deadline runs.
    pub due_left_minutes: Option<i64>,
    /// Minutes since a passed deadline, by the clock: a deadline passed at 17:30 is
    /// overdue all night although no business minute has gone by. None when not overdue.
    #[serde(default)]
    pub overdue_minutes: Option<i64>,
    /// Where a search matched, marked (searches only; from the masked text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<crate::search::Snippet>,
}

str_enum!(
    /// Where a co-handling (协办) part stands.
    PartState {
        Open = "open",
        Accepted = "accepted",
        Replied = "replied",
        Waived = "waived",
        /// The ticket was transferred again: this round's parts no longer count.
        Cancelled = "cancelled",
    }
);

impl PartState {
    /// Still owed before the lead may reply.
    pub fn owed(self) -> bool {
        matches!(self, PartState::Open | PartState::Accepted)
    }
}

/// A co-handling department's part of a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoPart {
    pub id: i64,
    pub department_id: i64,
    pub department_name: String,
    pub state: PartState,
    pub due_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub waive_reason: Option<String>,
    /// Who accepted, replied or waived last.
    pub by: Option<String>,
}

/// A ticket with everything the detail view shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketDetail {
    pub ticket: Ticket,
    pub category: Category,
    pub department: Option<Department>,
    pub handler: Option<User>,
    pub created_by: User,
    pub events: Vec<Event>,
    /// 协办: the co-handling departments' parts, every round.
    #[serde(default)]
    pub co_parts: Vec<CoPart>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn enums_round_trip_through_their_codes() {
        for s in Status::ALL {
            assert_eq!(Status::from_str(s.as_str()).ok(), Some(*s));
            assert_eq!(
                serde_json::to_value(s).ok(),
                Some(serde_json::json!(s.as_str()))
            );
        }
        // The wire form (serde) and the stored form (as_str) are one and the same.
        fn same<T: serde::Serialize + Copy>(all: &[T], code: fn(T) -> &'static str) {
            for v in all {
                assert_eq!(
                    serde_json::to_value(v).ok(),
                    Some(serde_json::json!(code(*v)))
                );
            }
        }
        same(Satisfaction::ALL, Satisfaction::as_str);
        same(ActionKind::ALL, ActionKind::as_str);
        same(Channel::ALL, Channel::as_str);
        same(Severity::ALL, Severity::as_str);
        same(Urgency::ALL, Urgency::as_str);
        same(CallbackMethod::ALL, CallbackMethod::as_str);
        same(Role::ALL, Role::as_str);
        same(Perm::ALL, Perm::as_str);
        same(Queue::ALL, Queue::as_str);
        same(ExtensionState::ALL, ExtensionState::as_str);
        for s in Satisfaction::ALL {
            assert_eq!(Satisfaction::from_str(s.as_str()).ok(), Some(*s));
        }
        let e = Channel::from_str("fax").expect_err("fax is no channel");
        assert_eq!(e.code(), "invalid_value");
    }

    #[test]
    fn severity_raises_to_the_top_and_stays() {
        assert_eq!(Severity::General.raised(), Severity::Serious);
        assert_eq!(Severity::Extraordinary.raised(), Severity::Extraordinary);
    }
}
