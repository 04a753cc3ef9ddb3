//! Property tests: random action sequences by random actors, through the real store (on
//! either database, as `testutil::store` gives it). Whatever happens, the invariants of
//! the lifecycle hold.

use crate::clock::Clock;
use crate::model::{CallbackMethod, Role, Satisfaction, Status, Ticket};
use crate::store::testutil::store;
use crate::store::Store;
use crate::ticket::tests::new_ticket;
use crate::Action;
use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

/// The legal transitions, written independently of the implementation.
fn legal(from: Status, action: &str, to: Status) -> bool {
    use Status as S;
    matches!(
        (from, action, to),
        (S::Received, "answer", S::Closed | S::AwaitingCallback)
            | (S::Received | S::Returned, "transfer", S::Transferred)
            | (S::Transferred, "return", S::Returned)
            | (S::Transferred, "accept", S::InProgress)
            | (
                S::InProgress,
                "request_extension" | "approve_extension" | "refuse_extension",
                S::InProgress
            )
            | (S::InProgress, "reply", S::Replied)
            | (
                S::Replied,
                "feedback",
                S::AwaitingCallback | S::Transferred | S::Closed
            )
            | (S::AwaitingCallback, "callback", S::Archived)
            | (S::Closed | S::Archived, "reopen", S::Received)
            | (S::InProgress, "pause" | "resume", S::InProgress)
    ) || (matches!(action, "comment" | "supplement" | "urge" | "notice_issued") && from == to)
}

#[derive(Debug, Clone)]
struct Step {
    actor: usize,
    kind: u8,
    days: i64,
    level: usize,
    flag: bool,
    advance_hours: i64,
}

fn step() -> impl Strategy<Value = Step> {
    (
        0usize..4,
        0u8..16,
        -2i64..10,
        0usize..5,
        any::<bool>(),
        0i64..30,
    )
        .prop_map(|(actor, kind, days, level, flag, advance_hours)| Step {
            actor,
            kind,
            days,
            level,
            flag,
            advance_hours,
        })
}

/// Half of the steps take the natural next action of the status, so that long paths
/// (re-dispatch loops, callbacks, reopen) are actually reached; the rest are random.
fn action(s: &Step, now: DateTime<Utc>, dept: i64, status: Status) -> Action {
    let due = now + Duration::days(s.days);
    let level = Satisfaction::ALL[s.level];
    let kind = if s.advance_hours % 2 == 0 {
        match status {
            Status::Received | Status::Returned => 1,
            Status::Transferred if s.flag => 2,
            Status::Transferred => 3,
            Status::InProgress => 7,
            Status::Replied => 8,
            Status::AwaitingCallback => 9,
            Status::Closed | Status::Archived => 10,
        }
    } else {
        s.kind
    };
    match kind {
        0 => Action::Answer {
            answer: "已解答".into(),
            // Now and then a callback promised: most answers still close, so the walks reach both.
            callback: s.level == 0,
            article: None,
        },
        1 => Action::Transfer {
            department_id: dept,
            requirements: "核实处理".into(),
            due_at: due,
            accept_due_at: s.flag.then_some(now + Duration::hours(6)),
            co_department_ids: vec![],
            co_due_at: None,
        },
        2 => Action::Return {
            reason: "非本单位职责".into(),
            reason_code: None,
        },
        3 => Action::Accept { note: None },
        4 => Action::RequestExtension {
            due_at: due + Duration::days(3),
            reason: "需现场核查".into(),
        },
        5 => Action::ApproveExtension { note: None },
        6 => Action::RefuseExtension {
            note: "不予延期".into(),
        },
        7 => Action::Reply {
            result: "已处理".into(),
            resolved: Some(s.flag),
        },
        8 => Action::Feedback {
            satisfaction: Some(level),
            note: None,
            redispatch_due_at: s.flag.then_some(due),
            no_redispatch_reason: None,
        },
        9 => Action::Callback {
            method: CallbackMethod::Phone,
            satisfaction: Some(level),
            note: None,
        },
        10 => Action::Reopen {
            reason: "来电人补充诉求".into(),
        },
        12 => Action::Pause {
            reason: "等待来电人补充材料".into(),
        },
        13 => Action::Resume { note: None },
        14 => Action::Supplement {
            note: "来电补充".into(),
        },
        15 => Action::Urge { note: None },
        _ => Action::Comment {
            note: "跟进".into(),
        },
    }
}

fn check_invariants(s: &Store, t: &Ticket) {
    let events = s.timeline(t.id).expect("timeline");
    // The timeline replays to the current state, each event starting where the last ended.
    assert_eq!(
        events.first().map(|e| (e.action.as_str(), e.from_status)),
        Some(("create", None))
    );
    for w in events.windows(2) {
        assert_eq!(w[1].from_status, Some(w[0].to_status), "{w:?}");
        // An unsatisfied feedback is recorded on the replied ticket, then the re-dispatch moves it.
        let step = (w[0].to_status, w[1].action.as_str(), w[1].to_status);
        let inner = matches!(
            step,
            (Status::Replied, "feedback", Status::Replied)
                | (Status::Replied, "redispatch", Status::Transferred)
        );
        assert!(legal(step.0, step.1, step.2) || inner, "{w:?}");
        assert!(w[1].seq == w[0].seq + 1 && w[1].at >= w[0].at);
    }
    assert_eq!(events.last().map(|e| e.to_status), Some(t.status));
    let redispatches = events.iter().filter(|e| e.action == "redispatch").count() as i64;
    assert_eq!(t.redispatch_count, redispatches);
    assert_eq!(t.supervised, redispatches >= 3);
    assert_eq!(
        t.return_count,
        events.iter().filter(|e| e.action == "return").count() as i64
    );
    for d in [
        t.due_at,
        t.accept_due_at,
        t.callback_due_at,
        t.extension_due_at,
    ]
    .into_iter()
    .flatten()
    {
        assert!(
            d > t.received_at,
            "deadline {d} before receipt {}",
            t.received_at
        );
    }
    assert_eq!(
        t.version,
        events.iter().filter(|e| e.action != "redispatch").count() as i64
    );
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    // 48 walks in `make test`; PROPTEST_CASES asks for more (a soak run).
    #![proptest_config(ProptestConfig { cases: cases(48), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_sequences_keep_the_invariants(steps in prop::collection::vec(step(), 1..40)) {
        let (_dir, s, clock) = store();
        let dept = s.create_department(None, "d", "承办单位", None).expect("dept").id;
        let other = s.create_department(None, "o", "其他单位", None).expect("dept").id;
        let actors = [
            s.create_user(None, "话务员", 1, Role::Agent).expect("u").id,
            s.create_user(None, "承办人", dept, Role::Handler).expect("u").id,
            s.create_user(None, "外单位", other, Role::Handler).expect("u").id,
            s.create_user(None, "班长", 1, Role::Supervisor).expect("u").id,
        ];
        let mut t = s.create_ticket(actors[0], &new_ticket()).expect("create");
        let mut seen = std::collections::BTreeSet::new();
        for st in &steps {
            clock.advance(Duration::hours(st.advance_hours));
            let a = action(st, clock.now(), dept, t.status);
            seen.insert(t.status);
            let before = s.timeline(t.id).expect("timeline").len();
            match s.act(t.id, t.version, actors[st.actor], &a) {
                Ok(next) => {
                    prop_assert!(legal(t.status, a.name(), next.status), "{:?} -{}-> {:?}", t.status, a.name(), next.status);
                    // One version per entry the action wrote: its own, and what it set off
                    // (the third re-dispatch raises supervision, whose 督办单 is an entry of
                    // its own); the re-dispatch rides on the feedback's version.
                    let added = s.timeline(t.id).expect("timeline")[before..]
                        .iter()
                        .filter(|e| e.action != "redispatch")
                        .count() as i64;
                    prop_assert!(added >= 1);
                    prop_assert_eq!(next.version, t.version + added);
                    t = next;
                }
                Err(e) => {
                    // A refused action writes nothing.
                    prop_assert_eq!(&s.ticket(t.id).expect("ticket"), &t, "{}", e);
                    prop_assert_eq!(s.timeline(t.id).expect("timeline").len(), before);
                }
            }
            // A stale version never overwrites a change of state: only a comment, or an
            // action after changes that leave the state alone, is merged.
            let last = s.timeline(t.id).expect("timeline").last().map(|e| e.action.clone()).unwrap_or_default();
            if t.version > 1 && !crate::lifecycle::leaves_state(&last) {
                let stale = s.act(t.id, t.version - 1, actors[3], &Action::Reopen { reason: "x".into() });
                prop_assert_eq!(stale.map_err(|e| e.code()).err(), Some("conflict"));
            }
            check_invariants(&s, &t);
        }
        REACHED.lock().expect("lock").extend(seen);
    }
}

static REACHED: std::sync::Mutex<std::collections::BTreeSet<Status>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

/// Guards the generator: the random walks must reach every status, or the
/// properties above would hold vacuously.
#[test]
fn the_walks_reach_every_status() {
    random_sequences_keep_the_invariants();
    let reached = REACHED.lock().expect("lock").clone();
    assert_eq!(reached.len(), Status::ALL.len(), "{reached:?}");
}

/// The walk a soak run found: the third re-dispatch raises supervision, and the action
/// that set it off comes back two versions on (its feedback, the 督办单's entry).
#[test]
fn the_third_redispatch_comes_back_with_its_notice() {
    let (_d, s, clock) = store();
    let dept = s
        .create_department(None, "d", "承办单位", None)
        .expect("dept")
        .id;
    let agent = s.create_user(None, "话务员", 1, Role::Agent).expect("u").id;
    let handler = s
        .create_user(None, "承办人", dept, Role::Handler)
        .expect("u")
        .id;
    let supervisor = s
        .create_user(None, "班长", 1, Role::Supervisor)
        .expect("u")
        .id;
    let step = |at: &Ticket, by: i64, a: Action| {
        clock.advance(Duration::hours(2));
        s.act(at.id, at.version, by, &a).expect("act")
    };
    let mut t = s.create_ticket(agent, &new_ticket()).expect("create");
    let due = clock.now() + Duration::days(5);
    t = step(
        &t,
        agent,
        Action::Transfer {
            department_id: dept,
            requirements: "核实处理".into(),
            due_at: due,
            accept_due_at: None,
            co_department_ids: vec![],
            co_due_at: None,
        },
    );
    for round in 1..=3 {
        t = step(&t, handler, Action::Accept { note: None });
        t = step(
            &t,
            handler,
            Action::Reply {
                result: "已处理".into(),
                resolved: Some(false),
            },
        );
        let before = t.version;
        t = step(
            &t,
            supervisor,
            Action::Feedback {
                satisfaction: Some(Satisfaction::Unsatisfied),
                note: None,
                redispatch_due_at: Some(clock.now() + Duration::days(3)),
                no_redispatch_reason: None,
            },
        );
        assert_eq!(t.supervised, round == 3);
        assert_eq!(
            t.version,
            before + if round == 3 { 2 } else { 1 },
            "round {round}"
        );
        check_invariants(&s, &t);
    }
}
