//! Start-up time and memory of the real app on a big store. Not part of `make test`
//! (`#[ignore]`): `scripts/measure-app.sh` runs it on the release build and the
//! benchmark's million-ticket store, and prints the figures for the README.
//!
//! Start-up runs from the app process's start (the kernel's, in /proc) to the page's own
//! User Timing marks (`hotline:gate` at the sign-in form, `hotline:ready` at the first
//! queue), not to when WebDriver, polling, notices them. Memory is PSS summed over the
//! app and every process it started (WebKit's web and network processes).

use hotline_core::{Store, SystemClock};
use hotline_e2e::{Desk, Result, PASSWORD};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch at which process `pid` started.
fn started_at(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let ticks: f64 = after.split_whitespace().nth(19)?.parse().ok()?;
    let boot: f64 = std::fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find(|l| l.starts_with("btime"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(boot + ticks / 100.0)
}

fn now_epoch() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// When the page last set User Timing mark `name`, in seconds since the epoch.
async fn mark(desk: &Desk, name: &str) -> Result<f64> {
    let at = desk
        .js(&format!(
            "const m = performance.getEntriesByName('{name}');
             return m.length ? (performance.timeOrigin + m[m.length - 1].startTime) / 1000 : null;"
        ))
        .await?;
    Ok(at.as_f64().ok_or(format!("the page set no mark {name}"))?)
}

fn ppid(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat[stat.rfind(')')? + 2..]
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The app (the newest process running `bin`) and all its descendants.
fn app_tree(bin: &Path) -> Vec<u32> {
    let all: Vec<u32> = std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let Some(root) = all
        .iter()
        .copied()
        .filter(|p| std::fs::read_link(format!("/proc/{p}/exe")).is_ok_and(|e| e == bin))
        .max_by(|a, b| {
            started_at(*a)
                .unwrap_or(0.0)
                .total_cmp(&started_at(*b).unwrap_or(0.0))
        })
    else {
        return vec![];
    };
    let mut tree = vec![root];
    loop {
        let more: Vec<u32> = all
            .iter()
            .copied()
            .filter(|p| !tree.contains(p) && ppid(*p).is_some_and(|pp| tree.contains(&pp)))
            .collect();
        if more.is_empty() {
            break tree;
        }
        tree.extend(more);
    }
}

/// Each process's name and PSS in MB: where the memory is.
fn by_process(pids: &[u32]) -> Vec<(String, f64)> {
    pids.iter()
        .map(|p| {
            let name = std::fs::read_to_string(format!("/proc/{p}/comm"))
                .map(|s| s.trim().to_string())
                .unwrap_or_default();
            (name, memory(&[*p]).0)
        })
        .collect()
}

/// (PSS, RSS) in MB summed over the processes.
fn memory(pids: &[u32]) -> (f64, f64) {
    let mut pss = 0.0;
    let mut rss = 0.0;
    for p in pids {
        let Ok(t) = std::fs::read_to_string(format!("/proc/{p}/smaps_rollup")) else {
            continue;
        };
        for l in t.lines() {
            let kb = |l: &str| -> f64 {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0.0)
            };
            if l.starts_with("Pss:") {
                pss += kb(l) / 1024.0;
            } else if l.starts_with("Rss:") {
                rss += kb(l) / 1024.0;
            }
        }
    }
    (pss, rss)
}

fn bin() -> PathBuf {
    hotline_e2e::app_binary()
        .canonicalize()
        .unwrap_or_else(|_| hotline_e2e::app_binary())
}

struct Run {
    /// PSS and process count once the reporting window is closed again.
    after_reports: Option<(f64, usize)>,
    per_process: Vec<(String, f64)>,
    to_gate: f64,
    login_to_queue: f64,
    pss: f64,
    rss: f64,
    processes: usize,
}

async fn start_and_browse(db: &Path, browse: bool) -> Result<Run> {
    let desk = Desk::launch(db).await?;
    let tree = app_tree(&bin());
    let root = *tree.first().ok_or("the app process was not found")?;
    let to_gate = mark(&desk, "hotline:gate").await? - started_at(root).ok_or("no start time")?;
    desk.fill("login-name", "admin").await?;
    desk.fill("login-password", PASSWORD).await?;
    let clicked = now_epoch();
    desk.click("login-submit").await?;
    desk.wait_for("body[data-ready='true']:not([data-gate])")
        .await?;
    let login_to_queue = mark(&desk, "hotline:ready").await? - clicked;
    let mut main_window = None;
    if browse {
        for q in [
            "in_progress",
            "overdue",
            "awaiting_callback",
            "closed",
            "all",
        ] {
            desk.click(&format!("queue-{q}")).await?;
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        for word in ["停电", "下水道", "公交车司机在"] {
            desk.fill("search", word).await?;
            desk.by_testid("search")
                .await?
                .send_keys("\u{E007}")
                .await?;
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        desk.js("document.querySelector(\"[data-testid='open-ticket']\").click()")
            .await?;
        desk.until("detail", || async { desk.visible("view-detail").await })
            .await?;
        let main = desk.client.window().await?;
        main_window = Some(main.clone());
        desk.click("open-reports").await?;
        let mut reports = None;
        for _ in 0..100 {
            if let Some(w) = desk
                .client
                .windows()
                .await?
                .into_iter()
                .find(|w| *w != main)
            {
                reports = Some(w);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        desk.client
            .switch_to_window(reports.ok_or("no reporting window")?)
            .await?;
        desk.until_for("report", Duration::from_secs(60), || async {
            Ok(desk.count("body[data-ready='true']").await? == 1)
        })
        .await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let tree = app_tree(&bin());
    let (pss, rss) = memory(&tree);
    let per_process = by_process(&tree);
    // What closing the reporting window gives back (it shares the desk's web process).
    let mut after_reports = None;
    if browse {
        desk.client.close_window().await?;
        desk.client
            .switch_to_window(main_window.ok_or("no main window")?)
            .await?;
        tokio::time::sleep(Duration::from_secs(3)).await;
        let tree = app_tree(&bin());
        after_reports = Some((memory(&tree).0, tree.len()));
    }
    let run = Run {
        after_reports,
        per_process,
        to_gate,
        login_to_queue,
        pss,
        rss,
        processes: tree.len(),
    };
    desk.close().await?;
    Ok(run)
}

fn ready(db: &Path) -> Result {
    let store = Store::open(db, Arc::new(SystemClock))?;
    let admin = hotline_e2e::admin(&store)?;
    store.set_password(&admin, admin.id, "admin", PASSWORD)?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "run by scripts/measure-app.sh on the release build"]
async fn start_up_and_memory_on_a_big_store() -> Result {
    let big =
        PathBuf::from(std::env::var("HOTLINE_MEASURE_DB").map_err(|_| "set HOTLINE_MEASURE_DB")?);
    let dir = tempfile::tempdir()?;
    let empty = dir.path().join("empty.db");
    ready(&big)?;
    ready(&empty)?;
    let tickets: i64 = Store::open(&big, Arc::new(SystemClock))?
        .status_counts()?
        .values()
        .sum();
    // The same app on an empty file is the baseline: what the window costs by itself.
    let base = start_and_browse(&empty, false).await?;
    let mut runs = Vec::new();
    for _ in 0..3 {
        runs.push(start_and_browse(&big, false).await?);
    }
    let browsed = start_and_browse(&big, true).await?;
    let median = |f: fn(&Run) -> f64| {
        let mut v: Vec<f64> = runs.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let out = json!({
        "tickets": tickets,
        "binary": bin(),
        "baseline_empty_store": {
            "exec_to_sign_in_s": base.to_gate, "sign_in_to_queue_s": base.login_to_queue,
            "pss_mb": base.pss, "rss_mb": base.rss, "processes": base.processes,
            "pss_mb_by_process": base.per_process,
        },
        "big_store_median_of_3": {
            "exec_to_sign_in_s": median(|r| r.to_gate),
            "sign_in_to_queue_s": median(|r| r.login_to_queue),
            "exec_to_queue_s": median(|r| r.to_gate + r.login_to_queue),
            "pss_mb_at_first_queue": median(|r| r.pss),
        },
        "after_browsing_queues_search_detail_reports": {
            "pss_mb": browsed.pss, "rss_mb": browsed.rss, "processes": browsed.processes,
            "pss_mb_by_process": browsed.per_process,
        },
        "after_closing_the_reporting_window": browsed.after_reports.map(|(pss, n)| json!({ "pss_mb": pss, "processes": n })),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    std::fs::write(
        hotline_e2e::artifacts().join("measure.json"),
        serde_json::to_string_pretty(&out)?,
    )?;
    Ok(())
}
