//! Deadline notifications through the real desktop: a callback falls due seconds after
//! the feedback (SLA hours shortened by the test-only `sla_hour_seconds` setting); the
//! Notify calls on the session bus name the ticket, each reminder exactly once, and the
//! bell counts them.

use hotline_core::calendar::Span;
use hotline_core::model::Role;
use hotline_core::sla::Stage;
use hotline_core::{Action, NewTicket, Store, SystemClock};
use hotline_e2e::{Desk, Result};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "end-to-end: the built app under Xvfb (make test runs it in its e2e stage)"]
async fn a_callback_deadline_notifies_once_per_reminder() -> Result {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return Err("no session bus: run under dbus-run-session (see README)".into());
    }
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("notify.db");
    let store = Store::open(&db, Arc::new(SystemClock))?;
    let dept = store.create_department(None, "water", "水务集团", None)?.id;
    let handler = store.create_user(None, "赵工", dept, Role::Handler)?.id;
    let agent = store.create_user(None, "话务员 陈静", 1, Role::Agent)?.id;
    hotline_e2e::account(&store, agent, "agent")?;
    store.set_setting(None, "ui_language", "zh-CN")?;
    // A callback due one "hour" after the feedback, an hour lasting 8 seconds here.
    store.set_setting(None, "sla_hour_seconds", "8")?;
    store.set_sla_policy(
        None,
        Stage::Callback,
        None,
        None,
        Span::CalendarHours(1),
        "24x7",
    )?;
    let call = NewTicket {
        // Urgent: its reminders do not wait for working time, whenever the test runs.
        urgency: hotline_core::model::Urgency::Urgent,
        ..hotline_e2e::phone_call("孙女士", "13700000001", "自来水发黄。", "help_request")
    };
    let due = store.now() + chrono::Duration::days(3);
    let t = store.intake(
        agent,
        &call,
        Some(&Action::Transfer {
            department_id: dept,
            requirements: "核查水质".into(),
            due_at: due,
            accept_due_at: None,
            co_department_ids: vec![],
            co_due_at: None,
        }),
    )?;
    let t = store.act(t.id, t.version, handler, &Action::Accept { note: None })?;
    let t = store.act(
        t.id,
        t.version,
        handler,
        &Action::Reply {
            result: "已冲洗管网，水质恢复。".into(),
            resolved: Some(true),
        },
    )?;

    // The transfer and the reply were announced on other seats before this desk started.
    let earlier = store.fire_due(store.now())?;
    assert_eq!(earlier.len(), 2, "{earlier:?}");
    store.mark_notifications_read(agent)?;
    let (mut mon, calls) = hotline_e2e::notify_monitor()?;
    let desk = Desk::launch_as(&db, "agent").await?;
    desk.click("open-ticket").await?;
    desk.until("detail", || async { desk.visible("view-detail").await })
        .await?;
    desk.open_form("action-feedback", "[data-testid='submit-feedback']")
        .await?;
    desk.select("input-satisfaction", "satisfied").await?;
    desk.click("submit-feedback").await?;
    desk.until("feedback saved", || async {
        Ok(desk
            .js("return document.querySelector(\"[data-testid='detail-status']\").dataset.status")
            .await?
            == "awaiting_callback")
    })
    .await?;

    let mine = || -> usize {
        calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|c| c.contains(&t.number))
            .count()
    };
    // 50 %, 75 %, 90 % and the breach: four notifications naming the ticket.
    if let Err(e) = desk
        .until_for("four notifications", Duration::from_secs(60), || async {
            Ok(mine() >= 4)
        })
        .await
    {
        let seen = calls.lock().map(|c| c.join("")).unwrap_or_default();
        let alarms = store.pending_alarms(t.id)?;
        return Err(format!("{e}; pending alarms {alarms}; bus saw:\n{seen}").into());
    }
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        mine(),
        4,
        "each reminder exactly once: {:?}",
        calls.lock().map(|c| c.clone())
    );
    let all = calls.lock().map(|c| c.join("")).unwrap_or_default();
    assert!(all.contains("回访提醒"), "in the user's language: {all}");
    assert!(all.contains("已超过期限"), "the breach: {all}");
    // The notification centre keeps them: the bell counts four unread.
    desk.until("bell", || async {
        Ok(desk.text("bell-count").await? == "4")
    })
    .await?;
    desk.click("bell").await?;
    // The inbox lists them with the earlier (read) news that the department replied.
    desk.until("inbox", || async {
        Ok(desk.count("[data-testid='notification-item']").await? == 5)
    })
    .await?;
    desk.until("read", || async {
        Ok(desk.text("bell-count").await? == "0")
    })
    .await?;
    // The breach urged on the timeline, and a 催办通知书 went to the department.
    let events = store.timeline(t.id)?;
    let last: Vec<&str> = events
        .iter()
        .rev()
        .take(2)
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(last, ["notice_issued", "urge"]);
    desk.screenshot("notifications").await?;
    let _ = mon.kill();
    desk.close().await
}
