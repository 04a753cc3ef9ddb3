//! Complaint follow-through through the real app, two seats on one data file: a supervisor
//! assesses a complaint risky on its panel, which holds its answer; the legal reviewer on
//! the other seat finds it, asks for a revision, then clears it, and the supervisor's
//! ticket offers the feedback again; the supervisor records the root cause and a measure,
//! done and watched for recurrence.

use hotline_core::model::Role;
use hotline_core::{Store, SystemClock};
use hotline_e2e::{Desk, Result};
use std::sync::Arc;

async fn open(desk: &Desk, number: &str) -> Result {
    desk.open_ticket(number).await?;
    desk.until("the complaint panel", || async {
        desk.visible("complaint-panel").await
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "end-to-end: the built app under Xvfb (make test runs it in its e2e stage)"]
async fn a_risky_complaint_waits_for_the_legal_reviewer() -> Result {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("complaint.db");
    let store = Store::open(&db, Arc::new(SystemClock))?;
    let boss = store.create_user(None, "李班长", 1, Role::Supervisor)?;
    let legal = store.create_user(None, "赵律师", 1, Role::Legal)?;
    let dept = store.create_department(None, "service", "客户服务部", None)?;
    let handler = store.create_user(None, "王工", dept.id, Role::Handler)?;
    hotline_e2e::account(&store, boss.id, "boss")?;
    hotline_e2e::account(&store, legal.id, "legal")?;
    let new: hotline_core::NewTicket = serde_json::from_value(serde_json::json!({
        "caller_name": "王五", "phone": "13812345678", "channel": "letter", "address": "幸福路 1 号",
        "description": "投诉话务员态度恶劣，要求道歉。", "category": "complaint.service_attitude"
    }))?;
    let t = store.create_ticket(boss.id, &new)?;
    // The department has replied: the next step would relay the answer to the complainant.
    let mut v = t.version;
    for (who, action) in [
        (
            boss.id,
            serde_json::json!({ "action": "transfer", "department_id": dept.id, "requirements": "核实录音", "due_at": "2099-01-01T00:00:00Z" }),
        ),
        (handler.id, serde_json::json!({ "action": "accept" })),
        (
            handler.id,
            serde_json::json!({ "action": "reply", "result": "属实，已批评教育", "resolved": true }),
        ),
    ] {
        v = store
            .act(t.id, v, who, &serde_json::from_value(action)?)?
            .version;
    }
    let number = t.number.clone();

    let sup = Desk::launch_as(&db, "boss").await?;
    open(&sup, &number).await?;
    // The panel draws after the ticket: read it once it is there.
    sup.until("the feedback offered", || async {
        sup.visible("action-feedback").await
    })
    .await?;
    sup.until("the acknowledgement due", || async {
        Ok(sup.text("complaint-ack").await?.contains("前告知"))
    })
    .await?;
    sup.select("complaint-urgency", "2").await?;
    sup.select("complaint-impact", "3").await?;
    sup.click("complaint-assess-submit").await?;
    sup.until("held", || async { sup.visible("complaint-held").await })
        .await?;
    sup.until("complaint-risky", || async {
        sup.visible("complaint-risky").await
    })
    .await?;
    sup.until("no feedback offered", || async {
        Ok(sup.by_testid("action-feedback").await.is_err())
    })
    .await?;
    assert_eq!(store.ticket(t.id)?.severity.as_str(), "major");

    let law = Desk::launch_as(&db, "legal").await?;
    open(&law, &number).await?;
    law.until("complaint-held", || async {
        law.visible("complaint-held").await
    })
    .await?;
    // An opinion with nothing in it is refused, translated.
    law.select("legal-outcome", "revise").await?;
    law.click("legal-submit").await?;
    law.until("refused", || async {
        Ok(law.text("complaint-error").await?.contains("法务意见"))
    })
    .await?;
    law.fill("legal-opinion", "答复中不得承诺赔偿金额").await?;
    law.click("legal-submit").await?;
    law.until("one opinion", || async {
        Ok(law.count("[data-testid='complaint-opinion']").await? == 1)
    })
    .await?;
    law.until("complaint-held", || async {
        law.visible("complaint-held").await
    })
    .await?;
    law.select("legal-outcome", "cleared").await?;
    law.fill("legal-opinion", "可以答复").await?;
    law.click("legal-submit").await?;
    law.until("cleared", || async {
        Ok(law.count("[data-testid='complaint-opinion']").await? == 2
            && law.count("[data-testid='complaint-held']").await? == 0)
    })
    .await?;

    // The supervisor's screen follows the change: the feedback is offered again.
    sup.until("feedback offered again", || async {
        sup.visible("action-feedback").await
    })
    .await?;
    // The supervisor follows it through: the root cause, then a measure, done and watched.
    sup.select("cause-category", "people").await?;
    sup.fill("cause-steps", "为何态度差\n为何未受训").await?;
    sup.fill("cause-text", "新人未经服务规范培训即上岗").await?;
    sup.click("cause-submit").await?;
    sup.until("the cause", || async {
        Ok(sup.text("cause-summary").await?.contains("新人未经"))
    })
    .await?;
    sup.fill("measure-title", "新人上岗前完成服务规范培训")
        .await?;
    sup.select("measure-owner", &boss.id.to_string()).await?;
    sup.fill("measure-due", "2099-01-01 09:00").await?;
    sup.click("measure-submit").await?;
    let added = sup
        .until("the measure", || async {
            Ok(sup
                .count("[data-testid='measure-item'][data-state='open']")
                .await?
                == 1)
        })
        .await;
    if let Err(e) = added {
        let why = sup.js("return document.querySelector(\"[data-testid='follow-error']\")?.textContent ?? 'no error shown'").await?;
        return Err(format!("{e}: {why}").into());
    }
    sup.click("measure-done").await?;
    sup.until("watched", || async {
        Ok(sup
            .count("[data-testid='measure-item'][data-state='watching']")
            .await?
            == 1)
    })
    .await?;
    sup.screenshot("complaint").await?;
    // The matrix suggested the major-complaint plan: its declaration is one click away.
    sup.click("complaint-declare").await?;
    sup.until("the declaration, filled in", || async {
        Ok(sup.visible("view-incidents").await?
            && sup
                .js("return document.querySelector('#declare-form').elements.title.value")
                .await?
                .as_str()
                .is_some_and(|t| t.contains(&number)))
    })
    .await?;
    law.close().await?;
    sup.close().await
}
