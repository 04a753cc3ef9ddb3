use crate::alarms::AlarmKind;
use crate::emergency::plan::{seeded, DutyRole};
use crate::emergency::roster::Assignment;
use crate::emergency::{IncidentKind, Level, NewIncident};
use crate::model::{Role, User};
use crate::store::testutil::{store, t0};
use crate::store::{Author, OutboxKind, Store};
use chrono::{Duration, NaiveDate};

fn by(u: &User) -> Author<'_> {
    u.into()
}

fn level(n: i64) -> Level {
    Level::try_from(n).expect("level")
}

fn outage(l: i64, drill: bool) -> NewIncident {
    NewIncident {
        drill,
        ..NewIncident::new("全市热线中断", IncidentKind::ServiceOutage, level(l))
    }
}

struct Centre {
    manager: User,
    sups: Vec<User>,
    leader: User,
    backup: User,
    tech: User,
    agent: User,
}

/// A centre whose 2026-11-02 (t0 is 09:00 that day) has a duty leader, a backup leader
/// and a technician on every shift.
fn centre(s: &Store) -> Centre {
    let u = |name: &str, role| s.create_user(None, name, 1, role).expect("user");
    let c = Centre {
        manager: u("张经理", Role::Manager),
        sups: vec![u("班长甲", Role::Supervisor), u("班长乙", Role::Supervisor)],
        leader: u("值班长 李娜", Role::Agent),
        backup: u("备班 王芳", Role::Agent),
        tech: u("技术 小刘", Role::Agent),
        agent: u("话务员 赵六", Role::Agent),
    };
    let day = NaiveDate::from_ymd_opt(2026, 11, 2).expect("day");
    let mut list = Vec::new();
    for shift in s.duty_shifts().expect("shifts") {
        for (post, who, backup) in [
            (DutyRole::Leader, &c.leader, false),
            (DutyRole::Leader, &c.backup, true),
            (DutyRole::Technical, &c.tech, false),
        ] {
            list.push(Assignment {
                id: 0,
                day,
                shift_id: shift.id,
                post,
                user_id: who.id,
                backup,
            });
        }
    }
    s.save_roster(by(&c.manager), day, day, &list)
        .expect("roster");
    c
}

fn paged(s: &Store) -> Vec<i64> {
    let mut v: Vec<i64> = s
        .fire_due(s.now())
        .expect("fire")
        .into_iter()
        .filter(|f| f.incident_id.is_some())
        .flat_map(|f| f.recipients)
        .collect();
    v.sort_unstable();
    v
}

#[test]
fn declaring_level_3_pages_exactly_the_plans_recipients_once() {
    let (_d, s, _c) = store();
    let c = centre(&s);
    let head = s.outbox_head().expect("head");
    let i = s
        .declare_incident(by(&c.sups[0]), &outage(3, false), true)
        .expect("declare");
    // Level 3: the supervisors and managers, the duty leader and the technician on duty —
    // not the backup, not the other agents.
    let mut want = vec![
        c.sups[0].id,
        c.sups[1].id,
        c.manager.id,
        c.leader.id,
        c.tech.id,
    ];
    want.sort_unstable();
    assert_eq!(paged(&s), want);
    assert_eq!(paged(&s), Vec::<i64>::new(), "each page fires once");
    let notes = s.notifications(c.leader.id, 10).expect("inbox");
    assert_eq!(
        (notes.len(), notes[0].incident_id, notes[0].kind),
        (1, Some(i.id), AlarmKind::Page)
    );
    assert!(s.notifications(c.agent.id, 10).expect("inbox").is_empty());
    let told: Vec<Option<i64>> = s
        .outbox_after(head, 100)
        .expect("outbox")
        .into_iter()
        .filter(|e| e.kind == OutboxKind::Notification)
        .map(|e| e.user_id)
        .collect();
    assert_eq!(told.len(), want.len());
    // The pop-up speaks of the incident, and pages break through quiet hours.
    let fired = s
        .outbox_after(head, 100)
        .expect("o")
        .into_iter()
        .find_map(|e| e.fired())
        .expect("fired");
    assert_eq!(fired.incident_id, Some(i.id));
    let pops = s.popups(fired.recipients[0], &[fired]).expect("pops");
    assert!(pops[0].0.contains(&i.number), "{pops:?}");
    let d = s.incident_detail(i.id, None).expect("detail");
    let page = d
        .events
        .iter()
        .find(|e| e.action == "page")
        .expect("page event");
    assert_eq!(
        page.data["users"].as_array().map(Vec::len),
        Some(want.len())
    );
    assert_eq!(d.pages.len(), want.len());
}

#[test]
fn an_unanswered_page_goes_to_the_backup_then_up_and_an_acknowledgement_stops_it() {
    let (_d, s, clock) = store();
    let c = centre(&s);
    // A plan that pages the duty leader alone, with 10 minutes to acknowledge.
    let mut plan = seeded(IncidentKind::HotlineFailure, level(2));
    plan.notify.roles.clear();
    plan.notify.on_duty = vec![DutyRole::Leader];
    plan.ack_minutes = 10;
    s.save_plan(
        by(&c.manager),
        IncidentKind::HotlineFailure,
        level(2),
        &plan,
    )
    .expect("plan");
    let mut failure = outage(2, false);
    failure.kind = IncidentKind::HotlineFailure;
    let i = s
        .declare_incident(by(&c.sups[0]), &failure, true)
        .expect("declare");
    assert_eq!(paged(&s), [c.leader.id]);
    assert_eq!(
        s.next_alarm().expect("next"),
        Some(t0() + Duration::minutes(10))
    );
    clock.advance(Duration::minutes(9));
    assert!(paged(&s).is_empty(), "not yet");
    clock.advance(Duration::minutes(1));
    assert_eq!(
        paged(&s),
        [c.backup.id],
        "the backup after the plan's minutes"
    );
    clock.advance(Duration::minutes(10));
    assert_eq!(paged(&s), [c.manager.id], "then up the chain");
    clock.advance(Duration::hours(1));
    assert!(paged(&s).is_empty(), "the chain ends with the managers");
    let tiers: Vec<i64> = s
        .incident_detail(i.id, None)
        .expect("d")
        .pages
        .iter()
        .map(|p| p.tier)
        .collect();
    assert_eq!(tiers, [0, 1, 2]);

    // Another incident: the leader acknowledges from their seat within the minutes.
    let j = s
        .declare_incident(by(&c.sups[0]), &failure, true)
        .expect("again");
    assert_eq!(paged(&s), [c.leader.id]);
    let e = s
        .acknowledge_page(j.id, by(&c.agent))
        .expect_err("not paged");
    assert_eq!(e.code(), "not_found");
    clock.advance(Duration::minutes(4));
    s.acknowledge_page(j.id, by(&c.leader)).expect("ack");
    clock.advance(Duration::minutes(30));
    assert!(paged(&s).is_empty(), "acknowledged: nobody else is paged");
    let d = s.incident_detail(j.id, None).expect("d");
    assert_eq!(d.pages[0].acked_at, Some(t0() + Duration::minutes(84)));
    assert!(d
        .events
        .iter()
        .any(|e| e.action == "acknowledge" && e.actor_id == c.leader.id));
}

#[test]
fn a_raise_pages_the_higher_plan_and_a_drill_says_so() {
    let (_d, s, _c) = store();
    let c = centre(&s);
    let i = s
        .declare_incident(by(&c.sups[0]), &outage(1, true), true)
        .expect("drill");
    // Level 1: the supervisors and the duty leader, as drill pages.
    let fired = s.fire_due(s.now()).expect("fire");
    assert!(fired.iter().all(|f| f.kind == AlarmKind::PageDrill));
    assert_eq!(fired.len(), 3);
    let up = s
        .act_incident(
            i.id,
            s.incident_detail(i.id, None)
                .expect("d")
                .row
                .incident
                .version,
            by(&c.sups[0]),
            &crate::emergency::IncidentAction::SetLevel {
                level: level(3),
                reason: "演练升级".into(),
            },
        )
        .expect("raise");
    assert_eq!(up.level, level(3));
    // The raise pages level 3's recipients again (a new event): the manager and technician too.
    let mut again: Vec<i64> = s
        .fire_due(s.now())
        .expect("fire")
        .into_iter()
        .flat_map(|f| f.recipients)
        .collect();
    again.sort_unstable();
    let mut want = vec![
        c.sups[0].id,
        c.sups[1].id,
        c.manager.id,
        c.leader.id,
        c.tech.id,
    ];
    want.sort_unstable();
    assert_eq!(again, want);
}
