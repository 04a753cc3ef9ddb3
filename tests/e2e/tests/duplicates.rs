//! A repeated request through the real app: while the agent types a neighbour's call about
//! the same street lamp, the open ticket is offered; one click logs the call merged into
//! it; the merged call is split back off as it was.

use hotline_core::model::{Role, Status};
use hotline_core::{NewTicket, Store, SystemClock};
use hotline_e2e::{Desk, Result};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "end-to-end: the built app under Xvfb (make test runs it in its e2e stage)"]
async fn an_agent_merges_a_repeat_call_into_the_master() -> Result {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("duplicates.db");
    let store = Store::open(&db, Arc::new(SystemClock))?;
    let agent = store.create_user(None, "话务员 李娜", 1, Role::Agent)?;
    hotline_e2e::account(&store, agent.id, "agent")?;
    let master = store.intake(
        agent.id,
        &NewTicket {
            address: Some("幸福路 12 号".into()),
            ..hotline_e2e::phone_call(
                "张三",
                "13812345678",
                "幸福路12号门口路灯不亮。",
                "help_request",
            )
        },
        None,
    )?;

    let desk = Desk::launch_as(&db, "agent").await?;
    desk.click("new-call").await?;
    desk.until("intake open", || async {
        desk.visible("view-intake").await
    })
    .await?;
    desk.fill("intake-phone", "13900000001").await?;
    desk.select("intake-category", "help_request").await?;
    desk.fill("intake-address", "幸福路12号").await?;
    desk.fill("intake-description", "楼下路灯坏了好几天，晚上很黑。")
        .await?;
    let offered = format!(
        "[data-testid='dup-candidate'][data-id='{}'][data-reason='address']",
        master.id
    );
    desk.until("the open ticket offered", || async {
        Ok(desk.count(&offered).await? == 1)
    })
    .await?;
    desk.click("dup-merge").await?;
    desk.until("the master opened", || async {
        Ok(
            desk.visible("view-detail").await?
                && desk.text("detail-number").await? == master.number,
        )
    })
    .await?;
    let calls = store.merged_calls(master.id)?;
    assert_eq!(calls.len(), 1);
    let merged = store.ticket(calls[0])?;
    assert_eq!(
        (merged.status, merged.merged_into),
        (Status::Closed, Some(master.id))
    );
    assert_eq!(merged.phone, "13900000001");

    // The merged call, opened from the queue, is split back as it was.
    desk.open_ticket(&merged.number).await?;
    desk.until("split offered", || async {
        desk.visible("split-ticket").await
    })
    .await?;
    desk.click("split-ticket").await?;
    desk.status_is("received").await?;
    let back = store.ticket(merged.id)?;
    assert_eq!((back.status, back.merged_into), (Status::Received, None));
    assert!(store.merged_calls(master.id)?.is_empty());
    desk.close().await
}
