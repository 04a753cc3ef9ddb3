//! The duty roster edited on the desk, a week at a time: a manager fills the week's grid,
//! a week with one shift left without a duty leader is refused (naming the gap, nothing
//! saved), the filled week is saved, and the next week is copied from it.

use chrono::NaiveDate;
use hotline_core::model::Role;
use hotline_core::{Store, SystemClock};
use hotline_e2e::{Desk, Result};
use std::sync::Arc;

const ENTER: &str = "\u{E007}";

/// Chooses a primary duty leader in cell `index` of the grid (found anew: every choice
/// draws the grid again).
fn choose(index: usize, user: i64) -> String {
    format!(
        "const s = document.querySelectorAll(\"[data-testid='roster-leader']\")[{index}]; \
         s.value = '{user}'; s.dispatchEvent(new Event('change', {{ bubbles: true }}));"
    )
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "end-to-end: the built app under Xvfb (make test runs it in its e2e stage)"]
async fn a_manager_fills_a_week_of_the_roster_and_a_gap_is_refused() -> Result {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("roster.db");
    let store = Store::open(&db, Arc::new(SystemClock))?;
    let manager = store.create_user(None, "张经理", 1, Role::Manager)?;
    hotline_e2e::account(&store, manager.id, "manager")?;
    let li = store
        .create_user(None, "值班长 李", 1, Role::Supervisor)?
        .id;
    let wang = store
        .create_user(None, "值班长 王", 1, Role::Supervisor)?
        .id;
    let shifts = store.duty_shifts()?.len();
    let from = NaiveDate::from_ymd_opt(2030, 1, 7).ok_or("date")?;
    let to = from + chrono::Duration::days(6);

    let desk = Desk::launch_as(&db, "manager").await?;
    desk.select("lang-select", "zh-CN").await?;
    desk.click("open-incidents").await?;
    desk.until("the incidents", || async {
        desk.visible("view-incidents").await
    })
    .await?;
    desk.click("roster-edit").await?;
    desk.until("this week's grid", || async {
        Ok(desk.count("[data-testid='roster-cell']").await? == 7 * shifts)
    })
    .await?;
    desk.fill("roster-from", &from.to_string()).await?;
    desk.keys(ENTER).await?;
    desk.until("the week asked for", || async {
        Ok(desk
            .count(&format!("[data-testid='roster-cell'][data-day='{from}']"))
            .await?
            == shifts)
    })
    .await?;
    assert_eq!(
        desk.count("[data-testid='roster-cell'][data-gap='true']")
            .await?,
        7 * shifts,
        "an empty week is marked in every cell"
    );

    // Every shift but the last of the third day gets a leader, and 王 backs up the first.
    let last_gap = 2 * shifts + shifts - 1;
    for i in (0..7 * shifts).filter(|&i| i != last_gap) {
        desk.js(&choose(i, if i % 2 == 0 { li } else { wang }))
            .await?;
    }
    desk.select("roster-add-post", "leader").await?;
    desk.select("roster-add-user", &wang.to_string()).await?;
    desk.click("roster-add-backup").await?;
    desk.click("roster-add-submit").await?;
    desk.until("the backup in its cell", || async {
        Ok(desk
            .count("[data-testid='roster-entry'][data-backup='true']")
            .await?
            == 1)
    })
    .await?;
    assert_eq!(
        desk.count("[data-testid='roster-cell'][data-gap='true']")
            .await?,
        1
    );
    assert!(!desk.text("roster-state").await?.is_empty(), "unsaved");

    // The gap is refused by name; nothing is saved.
    desk.click("roster-save").await?;
    desk.until("the refusal", || async {
        desk.visible("roster-error").await
    })
    .await?;
    let refusal = desk.text("roster-error").await?;
    let gap_day = (from + chrono::Duration::days(2)).to_string();
    assert!(
        refusal.contains(&gap_day) && refusal.contains("值班长"),
        "{refusal}"
    );
    assert!(store.roster(from, to)?.assignments.is_empty());

    // Filled, it is saved whole.
    desk.js(&choose(last_gap, li)).await?;
    desk.click("roster-save").await?;
    desk.until("saved", || async {
        Ok(desk.text("roster-state").await?.is_empty() && !desk.visible("roster-error").await?)
    })
    .await?;
    let saved = store.roster(from, to)?.assignments;
    assert_eq!(saved.len(), 7 * shifts + 1);
    assert_eq!(saved.iter().filter(|a| a.assignment.backup).count(), 1);

    // The next week starts empty and is copied from this one; leaving it unsaved asks twice.
    desk.click("roster-next").await?;
    let next = from + chrono::Duration::days(7);
    desk.until("the next week", || async {
        Ok(desk
            .count(&format!("[data-testid='roster-cell'][data-day='{next}']"))
            .await?
            == shifts)
    })
    .await?;
    desk.click("roster-copy").await?;
    desk.until("copied", || async {
        Ok(desk
            .count("[data-testid='roster-cell'][data-gap='false']")
            .await?
            == 7 * shifts)
    })
    .await?;
    desk.click("roster-prev").await?;
    assert_eq!(
        desk.count(&format!("[data-testid='roster-cell'][data-day='{next}']"))
            .await?,
        shifts,
        "an unsaved copy is not left at the first click"
    );
    desk.click("roster-save").await?;
    desk.until("the copy saved", || async {
        Ok(desk.text("roster-state").await?.is_empty())
    })
    .await?;
    let copied = store
        .roster(next, next + chrono::Duration::days(6))?
        .assignments;
    assert_eq!(copied.len(), 7 * shifts + 1);
    assert!(copied
        .iter()
        .zip(&saved)
        .all(|(c, s)| c.assignment.user_id == s.assignment.user_id
            && c.assignment.day == s.assignment.day + chrono::Duration::days(7)));
    desk.close().await
}
