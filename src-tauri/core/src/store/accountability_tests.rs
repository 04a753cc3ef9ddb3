//! Accountability findings: HR proposes, management decides once, the person concerned is
//! told and answers once; nothing of it is on the ticket's timeline.

use crate::alarms::AlarmKind;
use crate::complaint::accountability::{NewDecision, NewFinding, Proposal};
use crate::model::{Channel, Role};
use crate::store::testutil::setup;
use crate::store::Findings;
use crate::ticket::tests::new_ticket;
use crate::ticket::NewTicket;

#[test]
fn a_finding_is_proposed_decided_told_and_answered() {
    let (_d, s, _c, _dept, _h) = setup();
    let hr = s.create_user(None, "人事 周", 1, Role::Hr).expect("hr");
    let boss = s
        .create_user(None, "张经理", 1, Role::Manager)
        .expect("boss");
    let agent = s
        .create_user(None, "话务员 李娜", 1, Role::Agent)
        .expect("agent");
    let t = s
        .create_ticket(
            agent.id,
            &NewTicket {
                category: "complaint.service_attitude".into(),
                channel: Channel::Phone,
                ..new_ticket()
            },
        )
        .expect("complaint");
    let before = s.timeline(t.id).expect("tl").len();
    let f = s
        .add_finding(
            t.id,
            (&hr).into(),
            &NewFinding {
                staff_id: agent.id,
                finding: "通话中语气生硬，未使用规范用语".into(),
                proposal: Proposal::Assessment,
                proposal_note: Some("当月考核扣 2 分".into()),
            },
        )
        .expect("finding");
    assert_eq!(
        (f.staff_name.as_str(), f.proposal),
        ("话务员 李娜", Proposal::Assessment)
    );
    let told = s.notifications(agent.id, 10).expect("inbox");
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].kind, AlarmKind::Finding);
    let d = NewDecision {
        decision: "同意考核扣分，安排服务规范培训".into(),
        effective_on: "2026-12-01".parse().expect("date"),
    };
    let f = s.decide_finding(f.id, (&boss).into(), &d).expect("decided");
    assert_eq!(f.decided_by.as_deref(), Some("张经理"));
    assert_eq!(
        s.decide_finding(f.id, (&boss).into(), &d)
            .map_err(|e| e.code())
            .err(),
        Some("invalid_transition")
    );
    assert_eq!(s.notifications(agent.id, 10).expect("inbox").len(), 2);
    // Only the person concerned answers, once.
    assert_eq!(
        s.respond_finding(f.id, (&hr).into(), "代答")
            .map_err(|e| e.code())
            .err(),
        Some("forbidden")
    );
    let f = s
        .respond_finding(f.id, (&agent).into(), "当时来电人辱骂在先，已知错")
        .expect("answered");
    assert!(f.responded_at.is_some());
    assert_eq!(
        s.respond_finding(f.id, (&agent).into(), "再答")
            .map_err(|e| e.code())
            .err(),
        Some("invalid_transition")
    );
    assert_eq!(
        s.findings(Findings::About(agent.id)).expect("mine").len(),
        1
    );
    assert_eq!(
        s.findings(Findings::OfTicket(t.id)).expect("ticket").len(),
        1
    );
    // Off the timeline, in the audit log with ids only.
    assert_eq!(s.timeline(t.id).expect("tl").len(), before);
    let log = s.audit_entries(&Default::default()).expect("audit");
    let text = serde_json::to_string(&log).expect("json");
    assert!(text.contains("finding_recorded") && text.contains("finding_decided"));
    assert!(
        !text.contains("语气生硬"),
        "the finding stays out of the log"
    );
}
