//! Complaint cases in the store: opened with the ticket, acknowledged once, assessed on the
//! matrix (the ticket's severity follows) and the legal gate on relaying the answer.

use crate::complaint::{AckMethod, Grade, LegalOutcome, NewAssessment, NewOpinion};
use crate::model::{Channel, Role, Severity, Status, User};
use crate::store::testutil::{setup, t0};
use crate::store::Store;
use crate::ticket::tests::new_ticket;
use crate::ticket::NewTicket;
use crate::Action;
use chrono::Duration;

fn complaint(channel: Channel) -> NewTicket {
    NewTicket {
        category: "complaint.service_attitude".into(),
        description: "话务员态度恶劣，挂断电话，要求道歉并赔偿话费。".into(),
        channel,
        ..new_ticket()
    }
}

fn boss(s: &Store) -> User {
    s.create_user(None, "李班长", 1, Role::Supervisor)
        .expect("user")
}

fn assess(u: i64, i: i64) -> NewAssessment {
    NewAssessment {
        urgency: Grade::try_from(u).expect("grade"),
        impact: Grade::try_from(i).expect("grade"),
        severity: None,
        risky: None,
        note: None,
    }
}

#[test]
fn a_complaint_opens_a_case_acknowledged_at_once_only_in_person() {
    let (_d, s, clock, _dept, _h) = setup();
    let call = s
        .create_ticket(1, &complaint(Channel::Phone))
        .expect("call");
    let k = s.complaint(call.id).expect("read").expect("a case");
    assert_eq!(k.acknowledged_at, Some(t0()));
    assert_eq!(k.ack_method, Some(AckMethod::AtIntake));
    assert_eq!(k.ack_due_at, t0() + Duration::hours(24));
    let mail = s
        .create_ticket(1, &complaint(Channel::Letter))
        .expect("mail");
    let k = s.complaint(mail.id).expect("read").expect("a case");
    assert_eq!(k.acknowledged_at, None);
    let plain = s.create_ticket(1, &new_ticket()).expect("help request");
    assert_eq!(s.complaint(plain.id).expect("read"), None);

    let b = boss(&s);
    clock.advance(Duration::hours(30));
    let k = s
        .acknowledge_complaint(mail.id, (&b).into(), AckMethod::Email)
        .expect("acknowledged");
    assert_eq!(k.acknowledged_by.as_deref(), Some("李班长"));
    let last = s.detail(mail.id).expect("d").events.pop().expect("event");
    assert_eq!(last.action, "acknowledge");
    assert_eq!(last.data["on_time"], false, "30 h against 24");
    assert_eq!(
        s.acknowledge_complaint(mail.id, (&b).into(), AckMethod::Phone)
            .map_err(|e| e.code()),
        Err("invalid_transition")
    );
    assert_eq!(
        s.set_remedy(plain.id, (&b).into(), "道歉")
            .map_err(|e| e.code()),
        Err("not_found"),
        "not a complaint"
    );
    let k = s
        .set_remedy(mail.id, (&b).into(), "书面道歉，退还话费")
        .expect("remedy");
    assert_eq!(k.remedy, "书面道歉，退还话费");
    // Bad input changes nothing.
    let before = s.ticket(mail.id).expect("t").version;
    assert_eq!(
        s.set_remedy(mail.id, (&b).into(), "  ")
            .map_err(|e| e.code()),
        Err("required")
    );
    assert_eq!(s.ticket(mail.id).expect("t").version, before);
}

#[test]
fn the_assessment_sets_the_tickets_severity_and_explains_itself() {
    let (_d, s, _c, _dept, _h) = setup();
    let b = boss(&s);
    let t = s.create_ticket(1, &complaint(Channel::Phone)).expect("t");
    let k = s
        .assess_complaint(t.id, (&b).into(), &assess(3, 3))
        .expect("assessed");
    assert_eq!(
        (k.suggested, k.risky, k.emergency),
        (Some(Severity::Extraordinary), true, true)
    );
    assert_eq!(
        k.incident_level.map(|l| l.get()),
        Some(4),
        "the plan's level"
    );
    let t2 = s.ticket(t.id).expect("t");
    assert_eq!(t2.severity, Severity::Extraordinary);
    assert_eq!(t2.version, t.version + 1);
    let e = s.detail(t.id).expect("d").events.pop().expect("event");
    assert_eq!(
        (e.action.as_str(), e.data["from_severity"].as_str()),
        ("assess", Some("general"))
    );
    // Lowering below the matrix needs a reason, and changes nothing without one.
    let lower = NewAssessment {
        severity: Some(Severity::General),
        ..assess(3, 3)
    };
    assert_eq!(
        s.assess_complaint(t.id, (&b).into(), &lower)
            .map_err(|e| e.code()),
        Err("required")
    );
    assert_eq!(s.ticket(t.id).expect("t").severity, Severity::Extraordinary);
}

/// The done-when test: a risky complaint's feedback is refused before the legal opinion,
/// with a typed error; a "revise" opinion keeps it held; a cleared one lets it through.
#[test]
fn a_risky_complaints_answer_waits_for_legal() {
    let (_d, s, _c, dept, handler) = setup();
    let b = boss(&s);
    let legal = s
        .create_user(None, "赵律师", 1, Role::Legal)
        .expect("legal");
    let t = s.create_ticket(1, &complaint(Channel::Phone)).expect("t");
    s.assess_complaint(t.id, (&b).into(), &assess(2, 2))
        .expect("risky");
    // Answering at once is relaying too.
    let answer = Action::Answer {
        answer: "已道歉".into(),
        callback: false,
        article: None,
    };
    assert_eq!(
        s.act(t.id, s.ticket(t.id).expect("t").version, 1, &answer)
            .map_err(|e| e.code()),
        Err("legal_review_pending")
    );
    let step = |a: Action, who: i64| {
        let v = s.ticket(t.id).expect("t").version;
        s.act(t.id, v, who, &a)
    };
    step(
        Action::Transfer {
            department_id: dept,
            requirements: "核实话务员录音".into(),
            due_at: t0() + Duration::days(3),
            accept_due_at: None,
            co_department_ids: vec![],
            co_due_at: None,
        },
        1,
    )
    .expect("transfer");
    step(Action::Accept { note: None }, handler.id).expect("accept");
    step(
        Action::Reply {
            result: "经核实属实，已批评教育".into(),
            resolved: Some(true),
        },
        handler.id,
    )
    .expect("reply");
    let feedback = Action::Feedback {
        satisfaction: Some(crate::model::Satisfaction::Satisfied),
        note: None,
        redispatch_due_at: None,
        no_redispatch_reason: None,
    };
    let before = s.ticket(t.id).expect("t");
    assert_eq!(
        step(feedback.clone(), 1).map_err(|e| e.code()),
        Err("legal_review_pending")
    );
    assert_eq!(s.ticket(t.id).expect("t"), before, "nothing changed");
    let (_, allowed) = s.detail_for(t.id, 1).expect("detail");
    assert!(!allowed.contains(&crate::model::ActionKind::Feedback));

    let opinion = |outcome, text: &str| NewOpinion {
        outcome,
        opinion: text.into(),
    };
    let k = s
        .legal_opinion(
            t.id,
            (&legal).into(),
            &opinion(LegalOutcome::Revise, "答复中不得承诺赔偿金额"),
        )
        .expect("revise");
    assert!(k.relay_held);
    assert_eq!(
        step(feedback.clone(), 1).map_err(|e| e.code()),
        Err("legal_review_pending")
    );
    let k = s
        .legal_opinion(
            t.id,
            (&legal).into(),
            &opinion(LegalOutcome::Cleared, "可以答复"),
        )
        .expect("cleared");
    assert!(!k.relay_held);
    assert_eq!(k.opinions.len(), 2);
    assert_eq!(
        step(feedback, 1).expect("relayed").status,
        Status::AwaitingCallback
    );
    // Opinions are kept as given.
    let changed = s.write(|tx| {
        tx.execute("UPDATE legal_opinions SET opinion = 'x'", [])?;
        Ok(())
    });
    assert!(changed.is_err());
}

/// Imported history opens its cases too, acknowledged by its first step after intake.
#[test]
fn imported_complaints_are_cases() {
    let (_d, s, _c, _dept, _h) = setup();
    let csv = "caller_name,phone,description,category,channel,answer\n\
               张三,13812345678,产品质量差要求退货,complaint.product,online,已答复\n\
               李四,13900001111,咨询营业时间,consultation,phone,\n";
    let report = crate::exchange::import_csv(&s, 1, csv.as_bytes(), true).expect("import");
    assert_eq!(report.imported, 2, "{report:?}");
    let id = s.ticket_id_by_number(&report.numbers[0]).expect("id");
    let other = s.ticket_id_by_number(&report.numbers[1]).expect("id");
    assert_eq!(s.complaint(other).expect("read"), None);
    let k = s.complaint(id).expect("read").expect("a case");
    assert!(k.acknowledged_at.is_some(), "{k:?}");
}

#[test]
fn opening_cases_reads_the_new_tickets_by_id_not_every_complaint() {
    let (_d, s, _clock) = crate::store::testutil::sqlite_store();
    // Without statistics (the store runs no ANALYZE), as on the million-ticket store where
    // SQLite chose the category index and visited every complaint on each intake.
    let plan = s
        .read(|c| {
            let mut st = c.prepare(&format!("EXPLAIN QUERY PLAN {}", super::OPEN_CASES))?;
            let rows: Vec<String> = st
                .query_map((1_000_000, crate::complaint::COMPLAINT_ROOT, 24), |r| {
                    r.get(3)
                })?
                .collect::<crate::store::sql::Result<_>>()?;
            Ok(rows)
        })
        .expect("plan");
    let text = plan.join(" | ");
    assert!(
        plan.iter()
            .any(|p| p.starts_with("SEARCH t USING INTEGER PRIMARY KEY (rowid>?)")),
        "{text}"
    );
}
