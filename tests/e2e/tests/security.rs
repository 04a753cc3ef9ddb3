//! Accounts through the real app: an agent sees masked numbers, reveals one with a
//! logged reason and cannot open the reporting window; the desk locks when idle and
//! the backend refuses everything until unlocked; a manager opens the reports.

use hotline_core::model::Role;
use hotline_core::seed::{seed, SeedOptions};
use hotline_core::store::{AuditQuery, ListQuery};
use hotline_core::{Store, SystemClock};
use hotline_e2e::{Desk, Result, PASSWORD};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn agents_see_masked_numbers_managers_read_reports_and_idle_desks_lock() -> Result {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("security.db");
    let store = Store::open(&db, Arc::new(SystemClock))?;
    seed(
        &store,
        SeedOptions {
            tickets: 300,
            days: 30,
            seed: 8,
        },
    )?;
    let admin = hotline_e2e::admin(&store)?;
    let agent = store.create_user("话务员 周敏", 1, Role::Agent)?.id;
    let manager = store.create_user("经理 吴刚", 1, Role::Manager)?.id;
    hotline_e2e::account(&store, agent, "zhoumin")?;
    hotline_e2e::account(&store, manager, "wugang")?;
    store.set_setting("idle_lock_seconds", "10")?;
    let newest = store.list_as(admin.id, &ListQuery::default())?.rows[0].clone();
    let clear = store.ticket(newest.id)?.phone;

    let desk = Desk::launch(&db).await?;
    // A wrong password is refused in the user's language, and nothing is shown.
    desk.fill("login-name", "zhoumin").await?;
    desk.fill("login-password", "not-the-password").await?;
    desk.click("login-submit").await?;
    desk.until("refused", || async {
        Ok(!desk.text("login-error").await?.is_empty())
    })
    .await?;
    assert_eq!(desk.count("body[data-ready='true']").await?, 0);
    desk.login("zhoumin", PASSWORD).await?;

    // Masked in the queue; the clear number is nowhere on the page.
    let shown = desk
        .js("return document.querySelector(\"[data-testid='ticket-row'] td:nth-child(5)\").innerText")
        .await?;
    let shown = shown.as_str().unwrap_or_default().to_string();
    assert!(shown.contains("****"), "{shown}");
    let page = desk.js("return document.body.innerText").await?;
    assert!(!page.as_str().unwrap_or_default().contains(&clear));
    desk.screenshot("masked").await?;

    // No reporting window for an agent: the button is hidden and the backend refuses.
    assert!(!desk.visible("open-reports").await?);
    desk.keys("\u{E009}r\u{E000}").await?;
    desk.until("refused", || async {
        Ok(desk
            .js("return document.querySelector(\"[data-testid='error']\").dataset.code || ''")
            .await?
            == "forbidden")
    })
    .await?;
    assert_eq!(desk.client.windows().await?.len(), 1);

    // Reveal with a reason: shown in clear, and logged.
    desk.js(&format!(
        "document.querySelector(\"[data-testid='ticket-row'][data-number='{}'] [data-testid='open-ticket']\").click()",
        newest.number
    ))
    .await?;
    desk.until("detail", || async { desk.visible("view-detail").await })
        .await?;
    assert!(desk.text("field-phone").await?.contains("****"));
    desk.click("reveal").await?;
    desk.fill("reveal-reason", "回访核实联系方式").await?;
    desk.click("reveal-submit").await?;
    desk.until("revealed", || async {
        Ok(desk
            .text("revealed-phone")
            .await
            .unwrap_or_default()
            .contains(&clear))
    })
    .await?;
    let log = store.audit_entries(&AuditQuery {
        action: Some("reveal".into()),
        ..Default::default()
    })?;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].actor_id, Some(agent));
    assert_eq!(log[0].target, newest.number);

    // Idle: the desk locks by itself, hides the tickets and the backend refuses.
    desk.until_for("the idle lock", Duration::from_secs(40), || async {
        Ok(desk.count("body[data-gate='unlock']").await? == 1)
    })
    .await?;
    assert!(!desk.visible("view-detail").await?);
    let refused = desk
        .js("return window.__TAURI_INTERNALS__.invoke('list_tickets', { query: {} }).then(() => 'ok', (e) => e.code)")
        .await?;
    assert_eq!(refused, "session_locked");
    desk.screenshot("locked").await?;
    desk.fill("unlock-password", PASSWORD).await?;
    desk.click("unlock-submit").await?;
    desk.wait_for("body[data-ready='true']:not([data-gate])")
        .await?;

    // A manager at the same desk opens the reporting window.
    desk.switch_to("wugang").await?;
    assert!(desk.visible("open-reports").await?);
    let main = desk.client.window().await?;
    desk.click("open-reports").await?;
    let mut reports = None;
    for _ in 0..100 {
        if let Some(w) = desk
            .client
            .windows()
            .await?
            .into_iter()
            .find(|w| *w != main)
        {
            reports = Some(w);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    desk.client
        .switch_to_window(reports.ok_or("the reporting window did not open")?)
        .await?;
    desk.wait_for("body[data-ready='true']").await?;
    assert!(desk.count("[data-testid='kpis'] .kpi").await? > 0);
    desk.close().await
}
