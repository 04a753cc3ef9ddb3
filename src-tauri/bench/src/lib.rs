//! The benchmark behind `make bench`: the desk's operations on a big store, timed, each
//! beside the same work done by minimal hand-written SQL on a raw connection, with the
//! ratio. Figures, not pass/fail tests: the targets of the reference machine are printed
//! beside them. It reaches the store's internals (a raw connection with the store's
//! settings, the bulk search indexing) only through hotline-core's `bench-internals`
//! feature.

mod figures;
mod intake;
mod raw;

use figures::{bulk, create, detail_and_history, queues, reports, scheduler, search};
use hotline_core::model::Role;
use hotline_core::seed::{seed_with_progress, SeedOptions};
use hotline_core::{Clock, Result, Store, SystemClock};
use raw::Raw;
use rusqlite::Connection;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

pub struct BenchOptions {
    /// The SQLite store measured, or the seeded file moved into `postgres`.
    pub db: PathBuf,
    /// A PostgreSQL database (`postgres://…`) to measure instead: the seeded file is moved
    /// into it (`migrate-store`'s copy) when it holds no ticket yet.
    pub postgres: Option<String>,
    pub tickets: u64,
    /// Timed repetitions of each read.
    pub samples: usize,
    /// Tickets written by the bulk-import figure.
    pub bulk: usize,
    /// Knowledge articles beside the tickets (the suggestion's figure).
    pub articles: usize,
    /// Only these groups of figures (queues, detail, search, intake, reports,
    /// scheduler, writes); all when empty.
    pub only: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub name: String,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub raw_p50_ms: Option<f64>,
    pub raw_p99_ms: Option<f64>,
    /// Ours over raw SQL, at p50.
    pub ratio: Option<f64>,
    /// Throughput figures (tickets per second) instead of latencies.
    pub per_second: Option<f64>,
    pub raw_per_second: Option<f64>,
    pub target: String,
    pub met: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub tickets: i64,
    pub calls: i64,
    pub customers: i64,
    pub open_tickets: i64,
    pub pending_alarms: i64,
    pub db_bytes: u64,
    pub seeded_in_seconds: Option<f64>,
    /// The database measured and its version.
    pub database: String,
    pub cpus: usize,
    pub cpu: String,
    pub figures: Vec<Figure>,
}

pub(crate) fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Runs `f` `n` times (after one untimed warm-up) and returns the sorted milliseconds.
pub(crate) fn time(n: usize, mut f: impl FnMut(usize) -> Result<()>) -> Result<Vec<f64>> {
    f(0)?;
    let mut v = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        f(i + 1)?;
        v.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    v.sort_by(f64::total_cmp);
    Ok(v)
}

pub(crate) fn figure(
    name: &str,
    ours: &[f64],
    raw: Option<&[f64]>,
    target_ms: f64,
    at_p99: bool,
) -> Figure {
    let (p50, p99) = (pct(ours, 0.5), pct(ours, 0.99));
    let (r50, r99) = match raw {
        Some(r) => (Some(pct(r, 0.5)), Some(pct(r, 0.99))),
        None => (None, None),
    };
    let measured = if at_p99 { p99 } else { p50 };
    Figure {
        name: name.into(),
        p50_ms: p50,
        p99_ms: p99,
        raw_p50_ms: r50,
        raw_p99_ms: r99,
        ratio: r50.filter(|r| *r > 0.0).map(|r| p50 / r),
        per_second: None,
        raw_per_second: None,
        target: format!("{} < {target_ms} ms", if at_p99 { "p99" } else { "p50" }),
        met: measured < target_ms,
    }
}

fn machine() -> (usize, String) {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_default();
    (cpus, model)
}

/// Seeds the file when it does not hold `tickets` yet (two years, three calls per
/// ticket, a third as many callers); how long that took.
fn ensure_seeded(opts: &BenchOptions, progress: &mut impl FnMut(&str)) -> Result<Option<f64>> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = Store::open(&opts.db, clock.clone())?;
    let have: i64 = store.status_counts()?.values().sum();
    if have >= opts.tickets as i64 {
        return Ok(None);
    }
    drop(store);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", opts.db.display()));
    }
    let store = Store::open(&opts.db, clock)?;
    let t = Instant::now();
    let step = (opts.tickets / 20).max(1);
    seed_with_progress(
        &store,
        SeedOptions {
            tickets: opts.tickets,
            days: 730,
            seed: 42,
            extra_calls: 2,
        },
        |n| {
            if n % step < 20_000 {
                progress(&format!("seeded {n}/{}", opts.tickets));
            }
        },
    )?;
    Ok(Some(t.elapsed().as_secs_f64()))
}

/// Seeds the store when needed (on PostgreSQL: seeds the file, then moves it there),
/// then measures.
pub fn run(opts: &BenchOptions, mut progress: impl FnMut(&str)) -> Result<BenchReport> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut seeded_in = None;
    let (store, raw, lite, database, db_bytes): (
        Store,
        Box<dyn Raw>,
        Option<Connection>,
        String,
        u64,
    ) = match &opts.postgres {
        None => {
            seeded_in = ensure_seeded(opts, &mut progress)?;
            let lite = hotline_core::internals::open_raw(&opts.db)?;
            (
                Store::open(&opts.db, clock)?,
                Box::new(hotline_core::internals::open_raw(&opts.db)?),
                Some(lite),
                format!("SQLite {}", rusqlite::version()),
                std::fs::metadata(&opts.db).map_or(0, |m| m.len()),
            )
        }
        Some(url) => {
            let pg = raw::Pg::connect(url)?;
            let tables = pg.count("SELECT count(*) FROM pg_tables WHERE tablename = 'tickets'")?;
            if tables == 0 || pg.count("SELECT count(*) FROM tickets")? == 0 {
                seeded_in = ensure_seeded(opts, &mut progress)?;
                progress("moving the seeded file into PostgreSQL");
                let t = Instant::now();
                hotline_core::store::relocate(&opts.db, url, clock.clone())?;
                progress(&format!("moved in {:.0} s", t.elapsed().as_secs_f64()));
                pg.count("ANALYZE")?;
            }
            let version = pg.version()?;
            let bytes = pg.count("SELECT pg_database_size(current_database())")?;
            (
                Store::open_postgres(url, clock, 2)?,
                Box::new(pg),
                None,
                version,
                bytes.max(0) as u64,
            )
        }
    };
    let users = store.users()?;
    let by_role = |r: Role| users.iter().find(|u| u.role == r && u.active).map(|u| u.id);
    let agent = store.acting(by_role(Role::Agent).unwrap_or(1))?;
    let supervisor = store.acting(by_role(Role::Supervisor).unwrap_or(1))?;
    let n = opts.samples.max(10);
    let mut figures = Vec::new();
    let raw = raw.as_ref();

    let wanted = |g: &str| opts.only.is_empty() || opts.only.iter().any(|o| o == g);
    if wanted("queues") {
        progress("queues");
        figures.extend(queues(&agent, raw, n)?);
    }
    if wanted("detail") {
        progress("detail, history");
        figures.extend(detail_and_history(&agent, raw, n)?);
    }
    if wanted("search") {
        progress("search");
        figures.extend(search(&agent, raw, n)?);
    }
    // The knowledge base's and the import's raw twins use SQLite's own indexes and bulk
    // path: measured on the file only.
    if let (true, Some(lite)) = (wanted("intake"), &lite) {
        progress("intake");
        let admin = users
            .iter()
            .find(|u| u.role == Role::Admin)
            .cloned()
            .ok_or(hotline_core::Error::NoActingUser)?;
        intake::seed(&store, lite, &admin, opts.articles)?;
        figures.push(intake::suggest(&agent, lite, n, opts.articles)?);
        figures.push(intake::duplicates(&agent, lite, n)?);
    }
    if wanted("reports") {
        progress("reports");
        figures.extend(reports(&supervisor, raw)?);
    }
    if wanted("scheduler") {
        progress("scheduler");
        figures.push(scheduler(&store, raw, n)?);
    }
    if wanted("writes") {
        progress("writes");
        figures.push(create(&agent, raw, n)?);
        if let Some(lite) = &lite {
            figures.push(bulk(&store, lite, opts.bulk)?);
        }
    }

    let (cpus, cpu) = machine();
    Ok(BenchReport {
        tickets: raw.count("SELECT count(*) FROM tickets")?,
        calls: raw.count("SELECT count(*) FROM calls")?,
        customers: raw.count("SELECT count(*) FROM customers")?,
        open_tickets: raw
            .count("SELECT count(*) FROM tickets WHERE status NOT IN ('closed', 'archived')")?,
        pending_alarms: raw.count("SELECT count(*) FROM alarms WHERE fired_at IS NULL")?,
        db_bytes,
        seeded_in_seconds: seeded_in,
        database,
        cpus,
        cpu,
        figures,
    })
}

/// The report as a table for people.
pub fn table(r: &BenchReport) -> String {
    let mut s = format!(
        "{} tickets, {} calls, {} customers, {} open, {} pending alarms; {:.0} MB; {}; {} × {}\n\n",
        r.tickets,
        r.calls,
        r.customers,
        r.open_tickets,
        r.pending_alarms,
        r.db_bytes as f64 / 1e6,
        r.database,
        r.cpus,
        r.cpu
    );
    s += &format!(
        "{:<58} {:>9} {:>9} {:>9} {:>9} {:>6}  {}\n",
        "operation", "p50 ms", "p99 ms", "raw p50", "raw p99", "ratio", "target"
    );
    for f in &r.figures {
        let mark = if f.met { "✓" } else { "✗" };
        match f.per_second {
            Some(ps) => {
                s += &format!(
                    "{:<58} {:>19} {:>19} {:>6} {} {}\n",
                    f.name,
                    format!("{ps:.0}/s"),
                    format!("raw {:.0}/s", f.raw_per_second.unwrap_or(0.0)),
                    f.ratio.map(|x| format!("{x:.2}")).unwrap_or_default(),
                    f.target,
                    mark
                )
            }
            None => {
                s += &format!(
                    "{:<58} {:>9.2} {:>9.2} {:>9} {:>9} {:>6}  {} {}\n",
                    f.name,
                    f.p50_ms,
                    f.p99_ms,
                    f.raw_p50_ms.map(|x| format!("{x:.2}")).unwrap_or_default(),
                    f.raw_p99_ms.map(|x| format!("{x:.2}")).unwrap_or_default(),
                    f.ratio.map(|x| format!("{x:.2}")).unwrap_or_default(),
                    f.target,
                    mark
                )
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_bench_measures_every_figure() {
        let dir = tempfile::tempdir().expect("tmp");
        let r = run(
            &BenchOptions {
                db: dir.path().join("bench.db"),
                postgres: None,
                tickets: 3000,
                samples: 10,
                bulk: 500,
                articles: 300,
                only: vec![],
            },
            |_| {},
        )
        .expect("bench");
        assert!(r.tickets >= 3000 && r.calls > 6000, "{r:?}");
        for f in &r.figures {
            assert!(
                f.p50_ms > 0.0 || f.per_second.is_some_and(|p| p > 0.0),
                "{f:?}"
            );
            assert!(f.ratio.is_some_and(|x| x.is_finite() && x > 0.0), "{f:?}");
        }
        let names: Vec<&str> = r.figures.iter().map(|f| f.name.as_str()).collect();
        for want in [
            "queue all",
            "ticket detail",
            "customer history",
            "search, 2",
            "search, 3",
            "search, 6",
            "monthly report",
            "knowledge suggestion",
            "duplicate candidates",
            "scheduler",
            "create a ticket",
            "bulk import",
        ] {
            assert!(
                names.iter().any(|n| n.starts_with(want)),
                "{want} in {names:?}"
            );
        }
        assert!(table(&r).contains("ratio"));
        // A second run reuses the seeded store.
        let again = run(
            &BenchOptions {
                db: dir.path().join("bench.db"),
                postgres: None,
                tickets: 3000,
                samples: 10,
                bulk: 10,
                articles: 300,
                only: vec!["queues".into()],
            },
            |_| {},
        )
        .expect("again");
        assert!(again.seeded_in_seconds.is_none());
        assert!(again.figures.iter().all(|f| f.name.starts_with("queue")));
    }

    #[test]
    fn a_small_bench_on_postgresql_moves_the_seeded_file_there_and_measures_beside_raw_sql() {
        let cluster = hotline_pgcluster::Cluster::start().expect("cluster");
        let url = cluster.create_database("bench", "C.UTF-8").expect("db");
        let dir = tempfile::tempdir().expect("tmp");
        let opts = |only: Vec<String>| BenchOptions {
            db: dir.path().join("bench.db"),
            postgres: Some(url.clone()),
            tickets: 2000,
            samples: 10,
            bulk: 100,
            articles: 100,
            only,
        };
        let r = run(&opts(vec![]), |_| {}).expect("bench");
        assert!(r.database.starts_with("PostgreSQL"), "{}", r.database);
        assert!(r.tickets >= 2000 && r.calls > 4000, "{r:?}");
        let names: Vec<&str> = r.figures.iter().map(|f| f.name.as_str()).collect();
        for want in [
            "queue all",
            "ticket detail",
            "customer history",
            "search, 2",
            "search, 6",
            "monthly report",
            "scheduler",
            "create a ticket",
        ] {
            assert!(
                names.iter().any(|n| n.starts_with(want)),
                "{want} in {names:?}"
            );
        }
        for f in &r.figures {
            assert!(f.ratio.is_some_and(|x| x.is_finite() && x > 0.0), "{f:?}");
        }
        // The knowledge base's and the import's raw twins are SQLite's own.
        assert!(!names.iter().any(|n| n.starts_with("bulk import")));
        // Moved once: a second run measures what is there.
        let again = run(&opts(vec!["queues".into()]), |_| {}).expect("again");
        assert!(again.seeded_in_seconds.is_none());
        assert_eq!(again.tickets, r.tickets);
    }
}
