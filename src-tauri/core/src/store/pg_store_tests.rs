//! The store opened on PostgreSQL: what already runs there as on SQLite.

use super::*;
use crate::clock::FakeClock;

/// A private cluster and the URL of a new database `centre` on it.
fn database() -> (hotline_pgcluster::Cluster, String) {
    let cluster = hotline_pgcluster::Cluster::start().expect("cluster");
    let url = cluster.create_database("centre", "C.UTF-8").expect("db");
    (cluster, url)
}

/// The store on `url` at the tests' first instant.
fn open(url: &str) -> Store {
    Store::open_postgres(url, Arc::new(FakeClock::new(testutil::t0())), 1).expect("pg")
}

#[test]
fn a_store_opens_on_postgresql_and_keeps_its_reference_data() {
    let (_cluster, url) = database();
    let clock = Arc::new(FakeClock::new(testutil::t0()));
    let s = Store::open_postgres(&url, clock.clone(), 2).expect("open");
    assert_eq!(s.path().to_string_lossy(), url);
    // Backups need a folder (they are pg_dump's, encrypted: pg_backup_tests); a restore in
    // place is refused; neither makes anything where it runs.
    let here = std::env::current_dir().expect("cwd");
    let before = std::fs::read_dir(&here).expect("list").count();
    let pass = Some("a passphrase long enough");
    let e = s
        .backup_now(None, pass, &mut |_| {})
        .expect_err("no folder");
    assert_eq!(e.code(), "not_configured");
    let e = s.verify_backup(None, "x.hdb.age", pass, &mut |_| {});
    assert_eq!(e.expect_err("no folder").code(), "not_found");
    let e = s.restore_backup(None, "x.hdb.age", pass, &mut |_| {});
    assert_eq!(e.expect_err("refused").code(), "unsupported");
    assert_eq!(
        std::fs::read_dir(&here).expect("list").count(),
        before,
        "nothing made"
    );
    // Opening again changes nothing (the calendars and plans are there once).
    drop(s);
    let s = Store::open_postgres(&url, clock, 2).expect("open again");
    let (dept, handler) = testutil::lighting(&s);
    let u = s.user(handler).expect("handler");
    assert_eq!((u.department_id, u.name.as_str()), (dept, "王工"));
}

#[test]
fn a_call_is_logged_and_read_back_on_postgresql() {
    let (_cluster, url) = database();
    let clock = Arc::new(FakeClock::new(testutil::t0()));
    let s = Store::open_postgres(&url, clock, 2).expect("open");
    let agent = s
        .create_user(None, "李娜", 1, crate::model::Role::Agent)
        .expect("agent")
        .id;
    let t = s
        .create_ticket(agent, &crate::ticket::tests::new_ticket())
        .expect("ticket");
    assert_eq!(s.ticket(t.id).expect("read").description, t.description);
    assert_eq!(s.ticket_id_by_number(&t.number).expect("number"), t.id);
    assert_eq!(s.timeline(t.id).expect("timeline").len(), 1);
    let counts = s.queue_counts(agent).expect("counts");
    assert_eq!(counts.get(&crate::model::Queue::All), Some(&1));
}

#[test]
fn passwords_are_left_out_of_the_shown_url() {
    assert_eq!(
        without_password("postgres://hd:secret@db:5432/centre"),
        "postgres://hd@db:5432/centre"
    );
    assert_eq!(
        without_password("postgres://db/centre"),
        "postgres://db/centre"
    );
}

#[test]
fn a_store_carries_on_after_its_database_server_restarts() {
    let (cluster, url) = database();
    let clock = Arc::new(FakeClock::new(testutil::t0()));
    let s = Store::open_postgres(&url, clock, 1).expect("open");
    let agent = s
        .create_user(None, "李娜", 1, crate::model::Role::Agent)
        .expect("agent")
        .id;
    let first = s
        .create_ticket(agent, &crate::ticket::tests::new_ticket())
        .expect("ticket");
    cluster.crash_and_restart().expect("restart");
    // The reader and the writer find their sessions gone and open new ones (a read has
    // no BEGIN to find it: its first statement does, and it runs again); what was
    // committed before the crash is there.
    assert_eq!(s.ticket(first.id).expect("read").number, first.number);
    let second = s
        .create_ticket(agent, &crate::ticket::tests::new_ticket())
        .expect("a ticket after the restart");
    assert_ne!(second.number, first.number);
    assert!(s.verify_audit().expect("verify").ok);
}

#[test]
fn search_finds_and_orders_alike_on_both_databases() {
    use crate::store::{ListQuery, Sort};
    let (_d, lite, _c) = testutil::sqlite_store();
    let (_cluster, url) = database();
    let pg = open(&url);
    // One corpus, logged in the same order on both: repeated phrases, short words, mixed
    // case, numbers, texts of different lengths.
    let words = [
        "路灯不亮",
        "小区门口积水",
        "积水严重",
        "Water main burst",
        "WATER on the road",
        "噪音扰民",
        "路灯",
        "灯",
        "井盖缺失",
        "垃圾清运不及时",
        "路灯不亮三天了",
        "abcabc",
    ];
    for s in [&lite, &pg] {
        for i in 0..60usize {
            let mut x = crate::ticket::tests::new_ticket();
            let n = 1 + (i * 7) % 4;
            let parts: Vec<&str> = (0..n)
                .map(|k| words[(i * 5 + k * 3) % words.len()])
                .collect();
            x.description = format!("{}，第{i}号来电", parts.join("，"));
            x.phone = format!("138{:08}", (i * 7919) % 100_000_000);
            s.create_ticket(1, &x).expect("ticket");
        }
    }
    for q in [
        "路灯不亮",
        "积水",
        "灯",
        "water",
        "0013",
        "路灯",
        "小区门口积水",
        "abc",
        "扰民",
        "791",
    ] {
        for sort in [Sort::Relevance, Sort::ReceivedDesc, Sort::ReceivedAsc] {
            let page = |s: &Store| {
                let p = s
                    .list(&ListQuery {
                        search: Some(q.into()),
                        sort,
                        limit: 100,
                        ..Default::default()
                    })
                    .expect("search");
                (p.total, p.rows.iter().map(|r| r.id).collect::<Vec<_>>())
            };
            let (a, b) = (page(&lite), page(&pg));
            assert_eq!(a, b, "{q} {sort:?}");
            assert!(a.0 > 0, "{q} finds something");
        }
    }
}

#[test]
fn knowledge_suggestions_rank_alike_on_both_databases() {
    let (_d, lite, _c) = testutil::sqlite_store();
    let (_cluster, url) = database();
    let pg = open(&url);
    for s in [&lite, &pg] {
        let ed = super::kb::tests::editor(s);
        super::kb::tests::seeded(s, &ed);
    }
    let mut texts: Vec<&str> = super::kb::tests::ARTICLES.iter().map(|a| a.3).collect();
    texts.extend([
        "燃",
        "公积",
        "路灯",
        "办理",
        "证",
        "来电反映小区门口的路灯坏了三天，晚上很黑，另外燃气味很大",
    ]);
    for text in texts {
        let (a, b) = (
            lite.suggest_articles(text, 10).expect("sqlite"),
            pg.suggest_articles(text, 10).expect("pg"),
        );
        assert_eq!(
            a.iter().map(|x| x.id).collect::<Vec<_>>(),
            b.iter().map(|x| x.id).collect::<Vec<_>>(),
            "{text}"
        );
        for (x, y) in a.iter().zip(&b) {
            assert!(
                (x.score - y.score).abs() <= 1e-9 * x.score.abs().max(1e-9),
                "{text}: {} {}",
                x.score,
                y.score
            );
        }
        assert!(!a.is_empty(), "{text}");
    }
}

#[test]
fn reports_give_identical_figures_on_identical_data() {
    use crate::report::{PeriodKind, ReportRequest};
    let (_d, lite, _c) = testutil::sqlite_store();
    let (_cluster, url) = database();
    let pg = open(&url);
    // The same generated centre on both: calls, transfers, replies, callbacks, repeats.
    for s in [&lite, &pg] {
        crate::seed::seed(
            s,
            crate::seed::SeedOptions {
                tickets: 300,
                days: 60,
                seed: 11,
                extra_calls: 40,
            },
        )
        .expect("seed");
    }
    for (kind, days) in [(PeriodKind::Custom, 90), (PeriodKind::Custom, 30)] {
        let req = ReportRequest {
            kind,
            anchor: (lite.now() - chrono::Duration::days(days)).date_naive(),
            until: Some(lite.now().date_naive()),
            filters: Default::default(),
        };
        let (a, b) = (
            lite.period_report(&req).expect("sqlite"),
            pg.period_report(&req).expect("pg"),
        );
        assert_eq!(a, b, "{days} days");
        assert!(a.to_string().len() > 1000, "a report with figures");
    }
}
