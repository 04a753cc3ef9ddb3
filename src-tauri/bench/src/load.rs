//! `hotline-load [--seats 50,150,300] [--seconds 120] [--tickets N] [--store postgres://…
//! --instances 2]`: simulated seats of a shift against the real centre server (child
//! processes, over TLS on loopback; on PostgreSQL several instances, the seats spread over
//! them, each seat's events coming through its own instance) — sign-in,
//! intake, the queue every 10 s, ticket details, actions, search, the monthly report — each
//! seat also following the event stream. Prints p50/p99 per operation, event fan-out
//! (request sent → the change received by every seat that follows the stream), errors, the
//! server's memory and CPU per change, beside the same operations in-process.

use clap::Parser;
use hotline_client::Client;
use hotline_core::model::Role;
use hotline_core::{Store, SystemClock};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(
    name = "hotline-load",
    about = "Simulated seats against the centre server"
)]
struct Args {
    /// Seat counts to run, one after another
    #[arg(long, default_value = "50,150,300", value_delimiter = ',')]
    seats: Vec<usize>,
    /// Seconds of shift per seat count
    #[arg(long, default_value_t = 120)]
    seconds: u64,
    /// Tickets in the store (seeded once into the cache directory)
    #[arg(long, default_value_t = 1_000_000)]
    tickets: u64,
    /// The centre on PostgreSQL (`postgres://…`) instead of a copy of the file: the seeded
    /// file is moved there once
    #[arg(long)]
    store: Option<String>,
    /// Server instances (PostgreSQL only: a file is served by one)
    #[arg(long, default_value_t = 1)]
    instances: usize,
    /// Internal: serve the config file (the server's child process)
    #[arg(long, hide = true)]
    serve: Option<PathBuf>,
}

const PASS: &str = "load-pass-1234";

type Times = Arc<Mutex<BTreeMap<&'static str, Vec<f64>>>>;

fn note(t: &Times, op: &'static str, ms: f64) {
    t.lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(op)
        .or_default()
        .push(ms);
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

/// A small deterministic generator for think times (no shared state between seats).
struct Jitter(u64);
impl Jitter {
    fn next(&mut self, max_ms: u64) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        Duration::from_millis(self.0 % max_ms.max(1))
    }
}

fn main() {
    let a = Args::parse();
    if let Some(config) = a.serve {
        let served = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .max_blocking_threads(16)
            .build()
            .map_err(hotline_core::Error::Io)
            .and_then(|rt| {
                let c = hotline_server::config::Config::load(&config)?;
                rt.block_on(hotline_server::serve(c))
            });
        if let Err(e) = served {
            eprintln!("hotline-load: server: {e}");
            std::process::exit(1);
        }
        return;
    }
    let base = dirs::cache_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("hotline-bench")
        .join(format!("bench-{}.db", a.tickets));
    if let Err(e) = seed(&base, a.tickets) {
        eprintln!("hotline-load: {e}");
        std::process::exit(1);
    }
    let centre = match &a.store {
        Some(url) => match to_postgres(&base, url) {
            Ok(()) => Centre::Pg(url.clone()),
            Err(e) => {
                eprintln!("hotline-load: {e}");
                std::process::exit(1);
            }
        },
        None => Centre::File(base.clone()),
    };
    let instances = if matches!(centre, Centre::Pg(_)) {
        a.instances.max(1)
    } else {
        1
    };
    println!("store: {} tickets ({})", a.tickets, centre.shown());
    in_process(&centre);
    for seats in a.seats {
        if let Err(e) = run(&centre, seats, a.seconds, instances) {
            eprintln!("hotline-load: {e}");
            std::process::exit(1);
        }
    }
}

fn seed(base: &Path, tickets: u64) -> hotline_core::Result<()> {
    {
        let store = Store::open(base, Arc::new(SystemClock))?;
        if store.status_counts()?.values().sum::<i64>() < tickets as i64 {
            eprintln!("… seeding {tickets} tickets (once)");
            hotline_core::seed::seed(
                &store,
                hotline_core::seed::SeedOptions {
                    tickets,
                    days: 730,
                    seed: 42,
                    extra_calls: 2,
                },
            )?;
        }
    }
    // Everything into the main file: each run copies that file alone.
    let c = rusqlite::Connection::open(base)?;
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

/// The centre measured: a copy of the seeded file per run, or a PostgreSQL database.
enum Centre {
    File(PathBuf),
    Pg(String),
}

impl Centre {
    fn shown(&self) -> String {
        match self {
            Centre::File(p) => p.display().to_string(),
            Centre::Pg(url) => url.split('@').next_back().unwrap_or_default().to_string(),
        }
    }

    /// The store to work on (for a file, a fresh copy in `dir`) and the server config's
    /// line naming it.
    fn open(&self, dir: &Path) -> hotline_core::Result<(Store, String)> {
        match self {
            Centre::File(base) => {
                let db = dir.join("hotline.db");
                std::fs::copy(base, &db)?;
                Ok((Store::open(&db, Arc::new(SystemClock))?, String::new()))
            }
            Centre::Pg(url) => Ok((
                Store::open_postgres(url, Arc::new(SystemClock), 2)?,
                format!("store = \"{url}\"\n"),
            )),
        }
    }

    /// The store a run's servers wrote to (`dir`: the run's, for a file), opened again.
    fn reopen(&self, dir: &Path) -> hotline_core::Result<Store> {
        match self {
            Centre::File(_) => Store::open(dir.join("hotline.db"), Arc::new(SystemClock)),
            Centre::Pg(url) => Store::open_postgres(url, Arc::new(SystemClock), 1),
        }
    }
}

/// Moves the seeded file into the PostgreSQL database unless it holds tickets already.
fn to_postgres(base: &Path, url: &str) -> hotline_core::Result<()> {
    let store = Store::open_postgres(url, Arc::new(SystemClock), 1)?;
    if store.status_counts()?.values().sum::<i64>() > 0 {
        return Ok(());
    }
    drop(store);
    eprintln!("… moving the seeded file into PostgreSQL (once)");
    hotline_core::store::relocate(base, url, Arc::new(SystemClock))?;
    Ok(())
}

/// The same operations on the store directly, one seat, for comparison.
fn in_process(centre: &Centre) {
    let dir = tempfile::tempdir().expect("tmp");
    let (store, _) = centre.open(dir.path()).expect("store");
    let users = store.users().expect("users");
    let agent = users
        .iter()
        .find(|u| u.role == Role::Agent)
        .map_or(1, |u| u.id);
    let a = store.acting(agent).expect("acting");
    let times: Times = Arc::default();
    let mut id = 0;
    for i in 0..100 {
        let t = Instant::now();
        a.queue_counts().expect("counts");
        note(&times, "queue counts", t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let page = a
            .list(&serde_json::from_value(json!({ "limit": 50 })).expect("q"))
            .expect("page");
        note(&times, "queue page", t.elapsed().as_secs_f64() * 1e3);
        id = page
            .rows
            .get(i % page.rows.len().max(1))
            .map_or(id, |r| r.id);
        let t = Instant::now();
        let _ = a.detail(id);
        note(&times, "detail", t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let _ =
            a.list(&serde_json::from_value(json!({ "search": "路灯", "limit": 50 })).expect("q"));
        note(&times, "search", t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let ticket = serde_json::from_value(json!({ "caller_name": "压测", "phone": "13800000000", "description": "路灯不亮", "category": "help_request" })).expect("t");
        a.intake(&ticket, None).expect("intake");
        note(&times, "intake", t.elapsed().as_secs_f64() * 1e3);
    }
    println!("\nin-process (one seat, same store):");
    print_times(&times);
}

fn print_times(t: &Times) {
    let mut t = t.lock().unwrap_or_else(|p| p.into_inner());
    println!(
        "  {:<16} {:>7} {:>9} {:>9}",
        "operation", "n", "p50 ms", "p99 ms"
    );
    for (op, v) in t.iter_mut() {
        let n = v.len();
        println!(
            "  {op:<16} {n:>7} {:>9.1} {:>9.1}",
            pct(v, 0.5),
            pct(v, 0.99)
        );
    }
}

/// (resident KiB, CPU seconds) of a process.
fn usage(pid: u32) -> (u64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (rss, (ticks(11) + ticks(12)) / 100.0)
}

fn run(centre: &Centre, seats: usize, seconds: u64, instances: usize) -> hotline_core::Result<()> {
    let dir = tempfile::tempdir()?;
    let (store, store_line) = centre.open(dir.path())?;
    // Sign-in names of this run (a PostgreSQL centre keeps the last run's).
    let run_id = chrono::Utc::now().format("%H%M%S");
    // The seats' accounts: 70 % agents, 25 % handlers across the departments, supervisors.
    let logins = {
        let admin = store.first_admin()?;
        let depts: Vec<i64> = store
            .departments()?
            .iter()
            .filter(|d| d.id != 1)
            .map(|d| d.id)
            .collect();
        let mut logins = vec![];
        for i in 0..seats {
            let (role, dept) = match i % 20 {
                0 => (Role::Supervisor, 1),
                1..=5 => (Role::Handler, depts[i % depts.len().max(1)]),
                _ => (Role::Agent, 1),
            };
            let u = store.create_user(None, &format!("座席{i}"), dept, role)?;
            let login = format!("seat{run_id}-{i}");
            store.set_password(&admin, u.id, &login, PASS)?;
            logins.push((login, role));
        }
        logins
    };
    drop(store);
    let mut children = vec![];
    let mut servers = vec![];
    for i in 0..instances {
        let home = dir.path().join(format!("instance-{i}"));
        std::fs::create_dir_all(&home)?;
        let config = home.join("server.toml");
        // On a file the store lives in data_dir; on PostgreSQL data_dir keeps the
        // instance's certificate only.
        let data_dir = if store_line.is_empty() {
            dir.path()
        } else {
            home.as_path()
        };
        std::fs::write(
            &config,
            format!(
                "listen = \"127.0.0.1:0\"\ndata_dir = \"{}\"\n{store_line}",
                data_dir.display()
            ),
        )?;
        let mut child = std::process::Command::new(std::env::current_exe()?)
            // As the packaged systemd unit runs it.
            .env("MALLOC_ARENA_MAX", "2")
            .arg("--serve")
            .arg(&config)
            .stdout(std::process::Stdio::piped())
            .spawn()?;
        let mut out = std::io::BufReader::new(
            child
                .stdout
                .take()
                .ok_or(hotline_core::Error::Internal("stdout".into()))?,
        );
        let (mut l1, mut l2) = (String::new(), String::new());
        out.read_line(&mut l1)?;
        out.read_line(&mut l2)?;
        servers.push((
            l1.trim().trim_start_matches("listening on ").to_string(),
            l2.trim()
                .trim_start_matches("certificate fingerprint ")
                .to_string(),
        ));
        children.push(child);
    }
    let pids: Vec<u32> = children.iter().map(|c| c.id()).collect();
    let rt = tokio::runtime::Runtime::new()?;
    let acknowledged = rt.block_on(shift(servers, logins, seconds, pids));
    // The servers are killed, as a crash would end them: what they acknowledged is in the
    // database all the same.
    for mut c in children {
        let _ = c.kill();
        let _ = c.wait();
    }
    verify(&centre.reopen(dir.path())?, &acknowledged?)
}

/// Every write a seat was told succeeded, read back from the store after the servers
/// died: the ticket, at least at the version the reply gave.
fn verify(store: &Store, acknowledged: &[(i64, i64)]) -> hotline_core::Result<()> {
    let lost: Vec<&(i64, i64)> = acknowledged
        .iter()
        .filter(|(id, version)| store.ticket(*id).map_or(true, |t| t.version < *version))
        .collect();
    println!(
        "  acknowledged writes: {} read back after the servers were killed, {} missing",
        acknowledged.len() - lost.len(),
        lost.len()
    );
    if lost.is_empty() {
        Ok(())
    } else {
        Err(hotline_core::Error::Internal(format!(
            "acknowledged writes lost (ticket, version): {lost:?}"
        )))
    }
}

/// Memory and CPU summed over the server instances.
fn usage_all(pids: &[u32]) -> (u64, f64) {
    pids.iter()
        .map(|p| usage(*p))
        .fold((0, 0.0), |(r, c), (r1, c1)| (r + r1, c + c1))
}

async fn shift(
    servers: Vec<(String, String)>,
    logins: Vec<(String, Role)>,
    seconds: u64,
    pids: Vec<u32>,
) -> hotline_core::Result<Vec<(i64, i64)>> {
    let seats = logins.len();
    let times: Times = Arc::default();
    let errors = Arc::new(Mutex::new(BTreeMap::<String, u64>::new()));
    let sent: Arc<Mutex<HashMap<i64, Instant>>> = Arc::default();
    let fanout: Arc<Mutex<Vec<f64>>> = Arc::default();
    // (ticket, version) of every write a seat was told succeeded.
    let writes: Arc<Mutex<Vec<(i64, i64)>>> = Arc::default();

    // A shift change: every seat signs in at once.
    let t = Instant::now();
    let mut signing = vec![];
    for (i, (login, role)) in logins.into_iter().enumerate() {
        // Seats spread over the instances, as a load balancer would.
        let (address, pin) = servers[i % servers.len()].clone();
        let times = times.clone();
        signing.push(tokio::spawn(async move {
            let c = Client::new(&address, Some(&pin), &format!("load-{login}")).ok()?;
            let s = Instant::now();
            let v = c.login(&login, PASS).await.ok()?;
            note(&times, "sign-in", s.elapsed().as_secs_f64() * 1e3);
            Some((
                c,
                v["token"].as_str()?.to_string(),
                v["head"].as_i64()?,
                role,
            ))
        }));
    }
    let mut clients = vec![];
    for s in signing {
        if let Ok(Some(c)) = s.await {
            clients.push(c);
        }
    }
    let signed_in = t.elapsed().as_secs_f64();
    let (_, cpu0) = usage_all(&pids);
    let started = Instant::now();
    let end = started + Duration::from_secs(seconds);
    let mut tasks = vec![];
    let mut peak_rss = 0;
    for (i, (c, token, head, role)) in clients.into_iter().enumerate() {
        let c = Arc::new(c);
        // The seat's event stream: when each change reached it.
        {
            let (c, token, sent, fanout) = (c.clone(), token.clone(), sent.clone(), fanout.clone());
            tasks.push(tokio::spawn(async move {
                let Ok(mut ev) = c.events(&token, head).await else {
                    return;
                };
                while let Ok(Some(Ok(e))) = tokio::time::timeout_at(end.into(), ev.next()).await {
                    if e["data"]["actions"] == json!(["create"]) {
                        let id = e["ticket_id"].as_i64().unwrap_or(0);
                        if let Some(at) = sent.lock().unwrap_or_else(|p| p.into_inner()).get(&id) {
                            fanout
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push(at.elapsed().as_secs_f64() * 1e3);
                        }
                    }
                }
            }));
        }
        let (times, errors, sent, writes) =
            (times.clone(), errors.clone(), sent.clone(), writes.clone());
        tasks.push(tokio::spawn(async move {
            let mut j = Jitter(0x9e37_79b9_7f4a_7c15 ^ ((i as u64 + 1) * 0x2545_f491));
            tokio::time::sleep(j.next(10_000)).await;
            let mut next_queue = Instant::now();
            let mut last_id = 0i64;
            while Instant::now() < end {
                let op = |name: &'static str, r: Result<hotline_client::Reply, hotline_core::WireError>, s: Instant| {
                    match &r {
                        Ok(_) => note(&times, name, s.elapsed().as_secs_f64() * 1e3),
                        Err(e) => *errors.lock().unwrap_or_else(|p| p.into_inner()).entry(format!("{name}: {}", e.code)).or_default() += 1,
                    }
                    r.ok().map(|r| r.result)
                };
                if Instant::now() >= next_queue {
                    next_queue += Duration::from_secs(10);
                    let s = Instant::now();
                    op("queue counts", c.call(Some(&token), "queue_counts", &json!({})).await, s);
                    let s = Instant::now();
                    if let Some(p) = op("queue page", c.call(Some(&token), "list_tickets", &json!({ "query": { "limit": 50 } })).await, s) {
                        last_id = p["rows"][j.next(50).as_millis() as usize % 50]["id"].as_i64().unwrap_or(last_id);
                    }
                }
                let roll = j.next(100).as_millis();
                match role {
                    Role::Agent if roll < 40 => {
                        let s = Instant::now();
                        let ticket = json!({ "ticket": { "caller_name": "压测来电", "phone": "13800000000", "description": "路灯不亮，请处理", "category": "help_request" } });
                        if let Some(t) = op("intake", c.call(Some(&token), "intake", &ticket).await, s) {
                            sent.lock().unwrap_or_else(|p| p.into_inner()).insert(t["id"].as_i64().unwrap_or(0), s);
                            acknowledged(&writes, &t);
                        }
                    }
                    Role::Handler if roll < 30 && last_id > 0 => {
                        let s = Instant::now();
                        if let Some(d) = op("detail", c.call(Some(&token), "get_ticket", &json!({ "id": last_id })).await, s) {
                            let s = Instant::now();
                            let act = json!({ "id": last_id, "version": d["ticket"]["version"], "action": { "action": "comment", "note": "跟进中" } });
                            if let Some(t) = op("action", c.call(Some(&token), "act", &act).await, s) {
                                acknowledged(&writes, &t);
                            }
                        }
                    }
                    Role::Supervisor if roll < 10 => {
                        let s = Instant::now();
                        let q = json!({ "month": chrono::Utc::now().format("%Y-%m").to_string(), "departmentId": null });
                        op("monthly report", c.call(Some(&token), "monthly_report", &q).await, s);
                    }
                    _ if roll < 60 && last_id > 0 => {
                        let s = Instant::now();
                        op("detail", c.call(Some(&token), "get_ticket", &json!({ "id": last_id })).await, s);
                    }
                    _ => {
                        let s = Instant::now();
                        op("search", c.call(Some(&token), "list_tickets", &json!({ "query": { "search": "路灯", "limit": 50 } })).await, s);
                    }
                }
                // A seat acts every 6 s or so.
                tokio::time::sleep(Duration::from_millis(3000) + j.next(6000)).await;
            }
        }));
    }
    while Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(500)).await;
        peak_rss = peak_rss.max(usage_all(&pids).0);
    }
    for t in tasks {
        let _ = t.await;
    }
    let (rss, cpu1) = usage_all(&pids);
    let writes = std::mem::take(&mut *writes.lock().unwrap_or_else(|p| p.into_inner()));
    let changes = writes.len();
    let requests: usize = times
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .filter(|(op, _)| **op != "sign-in")
        .map(|(_, v)| v.len())
        .sum();
    println!(
        "\n{seats} seats, {seconds} s, {} server instance(s) over TLS on loopback (this machine's cores shared with the seats{}):",
        servers.len(),
        if servers.len() > 1 { " and PostgreSQL" } else { "" }
    );
    let signed = times
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get("sign-in")
        .map_or(0, Vec::len);
    println!("  {signed} of {seats} seats signed in within {signed_in:.1} s");
    print_times(&times);
    let mut f = fanout.lock().unwrap_or_else(|p| p.into_inner()).clone();
    println!(
        "  {:<16} {:>7} {:>9.1} {:>9.1}",
        "event fan-out",
        f.len(),
        pct(&mut f, 0.5),
        pct(&mut f, 0.99)
    );
    let errs = errors.lock().unwrap_or_else(|p| p.into_inner()).clone();
    println!(
        "  errors: {}",
        if errs.is_empty() {
            "none".to_string()
        } else {
            format!("{errs:?}")
        }
    );
    println!(
        "  server: {:.0} MB resident (peak {:.0} MB); {:.1} CPU s for {requests} requests and {changes} changes = {:.2} ms CPU per request",
        rss as f64 / 1024.0,
        peak_rss.max(rss) as f64 / 1024.0,
        cpu1 - cpu0,
        (cpu1 - cpu0) * 1e3 / requests.max(1) as f64
    );
    Ok(writes)
}

/// Notes a ticket a seat's write was acknowledged with.
fn acknowledged(writes: &Mutex<Vec<(i64, i64)>>, t: &serde_json::Value) {
    if let (Some(id), Some(version)) = (t["id"].as_i64(), t["version"].as_i64()) {
        writes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((id, version));
    }
}
