//! Tests of backups, drills and restores.

use super::*;
use crate::store::testutil::sqlite_store;
use crate::FakeClock;
use age::secrecy::SecretString;
use rusqlite::Connection;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const PASS: &str = "correct horse battery staple";

fn configured() -> (tempfile::TempDir, Store, Arc<FakeClock>, User) {
    let (d, s, c) = sqlite_store();
    let admin = s
        .setup_admin("admin", "管理员", "s3cret-pass")
        .expect("setup");
    let (b, o) = (d.path().join("backups"), d.path().join("offsite"));
    s.set_setting(None, "backup_dir", &b.display().to_string())
        .expect("dir");
    s.set_setting(None, "backup_offsite_dir", &o.display().to_string())
        .expect("offsite");
    s.set_backup_passphrase(&admin, PASS).expect("pass");
    (d, s, c, admin)
}

fn ticket_numbers(path: &Path) -> Vec<String> {
    let c = Connection::open(path).expect("open");
    let mut st = c
        .prepare("SELECT number FROM tickets ORDER BY id")
        .expect("prep");
    st.query_map([], |r| r.get(0))
        .expect("q")
        .collect::<rusqlite::Result<_>>()
        .expect("rows")
}

#[test]
fn backup_and_restore_round_trip_while_agents_keep_writing() {
    let (_d, s, clock, admin) = configured();
    crate::seed::seed(
        &s,
        crate::seed::SeedOptions {
            tickets: 300,
            days: 30,
            seed: 3,
            extra_calls: 0,
        },
    )
    .expect("seed");
    // A second seat writes tickets the whole time the backup runs.
    let other = Arc::new(Store::open(s.path(), clock.clone()).expect("second seat"));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (other, stop) = (other.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0u32;
            while !stop.load(Ordering::SeqCst) {
                let t: crate::NewTicket = serde_json::from_value(json!({
                    "caller_name": format!("并发{n}"),
                    "phone": "13800138000",
                    "description": "备份期间的来电",
                    "category": "consultation",
                }))
                .expect("ticket");
                other.intake(1, &t, None).expect("write during backup");
                n += 1;
                // Busy, as a centre is, but leaving the file to other writers too:
                // SQLite's busy wait has no fairness, a tight loop would starve them.
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            n
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(100));
    let before_backup = ticket_numbers(s.path());
    let mut stages = Vec::new();
    let info = s
        .backup_now(Some(&admin), None, &mut |p| stages.push(p.stage))
        .expect("backup");
    stop.store(true, Ordering::SeqCst);
    let written = writer.join().expect("writer");
    assert!(written > 0);
    assert!(
        stages.contains(&"encrypt") && stages.contains(&"offsite"),
        "{stages:?}"
    );
    assert!(info.offsite);
    let m = info.manifest.clone().expect("manifest");
    assert!(m.tickets >= before_backup.len() as i64);
    // The file is age, not SQLite: no plaintext on the backup media.
    let raw = std::fs::read(Path::new(&info.folder).join(&info.name)).expect("read");
    assert!(raw.starts_with(b"age-encryption.org/v1"));
    assert!(!raw.windows(6).any(|w| w == b"SQLite"));

    let report = s
        .verify_backup(Some(&admin), &info.name, None, &mut |_| {})
        .expect("verify");
    assert!(report.ok, "{report:?}");
    assert!(s.backup_status().expect("status").last_good_drill.is_some());

    // Something happens after the backup; the restore brings the backup's state back.
    let after = ticket_numbers(s.path());
    clock.advance(Duration::minutes(5));
    let aside = s
        .restore_backup(Some(&admin), &info.name, None, &mut |_| {})
        .expect("restore");
    let restored = ticket_numbers(s.path());
    assert_eq!(restored.len() as i64, m.tickets);
    // Every ticket committed before the backup began is there, in order, and the
    // restored set is exactly a prefix of what was committed.
    assert_eq!(&restored[..before_backup.len()], &before_backup[..]);
    assert_eq!(&after[..restored.len()], &restored[..]);
    // The state before the restore was kept aside, whole.
    assert_eq!(ticket_numbers(&aside), after);
    // The store keeps working on the restored content, and the audit chain holds.
    assert!(s.verify_audit().expect("audit").ok);
    assert_eq!(
        s.list_as(1, &Default::default()).expect("list").total,
        m.tickets
    );
    // What happened after the backup is still on the record, in one unbroken chain.
    let log = s.audit_entries(&Default::default()).expect("log");
    assert_eq!(log[0].action, "restore");
    assert_eq!(log[1].action, "restore_drill");
    assert_eq!(log[2].action, "backup");
    assert_eq!(log[0].detail["audit_entries_carried"], 2);
    assert!(s.backup_status().expect("status").last_good_drill.is_some());
}

#[test]
fn damaged_wrong_and_newer_backups_are_refused_and_change_nothing() {
    let (d, s, _c, admin) = configured();
    crate::seed::seed(
        &s,
        crate::seed::SeedOptions {
            tickets: 50,
            days: 10,
            seed: 4,
            extra_calls: 0,
        },
    )
    .expect("seed");
    let info = s
        .backup_now(Some(&admin), None, &mut |_| {})
        .expect("backup");
    let folder = PathBuf::from(&info.folder);
    let good = std::fs::read(folder.join(&info.name)).expect("read");
    let count = || ticket_numbers(s.path()).len();
    let n = count();
    let put = |name: &str, bytes: &[u8], manifest: bool| {
        let p = folder.join(name);
        std::fs::write(&p, bytes).expect("write");
        if !manifest {
            let _ = std::fs::remove_file(manifest_path(&p));
        }
    };
    // A flipped byte (the manifest's checksum catches it)…
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x55;
    put("hotline-20200101-000001.hdb.age", &flipped, false);
    std::fs::copy(
        manifest_path(&folder.join(&info.name)),
        manifest_path(&folder.join("hotline-20200101-000001.hdb.age")),
    )
    .expect("manifest");
    // …the same without a manifest (age's authentication catches it), truncation,
    // not an age file at all.
    put("hotline-20200101-000002.hdb.age", &flipped, false);
    put(
        "hotline-20200101-000003.hdb.age",
        &good[..good.len() * 2 / 3],
        false,
    );
    put(
        "hotline-20200101-000004.hdb.age",
        b"SQLite format 3\0 plain",
        false,
    );
    // A backup made by a newer version.
    let newer = d.path().join("newer.db");
    {
        let c = Connection::open(&newer).expect("newer");
        c.execute_batch("CREATE TABLE tickets (id INTEGER); PRAGMA user_version = 999;")
            .expect("v");
    }
    let mut enc = Vec::new();
    {
        let e = age::Encryptor::with_user_passphrase(SecretString::from(PASS.to_owned()));
        let mut w = e.wrap_output(&mut enc).expect("wrap");
        w.write_all(&std::fs::read(&newer).expect("read"))
            .expect("w");
        w.finish().expect("finish");
    }
    put("hotline-20200101-000005.hdb.age", &enc, false);
    for (name, pass, code) in [
        ("hotline-20200101-000001.hdb.age", None, "backup_corrupt"),
        ("hotline-20200101-000002.hdb.age", None, "backup_corrupt"),
        ("hotline-20200101-000003.hdb.age", None, "backup_corrupt"),
        ("hotline-20200101-000004.hdb.age", None, "backup_corrupt"),
        ("hotline-20200101-000005.hdb.age", None, "backup_too_new"),
        (
            info.name.as_str(),
            Some("wrong passphrase here"),
            "backup_passphrase",
        ),
        ("../../etc/passwd", None, "invalid_path"),
        ("hotline-20200101-000009.hdb.age", None, "not_found"),
    ] {
        let e = s
            .restore_backup(Some(&admin), name, pass, &mut |_| {})
            .expect_err(name);
        assert_eq!(e.code(), code, "{name}: {e}");
        assert_eq!(count(), n, "{name} changed the database");
        if code != "invalid_path" && code != "not_found" {
            let v = s
                .verify_backup(Some(&admin), name, pass, &mut |_| {})
                .expect_err(name);
            assert_eq!(v.code(), code, "{name}");
        }
    }
    // Nothing was set aside, no plaintext left behind.
    let leftovers: Vec<_> = std::fs::read_dir(d.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("before-restore") || n.starts_with(".hotline-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Failed verifies are drills too, recorded as failed.
    let failed: i64 = s
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM restore_drills WHERE ok = 0",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("drills");
    assert_eq!(failed, 6);
}

#[test]
fn backups_need_a_folder_and_a_passphrase_and_drills_go_stale() {
    let (_d, s, clock) = sqlite_store();
    let admin = s
        .setup_admin("admin", "管理员", "s3cret-pass")
        .expect("setup");
    assert_eq!(
        s.backup_now(Some(&admin), None, &mut |_| {})
            .map_err(|e| e.code())
            .err(),
        Some("not_configured")
    );
    assert_eq!(
        s.set_backup_passphrase(&admin, "short")
            .map_err(|e| e.code()),
        Err("weak_password")
    );
    assert_eq!(
        s.set_setting(None, "backup_dir", "relative/dir")
            .map_err(|e| e.code()),
        Err("invalid_path")
    );
    let st = s.backup_status().expect("status");
    assert!(!st.configured && !st.passphrase_set && st.drill_overdue);
    let (_d2, s2, clock2, admin2) = configured();
    let b = s2
        .backup_now(Some(&admin2), None, &mut |_| {})
        .expect("backup");
    s2.verify_backup(Some(&admin2), &b.name, None, &mut |_| {})
        .expect("verify");
    assert!(!s2.backup_status().expect("status").drill_overdue);
    clock2.advance(Duration::days(31));
    assert!(s2.backup_status().expect("status").drill_overdue);
    let _ = clock;
}

#[test]
fn a_drill_holds_the_evaluations_to_the_timeline() {
    let (_d, s, _c, admin) = configured();
    crate::seed::seed(
        &s,
        crate::seed::SeedOptions {
            tickets: 60,
            days: 10,
            seed: 5,
            extra_calls: 0,
        },
    )
    .expect("seed");
    let check = |s: &Store| {
        let info = s
            .backup_now(Some(&admin), None, &mut |_| {})
            .expect("backup");
        let report = s
            .verify_backup(Some(&admin), &info.name, None, &mut |_| {})
            .expect("verify");
        let found = report
            .checks
            .into_iter()
            .find(|c| c.name == "evaluations")
            .expect("the check");
        (report.ok, found)
    };
    let (ok, found) = check(&s);
    assert!(ok && found.ok, "{found:?}");
    assert!(!found.detail.starts_with("0 evaluations"), "{found:?}");
    // An evaluation lost beside its timeline: the satisfaction figures would be wrong.
    Connection::open(s.path())
        .expect("open")
        .execute(
            "DELETE FROM evaluations WHERE event_id = (SELECT max(event_id) FROM evaluations)",
            [],
        )
        .expect("delete");
    let (ok, found) = check(&s);
    assert!(!ok && !found.ok, "{found:?}");
}
