//! The knowledge base through the real app: a supervisor writes an article in the
//! knowledge view (an answer left out is refused, translated), sends it for review and
//! publishes it; an agent taking a call sees it suggested while typing the caller's own
//! words, takes its wording in one click, and the ticket records article and version.

use hotline_core::model::{Role, Status};
use hotline_core::{Store, SystemClock};
use hotline_e2e::{Desk, Result};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "end-to-end: the built app under Xvfb (make test runs it in its e2e stage)"]
async fn an_agent_answers_a_call_from_a_suggested_article() -> Result {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("knowledge.db");
    let store = Store::open(&db, Arc::new(SystemClock))?;
    let editor = store.create_user(None, "值班长 李", 1, Role::Supervisor)?;
    let agent = store.create_user(None, "话务员 王芳", 1, Role::Agent)?;
    hotline_e2e::account(&store, editor.id, "super")?;
    hotline_e2e::account(&store, agent.id, "agent")?;
    let answer = "携带身份证、租房合同到居住地社区派出所申领，15个工作日内领证。";

    let desk = Desk::launch_as(&db, "super").await?;
    desk.click("open-kb").await?;
    desk.until("the knowledge view", || async {
        desk.visible("kb-new").await
    })
    .await?;
    desk.click("kb-new").await?;
    desk.fill("kb-form-title", "居住证办理").await?;
    desk.fill("kb-form-questions", "怎么办居住证\n居住证去哪里办")
        .await?;
    desk.select("kb-form-material", "guide").await?;
    desk.click("kb-form-save").await?;
    desk.until("refused", || async { desk.visible("kb-form-error").await })
        .await?;
    assert_eq!(
        desk.attr("kb-form-error", "data-code").await?.as_deref(),
        Some("required")
    );
    assert!(store.articles(&Default::default())?.is_empty());
    desk.fill("kb-form-answer", answer).await?;
    desk.click("kb-form-save").await?;
    let state = |want: &'static str| {
        let desk = &desk;
        async move {
            desk.until(&format!("the article {want}"), || async {
                Ok(desk.visible("kb-article-state").await?
                    && desk
                        .count(&format!("[data-testid='kb-row'][data-state='{want}']"))
                        .await?
                        == 1)
            })
            .await
        }
    };
    state("draft").await?;
    desk.click("kb-submit").await?;
    state("in_review").await?;
    desk.click("kb-approve").await?;
    state("published").await?;
    let id = store.articles(&Default::default())?[0].id;

    // The agent types what the caller says, in words the article was never given.
    desk.switch_to("agent").await?;
    desk.click("new-call").await?;
    desk.until("intake open", || async {
        desk.visible("view-intake").await
    })
    .await?;
    desk.fill("intake-phone", "13912345678").await?;
    desk.select("intake-category", "consultation").await?;
    desk.fill("intake-description", "外地人办居住证要带什么材料，在哪里办")
        .await?;
    desk.until("the suggestion", || async {
        Ok(desk
            .js("return document.querySelector(\"[data-testid='kb-suggestion']\")?.dataset.id ?? ''")
            .await?
            == serde_json::json!(id.to_string()))
    })
    .await?;
    desk.click("kb-use").await?;
    desk.until("the wording taken", || async {
        Ok(desk.visible("intake-article").await?
            && desk
                .js("return document.querySelector(\"[data-testid='intake-answer']\").value")
                .await?
                == answer)
    })
    .await?;
    desk.click("intake-answer-submit").await?;
    desk.until("back to the queue", || async {
        desk.visible("view-queue").await
    })
    .await?;
    let rows = store.history("13912345678")?;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, Status::Closed);
    let events = store.timeline(rows[0].id)?;
    let answered = events
        .iter()
        .find(|e| e.action == "answer")
        .ok_or("no answer event")?;
    assert_eq!(
        answered.data["article"],
        serde_json::json!({ "id": id, "version": 1 })
    );
    assert_eq!(store.article(id)?.uses, 1);
    desk.close().await
}
