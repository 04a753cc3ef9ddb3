//! Return review in the store: a department's return is a request; a refused one never
//! stops the clock; a refusal is escalated once to another supervisor, whose word is final;
//! an approval made after the window still carries out a return asked within it.

use crate::model::{Role, Status};
use crate::returns::{RequestState, ReturnReason};
use crate::store::testutil::{setup, t0};
use crate::ticket::tests::new_ticket;
use crate::Action;
use chrono::Duration;

fn transfer(dept: i64) -> Action {
    Action::Transfer {
        department_id: dept,
        requirements: "请处理".into(),
        due_at: t0() + Duration::days(5),
        accept_due_at: Some(t0() + Duration::hours(4)),
        co_department_ids: vec![],
        co_due_at: None,
    }
}

fn ret(code: Option<ReturnReason>) -> Action {
    Action::Return {
        reason: "该路段属滨江区管辖".into(),
        reason_code: code,
    }
}

#[test]
fn a_refused_return_never_stops_the_clock_and_the_supervisor_decides_last() {
    let (_d, s, clock, dept, handler) = setup();
    let sup = s
        .create_user(None, "派单员 赵", 1, Role::Supervisor)
        .expect("sup");
    let chief = s
        .create_user(None, "值班长 钱", 1, Role::Supervisor)
        .expect("chief");
    let t = s
        .intake(1, &new_ticket(), Some(&transfer(dept)))
        .expect("transferred");
    let alarms = |s: &crate::Store| -> i64 {
        s.read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM alarms WHERE ticket_id = ?1 AND fired_at IS NULL",
                [t.id],
                |r| r.get(0),
            )?)
        })
        .expect("alarms")
    };
    let due_alarms = alarms(&s);
    assert_eq!(
        s.act(t.id, t.version, handler.id, &ret(None))
            .map_err(|e| e.code())
            .err(),
        Some("required")
    );
    let r = s
        .act(
            t.id,
            t.version,
            handler.id,
            &ret(Some("territory".parse::<ReturnReason>().expect("code"))),
        )
        .expect("requested");
    assert_eq!(
        (r.status, r.due_at, r.return_count),
        (Status::Transferred, t.due_at, 0)
    );
    assert_eq!(
        s.act(
            r.id,
            r.version,
            handler.id,
            &ret(Some("territory".parse::<ReturnReason>().expect("code")))
        )
        .map_err(|e| e.code())
        .err(),
        Some("return_pending")
    );
    // Refused, with a reason: the department keeps it, deadline and alarms as they were.
    assert_eq!(
        s.decide_return(&sup, t.id, false, None)
            .map_err(|e| e.code())
            .err(),
        Some("required")
    );
    let q = s
        .decide_return(&sup, t.id, false, Some("地址属本区，请签收办理"))
        .expect("refused");
    assert_eq!(q.state, RequestState::Refused);
    let after = s.ticket(t.id).expect("ticket");
    assert_eq!(
        (after.status, after.due_at, after.paused_at),
        (Status::Transferred, t.due_at, None)
    );
    assert_eq!(alarms(&s), due_alarms);
    // Escalated once; the refusing dispatcher cannot decide it; another supervisor can.
    clock.set(t0() + Duration::hours(6));
    let e = s
        .escalate_return(&handler, t.id, "确属滨江区")
        .expect("escalated");
    assert_eq!(e.state, RequestState::Escalated);
    assert_eq!(
        s.escalate_return(&handler, t.id, "再次")
            .map_err(|e| e.code())
            .err(),
        Some("invalid_transition")
    );
    assert_eq!(
        s.decide_return(&sup, t.id, false, Some("维持"))
            .map_err(|e| e.code())
            .err(),
        Some("forbidden")
    );
    let f = s
        .decide_return(&chief, t.id, false, Some("维持原决定"))
        .expect("upheld");
    assert_eq!(f.state, RequestState::Upheld);
    assert_eq!(
        s.escalate_return(&handler, t.id, "再议")
            .map_err(|e| e.code())
            .err(),
        Some("invalid_transition")
    );
    assert_eq!(s.ticket(t.id).expect("t").status, Status::Transferred);
    let actions: Vec<String> = s
        .timeline(t.id)
        .expect("tl")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "create",
            "transfer",
            "return_requested",
            "return_refused",
            "return_escalated",
            "return_upheld"
        ]
    );
}

#[test]
fn an_approval_carries_out_a_return_asked_within_its_window() {
    let (_d, s, clock, dept, handler) = setup();
    let sup = s
        .create_user(None, "派单员 赵", 1, Role::Supervisor)
        .expect("sup");
    let t = s
        .intake(1, &new_ticket(), Some(&transfer(dept)))
        .expect("transferred");
    s.act(
        t.id,
        t.version,
        handler.id,
        &ret(Some("not_ours".parse::<ReturnReason>().expect("code"))),
    )
    .expect("requested");
    // Decided after the four-hour acceptance window: the request was in time.
    clock.set(t0() + Duration::hours(8));
    let a = s.decide_return(&sup, t.id, true, None).expect("approved");
    assert_eq!(a.state, RequestState::Approved);
    let back = s.ticket(t.id).expect("ticket");
    assert_eq!((back.status, back.return_count), (Status::Returned, 1));
    assert_eq!(
        s.decide_return(&sup, t.id, true, None)
            .map_err(|e| e.code())
            .err(),
        Some("invalid_transition")
    );
    // A handler's late return, with no request, stays refused by the window.
    clock.set(t0());
    let u = s
        .intake(1, &new_ticket(), Some(&transfer(dept)))
        .expect("second");
    clock.set(t0() + Duration::hours(20));
    assert_eq!(
        s.act(
            u.id,
            u.version,
            handler.id,
            &ret(Some("other".parse::<ReturnReason>().expect("code")))
        )
        .map_err(|e| e.code())
        .err(),
        Some("return_window_passed")
    );
    let f = s
        .dispatch_figures(t0() - Duration::days(1), t0() + Duration::days(1))
        .expect("figures");
    assert_eq!(f.returns.len(), 1);
    assert_eq!(
        (
            f.returns[0].requested,
            f.returns[0].approved,
            f.returns[0].refused
        ),
        (1, 1, 0)
    );
}

/// The list of return reasons is the centre's: a dispatcher adds one, a department returns
/// with it, and once taken off the list it is refused but still names the old requests.
#[test]
fn the_centres_own_return_reasons_are_offered_and_checked() {
    let (_d, s, _clock, dept, handler) = setup();
    let sup = s
        .create_user(None, "派单员 赵", 1, Role::Supervisor)
        .expect("sup");
    let code = |c: &str| c.parse::<ReturnReason>().expect("code");
    let listed = s.return_reasons().expect("list");
    assert_eq!(
        listed.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
        ReturnReason::BUILT_IN
    );
    let err = |r: crate::Result<crate::store::ReasonRow>| r.map_err(|e| e.code()).err();
    assert_eq!(
        err(s.save_return_reason(&sup, &code("flood_zone"), " ", true)),
        Some("required")
    );
    assert_eq!(
        err(s.save_return_reason(&sup, &code("territory"), "属地", true)),
        Some("invalid_value")
    );
    assert_eq!(
        err(s.save_return_reason(&sup, &code("other"), "", false)),
        Some("invalid_value")
    );
    let flood = s
        .save_return_reason(&sup, &code("flood_zone"), "防汛责任区", true)
        .expect("added");
    assert!(flood.active && !flood.built_in);
    // Offered before "other", which stays last.
    let order: Vec<String> = s
        .return_reasons()
        .expect("list")
        .into_iter()
        .map(|r| r.code.to_string())
        .collect();
    assert_eq!(
        order[order.len() - 2..],
        ["flood_zone".to_string(), "other".to_string()]
    );
    let t = s
        .intake(1, &new_ticket(), Some(&transfer(dept)))
        .expect("transferred");
    assert_eq!(
        s.act(
            t.id,
            t.version,
            handler.id,
            &ret(Some(code("no_such_reason")))
        )
        .map_err(|e| e.code())
        .err(),
        Some("invalid_value")
    );
    let asked = s
        .act(t.id, t.version, handler.id, &ret(Some(code("flood_zone"))))
        .expect("requested");
    assert_eq!(
        s.return_request(t.id)
            .expect("r")
            .map(|r| r.reason_code.to_string()),
        Some("flood_zone".into())
    );
    s.save_return_reason(&sup, &code("flood_zone"), "防汛责任区", false)
        .expect("taken off");
    s.decide_return(&sup, t.id, false, Some("属本单位职责"))
        .expect("refused");
    let u = s
        .intake(1, &new_ticket(), Some(&transfer(dept)))
        .expect("second");
    assert_eq!(
        s.act(u.id, u.version, handler.id, &ret(Some(code("flood_zone"))))
            .map_err(|e| e.code())
            .err(),
        Some("invalid_value")
    );
    assert!(s
        .return_reasons()
        .expect("list")
        .iter()
        .any(|r| r.code.as_str() == "flood_zone" && !r.active));
    assert_eq!(asked.status, Status::Transferred);
}
