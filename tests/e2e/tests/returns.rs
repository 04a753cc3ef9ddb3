//! The centre's own return reasons through the real app: a dispatcher adds one in the
//! settings; the department returns a ticket choosing it on its own sign-in; the dispatcher
//! sees the request named by it and refuses it, the ticket staying with the department.

use chrono::{Duration, Utc};
use hotline_core::model::Role;
use hotline_core::{Action, Store, SystemClock};
use hotline_e2e::{Desk, Result};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "end-to-end: the built app under Xvfb (make test runs it in its e2e stage)"]
async fn a_department_returns_with_a_reason_the_centre_added() -> Result {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("returns.db");
    let store = Store::open(&db, Arc::new(SystemClock))?;
    let admin = hotline_e2e::admin(&store)?;
    let lighting = store
        .create_department(None, "lighting", "路灯管理所", None)?
        .id;
    let handler = store.create_user(None, "王工", lighting, Role::Handler)?;
    let sup = store.create_user(None, "派单员 赵", 1, Role::Supervisor)?;
    hotline_e2e::account(&store, handler.id, "lead")?;
    hotline_e2e::account(&store, sup.id, "super")?;
    let call = serde_json::from_value(serde_json::json!({
        "caller_name": "张三", "phone": "13812345678", "description": "河堤路灯不亮", "category": "help_request",
    }))?;
    let t = store.intake(
        admin.id,
        &call,
        Some(&Action::Transfer {
            department_id: lighting,
            requirements: "请修复".into(),
            due_at: Utc::now() + Duration::days(3),
            accept_due_at: Some(Utc::now() + Duration::days(1)),
            co_department_ids: vec![],
            co_due_at: None,
        }),
    )?;

    // The dispatcher adds the centre's own reason.
    let desk = Desk::launch_as(&db, "super").await?;
    desk.click("open-settings").await?;
    desk.wait_for("[data-testid='reason-form']").await?;
    desk.fill("reason-code", "flood_zone").await?;
    desk.fill("reason-name", "防汛责任区").await?;
    desk.click("reason-add").await?;
    desk.wait_for("[data-testid='return-reason'][data-code='flood_zone'][data-active='true']")
        .await?;

    // The department returns the ticket with it.
    desk.switch_to("lead").await?;
    desk.open_ticket(&t.number).await?;
    desk.open_form("action-return", "[data-testid='submit-return']")
        .await?;
    let offered = desk
        .js("return [...document.querySelector(\"[data-testid='input-reason_code']\").options].map(o => o.text)")
        .await?;
    assert!(
        offered.to_string().contains("防汛责任区") && offered.to_string().contains("属地不符"),
        "{offered}"
    );
    desk.select("input-reason_code", "flood_zone").await?;
    desk.fill("input-reason", "该段河堤路灯属防汛指挥部管理。")
        .await?;
    desk.click("submit-return").await?;
    desk.wait_for("[data-testid='return-state'][data-state='pending']")
        .await?;
    assert!(desk.text("return-state").await?.contains("防汛责任区"));

    // The dispatcher refuses it: the ticket stays with the department.
    desk.switch_to("super").await?;
    desk.open_ticket(&t.number).await?;
    desk.wait_for("[data-testid='return-state'][data-state='pending']")
        .await?;
    desk.fill("return-note", "河堤照明由路灯管理所维护。")
        .await?;
    desk.click("return-refuse").await?;
    desk.wait_for("[data-testid='return-state'][data-state='refused']")
        .await?;
    let r = store.return_request(t.id)?.expect("request");
    assert_eq!(r.reason_code.as_str(), "flood_zone");
    assert_eq!(store.ticket(t.id)?.department_id, Some(lighting));
    desk.close().await
}
