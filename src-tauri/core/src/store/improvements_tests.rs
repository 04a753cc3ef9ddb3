//! Root causes and improvement measures: the measure's effectiveness comes from the
//! complaints received after it — held-back data of the same kind makes it "recurred".

use crate::complaint::cause::{AnalysisMethod, CauseCategory, Effectiveness, NewCause, NewMeasure};
use crate::model::{Channel, Role};
use crate::store::testutil::{setup, t0};
use crate::store::{Measures, Store};
use crate::ticket::tests::new_ticket;
use crate::ticket::NewTicket;
use chrono::Duration;

fn complaint(category: &str) -> NewTicket {
    NewTicket {
        category: category.into(),
        description: "投诉：营业厅排队两小时无人处理。".into(),
        channel: Channel::Phone,
        ..new_ticket()
    }
}

fn measure(owner: i64) -> NewMeasure {
    NewMeasure {
        title: "高峰时段增开窗口".into(),
        owner_id: owner,
        due_at: t0() + Duration::days(14),
        watch_months: 3,
    }
}

/// A store with a complaint whose measure was done on day 10: (…, ticket, measure id).
fn done_measure(s: &Store, clock: &crate::clock::FakeClock) -> (i64, i64) {
    let boss = s
        .create_user(None, "李班长", 1, Role::Supervisor)
        .expect("boss");
    let t = s
        .create_ticket(1, &complaint("complaint.service_process"))
        .expect("complaint");
    let cause = NewCause {
        category: CauseCategory::Process,
        method: AnalysisMethod::FiveWhys,
        steps: vec![
            "为何排队久".into(),
            "为何窗口少".into(),
            "排班未按高峰".into(),
        ],
        summary: "排班未考虑高峰".into(),
    };
    let c = s.set_cause(t.id, (&boss).into(), &cause).expect("cause");
    assert_eq!((c.category, c.steps.len()), (CauseCategory::Process, 3));
    let m = s
        .add_measure(t.id, (&boss).into(), &measure(boss.id))
        .expect("measure");
    assert_eq!(m.effectiveness, Effectiveness::Open);
    clock.advance(Duration::days(10));
    let m = s
        .complete_measure(m.id, (&boss).into(), Some("已调整排班"))
        .expect("done");
    assert!(
        matches!(m.effectiveness, Effectiveness::Watching { .. }),
        "{m:?}"
    );
    assert_eq!(
        s.complete_measure(m.id, (&boss).into(), None)
            .map_err(|e| e.code()),
        Err("invalid_transition")
    );
    (t.id, m.id)
}

#[test]
fn the_same_kind_of_complaint_again_means_the_measure_recurred() {
    let (_d, s, clock, _dept, _h) = setup();
    let (_t, id) = done_measure(&s, &clock);
    // Held back until now: a complaint of another kind, then one of the same kind.
    clock.advance(Duration::days(20));
    s.create_ticket(1, &complaint("complaint.product"))
        .expect("other kind");
    s.create_ticket(1, &new_ticket()).expect("not a complaint");
    assert!(matches!(
        s.measure(id).expect("m").effectiveness,
        Effectiveness::Watching { .. }
    ));
    clock.advance(Duration::days(5));
    let again = s
        .create_ticket(1, &complaint("complaint.service_process"))
        .expect("same kind");
    assert_eq!(
        s.measure(id).expect("m").effectiveness,
        Effectiveness::Recurred {
            tickets: vec![again.number]
        }
    );
}

#[test]
fn a_measure_that_holds_for_its_window_is_effective() {
    let (_d, s, clock, _dept, _h) = setup();
    let (t, id) = done_measure(&s, &clock);
    clock.advance(Duration::days(100));
    let m = s.measure(id).expect("m");
    assert!(
        matches!(m.effectiveness, Effectiveness::Effective { .. }),
        "{m:?}"
    );
    // A complaint of the kind after the window does not undo it.
    s.create_ticket(1, &complaint("complaint.service_process"))
        .expect("late");
    assert!(matches!(
        s.measure(id).expect("m").effectiveness,
        Effectiveness::Effective { .. }
    ));
    assert_eq!(s.measures(Measures::OfTicket(t)).expect("list").len(), 1);
    let actions: Vec<String> = s
        .timeline(t)
        .expect("tl")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.ends_with(&["cause".into(), "measure".into(), "measure_done".into()]),
        "{actions:?}"
    );
}

#[test]
fn bad_causes_and_measures_change_nothing() {
    let (_d, s, _clock, _dept, _h) = setup();
    let boss = s
        .create_user(None, "李班长", 1, Role::Supervisor)
        .expect("boss");
    let t = s
        .create_ticket(1, &complaint("complaint.product"))
        .expect("t");
    let plain = s.create_ticket(1, &new_ticket()).expect("plain");
    let version = s.ticket(t.id).expect("t").version;
    let bad = NewCause {
        category: CauseCategory::Product,
        method: AnalysisMethod::EightD,
        steps: vec![String::new(); 8],
        summary: "x".into(),
    };
    assert_eq!(
        s.set_cause(t.id, (&boss).into(), &bad)
            .map_err(|e| e.code())
            .err(),
        Some("required")
    );
    let late = NewMeasure {
        due_at: t0() - Duration::days(1),
        ..measure(boss.id)
    };
    assert_eq!(
        s.add_measure(t.id, (&boss).into(), &late)
            .map_err(|e| e.code())
            .err(),
        Some("deadline_too_early")
    );
    assert_eq!(
        s.add_measure(plain.id, (&boss).into(), &measure(boss.id))
            .map_err(|e| e.code())
            .err(),
        Some("not_found")
    );
    assert_eq!(
        s.add_measure(t.id, (&boss).into(), &measure(999))
            .map_err(|e| e.code())
            .err(),
        Some("not_found")
    );
    assert_eq!(s.ticket(t.id).expect("t").version, version);
    assert_eq!(s.complaint_cause(t.id).expect("read"), None);
    assert!(s.measures(Measures::All).expect("all").is_empty());
}
