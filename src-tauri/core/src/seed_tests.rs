//! Tests of demo data.

use super::*;
use crate::store::testutil::store;
use crate::store::ListQuery;

#[test]
fn seeds_consistent_deterministic_lifecycles() {
    let opts = SeedOptions {
        tickets: 600,
        days: 30,
        seed: 7,
        extra_calls: 0,
    };
    let (_d1, a, _c1) = store();
    let (_d2, b, _c2) = store();
    let ra = seed(&a, opts).expect("seed a");
    let rb = seed(&b, opts).expect("seed b");
    assert_eq!(ra, rb);
    assert_eq!(ra.tickets, 600);
    // Most statuses occur in a month of data.
    assert!(ra.by_status.len() >= 5, "{:?}", ra.by_status);
    let pa = a
        .list(&ListQuery {
            limit: 500,
            ..Default::default()
        })
        .expect("list");
    let pb = b
        .list(&ListQuery {
            limit: 500,
            ..Default::default()
        })
        .expect("list");
    assert_eq!(pa.rows, pb.rows);
    // Every timeline replays to its ticket's status; deadlines never precede receipt.
    for row in pa.rows.iter().take(200) {
        let d = a.detail(row.id).expect("detail");
        assert_eq!(
            d.events.last().map(|e| e.to_status),
            Some(d.ticket.status),
            "{}",
            row.number
        );
        assert_eq!(d.events[0].action, "create");
        if let Some(due) = d.ticket.due_at {
            assert!(due > d.ticket.received_at);
        }
    }
    // Seeding again adds tickets but reuses the staff.
    let users = a.users().expect("users").len();
    seed(
        &a,
        SeedOptions {
            tickets: 10,
            ..opts
        },
    )
    .expect("again");
    assert_eq!(a.users().expect("users").len(), users);
}
