//! The dispatch catalogue in the store: the most specific rule suggests the lead, its
//! co-handlers and its deadline; every transfer is logged beside the suggestion (an
//! override on record); accuracy counts first transfers neither returned nor re-routed.

use crate::calendar::Span;
use crate::dispatch::NewRule;
use crate::model::{Role, Severity};
use crate::store::testutil::{setup, t0};
use crate::ticket::tests::new_ticket;
use crate::Action;
use chrono::Duration;

fn transfer(dept: i64) -> Action {
    Action::Transfer {
        department_id: dept,
        requirements: "请按职责办理".into(),
        due_at: t0() + Duration::days(5),
        accept_due_at: None,
        co_department_ids: vec![],
        co_due_at: None,
    }
}

#[test]
fn the_catalogue_suggests_and_every_transfer_is_logged() {
    let (_d, s, _c, lighting, handler) = setup();
    let admin = s.user(1).expect("admin");
    let water = s
        .create_department(None, "water", "自来水公司", None)
        .expect("water")
        .id;
    let district = s
        .create_department(None, "binjiang", "滨江区政府", None)
        .expect("district")
        .id;
    let rule =
        |keywords: &[&str], area: Option<&str>, lead: i64, co: Vec<i64>, days: Option<i64>| {
            NewRule {
                category: "help_request".into(),
                keywords: keywords.iter().map(|k| k.to_string()).collect(),
                area: area.map(String::from),
                lead_department_id: lead,
                co_department_ids: co,
                handle: days.map(Span::WorkingDays),
                note: String::new(),
            }
        };
    let general = s
        .add_dispatch_rule((&admin).into(), &rule(&[], None, district, vec![], None))
        .expect("general");
    let lamps = s
        .add_dispatch_rule(
            (&admin).into(),
            &rule(&["路灯", "电杆"], None, lighting, vec![district], Some(2)),
        )
        .expect("lamps");
    assert_eq!(lamps.co_departments, vec!["滨江区政府".to_string()]);
    // Refused rules write nothing.
    let before = s.dispatch_rules(true).expect("rules").len();
    for (bad, code) in [
        (
            NewRule {
                category: "nope".into(),
                ..rule(&[], None, water, vec![], None)
            },
            "not_found",
        ),
        (rule(&[], None, water, vec![water], None), "invalid_value"),
        (rule(&[], None, 999, vec![], None), "not_found"),
    ] {
        assert_eq!(
            s.add_dispatch_rule((&admin).into(), &bad)
                .map_err(|e| e.code())
                .err(),
            Some(code)
        );
    }
    assert_eq!(s.dispatch_rules(true).expect("rules").len(), before);

    let got = s
        .suggest_dispatch(
            "help_request",
            "小区路灯连续三晚不亮",
            "幸福路 12 号",
            Severity::General,
            None,
        )
        .expect("suggest")
        .expect("a rule applies");
    assert_eq!((got.rule_id, got.lead.id), (lamps.rule.id, lighting));
    assert_eq!(
        got.co.iter().map(|n| n.id).collect::<Vec<_>>(),
        vec![district]
    );
    assert_eq!(got.next.map(|n| n.id), Some(district));
    // After the lighting office returned it, the catalogue names the next department.
    let rerouted = s
        .suggest_dispatch(
            "help_request",
            "小区路灯连续三晚不亮",
            "",
            Severity::General,
            Some(lighting),
        )
        .expect("suggest")
        .expect("another rule applies");
    assert_eq!(rerouted.lead.id, district);
    // Two working days from Monday 2 November 09:00: Wednesday 09:00 (Shanghai).
    assert_eq!(got.due_at, Some(t0() + Duration::days(2)));
    // A grave request keeps the severity's policy (hours, not the rule's days).
    let grave = s
        .suggest_dispatch("help_request", "路灯倒了砸到车", "", Severity::Major, None)
        .expect("suggest")
        .expect("rule");
    assert_eq!(grave.due_at, Some(t0() + Duration::hours(24)));
    let other = s
        .suggest_dispatch("help_request", "噪声扰民", "", Severity::General, None)
        .expect("suggest")
        .expect("rule");
    assert_eq!(other.rule_id, general.rule.id);
    assert!(s
        .suggest_dispatch("consultation", "路灯", "", Severity::General, None)
        .expect("suggest")
        .is_none());

    // As suggested, then overridden: both logged.
    let a = s
        .intake(1, &new_ticket(), Some(&transfer(lighting)))
        .expect("a");
    let b = s
        .intake(1, &new_ticket(), Some(&transfer(water)))
        .expect("b");
    let logged: Vec<(i64, Option<i64>, bool)> = s
        .read(|c| {
            Ok(c.prepare("SELECT department_id, suggested_department_id, overridden FROM dispatch_log ORDER BY id")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<crate::store::sql::Result<_>>()?)
        })
        .expect("log");
    assert_eq!(
        logged,
        vec![
            (lighting, Some(lighting), false),
            (water, Some(lighting), true)
        ]
    );
    // b comes back and goes to the right department: first transfers 2, kept 1.
    let water_handler = s
        .create_user(None, "水司 周", water, Role::Handler)
        .expect("handler");
    s.act(
        b.id,
        b.version,
        water_handler.id,
        &Action::Return {
            reason: "非本单位职责".into(),
            reason_code: Some("not_ours".parse().expect("code")),
        },
    )
    .expect("asked");
    s.decide_return(&admin, b.id, true, None).expect("approved");
    let b = s.ticket(b.id).expect("returned");
    s.act(b.id, b.version, 1, &transfer(lighting))
        .expect("re-routed");
    let f = s
        .dispatch_figures(t0() - Duration::days(1), t0() + Duration::days(1))
        .expect("figures");
    assert_eq!((f.accuracy.numerator, f.accuracy.denominator), (1, 2));
    assert_eq!((f.overrides.numerator, f.overrides.denominator), (1, 3));
    let _ = (a, handler);
    // Retired, a rule suggests nothing more; it stays listed with `all`.
    s.retire_dispatch_rule((&admin).into(), lamps.rule.id)
        .expect("retired");
    let now = s
        .suggest_dispatch("help_request", "路灯不亮", "", Severity::General, None)
        .expect("suggest")
        .expect("general rule");
    assert_eq!(now.lead.id, district);
    assert_eq!(s.dispatch_rules(false).expect("active").len(), 1);
    assert_eq!(s.dispatch_rules(true).expect("all").len(), 2);
}
