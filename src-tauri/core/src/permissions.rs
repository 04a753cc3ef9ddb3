//! The permission matrix (role × permission) and the department scope: pure rules that
//! the permission door (`access::Acting`) and the store's queues both follow.

use crate::model::{Perm, Role, User};

/// The permission matrix. Masked display is the default for everyone; revealing one
/// caller's data is a logged act of the roles that must phone callers back.
pub fn allows(role: Role, perm: Perm) -> bool {
    use Perm::*;
    match role {
        Role::Agent => matches!(
            perm,
            ViewTickets
                | CreateTickets
                | ActOnTickets
                | RevealPersonal
                | ViewIncidents
                | ReportIncidents
                | HandleComplaints
                | ProposeKnowledge
                | ProposeExclusion
        ),
        Role::Handler => matches!(
            perm,
            ViewTickets
                | ActOnTickets
                | RevealPersonal
                | ViewIncidents
                | ProposeKnowledge
                | ProposeExclusion
                | FileAppeal
        ),
        Role::Supervisor => matches!(
            perm,
            ViewTickets
                | CreateTickets
                | ActOnTickets
                | RevealPersonal
                | ViewReports
                | ExportReports
                | ViewIncidents
                | ReportIncidents
                | ManageIncidents
                | PublishBulletins
                | HandleComplaints
                | AssessComplaints
                | AnalyseComplaints
                | ViewQa
                | PlayRecordings
                | ProposeKnowledge
                | ManageKnowledge
                | ManageDispatch
                | ProposeExclusion
                | DecideExclusion
                | IssueNotices
        ),
        Role::Manager => matches!(
            perm,
            ViewTickets
                | ActOnTickets
                | ViewReports
                | ExportReports
                | ImportCalls
                | ViewIncidents
                | ReportIncidents
                | ManageIncidents
                | PublishBulletins
                | ManagePlans
                | ManageRoster
                | HandleComplaints
                | AssessComplaints
                | AnalyseComplaints
                | ViewFindings
                | DecideFindings
                | ViewQa
                | ManageQa
                | PlayRecordings
                | ManageTraining
                | ProposeKnowledge
                | ManageKnowledge
                | ManageDispatch
                | ProposeExclusion
                | DecideExclusion
                | DecideAppeal
                | IssueNotices
        ),
        // The quality, legal, HR and training staff read tickets (masked) and the
        // centre's emergencies; what each does besides is its own permission.
        Role::Legal => matches!(perm, ViewTickets | ViewIncidents | LegalReview),
        Role::Hr => matches!(
            perm,
            ViewTickets | ViewIncidents | ViewFindings | ProposeFindings
        ),
        Role::Qa => matches!(
            perm,
            ViewTickets | ViewIncidents | ViewQa | ScoreCalls | PlayRecordings
        ),
        Role::Trainer => matches!(
            perm,
            ViewTickets | ViewIncidents | ManageTraining | ProposeKnowledge
        ),
        // Administration without reading callers' data (bulk export is the one way, with
        // its own permission and a log entry), nor staff's accountability records, nor
        // giving legal opinions, nor judging the assessment's entries.
        Role::Admin => !matches!(
            perm,
            RevealPersonal
                | ViewFindings
                | ProposeFindings
                | DecideFindings
                | LegalReview
                | ProposeExclusion
                | DecideExclusion
                | FileAppeal
                | DecideAppeal
                | IssueNotices
        ),
    }
}

/// Every permission a role has, for the UI (which hides what the backend refuses).
pub fn permissions(role: Role) -> Vec<Perm> {
    Perm::ALL
        .iter()
        .copied()
        .filter(|p| allows(role, *p))
        .collect()
}

/// A department handler sees and acts on their own department's tickets only.
pub fn department_scope(user: &User) -> Option<i64> {
    (user.role == Role::Handler).then_some(user.department_id)
}

pub fn sees(user: &User, ticket_department: Option<i64>) -> bool {
    match department_scope(user) {
        Some(d) => ticket_department == Some(d),
        None => true,
    }
}
