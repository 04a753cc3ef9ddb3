//! The reporting window on seeded data: opened from the desk, its KPI figures equal the
//! `hotline report --month … --json` document, and the charts drew — the complaints'
//! root-cause Pareto among them.

use hotline_core::seed::{seed, SeedOptions};
use hotline_core::{Store, SystemClock};
use hotline_e2e::{Desk, Result};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "end-to-end: the built app under Xvfb (make test runs it in its e2e stage)"]
async fn the_reporting_window_shows_the_same_figures_as_the_cli() -> Result {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("reports.db");
    let store = Store::open(&db, Arc::new(SystemClock))?;
    seed(
        &store,
        SeedOptions {
            tickets: 20_000,
            days: 90,
            seed: 5,
            extra_calls: 0,
        },
    )?;
    let month = store
        .now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m")
        .to_string();

    // The CLI's document for the month, from the real binary.
    let cli = std::env::current_exe()?
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("hotline"))
        .ok_or("target dir")?;
    let out = std::process::Command::new(&cli)
        .arg("--db")
        .arg(&db)
        .args(["--json", "report", "--month", &month])
        .output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)?;

    hotline_e2e::admin(&store)?;
    let desk = Desk::launch_as(&db, "admin").await?;
    let main = desk.client.window().await?;
    desk.click("open-reports").await?;
    let mut reports = None;
    for _ in 0..100 {
        let windows = desk.client.windows().await?;
        if let Some(w) = windows.into_iter().find(|w| *w != main) {
            reports = Some(w);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    desk.client
        .switch_to_window(reports.ok_or("the reporting window did not open")?)
        .await?;
    desk.wait_for("body[data-ready='true']").await?;
    assert_eq!(
        desk.js("return document.body.dataset.period").await?,
        doc["period"]
    );

    let kpis = doc["report"]["kpis"].as_array().ok_or("kpis")?;
    assert!(kpis.len() >= 10);
    for k in kpis {
        let key = k["key"].as_str().ok_or("key")?;
        let shown = desk
            .js(&format!("const e = document.querySelector(\"[data-testid='kpi-{key}']\"); return e ? [Number(e.dataset.numerator), Number(e.dataset.denominator)] : null;"))
            .await?;
        assert_eq!(
            shown,
            serde_json::json!([k["numerator"], k["denominator"]]),
            "{key}"
        );
        let value = desk.text(&format!("kpi-value-{key}")).await?;
        assert_eq!(
            value,
            hotline_core::report::percent_text(k["value"].as_f64()),
            "{key}"
        );
    }
    // Every chart drew something: a canvas with non-transparent pixels.
    for id in [
        "chart-volume",
        "chart-categories",
        "chart-satisfaction",
        "chart-departments",
    ] {
        let drawn = desk
            .js(&format!(
                "const c = document.querySelector(\"[data-testid='{id}']\"); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; \
                 let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n;"
            ))
            .await?;
        assert!(drawn.as_u64().unwrap_or(0) > 500, "{id} is blank");
    }
    // The complaints: the root causes' Pareto drew, biggest first as the document has it,
    // and the repeat rate shows the document's numerator and denominator.
    let causes = &doc["complaints"]["by_cause"];
    assert!(causes.as_array().is_some_and(|c| c.len() >= 3), "{causes}");
    let drawn = desk
        .js("const c = document.querySelector(\"[data-testid='chart-complaint-causes']\"); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; \
             let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return [n, c.dataset.causes];")
        .await?;
    assert!(drawn[0].as_u64().unwrap_or(0) > 500, "the Pareto is blank");
    let keys: Vec<&str> = causes
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["key"].as_str())
        .collect();
    assert_eq!(drawn[1], keys.join(","));
    let repeat = &doc["complaints"]["repeat"];
    let shown = desk
        .js("const e = document.querySelector(\"[data-testid='complaint-repeat']\"); return [Number(e.dataset.numerator), Number(e.dataset.denominator)];")
        .await?;
    assert_eq!(
        shown,
        serde_json::json!([repeat["numerator"], repeat["denominator"]])
    );
    // The month is still running: its changes are neither good nor bad news yet.
    assert!(desk
        .js("return document.body.dataset.running")
        .await?
        .as_str()
        .is_some_and(|r| !r.is_empty()));
    assert_eq!(
        desk.js("return (() => { const c = [...document.querySelectorAll(\"[data-testid^='kpi-change-']\")]; return c.length > 0 && c.every((p) => p.className === 'neutral'); })()").await?,
        true
    );
    // Satisfaction levels keep their colours whatever order the data comes in.
    let colours = desk
        .js("const c = document.querySelector(\"[data-testid='chart-satisfaction']\"); const levels = c.dataset.levels.split(','); const bg = Chart.getChart(c).data.datasets[0].backgroundColor; return Object.fromEntries(levels.map((l, i) => [l, bg[i]]));")
        .await?;
    assert_eq!(colours["very_satisfied"], "#1a7f37", "{colours}");
    assert_eq!(colours["unsatisfied"], "#cf222e", "{colours}");
    let ranked = desk
        .count("[data-testid='assess-departments'] [data-testid='assess-row']")
        .await?;
    assert_eq!(
        ranked,
        doc["assessment"]["departments"]
            .as_array()
            .map_or(0, Vec::len)
    );
    // Repeated requests with their formula's parts, as the document counts them.
    let share = &doc["dispatch"]["repeat_share"];
    assert_eq!(
        desk.attr("repeat-share", "data-denominator").await?,
        share["denominator"].as_i64().map(|n| n.to_string())
    );
    // Exports land in the Downloads folder: a workbook and a CSV with a BOM.
    let mut last = None;
    for (format, magic) in [("xlsx", &b"PK"[..]), ("csv", &b"\xEF\xBB\xBF"[..])] {
        desk.js("document.querySelector(\"[data-testid='export-result']\").hidden = true")
            .await?;
        desk.click(&format!("export-{format}")).await?;
        desk.until("exported", || async { desk.visible("export-result").await })
            .await?;
        let path = desk
            .js("return document.querySelector(\"[data-testid='export-result']\").dataset.path")
            .await?;
        let bytes = std::fs::read(path.as_str().ok_or("path")?)?;
        assert!(bytes.starts_with(magic), "{format}");
        last = path.as_str().map(std::path::PathBuf::from);
    }
    // The same file again: refused, the file untouched, until a second click confirms.
    let csv = last.ok_or("csv path")?;
    std::fs::write(&csv, "mine")?;
    desk.js("document.querySelector(\"[data-testid='export-result']\").hidden = true")
        .await?;
    desk.click("export-csv").await?;
    let code = "return document.querySelector(\"[data-testid='error']\").dataset.code ?? ''";
    desk.until("asked to replace", || async {
        Ok(desk.js(code).await? == "file_exists")
    })
    .await?;
    assert_eq!(std::fs::read(&csv)?, b"mine");
    desk.click("export-csv").await?;
    desk.until("replaced", || async { desk.visible("export-result").await })
        .await?;
    assert!(std::fs::read(&csv)?.starts_with(b"\xEF\xBB\xBF"));
    // Printed: a PDF of the report beside the exports, its text the report's.
    desk.click("print-report").await?;
    desk.until("printed", || async {
        Ok(desk
            .count("[data-testid='export-result'] [data-testid='pdf-path']")
            .await?
            == 1)
    })
    .await?;
    let pdf = desk
        .js("return document.querySelector(\"[data-testid='pdf-path']\").dataset.path")
        .await?;
    let text = hotline_e2e::pdf_text(std::path::Path::new(pdf.as_str().ok_or("pdf path")?))?;
    // The period's first day (the dash between its days prints as another dash).
    let period: String = doc["period"]
        .as_str()
        .ok_or("period")?
        .chars()
        .take(10)
        .collect();
    let name = desk
        .js("return document.querySelector(\"[data-testid='kpi-on_time_handling'] h3\").innerText")
        .await?;
    let name: String = name
        .as_str()
        .unwrap_or("?")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(
        text.contains(&period) && text.contains(&name),
        "{name} in {text}"
    );
    // The tickets behind a figure: the drill-down lists as many as the denominator counts.
    desk.click("drill-on_time_handling").await?;
    desk.until("drill", || async { desk.visible("drill").await })
        .await?;
    desk.click("drill-switch").await?;
    let due = kpis
        .iter()
        .find(|k| k["key"] == "on_time_handling")
        .and_then(|k| k["denominator"].as_u64())
        .ok_or("kpi")?;
    desk.until("drill rows", || async {
        Ok(desk.count("[data-testid='drill-row']").await? as u64 == due.min(500))
    })
    .await?;
    // The calls behind the answer rate.
    desk.click("drill-answer_rate").await?;
    let answered = kpis
        .iter()
        .find(|k| k["key"] == "answer_rate")
        .and_then(|k| k["numerator"].as_u64())
        .ok_or("kpi")?;
    desk.until("calls", || async {
        Ok(desk
            .js("return document.querySelector('#drill').dataset.kind")
            .await?
            == "calls"
            && desk.count("[data-testid='drill-row']").await? as u64 == answered.min(500))
    })
    .await?;
    desk.js("window.scrollTo(0, 0)").await?;
    desk.screenshot("reports").await?;
    // Another period: the week, compared with the week before.
    desk.select("report-kind", "week").await?;
    desk.click("report-run").await?;
    desk.until("week", || async {
        Ok(desk
            .js("return document.body.dataset.period")
            .await?
            .as_str()
            .is_some_and(|p| p.contains(" – ")))
    })
    .await?;

    // Last month is complete: a rise of the re-dispatch rate is bad news, of satisfaction good.
    let last_month = (store.now().with_timezone(&chrono_tz::Asia::Shanghai)
        - chrono::Duration::days(31))
    .format("%Y-%m-15")
    .to_string();
    desk.select("report-kind", "month").await?;
    desk.fill("report-anchor", &last_month).await?;
    desk.click("report-run").await?;
    desk.until("last month", || async {
        Ok(desk.js("return document.body.dataset.running").await? == "")
    })
    .await?;
    for key in ["redispatch", "satisfaction"] {
        let (class, text) = match desk
            .js(&format!("const p = document.querySelector(\"[data-testid='kpi-change-{key}']\"); return p ? [p.className, p.innerText] : null;"))
            .await?
        {
            serde_json::Value::Array(v) if v.len() == 2 => (v[0].clone(), v[1].clone()),
            other => return Err(format!("no change shown for {key}: {other}").into()),
        };
        let rose = text.as_str().unwrap_or("").contains('+');
        let want = match (key, rose) {
            ("redispatch", true) | ("satisfaction", false) => "down",
            _ => "up",
        };
        let t = text.as_str().unwrap_or("");
        if !t.contains("+0.0") && !t.contains("-0.0") {
            assert_eq!(class, want, "{key}: {text}");
        }
    }

    desk.client.switch_to_window(main).await?;
    desk.close().await
}
