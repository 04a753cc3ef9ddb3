//! A seeded SQLite centre moved to PostgreSQL: everything arrives, verified, and the
//! centre goes on there where it left off.

use super::*;
use crate::clock::FakeClock;
use crate::lifecycle::Action;
use crate::store::testutil::{lighting, sqlite_store, t0};
use crate::ticket::tests::new_ticket;

/// A file centre with calls, transfers, audited changes and reference data of its own.
fn seeded() -> (tempfile::TempDir, std::path::PathBuf, Vec<i64>) {
    let (dir, s, _clock) = sqlite_store();
    let (dept, _handler) = lighting(&s);
    let admin = s.first_admin().expect("admin");
    let agent = s
        .create_user(Some(&admin), "李娜", 1, crate::model::Role::Agent)
        .expect("agent")
        .id;
    let mut ids = vec![];
    for i in 0..12 {
        let mut x = new_ticket();
        x.phone = format!("1380000{:04}", i % 5);
        let then = (i % 2 == 0).then(|| Action::Transfer {
            department_id: dept,
            requirements: "核查".into(),
            due_at: t0() + chrono::Duration::hours(10),
            accept_due_at: None,
            co_department_ids: vec![],
            co_due_at: None,
        });
        ids.push(s.intake(agent, &x, then.as_ref()).expect("intake").id);
    }
    s.audit(
        Some(&admin),
        "settings",
        "timezone",
        serde_json::json!({"v": 1}),
    )
    .expect("audit");
    let path = s.path().to_path_buf();
    drop(s);
    (dir, path, ids)
}

#[test]
fn a_file_centre_moves_to_postgresql_verified_and_goes_on_where_it_left_off() {
    let (_dir, path, ids) = seeded();
    let cluster = hotline_pgcluster::Cluster::start().expect("cluster");
    let url = cluster.create_database("centre", "C.UTF-8").expect("db");
    let clock = Arc::new(FakeClock::new(t0()));
    // A mistyped file is refused: no empty centre made there, nothing moved.
    let typo = path.with_file_name("hotlin.db");
    let e = relocate(&typo, &url, clock.clone()).expect_err("no such file");
    assert_eq!(e.code(), "invalid_path");
    assert!(!typo.exists());
    let moved = relocate(&path, &url, clock.clone()).expect("moved");
    let file = Store::open(&path, clock.clone()).expect("file");
    let pg = Store::open_postgres(&url, clock, 1).expect("pg");
    // Every table's rows, as many as in the file; the chain the same, entry for entry.
    let tickets = moved
        .tables
        .iter()
        .find(|(t, _)| t == "tickets")
        .expect("tickets");
    assert_eq!(tickets.1, 12);
    assert!(moved.tables.iter().any(|(t, n)| t == "events" && *n > 12));
    assert_eq!(moved.audit, file.verify_audit().expect("file chain"));
    assert!(moved.audit.ok && moved.audit.entries >= 2);
    assert_eq!(pg.verify_audit().expect("pg chain"), moved.audit);
    // The same tickets, timelines and queues on both.
    for id in &ids {
        assert_eq!(pg.ticket(*id).expect("pg"), file.ticket(*id).expect("file"));
        assert_eq!(
            pg.timeline(*id).expect("pg"),
            file.timeline(*id).expect("file")
        );
    }
    let admin = file.first_admin().expect("admin").id;
    assert_eq!(
        pg.queue_counts(admin).expect("pg"),
        file.queue_counts(admin).expect("file")
    );
    // Numbering goes on: the next call of the day, the next id, the next audit entry.
    let agent = file
        .users()
        .expect("users")
        .into_iter()
        .find(|u| u.name == "李娜")
        .expect("agent");
    let on_file = file.create_ticket(agent.id, &new_ticket()).expect("file");
    let on_pg = pg.create_ticket(agent.id, &new_ticket()).expect("pg");
    assert_eq!((on_pg.id, &on_pg.number), (on_file.id, &on_file.number));
    pg.audit(None, "after", "move", serde_json::Value::Null)
        .expect("audit");
    let after = pg.verify_audit().expect("chain");
    assert!(after.ok && after.entries == moved.audit.entries + 1);

    // A database already holding a centre is refused and left as it was.
    let again = relocate(&path, &url, Arc::new(FakeClock::new(t0()))).expect_err("refused");
    assert_eq!(again.code(), "store_not_empty");
    assert_eq!(pg.verify_audit().expect("unchanged"), after);
    assert_eq!(
        pg.ticket(on_pg.id).expect("still there").number,
        on_pg.number
    );
}
