//! Real server processes serving one centre on PostgreSQL (private clusters): a desk on
//! one instance hears at once of a change made through another; the deadline scheduler
//! runs on one instance at a time, taken over when its leader dies, each alarm fired
//! exactly once across the takeover; a file centre moved there by `migrate-store`; and a
//! primary that dies, its synchronous replica promoted, the server writing there without
//! losing anything a desk was told succeeded.

use common::{call, login, start_logged_with, Server};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

mod common;

/// A cluster with the test centre (`common::centre`) in its database `centre`.
fn centre() -> (hotline_pgcluster::Cluster, String, i64) {
    let cluster = hotline_pgcluster::Cluster::start().expect("cluster");
    let url = cluster.create_database("centre", "C.UTF-8").expect("db");
    let store =
        hotline_core::Store::open_postgres(&url, std::sync::Arc::new(hotline_core::SystemClock), 1)
            .expect("store");
    let lighting = common::centre_in(&store);
    (cluster, url, lighting)
}

/// An instance on `url`, with its own folder and log.
fn instance(url: &str) -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let log = dir.path().join("server.log");
    let s = start_logged_with(dir.path(), &format!("store = \"{url}\"\n"), &log);
    (s, dir)
}

fn log_of(dir: &tempfile::TempDir) -> String {
    std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default()
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    start.elapsed()
}

fn intake(s: &Server, token: &str, lighting: i64, description: &str) -> Value {
    let (status, t) = call(
        s,
        "intake",
        Some(token),
        "desk-1",
        json!({
            "ticket": { "caller_name": "张三", "phone": "13812345678", "description": description, "category": "help_request" },
            "then": { "action": "transfer", "department_id": lighting, "requirements": "请修复", "due_at": "2099-01-01T09:00:00Z" }
        }),
    );
    assert_eq!(status, 200, "{t}");
    t
}

#[tokio::test(flavor = "multi_thread")]
async fn a_desk_on_one_instance_hears_at_once_of_changes_made_through_another() {
    let (_cluster, url, lighting) = tokio::task::spawn_blocking(centre).await.expect("centre");
    let (a, _da) = instance(&url);
    let (b, _db) = instance(&url);
    let handler = login(&a, "lighting", "desk-2");
    // Signed in on A, the token holds on B too: sign-ins are the centre's, not an instance's.
    let agent = login(&b, "agent", "desk-1");
    let mut req = format!("ws://{}/api/v1/events?after=0", a.addr)
        .into_client_request()
        .expect("request");
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {handler}").parse().expect("h"),
    );
    req.headers_mut()
        .insert("x-hotline-seat", "desk-2".parse().expect("h"));
    let mut ws = tokio_tungstenite::connect_async(req)
        .await
        .expect("upgrade")
        .0;
    // Each call through B reaches the handler's desk on A well before A would look at the
    // outbox unprompted (every 5 s): the commit's notification woke it.
    for i in 0..3 {
        let t = intake(&b, &agent, lighting, &format!("路灯不亮 {i}"));
        let start = Instant::now();
        loop {
            let left = Duration::from_millis(1500).saturating_sub(start.elapsed());
            let got = tokio::time::timeout(left, ws.next()).await;
            let Ok(Some(Ok(Message::Text(text)))) = got else {
                panic!("call {i} not heard on A within 1.5 s: {got:?}");
            };
            let e: Value = serde_json::from_str(&text).expect("json");
            if e["kind"] == "ticket" && e["ticket_id"] == t["id"] {
                break;
            }
        }
    }
}

/// Alarms due now for each of the first ten tickets, `n` in all, with deadlines apart from
/// any before (`from`): each reaches the agent who logged the call (`callback`).
fn due_alarms(db: &mut postgres::Client, from: i64, n: i64) {
    db.execute(
        "INSERT INTO alarms (ticket_id, kind, threshold, deadline, fire_at)
         SELECT t.id, 'callback', 50, $1::bigint + g, (extract(epoch FROM now()) * 1000)::bigint - 1000
         FROM (SELECT id FROM tickets ORDER BY id LIMIT 10) t, generate_series(1, $2::bigint / 10) g",
        &[&from, &n],
    )
    .expect("alarms");
}

fn count(db: &mut postgres::Client, sql: &str) -> i64 {
    db.query_one(sql, &[]).expect("count").get(0)
}

#[test]
fn the_scheduler_runs_on_one_instance_and_another_takes_over_when_it_dies() {
    let (_cluster, url, lighting) = centre();
    let (mut a, da) = instance(&url);
    wait_for("A leads", Duration::from_secs(10), || {
        log_of(&da).contains("this instance leads")
    });
    let (b, db_dir) = instance(&url);
    let agent = login(&b, "agent", "desk-1");
    for i in 0..10 {
        intake(&b, &agent, lighting, &format!("路灯不亮 {i}"));
    }
    let mut db = postgres::Client::connect(&url, postgres::NoTls).expect("db");
    let fired_callbacks =
        "SELECT count(*) FROM alarms WHERE kind = 'callback' AND fired_at IS NOT NULL";
    // 500 alarms due; a change wakes the leader, which fires them all.
    due_alarms(&mut db, 0, 500);
    intake(&b, &agent, lighting, "唤醒");
    wait_for("the leader fires 500", Duration::from_secs(10), || {
        count(&mut db, fired_callbacks) == 500
    });
    assert!(
        !log_of(&db_dir).contains("this instance leads"),
        "B follows while A leads"
    );
    // A dies where it stands; 500 more come due. B takes the lead and fires them.
    a.kill();
    let killed = Instant::now();
    due_alarms(&mut db, 1000, 500);
    wait_for(
        "B takes over and fires 500",
        Duration::from_secs(10),
        || count(&mut db, fired_callbacks) == 1000,
    );
    let took = killed.elapsed();
    assert!(log_of(&db_dir).contains("this instance leads"));
    // Each alarm once: one notification each to the agent, none twice.
    assert_eq!(
        count(
            &mut db,
            "SELECT count(*) FROM notifications WHERE kind = 'callback'"
        ),
        1000
    );
    assert_eq!(
        count(
            &mut db,
            "SELECT count(*) FROM (SELECT 1 FROM notifications WHERE kind = 'callback'
             GROUP BY ticket_id, deadline, user_id HAVING count(*) > 1) d"
        ),
        0
    );
    println!("takeover: the 500 alarms due after the leader died fired {took:?} after it");
}

#[test]
fn a_file_centre_moves_to_postgresql_and_is_served_from_there() {
    let file = tempfile::tempdir().expect("dir");
    let lighting = common::centre(file.path());
    // A call logged on the file server before the move.
    let before = {
        let s = common::start(file.path(), "");
        let agent = login(&s, "agent", "desk-1");
        intake(&s, &agent, lighting, "搬迁前的来电")
    };
    let cluster = hotline_pgcluster::Cluster::start().expect("cluster");
    let url = cluster.create_database("centre", "C.UTF-8").expect("db");
    let migrate = |to: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_hotline-server"))
            .args(["migrate-store", "--from"])
            .arg(format!(
                "sqlite:{}",
                file.path().join("hotline.db").display()
            ))
            .args(["--to", to])
            .output()
            .expect("runs")
    };
    let out = migrate(&url);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("audit chain intact"), "{said}");
    assert!(said.lines().any(|l| l == "tickets\t1"), "{said}");
    // Served from PostgreSQL: the same sign-ins, the same ticket, numbering going on.
    let (s, _d) = instance(&url);
    let agent = login(&s, "agent", "desk-1");
    let (status, t) = call(
        &s,
        "get_ticket",
        Some(&agent),
        "desk-1",
        json!({ "id": before["id"] }),
    );
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["ticket"]["number"], before["number"], "{t}");
    let next = intake(&s, &agent, lighting, "搬迁后的来电");
    assert!(next["number"].as_str() > before["number"].as_str());
    // Moving again into a database that holds a centre is refused.
    let again = migrate(&url);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("store_not_empty"));
}

#[test]
fn the_primary_dies_its_synchronous_replica_takes_over_and_nothing_acknowledged_is_lost() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Mutex;
    let (primary, _, lighting) = centre();
    let replica = hotline_pgcluster::Cluster::replica_of(&primary).expect("replica");
    // Every commit waits until the replica has it.
    primary
        .sql("ALTER SYSTEM SET synchronous_standby_names = '*'")
        .expect("synchronous");
    let mut watch =
        postgres::Client::connect(&primary.url("postgres"), postgres::NoTls).expect("db");
    wait_for(
        "the replica streams synchronously",
        Duration::from_secs(20),
        || {
            count(
                &mut watch,
                "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'",
            ) == 1
        },
    );
    drop(watch);
    // The server knows both; it writes wherever the primary is.
    let url = format!(
        "postgres://{}@127.0.0.1:{},127.0.0.1:{}/centre?target_session_attrs=read-write",
        hotline_pgcluster::USER,
        primary.port(),
        replica.port()
    );
    let (s, _d) = instance(&url);
    let agent = login(&s, "agent", "desk-1");
    let acked: Mutex<Vec<(i64, String)>> = Mutex::new(vec![]);
    let refused = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        // A desk logging calls one after another, keeping what it was told succeeded.
        scope.spawn(|| {
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                i += 1;
                let (status, t) = call(
                    &s,
                    "intake",
                    Some(&agent),
                    "desk-1",
                    json!({
                        "ticket": { "caller_name": "张三", "phone": "13812345678", "description": format!("来电 {i}"), "category": "help_request" },
                        "then": { "action": "transfer", "department_id": lighting, "requirements": "请修复", "due_at": "2099-01-01T09:00:00Z" }
                    }),
                );
                match (status, t["id"].as_i64(), t["number"].as_str()) {
                    (200, Some(id), Some(n)) => acked.lock().expect("acked").push((id, n.to_string())),
                    _ => {
                        refused.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(200));
                    }
                }
            }
        });
        let acks = || acked.lock().expect("acked").len();
        wait_for("calls before the failure", Duration::from_secs(10), || {
            acks() >= 10
        });
        primary.kill().expect("the primary dies");
        let died = acks();
        replica.promote().expect("promoted");
        let promoted = Instant::now();
        wait_for(
            "calls on the promoted replica",
            Duration::from_secs(30),
            || acks() >= died + 10,
        );
        println!(
            "failover: writes resumed {:?} after the promotion; {} calls refused meanwhile",
            promoted.elapsed(),
            refused.load(Ordering::SeqCst)
        );
        stop.store(true, Ordering::SeqCst);
    });
    // Everything a desk was told succeeded is on the new primary, number and all.
    let mut db = postgres::Client::connect(&replica.url("centre"), postgres::NoTls).expect("db");
    let acked = acked.into_inner().expect("acked");
    for (id, number) in &acked {
        let row = db
            .query_opt("SELECT number FROM tickets WHERE id = $1", &[id])
            .expect("query");
        assert_eq!(
            row.map(|r| r.get::<_, String>(0)).as_deref(),
            Some(number.as_str()),
            "ticket {id} was acknowledged"
        );
    }
    assert!(count(&mut db, "SELECT count(*) FROM tickets") >= acked.len() as i64);
}

#[test]
fn the_server_reaches_its_database_only_over_verified_tls() {
    let db_cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).expect("cert");
    let cluster = hotline_pgcluster::Cluster::start_tls(
        &db_cert.cert.pem(),
        &db_cert.signing_key.serialize_pem(),
    )
    .expect("cluster");
    let dir = tempfile::tempdir().expect("dir");
    let ca = dir.path().join("db-ca.pem");
    std::fs::write(&ca, db_cert.cert.pem()).expect("ca");
    let plain = cluster.create_database("centre", "C.UTF-8").expect("db");
    let url = format!("{plain}?sslrootcert={}", ca.display());
    // The cluster takes no plain connection: what follows went over TLS.
    assert!(postgres::Client::connect(&plain, postgres::NoTls).is_err());
    let store =
        hotline_core::Store::open_postgres(&url, std::sync::Arc::new(hotline_core::SystemClock), 1)
            .expect("store over TLS");
    common::centre_in(&store);
    drop(store);
    let (s, _d) = instance(&url);
    login(&s, "agent", "desk-1");
    // A certificate the configured CA did not sign is refused: the server does not start.
    let other = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).expect("cert");
    std::fs::write(&ca, other.cert.pem()).expect("ca");
    let refused =
        hotline_core::Store::open_postgres(&url, std::sync::Arc::new(hotline_core::SystemClock), 1)
            .err()
            .expect("an unknown certificate is refused");
    assert!(
        refused.to_string().to_lowercase().contains("certificate"),
        "{refused}"
    );
}
