use crate::emergency::{IncidentKind, Level, NewIncident};
use crate::model::Role;
use crate::store::testutil::{store, t0};
use crate::store::Store;
use crate::ticket::tests::new_ticket;
use chrono::{DateTime, Duration, Utc};

/// `n` calls spread over the 30 minutes before `end`.
fn calls(s: &Store, end: DateTime<Utc>, n: i64, tag: &str) {
    s.write(|tx| {
        for k in 0..n {
            let at = end - Duration::seconds(1 + k * 1800 / n.max(1));
            tx.execute(
                "INSERT INTO calls (key, source, caller, callee, started_at, ended_at, disposition)
                 VALUES (?1, 'test', '13800000000', '12345', ?2, ?2, 'ANSWERED')",
                (format!("{tag}-{k}"), at.timestamp_millis()),
            )?;
        }
        Ok(())
    })
    .expect("calls");
}

#[test]
fn a_surge_of_calls_raises_exactly_one_suggestion_with_its_evidence() {
    let (_d, s, clock) = store();
    // Four ordinary weeks: 10 calls in each of these two half hours of this weekday.
    for w in 1..=4 {
        calls(&s, t0() - Duration::weeks(w), 10, &format!("a{w}"));
        let later = t0() + Duration::minutes(30) - Duration::weeks(w);
        calls(&s, later, 10, &format!("b{w}"));
    }
    calls(&s, t0(), 18, "calm");
    assert_eq!(
        s.detect(t0()).expect("detect"),
        0,
        "1.8 × the usual is no surge"
    );
    // Half an hour later, 45 calls: 4.5 × the usual.
    clock.advance(Duration::minutes(30));
    calls(&s, s.now(), 45, "surge");
    assert_eq!(s.detect(s.now()).expect("detect"), 1);
    // The same surge does not raise another, neither a minute nor twenty minutes later.
    for later in [1, 20] {
        clock.set(t0() + Duration::minutes(30 + later));
        assert_eq!(s.detect(s.now()).expect("again"), 0);
    }
    let list = s.suggestions(true, 10).expect("list");
    assert_eq!(list.len(), 1);
    let e = &list[0].evidence;
    assert_eq!(
        (
            list[0].kind.as_str(),
            e["recent"].as_i64(),
            e["baseline"].as_f64()
        ),
        ("surge", Some(45), Some(10.0))
    );
    assert_eq!(e["weeks"], serde_json::json!([10, 10, 10, 10]));
    // Dismissed, it is logged; detection looks again once its window has passed.
    let boss = s
        .create_user(None, "李主任", 1, Role::Supervisor)
        .expect("boss");
    s.dismiss_suggestion(list[0].id, (&boss).into())
        .expect("dismiss");
    assert!(s.suggestions(true, 10).expect("open").is_empty());
    let log = s.audit_entries(&Default::default()).expect("audit");
    assert!(log.iter().any(|a| a.action == "incident_suggested"));
    assert_eq!(log[0].action, "suggestion_dismissed");
    assert!(
        s.dismiss_suggestion(list[0].id, (&boss).into()).is_err(),
        "decided once"
    );
}

#[test]
fn a_cluster_of_tickets_suggests_an_incident_that_takes_them_in_when_declared() {
    let (_d, s, clock) = store();
    let boss = s
        .create_user(None, "李主任", 1, Role::Supervisor)
        .expect("boss");
    let mut t = new_ticket();
    t.address = Some("东城区幸福路 12 号".into());
    for _ in 0..4 {
        s.create_ticket(1, &t).expect("ticket");
    }
    clock.advance(Duration::minutes(2));
    assert_eq!(
        s.detect(s.now()).expect("four"),
        0,
        "below the minimum of five"
    );
    let fifth = s.create_ticket(1, &t).expect("fifth");
    clock.advance(Duration::minutes(2));
    assert_eq!(s.detect(s.now()).expect("five"), 1);
    clock.advance(Duration::minutes(2));
    assert_eq!(
        s.detect(s.now()).expect("again"),
        0,
        "once a day per topic and area"
    );
    let sug = s.suggestions(true, 10).expect("list").remove(0);
    assert_eq!(
        (sug.kind.as_str(), sug.evidence["area"].as_str()),
        ("cluster", Some("东城区"))
    );
    assert_eq!(sug.evidence["tickets"].as_array().map(Vec::len), Some(5));
    let new = NewIncident {
        area: "东城区".into(),
        ..NewIncident::new(
            "东城区路灯大面积故障",
            IncidentKind::ServiceOutage,
            Level::try_from(2).expect("level"),
        )
    };
    let i = s
        .declare_suggestion(sug.id, (&boss).into(), &new, true)
        .expect("declared");
    assert_eq!(s.incident_of_ticket(fifth.id).expect("of"), Some(i.id));
    assert_eq!(s.incidents(true, 1).expect("l")[0].tickets, 5);
    assert_eq!(s.suggestion(sug.id).expect("s").incident_id, Some(i.id));
}

#[test]
fn drills_leave_every_figure_and_history_unchanged_and_are_asked_for_when_missing() {
    use crate::emergency::IncidentAction;
    let (_d, s, clock) = store();
    let boss = s
        .create_user(None, "李主任", 1, Role::Supervisor)
        .expect("boss");
    // Some real work first.
    s.create_ticket(1, &new_ticket()).expect("real");
    let before = s.monthly_report("2026-11", None).expect("report");
    let history = s.history("13812345678").expect("history").len();
    // A drill: declared, paged, a practice call attached and answered, steps, a bulletin,
    // resolved.
    let drill = NewIncident {
        drill: true,
        ..NewIncident::new(
            "演练：热线系统故障",
            IncidentKind::HotlineFailure,
            Level::try_from(3).expect("level"),
        )
    };
    let i = s
        .declare_incident((&boss).into(), &drill, true)
        .expect("drill");
    s.fire_due(s.now()).expect("pages");
    let practice = s
        .intake(
            1,
            &new_ticket(),
            Some(&crate::Action::Answer {
                answer: "演练答复".into(),
                callback: false,
                article: None,
            }),
        )
        .expect("practice");
    s.link_ticket(i.id, practice.id, (&boss).into())
        .expect("link");
    s.complete_step(i.id, 1, (&boss).into(), None)
        .expect("step");
    let v = s
        .incident_detail(i.id, None)
        .expect("d")
        .row
        .incident
        .version;
    s.act_incident(
        i.id,
        v,
        (&boss).into(),
        &IncidentAction::Resolve {
            summary: "演练结束".into(),
        },
    )
    .expect("resolve");
    let after = s.monthly_report("2026-11", None).expect("report");
    assert_eq!(before["report"], after["report"], "every KPI as before");
    assert_eq!(before["assessment"], after["assessment"]);
    assert_eq!(
        s.history("13812345678").expect("history").len(),
        history,
        "no practice in histories"
    );
    // Six months on without another drill, the centre is reminded once that month.
    clock.advance(Duration::days(190));
    assert_eq!(s.detect(s.now()).expect("detect"), 1);
    clock.advance(Duration::minutes(5));
    assert_eq!(s.detect(s.now()).expect("again"), 0);
    let sug = s.suggestions(true, 5).expect("list");
    assert_eq!((sug.len(), sug[0].kind.as_str()), (1, "drill"));
}
