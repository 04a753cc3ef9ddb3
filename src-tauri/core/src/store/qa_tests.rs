//! Spot checks in the store: the month's sample never gives a reviewer their own calls; a
//! review is scored by its reviewer, answered by its agent, and a dispute changes the score
//! only through a second reviewer, on the scorecard version first used.

use super::{Comment, Reviews};
use crate::cdr::Call;
use crate::model::{Role, User};
use crate::qa::sampling::SamplingPlan;
use crate::qa::ReviewStatus;
use crate::store::testutil::{setup, t0};
use crate::store::Store;
use chrono::Duration;
use std::collections::BTreeMap;

fn staff(s: &Store, name: &str, role: Role, ext: &str) -> User {
    let u = s.create_user(None, name, 1, role).expect("user");
    s.set_user_extension(u.id, Some(ext)).expect("extension");
    u
}

fn calls(s: &Store, exts: &[&str], each: i64) {
    let mut out = Vec::new();
    for (n, ext) in exts.iter().enumerate() {
        for i in 0..each {
            let start = t0() + Duration::hours(i * 3 + n as i64);
            out.push(Call {
                key: format!("{ext}-{i}"),
                caller: format!("1380000{:04}", i % 40),
                callee: "12345".into(),
                extension: Some(ext.to_string()),
                started_at: start,
                answered_at: Some(start + Duration::seconds(5)),
                ended_at: start + Duration::seconds(60 + i * 17 % 900),
                disposition: "ANSWERED".into(),
            });
        }
    }
    s.import_calls(&out, "test", vec![]).expect("calls");
}

/// A manager, an agent on 8001 with `calls` calls, and two QA reviewers.
fn team(s: &Store, calls_each: i64) -> (User, User, User, User) {
    let boss = s
        .create_user(None, "张经理", 1, Role::Manager)
        .expect("boss");
    let agent = staff(s, "话务员甲", Role::Agent, "8001");
    let qa1 = staff(s, "质检员丙", Role::Qa, "8003");
    let qa2 = staff(s, "质检员丁", Role::Qa, "8004");
    calls(s, &["8001"], calls_each);
    (boss, agent, qa1, qa2)
}

/// The id of the one call in the store.
fn only_call(s: &Store) -> i64 {
    s.read(|c| Ok(c.query_row("SELECT id FROM calls", [], |r| r.get::<_, i64>(0))?))
        .expect("call")
}

fn month() -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    (t0() - Duration::days(1), t0() + Duration::days(30))
}

fn plan() -> SamplingPlan {
    SamplingPlan {
        per_agent: 5,
        seed: 42,
        long_call_seconds: 600,
        oversample: 3,
    }
}

fn all(s: &Store, points: u8) -> BTreeMap<String, u8> {
    s.scorecard()
        .expect("card")
        .body
        .items
        .iter()
        .map(|i| (i.key.clone(), points))
        .collect()
}

#[test]
fn the_sample_never_gives_a_reviewer_their_own_calls_and_is_drawn_once() {
    let (_d, s, _c, _dept, _h) = setup();
    let boss = s
        .create_user(None, "张经理", 1, Role::Manager)
        .expect("boss");
    staff(&s, "话务员甲", Role::Agent, "8001");
    staff(&s, "话务员乙", Role::Agent, "8002");
    // A QA reviewer who also took calls, and another.
    let qa1 = staff(&s, "质检员丙", Role::Qa, "8003");
    let qa2 = staff(&s, "质检员丁", Role::Qa, "8004");
    calls(&s, &["8001", "8002", "8003"], 20);
    let drawn = s
        .draw_sample((&boss).into(), "2026-11", month(), &plan())
        .expect("drawn");
    assert_eq!(drawn.len(), 15, "five each of three agents");
    for r in &drawn {
        assert_ne!(r.reviewer_id, Some(r.agent_id), "{r:?}");
        assert_eq!(r.status, ReviewStatus::Assigned);
    }
    assert!(drawn
        .iter()
        .filter(|r| r.agent_id == qa1.id)
        .all(|r| r.reviewer_id == Some(qa2.id)));
    assert_eq!(
        s.draw_sample((&boss).into(), "2026-11", month(), &plan())
            .map_err(|e| e.code())
            .err(),
        Some("taken")
    );
    // Masked for every output: the caller's number.
    let r = crate::mask::Mask::masked(drawn[0].clone());
    assert!(r.caller.contains("****"), "{}", r.caller);
}

#[test]
fn a_dispute_changes_the_score_only_through_a_second_reviewer() {
    let (_d, s, _c, _dept, _h) = setup();
    let (boss, agent, qa1, qa2) = team(&s, 10);
    let drawn = s
        .draw_sample((&boss).into(), "2026-11", month(), &plan())
        .expect("drawn");
    let r = drawn
        .iter()
        .find(|r| r.reviewer_id == Some(qa1.id))
        .expect("one for qa1");
    // Only the assigned reviewer scores.
    assert_eq!(
        s.score_review(r.id, (&qa2).into(), &all(&s, 80), &[])
            .map_err(|e| e.code())
            .err(),
        Some("forbidden")
    );
    let mut scores = all(&s, 100);
    scores.insert("accuracy".into(), 0);
    let note = Comment {
        at_seconds: 42,
        text: "政策答复有误".into(),
    };
    let scored = s
        .score_review(r.id, (&qa1).into(), &scores, &[note])
        .expect("scored");
    let first = scored.points.expect("points");
    assert!(first < 100.0 && first > 0.0);
    assert_eq!(scored.comments[0].at_seconds, 42);
    // A new scorecard version meanwhile: the review keeps the one it used.
    let mut card = s.scorecard().expect("card").body;
    card.items.retain(|i| i.key != "closing");
    let v2 = s.save_scorecard((&boss).into(), &card).expect("v2");
    assert_eq!(v2.version, 2);
    // The agent disputes; the score stands until a second reviewer decides.
    assert_eq!(
        s.dispute_review(r.id, (&qa1).into(), "不同意")
            .map_err(|e| e.code())
            .err(),
        Some("forbidden"),
        "only the agent answers"
    );
    let disputed = s
        .dispute_review(r.id, (&agent).into(), "已按最新政策答复")
        .expect("disputed");
    assert_eq!(
        (disputed.status, disputed.final_points()),
        (ReviewStatus::Disputed, Some(first))
    );
    assert_eq!(s.qa_reviews(Reviews::Disputed).expect("list").len(), 1);
    for who in [&qa1, &agent] {
        assert_eq!(
            s.decide_dispute(r.id, who.into(), &all(&s, 100))
                .map_err(|e| e.code())
                .err(),
            Some("forbidden")
        );
    }
    // The second reviewer scores on version 1 (which still has "closing").
    let v1: BTreeMap<String, u8> = s
        .scorecard_version(scored.scorecard_id.expect("card"))
        .expect("v1")
        .body
        .items
        .iter()
        .map(|i| (i.key.clone(), 100))
        .collect();
    assert!(v1.contains_key("closing"));
    let decided = s.decide_dispute(r.id, (&qa2).into(), &v1).expect("decided");
    assert_eq!(
        (decided.status, decided.final_points(), decided.points),
        (ReviewStatus::Decided, Some(100.0), Some(first))
    );
    assert_eq!(
        s.decide_dispute(r.id, (&qa2).into(), &v1)
            .map_err(|e| e.code())
            .err(),
        Some("invalid_transition")
    );
    // Another review: acknowledged, then neither disputed nor re-scored.
    let other = drawn
        .iter()
        .find(|x| x.reviewer_id == Some(qa1.id) && x.id != r.id)
        .expect("another");
    s.score_review(other.id, (&qa1).into(), &all(&s, 90), &[])
        .expect("scored");
    s.acknowledge_review(other.id, (&agent).into())
        .expect("acknowledged");
    assert_eq!(
        s.dispute_review(other.id, (&agent).into(), "晚了")
            .map_err(|e| e.code())
            .err(),
        Some("invalid_transition")
    );
    assert_eq!(
        s.score_review(other.id, (&qa1).into(), &all(&s, 10), &[])
            .map_err(|e| e.code())
            .err(),
        Some("invalid_transition")
    );
}

#[test]
fn recordings_follow_the_pattern_and_each_playback_is_logged() {
    let (_d, s, _c, _dept, _h) = setup();
    let admin = s.user(1).expect("admin");
    s.set_setting(
        Some(&admin),
        "recording_pattern",
        "/var/spool/asterisk/monitor/{date}/{key}.wav",
    )
    .expect("pattern");
    staff(&s, "话务员甲", Role::Agent, "8001");
    calls(&s, &["8001"], 1);
    let qa = staff(&s, "质检员丙", Role::Qa, "8003");
    let call = only_call(&s);
    let path = s.recording_of(call).expect("path");
    s.recording_played(call, (&qa).into()).expect("logged");
    assert!(
        path.starts_with("/var/spool/asterisk/monitor/2026110") && path.ends_with("/8001-0.wav"),
        "{path}"
    );
    let log = s.audit_entries(&Default::default()).expect("audit");
    assert!(serde_json::to_string(&log)
        .expect("json")
        .contains("recording_played"));
    assert_eq!(
        s.set_setting(Some(&admin), "recording_pattern", "relative/{key}.wav")
            .map_err(|e| e.code())
            .err(),
        Some("invalid_value")
    );
}

/// The QA score enters an agent's assessment exactly by its weight: alone it is the mean
/// score; weighted equally with the direct-answer rate, the mean of the two.
#[test]
fn qa_changes_the_assessment_exactly_by_its_weight() {
    let (_d, s, clock, dept, _h) = setup();
    let boss = s
        .create_user(None, "张经理", 1, Role::Manager)
        .expect("boss");
    let admin = s.user(1).expect("admin");
    let agent = staff(&s, "话务员甲", Role::Agent, "8001");
    let qa = staff(&s, "质检员丙", Role::Qa, "8003");
    calls(&s, &["8001"], 6);
    // Two tickets of the agent's, one answered at once: a direct-answer rate of 1/2.
    let t = s
        .create_ticket(agent.id, &crate::ticket::tests::new_ticket())
        .expect("t");
    s.act(
        t.id,
        t.version,
        agent.id,
        &crate::Action::Answer {
            answer: "已答复".into(),
            callback: false,
            article: None,
        },
    )
    .expect("answer");
    let u = s
        .create_ticket(agent.id, &crate::ticket::tests::new_ticket())
        .expect("u");
    s.act(
        u.id,
        u.version,
        agent.id,
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
    let drawn = s
        .draw_sample(
            (&boss).into(),
            "2026-11",
            month(),
            &SamplingPlan {
                per_agent: 2,
                ..plan()
            },
        )
        .expect("drawn");
    s.score_review(drawn[0].id, (&qa).into(), &all(&s, 80), &[])
        .expect("80");
    s.score_review(drawn[1].id, (&qa).into(), &all(&s, 100), &[])
        .expect("100");
    clock.advance(Duration::hours(1));
    let q = crate::report::ReportQuery::new(month().0, month().1);
    let before = crate::report::ReportQuery::new(month().0 - Duration::days(31), month().0);
    let score_with = |weights: &str| {
        s.set_setting(Some(&admin), "weights_agents", weights)
            .expect("weights");
        let (agents, _) = s.assessment(&q, &before).expect("assessment");
        let a = agents
            .into_iter()
            .find(|a| a.id == agent.id)
            .expect("the agent");
        let qa = a
            .kpis
            .iter()
            .find(|k| k.key == "qa")
            .map(|k| (k.numerator, k.denominator));
        (a.score, qa)
    };
    assert_eq!(score_with("qa:1"), (Some(90.0), Some((180, 200))));
    assert_eq!(score_with("direct_answer:1,qa:1").0, Some(70.0));
    assert_eq!(score_with("direct_answer:1").0, Some(50.0));
}

/// A calibration session: the reviewers named (never the call's agent) score one call,
/// the spread per item shows where they differ, and none of it reaches the agent or a figure.
#[test]
fn calibration_shows_the_spread_and_stays_out_of_the_figures() {
    let (_d, s, _c, _dept, _h) = setup();
    let (boss, agent, qa1, qa2) = team(&s, 1);
    let call = only_call(&s);
    assert_eq!(
        s.start_calibration((&boss).into(), call, &[qa1.id, agent.id])
            .map_err(|e| e.code())
            .err(),
        Some("required"),
        "the agent is no reviewer: one left"
    );
    let session = s
        .start_calibration((&boss).into(), call, &[qa1.id, qa2.id, agent.id])
        .expect("session");
    let reviews = s
        .qa_reviews(Reviews::Calibration(session))
        .expect("reviews");
    assert_eq!(reviews.len(), 2);
    let mut low = all(&s, 100);
    low.insert("accuracy".into(), 40);
    for (r, scores) in reviews.iter().zip([all(&s, 100), low]) {
        let who = if r.reviewer_id == Some(qa1.id) {
            &qa1
        } else {
            &qa2
        };
        s.score_review(r.id, who.into(), &scores, &[])
            .expect("scored");
    }
    let scored: Vec<BTreeMap<String, u8>> = s
        .qa_reviews(Reviews::Calibration(session))
        .expect("reviews")
        .into_iter()
        .map(|r| r.scores)
        .collect();
    let spread = crate::qa::calibration::spread(&scored.iter().collect::<Vec<_>>());
    assert_eq!(
        (spread[0].key.as_str(), spread[0].min, spread[0].max),
        ("accuracy", 40, 100)
    );
    assert!(s
        .qa_reviews(Reviews::OfAgent(agent.id))
        .expect("mine")
        .is_empty());
    assert_eq!(
        s.acknowledge_review(reviews[0].id, (&agent).into())
            .map_err(|e| e.code())
            .err(),
        Some("forbidden")
    );
    let q = crate::report::ReportQuery::new(month().0, month().1);
    let f = s
        .read(|c| crate::store::qa_report::figures(c, &q))
        .expect("figures");
    assert_eq!(f.coverage.numerator, 0, "calibration counts in no figure");
}

/// Retention applies to recordings: an old call's file is deleted with its reference,
/// a recent one stays.
#[test]
fn retention_deletes_old_recordings() {
    let (d, s, _c, _dept, _h) = setup();
    let rec = d.path().join("rec");
    std::fs::create_dir_all(&rec).expect("dir");
    s.set_setting(
        None,
        "recording_pattern",
        &format!("{}/{{key}}.wav", rec.display()),
    )
    .expect("pattern");
    let call = |key: &str, days: i64| Call {
        key: key.into(),
        caller: "13800000001".into(),
        callee: "12345".into(),
        extension: None,
        started_at: t0() - Duration::days(days),
        answered_at: Some(t0() - Duration::days(days) + Duration::seconds(3)),
        ended_at: t0() - Duration::days(days) + Duration::seconds(90),
        disposition: "ANSWERED".into(),
    };
    s.import_calls(&[call("old", 200), call("new", 1)], "test", vec![])
        .expect("calls");
    for k in ["old", "new"] {
        std::fs::write(rec.join(format!("{k}.wav")), b"RIFF").expect("file");
    }
    s.set_setting(None, "retention_months", "3")
        .expect("months");
    assert_eq!(s.retention_plan().expect("plan").recordings, 1);
    s.anonymise(None).expect("anonymise");
    assert!(!rec.join("old.wav").exists() && rec.join("new.wav").exists());
    let left: Vec<Option<String>> = s
        .read(|c| {
            Ok(c.prepare("SELECT recording FROM calls ORDER BY key")?
                .query_map([], |r| r.get(0))?
                .collect::<crate::store::sql::Result<_>>()?)
        })
        .expect("calls");
    assert_eq!(left[1], None, "old");
    assert!(left[0].as_deref().is_some_and(|p| p.ends_with("new.wav")));
    assert_eq!(s.retention_plan().expect("plan").recordings, 0);
}

/// A reviewer proposes a training topic for the agent of a scored call; trainers see it.
#[test]
fn a_review_proposes_a_training_topic() {
    let (_d, s, _c, _dept, _h) = setup();
    let (boss, _agent, qa1, qa2) = team(&s, 2);
    let drawn = s
        .draw_sample((&boss).into(), "2026-11", month(), &plan())
        .expect("drawn");
    let r = drawn
        .iter()
        .find(|r| r.reviewer_id == Some(qa1.id))
        .expect("mine");
    let topic = Some(crate::training::Topic::Communication);
    assert_eq!(
        s.propose_training(r.id, (&qa1).into(), topic)
            .map_err(|e| e.code())
            .err(),
        Some("invalid_transition"),
        "not scored yet"
    );
    s.score_review(r.id, (&qa1).into(), &all(&s, 60), &[])
        .expect("scored");
    assert_eq!(
        s.propose_training(r.id, (&qa2).into(), topic)
            .map_err(|e| e.code())
            .err(),
        Some("forbidden")
    );
    let p = s
        .propose_training(r.id, (&qa1).into(), topic)
        .expect("proposed");
    assert_eq!(p.training_topic, topic);
    assert_eq!(s.training_proposals().expect("list").len(), 1);
}

/// The calls behind a ticket are listed on it, with whether each was recorded.
#[test]
fn a_tickets_calls_are_listed_with_their_recordings() {
    let (d, s, _c, _dept, _h) = setup();
    s.set_setting(
        None,
        "recording_pattern",
        &format!("{}/{{key}}.wav", d.path().display()),
    )
    .expect("pattern");
    let t = s
        .create_ticket(1, &crate::ticket::tests::new_ticket())
        .expect("ticket");
    let start = t0() - Duration::minutes(3);
    s.import_calls(
        &[Call {
            key: "k1".into(),
            caller: t.phone.clone(),
            callee: "12345".into(),
            extension: None,
            started_at: start,
            answered_at: Some(start + Duration::seconds(5)),
            ended_at: start + Duration::seconds(125),
            disposition: "ANSWERED".into(),
        }],
        "test",
        vec![],
    )
    .expect("call");
    let calls = s.ticket_calls(t.id).expect("calls");
    assert_eq!(calls.len(), 1, "linked by the caller's number and the time");
    assert!(calls[0].has_recording);
    assert_eq!(calls[0].seconds, 120);
}
