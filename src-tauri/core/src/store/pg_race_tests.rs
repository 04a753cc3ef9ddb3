//! Several server instances writing to one PostgreSQL database at once: each store below
//! is an instance of its own (its own connections), raced from threads. What SQLite's
//! single writer gave for free must still hold: one audit chain, ticket numbers without
//! a gap or a double, one customer per new number, each alarm fired exactly once.

use super::*;
use crate::alarms::AlarmKind;
use crate::clock::FakeClock;
use crate::lifecycle::Action;
use crate::ticket::tests::new_ticket;
use chrono::Duration;
use std::collections::HashSet;

const INSTANCES: usize = 4;

/// `INSTANCES` stores on one new database, each with its own connections, and the clock
/// they share.
fn instances(cluster: &hotline_pgcluster::Cluster) -> (Vec<Arc<Store>>, Arc<FakeClock>) {
    let url = cluster.create_database("centre", "C.UTF-8").expect("db");
    let clock = Arc::new(FakeClock::new(testutil::t0()));
    let stores = (0..INSTANCES)
        .map(|_| Arc::new(Store::open_postgres(&url, clock.clone(), 1).expect("open")))
        .collect();
    (stores, clock)
}

/// Runs `f(instance, thread)` on `per` threads for each instance, all at once.
fn race(stores: &[Arc<Store>], per: usize, f: impl Fn(&Store, usize) + Sync) {
    let start = std::sync::Barrier::new(stores.len() * per);
    std::thread::scope(|scope| {
        for s in stores {
            for t in 0..per {
                let (start, f) = (&start, &f);
                scope.spawn(move || {
                    start.wait();
                    f(s, t);
                });
            }
        }
    });
}

fn count(s: &Store, sql: &str) -> i64 {
    s.read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
        .expect("count")
}

#[test]
fn concurrent_calls_keep_one_chain_gapless_numbers_and_one_customer_per_number() {
    let cluster = hotline_pgcluster::Cluster::start().expect("cluster");
    let (stores, _clock) = instances(&cluster);
    let agent = stores[0]
        .create_user(None, "李娜", 1, crate::model::Role::Agent)
        .expect("agent")
        .id;
    let (per, calls) = (3, 12);
    // What a seat following the outbox by sequence number (as the event stream does)
    // reads while the instances write: an entry numbered below one already read, that
    // committed after it, would never reach the seat.
    let done = std::sync::atomic::AtomicBool::new(false);
    let followed = std::sync::Mutex::new(vec![]);
    let start = stores[0].outbox_head().expect("head");
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut last = start;
            let mut seen = vec![];
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                for e in stores[0].outbox_after(last, 1000).expect("follow") {
                    last = e.seq;
                    seen.push(e.seq);
                }
                if finished {
                    break;
                }
            }
            *followed.lock().expect("lock") = seen;
        });
        // Set when the writers are done, even when one of them failed.
        struct Done<'a>(&'a std::sync::atomic::AtomicBool);
        impl Drop for Done<'_> {
            fn drop(&mut self) {
                self.0.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        }
        let _done = Done(&done);
        race(&stores, per, |s, t| {
            for i in 0..calls {
                // Every thread's i-th call comes from the same new number: find-or-create
                // meets itself on every instance at once.
                let mut x = new_ticket();
                x.phone = format!("1390000{i:04}");
                s.create_ticket(agent, &x).expect("ticket");
                s.audit(None, "test", &format!("{t}/{i}"), serde_json::Value::Null)
                    .expect("audit");
            }
        });
    });
    let s = &stores[0];
    let n = (INSTANCES * per * calls) as i64;
    assert_eq!(count(s, "SELECT count(*) FROM tickets"), n);
    let numbers: Vec<String> = s
        .read(|c| {
            Ok(c.prepare("SELECT number FROM tickets ORDER BY number")?
                .query_map([], |r| r.get(0))?
                .collect::<sql::Result<_>>()?)
        })
        .expect("numbers");
    let day = numbers[0].split('-').next().expect("day").to_string();
    let expected: Vec<String> = (1..=n).map(|i| format!("{day}-{i:04}")).collect();
    assert_eq!(numbers, expected, "one number each, none skipped");
    assert_eq!(
        count(s, "SELECT count(DISTINCT customer_id) FROM tickets"),
        calls as i64,
        "a number met by every instance at once is one customer"
    );
    assert_eq!(
        count(s, "SELECT count(*) FROM customer_phones"),
        calls as i64
    );
    let report = s.verify_audit().expect("verify");
    assert!(report.ok, "{report:?}");
    assert_eq!(
        count(s, "SELECT count(*) FROM audit_log WHERE action = 'test'"),
        n
    );
    // A seat following the outbox while it was written missed nothing (`followed`).
    let all: Vec<i64> = s
        .read(|c| {
            Ok(
                c.prepare("SELECT seq FROM outbox WHERE seq > ?1 ORDER BY seq")?
                    .query_map([start], |r| r.get(0))?
                    .collect::<sql::Result<_>>()?,
            )
        })
        .expect("seqs");
    assert_eq!(followed.into_inner().expect("followed"), all);
}

#[test]
fn each_due_alarm_fires_exactly_once_across_instances() {
    let cluster = hotline_pgcluster::Cluster::start().expect("cluster");
    let (stores, clock) = instances(&cluster);
    let s = &stores[0];
    let (dept, _handler) = testutil::lighting(s);
    let due = testutil::t0() + Duration::hours(10);
    for _ in 0..40 {
        s.intake(
            1,
            &new_ticket(),
            Some(&Action::Transfer {
                department_id: dept,
                requirements: "核查".into(),
                due_at: due,
                accept_due_at: None,
                co_department_ids: vec![],
                co_due_at: None,
            }),
        )
        .expect("intake");
    }
    // Past the deadline: the announcement, every reminder and the breach are due at once.
    clock.set(due + Duration::minutes(1));
    let due_now = format!(
        "SELECT count(*) FROM alarms WHERE fired_at IS NULL AND fire_at <= {}",
        db::ms(s.now())
    );
    let pending = count(s, &due_now);
    assert!(pending >= 40 * 3, "{pending} alarms pending");
    let fired = std::sync::Mutex::new(vec![]);
    race(&stores, 2, |s, _| {
        let f = s.fire_due(s.now()).expect("fire");
        fired.lock().expect("lock").extend(f);
    });
    let fired = fired.into_inner().expect("fired");
    let ticket_alarms: Vec<_> = fired.iter().filter(|f| f.ticket_id.is_some()).collect();
    assert_eq!(ticket_alarms.len() as i64, pending, "every alarm, once");
    let distinct: HashSet<_> = ticket_alarms
        .iter()
        .map(|f| (f.ticket_id, f.kind, f.threshold))
        .collect();
    assert_eq!(distinct.len(), ticket_alarms.len(), "no alarm twice");
    assert_eq!(count(s, &due_now), 0, "nothing due left unfired");
    assert_eq!(
        count(
            s,
            "SELECT count(*) FROM (SELECT ticket_id, kind, threshold, user_id FROM notifications
             WHERE ticket_id IS NOT NULL GROUP BY ticket_id, kind, threshold, user_id HAVING count(*) > 1) d"
        ),
        0,
        "no one notified twice"
    );
    assert!(fired
        .iter()
        .any(|f| f.kind == AlarmKind::Assigned || f.threshold == crate::alarms::BREACH));
    assert!(s.verify_audit().expect("verify").ok);
}

#[test]
fn seats_on_different_instances_see_each_other_on_a_ticket() {
    let cluster = hotline_pgcluster::Cluster::start().expect("cluster");
    let (stores, clock) = instances(&cluster);
    let (a, b) = (&stores[0], &stores[1]);
    let one = a.user(1).expect("admin");
    let two = a
        .create_user(None, "王工", 1, crate::model::Role::Supervisor)
        .expect("user");
    assert!(a.present(&one, "desk-1", Some(7), false).is_empty());
    let seen = b.present(&two, "desk-2", Some(7), true);
    assert_eq!(seen.iter().map(|p| p.user_id).collect::<Vec<_>>(), [one.id]);
    let seen = a.present(&one, "desk-1", Some(7), false);
    assert_eq!((seen[0].name.as_str(), seen[0].editing), ("王工", true));
    // Leaving through one instance is seen through the other; so is going quiet.
    b.present(&two, "desk-2", None, false);
    assert!(a.present(&one, "desk-1", Some(7), false).is_empty());
    b.present(&two, "desk-2", Some(7), false);
    clock.set(testutil::t0() + Duration::seconds(60));
    assert!(a.present(&one, "desk-1", Some(7), false).is_empty());
}
