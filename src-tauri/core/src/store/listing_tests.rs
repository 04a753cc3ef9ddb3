//! Scenario tests of the queues and the search: filters, order, counts past the cap, every
//! kind of search, bulk writes indexed like single ones, and ranking.

use super::*;
use crate::error::{Error, Result};
use crate::lifecycle::Action;
use crate::model::{Queue, Ticket};
use crate::search::Query;
use crate::store::bulk::SEARCH_TRIGGERS;
use crate::store::testutil::{found, setup, store, t0};
use crate::store::{queues, ListQuery, Sort};
use crate::ticket::tests::new_ticket;
use crate::NewTicket;
use chrono::Duration;

#[test]
fn queues_filter_search_sort_and_count() {
    let (_d, s, clock, dept, _) = setup();
    let mut ids = vec![];
    for (n, phone) in ["13800000001", "13800000002", "13800000003"]
        .iter()
        .enumerate()
    {
        clock.advance(Duration::minutes(10));
        let x = s
            .create_ticket(
                1,
                &NewTicket {
                    phone: phone.to_string(),
                    description: format!("第{n}件 噪声扰民"),
                    ..new_ticket()
                },
            )
            .expect("create");
        ids.push(x);
    }
    let due = t0() + Duration::days(2);
    let x = &ids[1];
    s.act(
        x.id,
        x.version,
        1,
        &Action::Transfer {
            department_id: dept,
            requirements: "核查".into(),
            due_at: due,
            accept_due_at: None,
            co_department_ids: vec![],
            co_due_at: None,
        },
    )
    .expect("transfer");
    let page = s
        .list(&ListQuery {
            statuses: vec![Status::Transferred],
            department_id: Some(dept),
            ..Default::default()
        })
        .expect("q");
    assert_eq!((page.total, page.rows[0].id), (1, x.id));
    assert_eq!(page.rows[0].department_name.as_deref(), Some("路灯管理所"));
    let page = s
        .list(&ListQuery {
            search: Some("138 0000 0003".into()),
            ..Default::default()
        })
        .expect("phone");
    assert_eq!(
        page.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        [ids[2].id]
    );
    let page = s
        .list(&ListQuery {
            search: Some(ids[0].number.clone()),
            ..Default::default()
        })
        .expect("number");
    assert_eq!(
        page.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        [ids[0].id]
    );
    let page = s
        .list(&ListQuery {
            search: Some("第2件".into()),
            ..Default::default()
        })
        .expect("text");
    assert_eq!(
        page.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        [ids[2].id]
    );
    let page = s
        .list(&ListQuery {
            search: Some("100%_'--".into()),
            ..Default::default()
        })
        .expect("hostile");
    assert_eq!(page.total, 0);
    let page = s
        .list(&ListQuery {
            limit: 2,
            ..Default::default()
        })
        .expect("page");
    assert_eq!(
        (page.total, page.rows.len(), page.rows[0].id),
        (3, 2, ids[2].id)
    );
    let page = s
        .list(&ListQuery {
            sort: Sort::DueAsc,
            ..Default::default()
        })
        .expect("due");
    assert_eq!(page.rows[0].id, x.id);
    let counts = s.status_counts().expect("counts");
    assert_eq!(
        (
            counts[&Status::Received],
            counts[&Status::Transferred],
            counts[&Status::Archived]
        ),
        (2, 1, 0)
    );
    let page = s
        .list(&ListQuery {
            category_id: Some(2),
            ..Default::default()
        })
        .expect("category tree");
    assert_eq!(page.total, 0);
}

/// A common word: newest first is the index's logging order (the newest matches,
/// exactly), ranked is the best of the newest `RANK_WINDOW` matches, both under the
/// queue's filters and counted in full.
#[test]
fn common_words_are_searched_newest_matches_first() {
    let (_d, s, _c) = store();
    crate::seed::seed(
        &s,
        crate::seed::SeedOptions {
            tickets: 6_000,
            days: 60,
            seed: 9,
            extra_calls: 0,
        },
    )
    .expect("seed");
    let admin = s.first_admin().expect("admin").id;
    let word = "问题";
    let matching: Vec<i64> = s
        .read(|c| {
            let mut st = c.prepare(
                "SELECT id FROM tickets WHERE description || coalesce(answer, '') || coalesce(result, '') LIKE '%问题%' ORDER BY id DESC",
            )?;
            let ids = st
                .query_map([], |r| r.get(0))?
                .collect::<crate::store::sql::Result<_>>()?;
            Ok(ids)
        })
        .expect("ids");
    assert!(matching.len() as i64 > RANK_WINDOW, "{}", matching.len());
    let page = |sort: Sort, queue: Option<Queue>| {
        s.list_as(
            admin,
            &ListQuery {
                search: Some(word.into()),
                sort,
                queue,
                ..Default::default()
            },
        )
        .expect("search")
    };
    let newest = page(Sort::ReceivedDesc, None);
    let ids: Vec<i64> = newest.rows.iter().map(|r| r.id).collect();
    assert_eq!(ids, matching[..50]);
    assert_eq!(
        (newest.total, newest.capped),
        (matching.len() as i64, false)
    );
    let ranked = page(Sort::Relevance, None);
    let window = &matching[..RANK_WINDOW as usize];
    assert_eq!(ranked.rows.len(), 50);
    assert!(ranked.rows.iter().all(|r| window.contains(&r.id)));
    assert_eq!(ranked.total, matching.len() as i64);
    // Under a queue's filter the newest matches of that queue, not of all tickets.
    let closed = page(Sort::ReceivedDesc, Some(Queue::Closed));
    assert!(!closed.rows.is_empty());
    assert!(closed
        .rows
        .iter()
        .all(|r| matches!(r.status, Status::Closed | Status::Archived)));
    assert!(closed.rows.windows(2).all(|w| w[0].id > w[1].id));
}

/// Past `COUNT_CAP` a page says "more than" instead of counting the whole archive,
/// pages beyond the cap still count, and small queues stay exact.
#[test]
fn big_queues_count_up_to_the_cap() {
    let (_d, s, _c) = store();
    let cap = queues::COUNT_CAP;
    crate::seed::seed(
        &s,
        crate::seed::SeedOptions {
            tickets: cap as u64 + 200,
            days: 60,
            seed: 3,
            extra_calls: 0,
        },
    )
    .expect("seed");
    let all = |offset: u32| {
        s.list(&ListQuery {
            queue: Some(Queue::All),
            offset,
            ..Default::default()
        })
        .expect("list")
    };
    let first = all(0);
    assert_eq!((first.total, first.capped), (cap + 50, true));
    assert_eq!(first.rows.len(), 50);
    let far = all(cap as u32);
    assert_eq!((far.total, far.capped), (cap + 200, false));
    let counts = s
        .queue_counts(s.first_admin().expect("admin").id)
        .expect("counts");
    assert_eq!(counts[&Queue::All], cap + 1, "more than the cap");
    let open = s
        .list(&ListQuery {
            queue: Some(Queue::InProgress),
            ..Default::default()
        })
        .expect("in progress");
    assert!(!open.capped && open.total < cap);
    assert_eq!(counts[&Queue::InProgress], open.total);
    // The closed queue is read newest first from the date index, not sorted whole.
    let closed = s
        .list(&ListQuery {
            queue: Some(Queue::Closed),
            ..Default::default()
        })
        .expect("closed");
    assert!(closed
        .rows
        .windows(2)
        .all(|w| w[0].received_at >= w[1].received_at));
}

#[test]
fn search_finds_words_short_words_phone_fragments_and_numbers() {
    let (_d, s, _c, dept, handler) = setup();
    let mk = |phone: &str, text: &str| {
        s.create_ticket(
            1,
            &NewTicket {
                phone: phone.into(),
                description: text.into(),
                ..new_ticket()
            },
        )
        .expect("create")
    };
    let a = mk("13812345678", "小区路灯连续三晚不亮，夜间出行不安全");
    let b = mk("13900001111", "楼下下水道堵塞，污水外溢");
    let c = mk("02162345678", "施工噪声扰民");
    let ids = |q: &str| -> Vec<i64> {
        let mut v: Vec<i64> = s
            .list(&ListQuery {
                search: Some(q.into()),
                ..Default::default()
            })
            .expect("search")
            .rows
            .iter()
            .map(|r| r.id)
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids("路灯连续"), [a.id], "trigram phrase");
    assert_eq!(
        ids("污水"),
        [b.id],
        "two characters: below the trigram length"
    );
    assert_eq!(ids("噪"), [c.id], "one character");
    assert_eq!(ids("0000111"), [b.id], "a fragment of a phone number");
    assert_eq!(
        ids("021-62345678"),
        [c.id],
        "a whole number in another spelling"
    );
    assert_eq!(ids(&a.number), [a.id], "a ticket number");
    assert_eq!(
        ids("\"; DROP TABLE tickets; --"),
        Vec::<i64>::new(),
        "hostile input is only text"
    );
    // The index follows updates: a department's result is searchable.
    let t = s
        .act(
            b.id,
            b.version,
            1,
            &Action::Transfer {
                department_id: dept,
                requirements: "疏通".into(),
                due_at: t0() + Duration::days(2),
                accept_due_at: None,
                co_department_ids: vec![],
                co_due_at: None,
            },
        )
        .expect("transfer");
    let t = s
        .act(t.id, t.version, handler.id, &Action::Accept { note: None })
        .expect("accept");
    s.act(
        t.id,
        t.version,
        handler.id,
        &Action::Reply {
            result: "已安排高压清洗车疏通管道".into(),
            resolved: Some(true),
        },
    )
    .expect("reply");
    assert_eq!(ids("高压清洗"), [b.id]);
    assert_eq!(ids("清洗"), [b.id], "two characters of an update");
    assert_eq!(ids("5678"), [a.id, c.id], "a fragment in two numbers");

    // Two-character and fragment searches are answered by the bigram index (on
    // PostgreSQL the character-pair and trigram indexes), not by reading every ticket.
    let pg = s.is_postgres();
    let plan = |q: &str| -> String {
        let query = Query::parse(q);
        let (cond, params) = search_condition(&query, pg);
        // In a transaction: a read's statements are each their own, and a SET LOCAL
        // outside one does nothing.
        s.snapshot(|c| {
            let explain = if pg {
                // A handful of rows: PostgreSQL would rightly read them all; what is
                // asked is whether the index can answer.
                c.execute_batch("SET LOCAL enable_seqscan = off")?;
                "EXPLAIN"
            } else {
                "EXPLAIN QUERY PLAN"
            };
            let mut st = c.prepare(&format!(
                "{explain} SELECT t.id FROM tickets t WHERE {}",
                queues::number(&cond, 0)
            ))?;
            let column = if pg { 0 } else { 3 };
            let rows: Vec<String> = st
                .query_map(params_from_iter(params.iter()), |r| r.get(column))?
                .collect::<crate::store::sql::Result<_>>()?;
            Ok(rows.join(" | "))
        })
        .expect("plan")
    };
    for q in ["污水", "5678", "路灯连续"] {
        let p = plan(q);
        if pg {
            assert!(p.contains("Index Scan on tickets_"), "{q}: {p}");
            assert!(!p.contains("Seq Scan"), "{q}: {p}");
        } else {
            assert!(p.contains("VIRTUAL TABLE INDEX 0:M"), "{q}: {p}");
            assert!(
                p.split(" | ")
                    .all(|x| x != "SCAN t" && !x.starts_with("SCAN t ")),
                "{q}: {p}"
            );
        }
    }
}

/// Bulk writes index their tickets in one statement after the rows (see
/// `suspend_search_triggers`): every kind of search finds them as it finds tickets
/// created one by one, the index agrees with the table, and the triggers are back
/// whether the bulk write committed or failed.
#[test]
fn bulk_rows_are_indexed_like_single_ones() {
    let (_d, s, _c, _, _) = setup();
    let calls = [
        ("13812345678", "小区路灯连续三晚不亮", "已派人检修"),
        ("13900001111", "楼下下水道堵塞，污水外溢", ""),
        ("02162345678", "施工噪声扰民 ABC", "已告知城管"),
    ];
    let mut csv = String::from("caller_name,phone,description,category,answer\n");
    for (phone, text, answer) in calls {
        csv += &format!("张三,{phone},{text},consultation,{answer}\n");
    }
    let bulk = crate::exchange::import_csv(&s, 1, csv.as_bytes(), true).expect("import");
    assert_eq!(bulk.imported, 3);
    let failed: Result<()> = s.bulk(|_| Err(Error::OccurredInFuture));
    assert!(failed.is_err());
    let single: Vec<Ticket> = calls
        .iter()
        .map(|(phone, text, answer)| {
            let t = s
                .create_ticket(
                    1,
                    &NewTicket {
                        phone: phone.to_string(),
                        description: text.to_string(),
                        category: "consultation".into(),
                        ..new_ticket()
                    },
                )
                .expect("create");
            if answer.is_empty() {
                return t;
            }
            let answer = Action::Answer {
                answer: answer.to_string(),
                callback: false,
                article: None,
            };
            s.act(t.id, t.version, 1, &answer).expect("answer")
        })
        .collect();
    // Numbers run on across bulk and single writes on the same day.
    let seq = |n: &str| n.rsplit('-').next().map(str::to_string);
    let numbers: Vec<_> = bulk
        .numbers
        .iter()
        .chain(single.iter().map(|t| &t.number))
        .collect();
    assert_eq!(
        numbers.iter().filter_map(|n| seq(n)).collect::<Vec<_>>(),
        ["0001", "0002", "0003", "0004", "0005", "0006"]
    );
    let again = crate::exchange::import_csv(&s, 1, csv.as_bytes(), true).expect("import");
    assert_eq!(
        again.numbers.first().and_then(|n| seq(n)).as_deref(),
        Some("0007")
    );
    let found = |q: &str| -> Vec<String> {
        let mut v: Vec<String> = s
            .list(&ListQuery {
                search: Some(q.into()),
                ..Default::default()
            })
            .expect("search")
            .rows
            .into_iter()
            .map(|r| r.number)
            .collect();
        v.sort();
        v
    };
    let pair = |i: usize| {
        let mut v = vec![
            bulk.numbers[i].clone(),
            single[i].number.clone(),
            again.numbers[i].clone(),
        ];
        v.sort();
        v
    };
    for (q, i) in [
        ("路灯连续", 0),
        ("污水", 1),
        ("噪", 2),
        ("abc", 2),
        ("0000111", 1),
        ("检修", 0),
        ("已告知城管", 2),
    ] {
        assert_eq!(found(q), pair(i), "{q}");
    }
    if s.is_postgres() {
        // The indexes' sizes kept by the trigger agree with the tickets' texts.
        let (kept, counted): ((i64, i64), (i64, i64)) = s
            .read(|c| {
                Ok((
                    c.query_row("SELECT rows, tokens FROM search_sizes WHERE index_name = 'bigram'", [], |r| Ok((r.get(0)?, r.get(1)?)))?,
                    c.query_row(
                        "SELECT count(*), sum(hd_bigram_tokens(phone, description, answer, result))::BIGINT FROM tickets",
                        [],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )?,
                ))
            })
            .expect("sizes");
        assert_eq!(kept, counted);
        return;
    }
    // FTS5's check is an INSERT: it needs the writer, and writes nothing.
    s.write(|c| {
        c.execute(
            "INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )?;
        let triggers: i64 = c.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (?1, ?2)",
            SEARCH_TRIGGERS,
            |r| r.get(0),
        )?;
        assert_eq!(triggers, 2);
        Ok(())
    })
    .expect("index agrees with the table");
}

#[test]
fn search_results_rank_by_relevance_and_the_bundled_sqlite_misses_short_trigrams() {
    let (_d, s, _c, _, _) = setup();
    let mk = |text: &str| {
        s.create_ticket(
            1,
            &NewTicket {
                description: text.into(),
                ..new_ticket()
            },
        )
        .expect("create")
        .id
    };
    let once = mk("路灯不亮，另外小区门口积水");
    let thrice = mk("路灯不亮，路灯不亮三天了，整条街路灯不亮");
    let newest = mk("积水严重");
    let rows = |sort: Sort| -> Vec<i64> {
        found(
            &s,
            ListQuery {
                search: Some("路灯不亮".into()),
                sort,
                ..Default::default()
            },
        )
    };
    assert_eq!(rows(Sort::Relevance), [thrice, once]);
    assert_eq!(rows(Sort::ReceivedAsc), [once, thrice]);
    let page = s
        .list(&ListQuery {
            search: Some("积水".into()),
            sort: Sort::Relevance,
            ..Default::default()
        })
        .expect("two characters ranked");
    assert_eq!(page.total, 2);
    assert!(page.rows.iter().any(|r| r.id == newest));
    // Why the bigram index exists: a trigram MATCH of two characters finds nothing,
    // silently (SQLite does not raise an error).
    if s.is_postgres() {
        return;
    }
    let n: i64 = s
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM tickets_fts WHERE tickets_fts MATCH '\"积水\"'",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("count");
    assert_eq!(n, 0);
}
