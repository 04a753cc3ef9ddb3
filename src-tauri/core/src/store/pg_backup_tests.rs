//! A PostgreSQL centre's backups and restore drills, on a private cluster.

use super::*;
use crate::backup::{FORMAT, FORMAT_PG};
use crate::clock::FakeClock;
use crate::model::User;
use crate::store::{testutil, Store};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const PASS: &str = "correct horse battery staple";

struct Centre {
    _cluster: hotline_pgcluster::Cluster,
    url: String,
    dir: tempfile::TempDir,
    store: Store,
    clock: Arc<FakeClock>,
    admin: User,
}

/// A seeded centre on PostgreSQL with its backup folders and passphrase set.
fn centre() -> Centre {
    let cluster = hotline_pgcluster::Cluster::start().expect("cluster");
    let url = cluster.create_database("centre", "C.UTF-8").expect("db");
    let clock = Arc::new(FakeClock::new(testutil::t0()));
    let store = Store::open_postgres(&url, clock.clone(), 2).expect("open");
    let admin = store
        .setup_admin("admin", "管理员", "s3cret-pass")
        .expect("setup");
    let dir = tempfile::tempdir().expect("dir");
    for (key, sub) in [("backup_dir", "backups"), ("backup_offsite_dir", "offsite")] {
        let folder = dir.path().join(sub).display().to_string();
        store.set_setting(None, key, &folder).expect("folder");
    }
    store.set_backup_passphrase(&admin, PASS).expect("pass");
    crate::seed::seed(
        &store,
        crate::seed::SeedOptions {
            tickets: 200,
            days: 20,
            seed: 7,
            extra_calls: 0,
        },
    )
    .expect("seed");
    Centre {
        _cluster: cluster,
        url,
        dir,
        store,
        clock,
        admin,
    }
}

fn scratch_databases(s: &Store) -> i64 {
    s.read(|c| {
        Ok(c.query_row(
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'hotline_drill_%'",
            [],
            |r| r.get(0),
        )?)
    })
    .expect("databases")
}

fn new_ticket(n: u32) -> crate::NewTicket {
    serde_json::from_value(json!({
        "caller_name": format!("并发{n}"),
        "phone": "13800138000",
        "description": "备份期间的来电",
        "category": "consultation",
    }))
    .expect("ticket")
}

#[test]
fn a_postgresql_centre_is_dumped_encrypted_and_each_drill_restores_it_into_a_scratch_database() {
    let c = centre();
    let s = &c.store;
    assert!(
        s.next_backup().expect("due").is_some(),
        "scheduled as on SQLite"
    );
    // A second server instance logs calls the whole time the dump runs.
    let other = Store::open_postgres(&c.url, c.clock.clone(), 1).expect("second instance");
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                other.create_ticket(1, &new_ticket(n)).expect("write");
                n += 1;
            }
            n
        })
    };
    let info = s
        .backup_now(Some(&c.admin), None, &mut |_| {})
        .expect("backup");
    stop.store(true, Ordering::SeqCst);
    let written = writer.join().expect("writer");
    assert!(written > 0, "calls were logged during the dump");
    let m = info.manifest.clone().expect("manifest");
    assert_eq!(m.format, FORMAT_PG);
    assert!(info.offsite);

    // Encrypted with age (the dump's own "PGDMP" header is nowhere in the clear).
    let bytes = std::fs::read(c.dir.path().join("backups").join(&info.name)).expect("file");
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    assert!(!bytes.windows(5).any(|w| w == b"PGDMP"));

    let drill = s
        .verify_backup(Some(&c.admin), &info.name, None, &mut |_| {})
        .expect("drill");
    let names: Vec<&str> = drill.checks.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "checksum",
            "pg_restore",
            "evaluations",
            "counts",
            "audit_chain"
        ]
    );
    assert!(drill.ok, "{:?}", drill.checks);
    // The manifest's figures were read in the dump's own snapshot: calls logged while
    // it ran are in neither, or in both.
    assert_eq!(drill.tickets, m.tickets);
    let now: i64 = s
        .read(|k| Ok(k.query_row("SELECT count(*) FROM tickets", [], |r| r.get(0))?))
        .expect("count");
    assert!(m.tickets >= 200 && m.tickets <= now);
    assert_eq!(drill.schema_version, m.schema_version);
    assert_eq!(scratch_databases(s), 0, "the scratch database is dropped");
    let status = s.backup_status().expect("status");
    assert_eq!(status.last_good_drill.expect("drill").file, info.name);
    assert!(!status.drill_overdue);
    assert_eq!(s.backups().expect("list")[0].name, info.name);
}

#[test]
fn a_damaged_wrong_or_foreign_backup_fails_its_drill_and_nothing_is_left_behind() {
    let c = centre();
    let s = &c.store;
    let folder = c.dir.path().join("backups");
    let info = s.backup_now(None, None, &mut |_| {}).expect("backup");
    let path = folder.join(&info.name);

    let wrong = s
        .verify_backup(
            None,
            &info.name,
            Some("not the passphrase at all"),
            &mut |_| {},
        )
        .expect_err("wrong passphrase");
    assert_eq!(wrong.code(), "backup_passphrase");

    // A manifest that no longer matches the dump: the counts say so.
    let manifest = crate::backup::manifest_path(&path);
    let original = std::fs::read_to_string(&manifest).expect("manifest");
    let mut m: crate::backup::Manifest = serde_json::from_str(&original).expect("json");
    m.tickets += 1;
    std::fs::write(&manifest, serde_json::to_string(&m).expect("json")).expect("write");
    let drill = s
        .verify_backup(None, &info.name, None, &mut |_| {})
        .expect("drill");
    assert!(!drill.ok);
    let failed: Vec<&str> = drill
        .checks
        .iter()
        .filter(|k| !k.ok)
        .map(|k| k.name.as_str())
        .collect();
    assert_eq!(failed, ["counts"]);

    // An SQLite centre's backup is not taken for one of this centre's.
    m.tickets -= 1;
    m.format = FORMAT.into();
    std::fs::write(&manifest, serde_json::to_string(&m).expect("json")).expect("write");
    let foreign = s
        .verify_backup(None, &info.name, None, &mut |_| {})
        .expect_err("foreign");
    assert_eq!(foreign.code(), "backup_corrupt");

    // Well encrypted, but no dump inside: pg_restore refuses it, the drill fails.
    std::fs::remove_file(&manifest).expect("rm");
    crate::backup::encrypt_into(&path, PASS, |w| {
        Ok(w.write_all(b"SQLite format 3\0 not a dump")?)
    })
    .expect("encrypt");
    let drill = s
        .verify_backup(None, &info.name, None, &mut |_| {})
        .expect("drill");
    assert!(!drill.ok);
    assert_eq!(drill.checks[0].name, "pg_restore");
    assert!(!drill.checks[0].ok && !drill.checks[0].detail.is_empty());

    // Each drill is recorded, good or bad; none left a scratch database.
    assert_eq!(scratch_databases(s), 0);
    let drills: i64 = s
        .read(|k| Ok(k.query_row("SELECT count(*) FROM restore_drills", [], |r| r.get(0))?))
        .expect("drills");
    assert_eq!(drills, 4);

    // A PostgreSQL centre is not replaced in place.
    let e = s
        .restore_backup(None, &info.name, None, &mut |_| {})
        .expect_err("in place");
    assert_eq!(
        (e.code(), e.details()["what"].as_str()),
        ("unsupported", Some("restore_in_place"))
    );
}

#[test]
fn the_password_leaves_the_url_and_a_root_certificate_means_verify_full() {
    let (info, pass) = libpq("postgres://hotline:s%40cret:x@db1:5432,db2:5433/centre?target_session_attrs=read-write&sslrootcert=/etc/ca.pem&sslmode=require");
    assert_eq!(
        info,
        "postgres://hotline@db1:5432,db2:5433/centre?target_session_attrs=read-write&sslrootcert=/etc/ca.pem&sslmode=verify-full"
    );
    assert_eq!(pass.as_deref(), Some("s@cret:x"));
    assert_eq!(
        libpq("postgresql://postgres@127.0.0.1:5999/db"),
        ("postgresql://postgres@127.0.0.1:5999/db".into(), None)
    );
    assert_eq!(
        with_database("postgres://u:p@h:1/centre?sslrootcert=/c.pem", "scratch"),
        "postgres://u:p@h:1/scratch?sslrootcert=/c.pem"
    );
    assert_eq!(with_database("postgres://h", "s"), "postgres://h/s");
    assert_eq!(literal("zh_CN.UTF-8'x"), "'zh_CN.UTF-8''x'");
}
