use super::plan::{seeded, PlanBody, SEEDED_STEPS};
use super::*;
use chrono::TimeZone;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0)
        .single()
        .expect("t0")
}

fn incident() -> Incident {
    Incident {
        id: 1,
        number: "YJ20261202-01".into(),
        version: 1,
        title: "自来水停水".into(),
        kind: IncidentKind::ServiceOutage,
        level: Level::LOWEST,
        proposed_level: None,
        status: IncidentStatus::Declared,
        area: "东城区".into(),
        services: String::new(),
        category_id: None,
        started_at: t0(),
        declared_at: t0(),
        declared_by: 1,
        owner_id: None,
        plan_id: 1,
        drill: false,
        resolved_at: None,
        summary: None,
        updated_at: t0(),
    }
}

fn level(n: i64) -> Level {
    Level::try_from(n).expect("level")
}

#[test]
fn levels_are_one_to_four_on_the_wire() {
    assert_eq!(serde_json::to_value(level(3)).expect("json"), 3);
    let bad: std::result::Result<Level, _> = serde_json::from_value(serde_json::json!(5));
    assert!(bad.is_err());
    assert!(serde_json::from_value::<Level>(serde_json::json!(0)).is_err());
}

#[test]
fn the_status_moves_only_along_its_path() {
    let i = incident();
    let (i, e) = apply(&i, &IncidentAction::Respond { note: None }, t0()).expect("respond");
    assert_eq!(
        (i.status, e.action.as_str()),
        (IncidentStatus::Responding, "respond")
    );
    let again = apply(&i, &IncidentAction::Respond { note: None }, t0()).expect_err("twice");
    assert_eq!(again.code(), "incident_transition");
    let (i, _) = apply(&i, &IncidentAction::Monitor { note: None }, t0()).expect("monitor");
    let (i, _) = apply(&i, &IncidentAction::Resume { note: None }, t0()).expect("resume");
    let (i, e) = apply(
        &i,
        &IncidentAction::Resolve {
            summary: "已恢复供水".into(),
        },
        t0(),
    )
    .expect("resolve");
    assert_eq!(
        (i.status, i.resolved_at, e.from_status, e.to_status),
        (
            IncidentStatus::Resolved,
            Some(t0()),
            Some(IncidentStatus::Responding),
            IncidentStatus::Resolved
        )
    );
    // A resolved incident changes level no more; it may be reopened, with a reason.
    let e = apply(
        &i,
        &IncidentAction::SetLevel {
            level: level(2),
            reason: "x".into(),
        },
        t0(),
    )
    .expect_err("resolved");
    assert_eq!(e.code(), "incident_transition");
    let e = apply(&i, &IncidentAction::Reopen { reason: " ".into() }, t0()).expect_err("no reason");
    assert_eq!(e.code(), "required");
    let (i, _) = apply(
        &i,
        &IncidentAction::Reopen {
            reason: "再次停水".into(),
        },
        t0(),
    )
    .expect("reopen");
    assert_eq!(
        (i.status, i.resolved_at),
        (IncidentStatus::Responding, None)
    );
}

#[test]
fn a_level_changes_only_with_a_reason_and_says_which_way() {
    let i = incident();
    let e = apply(
        &i,
        &IncidentAction::SetLevel {
            level: level(3),
            reason: "".into(),
        },
        t0(),
    )
    .expect_err("no reason");
    assert_eq!(e.code(), "required");
    let same = apply(
        &i,
        &IncidentAction::SetLevel {
            level: Level::LOWEST,
            reason: "同级".into(),
        },
        t0(),
    )
    .expect_err("same level");
    assert_eq!(same.code(), "invalid_value");
    let (up, e) = apply(
        &i,
        &IncidentAction::SetLevel {
            level: level(3),
            reason: "影响扩大到三个街道".into(),
        },
        t0(),
    )
    .expect("raise");
    assert_eq!((up.level, e.action.as_str()), (level(3), "raise"));
    assert_eq!(e.data["from"], 1);
    let (down, e) = apply(
        &up,
        &IncidentAction::SetLevel {
            level: level(2),
            reason: "已控制".into(),
        },
        t0(),
    )
    .expect("lower");
    assert_eq!((down.level, e.action.as_str()), (level(2), "lower"));
}

#[test]
fn an_agent_declares_level_one_and_proposes_higher() {
    assert_eq!(declared_level(false, level(3)), (level(1), Some(level(3))));
    assert_eq!(declared_level(false, level(1)), (level(1), None));
    assert_eq!(declared_level(true, level(3)), (level(3), None));
}

#[test]
fn a_declaration_is_checked_before_anything_is_kept() {
    let mut n = NewIncident::new("  ", IncidentKind::Other, Level::LOWEST);
    assert_eq!(n.validated(t0()).expect_err("title").code(), "required");
    n.title = "停电".into();
    n.started_at = Some(t0() + chrono::Duration::hours(1));
    assert_eq!(
        n.validated(t0()).expect_err("future").code(),
        "invalid_value"
    );
    n.started_at = None;
    assert_eq!(n.validated(t0()).expect("ok").started_at, Some(t0()));
}

#[test]
fn seeded_plans_grow_faster_and_wider_with_the_level() {
    for kind in IncidentKind::ALL {
        let mut last_first = i64::MAX;
        for l in Level::ALL {
            let p = seeded(*kind, *l);
            assert_eq!(p.validated().expect("valid"), p, "{kind} {l}");
            assert!(p
                .steps
                .iter()
                .all(|s| SEEDED_STEPS.contains(&s.key.as_str())));
            assert!(p.steps[0].minutes < last_first, "faster as it rises");
            last_first = p.steps[0].minutes;
            assert_eq!(p.report_upward, l.get() == 4);
        }
    }
    let failure = seeded(IncidentKind::HotlineFailure, level(2));
    assert_eq!(failure.steps[1].key, "switch_backup");
}

#[test]
fn a_plan_with_a_bad_step_is_refused() {
    let good = seeded(IncidentKind::Other, level(2));
    let mut p: PlanBody = good.clone();
    p.steps.clear();
    assert_eq!(p.validated().expect_err("empty").code(), "invalid_value");
    let mut p = good.clone();
    p.steps[1].key = p.steps[0].key.clone();
    assert!(p.validated().is_err(), "same key twice");
    let mut p = good.clone();
    p.steps[0].minutes = 0;
    assert!(p.validated().is_err());
    let mut p = good.clone();
    p.steps[0].key = "隔离".into();
    assert!(p.validated().is_err());
    let mut p = good;
    p.ack_minutes = -1;
    assert!(p.validated().is_err());
}
