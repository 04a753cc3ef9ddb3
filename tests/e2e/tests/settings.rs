//! The settings screens through the real app: a holiday marked by hand, an iCalendar
//! holiday feed imported, an SLA policy, the reminder rules and a user's quiet hours.

use hotline_core::alarms::AlarmKind;
use hotline_core::calendar::{DayKind, Span};
use hotline_core::sla::Stage;
use hotline_core::{Store, SystemClock};
use hotline_e2e::{Desk, Result};
use std::sync::Arc;

const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//holidays//ZH\r\n\
BEGIN:VEVENT\r\nUID:a@test\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270104\r\nSUMMARY:元旦 休\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:b@test\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:20270207\r\nSUMMARY:春节调休 上班\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

async fn set_value(desk: &Desk, id: &str, value: &str) -> Result {
    desk.js(&format!(
        "const e = document.querySelector(\"[data-testid='{id}']\"); e.value = '{value}'; e.dispatchEvent(new Event('input', {{ bubbles: true }}));"
    ))
    .await?;
    Ok(())
}

/// Clicks a save button and waits for its own notice: one left over from an earlier
/// action (an import) must not count, or the store is read before this save commits.
async fn save(desk: &Desk, button: &str) -> Result {
    desk.js("document.querySelector(\"[data-testid='notice']\").hidden = true")
        .await?;
    desk.click(button).await?;
    desk.until("saved", || async { desk.visible("notice").await })
        .await?;
    desk.js("document.querySelector(\"[data-testid='notice']\").hidden = true")
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "end-to-end: the built app under Xvfb (make test runs it in its e2e stage)"]
async fn calendars_sla_rules_and_quiet_hours_from_the_settings() -> Result {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("settings.db");
    let store = Store::open(&db, Arc::new(SystemClock))?;
    let me = hotline_e2e::admin(&store)?.id;
    let desk = Desk::launch_as(&db, "admin").await?;
    desk.select("lang-select", "zh-CN").await?;
    desk.click("open-settings").await?;
    desk.until("SLA rows", || async {
        Ok(desk.count("[data-testid='sla-row']").await? >= 16)
    })
    .await?;

    // A day off by hand.
    set_value(&desk, "cal-date", "2026-12-31").await?;
    desk.select("cal-kind", "rest").await?;
    desk.fill("cal-note", "中心设备检修").await?;
    save(&desk, "cal-day-save").await?;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).ok_or("date")?;
    assert!(!store.calendar("office")?.is_working_day(day).value);
    desk.until("listed", || async {
        Ok(desk
            .count("[data-testid='cal-day'][data-date='2026-12-31']")
            .await?
            == 1)
    })
    .await?;

    // A holiday feed for a year not yet shipped.
    let ics = dir.path().join("2027.ics");
    std::fs::write(&ics, ICS)?;
    desk.by_testid("cal-ics")
        .await?
        .send_keys(&ics.display().to_string())
        .await?;
    desk.until("import result", || async {
        Ok(!desk.text("cal-import-result").await?.is_empty())
    })
    .await?;
    assert!(
        desk.text("cal-import-result").await?.contains('4'),
        "{}",
        desk.text("cal-import-result").await?
    );
    let office = store.calendar("office")?;
    assert_eq!(
        office
            .days
            .get(&chrono::NaiveDate::from_ymd_opt(2027, 2, 7).ok_or("date")?),
        Some(&DayKind::Work)
    );
    assert!(office.years.contains(&2027));

    // An SLA policy: consultations handled within 2 business hours.
    desk.select("sla-stage", "handle").await?;
    desk.select("sla-category", "1").await?;
    desk.select("sla-unit", "business_hours").await?;
    desk.fill("sla-amount", "2").await?;
    desk.select("sla-calendar", "office").await?;
    save(&desk, "sla-save").await?;
    let p = store.sla_policies()?;
    let p = p
        .iter()
        .find(|p| p.stage == Stage::Handle && p.category_id == Some(1) && p.severity.is_none())
        .ok_or("policy")?;
    assert_eq!(p.span, Span::BusinessHours(2));

    // Reminder rules and my quiet hours.
    desk.fill("rules-thresholds", "60,80").await?;
    desk.fill("rules-repeat", "2").await?;
    save(&desk, "rules-save").await?;
    assert_eq!(store.setting("reminder_thresholds")?, "60,80");
    assert_eq!(store.setting("repeat_hours")?, "2");
    desk.click("prefs-kind-callback").await?;
    set_value(&desk, "prefs-quiet-from", "22:00").await?;
    set_value(&desk, "prefs-quiet-to", "07:30").await?;
    save(&desk, "prefs-save").await?;
    let prefs = store.notification_prefs(me)?;
    assert_eq!(prefs.muted, [AlarmKind::Callback]);
    assert_eq!(prefs.quiet_to, chrono::NaiveTime::from_hms_opt(7, 30, 0));

    // Bad input: a threshold of 0 % is refused, translated, and nothing changes.
    desk.fill("rules-thresholds", "0,50").await?;
    desk.click("rules-save").await?;
    // Refused beside the form that caused it, in the user's language.
    desk.until("error", || async {
        Ok(desk
            .js("return document.querySelector(\"#rules-form + [data-testid='form-feedback']\")?.dataset.code || ''")
            .await?
            == "invalid_value")
    })
    .await?;
    assert_eq!(store.setting("reminder_thresholds")?, "60,80");
    desk.js("window.scrollTo(0, 0)").await?;
    desk.screenshot("settings").await?;
    desk.close().await
}
