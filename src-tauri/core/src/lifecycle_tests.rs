//! Tests of the lifecycle state table.

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
        co_department_ids: vec![],
        co_due_at: None,
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
                resolved: Some(true),
            },
            2,
        )?;
        t = step(
            &t,
            &agent,
            Action::Feedback {
                satisfaction: Some(Satisfaction::Unsatisfied),
                note: None,
                redispatch_due_at: Some(t0() + Duration::days(9)),
                no_redispatch_reason: None,
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
            resolved: Some(true),
        },
        5,
    )?;
    t = step(
        &t,
        &agent,
        Action::Feedback {
            satisfaction: Some(Satisfaction::Satisfied),
            note: None,
            redispatch_due_at: None,
            no_redispatch_reason: None,
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
            satisfaction: Some(Satisfaction::VerySatisfied),
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
    let e = step(&t, &agent, Action::Accept { note: None }, 0).expect_err("agent cannot accept");
    assert_eq!(e.code(), "forbidden");
    let e = step(&t, &handler, Action::Accept { note: None }, 0).expect_err("not in department");
    assert_eq!(e.code(), "forbidden");
    let t = step(&t, &agent, transfer(2), 0).expect("transfer");
    assert_eq!(
        step(&t, &other, Action::Accept { note: None }, 1).map_err(|e| e.code()),
        Err("forbidden")
    );
    let e = step(
        &t,
        &agent,
        Action::Answer {
            answer: "x".into(),
            callback: false,
            article: None,
        },
        1,
    )
    .expect_err("not received");
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
            resolved: Some(false),
        },
        2,
    )
    .expect("reply");
    let e = step(
        &t,
        &agent,
        Action::Feedback {
            satisfaction: Some(Satisfaction::VeryUnsatisfied),
            note: None,
            redispatch_due_at: None,
            no_redispatch_reason: None,
        },
        3,
    )
    .expect_err("no deadline");
    assert_eq!(e.code(), "redispatch_choice");
}

/// No outcome is assumed: a hurried click must not inflate 满意率 or 解决率.
#[test]
fn satisfaction_and_resolution_are_never_defaulted() {
    let agent = user(1, Role::Agent, 1);
    let handler = user(2, Role::Handler, 2);
    let t = step(&ticket(), &agent, transfer(2), 0).expect("transfer");
    let t = step(&t, &handler, Action::Accept { note: None }, 1).expect("accept");
    let unknown = Action::Reply {
        result: "r".into(),
        resolved: None,
    };
    let e = step(&t, &handler, unknown, 2).expect_err("resolved not chosen");
    assert_eq!(
        (e.code(), e.details()["field"].clone()),
        ("required", "resolved".into())
    );
    // The wire form: a missing choice is the same `required`, not a parse failure.
    let parsed: Action = serde_json::from_value(serde_json::json!({"action": "feedback"}))
        .expect("parses without a satisfaction");
    let t = step(
        &t,
        &handler,
        Action::Reply {
            result: "r".into(),
            resolved: Some(false),
        },
        2,
    )
    .expect("reply");
    let e = step(&t, &agent, parsed, 3).expect_err("satisfaction not chosen");
    assert_eq!(e.details()["field"], "satisfaction");
    let feedback = |s: Satisfaction, due: Option<i64>, reason: Option<&str>| Action::Feedback {
        satisfaction: Some(s),
        note: None,
        redispatch_due_at: due.map(|d| t0() + Duration::days(d)),
        no_redispatch_reason: reason.map(str::to_string),
    };
    // Unsatisfied, not re-dispatched: closed with the reason, counted as unsatisfied.
    let out = apply(
        &t,
        &agent,
        &feedback(
            Satisfaction::Unsatisfied,
            None,
            Some("诉求超出政策范围，已解释"),
        ),
        t0() + Duration::hours(3),
        &Policy::default(),
    )
    .expect("closed without re-dispatch");
    assert_eq!(out.ticket.status, Status::Closed);
    assert_eq!(out.ticket.satisfaction, Some(Satisfaction::Unsatisfied));
    assert_eq!(out.ticket.redispatch_count, 0);
    assert_eq!(out.events[0].data["redispatched"], false);
    assert_eq!(out.events[0].data["reason"], "诉求超出政策范围，已解释");
    // A reason excludes a re-dispatch deadline and a satisfied answer.
    for bad in [
        feedback(Satisfaction::Unsatisfied, Some(9), Some("x")),
        feedback(Satisfaction::Satisfied, None, Some("x")),
    ] {
        let e = step(&t, &agent, bad, 3).expect_err("contradiction");
        assert_eq!(e.code(), "redispatch_choice");
    }
    let t = step(&t, &agent, feedback(Satisfaction::Satisfied, None, None), 3).expect("feedback");
    let e = step(
        &t,
        &agent,
        Action::Callback {
            method: CallbackMethod::Phone,
            satisfaction: None,
            note: None,
        },
        4,
    )
    .expect_err("callback satisfaction not chosen");
    assert_eq!(e.details()["field"], "satisfaction");
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
        co_department_ids: vec![],
        co_due_at: None,
    };
    let t = step(&ticket(), &agent, a, 0).expect("transfer");
    let e = step(
        &t,
        &handler,
        Action::Return {
            reason: "非本单位职责".into(),
            reason_code: None,
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
            reason_code: None,
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
            callback: false,
            article: None,
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
        ["answer", "transfer", "comment", "supplement"]
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
    assert_eq!(
        allowed_actions(&t, &agent, now, &p),
        ["comment", "supplement", "urge"]
    );
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
            "pause",
            "supplement",
            "urge"
        ]
    );
}

/// A repeat call adds to the open ticket instead of a duplicate: 补充 anywhere before
/// closure, 催办 while the department works on it, counted and announced.
#[test]
fn repeat_calls_supplement_or_urge_the_open_ticket() {
    let agent = user(1, Role::Agent, 1);
    let handler = user(2, Role::Handler, 2);
    let supplement = || Action::Supplement {
        note: "来电人补充：路灯编号 LD-0375".into(),
    };
    let urge = || Action::Urge { note: None };
    let t = step(&ticket(), &agent, supplement(), 0).expect("supplement before transfer");
    assert_eq!(t.status, Status::Received);
    let e = step(&t, &agent, urge(), 0).expect_err("nobody to urge yet");
    assert_eq!(e.code(), "invalid_transition");
    let t = step(&t, &agent, transfer(2), 0).expect("transfer");
    let out = apply(&t, &agent, &urge(), t0(), &Policy::default()).expect("urge");
    assert_eq!(
        (out.ticket.urge_count, out.ticket.status),
        (1, Status::Transferred)
    );
    assert_eq!(out.events[0].data["count"], 1);
    let t = step(&out.ticket, &agent, urge(), 1).expect("again");
    assert_eq!(t.urge_count, 2);
    let e = step(&t, &handler, urge(), 1).expect_err("the hotline's action");
    assert_eq!(e.code(), "forbidden");
    let e = step(&t, &agent, Action::Supplement { note: " ".into() }, 1).expect_err("empty");
    assert_eq!(e.code(), "required");
    assert!(crate::lifecycle::leaves_state("supplement") && crate::lifecycle::leaves_state("urge"));
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

/// An answer that asks for a callback waits for it (by the policy's days) instead of
/// closing, and only for a caller who can be reached; the callback then archives it.
#[test]
fn an_answer_with_a_callback_waits_for_it() -> Result<()> {
    let agent = user(1, Role::Agent, 1);
    let answer = |callback| Action::Answer {
        answer: "已按通告答复".into(),
        callback,
        article: None,
    };
    let t = step(&ticket(), &agent, answer(true), 0)?;
    assert_eq!(t.status, Status::AwaitingCallback);
    assert_eq!(t.callback_due_at, Some(t0() + Duration::days(3)));
    assert_eq!(t.closed_at, None);
    let mut unreachable = ticket();
    unreachable.phone.clear();
    unreachable.address = None;
    unreachable.email = None;
    assert_eq!(
        step(&unreachable, &agent, answer(true), 0).map_err(|e| e.code()),
        Err("contact_required")
    );
    assert_eq!(
        step(&unreachable, &agent, answer(false), 0)?.status,
        Status::Closed
    );
    let done = step(
        &t,
        &agent,
        Action::Callback {
            method: CallbackMethod::Phone,
            satisfaction: Some(Satisfaction::ALL[0]),
            note: None,
        },
        24,
    )?;
    assert_eq!(done.status, Status::Archived);
    Ok(())
}
