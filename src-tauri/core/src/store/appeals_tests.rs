//! Exclusions and appeals in the store: each takes out of the department's figures exactly
//! the rows the KPI's formula counted for that ticket; decided once, by another person;
//! appeals only for a closed month, within the window, of entries that count against.

use crate::assessment::{AppealState, ExclusionReason, ExclusionState};
use crate::model::{Role, Satisfaction, User};
use crate::report::{month, Kpi, ReportQuery};
use crate::store::testutil::{setup, t0};
use crate::ticket::tests::new_ticket;
use crate::{Action, Store};
use chrono::Duration;

/// A ticket transferred to `dept` at the clock's time, due in two hours, accepted after 30
/// minutes, replied `reply_after` later and relayed with `satisfaction`.
fn handled(
    s: &Store,
    clock: &crate::FakeClock,
    dept: i64,
    handler: &User,
    reply_after: Duration,
    satisfaction: Satisfaction,
) -> i64 {
    let start = s.now();
    let t = s
        .intake(
            1,
            &new_ticket(),
            Some(&Action::Transfer {
                department_id: dept,
                requirements: "核查".into(),
                due_at: start + Duration::hours(2),
                accept_due_at: Some(start + Duration::hours(1)),
                co_department_ids: vec![],
                co_due_at: None,
            }),
        )
        .expect("transfer");
    clock.advance(Duration::minutes(30));
    let t = s
        .act(t.id, t.version, handler.id, &Action::Accept { note: None })
        .expect("accept");
    clock.advance(reply_after);
    let t = s
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
    let unsatisfied = satisfaction == Satisfaction::Unsatisfied;
    s.act(
        t.id,
        t.version,
        1,
        &Action::Feedback {
            satisfaction: Some(satisfaction),
            note: None,
            redispatch_due_at: None,
            no_redispatch_reason: unsatisfied.then(|| "诉求超出政策".into()),
        },
    )
    .expect("feedback");
    clock.set(start + Duration::minutes(10));
    t.id
}

/// The department's assessment figures of November 2026, by key.
fn figures(s: &Store, dept: i64) -> Vec<Kpi> {
    let tz = chrono_tz::Asia::Shanghai;
    let (from, to) = month("2026-11", tz).expect("nov");
    let (pf, pt) = month("2026-10", tz).expect("oct");
    let (_, depts) = s
        .assessment(&ReportQuery::new(from, to), &ReportQuery::new(pf, pt))
        .expect("assessment");
    depts
        .into_iter()
        .find(|d| d.id == dept)
        .expect("department")
        .kpis
}

fn pick(kpis: &[Kpi], key: &str) -> Kpi {
    kpis.iter().find(|k| k.key == key).cloned().expect(key)
}

fn counts(kpis: &[Kpi], key: &str) -> (i64, i64) {
    let k = pick(kpis, key);
    (k.numerator, k.denominator)
}

#[test]
fn exclusions_and_upheld_appeals_take_exactly_their_rows_out() {
    let (_d, s, clock, dept, handler) = setup();
    let sup = s
        .create_user(None, "值班长 赵", 1, Role::Supervisor)
        .expect("sup");
    let manager = s
        .create_user(None, "主任 钱", 1, Role::Manager)
        .expect("mgr");
    let late = Duration::hours(3);
    let a = handled(&s, &clock, dept, &handler, late, Satisfaction::Satisfied);
    let b = handled(&s, &clock, dept, &handler, late, Satisfaction::Unsatisfied);
    let c = handled(
        &s,
        &clock,
        dept,
        &handler,
        Duration::minutes(20),
        Satisfaction::Satisfied,
    );
    let before = figures(&s, dept);
    assert_eq!(counts(&before, "on_time_acceptance"), (3, 3));
    assert_eq!(counts(&before, "on_time_handling"), (1, 3));
    assert_eq!(counts(&before, "satisfaction"), (2, 3));
    assert!(before.iter().all(|k| k.less.is_none()));

    // 不合理件: proposed by the department, approved by a supervisor, not by its proposer.
    let none = crate::NewTicket {
        phone: "13900000009".into(),
        ..new_ticket()
    };
    let answered = s
        .intake(
            1,
            &none,
            Some(&Action::Answer {
                answer: "已解答".into(),
                callback: false,
                article: None,
            }),
        )
        .expect("answered");
    let code = |r: crate::Result<crate::store::Exclusion>| r.map_err(|e| e.code()).err();
    let malicious = ExclusionReason::Malicious;
    assert_eq!(
        code(s.propose_exclusion(&handler, answered.id, malicious, "反复骚扰")),
        Some("required")
    );
    assert_eq!(
        code(s.propose_exclusion(&handler, b, malicious, " ")),
        Some("required")
    );
    let x = s
        .propose_exclusion(&handler, b, malicious, "同一号码一日来电 40 次，录音为辱骂")
        .expect("proposed");
    assert_eq!((x.state, x.department_id), (ExclusionState::Proposed, dept));
    assert_eq!(
        code(s.propose_exclusion(&sup, b, malicious, "再报")),
        Some("exclusion_exists")
    );
    assert_eq!(figures(&s, dept), before, "a proposal changes nothing");
    assert_eq!(
        code(s.decide_exclusion(&sup, x.id, false, None)),
        Some("required")
    );
    assert_eq!(
        code(s.decide_exclusion(&handler, x.id, true, None)),
        Some("forbidden")
    );
    let x = s
        .decide_exclusion(&sup, x.id, true, None)
        .expect("approved");
    assert_eq!(x.state, ExclusionState::Approved);
    assert_eq!(
        code(s.decide_exclusion(&sup, x.id, false, Some("改判"))),
        Some("invalid_transition")
    );

    let after = figures(&s, dept);
    assert_eq!(counts(&after, "on_time_acceptance"), (2, 2));
    assert_eq!(counts(&after, "on_time_handling"), (1, 2));
    assert_eq!(counts(&after, "satisfaction"), (2, 2));
    let less = pick(&after, "on_time_handling").less.expect("less");
    assert_eq!((less.excluded, less.appealed), ((0, 1), (0, 0)));
    assert_eq!(
        less.entries
            .iter()
            .map(|e| (e.ticket_id, e.why.as_str(), e.reason.as_str()))
            .collect::<Vec<_>>(),
        [(b, "excluded", "malicious")]
    );
    // The derived figure shows the same ticket from the other side: 1 reply, 0 re-dispatches.
    let no = pick(&after, "no_redispatch").less.expect("less");
    assert_eq!(no.excluded, (1, 1));
    // The centre's own figures still count every ticket.
    let (from, to) = month("2026-11", chrono_tz::Asia::Shanghai).expect("nov");
    let centre = s.report(&ReportQuery::new(from, to)).expect("report");
    let on_time = centre
        .kpis
        .iter()
        .find(|k| k.key == "on_time_handling")
        .expect("k");
    assert_eq!((on_time.numerator, on_time.denominator), (1, 3));

    // Appeals: not before the month closes, only entries that count against, once.
    let appeal = |id: i64, kpi: &str| {
        s.file_appeal(&handler, id, "2026-11", kpi, "暴雨致道路封闭，无法进场")
    };
    assert_eq!(
        appeal(a, "on_time_handling").map_err(|e| e.code()).err(),
        Some("appeal_window_closed")
    );
    clock.set(t0() + Duration::days(29)); // Tuesday 1 December, 09:00.
    let entries = s.department_entries(dept, "2026-11").expect("entries");
    let of = |kpi: &str| {
        let mut ids: Vec<i64> = entries
            .iter()
            .find(|e| e.kpi == kpi)
            .expect(kpi)
            .tickets
            .iter()
            .map(|t| t.id)
            .collect();
        ids.sort_unstable();
        ids
    };
    assert_eq!(
        (of("on_time_handling"), of("satisfaction"), of("redispatch")),
        (vec![a, b], vec![b], vec![])
    );
    assert_eq!(
        appeal(c, "on_time_handling").map_err(|e| e.code()).err(),
        Some("entry_not_counted")
    );
    assert_eq!(
        appeal(a, "closure").map_err(|e| e.code()).err(),
        Some("invalid_value")
    );
    let filed = appeal(a, "on_time_handling").expect("filed");
    assert_eq!(
        (filed.state, filed.department_id),
        (AppealState::Filed, dept)
    );
    assert_eq!(
        appeal(a, "on_time_handling").map_err(|e| e.code()).err(),
        Some("appeal_exists")
    );
    assert_eq!(figures(&s, dept), after, "an appeal filed changes nothing");
    assert_eq!(
        s.decide_appeal(&handler, filed.id, true, None)
            .map_err(|e| e.code())
            .err(),
        Some("forbidden")
    );
    assert_eq!(
        s.decide_appeal(&manager, filed.id, false, None)
            .map_err(|e| e.code())
            .err(),
        Some("required")
    );
    let upheld = s
        .decide_appeal(&manager, filed.id, true, Some("气象红色预警，情况属实"))
        .expect("upheld");
    assert_eq!(upheld.state, AppealState::Upheld);

    let last = figures(&s, dept);
    assert_eq!(counts(&last, "on_time_handling"), (1, 1));
    // Only the appealed figure moves: A's acceptance and satisfaction still count.
    assert_eq!(counts(&last, "on_time_acceptance"), (2, 2));
    assert_eq!(counts(&last, "satisfaction"), (2, 2));
    let less = pick(&last, "on_time_handling").less.expect("less");
    assert_eq!((less.excluded, less.appealed), ((0, 1), (0, 1)));
    assert_eq!(less.entries.len(), 2);
    // The department's raw count less excluded less appealed, in both parts.
    let raw = (on_time.numerator, on_time.denominator);
    assert_eq!(
        (
            raw.0 - less.excluded.0 - less.appealed.0,
            raw.1 - less.excluded.1 - less.appealed.1
        ),
        counts(&last, "on_time_handling")
    );
    // Each step is on the ticket's timeline.
    let actions: Vec<String> = s
        .detail(b)
        .expect("b")
        .events
        .iter()
        .map(|e| e.action.clone())
        .collect();
    assert!(
        actions.contains(&"exclusion_proposed".into())
            && actions.contains(&"exclusion_approved".into())
    );
    // A rejected appeal is final, and after the window nothing more is filed.
    let second = appeal(b, "satisfaction").expect("filed");
    s.decide_appeal(&manager, second.id, false, Some("证据不足"))
        .expect("rejected");
    assert_eq!(
        appeal(b, "satisfaction").map_err(|e| e.code()).err(),
        Some("appeal_exists")
    );
    assert_eq!(
        s.appeals(Some("2026-11"), None, Some(dept))
            .expect("list")
            .len(),
        2
    );
    clock.set(t0() + Duration::days(36)); // Tuesday 8 December: the 5 working days are over.
    let w = s.appeal_window("2026-11").expect("window");
    assert_eq!(
        (w.last_day.to_string(), w.open),
        ("2026-12-07".to_string(), false)
    );
    assert_eq!(
        appeal(a, "satisfaction").map_err(|e| e.code()).err(),
        Some("appeal_window_closed")
    );
}

/// Through the permission door a department speaks for its own tickets only and reads its
/// own records; report readers read every department's.
#[test]
fn a_department_proposes_appeals_and_reads_for_itself_only() {
    let (_d, s, clock, dept, handler) = setup();
    let water = s
        .create_department(None, "water", "自来水公司", None)
        .expect("water")
        .id;
    let plumber = s
        .create_user(None, "李工", water, Role::Handler)
        .expect("plumber");
    let agent = s
        .create_user(None, "话务员 孙", 1, Role::Agent)
        .expect("agent");
    let sup = s
        .create_user(None, "值班长 赵", 1, Role::Supervisor)
        .expect("sup");
    let t = handled(
        &s,
        &clock,
        dept,
        &handler,
        Duration::hours(3),
        Satisfaction::Satisfied,
    );
    let as_ = |id: i64| s.acting(id).expect("acting");
    let code = |r: crate::Result<crate::store::Exclusion>| r.map_err(|e| e.code()).err();
    let malicious = ExclusionReason::Malicious;
    assert_eq!(
        code(as_(plumber.id).propose_exclusion(t, malicious, "骚扰")),
        Some("forbidden")
    );
    assert_eq!(
        as_(plumber.id)
            .file_appeal(t, "2026-11", "on_time_handling", "暴雨")
            .map_err(|e| e.code())
            .err(),
        Some("forbidden")
    );
    let x = as_(handler.id)
        .propose_exclusion(t, malicious, "骚扰")
        .expect("own");
    assert_eq!(
        code(as_(handler.id).decide_exclusion(x.id, true, None)),
        Some("forbidden")
    );
    assert_eq!(
        as_(plumber.id).exclusions(None, None).expect("own").len(),
        0
    );
    assert_eq!(
        as_(handler.id).exclusions(None, None).expect("own").len(),
        1
    );
    assert_eq!(
        as_(plumber.id)
            .exclusions(None, Some(dept))
            .map_err(|e| e.code())
            .err(),
        Some("forbidden")
    );
    assert_eq!(
        as_(plumber.id)
            .department_entries(Some(dept), "2026-11")
            .map_err(|e| e.code())
            .err(),
        Some("forbidden")
    );
    assert_eq!(
        as_(agent.id)
            .exclusions(None, None)
            .map_err(|e| e.code())
            .err(),
        Some("forbidden")
    );
    assert_eq!(
        as_(sup.id).exclusions(None, Some(dept)).expect("all").len(),
        1
    );
    // What a department reads of its entries is masked like every list.
    let entries = as_(handler.id)
        .department_entries(None, "2026-11")
        .expect("entries");
    let late = entries
        .iter()
        .find(|e| e.kpi == "on_time_handling")
        .expect("late");
    assert!(
        late.tickets.iter().all(|r| r.phone.contains('*')),
        "{:?}",
        late.tickets
    );
}
