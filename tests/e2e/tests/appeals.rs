//! The departments' assessment adjusted through the real app: a department proposes one of
//! its tickets as unreasonable from the ticket's page and appeals a late entry of last month
//! from the appeals view; a supervisor approves the proposal and a manager upholds the
//! appeal, each on their own sign-in; the assessment then leaves both out, as the formulas
//! say. The manager urges the department with a 催办通知书, which it reads and acknowledges.

use chrono::{Datelike, Duration, TimeZone, Utc};
use hotline_core::model::Role;
use hotline_core::report::{month, ReportQuery};
use hotline_core::{Action, FakeClock, NewTicket, Store, SystemClock};
use hotline_e2e::{Desk, Result};
use std::sync::Arc;

fn transfer(dept: i64, due: chrono::DateTime<Utc>) -> Action {
    Action::Transfer {
        department_id: dept,
        requirements: "请核查处理".into(),
        due_at: due,
        accept_due_at: None,
        co_department_ids: vec![],
        co_due_at: None,
    }
}

fn call(phone: &str, text: &str) -> NewTicket {
    serde_json::from_value(serde_json::json!({
        "caller_name": "张三", "phone": phone, "description": text, "category": "help_request",
    }))
    .expect("a call")
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "end-to-end: the built app under Xvfb (make test runs it in its e2e stage)"]
async fn a_department_appeals_and_the_hotline_decides_on_their_own_sign_ins() -> Result {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("appeals.db");
    let tz = chrono_tz::Asia::Shanghai;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let first = today.with_day(1).expect("first");
    let last_month = first
        .pred_opt()
        .expect("previous")
        .with_day(10)
        .expect("tenth");
    let spec = last_month.format("%Y-%m").to_string();
    // Last month's ticket, written on a clock set then: due on the 10th, never replied.
    {
        let then = tz
            .from_local_datetime(&last_month.and_hms_opt(9, 0, 0).expect("nine"))
            .single()
            .expect("instant")
            .with_timezone(&Utc);
        let store = Store::open(&db, Arc::new(FakeClock::new(then)))?;
        let admin = hotline_e2e::admin(&store)?;
        let lighting = store
            .create_department(None, "lighting", "路灯管理所", None)?
            .id;
        let handler = store.create_user(None, "王工", lighting, Role::Handler)?;
        let sup = store.create_user(None, "值班长 赵", 1, Role::Supervisor)?;
        let boss = store.create_user(None, "主任 钱", 1, Role::Manager)?;
        for (id, login) in [(handler.id, "lead"), (sup.id, "super"), (boss.id, "boss")] {
            hotline_e2e::account(&store, id, login)?;
        }
        store.set_setting(Some(&admin), "appeal_working_days", "30")?;
        store.intake(
            admin.id,
            &call("13900000001", "幸福路路灯不亮"),
            Some(&transfer(lighting, then + Duration::hours(2))),
        )?;
    }
    let store = Store::open(&db, Arc::new(SystemClock))?;
    let admin = hotline_e2e::admin(&store)?;
    let lighting = store
        .departments()?
        .into_iter()
        .find(|d| d.code == "lighting")
        .expect("dept")
        .id;
    let late = store.history("13900000001")?.remove(0);
    let now = store.intake(
        admin.id,
        &call("13800000002", "同一号码一日来电四十次，内容为辱骂"),
        Some(&transfer(lighting, Utc::now() + Duration::days(3))),
    )?;

    // The department proposes today's ticket as unreasonable from its page.
    let desk = Desk::launch_as(&db, "lead").await?;
    desk.open_ticket(&now.number).await?;
    desk.js("document.querySelector(\"[data-testid='detail-exclusion'] details\").open = true")
        .await?;
    desk.select("exclusion-reason", "malicious").await?;
    desk.fill("exclusion-evidence", "录音 3 段，均为辱骂，无具体诉求。")
        .await?;
    desk.click("exclusion-propose").await?;
    desk.until("proposed on the timeline", || async {
        desk.count("[data-testid='timeline-item'][data-action='exclusion_proposed']")
            .await
            .map(|n| n == 1)
    })
    .await?;

    // ... and appeals last month's late entry from the appeals view.
    desk.click("open-appeals").await?;
    let entry = format!(
        "[data-testid='entry-row'][data-kpi='on_time_handling'][data-number='{}']",
        late.number
    );
    desk.wait_for(&entry).await?;
    assert_eq!(
        desk.attr("appeal-window", "data-open").await?.as_deref(),
        Some("true")
    );
    desk.fill("appeal-evidence", "当日暴雨红色预警，道路封闭无法进场。")
        .await?;
    desk.click("appeal-file").await?;
    desk.wait_for(&format!("{entry} [data-testid='entry-appeal-state']"))
        .await?;

    // The supervisor approves the proposal; the manager upholds the appeal.
    desk.switch_to("super").await?;
    desk.click("open-appeals").await?;
    let proposal = format!(
        "[data-testid='exclusion-row'][data-number='{}']",
        now.number
    );
    desk.wait_for(&format!("{proposal}[data-state='proposed']"))
        .await?;
    desk.click("exclusion-decide-yes").await?;
    desk.wait_for(&format!("{proposal}[data-state='approved']"))
        .await?;
    assert_eq!(
        desk.count("[data-testid='appeal-decide-yes']").await?,
        0,
        "a supervisor does not decide appeals"
    );

    desk.switch_to("boss").await?;
    desk.click("open-appeals").await?;
    let appeal = format!("[data-testid='appeal-row'][data-number='{}']", late.number);
    desk.wait_for(&format!("{appeal}[data-state='filed']"))
        .await?;
    desk.click("appeal-decide-yes").await?;
    desk.wait_for(&format!("{appeal}[data-state='upheld']"))
        .await?;

    // The manager urges the department about today's ticket from its page (催办通知书) ...
    desk.open_ticket(&now.number).await?;
    desk.js("document.querySelector(\"[data-testid='detail-notice'] details\").open = true")
        .await?;
    desk.select("notice-kind", "urge").await?;
    desk.fill("notice-note", "群众反复来电，请今日内联系来电人。")
        .await?;
    desk.click("notice-issue").await?;
    desk.until("issued on the timeline", || async {
        desk.count("[data-testid='timeline-item'][data-action='notice_issued']")
            .await
            .map(|n| n == 1)
    })
    .await?;
    // ... and the department finds it in its inbox, reads the document and acknowledges it.
    desk.switch_to("lead").await?;
    desk.click("open-appeals").await?;
    let row = format!("[data-testid='notice-row'][data-number='{}']", now.number);
    desk.wait_for(&format!("{row}[data-state='open']")).await?;
    // The breach of last month's ticket brought its own notice: act on today's row.
    desk.js(&format!(
        "document.querySelector(\"{row} [data-testid='notice-open']\").click()"
    ))
    .await?;
    desk.wait_for("[data-testid='notice-doc']").await?;
    let doc = desk.text("notice-doc").await?;
    assert!(
        doc.contains("催办通知书") && doc.contains(&now.number),
        "{doc}"
    );
    desk.js(&format!(
        "document.querySelector(\"{row} [data-testid='notice-ack']\").click()"
    ))
    .await?;
    desk.wait_for(&format!("{row}[data-state='acknowledged']"))
        .await?;
    let late_notice = format!(
        "[data-testid='notice-row'][data-number='{}'][data-kind='urge'][data-state='open']",
        late.number
    );
    assert_eq!(
        desk.count(&late_notice).await?,
        1,
        "the scheduler urged the breach"
    );
    let n = store.notices(Some(lighting), Some(now.id), false)?;
    assert_eq!(
        (n.len(), n[0].acknowledged_by.as_deref()),
        (1, Some("王工"))
    );

    // Last month's assessment leaves the appealed entry out, and says so.
    let (from, to) = month(&spec, tz).expect("month");
    let (_, depts) =
        store.assessment(&ReportQuery::new(from, to), &ReportQuery::new(from, from))?;
    let lamp = depts.iter().find(|d| d.id == lighting).expect("department");
    let k = lamp
        .kpis
        .iter()
        .find(|k| k.key == "on_time_handling")
        .expect("kpi");
    assert_eq!((k.numerator, k.denominator), (0, 0));
    assert_eq!(k.less.as_ref().map(|l| l.appealed), Some((0, 1)));
    let x = store.exclusions(None, None)?;
    assert_eq!((x.len(), x[0].state.as_str()), (1, "approved"));
    desk.close().await
}
