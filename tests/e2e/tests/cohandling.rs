//! Dispatch with a lead and a co-handler through the real app: the catalogue names both
//! at intake, the agent transfers; the co-handling department accepts and replies with its
//! part on its own sign-in, the lead's reply is refused until then (translated), and then
//! closes handling. The timeline shows every part.

use hotline_core::dispatch::NewRule;
use hotline_core::model::Role;
use hotline_core::{Store, SystemClock};
use hotline_e2e::{Desk, Result};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "end-to-end: the built app under Xvfb (make test runs it in its e2e stage)"]
async fn a_lead_and_a_co_handler_each_act_on_their_own_sign_in() -> Result {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("cohandling.db");
    let store = Store::open(&db, Arc::new(SystemClock))?;
    let admin = hotline_e2e::admin(&store)?;
    let lighting = store
        .create_department(None, "lighting", "路灯管理所", None)?
        .id;
    let water = store
        .create_department(None, "water", "自来水公司", None)?
        .id;
    let lead = store.create_user(None, "王工", lighting, Role::Handler)?;
    let co = store.create_user(None, "水司 周", water, Role::Handler)?;
    let agent = store.create_user(None, "话务员 李娜", 1, Role::Agent)?;
    hotline_e2e::account(&store, lead.id, "lead")?;
    hotline_e2e::account(&store, co.id, "co")?;
    hotline_e2e::account(&store, agent.id, "agent")?;
    store.add_dispatch_rule(
        (&admin).into(),
        &NewRule {
            category: "help_request".into(),
            keywords: vec!["路灯".into()],
            lead_department_id: lighting,
            co_department_ids: vec![water],
            ..NewRule::default()
        },
    )?;

    let desk = Desk::launch_as(&db, "agent").await?;
    desk.click("new-call").await?;
    desk.until("intake open", || async {
        desk.visible("view-intake").await
    })
    .await?;
    desk.fill("intake-phone", "13812345678").await?;
    desk.select("intake-category", "help_request").await?;
    desk.fill("intake-address", "幸福路 12 号").await?;
    desk.fill(
        "intake-description",
        "幸福路路灯连续三晚不亮，附近井盖渗水。",
    )
    .await?;
    desk.until("the catalogue's suggestion", || async {
        Ok(desk.attr("intake-dispatch", "data-lead").await?.as_deref() == Some(&*lighting.to_string())
            && desk
                .js("return [...document.querySelector(\"[data-testid='intake-co']\").selectedOptions].map(o => o.value)")
                .await?
                == serde_json::json!([water.to_string()]))
    })
    .await?;
    assert_eq!(
        desk.js("return document.querySelector(\"[data-testid='intake-department']\").value")
            .await?,
        lighting.to_string()
    );
    desk.fill(
        "intake-requirements",
        "请修复路灯，自来水公司协查井盖渗水。",
    )
    .await?;
    desk.click("intake-transfer-submit").await?;
    desk.until("back to the queue", || async {
        desk.visible("view-queue").await
    })
    .await?;
    let t = store.history("13812345678")?.remove(0);
    let number = t.number.clone();
    assert_eq!(store.detail(t.id)?.ticket.department_id, Some(lighting));
    let now = chrono::Utc::now();
    let f = store.dispatch_figures(
        now - chrono::Duration::hours(1),
        now + chrono::Duration::hours(1),
    )?;
    assert_eq!(
        (f.overrides.numerator, f.overrides.denominator),
        (0, 1),
        "as suggested"
    );

    // The lead accepts; its reply waits for the co-handler's part.
    desk.switch_to("lead").await?;
    desk.open_ticket(&number).await?;
    desk.open_form("action-accept", "[data-testid='submit-accept']")
        .await?;
    desk.click("submit-accept").await?;
    desk.status_is("in_progress").await?;
    desk.open_form("action-reply", "[data-testid='submit-reply']")
        .await?;
    desk.fill("input-result", "路灯已修复。").await?;
    desk.select("input-resolved", "true").await?;
    desk.click("submit-reply").await?;
    desk.until("refused", || async { desk.visible("action-error").await })
        .await?;
    assert_eq!(
        desk.attr("action-error", "data-code").await?.as_deref(),
        Some("co_handling_owed")
    );
    assert!(desk.text("action-error").await?.contains("自来水公司"));

    // The co-handler finds the ticket, accepts and replies with its part.
    desk.switch_to("co").await?;
    desk.open_ticket(&number).await?;
    let part = format!("[data-testid='co-part'][data-department='{water}']");
    for (action, state, fill) in [
        ("co_accept", "accepted", None),
        (
            "co_reply",
            "replied",
            Some("井盖渗水系供水管接头老化，已更换。"),
        ),
    ] {
        desk.click(&format!("action-{action}")).await?;
        desk.wait_for(&format!("[data-testid='submit-{action}']"))
            .await?;
        if let Some(text) = fill {
            desk.fill("input-result", text).await?;
        }
        desk.click(&format!("submit-{action}")).await?;
        let want = format!("{part}[data-state='{state}']");
        desk.until(state, || async { Ok(desk.count(&want).await? == 1) })
            .await?;
    }
    assert!(
        desk.by_testid("action-reply").await.is_err(),
        "a co-handler does not close handling"
    );

    // Now the lead's reply closes handling; the timeline shows both parts.
    desk.switch_to("lead").await?;
    desk.open_ticket(&number).await?;
    desk.open_form("action-reply", "[data-testid='submit-reply']")
        .await?;
    desk.fill("input-result", "路灯已修复，井盖渗水已由自来水公司处理。")
        .await?;
    desk.select("input-resolved", "true").await?;
    desk.click("submit-reply").await?;
    desk.status_is("replied").await?;
    let actions: Vec<String> = store
        .timeline(t.id)?
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "create",
            "transfer",
            "accept",
            "co_accept",
            "co_reply",
            "reply"
        ]
    );
    desk.close().await
}
