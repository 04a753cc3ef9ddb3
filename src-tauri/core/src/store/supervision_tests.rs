//! Supervision notices in the store: a department's first breach of a deadline brings one
//! 催办通知书 however often the breach repeats; raised supervision a 督办单; numbers run per
//! kind and year; the department acknowledges once; two urges of one ticket in a month put
//! the department on the notice list.

use crate::model::{Role, Satisfaction};
use crate::store::testutil::{setup, t0};
use crate::supervision::{NoticeCause, NoticeKind};
use crate::ticket::tests::new_ticket;
use crate::Action;
use chrono::Duration;

fn transfer(dept: i64, hours: i64) -> Action {
    Action::Transfer {
        department_id: dept,
        requirements: "请处理".into(),
        due_at: t0() + Duration::hours(hours),
        accept_due_at: None,
        co_department_ids: vec![],
        co_due_at: None,
    }
}

#[test]
fn a_breach_is_urged_once_and_two_urges_put_the_department_on_the_list() {
    let (_d, s, clock, dept, handler) = setup();
    let sup = s
        .create_user(None, "值班长 赵", 1, Role::Supervisor)
        .expect("sup");
    // The caller left a second number in the words: the document names the matter, masked.
    let call = crate::NewTicket {
        description: "路灯不亮，另可拨 13912345678 联系".into(),
        ..new_ticket()
    };
    let t = s.intake(1, &call, Some(&transfer(dept, 2))).expect("t");
    clock.set(t0() + Duration::hours(3));
    s.fire_due(s.now()).expect("fire");
    clock.set(t0() + Duration::hours(30));
    s.fire_due(s.now()).expect("fire again");
    let n = s.notices(Some(dept), None, false).expect("notices");
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(
        (n[0].kind, n[0].cause, n[0].seq, n[0].year),
        (NoticeKind::Urge, NoticeCause::Breach, 1, 2026)
    );
    assert_eq!(n[0].deadline, Some(t0() + Duration::hours(2)));
    assert!(n[0].reply_by > n[0].issued_at && n[0].issued_by.is_none());
    assert!(
        !n[0].summary.contains("13912345678") && n[0].summary.contains('*'),
        "{}",
        n[0].summary
    );
    assert!(s.notice_list("2026-11").expect("list").is_empty());

    let manual = s
        .issue_notice(&sup, t.id, NoticeKind::Urge, "群众反复来电，请加快办理")
        .expect("manual");
    assert_eq!(
        (manual.seq, manual.cause, manual.issued_by.as_deref()),
        (2, NoticeCause::Manual, Some("值班长 赵"))
    );
    // The department hears of it at once, once; the breach's notice came with the breach.
    let told = s.fire_due(s.now()).expect("announced");
    let notice = crate::alarms::AlarmKind::Notice;
    assert_eq!(
        told.iter()
            .filter(|f| f.kind == notice)
            .map(|f| f.recipients.clone())
            .collect::<Vec<_>>(),
        [vec![handler.id]]
    );
    assert!(s
        .fire_due(s.now())
        .expect("again")
        .iter()
        .all(|f| f.kind != notice));
    assert_eq!(
        s.issue_notice(&sup, t.id, NoticeKind::Urge, " ")
            .map_err(|e| e.code())
            .err(),
        Some("required")
    );
    let list = s.notice_list("2026-11").expect("list");
    assert_eq!((list.len(), list[0].department_id), (1, dept));
    assert_eq!(list[0].tickets, [(t.number.clone(), 2)]);

    // The department acknowledges, once; another department cannot.
    let water = s
        .create_department(None, "water", "自来水公司", None)
        .expect("water")
        .id;
    let plumber = s
        .create_user(None, "李工", water, Role::Handler)
        .expect("plumber");
    assert_eq!(
        s.acknowledge_notice(&plumber, manual.id, None)
            .map_err(|e| e.code())
            .err(),
        Some("forbidden")
    );
    let ack = s
        .acknowledge_notice(&handler, manual.id, Some("已安排今日处理"))
        .expect("ack");
    assert_eq!(ack.acknowledged_by.as_deref(), Some(handler.name.as_str()));
    assert_eq!(
        s.acknowledge_notice(&handler, manual.id, None)
            .map_err(|e| e.code())
            .err(),
        Some("invalid_transition")
    );
    assert_eq!(s.notices(Some(dept), None, true).expect("open").len(), 1);
    let actions: Vec<String> = s
        .detail(t.id)
        .expect("t")
        .events
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions.iter().filter(|a| *a == "notice_issued").count(), 2);
    assert!(actions.contains(&"notice_acknowledged".to_string()));
}

#[test]
fn raised_supervision_sends_a_supervision_order() {
    let (_d, s, clock, dept, handler) = setup();
    let mut t = s
        .intake(1, &new_ticket(), Some(&transfer(dept, 400)))
        .expect("t");
    t = s
        .act(t.id, t.version, handler.id, &Action::Accept { note: None })
        .expect("accept");
    for round in 1..=3 {
        clock.advance(Duration::hours(1));
        t = s
            .act(
                t.id,
                t.version,
                handler.id,
                &Action::Reply {
                    result: "已处理".into(),
                    resolved: Some(true),
                },
            )
            .expect("reply");
        t = s
            .act(
                t.id,
                t.version,
                1,
                &Action::Feedback {
                    satisfaction: Some(Satisfaction::Unsatisfied),
                    note: None,
                    redispatch_due_at: Some(t0() + Duration::hours(400 + round)),
                    no_redispatch_reason: None,
                },
            )
            .expect("redispatch");
        if let Ok(a) = s.act(t.id, t.version, handler.id, &Action::Accept { note: None }) {
            t = a;
        }
    }
    assert!(t.supervised);
    let n = s.notices(Some(dept), Some(t.id), false).expect("notices");
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(
        (n[0].kind, n[0].cause, n[0].seq),
        (NoticeKind::Supervise, NoticeCause::Redispatch, 1)
    );
    // The version a desk holds is the ticket's own: the notice's entry counted in it.
    assert_eq!(s.ticket(t.id).expect("t").version, t.version);
}
