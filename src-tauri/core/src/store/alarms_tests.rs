//! Tests of the alarms table and the scheduler's firing.

use crate::alarms::{AlarmKind, Prefs};
use crate::lifecycle::Action;
use crate::model::{Role, Satisfaction};
use crate::store::testutil::{lighting, store, t0};
use crate::ticket::tests::new_ticket;
use chrono::Duration;

/// Fires the workflow announcements due now and checks their kinds: they go out at
/// once, before any deadline reminder.
fn announced(s: &crate::Store, kinds: &[AlarmKind]) -> Vec<crate::store::Fired> {
    let fired = s.fire_due(s.now()).expect("fire");
    assert_eq!(fired.iter().map(|f| f.kind).collect::<Vec<_>>(), kinds);
    fired
}

/// A transfer to `department_id` due at `due`, as the intake form sends it.
fn transfer(department_id: i64, due: chrono::DateTime<chrono::Utc>) -> Action {
    Action::Transfer {
        department_id,
        requirements: "核查".into(),
        due_at: due,
        accept_due_at: None,
        co_department_ids: vec![],
        co_due_at: None,
    }
}

/// The scheduler's round (`wake`): a quiet wake-up fires nothing and says when the next
/// alarm is due; one at or past it fires what is due, once, and says when the one after
/// is — the instants `next_alarm` gives.
#[test]
fn a_wake_up_fires_what_is_due_and_says_when_to_wake_next() {
    let (_d, s, clock) = store();
    let (dept, _) = lighting(&s);
    s.intake(
        1,
        &new_ticket(),
        Some(&transfer(dept, t0() + Duration::hours(10))),
    )
    .expect("intake");
    let (fired, next) = s.wake(s.now()).expect("announce");
    assert_eq!(
        fired.iter().map(|f| f.kind).collect::<Vec<_>>(),
        [AlarmKind::Assigned]
    );
    assert_eq!(next, Some(t0() + Duration::hours(5)));
    let (fired, next) = s.wake(t0() + Duration::hours(4)).expect("quiet");
    assert!(fired.is_empty());
    assert_eq!(next, Some(t0() + Duration::hours(5)));
    clock.set(t0() + Duration::hours(8));
    let (fired, next) = s.wake(t0() + Duration::hours(8)).expect("due");
    assert_eq!(
        fired.iter().map(|f| f.threshold).collect::<Vec<_>>(),
        [50, 75]
    );
    assert_eq!(next, s.next_alarm().expect("next"));
    assert!(
        next.is_some_and(|at| at > t0() + Duration::hours(8)),
        "{next:?}"
    );
    assert_eq!(s.wake(t0() + Duration::hours(8)).expect("again").0, []);
}

#[test]
fn reminders_fire_once_each_and_stop_when_the_ticket_moves_on() {
    let (_d, s, clock) = store();
    let (dept, handler) = lighting(&s);
    let sup = s
        .create_user(None, "班长", 1, Role::Supervisor)
        .expect("u")
        .id;
    let due = t0() + Duration::hours(10);
    let x = s
        .intake(1, &new_ticket(), Some(&transfer(dept, due)))
        .expect("intake");
    announced(&s, &[AlarmKind::Assigned]);
    assert_eq!(
        s.next_alarm().expect("next"),
        Some(t0() + Duration::hours(5))
    );
    assert!(s
        .fire_due(t0() + Duration::hours(4))
        .expect("fire")
        .is_empty());
    // A clock that jumps ahead fires everything due, each threshold once.
    clock.set(t0() + Duration::hours(8));
    let fired = s.fire_due(crate::clock::Clock::now(&*clock)).expect("fire");
    assert_eq!(
        fired.iter().map(|f| f.threshold).collect::<Vec<_>>(),
        [50, 75]
    );
    assert_eq!(fired[0].recipients, [handler]);
    assert!(
        s.fire_due(crate::clock::Clock::now(&*clock))
            .expect("again")
            .is_empty(),
        "exactly once"
    );
    assert_eq!(
        s.unread_notifications(handler).expect("n"),
        3,
        "the transfer and two reminders"
    );
    // The breach notifies the supervisor too, and urges on the timeline.
    // 20:00: the breach fires at once and notifies the supervisors too; the 90 %
    // reminder fell after hours and waits, like the repeat, for Tuesday 09:00.
    let fired = s.fire_due(t0() + Duration::hours(11)).expect("fire");
    assert_eq!(fired.iter().map(|f| f.threshold).collect::<Vec<_>>(), [100]);
    assert_eq!(fired[0].recipients, [1, handler, sup]);
    let d = s.detail(x.id).expect("detail");
    let last: Vec<&str> = d
        .events
        .iter()
        .rev()
        .take(2)
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(
        last,
        ["notice_issued", "urge"],
        "urged, and a 催办通知书 to the department"
    );
    assert_eq!(
        s.next_alarm().expect("next"),
        Some(t0() + Duration::hours(24))
    );
    let fired = s.fire_due(t0() + Duration::hours(24)).expect("fire");
    assert_eq!(
        fired.iter().map(|f| f.threshold).collect::<Vec<_>>(),
        [90, 101]
    );
    // Replying stops the clock: nothing pends any more.
    let t = s.ticket(x.id).expect("t");
    let t = s
        .act(t.id, t.version, handler, &Action::Accept { note: None })
        .expect("accept");
    s.act(
        t.id,
        t.version,
        handler,
        &Action::Reply {
            result: "已修复".into(),
            resolved: Some(true),
        },
    )
    .expect("reply");
    announced(&s, &[AlarmKind::Replied]);
    assert_eq!(
        s.pending_alarms(x.id).expect("p"),
        0,
        "the repeat ends with the reply"
    );
    let t = s.ticket(x.id).expect("t");
    s.act(
        t.id,
        t.version,
        1,
        &Action::Feedback {
            satisfaction: Some(Satisfaction::Satisfied),
            note: None,
            redispatch_due_at: None,
            no_redispatch_reason: None,
        },
    )
    .expect("feedback");
    // Awaiting callback: the callback deadline runs now, for the agent who took the call.
    assert_eq!(s.pending_alarms(x.id).expect("p"), 4);
    s.mark_notifications_read(handler).expect("read");
    assert_eq!(s.unread_notifications(handler).expect("n"), 0);
    assert_eq!(
        s.notifications(handler, 50).expect("list").len(),
        6,
        "the transfer and five deadline alarms"
    );
    // Preferences round-trip and are validated.
    let hm = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0);
    let prefs = Prefs {
        muted: vec![AlarmKind::Callback],
        quiet_from: hm(22, 0),
        quiet_to: hm(7, 0),
    };
    s.set_notification_prefs(handler, &prefs).expect("set");
    assert_eq!(s.notification_prefs(handler).expect("get"), prefs);
    let half = Prefs {
        quiet_to: None,
        ..prefs
    };
    assert_eq!(
        s.set_notification_prefs(handler, &half)
            .map_err(|e| e.code())
            .err(),
        Some("required")
    );
}

#[test]
fn grave_incidents_alert_at_once_and_the_gravest_report_upward() {
    let (_d, s, _clock) = store();
    let sup = s
        .create_user(None, "班长", 1, Role::Supervisor)
        .expect("u")
        .id;
    let boss = s.create_user(None, "主任", 1, Role::Manager).expect("u").id;
    let grave = crate::ticket::NewTicket {
        severity: crate::model::Severity::Extraordinary,
        ..new_ticket()
    };
    let x = s.intake(1, &grave, None).expect("intake");
    let fired = s.fire_due(t0()).expect("fire");
    let kinds: Vec<_> = fired
        .iter()
        .map(|f| (f.kind, f.recipients.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            (AlarmKind::Incident, vec![1, sup, boss]),
            (AlarmKind::ReportUpward, vec![1, boss])
        ]
    );
    let actions: Vec<_> = s
        .timeline(x.id)
        .expect("t")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["create", "alert", "report_upward"]);
    assert!(s.fire_due(t0()).expect("again").is_empty());
    // An ordinary call alerts nobody.
    s.intake(1, &new_ticket(), None).expect("intake");
    assert!(s.fire_due(t0()).expect("fire").is_empty());
}

#[test]
fn a_pause_stops_the_clock_and_resuming_gives_the_time_back() {
    let (_d, s, clock) = store();
    let (dept, handler) = lighting(&s);
    // Monday 09:00 Beijing; due Wednesday 09:00.
    let due = t0() + Duration::days(2);
    let x = s
        .intake(1, &new_ticket(), Some(&transfer(dept, due)))
        .expect("intake");
    announced(&s, &[AlarmKind::Assigned]);
    let x = s
        .act(x.id, x.version, handler, &Action::Accept { note: None })
        .expect("accept");
    assert!(s.pending_alarms(x.id).expect("p") > 0);
    let x = s
        .act(
            x.id,
            x.version,
            handler,
            &Action::Pause {
                reason: "等待来电人提供照片".into(),
            },
        )
        .expect("pause");
    assert_eq!(
        s.pending_alarms(x.id).expect("p"),
        0,
        "nothing fires while paused"
    );
    // Resumed Tuesday 10:00: waited Monday 09:00-12:00, 13:30-17:30 and Tuesday 09:00-10:00 = 8 h.
    clock.set(t0() + Duration::days(1) + Duration::hours(1));
    let x = s
        .act(x.id, x.version, handler, &Action::Resume { note: None })
        .expect("resume");
    // Wednesday 09:00 + 8 business hours: 3 h, 4 h, then Thursday 09:00-10:00.
    assert_eq!(
        x.due_at,
        Some(t0() + Duration::days(3) + Duration::hours(1))
    );
    assert!(s.pending_alarms(x.id).expect("p") > 0);
    let e = s
        .act(x.id, x.version, handler, &Action::Resume { note: None })
        .expect_err("not paused");
    assert_eq!(e.code(), "invalid_transition");
}

#[test]
fn popups_respect_recipients_mutes_quiet_hours_and_summarise_a_storm() {
    let (_d, s, clock) = store();
    let (dept, handler) = lighting(&s);
    let due = t0() + Duration::hours(10);
    let x = s
        .intake(1, &new_ticket(), Some(&transfer(dept, due)))
        .expect("intake");
    announced(&s, &[AlarmKind::Assigned]);
    clock.set(t0() + Duration::hours(6));
    let fired = s.fire_due(crate::clock::Clock::now(&*clock)).expect("fire");
    assert_eq!(fired.len(), 1);
    // The handler sees it, in Chinese, naming the ticket; the agent who took the call does not.
    let pops = s.popups(handler, &fired).expect("popups");
    assert_eq!(pops.len(), 1);
    assert!(
        pops[0].0.contains(&x.number) && pops[0].0.contains("办理期限提醒"),
        "{pops:?}"
    );
    assert!(pops[0].1.contains("50%"));
    assert!(s.popups(1, &fired).expect("popups").is_empty());
    s.set_setting(None, "ui_language", "en").expect("lang");
    assert!(s.popups(handler, &fired).expect("popups")[0]
        .0
        .starts_with("Handling deadline"));
    // Each user's own language (many users share a centre server's store): another
    // user's choice changes nothing for the handler.
    let me = s.user(handler).expect("handler");
    s.set_setting(Some(&me), "ui_language", "zh-TW")
        .expect("own");
    s.set_setting(Some(&s.user(1).expect("admin")), "ui_language", "zh-CN")
        .expect("admin's");
    assert!(
        s.popups(handler, &fired).expect("popups")[0]
            .0
            .contains("辦理期限"),
        "{:?}",
        s.popups(handler, &fired)
    );
    s.set_setting(Some(&me), "ui_language", "en").expect("back");
    // Muted, or quiet at 15:00 local: no pop-up.
    let hm = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0);
    s.set_notification_prefs(
        handler,
        &Prefs {
            muted: vec![AlarmKind::Handle],
            quiet_from: None,
            quiet_to: None,
        },
    )
    .expect("prefs");
    assert!(s.popups(handler, &fired).expect("popups").is_empty());
    s.set_notification_prefs(
        handler,
        &Prefs {
            muted: vec![],
            quiet_from: hm(14, 0),
            quiet_to: hm(16, 0),
        },
    )
    .expect("prefs");
    assert!(s.popups(handler, &fired).expect("popups").is_empty());
    // A storm after a restart becomes one summary.
    s.set_notification_prefs(handler, &Prefs::default())
        .expect("prefs");
    let storm: Vec<_> = (0..5).map(|_| fired[0].clone()).collect();
    let pops = s.popups(handler, &storm).expect("popups");
    assert_eq!(pops.len(), 1);
    assert!(pops[0].0.starts_with('5'), "{pops:?}");
}

/// Each workflow step notifies whom it concerns, once, through the notification centre;
/// an extension request waits in the supervisors' 延期待审批 queue.
#[test]
fn workflow_steps_notify_once_and_extensions_queue_for_supervisors() {
    use crate::model::Queue;
    let (_d, s, clock) = store();
    let (dept, handler) = lighting(&s);
    let agent = s.create_user(None, "李话务", 1, Role::Agent).expect("u").id;
    let sup = s
        .create_user(None, "班长", 1, Role::Supervisor)
        .expect("u")
        .id;
    let x = s
        .intake(
            agent,
            &crate::NewTicket {
                anonymous: true,
                ..new_ticket()
            },
            Some(&Action::Transfer {
                department_id: dept,
                requirements: "核查".into(),
                due_at: t0() + Duration::days(3),
                accept_due_at: None,
                co_department_ids: vec![],
                co_due_at: None,
            }),
        )
        .expect("intake");
    let fired = announced(&s, &[AlarmKind::Assigned]);
    assert_eq!(fired[0].recipients, [handler]);
    // An anonymous caller's name is in no pop-up, not even the department's.
    let pops = s.popups(handler, &fired).expect("popups");
    assert!(
        pops[0].0.contains(&x.number) && !pops[0].1.contains("张三"),
        "{pops:?}"
    );
    assert!(s.fire_due(s.now()).expect("again").is_empty(), "once");
    clock.advance(Duration::minutes(5));
    let x = s
        .act(x.id, x.version, handler, &Action::Accept { note: None })
        .expect("accept");
    assert!(
        s.fire_due(s.now()).expect("nothing").is_empty(),
        "accepting announces nothing"
    );
    let ext = Action::RequestExtension {
        due_at: t0() + Duration::days(6),
        reason: "需现场核查".into(),
    };
    let x = s.act(x.id, x.version, handler, &ext).expect("request");
    let fired = announced(&s, &[AlarmKind::ExtensionRequested]);
    assert_eq!(
        (fired[0].recipients.clone(), fired[0].deadline),
        (vec![sup], t0() + Duration::days(6))
    );
    let waiting = |u| s.queue_counts(u).expect("counts")[&Queue::ExtensionPending];
    assert_eq!(waiting(sup), 1);
    let x = s
        .act(
            x.id,
            x.version,
            sup,
            &Action::ApproveExtension { note: None },
        )
        .expect("approve");
    assert_eq!(waiting(sup), 0);
    assert_eq!(
        announced(&s, &[AlarmKind::ExtensionDecided])[0].recipients,
        [handler]
    );
    let reply = Action::Reply {
        result: "已修复".into(),
        resolved: Some(true),
    };
    s.act(x.id, x.version, handler, &reply).expect("reply");
    assert_eq!(announced(&s, &[AlarmKind::Replied])[0].recipients, [agent]);
    // The notification centre keeps each once per person.
    let kinds = |u| {
        s.notifications(u, 50)
            .expect("inbox")
            .into_iter()
            .map(|n| n.kind)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        kinds(handler),
        [AlarmKind::ExtensionDecided, AlarmKind::Assigned]
    );
    assert_eq!(kinds(sup), [AlarmKind::ExtensionRequested]);
    assert_eq!(kinds(agent), [AlarmKind::Replied]);
    assert!(s
        .notifications(handler, 50)
        .expect("inbox")
        .iter()
        .all(|n| n.caller_name.is_empty()));
}

#[test]
fn a_quiet_wake_up_reads_and_does_not_wait_for_the_writer() {
    let (_d, s, _clock) = store();
    let (dept, _) = lighting(&s);
    let due = t0() + Duration::hours(10);
    s.intake(1, &new_ticket(), Some(&transfer(dept, due)))
        .expect("intake");
    announced(&s, &[AlarmKind::Assigned]);
    let (held, hold) = std::sync::mpsc::channel();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let (quiet, answered) = std::sync::mpsc::channel();
    let s = &s;
    std::thread::scope(|scope| {
        // Another write in progress (a desk's save) holds the centre's write lock.
        scope.spawn(move || {
            s.write(|_| {
                held.send(()).expect("held");
                released.recv().expect("released");
                Ok(())
            })
            .expect("write");
        });
        hold.recv().expect("hold");
        scope.spawn(move || {
            quiet
                .send(s.fire_due(t0() + Duration::hours(1)))
                .expect("send")
        });
        // Before the 50 % reminder nothing is due: the answer comes without the lock.
        let got = answered.recv_timeout(std::time::Duration::from_secs(20));
        release.send(()).expect("release");
        assert!(got
            .expect("answered while the writer held its lock")
            .expect("fire")
            .is_empty());
    });
    // When something is due it is fired as before, through the write transaction.
    let fired = s.fire_due(t0() + Duration::hours(5)).expect("fire");
    assert_eq!(fired.iter().map(|f| f.threshold).collect::<Vec<_>>(), [50]);
}
