//! An agent takes an exam in the desk: the paper drawn from the bank, no answers shown,
//! the time counting down, handed in and scored by the backend; the result stays in the
//! agent's record.

use hotline_core::model::Role;
use hotline_core::training::exam::{NewExam, NewQuestion, QuestionKind};
use hotline_core::training::Topic;
use hotline_core::{Store, SystemClock};
use hotline_e2e::{Desk, Result};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "end-to-end: the built app under Xvfb (make test runs it in its e2e stage)"]
async fn an_agent_takes_an_exam_and_passes() -> Result {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("training.db");
    let store = Store::open(&db, Arc::new(SystemClock))?;
    let trainer = store.create_user(None, "培训师 周", 1, Role::Trainer)?;
    let agent = store.create_user(None, "话务员 李娜", 1, Role::Agent)?;
    hotline_e2e::account(&store, agent.id, "agent")?;
    let single = store.add_question(
        (&trainer).into(),
        &NewQuestion {
            topic: Topic::ServiceProcess,
            kind: QuestionKind::Single,
            text: "转办期限从何时起算？".into(),
            options: vec!["受理时".into(), "转办时".into()],
            answer: vec![1],
        },
    )?;
    let multiple = store.add_question(
        (&trainer).into(),
        &NewQuestion {
            topic: Topic::ServiceProcess,
            kind: QuestionKind::Multiple,
            text: "哪些属于个人信息？".into(),
            options: vec!["电话号码".into(), "住址".into(), "天气".into()],
            answer: vec![0, 1],
        },
    )?;
    let exam = store.create_exam(
        (&trainer).into(),
        &NewExam {
            title: "服务流程考试".into(),
            topic: None,
            questions: 2,
            minutes: 15,
            pass_mark: 60,
            attempts: 2,
            seed: 3,
        },
    )?;

    store.add_session(
        (&trainer).into(),
        &hotline_core::training::NewSession {
            title: "服务规范用语".into(),
            topic: Topic::Communication,
            method: hotline_core::training::Method::Internal,
            starts_at: store.now() - chrono::Duration::hours(1),
            hours: 2.0,
            place: "培训室".into(),
            audience: vec![agent.id],
        },
    )?;
    hotline_e2e::account(&store, trainer.id, "trainer")?;

    // The trainer marks the agent present.
    let t = Desk::launch_as(&db, "trainer").await?;
    t.click("open-training").await?;
    t.until("the attendance", || async {
        Ok(t.count("[data-testid='attendance-session']").await? == 1)
    })
    .await?;
    t.click("mark-present").await?;
    t.until("marked", || async {
        Ok(t.js("return document.querySelector(\"[data-testid='mark-present']\").getAttribute('aria-pressed')").await? == "true")
    })
    .await?;
    // … and keeps the session's handout with it; a program is refused, translated.
    t.click("materials-toggle").await?;
    t.until("the materials", || async { t.visible("file-add").await })
        .await?;
    let handout = dir.path().join("服务规范讲义.pdf");
    let bytes: Vec<u8> = b"%PDF-1.4\n"
        .iter()
        .copied()
        .chain((0..50_000u32).map(|i| (i % 251) as u8))
        .collect();
    std::fs::write(&handout, &bytes)?;
    let program = dir.path().join("setup.exe");
    std::fs::write(&program, b"MZ")?;
    for file in [&program, &handout] {
        t.by_testid("file-add")
            .await?
            .send_keys(&file.display().to_string())
            .await?;
        if file == &program {
            t.until("refused", || async { t.visible("file-error").await })
                .await?;
            assert_eq!(
                t.attr("file-error", "data-code").await?.as_deref(),
                Some("invalid_value")
            );
        }
    }
    t.until("kept", || async {
        Ok(
            t.count("[data-testid='file-item'][data-name='服务规范讲义.pdf']")
                .await?
                == 1,
        )
    })
    .await?;
    // … and starts the new agent's onboarding, ticking its first task.
    t.select("onboarding-user", &agent.id.to_string()).await?;
    t.click("onboarding-start-submit").await?;
    let row = format!("[data-testid='onboarding-row'][data-user='{}']", agent.id);
    t.until("onboarding", || async { Ok(t.count(&row).await? == 1) })
        .await?;
    t.click("onboarding-open").await?;
    t.until("the checklist", || async {
        Ok(t.count("[data-testid='onboarding-tick']").await? > 0)
    })
    .await?;
    t.click("onboarding-tick").await?;
    t.until("ticked", || async {
        Ok(t.count(
            "[data-testid='onboarding-detail'] [data-testid='onboarding-item'][data-state='done']",
        )
        .await?
            == 1)
    })
    .await?;
    t.close().await?;

    let desk = Desk::launch_as(&db, "agent").await?;
    desk.click("open-training").await?;
    desk.until("the session, attended", || async {
        Ok(desk.text("training-session").await?.contains("已参加"))
    })
    .await?;
    // The agent saves the handout among their exports, byte for byte, to open it.
    desk.click("materials-toggle").await?;
    desk.until("the handout", || async {
        Ok(desk.count("[data-testid='file-item']").await? == 1)
    })
    .await?;
    assert_eq!(
        desk.count("[data-testid='file-add']").await?,
        0,
        "an agent only reads"
    );
    desk.click("file-save").await?;
    desk.until("saved", || async { desk.visible("file-path").await })
        .await?;
    let saved = desk
        .attr("file-path", "data-path")
        .await?
        .ok_or("no path")?;
    assert!(saved.ends_with("服务规范讲义.pdf"), "{saved}");
    assert_eq!(std::fs::read(&saved)?, bytes);
    desk.until("the exam", || async {
        Ok(desk.count("[data-testid='exam-item']").await? == 1)
    })
    .await?;
    desk.click("exam-start").await?;
    desk.until("the paper", || async {
        Ok(desk.count("[data-testid='exam-question']").await? == 2)
    })
    .await?;
    assert!(
        desk.text("exam-time-left").await?.contains("14:")
            || desk.text("exam-time-left").await?.contains("15:")
    );
    desk.click(&format!("exam-q-{}-opt-1", single.id)).await?;
    desk.click(&format!("exam-q-{}-opt-0", multiple.id)).await?;
    desk.click(&format!("exam-q-{}-opt-1", multiple.id)).await?;
    desk.click("exam-submit").await?;
    desk.until("the result", || async {
        Ok(desk
            .js("return document.querySelector(\"[data-testid='exam-result']\")?.dataset.passed ?? ''")
            .await?
            == "true")
    })
    .await?;
    // The exam passed after the start completes an item of the agent's onboarding.
    desk.until("the onboarding", || async {
        Ok(desk
            .count(
                "[data-testid='my-onboarding'] [data-testid='onboarding-item'][data-state='done']",
            )
            .await?
            == 2)
    })
    .await?;
    assert!(desk.text("onboarding-summary").await?.contains("2/9"));
    let attempts = store.attempts(Some(agent.id))?;
    assert_eq!(
        (attempts.len(), attempts[0].score, attempts[0].exam_id),
        (1, Some(100.0), exam.id)
    );
    assert_eq!(
        desk.count("[data-testid='exam-result-row'][data-passed='true']")
            .await?,
        1
    );
    desk.screenshot("exam").await?;
    desk.close().await
}
