//! The complaint figures on a small known set: Pareto by cause with its cumulative share,
//! repeats by the same caller, acknowledgement on time, and drills counted nowhere.

use super::figures;
use crate::complaint::cause::{AnalysisMethod, CauseCategory, NewCause};
use crate::complaint::AckMethod;
use crate::model::{Channel, Role};
use crate::report::ReportQuery;
use crate::store::testutil::{setup, t0};
use crate::ticket::tests::new_ticket;
use crate::ticket::NewTicket;
use chrono::Duration;

fn complaint(phone: &str, category: &str, channel: Channel) -> NewTicket {
    NewTicket {
        phone: phone.into(),
        category: category.into(),
        channel,
        description: "投诉".into(),
        ..new_ticket()
    }
}

#[test]
fn complaints_by_cause_repeats_and_acknowledgement() {
    let (_d, s, clock, _dept, _h) = setup();
    let boss = s
        .create_user(None, "李班长", 1, Role::Supervisor)
        .expect("boss");
    let cause = |t: i64, category| {
        let c = NewCause {
            category,
            method: AnalysisMethod::FiveWhys,
            steps: vec!["为何".into()],
            summary: "原因".into(),
        };
        s.set_cause(t, (&boss).into(), &c).expect("cause");
    };
    // Five complaints: three by process, one by people, one not analysed; the caller
    // 13800000001 complains twice (the second a repeat); two by letter, one acknowledged late.
    let a = s
        .create_ticket(
            1,
            &complaint("13800000001", "complaint.service_process", Channel::Phone),
        )
        .expect("a");
    cause(a.id, CauseCategory::Process);
    clock.advance(Duration::days(2));
    let b = s
        .create_ticket(
            1,
            &complaint("13800000001", "complaint.service_process", Channel::Phone),
        )
        .expect("b");
    cause(b.id, CauseCategory::Process);
    let c = s
        .create_ticket(
            1,
            &complaint("13800000002", "complaint.product", Channel::Letter),
        )
        .expect("c");
    cause(c.id, CauseCategory::Process);
    let d = s
        .create_ticket(
            1,
            &complaint("13800000003", "complaint.service_attitude", Channel::Letter),
        )
        .expect("d");
    cause(d.id, CauseCategory::People);
    s.create_ticket(1, &new_ticket()).expect("not a complaint");
    let _e = s
        .create_ticket(
            1,
            &complaint("13800000004", "complaint.product", Channel::Phone),
        )
        .expect("e");
    clock.advance(Duration::hours(2));
    s.acknowledge_complaint(c.id, (&boss).into(), AckMethod::Letter)
        .expect("on time");
    clock.advance(Duration::hours(30));
    s.acknowledge_complaint(d.id, (&boss).into(), AckMethod::Letter)
        .expect("late");

    let q = ReportQuery {
        from: t0() - Duration::days(1),
        to: t0() + Duration::days(10),
        ..Default::default()
    };
    let f = s.read(|c| figures(c, &q, s.now())).expect("figures");
    assert_eq!(f.received, 5);
    let causes: Vec<(&str, i64)> = f
        .by_cause
        .iter()
        .map(|b| (b.key.as_str(), b.count))
        .collect();
    assert_eq!(causes, [("process", 3), ("people", 1)]);
    assert_eq!(f.by_cause[0].cumulative, 0.75);
    assert_eq!(f.by_cause[1].cumulative, 1.0);
    assert_eq!(f.unanalysed, 1);
    assert_eq!((f.repeat.numerator, f.repeat.denominator), (1, 5));
    assert!(!f.repeat.higher_is_better);
    // In person acknowledged at once (3), by letter one on time and one late.
    assert_eq!((f.ack_on_time.numerator, f.ack_on_time.denominator), (4, 5));
    assert_eq!(f.ack_hours, Some((2.0 + 32.0) / 2.0));
    let categories: Vec<(&str, i64)> = f
        .by_category
        .iter()
        .map(|b| (b.key.as_str(), b.count))
        .collect();
    assert_eq!(
        categories,
        [
            ("complaint.product", 2),
            ("complaint.service_process", 2),
            ("complaint.service_attitude", 1)
        ],
        "ties in key order"
    );
}

#[test]
fn drills_count_nowhere_in_the_complaint_figures() {
    let (_d, s, _c, _dept, _h) = setup();
    let boss = s
        .create_user(None, "李班长", 1, Role::Supervisor)
        .expect("boss");
    let t = s
        .create_ticket(
            1,
            &complaint("13800000001", "complaint.product", Channel::Phone),
        )
        .expect("t");
    let drill = crate::emergency::NewIncident {
        drill: true,
        ..crate::emergency::NewIncident::new(
            "演练",
            crate::emergency::IncidentKind::MassComplaint,
            crate::emergency::Level::LOWEST,
        )
    };
    let i = s
        .declare_incident((&boss).into(), &drill, true)
        .expect("drill");
    s.link_ticket(i.id, t.id, (&boss).into()).expect("link");
    let q = ReportQuery {
        from: t0() - Duration::days(1),
        to: t0() + Duration::days(1),
        ..Default::default()
    };
    let f = s.read(|c| figures(c, &q, s.now())).expect("figures");
    assert_eq!(
        (f.received, f.repeat.denominator, f.ack_on_time.denominator),
        (0, 0, 0)
    );
}
