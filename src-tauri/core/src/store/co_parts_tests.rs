//! Co-handling through the store: a transfer with a co-handler opens its part; the lead's
//! reply waits for the part or a waiver; the co-handler sees the ticket and finds it in
//! its queue; a re-transfer cancels the last round's owed parts.

use crate::model::{PartState, Queue, Role, Status};
use crate::store::testutil::{setup, t0};
use crate::store::ListQuery;
use crate::ticket::tests::new_ticket;
use crate::Action;
use chrono::Duration;

#[test]
fn the_lead_replies_only_after_every_part_or_a_waiver() {
    let (_d, s, _c, lighting, lead) = setup();
    let water = s
        .create_department(None, "water", "自来水公司", None)
        .expect("water")
        .id;
    let power = s
        .create_department(None, "power", "供电公司", None)
        .expect("power")
        .id;
    let w = s
        .create_user(None, "水司 周", water, Role::Handler)
        .expect("w");
    let p = s
        .create_user(None, "电力 吴", power, Role::Handler)
        .expect("p");
    let sup = s
        .create_user(None, "值班长", 1, Role::Supervisor)
        .expect("sup");
    let transfer = Action::Transfer {
        department_id: lighting,
        requirements: "路灯与地下管线一并排查".into(),
        due_at: t0() + Duration::days(5),
        accept_due_at: None,
        co_department_ids: vec![water, power, water],
        co_due_at: Some(t0() + Duration::days(3)),
    };
    let t = s
        .intake(1, &new_ticket(), Some(&transfer))
        .expect("transferred");
    let d = s.detail(t.id).expect("detail");
    assert_eq!(d.co_parts.len(), 2);
    assert!(d
        .co_parts
        .iter()
        .all(|p| p.state == PartState::Open && p.due_at == Some(t0() + Duration::days(3))));
    // The co-handler finds it in its queue and may act on its part only.
    let mine = s
        .list_as(
            w.id,
            &ListQuery {
                queue: Some(Queue::Mine),
                ..ListQuery::default()
            },
        )
        .expect("mine");
    assert_eq!(
        mine.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![t.id]
    );
    let (_, allowed) = s.detail_for(t.id, w.id).expect("as co-handler");
    assert_eq!(
        allowed.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        ["co_accept", "co_reply"]
    );
    let (_, lead_allowed) = s.detail_for(t.id, lead.id).expect("as lead");
    assert!(
        lead_allowed.iter().any(|k| k.as_str() == "accept")
            && lead_allowed.iter().any(|k| k.as_str() == "co_waive")
    );
    let t = s
        .act(t.id, t.version, lead.id, &Action::Accept { note: None })
        .expect("accepted");
    let t = s
        .act(t.id, t.version, w.id, &Action::CoAccept { note: None })
        .expect("co accepted");
    // Not a part of the lead's department; twice accepted is refused.
    assert_eq!(
        s.act(t.id, t.version, w.id, &Action::CoAccept { note: None })
            .map_err(|e| e.code())
            .err(),
        Some("invalid_transition")
    );
    let t = s
        .act(
            t.id,
            t.version,
            w.id,
            &Action::CoReply {
                result: "地下管线无渗漏，已复核".into(),
            },
        )
        .expect("co reply");
    assert_eq!(t.status, Status::InProgress);
    let reply = Action::Reply {
        result: "路灯已修复".into(),
        resolved: Some(true),
    };
    let e = s
        .act(t.id, t.version, lead.id, &reply)
        .expect_err("power owes its part");
    assert_eq!(
        (e.code(), e.details()["departments"].as_str()),
        ("co_handling_owed", Some("供电公司"))
    );
    // A waiver, by the hotline's supervisor, with its reason.
    let t = s
        .act(
            t.id,
            t.version,
            sup.id,
            &Action::CoWaive {
                department_id: power,
                reason: "经核实无需供电配合".into(),
            },
        )
        .expect("waived");
    assert_eq!(
        s.act(
            t.id,
            t.version,
            p.id,
            &Action::CoReply {
                result: "迟到的意见".into()
            }
        )
        .map_err(|e| e.code())
        .err(),
        Some("invalid_transition")
    );
    let t = s
        .act(t.id, t.version, lead.id, &reply)
        .expect("lead replies");
    assert_eq!(t.status, Status::Replied);
    let d = s.detail(t.id).expect("detail");
    let states: Vec<PartState> = d.co_parts.iter().map(|p| p.state).collect();
    assert_eq!(states, vec![PartState::Replied, PartState::Waived]);
    let actions: Vec<&str> = d.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "create",
            "transfer",
            "accept",
            "co_accept",
            "co_reply",
            "co_waive",
            "reply"
        ]
    );
}

#[test]
fn a_co_handler_sees_only_tickets_it_handles_and_a_new_round_cancels_the_old() {
    let (_d, s, _c, lighting, lead) = setup();
    let water = s
        .create_department(None, "water", "自来水公司", None)
        .expect("water")
        .id;
    let w = s
        .create_user(None, "水司 周", water, Role::Handler)
        .expect("w");
    let transfer = |co: Vec<i64>| Action::Transfer {
        department_id: lighting,
        requirements: "请核查".into(),
        due_at: t0() + Duration::days(5),
        accept_due_at: None,
        co_department_ids: co,
        co_due_at: None,
    };
    let other = s
        .intake(1, &new_ticket(), Some(&transfer(vec![])))
        .expect("other");
    let t = s
        .intake(1, &new_ticket(), Some(&transfer(vec![water])))
        .expect("t");
    let a = s.acting(w.id).expect("acting");
    assert!(a.detail(t.id).is_ok());
    assert_eq!(
        a.detail(other.id).map_err(|e| e.code()).err(),
        Some("forbidden")
    );
    let all = s.list_as(w.id, &ListQuery::default()).expect("all");
    assert_eq!(
        all.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![t.id]
    );
    // The lead returns it: the owed part is cancelled; a co-handler may not act on it.
    s.act(
        t.id,
        t.version,
        lead.id,
        &Action::Return {
            reason: "非本单位职责".into(),
            reason_code: Some("not_ours".parse().expect("code")),
        },
    )
    .expect("asked");
    let admin = s.user(1).expect("admin");
    s.decide_return(&admin, t.id, true, None).expect("approved");
    let t = s.ticket(t.id).expect("returned");
    assert_eq!(
        s.detail(t.id).expect("d").co_parts[0].state,
        PartState::Cancelled
    );
    assert_eq!(
        s.act(t.id, t.version, w.id, &Action::CoAccept { note: None })
            .map_err(|e| e.code())
            .err(),
        Some("not_found")
    );
    // The lead's own department cannot be its co-handler; an unknown one writes nothing.
    for (co, code) in [(vec![lighting], "invalid_value"), (vec![999], "not_found")] {
        assert_eq!(
            s.act(t.id, t.version, 1, &transfer(co))
                .map_err(|e| e.code())
                .err(),
            Some(code)
        );
    }
    assert_eq!(s.detail(t.id).expect("d").co_parts.len(), 1);
    // Seen before, still seen: the history of its part stays readable.
    assert!(a.detail(t.id).is_ok());
}

/// A co-handling part's deadline urges like the lead's: its department hears the reminders,
/// the breach reaches the supervisors too and brings that department a 催办通知书; once the
/// part is in, its clock stops.
#[test]
fn an_overdue_part_urges_its_own_department() {
    let (_d, s, clock, lighting, lead) = setup();
    let water = s
        .create_department(None, "water", "自来水公司", None)
        .expect("water")
        .id;
    let w = s
        .create_user(None, "水司 周", water, Role::Handler)
        .expect("w");
    let sup = s
        .create_user(None, "值班长", 1, Role::Supervisor)
        .expect("sup");
    let transfer = Action::Transfer {
        department_id: lighting,
        requirements: "路灯与地下管线一并排查".into(),
        due_at: t0() + Duration::hours(40),
        accept_due_at: None,
        co_department_ids: vec![water],
        co_due_at: Some(t0() + Duration::hours(4)),
    };
    let t = s.intake(1, &new_ticket(), Some(&transfer)).expect("t");
    let co = crate::alarms::AlarmKind::CoHandle;
    // 13:00 on the first day: half the part's time gone.
    let fired = s.fire_due(t0() + Duration::hours(2)).expect("fire");
    let part: Vec<_> = fired.iter().filter(|f| f.kind == co).collect();
    assert_eq!(part.iter().map(|f| f.threshold).collect::<Vec<_>>(), [50]);
    assert_eq!(
        part[0].recipients,
        [w.id],
        "the co-handler, not the lead {lead:?}"
    );
    clock.set(t0() + Duration::hours(5));
    let fired = s.fire_due(s.now()).expect("breach");
    let breach: Vec<_> = fired
        .iter()
        .filter(|f| f.kind == co && f.threshold == 100)
        .collect();
    assert_eq!(breach.len(), 1, "{fired:?}");
    assert!(breach[0].recipients.contains(&w.id) && breach[0].recipients.contains(&sup.id));
    let notices = s.notices(Some(water), Some(t.id), false).expect("notices");
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].deadline, Some(t0() + Duration::hours(4)));
    assert!(s
        .notices(Some(lighting), Some(t.id), false)
        .expect("lead")
        .is_empty());
    // The part comes in: nothing of it pends any more.
    let cur = s.ticket(t.id).expect("t");
    let cur = s
        .act(cur.id, cur.version, w.id, &Action::CoAccept { note: None })
        .expect("co accept");
    s.act(
        cur.id,
        cur.version,
        w.id,
        &Action::CoReply {
            result: "管线无渗漏".into(),
        },
    )
    .expect("co reply");
    let later = s.fire_due(t0() + Duration::hours(30)).expect("later");
    assert!(later.iter().all(|f| f.kind != co), "{later:?}");
}
