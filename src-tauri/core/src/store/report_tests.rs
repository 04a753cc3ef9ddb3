//! Tests of KPI counting and the report document.

use super::*;
use crate::cdr::{parse, Format};
use crate::lifecycle::Action;
use crate::model::{Role, Satisfaction};
use crate::report::{month, ReportQuery};
use crate::store::kpis::*;
use crate::store::sql::params_from_iter;
use crate::store::testutil::{lighting, store, t0};
use crate::ticket::tests::new_ticket;
use chrono::Duration;

const CDR: &str = "\"\",\"13812345678\",\"12345\",\"in\",\"\",\"SIP/t-1\",\"SIP/8001-2\",\"Dial\",\"\",\"2026-11-02 09:00:00\",\"2026-11-02 09:00:10\",\"2026-11-02 09:04:00\",240,230,\"ANSWERED\",\"DOCUMENTATION\",\"u1\"\n\
\"\",\"13900000001\",\"12345\",\"in\",\"\",\"SIP/t-3\",\"SIP/8001-4\",\"Dial\",\"\",\"2026-11-02 09:10:00\",\"2026-11-02 09:10:30\",\"2026-11-02 09:12:00\",120,90,\"ANSWERED\",\"DOCUMENTATION\",\"u2\"\n\
\"\",\"13900000002\",\"12345\",\"in\",\"\",\"SIP/t-5\",\"\",\"Queue\",\"\",\"2026-11-02 09:20:00\",,\"2026-11-02 09:21:00\",60,0,\"NO ANSWER\",\"DOCUMENTATION\",\"u3\"\n\
\"\",\"13900000003\",\"12345\",\"in\",\"\",\"SIP/t-6\",\"\",\"Queue\",\"\",\"2026-11-02 09:30:00\",,\"2026-11-02 09:30:02\",2,0,\"NO ANSWER\",\"DOCUMENTATION\",\"u4\"\n";

#[test]
fn kpis_against_hand_computed_figures() {
    let (_d, s, clock) = store();
    let (dept, handler) = lighting(&s);
    let agent = s.create_user(None, "李娜", 1, Role::Agent).expect("u").id;
    s.set_user_extension(agent, Some("8001")).expect("ext");
    // Ticket A: transferred, accepted on time, replied late, satisfied.
    let a = s
        .intake(
            agent,
            &new_ticket(),
            Some(&Action::Transfer {
                department_id: dept,
                requirements: "核查".into(),
                due_at: t0() + Duration::hours(2),
                accept_due_at: Some(t0() + Duration::hours(1)),
                co_department_ids: vec![],
                co_due_at: None,
            }),
        )
        .expect("a");
    clock.advance(Duration::minutes(30));
    let a = s
        .act(a.id, a.version, handler, &Action::Accept { note: None })
        .expect("accept");
    clock.advance(Duration::hours(3));
    let a = s
        .act(
            a.id,
            a.version,
            handler,
            &Action::Reply {
                result: "已修复".into(),
                resolved: Some(true),
            },
        )
        .expect("reply");
    s.act(
        a.id,
        a.version,
        agent,
        &Action::Feedback {
            satisfaction: Some(Satisfaction::Satisfied),
            note: None,
            redispatch_due_at: None,
            no_redispatch_reason: None,
        },
    )
    .expect("fb");
    // Ticket B: answered at once.
    s.intake(
        agent,
        &crate::NewTicket {
            phone: "13900000001".into(),
            ..new_ticket()
        },
        Some(&Action::Answer {
            answer: "已解答".into(),
            callback: false,
            article: None,
        }),
    )
    .expect("b");
    // Calls: 4 in the file, 1 a 2-second abandon (not offered), 2 of 3 answered, 1 within 15 s.
    let (calls, bad) =
        parse(CDR.as_bytes(), Format::Asterisk, chrono_tz::Asia::Shanghai).expect("cdr");
    let r = s.import_calls(&calls, "asterisk", bad).expect("import");
    assert_eq!((r.imported, r.linked_tickets, r.linked_agents), (4, 1, 2));
    let again = s.import_calls(&calls, "asterisk", vec![]).expect("again");
    assert_eq!((again.imported, again.duplicates), (0, 4));

    let (from, to) = month("2026-11", chrono_tz::Asia::Shanghai).expect("month");
    let rep = s.report(&ReportQuery::new(from, to)).expect("report");
    let k = |key: &str| {
        rep.kpis
            .iter()
            .find(|k| k.key == key)
            .map(|k| (k.numerator, k.denominator))
            .expect(key)
    };
    assert_eq!(k("answer_rate"), (2, 3));
    assert_eq!(k("answered_within"), (1, 3));
    assert_eq!(k("on_time_acceptance"), (1, 1));
    assert_eq!(k("on_time_handling"), (0, 1));
    assert_eq!(k("satisfaction"), (1, 1));
    assert_eq!(k("direct_answer"), (1, 2));
    assert_eq!(k("closure"), (1, 2));
    assert_eq!(k("redispatch"), (0, 1));
    // 09:00 to 12:30 on a Monday: 3 business hours and 0 after lunch started at 12:00.
    assert_eq!(rep.handling_hours_avg, Some(3.0));
    assert_eq!(rep.by_category, [("help_request".to_string(), 2)]);
    // The tickets behind a figure: the one due, none replied in time.
    let nov = ReportQuery::new(rep.from, rep.to);
    let calls = s.kpi_calls(&nov, "answered_within", false).expect("calls");
    assert_eq!(
        calls.iter().map(|c| c.ring_seconds).collect::<Vec<_>>(),
        [Some(10)]
    );
    assert_eq!(
        s.kpi_calls(&nov, "answer_rate", true).expect("calls").len(),
        3
    );
    let due = s
        .kpi_tickets(&nov, "on_time_handling", true)
        .expect("drill");
    assert_eq!(due.iter().map(|r| r.id).collect::<Vec<_>>(), [a.id]);
    assert!(s
        .kpi_tickets(&nov, "on_time_handling", false)
        .expect("drill")
        .is_empty());
    assert_eq!(
        s.kpi_tickets(&nov, "nope", false)
            .map_err(|e| e.code())
            .err(),
        Some("invalid_value")
    );
    // An empty month: every ratio is "—", never NaN.
    let (from, to) = month("2026-10", chrono_tz::Asia::Shanghai).expect("month");
    let empty = s.report(&ReportQuery::new(from, to)).expect("report");
    assert!(empty.kpis.iter().all(|k| k.value.is_none()));
    let (agents, depts) = s
        .assessment(
            &ReportQuery::new(
                month("2026-11", chrono_tz::Asia::Shanghai).expect("m").0,
                month("2026-11", chrono_tz::Asia::Shanghai).expect("m").1,
            ),
            &ReportQuery::new(from, to),
        )
        .expect("assessment");
    let li = agents.iter().find(|a| a.id == agent).expect("agent");
    // direct answer 1/2 (weight 0.3), satisfaction 1/1 (0.4), the callback due this month
    // not yet made 0/1 (0.3): 0.15 + 0.4 + 0 = 55 points.
    assert_eq!(
        (li.score, li.rank, li.previous_score),
        (Some(55.0), Some(1), None)
    );
    let d = depts.iter().find(|d| d.id == dept).expect("dept");
    // acceptance 1 (0.2), handling 0 (0.4), satisfaction 1 (0.3), no redispatch 1 (0.1): 0.6.
    assert_eq!(d.score, Some(60.0));
}

/// Every KPI count and drill-down is driven by its period column's index, with no
/// full scan of tickets or events, and the per-ticket `EXISTS` reads that ticket's
/// events only. Without the `+` hints SQLite (no statistics) counted closures through
/// the queue index and walked every event of an action per ticket: the monthly report
/// took minutes at 20 000 tickets and 13 s at a million.
#[test]
fn kpi_counts_are_driven_by_the_period_index() {
    let (_d, s, _clock) = crate::store::testutil::sqlite_store();
    let q = ReportQuery::new(t0(), t0() + Duration::days(30));
    let mut filtered = q.clone();
    filtered.channel = Some(crate::model::Channel::Phone);
    let settings = s.kpi_settings().expect("settings");
    let driver = |base: &str| match base {
        RECEIVED => "tickets_by_received",
        ACCEPT_DUE => "tickets_by_accept_due",
        DUE => "tickets_by_due",
        CLOSED => "tickets_by_closed",
        CALLBACK_DUE => "tickets_by_callback_due",
        FEEDBACK => "evaluations_by_time",
        _ => "events_by_action",
    };
    let plan = |sql: &str, params: &[Sql]| -> Vec<String> {
        s.read(|c| {
            let mut st = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
            let rows = st
                .query_map(params_from_iter(params.iter()), |r| r.get(3))?
                .collect::<crate::store::sql::Result<_>>()?;
            Ok(rows)
        })
        .expect("plan")
    };
    let mut queries = Vec::new();
    for (i, (key, base, num, den)) in TICKET_KPIS.iter().enumerate() {
        for q in [&q, &filtered] {
            let (sql, params) = KpiCounts::sql(base, &[i], q, &settings);
            queries.push((*key, *base, sql, params, q.channel.is_none()));
        }
        for cond in [num, den] {
            let (w, params) = scoped(&format!("{base} AND ({cond})"), &filtered, &settings);
            let sql = super::super::queues::number(&format!("SELECT DISTINCT t.id {w}"), 0);
            queries.push((*key, *base, sql, params, false));
        }
    }
    for (key, base, sql, params, unfiltered) in queries {
        let plan = plan(&sql, &params);
        let text = plan.join(" | ");
        assert!(plan[0].contains(driver(base)), "{key}: {text}");
        // Unfiltered counts read index pages only.
        if unfiltered {
            assert!(
                plan[0].contains(&format!("COVERING INDEX {}", driver(base))),
                "{key}: {text}"
            );
        }
        // The one scan allowed: the drills' own partial index (their calls are left out).
        assert!(
            plan.iter()
                .all(|p| !p.starts_with("SCAN ") || p.contains("INDEX incidents_drills")),
            "{key}: {text}"
        );
        if sql.contains("EXISTS") {
            assert!(
                text.contains("COVERING INDEX events_by_ticket_action (ticket_id=?"),
                "{key}: {text}"
            );
        }
    }
}

/// 二次回访: an unsatisfied caller re-handled and asked again counts once, by the setting's
/// choice of the last evaluation (the default) or the first; the other is not counted.
#[test]
fn a_re_handled_ticket_counts_the_evaluation_the_setting_names() {
    let (_d, s, clock) = store();
    let (dept, handler) = lighting(&s);
    let admin = s.user(1).expect("admin");
    let t = s
        .intake(
            1,
            &new_ticket(),
            Some(&Action::Transfer {
                department_id: dept,
                requirements: "核查".into(),
                due_at: t0() + Duration::hours(4),
                accept_due_at: None,
                co_department_ids: vec![],
                co_due_at: None,
            }),
        )
        .expect("t");
    let reply = |t: crate::model::Ticket| {
        s.act(
            t.id,
            t.version,
            handler,
            &Action::Reply {
                result: "已处理".into(),
                resolved: Some(true),
            },
        )
        .expect("reply")
    };
    let feedback = |t: crate::model::Ticket, sat: Satisfaction, again: bool| {
        s.act(
            t.id,
            t.version,
            1,
            &Action::Feedback {
                satisfaction: Some(sat),
                note: None,
                redispatch_due_at: again.then(|| t0() + Duration::days(2)),
                no_redispatch_reason: None,
            },
        )
        .expect("feedback")
    };
    let t = s
        .act(t.id, t.version, handler, &Action::Accept { note: None })
        .expect("accept");
    let t = feedback(reply(t), Satisfaction::Unsatisfied, true);
    clock.advance(Duration::hours(1));
    let t = s
        .act(t.id, t.version, handler, &Action::Accept { note: None })
        .unwrap_or(t);
    feedback(reply(t), Satisfaction::Satisfied, false);
    let (from, to) = month("2026-11", chrono_tz::Asia::Shanghai).expect("month");
    let sat = |s: &Store| {
        let r = s.report(&ReportQuery::new(from, to)).expect("report");
        let k = r
            .kpis
            .into_iter()
            .find(|k| k.key == "satisfaction")
            .expect("k");
        (k.numerator, k.denominator)
    };
    assert_eq!(sat(&s), (1, 1), "the last evaluation counts by default");
    s.set_setting(Some(&admin), "evaluation_counted", "first")
        .expect("first");
    assert_eq!(sat(&s), (0, 1));
    assert!(s
        .set_setting(Some(&admin), "evaluation_counted", "both")
        .is_err());
}

#[test]
fn both_halves_of_a_split_snapshot_read_one_state() {
    let (_d, s, _c) = store();
    let agent = s.create_user(None, "李娜", 1, Role::Agent).expect("u").id;
    s.create_ticket(agent, &new_ticket()).expect("t");
    let count = |c: &Connection| -> Result<i64> {
        Ok(c.query_row("SELECT count(*) FROM tickets", [], |r| r.get(0))?)
    };
    let (written, wait) = std::sync::mpsc::channel();
    let (a, b, then, side_by_side) = s
        .snapshot_split(
            |c| {
                let before = count(c)?;
                // A write commits while the snapshot is open: no half sees it, the other
                // half reading only after it.
                s.create_ticket(agent, &new_ticket())?;
                let _ = written.send(());
                Ok((before, count(c)?, std::thread::current().id()))
            },
            move |c| {
                let _ = wait.recv_timeout(std::time::Duration::from_secs(10));
                Ok((count(c)?, std::thread::current().id()))
            },
            |c, (before, after, here), (other, there)| {
                Ok(((before, after), other, count(c)?, here != there))
            },
        )
        .expect("split");
    assert_eq!((a, b, then), ((1, 1), 1, 1));
    assert_eq!(s.read(count).expect("count"), 2);
    // The test stores have a second reader free: the halves ran on two connections.
    assert!(side_by_side);
}

#[test]
fn no_commit_lands_between_the_two_snapshots_of_a_split() {
    let (_d, s, _c) = store();
    if s.is_postgres() {
        // One snapshot exported to the second session: nothing lies between them.
        return;
    }
    let count = |c: &Connection| -> Result<i64> {
        Ok(c.query_row("SELECT count(*) FROM settings", [], |r| r.get(0))?)
    };
    let path = s.path().to_path_buf();
    let (tried, result) = std::sync::mpsc::channel();
    crate::store::db::BETWEEN_SNAPSHOTS.with(|h| {
        *h.borrow_mut() = Some(Box::new(move || {
            // Another process's write, not waiting: it must find the file locked.
            let other = rusqlite::Connection::open(&path).expect("open");
            other
                .busy_timeout(std::time::Duration::ZERO)
                .expect("timeout");
            let r = other.execute(
                "INSERT INTO settings (key, value) VALUES ('between', '1')",
                [],
            );
            let _ = tried.send(r.is_ok());
        }))
    });
    let (a, b) = s
        .snapshot_split(count, count, |_, a, b| Ok((a, b)))
        .expect("split");
    assert_eq!(result.try_recv(), Ok(false), "a commit landed mid-split");
    assert_eq!(a, b);
}

#[test]
fn a_split_does_not_wait_behind_a_write() {
    let (_d, s, _c) = store();
    if s.is_postgres() {
        return;
    }
    // Another process is writing (an import holds the lock for seconds): the halves run
    // one after the other on one reader instead of waiting for the lock.
    let other = rusqlite::Connection::open(s.path()).expect("open");
    other.execute_batch("BEGIN IMMEDIATE").expect("lock");
    let here = || -> Result<std::thread::ThreadId> { Ok(std::thread::current().id()) };
    let started = std::time::Instant::now();
    let (a, b) = s
        .snapshot_split(|_| here(), |_| here(), |_, a, b| Ok((a, b)))
        .expect("split while another process writes");
    assert_eq!(a, b, "one after the other");
    // Not after the connections' 5 s busy timeout: at once.
    assert!(started.elapsed() < std::time::Duration::from_millis(2500));
    other.execute_batch("ROLLBACK").expect("unlock");
    let (a, b) = s
        .snapshot_split(|_| here(), |_| here(), |_, a, b| Ok((a, b)))
        .expect("split");
    assert_ne!(a, b, "side by side once the lock is free");
}
