//! Training in the store: an exam taken within its time limit, scored, retaken up to its
//! limit; the best attempt and attendance enter the assessment exactly by their weights.

use crate::model::Role;
use crate::store::testutil::{setup, t0};
use crate::store::Store;
use crate::training::exam::{NewExam, NewQuestion, QuestionKind};
use crate::training::{Method, NewSession, Topic};
use chrono::Duration;
use std::collections::BTreeMap;

fn bank(s: &Store, by: &crate::model::User) -> Vec<i64> {
    let qs = [
        (QuestionKind::Single, vec!["受理时", "转办时"], vec![1u8]),
        (QuestionKind::TrueFalse, vec![], vec![0]),
        (
            QuestionKind::Multiple,
            vec!["电话", "地址", "爱好"],
            vec![0, 1],
        ),
    ];
    qs.into_iter()
        .map(|(kind, options, answer)| {
            s.add_question(
                by.into(),
                &NewQuestion {
                    topic: Topic::ServiceProcess,
                    kind,
                    text: "题目".into(),
                    options: options.into_iter().map(String::from).collect(),
                    answer,
                },
            )
            .expect("question")
            .id
        })
        .collect()
}

fn exam(s: &Store, by: &crate::model::User) -> crate::store::Exam {
    s.create_exam(
        by.into(),
        &NewExam {
            title: "服务流程考试".into(),
            topic: Some(Topic::ServiceProcess),
            questions: 3,
            minutes: 10,
            pass_mark: 60,
            attempts: 2,
            seed: 1,
        },
    )
    .expect("exam")
}

fn right(ids: &[i64]) -> BTreeMap<i64, Vec<u8>> {
    [(ids[0], vec![1]), (ids[1], vec![0]), (ids[2], vec![1, 0])].into()
}

#[test]
fn an_exam_is_taken_in_time_scored_and_retaken_up_to_its_limit() {
    let (_d, s, clock, _dept, _h) = setup();
    let trainer = s
        .create_user(None, "培训师 周", 1, Role::Trainer)
        .expect("trainer");
    let agent = s
        .create_user(None, "话务员甲", 1, Role::Agent)
        .expect("agent");
    let other = s
        .create_user(None, "话务员乙", 1, Role::Agent)
        .expect("other");
    let ids = bank(&s, &trainer);
    let e = exam(&s, &trainer);
    assert_eq!(e.questions, 3);
    let a = s.start_attempt(e.id, (&agent).into()).expect("started");
    assert_eq!(a.paper.len(), 3);
    let shown = serde_json::to_string(&a.paper).expect("json");
    assert!(
        !shown.contains("answer"),
        "no answers on the paper: {shown}"
    );
    // Starting again resumes the running attempt.
    assert_eq!(
        s.start_attempt(e.id, (&agent).into()).expect("resumed").id,
        a.id
    );
    let mut wrong = right(&ids);
    wrong.insert(ids[2], vec![0]);
    wrong.insert(ids[1], vec![1]);
    let first = s
        .submit_attempt(a.id, (&agent).into(), &wrong)
        .expect("first");
    assert_eq!((first.score, first.passed), (Some(33.3), Some(false)));
    assert_eq!(
        s.submit_attempt(a.id, (&agent).into(), &right(&ids))
            .map_err(|e| e.code())
            .err(),
        Some("invalid_transition")
    );
    let b = s.start_attempt(e.id, (&agent).into()).expect("retake");
    assert_eq!(
        s.submit_attempt(b.id, (&other).into(), &right(&ids))
            .map_err(|e| e.code())
            .err(),
        Some("forbidden")
    );
    let second = s
        .submit_attempt(b.id, (&agent).into(), &right(&ids))
        .expect("second");
    assert_eq!((second.score, second.passed), (Some(100.0), Some(true)));
    assert_eq!(
        s.start_attempt(e.id, (&agent).into())
            .map_err(|e| e.code())
            .err(),
        Some("invalid_transition"),
        "passed"
    );
    // Too late: the answers do not count.
    let c = s.start_attempt(e.id, (&other).into()).expect("other");
    clock.advance(Duration::minutes(12));
    let late = s
        .submit_attempt(c.id, (&other).into(), &right(&ids))
        .expect("late");
    assert_eq!((late.score, late.late), (Some(0.0), true));
    let d = s.start_attempt(e.id, (&other).into()).expect("the retake");
    clock.advance(Duration::minutes(30));
    // Left running past its time, it counts as used.
    assert_eq!(
        s.start_attempt(e.id, (&other).into())
            .map_err(|e| e.code())
            .err(),
        Some("invalid_transition")
    );
    assert!(s
        .attempts(Some(other.id))
        .expect("list")
        .iter()
        .any(|x| x.id == d.id));
}

#[test]
fn exams_and_attendance_change_the_assessment_exactly_by_their_weights() {
    let (_d, s, clock, _dept, _h) = setup();
    let admin = s.user(1).expect("admin");
    let trainer = s
        .create_user(None, "培训师 周", 1, Role::Trainer)
        .expect("trainer");
    let agent = s
        .create_user(None, "话务员甲", 1, Role::Agent)
        .expect("agent");
    let ids = bank(&s, &trainer);
    let e = exam(&s, &trainer);
    let a = s.start_attempt(e.id, (&agent).into()).expect("a");
    let mut one_of_three = right(&ids);
    one_of_three.insert(ids[1], vec![1]);
    one_of_three.insert(ids[2], vec![2]);
    s.submit_attempt(a.id, (&agent).into(), &one_of_three)
        .expect("33.3, failed");
    let b = s.start_attempt(e.id, (&agent).into()).expect("b");
    s.submit_attempt(b.id, (&agent).into(), &right(&ids))
        .expect("100");
    for n in 0..2 {
        let session = s
            .add_session(
                (&trainer).into(),
                &NewSession {
                    title: format!("服务规范 {n}"),
                    topic: Topic::Communication,
                    method: Method::Internal,
                    starts_at: t0() + Duration::hours(n),
                    hours: 2.0,
                    place: "培训室".into(),
                    audience: vec![agent.id],
                },
            )
            .expect("session");
        s.mark_attendance(session.id, agent.id, n == 0)
            .expect("marked");
    }
    clock.advance(Duration::hours(3));
    let q = crate::report::ReportQuery::new(t0() - Duration::days(1), t0() + Duration::days(1));
    let before =
        crate::report::ReportQuery::new(t0() - Duration::days(30), t0() - Duration::days(1));
    let score_with = |weights: &str| {
        s.set_setting(Some(&admin), "weights_agents", weights)
            .expect("weights");
        let (agents, _) = s.assessment(&q, &before).expect("assessment");
        agents
            .into_iter()
            .find(|a| a.id == agent.id)
            .and_then(|a| a.score)
    };
    // The best attempt counts: 100.
    assert_eq!(score_with("exam:1"), Some(100.0));
    assert_eq!(score_with("training:1"), Some(50.0));
    assert_eq!(score_with("exam:1,training:1"), Some(75.0));
    assert_eq!(score_with("exam:3,training:1"), Some(87.5));
}

/// Those expected at a session are reminded once, `training_reminder_hours` before it:
/// not earlier, not those already marked, and the scheduler knows when to wake.
#[test]
fn the_expected_are_reminded_once_before_a_session() {
    let (_d, s, clock, _dept, _h) = setup();
    let trainer = s
        .create_user(None, "培训师 周", 1, Role::Trainer)
        .expect("trainer");
    let a = s.create_user(None, "话务员甲", 1, Role::Agent).expect("a");
    let b = s.create_user(None, "话务员乙", 1, Role::Agent).expect("b");
    let starts = t0() + Duration::hours(30);
    let session = s
        .add_session(
            (&trainer).into(),
            &NewSession {
                title: "信息安全".into(),
                topic: Topic::InformationSecurity,
                method: Method::Online,
                starts_at: starts,
                hours: 1.0,
                place: "线上".into(),
                audience: vec![a.id, b.id],
            },
        )
        .expect("session");
    // Marked absent in advance (on leave): not reminded.
    s.mark_attendance(session.id, b.id, false).expect("marked");
    assert_eq!(
        s.next_alarm().expect("next"),
        Some(starts - Duration::hours(24))
    );
    assert!(s.fire_due(s.now()).expect("fire").is_empty());
    clock.advance(Duration::hours(7));
    let fired = s.fire_due(s.now()).expect("fire");
    assert_eq!(fired.len(), 1);
    assert_eq!(
        (fired[0].session_id, fired[0].recipients.clone()),
        (Some(session.id), vec![a.id])
    );
    let inbox = s.notifications(a.id, 10).expect("inbox");
    assert_eq!(
        (inbox.len(), inbox[0].session_id, inbox[0].number.as_str()),
        (1, Some(session.id), "信息安全")
    );
    assert!(s.notifications(b.id, 10).expect("inbox").is_empty());
    assert!(s.fire_due(s.now()).expect("again").is_empty(), "once");
    let (title, body) = fired[0].message("zh-CN", chrono_tz::Asia::Shanghai);
    assert!(
        title.contains("信息安全") && body.contains("信息安全"),
        "{title} / {body}"
    );
}

#[test]
fn the_seeded_onboarding_checklist_is_the_domains() {
    let (_d, s, _c, _dept, _h) = setup();
    let seeded: Vec<_> = s
        .onboarding_items(false)
        .expect("items")
        .into_iter()
        .map(|i| (i.key.expect("seeded"), i.kind, i.topic, i.days))
        .collect();
    let mut want: Vec<_> = crate::training::onboarding::SEEDED
        .iter()
        .map(|(k, kind, topic, days)| (k.to_string(), *kind, *topic, *days))
        .collect();
    want.sort_by_key(|w| w.3);
    assert_eq!(seeded, want);
}

#[test]
fn a_new_agent_completes_onboarding_by_ticks_attendance_and_an_exam_passed_overdue_items_counted() {
    use crate::training::onboarding::{Done, ItemKind, NewItem};
    let (_d, s, clock, _dept, _h) = setup();
    let trainer = s
        .create_user(None, "培训师 周", 1, Role::Trainer)
        .expect("trainer");
    let agent = s
        .create_user(None, "新人 小王", 1, Role::Agent)
        .expect("agent");
    let mentor = s
        .create_user(None, "师傅 老李", 1, Role::Agent)
        .expect("mentor");
    assert_eq!(
        s.onboarding(agent.id).map_err(|e| e.code()).err(),
        Some("not_found")
    );
    // The checklist made short: one task, one session item, one exam item.
    for i in s.onboarding_items(false).expect("items") {
        if !matches!(
            i.key.as_deref(),
            Some("accounts" | "communication" | "exam")
        ) {
            s.retire_onboarding_item(i.id).expect("retired");
        }
    }
    let o = s
        .start_onboarding((&trainer).into(), agent.id, Some(mentor.id))
        .expect("started");
    assert_eq!(
        (o.total, o.done, o.overdue, o.mentor_name.as_deref()),
        (3, 0, 0, Some("师傅 老李"))
    );
    let task = o
        .items
        .iter()
        .find(|i| i.item.kind == ItemKind::Task)
        .expect("task")
        .item
        .id;
    let session_item = o
        .items
        .iter()
        .find(|i| i.item.kind == ItemKind::Session)
        .expect("session")
        .item
        .id;
    // Two days on, the one-day task is overdue; a session item cannot be ticked.
    clock.advance(Duration::days(2));
    assert_eq!(s.onboarding(agent.id).expect("o").overdue, 1);
    assert_eq!(
        s.tick_onboarding((&trainer).into(), agent.id, session_item, "")
            .map_err(|e| e.code())
            .err(),
        Some("invalid_value")
    );
    let o = s
        .tick_onboarding((&trainer).into(), agent.id, task, "账号已开通")
        .expect("ticked");
    assert!(matches!(o.items[0].done, Some(Done::Ticked { ref who, .. }) if who == "培训师 周"));
    assert_eq!((o.done, o.overdue), (1, 0));
    // Attending a communication session and passing an exam complete the rest.
    let session = s
        .add_session(
            (&trainer).into(),
            &NewSession {
                title: "规范用语".into(),
                topic: Topic::Communication,
                method: Method::Internal,
                starts_at: s.now(),
                hours: 2.0,
                place: String::new(),
                audience: vec![agent.id],
            },
        )
        .expect("session");
    s.mark_attendance(session.id, agent.id, true)
        .expect("attended");
    let ids = bank(&s, &trainer);
    let e = exam(&s, &trainer);
    let a = s.start_attempt(e.id, (&agent).into()).expect("attempt");
    s.submit_attempt(a.id, (&agent).into(), &right(&ids))
        .expect("passed");
    let o = s.onboarding(agent.id).expect("o");
    assert_eq!((o.done, o.total, o.complete), (3, 3, true), "{o:?}");
    // A trainer's own item joins everyone's checklist; restarting keeps the start.
    let extra = s
        .add_onboarding_item(
            (&trainer).into(),
            &NewItem {
                title: "熟悉本区街道".into(),
                kind: ItemKind::Task,
                topic: None,
                exam_id: None,
                days: 10,
            },
        )
        .expect("item");
    let o = s
        .start_onboarding((&trainer).into(), agent.id, None)
        .expect("again");
    assert_eq!((o.total, o.complete, o.started_at), (4, false, t0()));
    assert!(o
        .items
        .iter()
        .any(|i| i.item.id == extra.id && i.done.is_none()));
    assert_eq!(s.onboardings().expect("all").len(), 1);
}
