use crate::alarms::AlarmKind;
use crate::emergency::review::{NewFollowUp, NewReview};
use crate::emergency::{IncidentAction, IncidentKind, Level, NewIncident};
use crate::model::Role;
use crate::store::testutil::{store, t0};
use crate::store::NewBulletin;
use chrono::Duration;

#[test]
fn the_review_closes_a_resolved_incident_with_its_whole_timeline_and_tracks_follow_ups() {
    let (_d, s, clock) = store();
    let boss = s
        .create_user(None, "李主任", 1, Role::Supervisor)
        .expect("boss");
    let owner = s
        .create_user(None, "技术 小刘", 1, Role::Agent)
        .expect("owner");
    let by = || (&boss).into();
    let new = NewIncident::new(
        "热线系统中断",
        IncidentKind::HotlineFailure,
        Level::try_from(2).expect("level"),
    );
    let i = s.declare_incident(by(), &new, true).expect("declare");
    s.fire_due(s.now()).expect("pages");
    s.acknowledge_page(i.id, by()).expect("ack");
    let bulletin = NewBulletin {
        wording: "系统抢修中".into(),
        advice: String::new(),
        measures: String::new(),
        valid_until: None,
    };
    s.publish_bulletin(i.id, by(), &bulletin).expect("bulletin");
    s.complete_step(i.id, 1, by(), None).expect("step");
    let v = |s: &crate::store::Store| {
        s.incident_detail(i.id, None)
            .expect("d")
            .row
            .incident
            .version
    };
    s.act_incident(
        i.id,
        v(&s),
        by(),
        &IncidentAction::SetLevel {
            level: Level::try_from(3).expect("l"),
            reason: "全部中断".into(),
        },
    )
    .expect("raise");
    clock.advance(Duration::hours(2));
    // Not before it is resolved.
    let review = NewReview {
        went_well: "十分钟内启用备用线路".into(),
        went_badly: "值班长未及时确认呼叫".into(),
        plan_changes: "确认时限改为 5 分钟".into(),
        follow_ups: vec![NewFollowUp {
            title: "更换交换机电源".into(),
            owner_id: owner.id,
            due_at: t0() + Duration::days(3),
        }],
    };
    let e = s
        .review_incident(i.id, v(&s), by(), &review)
        .expect_err("active");
    assert_eq!(e.code(), "incident_transition");
    s.act_incident(
        i.id,
        v(&s),
        by(),
        &IncidentAction::Resolve {
            summary: "线路恢复".into(),
        },
    )
    .expect("resolve");
    // A follow-up due in the past or a blank assessment is refused; nothing is written.
    let mut bad = review.clone();
    bad.follow_ups[0].due_at = s.now() - Duration::hours(1);
    assert_eq!(
        s.review_incident(i.id, v(&s), by(), &bad)
            .expect_err("past")
            .code(),
        "deadline_too_early"
    );
    let mut blank = review.clone();
    blank.went_badly = " ".into();
    assert_eq!(
        s.review_incident(i.id, v(&s), by(), &blank)
            .expect_err("blank")
            .code(),
        "required"
    );
    assert!(s.incident_review(i.id).expect("none").is_none());
    let r = s
        .review_incident(i.id, v(&s), by(), &review)
        .expect("review");
    // The review's timeline is the incident's events, every one of them.
    let events = s.incident_detail(i.id, None).expect("d").events;
    assert_eq!(r.timeline, events);
    let actions: Vec<&str> = r.timeline.iter().map(|e| e.action.as_str()).collect();
    for want in [
        "declare",
        "page",
        "acknowledge",
        "bulletin",
        "step_done",
        "raise",
        "resolve",
        "review",
    ] {
        assert!(actions.contains(&want), "{want} in {actions:?}");
    }
    assert_eq!(
        s.incident_detail(i.id, None)
            .expect("d")
            .row
            .incident
            .status,
        crate::emergency::IncidentStatus::Reviewed
    );
    // The follow-up's owner is reminded once when it falls due; done, it is on the timeline.
    clock.set(t0() + Duration::days(3));
    let fired = s.fire_due(s.now()).expect("fire");
    let reminded: Vec<(AlarmKind, Vec<i64>)> = fired
        .iter()
        .map(|f| (f.kind, f.recipients.clone()))
        .collect();
    assert_eq!(reminded, [(AlarmKind::FollowUp, vec![owner.id])]);
    assert!(s.fire_due(s.now()).expect("again").is_empty());
    let f = s.open_follow_ups(Some(owner.id)).expect("open").remove(0);
    s.complete_follow_up(f.id, (&owner).into(), Some("已更换"))
        .expect("done");
    assert!(
        s.complete_follow_up(f.id, (&owner).into(), None).is_err(),
        "once"
    );
    assert!(s.open_follow_ups(None).expect("open").is_empty());
    let last = s
        .incident_detail(i.id, None)
        .expect("d")
        .events
        .pop()
        .expect("event");
    assert_eq!(
        (last.action.as_str(), last.data["late"].as_bool()),
        ("follow_up_done", Some(false))
    );
}

#[test]
fn the_reporting_window_times_incidents_and_leaves_drills_apart() {
    let (_d, s, clock) = store();
    let boss = s
        .create_user(None, "李主任", 1, Role::Supervisor)
        .expect("boss");
    let by = || (&boss).into();
    let mut new = NewIncident::new(
        "停水",
        IncidentKind::ServiceOutage,
        Level::try_from(2).expect("level"),
    );
    let i = s.declare_incident(by(), &new, true).expect("declare");
    new.drill = true;
    let d = s.declare_incident(by(), &new, true).expect("drill");
    s.fire_due(s.now()).expect("pages");
    clock.advance(Duration::minutes(10));
    s.acknowledge_page(i.id, by()).expect("ack");
    s.acknowledge_page(d.id, by()).expect("ack drill");
    clock.advance(Duration::minutes(10));
    let b = NewBulletin {
        wording: "抢修中".into(),
        advice: String::new(),
        measures: String::new(),
        valid_until: None,
    };
    s.publish_bulletin(i.id, by(), &b).expect("bulletin");
    clock.advance(Duration::minutes(40));
    let v = s
        .incident_detail(i.id, None)
        .expect("d")
        .row
        .incident
        .version;
    s.act_incident(
        i.id,
        v,
        by(),
        &IncidentAction::Resolve {
            summary: "恢复".into(),
        },
    )
    .expect("resolve");
    let r = s.monthly_report("2026-11", None).expect("report");
    let f = &r["incidents"];
    assert_eq!(
        (f["declared"].as_i64(), f["drills_held"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(f["by_level"]["2"].as_i64(), Some(1));
    let minutes: Vec<Option<f64>> = f["times"]
        .as_array()
        .expect("times")
        .iter()
        .map(|t| t["calendar_minutes"].as_f64())
        .collect();
    assert_eq!(minutes, [Some(10.0), Some(20.0), Some(60.0)]);
    // t0 is Monday 09:00: all of it in working time.
    assert_eq!(f["times"][2]["business_minutes"].as_f64(), Some(60.0));
}

#[test]
fn an_incident_report_is_a_workbook_named_by_its_number() {
    let (_d, s, _c) = store();
    let boss = s
        .create_user(None, "李主任", 1, Role::Supervisor)
        .expect("boss");
    let new = NewIncident {
        area: "东城区".into(),
        ..NewIncident::new(
            "停水",
            IncidentKind::ServiceOutage,
            Level::try_from(1).expect("level"),
        )
    };
    let i = s
        .declare_incident((&boss).into(), &new, true)
        .expect("declare");
    let t = s
        .create_ticket(1, &crate::ticket::tests::new_ticket())
        .expect("ticket");
    s.link_ticket(i.id, t.id, (&boss).into()).expect("link");
    let (name, bytes) = s
        .acting(boss.id)
        .expect("a")
        .incident_file(i.id)
        .expect("file");
    assert_eq!(name, format!("hotline-incident-{}.xlsx", i.number));
    assert!(bytes.starts_with(b"PK"), "a zip (xlsx)");
    // Built from what the screens receive: the calls masked.
    let d = s.acting(boss.id).expect("a").incident(i.id).expect("d");
    assert_eq!(d.linked[0].phone, "138****5678");
}
