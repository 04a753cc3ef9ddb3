//! Scenario tests of the ticket store: intake, the lifecycle through the store with its
//! versions and merges, the queues as the clock moves, callers of every kind. Searching
//! and listing are in `listing_tests.rs`.

use super::*;
use crate::model::{Satisfaction, Status};
use crate::store::testutil::{setup, t0};
use crate::store::ListQuery;
use crate::ticket::tests::new_ticket;
use chrono::Duration;

fn count_events(s: &Store) -> i64 {
    s.read(|c| Ok(c.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?))
        .expect("count")
}

#[test]
fn create_numbers_per_local_day_and_links_the_caller() {
    let (_d, s, clock, _, _) = setup();
    let a = s.create_ticket(1, &new_ticket()).expect("create");
    // 2026-11-02 01:00 UTC is 09:00 in Shanghai.
    assert_eq!(a.number, "20261102-0001");
    let b = s
        .create_ticket(
            1,
            &NewTicket {
                phone: "+86 138-1234-5678".into(),
                ..new_ticket()
            },
        )
        .expect("create");
    assert_eq!(b.number, "20261102-0002");
    assert_eq!(a.customer_id, b.customer_id);
    // 16:30 UTC is already the next day in Shanghai.
    clock.set(t0() + Duration::hours(15) + Duration::minutes(30));
    let c = s.create_ticket(1, &new_ticket()).expect("create");
    assert_eq!(c.number, "20261103-0001");
    let hist = s.history("8613812345678").expect("history");
    assert_eq!(
        hist.iter().map(|r| r.number.as_str()).collect::<Vec<_>>(),
        ["20261103-0001", "20261102-0002", "20261102-0001"]
    );
    // The caller's other number (kept on the customer) finds the same calls: the history
    // is the union of both ways to the caller.
    let other = crate::phone::Phone::parse("13900001111")
        .expect("phone")
        .number;
    s.write(|tx| {
        tx.execute(
            "INSERT INTO customer_phones (customer_id, phone) VALUES (?1, ?2)",
            (a.customer_id, &other),
        )?;
        Ok(())
    })
    .expect("link");
    let by_other = s.history(&other).expect("history");
    assert_eq!(
        by_other
            .iter()
            .map(|r| r.number.as_str())
            .collect::<Vec<_>>(),
        ["20261103-0001", "20261102-0002", "20261102-0001"]
    );
    let detail = s.detail(a.id).expect("detail");
    assert_eq!(detail.events.len(), 1);
    assert_eq!(detail.events[0].action, "create");
    assert_eq!(
        s.history("12345").map_err(|e| e.code()).err(),
        Some("phone_invalid")
    );
}

#[test]
fn bad_intake_writes_nothing() {
    let (_d, s, _c, _, handler) = setup();
    let before = s.list(&ListQuery::default()).expect("list").total;
    for bad in [
        NewTicket {
            phone: "010-1234".into(),
            ..new_ticket()
        },
        NewTicket {
            category: "nope".into(),
            ..new_ticket()
        },
        NewTicket {
            description: String::new(),
            ..new_ticket()
        },
    ] {
        assert!(s.create_ticket(1, &bad).is_err());
    }
    assert_eq!(
        s.create_ticket(handler.id, &new_ticket())
            .map_err(|e| e.code())
            .err(),
        Some("forbidden")
    );
    assert_eq!(
        s.create_ticket(99, &new_ticket())
            .map_err(|e| e.code())
            .err(),
        Some("not_found")
    );
    assert_eq!(s.list(&ListQuery::default()).expect("list").total, before);
    assert_eq!(count_events(&s), 0);
}

#[test]
fn the_whole_path_through_the_store_with_versions() {
    let (_d, s, clock, dept, handler) = setup();
    let x = s.create_ticket(1, &new_ticket()).expect("create");
    let due = t0() + Duration::days(5);
    let transfer = Action::Transfer {
        department_id: dept,
        requirements: "请三日内修复".into(),
        due_at: due,
        accept_due_at: None,
        co_department_ids: vec![],
        co_due_at: None,
    };
    let x = s.act(x.id, x.version, 1, &transfer).expect("transfer");
    assert_eq!((x.status, x.version), (Status::Transferred, 2));
    // A stale version is refused and nothing is written.
    let events = count_events(&s);
    let e = s
        .act(x.id, 1, handler.id, &Action::Accept { note: None })
        .expect_err("stale");
    assert_eq!(
        (e.code(), e.details()["actual"].as_i64()),
        ("conflict", Some(2))
    );
    assert_eq!(count_events(&s), events);
    clock.advance(Duration::hours(2));
    let x = s
        .act(x.id, x.version, handler.id, &Action::Accept { note: None })
        .expect("accept");
    let x = s
        .act(
            x.id,
            x.version,
            handler.id,
            &Action::Reply {
                result: "已更换灯具".into(),
                resolved: Some(true),
            },
        )
        .expect("reply");
    let x = s
        .act(
            x.id,
            x.version,
            1,
            &Action::Feedback {
                satisfaction: Some(Satisfaction::Satisfied),
                note: None,
                redispatch_due_at: None,
                no_redispatch_reason: None,
            },
        )
        .expect("feedback");
    assert_eq!(x.status, Status::AwaitingCallback);
    // Monday 11:00 Beijing + 3 working days (the callback SLA) = Thursday 11:00.
    assert_eq!(
        x.callback_due_at,
        Some(t0() + Duration::days(3) + Duration::hours(2))
    );
    let x = s
        .act(
            x.id,
            x.version,
            1,
            &Action::Callback {
                method: crate::model::CallbackMethod::Questionnaire,
                satisfaction: Some(Satisfaction::VerySatisfied),
                note: Some("问卷回访满意".into()),
            },
        )
        .expect("callback");
    assert_eq!(x.status, Status::Archived);
    let d = s.detail(x.id).expect("detail");
    assert_eq!(d.ticket, x);
    let actions: Vec<_> = d.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["create", "transfer", "accept", "reply", "feedback", "callback"]
    );
    assert_eq!(d.events.last().map(|e| e.to_status), Some(x.status));
    assert_eq!(d.events[2].actor_name, "王工");
    assert_eq!(d.department.map(|d| d.code).as_deref(), Some("lighting"));
}

#[test]
fn refused_actions_leave_no_trace() {
    let (_d, s, _c, _, handler) = setup();
    let x = s.create_ticket(1, &new_ticket()).expect("create");
    let bad = [
        (1, Action::Accept { note: None }, "invalid_transition"),
        (
            handler.id,
            Action::Answer {
                answer: "x".into(),
                callback: false,
                article: None,
            },
            "forbidden",
        ),
        (
            1,
            Action::Transfer {
                department_id: 999,
                requirements: "x".into(),
                due_at: t0() + Duration::days(1),
                accept_due_at: None,
                co_department_ids: vec![],
                co_due_at: None,
            },
            "not_found",
        ),
        (
            1,
            Action::Answer {
                answer: "  ".into(),
                callback: false,
                article: None,
            },
            "required",
        ),
    ];
    for (actor, a, code) in bad {
        assert_eq!(
            s.act(x.id, x.version, actor, &a)
                .map_err(|e| e.code())
                .err(),
            Some(code),
            "{a:?}"
        );
    }
    assert_eq!(s.ticket(x.id).expect("ticket"), x);
    assert_eq!(count_events(&s), 1);
}

#[test]
fn timeline_events_are_immutable() {
    let (_d, s, _c, _, _) = setup();
    s.create_ticket(1, &new_ticket()).expect("create");
    let e = s
        .write(|tx| Ok(tx.execute("UPDATE events SET note = 'x'", [])?))
        .expect_err("immutable");
    assert!(e.to_string().contains("immutable"));
    assert!(s
        .write(|tx| Ok(tx.execute("DELETE FROM events", [])?))
        .is_err());
}

#[test]
fn queues_follow_the_lifecycle_and_the_clock() {
    use crate::model::Queue;
    let (_d, s, clock, dept, handler) = setup();
    let counts = |who: i64| s.queue_counts(who).expect("counts");
    let x = s
        .intake(
            1,
            &new_ticket(),
            Some(&Action::Transfer {
                department_id: dept,
                requirements: "核查".into(),
                due_at: t0() + Duration::hours(30),
                accept_due_at: None,
                co_department_ids: vec![],
                co_due_at: None,
            }),
        )
        .expect("intake");
    assert_eq!(x.status, Status::Transferred);
    let c = counts(handler.id);
    assert_eq!(
        (
            c[&Queue::Mine],
            c[&Queue::AwaitingAcceptance],
            c[&Queue::DueSoon],
            c[&Queue::Overdue]
        ),
        (1, 1, 0, 0)
    );
    assert_eq!(counts(1)[&Queue::Mine], 0);
    clock.advance(Duration::hours(8));
    assert_eq!(counts(handler.id)[&Queue::DueSoon], 1);
    // Monday 17:00 to Tuesday 15:00: 30 + 180 + 90 business minutes.
    let page = s
        .list_as(
            handler.id,
            &ListQuery {
                queue: Some(Queue::DueSoon),
                ..Default::default()
            },
        )
        .expect("list");
    assert_eq!(page.rows[0].due_left_minutes, Some(300));
    clock.advance(Duration::hours(24));
    let c = counts(handler.id);
    assert_eq!((c[&Queue::DueSoon], c[&Queue::Overdue]), (0, 1));
    let page = s
        .list_as(
            handler.id,
            &ListQuery {
                queue: Some(Queue::Overdue),
                ..Default::default()
            },
        )
        .expect("list");
    assert_eq!(page.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [x.id]);
    // Overdue since Tuesday 15:00, now 17:00: two hours by the clock and in business
    // time; after hours the clock keeps counting while business time stands still.
    assert_eq!(
        (page.rows[0].overdue_minutes, page.rows[0].due_left_minutes),
        (Some(120), Some(-120))
    );
    clock.advance(Duration::hours(3));
    let late = s
        .list_as(
            handler.id,
            &ListQuery {
                queue: Some(Queue::Overdue),
                ..Default::default()
            },
        )
        .expect("list");
    assert_eq!(
        (late.rows[0].overdue_minutes, late.rows[0].due_left_minutes),
        (Some(300), Some(-150))
    );
    clock.advance(Duration::hours(-3));
    let x = s
        .act(x.id, x.version, handler.id, &Action::Accept { note: None })
        .expect("accept");
    let x = s
        .act(
            x.id,
            x.version,
            handler.id,
            &Action::Reply {
                result: "已处理".into(),
                resolved: Some(true),
            },
        )
        .expect("reply");
    assert_eq!(x.status, Status::Replied);
    let c = counts(1);
    assert_eq!(
        (
            c[&Queue::Mine],
            c[&Queue::AwaitingFeedback],
            c[&Queue::Overdue]
        ),
        (1, 1, 0)
    );
    assert_eq!(counts(handler.id)[&Queue::Mine], 0);
    let (_, allowed) = s.detail_for(x.id, 1).expect("detail");
    assert_eq!(allowed, ["feedback", "comment", "supplement"]);
    let (_, allowed) = s.detail_for(x.id, handler.id).expect("detail");
    assert_eq!(allowed, ["comment"]);
}

#[test]
fn intake_saves_the_call_and_its_first_action_or_neither() {
    let (_d, s, _c, _, _) = setup();
    let bad = Action::Transfer {
        department_id: 999,
        requirements: "x".into(),
        due_at: t0() + Duration::days(1),
        accept_due_at: None,
        co_department_ids: vec![],
        co_due_at: None,
    };
    assert_eq!(
        s.intake(1, &new_ticket(), Some(&bad))
            .map_err(|e| e.code())
            .err(),
        Some("not_found")
    );
    assert_eq!(s.list(&ListQuery::default()).expect("list").total, 0);
    assert_eq!(count_events(&s), 0);
    let x = s
        .intake(
            1,
            &new_ticket(),
            Some(&Action::Answer {
                answer: "已解答".into(),
                callback: false,
                article: None,
            }),
        )
        .expect("answer");
    assert_eq!((x.status, x.version), (Status::Closed, 2));
    // The day's sequence was not consumed by the refused intake.
    assert_eq!(x.number, "20261102-0001");
}

#[test]
fn a_saved_ticket_survives_reopening_the_file() {
    let (d, s, _c, _, _) = setup();
    let x = s.create_ticket(1, &new_ticket()).expect("create");
    let s = crate::store::testutil::reopen(s, std::sync::Arc::new(crate::clock::SystemClock));
    assert_eq!(s.ticket(x.id).expect("ticket"), x);
    drop(d);
}

/// An anonymous caller's wish holds on every masked path; a caller without any contact
/// can be answered at once but not transferred (nobody could relay the result).
#[test]
fn anonymous_and_contactless_callers() {
    use crate::mask::Mask;
    use crate::model::Channel;
    let (_d, s, _c, dept, _) = setup();
    let anon = s
        .create_ticket(
            1,
            &NewTicket {
                anonymous: true,
                email: Some("zhang.san@example.cn".into()),
                ..new_ticket()
            },
        )
        .expect("anonymous");
    assert_eq!(
        s.ticket(anon.id).expect("t").address.as_deref(),
        Some("幸福路 12 号")
    );
    let shown = s.ticket(anon.id).expect("t").masked();
    assert_eq!(
        (
            shown.caller_name.as_str(),
            shown.phone.as_str(),
            shown.email,
            shown.address
        ),
        ("", "", None, None)
    );
    let row = s.list(&ListQuery::default()).expect("list").rows.masked();
    assert!(row
        .iter()
        .all(|r| r.anonymous && r.phone.is_empty() && r.caller_name.is_empty()));
    let mut csv = Vec::new();
    crate::exchange::export_csv(&s, &mut csv, true).expect("export");
    let csv = String::from_utf8(csv).expect("utf8");
    for clear in ["张三", "1234", "zhang", "幸福路"] {
        assert!(!csv.contains(clear), "{clear} in the masked export: {csv}");
    }
    // A letter without any contact: loggable and answerable, not transferable.
    let letter = s
        .create_ticket(
            1,
            &NewTicket {
                caller_name: "".into(),
                phone: "".into(),
                address: None,
                channel: Channel::Letter,
                ..new_ticket()
            },
        )
        .expect("letter");
    assert_eq!((letter.customer_id, letter.phone.as_str()), (None, ""));
    let transfer = Action::Transfer {
        department_id: dept,
        requirements: "请核实".into(),
        due_at: t0() + Duration::days(3),
        accept_due_at: None,
        co_department_ids: vec![],
        co_due_at: None,
    };
    let e = s
        .act(letter.id, letter.version, 1, &transfer)
        .expect_err("no contact");
    assert_eq!(
        (e.code(), e.details()["action"].clone()),
        ("contact_required", "transfer".into())
    );
    assert_eq!(s.ticket(letter.id).expect("t").version, letter.version);
    // With only a postal address (a letter's return address) it may be transferred.
    let withheld = s
        .create_ticket(
            1,
            &NewTicket {
                phone: "".into(),
                withheld: true,
                ..new_ticket()
            },
        )
        .expect("withheld");
    assert!(withheld.phone_withheld);
    s.act(withheld.id, withheld.version, 1, &transfer)
        .expect("address is a contact");
}

/// Another seat's comment does not block an accept typed on the older view; a real
/// change does, and the refusal names who did what.
#[test]
fn harmless_concurrent_changes_merge_and_real_ones_name_their_author() {
    let (_d, s, _c, dept, handler) = setup();
    let wang = s.create_user(None, "王伟", 1, Role::Agent).expect("agent");
    let x = s.create_ticket(1, &new_ticket()).expect("create");
    let transfer = Action::Transfer {
        department_id: dept,
        requirements: "请核实".into(),
        due_at: t0() + Duration::days(5),
        accept_due_at: None,
        co_department_ids: vec![],
        co_due_at: None,
    };
    let seen = s
        .act(x.id, x.version, 1, &transfer)
        .expect("transfer")
        .version;
    let comment = |v: i64, who: i64| {
        s.act(
            x.id,
            v,
            who,
            &Action::Comment {
                note: "来电人又来电补充了照片".into(),
            },
        )
    };
    comment(seen, wang.id).expect("comment");
    // The handler accepts on the view from before the comment: merged.
    let accepted = s
        .act(x.id, seen, handler.id, &Action::Accept { note: None })
        .expect("a comment does not conflict with an accept");
    assert_eq!(accepted.status, Status::InProgress);
    let actions: Vec<String> = s
        .timeline(x.id)
        .expect("tl")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["create", "transfer", "comment", "accept"]);
    // A comment on an old view goes in whatever happened since.
    comment(seen, wang.id).expect("a comment conflicts with nothing");
    // A real change since the view: refused, naming the author and the change.
    let e = s
        .act(
            x.id,
            seen,
            1,
            &Action::Return {
                reason: "非本单位职责".into(),
                reason_code: None,
            },
        )
        .expect_err("accepted meanwhile");
    assert_eq!(e.code(), "conflict");
    assert_eq!(
        (e.details()["by"].clone(), e.details()["action"].clone()),
        ("王工".into(), "accept".into())
    );
    // A version from the future is never merged.
    let now = s.ticket(x.id).expect("t").version;
    assert_eq!(
        comment(now + 1, wang.id).map_err(|e| e.code()).err(),
        Some("conflict")
    );
}

#[test]
fn a_call_logged_offline_is_created_once_however_often_it_is_sent() {
    let (_d, s, clock, _, _) = setup();
    let taken = t0();
    // The server came back two hours later; the desk sends, loses the reply, sends again.
    clock.set(t0() + Duration::hours(2));
    let (a, new) = s
        .intake_offline(1, "desk7-0001", taken, &new_ticket(), None)
        .expect("first send");
    let (b, again) = s
        .intake_offline(1, "desk7-0001", taken, &new_ticket(), None)
        .expect("resend");
    assert!(new && !again);
    assert_eq!((a.id, a.number.as_str()), (b.id, "20261102-0001"));
    assert_eq!(a.received_at, taken, "received when it was taken");
    assert_eq!(s.list(&ListQuery::default()).expect("list").total, 1);
    // Another key is another call; bad keys and times change nothing.
    let (c, _) = s
        .intake_offline(1, "desk7-0002", taken, &new_ticket(), None)
        .expect("second call");
    assert_ne!(c.id, a.id);
    for (key, at, code) in [
        ("", taken, "invalid_value"),
        ("../x", taken, "invalid_value"),
        ("desk7-0003", s.now() + Duration::hours(1), "invalid_value"),
        ("desk7-0003", s.now() - Duration::days(8), "invalid_value"),
    ] {
        let e = s
            .intake_offline(1, key, at, &new_ticket(), None)
            .expect_err(key);
        assert_eq!(e.code(), code, "{key} {at}");
    }
    assert_eq!(s.list(&ListQuery::default()).expect("list").total, 2);
}
