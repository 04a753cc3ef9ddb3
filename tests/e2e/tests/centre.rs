//! One centre, three seats: the real `hotline-server` over TLS on loopback and three real
//! desks under Xvfb. The agent's desk is connected through its connection form (the
//! certificate compared and confirmed by the centre's administrator); the agent transfers
//! a call, the handler on another seat sees it arrive live and accepts, the supervisor's
//! queue counts follow without a reload; a callback deadline notifies exactly once, on the
//! seat of the user it concerns, in their language.

use hotline_core::calendar::Span;
use hotline_core::model::{Role, Satisfaction};
use hotline_core::sla::Stage;
use hotline_core::{Action, Store, SystemClock};
use hotline_e2e::{CentreServer, Desk, Result, PASSWORD};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "end-to-end: the built app and server under Xvfb (make test runs it in its e2e stage)"]
async fn one_centre_three_seats() -> Result {
    one_centre(None).await
}

/// The same centre with its store on PostgreSQL (a private cluster): the desks cannot
/// tell the difference.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "end-to-end: the built app and server under Xvfb (make test runs it in its e2e stage)"]
async fn one_centre_three_seats_on_postgres() -> Result {
    let cluster = hotline_pgcluster::Cluster::start()?;
    let url = cluster.create_database("centre", "C.UTF-8")?;
    one_centre(Some(&url)).await
}

/// `store`: the centre's PostgreSQL database, or none for its SQLite file.
async fn one_centre(store: Option<&str>) -> Result {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return Err("no session bus: run under dbus-run-session (see README)".into());
    }
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("centre");
    std::fs::create_dir_all(&data)?;
    // The centre's store, set up before the server holds it, on a thread of its own: the
    // PostgreSQL client blocks, which the test's async runtime does not allow.
    let setup = || -> Result<(String, i64)> {
        let store = match store {
            Some(url) => Store::open_postgres(url, Arc::new(SystemClock), 1)?,
            None => Store::open(data.join("hotline.db"), Arc::new(SystemClock))?,
        };
        hotline_e2e::admin(&store)?;
        let lighting = store
            .create_department(None, "lighting", "路灯管理所", None)?
            .id;
        let agent = store.create_user(None, "话务员 李娜", 1, Role::Agent)?.id;
        let handler = store.create_user(None, "王工", lighting, Role::Handler)?.id;
        let supervisor = store.create_user(None, "周主管", 1, Role::Supervisor)?.id;
        for (id, login) in [
            (agent, "agent"),
            (handler, "lighting"),
            (supervisor, "super"),
        ] {
            hotline_e2e::account(&store, id, login)?;
        }
        store.set_setting(None, "ui_language", "zh-CN")?;
        // Callbacks fall due within seconds (an "hour" of 8 s); the department's deadlines
        // stay days away, so that only the callback reminds during the test.
        store.set_setting(None, "sla_hour_seconds", "8")?;
        store.set_sla_policy(
            None,
            Stage::Callback,
            None,
            None,
            Span::CalendarHours(1),
            "24x7",
        )?;
        for stage in [Stage::Accept, Stage::Handle] {
            store.set_sla_policy(
                None,
                stage,
                None,
                None,
                Span::CalendarHours(24 * 30),
                "24x7",
            )?;
        }
        // A call the department has already answered, for the agent's feedback later.
        let call = hotline_core::NewTicket {
            urgency: hotline_core::model::Urgency::Urgent,
            ..hotline_e2e::phone_call("孙女士", "13700000001", "路灯闪烁。", "help_request")
        };
        let t = store.intake(
            agent,
            &call,
            Some(&Action::Transfer {
                department_id: lighting,
                requirements: "核查".into(),
                due_at: store.now() + chrono::Duration::days(3),
                accept_due_at: None,
                co_department_ids: vec![],
                co_due_at: None,
            }),
        )?;
        let t = store.act(t.id, t.version, handler, &Action::Accept { note: None })?;
        store.act(
            t.id,
            t.version,
            handler,
            &Action::Reply {
                result: "已更换灯具。".into(),
                resolved: Some(true),
            },
        )?;
        store.fire_due(store.now())?;
        for u in [agent, handler, supervisor] {
            store.mark_notifications_read(u)?;
        }
        Ok((t.number, lighting))
    };
    let (earlier, lighting) = std::thread::scope(|s| s.spawn(setup).join())
        .map_err(|_| "the centre's set-up panicked")??;
    let server = CentreServer::start(&data, store)?;
    let (mut mon, calls) = hotline_e2e::notify_monitor()?;
    let seen = |number: &str| -> usize {
        calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|c| c.contains(number))
            .count()
    };

    // The agent's desk, new, is pointed at the centre through its connection form.
    let agent = Desk::launch(&dir.path().join("agent-local.db")).await?;
    agent.wait_for("body[data-gate='setup']").await?;
    agent.click("open-connection").await?;
    agent.wait_for("body[data-gate='connection']").await?;
    agent.click("conn-mode-server").await?;
    agent.fill("conn-address", &server.address).await?;
    agent.click("conn-probe").await?;
    agent
        .until("the fingerprint", || async {
            Ok(agent.text("conn-fingerprint").await? == server.fingerprint)
        })
        .await?;
    // Only an administrator of the centre confirms it.
    agent.fill("conn-login", "agent").await?;
    agent.fill("conn-password", PASSWORD).await?;
    agent.click("conn-save").await?;
    agent
        .until("refused", || async { agent.visible("conn-error").await })
        .await?;
    let refused = agent.attr("conn-error", "data-code").await?;
    assert_eq!(refused.as_deref(), Some("forbidden"));
    agent.fill("conn-login", "admin").await?;
    agent.fill("conn-password", PASSWORD).await?;
    agent
        .click_reloading("conn-save", "body[data-gate='login']")
        .await?;
    assert!(agent
        .text("gate-connection")
        .await?
        .contains(&server.address));
    agent.login("agent", PASSWORD).await?;
    agent
        .until("connected", || async {
            Ok(agent
                .js("return document.querySelector(\"[data-testid='connection-status']\").dataset.status")
                .await?
                == "connected")
        })
        .await?;

    // The department's handler and the supervisor, on seats already connected.
    let file = server.connection_file(dir.path())?;
    let handler = Desk::launch_connected(&dir.path().join("h.db"), &file).await?;
    handler.login("lighting", PASSWORD).await?;
    let supervisor = Desk::launch_connected(&dir.path().join("s.db"), &file).await?;
    supervisor.login("super", PASSWORD).await?;
    supervisor.count_is("awaiting_acceptance", 0).await?;
    handler.count_is("awaiting_acceptance", 0).await?;

    // The agent logs a call and transfers it to the lighting department.
    agent.click("new-call").await?;
    agent
        .until("intake", || async { agent.visible("view-intake").await })
        .await?;
    agent.fill("intake-phone", "13812345678").await?;
    agent.fill("intake-name", "张三").await?;
    agent.select("intake-category", "help_request").await?;
    agent
        .fill("intake-description", "幸福路 12 号门前路灯不亮。")
        .await?;
    agent
        .select("intake-department", &lighting.to_string())
        .await?;
    agent.fill("intake-requirements", "请三日内修复。").await?;
    agent.click("intake-transfer-submit").await?;
    agent
        .until("saved", || async { agent.visible("view-queue").await })
        .await?;
    agent.click("queue-all").await?;
    let newest = format!(
        "return [...document.querySelectorAll(\"[data-testid='ticket-row']\")].map(r => r.dataset.number).find(n => n !== '{earlier}') ?? ''"
    );
    agent
        .until("the new call in the agent's list", || async {
            Ok(agent
                .js(&newest)
                .await?
                .as_str()
                .is_some_and(|n| !n.is_empty()))
        })
        .await?;
    let number = agent
        .js(&newest)
        .await?
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        agent.text("notice").await?.contains(&number),
        "the notice names it"
    );

    // It arrives on the handler's seat and in the supervisor's counts, nobody reloading.
    handler.count_is("awaiting_acceptance", 1).await?;
    supervisor.count_is("awaiting_acceptance", 1).await?;
    handler.open_ticket(&number).await?;
    // The agent opens it too: each sees the other has it open, and the agent sees the
    // handler start editing (presence).
    agent.open_ticket(&number).await?;
    agent
        .until("the handler's presence", || async {
            Ok(agent.visible("presence").await? && agent.text("presence").await?.contains("王工"))
        })
        .await?;
    handler
        .open_form("action-accept", "[data-testid='submit-accept']")
        .await?;
    agent
        .until("the handler editing", || async {
            Ok(agent.text("presence").await?.contains("正在编辑"))
        })
        .await?;
    handler.click("submit-accept").await?;
    handler.status_is("in_progress").await?;
    supervisor.count_is("awaiting_acceptance", 0).await?;
    agent.count_is("awaiting_acceptance", 0).await?;
    // The transfer was announced once, to the handler (the agent and the supervisor are
    // not told of it).
    handler
        .until("the announcement", || async { Ok(seen(&number) >= 1) })
        .await?;

    // The callback: the agent relays the answer. Its reminders pop up on the agent's seat,
    // each once, in the agent's language; the breach also on the supervisor's (it is
    // escalated to them), and on no other seat.
    agent.open_ticket(&earlier).await?;
    agent
        .open_form("action-feedback", "[data-testid='submit-feedback']")
        .await?;
    agent
        .select("input-satisfaction", Satisfaction::Satisfied.as_str())
        .await?;
    agent.click("submit-feedback").await?;
    agent.status_is("awaiting_callback").await?;
    if let Err(e) = agent
        .until_for("five pop-ups", Duration::from_secs(60), || async {
            Ok(seen(&earlier) >= 5)
        })
        .await
    {
        let bus = calls.lock().map(|c| c.join("")).unwrap_or_default();
        return Err(format!("{e}; the bus saw:\n{bus}").into());
    }
    tokio::time::sleep(Duration::from_secs(4)).await;
    let bus = calls.lock().map(|c| c.join("")).unwrap_or_default();
    // Which seat (bus connection) showed each pop-up about the callback.
    let senders = |breach: bool| -> Vec<String> {
        let calls = calls.lock().unwrap_or_else(|p| p.into_inner());
        let mut v: Vec<String> = calls
            .iter()
            .filter(|c| c.contains(&earlier) && c.contains("已超过期限") == breach)
            .filter_map(|c| {
                c.split("sender=")
                    .nth(1)?
                    .split_whitespace()
                    .next()
                    .map(str::to_string)
            })
            .collect();
        v.sort();
        v
    };
    let (reminders, breach) = (senders(false), senders(true));
    assert_eq!(reminders.len(), 3, "50 %, 75 %, 90 %, once each: {bus}");
    assert!(
        reminders.iter().all(|s| *s == reminders[0]),
        "on one seat: {bus}"
    );
    assert_eq!(breach.len(), 2, "the breach on two seats: {bus}");
    assert!(
        breach.contains(&reminders[0]) && breach[0] != breach[1],
        "{bus}"
    );
    assert_eq!(seen(&number), 1, "the transfer's announcement once: {bus}");
    assert!(bus.contains("回访提醒"), "{bus}");
    agent
        .until("the agent's bell", || async {
            Ok(agent.text("bell-count").await? == "4")
        })
        .await?;
    supervisor
        .until("the supervisor's bell", || async {
            Ok(supervisor.text("bell-count").await? == "1")
        })
        .await?;
    assert_eq!(
        handler.text("bell-count").await?,
        "1",
        "the handler's: the transfer"
    );
    agent.screenshot("centre-agent").await?;
    let _ = mon.kill();
    for d in [agent, handler, supervisor] {
        d.close().await?;
    }
    drop(server);
    Ok(())
}
