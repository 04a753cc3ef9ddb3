use super::NewBulletin;
use crate::emergency::plan::seeded;
use crate::emergency::{IncidentAction, IncidentKind, IncidentStatus, Level, NewIncident};
use crate::model::{Role, User};
use crate::store::testutil::{setup, t0};
use crate::store::{OutboxKind, Store};
use crate::ticket::tests::new_ticket;
use chrono::Duration;

fn level(n: i64) -> Level {
    Level::try_from(n).expect("level")
}

fn water(l: i64) -> NewIncident {
    NewIncident {
        title: "东城区大面积停水".into(),
        kind: IncidentKind::ServiceOutage,
        level: level(l),
        area: "东城区".into(),
        services: "供水".into(),
        category_id: None,
        started_at: Some(t0() - Duration::minutes(20)),
        note: Some("自来水公司确认主管破裂".into()),
        drill: false,
    }
}

fn user(s: &Store, name: &str, role: Role) -> User {
    s.create_user(None, name, 1, role).expect("user")
}

fn by(u: &User) -> crate::store::Author<'_> {
    u.into()
}

fn respond() -> IncidentAction {
    IncidentAction::Respond { note: None }
}

#[test]
fn a_declaration_is_numbered_on_its_plan_with_the_checklist() {
    let (_d, s, _c, _dept, _h) = setup();
    let boss = user(&s, "李主任", Role::Supervisor);
    let head = s.outbox_head().expect("head");
    let i = s
        .declare_incident(by(&boss), &water(3), true)
        .expect("declare");
    assert!(
        i.number.starts_with("YJ") && i.number.ends_with("-01"),
        "{}",
        i.number
    );
    assert_eq!(
        (i.level, i.proposed_level, i.status, i.version),
        (level(3), None, IncidentStatus::Declared, 1)
    );
    let d = s.incident_detail(i.id, None).expect("detail");
    let plan = seeded(IncidentKind::ServiceOutage, level(3));
    assert_eq!(d.plan.body, plan);
    assert_eq!(d.steps.len(), plan.steps.len());
    assert_eq!(
        d.steps[0].due_at,
        t0() + Duration::minutes(plan.steps[0].minutes)
    );
    assert_eq!(d.events.len(), 1);
    assert_eq!(
        (
            d.events[0].action.as_str(),
            d.events[0].data["plan_version"].as_i64()
        ),
        ("declare", Some(1))
    );
    let out = s.outbox_after(head, 10).expect("outbox");
    assert_eq!((out.len(), out[0].kind), (1, OutboxKind::Incident));
    assert!(
        out[0].concerns(&s.user(_h.id).expect("handler")),
        "departments hear of it too"
    );
    let audit = s.audit_entries(&Default::default()).expect("audit");
    assert_eq!(
        (audit[0].action.as_str(), audit[0].target.as_str()),
        ("incident_declare", i.number.as_str())
    );
    // The second of the day has the next number; bad input writes nothing.
    let n = s
        .incident_detail(
            s.declare_incident(by(&boss), &water(1), true)
                .expect("2")
                .id,
            None,
        )
        .expect("d");
    assert!(n.row.incident.number.ends_with("-02"));
    let mut bad = water(1);
    bad.title = " ".into();
    assert_eq!(
        s.declare_incident(by(&boss), &bad, true)
            .expect_err("bad")
            .code(),
        "required"
    );
    assert_eq!(s.incidents(false, 10).expect("list").len(), 2);
}

#[test]
fn an_agent_proposes_a_higher_level_and_a_raise_brings_its_plan() {
    let (_d, s, clock, _dept, _h) = setup();
    let agent = user(&s, "话务员甲", Role::Agent);
    let boss = user(&s, "李主任", Role::Supervisor);
    let i = s
        .declare_incident(by(&agent), &water(3), false)
        .expect("declare");
    assert_eq!((i.level, i.proposed_level), (level(1), Some(level(3))));
    let before = s.incident_detail(i.id, None).expect("d").steps.len();
    clock.advance(Duration::minutes(10));
    let up = s
        .act_incident(
            i.id,
            i.version,
            by(&boss),
            &IncidentAction::SetLevel {
                level: level(3),
                reason: "三个街道受影响".into(),
            },
        )
        .expect("raise");
    assert_eq!(
        (up.level, up.proposed_level, up.version),
        (level(3), None, 2)
    );
    let d = s.incident_detail(i.id, None).expect("d");
    assert!(d.steps.len() > before, "the level-3 plan's further steps");
    let isolate = d
        .steps
        .iter()
        .find(|s| s.key == "isolate")
        .expect("isolate");
    assert_eq!(
        isolate.due_at,
        t0() + Duration::minutes(10 + 30),
        "due from the raise"
    );
    assert_eq!(d.plan.level, level(3));
    assert_eq!(
        d.events
            .last()
            .map(|e| (e.action.as_str(), e.note.as_deref())),
        Some(("raise", Some("三个街道受影响")))
    );
}

#[test]
fn a_stale_view_may_not_change_the_course_but_calls_and_comments_go_on() {
    let (_d, s, _c, _dept, _h) = setup();
    let boss = user(&s, "李主任", Role::Supervisor);
    let other = user(&s, "王班长", Role::Supervisor);
    let i = s
        .declare_incident(by(&boss), &water(2), true)
        .expect("declare");
    let t = s.create_ticket(1, &new_ticket()).expect("ticket");
    s.link_ticket(i.id, t.id, by(&boss)).expect("link");
    // Only a call was attached since: the course may still change from version 1.
    let r = s
        .act_incident(i.id, i.version, by(&other), &respond())
        .expect("respond");
    let e = s
        .act_incident(
            i.id,
            i.version,
            by(&boss),
            &IncidentAction::Resolve {
                summary: "恢复".into(),
            },
        )
        .expect_err("stale");
    assert_eq!(e.code(), "incident_changed");
    assert_eq!(e.details()["by"], "王班长");
    s.act_incident(
        i.id,
        i.version,
        by(&boss),
        &IncidentAction::Comment {
            note: "已通知自来水公司".into(),
        },
    )
    .expect("a comment merges");
    let e = s
        .act_incident(i.id, r.version + 5, by(&boss), &respond())
        .expect_err("future");
    assert_eq!(e.code(), "incident_changed");
    let d = s.incident_detail(i.id, None).expect("d");
    let versions: Vec<i64> = s
        .incident_detail(i.id, None)
        .expect("d")
        .events
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(versions, [1, 2, 3, 4]);
    assert_eq!(d.row.incident.version, 4);
}

#[test]
fn calls_are_attached_once_and_counted_by_caller() {
    let (_d, s, _c, _dept, _h) = setup();
    let boss = user(&s, "李主任", Role::Supervisor);
    let a = s.declare_incident(by(&boss), &water(2), true).expect("a");
    let b = s.declare_incident(by(&boss), &water(1), true).expect("b");
    let t1 = s.create_ticket(1, &new_ticket()).expect("t1");
    let t2 = s.create_ticket(1, &new_ticket()).expect("t2");
    let mut other = new_ticket();
    other.phone = "139 0000 0000".into();
    let t3 = s.create_ticket(1, &other).expect("t3");
    for t in [&t1, &t2, &t3] {
        s.link_ticket(a.id, t.id, by(&boss)).expect("link");
    }
    let e = s
        .link_ticket(b.id, t1.id, by(&boss))
        .expect_err("elsewhere");
    assert_eq!(
        (e.code(), e.details()["value"].as_str()),
        ("taken", Some(a.number.as_str()))
    );
    let row = &s.incidents(true, 10).expect("list")[1];
    assert_eq!((row.incident.id, row.tickets, row.callers), (a.id, 3, 2));
    assert_eq!(s.incident_of_ticket(t2.id).expect("of"), Some(a.id));
    s.unlink_ticket(t2.id, by(&boss)).expect("unlink");
    assert_eq!(s.incident_of_ticket(t2.id).expect("of"), None);
    let d = s.incident_detail(a.id, None).expect("d");
    assert_eq!(d.linked.len(), 2);
    let acts: Vec<&str> = d.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(acts, ["declare", "link", "link", "link", "unlink"]);
    // A resolved incident takes no more calls.
    let r = s
        .act_incident(
            a.id,
            d.row.incident.version,
            by(&boss),
            &IncidentAction::Resolve {
                summary: "恢复供水".into(),
            },
        )
        .expect("resolve");
    assert_eq!(r.status, IncidentStatus::Resolved);
    assert_eq!(
        s.link_ticket(a.id, t2.id, by(&boss))
            .expect_err("resolved")
            .code(),
        "incident_transition"
    );
    assert_eq!(s.incidents(true, 10).expect("active").len(), 1);
}

#[test]
fn bulletins_are_versioned_with_their_approver_and_checked_first() {
    let (_d, s, clock, _dept, _h) = setup();
    let boss = user(&s, "李主任", Role::Supervisor);
    let i = s
        .declare_incident(by(&boss), &water(2), true)
        .expect("declare");
    let b = NewBulletin {
        wording: "东城区停水，预计今晚 20 点前恢复。".into(),
        advice: "请提前储水".into(),
        measures: "已安排送水车".into(),
        valid_until: Some(t0() + Duration::hours(12)),
    };
    let past = NewBulletin {
        valid_until: Some(t0() - Duration::hours(1)),
        ..b.clone()
    };
    let head = s.outbox_head().expect("head");
    assert_eq!(
        s.publish_bulletin(i.id, by(&boss), &past)
            .expect_err("past")
            .code(),
        "deadline_too_early"
    );
    assert_eq!(s.outbox_head().expect("head"), head, "nothing written");
    let v1 = s.publish_bulletin(i.id, by(&boss), &b).expect("v1");
    clock.advance(Duration::hours(1));
    let v2 = s
        .publish_bulletin(
            i.id,
            by(&boss),
            &NewBulletin {
                wording: "抢修进展：已更换管段，21 点前恢复。".into(),
                ..b
            },
        )
        .expect("v2");
    assert_eq!(
        (v1.version, v2.version, v2.approver_name.as_str()),
        (1, 2, "李主任")
    );
    let row = &s.incidents(true, 1).expect("list")[0];
    assert_eq!(row.bulletin.as_ref().map(|b| b.version), Some(2));
    assert_eq!(s.incident_detail(i.id, None).expect("d").bulletins.len(), 2);
    let changed = s.read(|c| Ok(c.execute("UPDATE incident_bulletins SET wording = 'x'", [])?));
    assert!(changed.is_err(), "published versions are immutable");
}

#[test]
fn a_step_is_done_once_and_says_if_it_was_late() {
    let (_d, s, clock, _dept, _h) = setup();
    let boss = user(&s, "李主任", Role::Supervisor);
    let i = s
        .declare_incident(by(&boss), &water(4), true)
        .expect("declare");
    assert_eq!(s.incidents(true, 1).expect("l")[0].steps_overdue, 0);
    clock.advance(Duration::minutes(8));
    let first = s
        .complete_step(i.id, 1, by(&boss), Some("已核实"))
        .expect("step");
    assert_eq!(first.done_by, Some(boss.id));
    assert_eq!(
        s.complete_step(i.id, 1, by(&boss), None)
            .expect_err("twice")
            .code(),
        "incident_transition"
    );
    assert_eq!(
        s.complete_step(i.id, 99, by(&boss), None)
            .expect_err("none")
            .code(),
        "not_found"
    );
    let d = s.incident_detail(i.id, None).expect("d");
    assert_eq!(
        d.events.last().map(|e| e.data["late"].clone()),
        Some(serde_json::json!(true))
    );
    assert_eq!(d.row.steps_overdue, 0, "the next step has 10 minutes");
    clock.advance(Duration::minutes(4));
    assert_eq!(s.incidents(true, 1).expect("l")[0].steps_overdue, 1);
}

#[test]
fn an_edited_plan_is_a_new_version_and_running_incidents_keep_theirs() {
    let (_d, s, _c, _dept, _h) = setup();
    let manager = user(&s, "张经理", Role::Manager);
    let i = s
        .declare_incident(by(&manager), &water(2), true)
        .expect("declare");
    let mut body = seeded(IncidentKind::ServiceOutage, level(2));
    body.ack_minutes = 5;
    body.notify.users = vec![manager.id];
    let v2 = s
        .save_plan(by(&manager), IncidentKind::ServiceOutage, level(2), &body)
        .expect("save");
    assert_eq!(v2.version, 2);
    assert_eq!(
        s.plan_versions(IncidentKind::ServiceOutage, level(2))
            .expect("v")
            .len(),
        2
    );
    assert_eq!(s.incident_detail(i.id, None).expect("d").plan.version, 1);
    let later = s
        .declare_incident(by(&manager), &water(2), true)
        .expect("later");
    assert_eq!(
        s.incident_detail(later.id, None).expect("d").plan.version,
        2
    );
    body.notify.users = vec![9999];
    assert_eq!(
        s.save_plan(by(&manager), IncidentKind::ServiceOutage, level(2), &body)
            .expect_err("user")
            .code(),
        "not_found"
    );
    assert_eq!(s.plans().expect("plans").len(), IncidentKind::ALL.len() * 4);
    let changed = s.read(|c| Ok(c.execute("UPDATE incident_plans SET version = 9", [])?));
    assert!(changed.is_err(), "plan versions are immutable");
}

#[test]
fn the_outbox_rebuild_keeps_its_numbers_and_never_reuses_one() {
    use crate::store::MIGRATIONS;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("old.db");
    let clock = std::sync::Arc::new(crate::clock::FakeClock::new(t0()));
    let before = MIGRATIONS
        .iter()
        .position(|m| m.name == "incidents")
        .expect("incidents");
    {
        let s = Store::open_with(&path, clock.clone(), &MIGRATIONS[..before], 1).expect("old");
        // Entries as the old schema took them (today's intake writes newer tables).
        for _ in 0..3 {
            s.write(|tx| {
                crate::store::outbox::publish(
                    tx,
                    t0(),
                    OutboxKind::Import,
                    None,
                    None,
                    &serde_json::json!({}),
                )
            })
            .expect("entry");
        }
        // Pruned entries: the counter, not the rows, says what was handed out.
        s.write(|tx| Ok(tx.execute("DELETE FROM outbox WHERE seq > 1", [])?))
            .expect("prune");
    }
    let s = Store::open(&path, clock).expect("migrated");
    assert_eq!(s.outbox_after(0, 10).expect("kept").len(), 1);
    s.create_ticket(1, &new_ticket()).expect("ticket");
    assert_eq!(s.outbox_head().expect("head"), 4);
}

#[test]
fn attached_calls_are_answered_with_the_bulletin_and_it_reads_as_a_notice() {
    let (_d, s, _c, dept, _h) = setup();
    let boss = user(&s, "李主任", Role::Supervisor);
    let i = s
        .declare_incident(by(&boss), &water(2), true)
        .expect("declare");
    let waiting = s.create_ticket(1, &new_ticket()).expect("waiting");
    let moving = s.create_ticket(1, &new_ticket()).expect("moving");
    let moving = s
        .act(
            moving.id,
            moving.version,
            1,
            &crate::Action::Transfer {
                department_id: dept,
                requirements: "核实".into(),
                due_at: t0() + Duration::days(3),
                accept_due_at: None,
                co_department_ids: vec![],
                co_due_at: None,
            },
        )
        .expect("transfer");
    for t in [&waiting, &moving] {
        s.link_ticket(i.id, t.id, by(&boss)).expect("link");
    }
    let a = s.acting(boss.id).expect("acting");
    assert_eq!(
        a.answer_linked(i.id).expect_err("no bulletin").code(),
        "not_found"
    );
    let b = NewBulletin {
        wording: "东城区停水，预计 20 点前恢复。".into(),
        advice: "请提前储水".into(),
        measures: String::new(),
        valid_until: None,
    };
    s.publish_bulletin(i.id, by(&boss), &b).expect("bulletin");
    let out = a.answer_linked(i.id).expect("answered");
    assert_eq!(
        (out.answered, out.callbacks, out.noted, out.finished),
        (1, 0, 1, 0),
        "a level-2 plan asks for no callback: {out:?}"
    );
    assert!(out.failed.is_empty(), "{out:?}");
    let w = s.ticket(waiting.id).expect("t");
    assert_eq!(
        (w.status, w.answer.as_deref()),
        (crate::model::Status::Closed, Some(b.wording.as_str()))
    );
    let last = s.detail(moving.id).expect("d").events.pop().expect("event");
    assert_eq!(
        (last.action.as_str(), last.note.as_deref()),
        ("comment", Some(b.wording.as_str()))
    );
    let text = a.bulletin_text(i.id, "zh-CN").expect("text");
    assert!(
        text.contains(&b.wording) && text.contains("请提前储水") && text.contains("东城区"),
        "{text}"
    );
    assert!(
        text.contains("12345 热线服务中心"),
        "the issuing unit: {text}"
    );
}

/// A plan that asks for callbacks (level 3 and up) leaves each reachable caller answered
/// and waiting for a callback; a caller who left no way to reach them is answered and
/// closed; a second run touches the answered calls only with a note.
#[test]
fn a_plan_with_callbacks_leaves_reachable_callers_waiting_for_one() {
    let (_d, s, _c, _dept, _h) = setup();
    let boss = user(&s, "李主任", Role::Supervisor);
    let i = s
        .declare_incident(by(&boss), &water(3), true)
        .expect("declare");
    let reachable = s.create_ticket(1, &new_ticket()).expect("reachable");
    let unknown = crate::ticket::NewTicket {
        caller_name: String::new(),
        phone: String::new(),
        withheld: true,
        address: None,
        ..new_ticket()
    };
    let unknown = s.create_ticket(1, &unknown).expect("anonymous");
    for t in [&reachable, &unknown] {
        s.link_ticket(i.id, t.id, by(&boss)).expect("link");
    }
    let b = NewBulletin {
        wording: "东城区停水，抢修中。".into(),
        advice: String::new(),
        measures: String::new(),
        valid_until: None,
    };
    s.publish_bulletin(i.id, by(&boss), &b).expect("bulletin");
    let a = s.acting(boss.id).expect("acting");
    let out = a.answer_linked(i.id).expect("answered");
    assert_eq!(
        (out.answered, out.callbacks, out.noted),
        (2, 1, 0),
        "{out:?}"
    );
    let r = s.ticket(reachable.id).expect("t");
    assert_eq!(r.status, crate::model::Status::AwaitingCallback);
    assert!(r.callback_due_at.is_some_and(|d| d > t0()), "{r:?}");
    assert_eq!(r.answer.as_deref(), Some(b.wording.as_str()));
    let u = s.ticket(unknown.id).expect("t");
    assert_eq!(u.status, crate::model::Status::Closed);
    let again = a.answer_linked(i.id).expect("again");
    assert_eq!(
        (again.answered, again.noted, again.finished),
        (0, 1, 1),
        "{again:?}"
    );
}
