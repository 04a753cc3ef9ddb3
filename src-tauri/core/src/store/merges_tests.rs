//! Repeated requests in the store: candidates by caller, address and words; merge then
//! split restores the call exactly (status, deadlines, caller), with every event kept.

use crate::duplicates::Reason;
use crate::model::{Status, Ticket};
use crate::store::testutil::{setup, t0};
use crate::ticket::tests::new_ticket;
use crate::{Action, NewTicket};
use chrono::Duration;

/// A ticket without what a merge and a split must change.
fn content(t: &Ticket) -> Ticket {
    Ticket {
        version: 0,
        updated_at: t0(),
        ..t.clone()
    }
}

#[test]
fn merge_then_split_restores_the_call_exactly() {
    let (_d, s, clock, dept, _h) = setup();
    let master = s
        .intake(
            1,
            &new_ticket(),
            Some(&Action::Transfer {
                department_id: dept,
                requirements: "请修复".into(),
                due_at: t0() + Duration::days(3),
                accept_due_at: None,
                co_department_ids: vec![],
                co_due_at: None,
            }),
        )
        .expect("master");
    clock.set(t0() + Duration::hours(2));
    let neighbour = NewTicket {
        phone: "139 0000 0001".into(),
        caller_name: "李四".into(),
        description: "幸福路12号门口路灯不亮好几天了".into(),
        ..new_ticket()
    };
    let dup = s.create_ticket(1, &neighbour).expect("call");
    let c = s
        .duplicate_candidates(
            "13900000001",
            "幸福路 12 号",
            &neighbour.description,
            "help_request",
            Some(dup.id),
        )
        .expect("candidates");
    assert_eq!(
        c.iter().map(|x| (x.id, x.reason)).collect::<Vec<_>>(),
        vec![(master.id, Reason::Address)]
    );
    let by_caller = s
        .duplicate_candidates("138 1234 5678", "", "别的事", "consultation", None)
        .expect("caller");
    assert_eq!(by_caller[0].reason, Reason::Caller);
    assert_eq!(
        s.duplicate_candidates("", "", "路灯", "nope", None)
            .map_err(|e| e.code())
            .err(),
        Some("not_found")
    );
    let before_events = s.timeline(dup.id).expect("events").len();
    let before = s.ticket(dup.id).expect("before");

    let merged = s.merge_ticket(dup.id, master.id, 1).expect("merged");
    assert_eq!(
        (merged.status, merged.merged_into),
        (Status::Closed, Some(master.id))
    );
    assert_eq!(s.merged_calls(master.id).expect("calls"), vec![dup.id]);
    // Twice, into itself, or into a merged call: refused, nothing written.
    for (a, b) in [
        (dup.id, master.id),
        (master.id, master.id),
        (master.id, dup.id),
    ] {
        assert!(s.merge_ticket(a, b, 1).is_err());
    }
    let after = s.split_ticket(dup.id, 1).expect("split");
    assert_eq!(content(&after), content(&before));
    assert!(after.version > before.version);
    let events: Vec<String> = s
        .timeline(dup.id)
        .expect("events")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(events.len(), before_events + 2);
    assert_eq!(&events[before_events..], ["merge", "split"]);
    let master_events: Vec<String> = s
        .timeline(master.id)
        .expect("m")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(master_events.ends_with(&["merged".to_string(), "unmerged".to_string()]));
    assert!(s.merged_calls(master.id).expect("calls").is_empty());
    assert_eq!(
        s.split_ticket(dup.id, 1).map_err(|e| e.code()).err(),
        Some("invalid_transition")
    );
    // Split back, the call is a call again and may be merged anew.
    s.merge_ticket(dup.id, master.id, 1).expect("merged again");
}

/// The reporting window counts repeated requests and their share: a repeat counts for its
/// master's department and its own category, once merged and until split back.
#[test]
fn repeated_requests_are_counted_per_department_and_category() {
    let (_d, s, _clock, dept, _h) = setup();
    let transfer = Action::Transfer {
        department_id: dept,
        requirements: "请修复".into(),
        due_at: t0() + Duration::days(3),
        accept_due_at: None,
        co_department_ids: vec![],
        co_due_at: None,
    };
    let master = s.intake(1, &new_ticket(), Some(&transfer)).expect("master");
    s.intake(1, &new_ticket(), Some(&transfer))
        .expect("another");
    let calls: Vec<Ticket> = (0..2)
        .map(|i| {
            let call = NewTicket {
                phone: format!("1390000000{i}"),
                ..new_ticket()
            };
            s.create_ticket(1, &call).expect("call")
        })
        .collect();
    let figures = || {
        s.dispatch_figures(t0() - Duration::days(1), t0() + Duration::days(1))
            .expect("figures")
    };
    assert_eq!(
        (
            figures().repeat_share.numerator,
            figures().repeat_share.denominator
        ),
        (0, 4)
    );
    for c in &calls {
        s.merge_ticket(c.id, master.id, 1).expect("merged");
    }
    let f = figures();
    assert_eq!(
        (f.repeat_share.numerator, f.repeat_share.denominator),
        (2, 4)
    );
    // 路灯管理所: two tickets of its own and two calls merged into one of them.
    assert_eq!(
        f.repeats_by_department
            .iter()
            .map(|r| (r.name.as_str(), r.repeats, r.received))
            .collect::<Vec<_>>(),
        [("路灯管理所", 2, 4)]
    );
    assert_eq!(
        f.repeats_by_category
            .iter()
            .map(|r| (r.name.as_str(), r.repeats, r.received))
            .collect::<Vec<_>>(),
        [("help_request", 2, 4)]
    );
    s.split_ticket(calls[0].id, 1).expect("split");
    assert_eq!(figures().repeat_share.numerator, 1);
}
