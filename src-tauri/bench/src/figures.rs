//! Each desk operation and its raw-SQL twin.

use crate::raw::Raw;
use crate::{figure, time, Figure};
use chrono::{Datelike, Duration, Utc};
use hotline_core::access::Acting;
use hotline_core::model::Queue;
use hotline_core::store::{ListQuery, Sort, Store};
use hotline_core::Result;
use rusqlite::{Connection, OptionalExtension};
use std::time::Instant;

/// The minimal SQL for one queue: its condition and nothing else.
fn raw_queue(q: Queue, agent: i64, now_ms: i64) -> String {
    let handling = "status IN ('transferred', 'in_progress')";
    match q {
        Queue::All => "1 = 1".into(),
        Queue::Received => "status = 'received'".into(),
        Queue::AwaitingAcceptance => "status = 'transferred'".into(),
        Queue::Returned => "status = 'returned'".into(),
        Queue::InProgress => "status = 'in_progress'".into(),
        Queue::ExtensionPending => "status = 'in_progress' AND extension = 'pending'".into(),
        Queue::AwaitingFeedback => "status = 'replied'".into(),
        Queue::AwaitingCallback => "status = 'awaiting_callback'".into(),
        Queue::Closed => "status IN ('closed', 'archived')".into(),
        Queue::DueSoon => format!(
            "{handling} AND due_at >= {now_ms} AND due_at < {}",
            now_ms + 86_400_000
        ),
        Queue::Overdue => format!("{handling} AND due_at < {now_ms}"),
        Queue::Mine => format!(
            "status IN ('received', 'returned', 'replied', 'awaiting_callback') AND created_by = {agent}"
        ),
    }
}

pub(crate) fn queues(a: &Acting, raw: &dyn Raw, n: usize) -> Result<Vec<Figure>> {
    let now_ms = Utc::now().timestamp_millis();
    let mut out = Vec::new();
    let mut all_ours = Vec::new();
    let mut all_raw = Vec::new();
    for q in Queue::ALL {
        let ours = time(n / 4 + 5, |_| {
            std::hint::black_box(a.list(&ListQuery {
                queue: Some(*q),
                ..Default::default()
            })?);
            Ok(())
        })?;
        let cond = raw_queue(*q, a.user().id, now_ms);
        let r = time(n / 4 + 5, |_| raw.page(&cond, "received_at DESC, id DESC"))?;
        out.push(figure(&format!("queue {q}"), &ours, Some(&r), 20.0, true));
        all_ours.extend(ours);
        all_raw.extend(r);
    }
    // With a filter and another order: in progress, one category, due first.
    let cat = raw.busiest_category_in_progress();
    let ours = time(n, |_| {
        std::hint::black_box(a.list(&ListQuery {
            queue: Some(Queue::InProgress),
            category_id: Some(cat),
            sort: Sort::DueAsc,
            ..Default::default()
        })?);
        Ok(())
    })?;
    let r = time(n, |_| {
        raw.page(
            &format!("status = 'in_progress' AND (category_id = {cat} OR category_id IN (SELECT id FROM categories WHERE parent_id = {cat}))"),
            "due_at IS NULL, due_at ASC, id ASC",
        )
    })?;
    out.push(figure(
        "queue in_progress, category filter, due first",
        &ours,
        Some(&r),
        20.0,
        true,
    ));
    all_ours.sort_by(f64::total_cmp);
    all_raw.sort_by(f64::total_cmp);
    out.insert(
        0,
        figure(
            "queue first page (all queues)",
            &all_ours,
            Some(&all_raw),
            20.0,
            true,
        ),
    );
    Ok(out)
}

pub(crate) fn detail_and_history(a: &Acting, raw: &dyn Raw, n: usize) -> Result<Vec<Figure>> {
    let picks = raw.sample_ids(n)?;
    let ours = time(n, |i| {
        std::hint::black_box(a.detail(picks[i].0)?);
        Ok(())
    })?;
    let r = time(n, |i| raw.detail(picks[i].0))?;
    let detail = figure("ticket detail with timeline", &ours, Some(&r), 10.0, true);
    let ours = time(n, |i| {
        std::hint::black_box(a.history(&picks[i].1)?);
        Ok(())
    })?;
    let r = time(n, |i| raw.history(&picks[i].1))?;
    let history = figure("customer history by phone", &ours, Some(&r), 5.0, true);
    Ok(vec![detail, history])
}

pub(crate) fn search(a: &Acting, raw: &dyn Raw, n: usize) -> Result<Vec<Figure>> {
    // Words callers use, cut from the seeded texts: 2, 3 and 6 characters.
    let words: [(&str, &[&str]); 3] = [
        (
            "2",
            &[
                "停电", "噪声", "路灯", "井盖", "漏电", "社保", "拒载", "异味",
            ],
        ),
        (
            "3",
            &[
                "下水道",
                "公积金",
                "红绿灯",
                "自来水",
                "保质期",
                "营业厅",
                "不动产",
                "失业金",
            ],
        ),
        (
            "6",
            &[
                "近三天频繁停",
                "公交车司机在",
                "下水道堵塞，",
                "自来水发黄，",
                "空调维修预约",
                "燃气灶保修期",
                "路灯连续三晚",
                "增加垃圾分类",
            ],
        ),
    ];
    let mut out = Vec::new();
    for (len, list) in words {
        for (sort, label) in [
            (Sort::Relevance, "ranked"),
            (Sort::ReceivedDesc, "newest first"),
        ] {
            let ours = time(n, |i| {
                std::hint::black_box(a.list(&ListQuery {
                    search: Some(list[i % list.len()].into()),
                    sort,
                    ..Default::default()
                })?);
                Ok(())
            })?;
            let ranked = sort == Sort::Relevance;
            let r = time(n, |i| raw.search(list[i % list.len()], ranked))?;
            out.push(figure(
                &format!("search, {len} characters, {label}"),
                &ours,
                Some(&r),
                80.0,
                true,
            ));
        }
    }
    Ok(out)
}

pub(crate) fn reports(a: &Acting, raw: &dyn Raw) -> Result<Vec<Figure>> {
    let last = Utc::now().date_naive().with_day(1).unwrap_or_default() - Duration::days(1);
    let month = format!("{}-{:02}", last.year(), last.month());
    let ours = time(5, |_| {
        std::hint::black_box(a.monthly_report(&month, None)?);
        Ok(())
    })?;
    // Midnight in Beijing of the first of a month, in ms.
    let start = |d: chrono::NaiveDate| -> i64 {
        (d.with_day(1)
            .unwrap_or_default()
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc()
            - Duration::hours(8))
        .timestamp_millis()
    };
    let first = last.with_day(1).unwrap_or_default();
    let month_before = start(first - Duration::days(1));
    let (f, t) = (start(first), start(last + Duration::days(1)));
    // The same figures by hand (`Raw::monthly`).
    let r = time(5, |_| raw.monthly((f, t), (month_before, f)))?;
    Ok(vec![figure(
        &format!("monthly report and assessment ({month})"),
        &ours,
        Some(&r),
        800.0,
        true,
    )])
}

pub(crate) fn scheduler(store: &Store, raw: &dyn Raw, n: usize) -> Result<Figure> {
    // Fire what is already due once (a catch-up), then time quiet wake-ups.
    store.fire_due(store.now())?;
    let ours = time(n, |_| {
        std::hint::black_box(store.wake(store.now())?);
        Ok(())
    })?;
    let r = time(n, |_| raw.next_alarm())?;
    Ok(figure(
        "scheduler wake-up (next alarm + fire what is due)",
        &ours,
        Some(&r),
        5.0,
        true,
    ))
}

pub(crate) fn create(a: &Acting, raw: &dyn Raw, n: usize) -> Result<Figure> {
    let new: hotline_core::NewTicket = serde_json::from_value(serde_json::json!({
        "caller_name": "测试", "phone": "13800138000",
        "description": "基准测试来电：路灯不亮", "category": "help_request"
    }))?;
    let ours = time(n, |_| {
        std::hint::black_box(a.intake(&new, None)?);
        Ok(())
    })?;
    let run = Utc::now().timestamp_millis();
    let r = time(n, |i| {
        raw.create(&format!("raw-{run}-{i}"), Utc::now().timestamp_millis())
    })?;
    Ok(figure(
        "create a ticket durably (one transaction, synchronous=FULL)",
        &ours,
        Some(&r),
        20.0,
        true,
    ))
}

pub(crate) fn bulk(store: &Store, raw: &Connection, n: usize) -> Result<Figure> {
    let admin = store.acting(store.first_admin()?.id)?;
    // Historic calls answered at once: they join the archive (a year back, closed), so
    // repeated runs leave the queues of the store as they were.
    let since = Utc::now() - Duration::days(400);
    let at = |i: usize| since + Duration::seconds(i as i64);
    let mut csv = String::from("received_at,caller_name,phone,description,category,answer\n");
    for i in 0..n {
        csv += &format!(
            "{},批量{i},1{}{:09},导入的历史来电第{i}条：小区路灯不亮,help_request,已当场解答\n",
            at(i).to_rfc3339(),
            [3, 5, 7, 8, 9][i % 5],
            (i as u64 * 7_919) % 1_000_000_000
        );
    }
    let t = Instant::now();
    let r = admin.import_tickets(csv.as_bytes(), true)?;
    let ours = r.imported as f64 / t.elapsed().as_secs_f64();
    let run = Utc::now().timestamp_millis();
    let t = Instant::now();
    // The same page cache the store gives its bulk writes.
    raw.execute_batch("PRAGMA cache_size = -262144; BEGIN IMMEDIATE")?;
    // Search indexing in one statement after the rows, as the store's bulk writes do.
    let first: i64 = raw.query_row("SELECT max(id) + 1 FROM tickets", [], |r| r.get(0))?;
    let triggers = hotline_core::internals::suspend_search_triggers(raw)?;
    {
        let mut ins = raw.prepare_cached(
            "INSERT INTO tickets (number, version, status, caller_name, phone, description, received_at,
                category_id, channel, severity, urgency, created_by, answer, closed_at, updated_at, customer_id)
             VALUES (?1, 2, 'closed', ?2, ?3, ?4, ?5, 1, 'phone', 'general', 'normal', 1, ?6, ?5, ?5, ?7)",
        )?;
        let mut ev = raw.prepare_cached(
            "INSERT INTO events (ticket_id, seq, at, actor_id, action, from_status, to_status)
             VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6)",
        )?;
        // Like the import: the caller's customer record (found by phone, else created).
        let customer = |name: &str, phone: &str, when: i64| -> Result<i64> {
            let found: Option<i64> = raw
                .prepare_cached("SELECT customer_id FROM customer_phones WHERE phone = ?1 LIMIT 1")?
                .query_row([phone], |r| r.get(0))
                .optional()?;
            if let Some(id) = found {
                return Ok(id);
            }
            raw.prepare_cached("INSERT INTO customers (name, created_at) VALUES (?1, ?2)")?
                .execute(rusqlite::params![name, when])?;
            let id = raw.last_insert_rowid();
            raw.prepare_cached("INSERT INTO customer_phones (customer_id, phone) VALUES (?1, ?2)")?
                .execute(rusqlite::params![id, phone])?;
            Ok(id)
        };
        for (i, line) in csv.lines().skip(1).enumerate() {
            let f: Vec<&str> = line.split(',').collect();
            let when = at(i).timestamp_millis();
            ins.execute(rusqlite::params![
                format!("bulk-{run}-{}", i + 1),
                f[1],
                f[2],
                f[3],
                when,
                f[5],
                customer(f[1], f[2], when)?
            ])?;
            let id = raw.last_insert_rowid();
            ev.execute(rusqlite::params![
                id,
                1,
                when,
                "create",
                None::<&str>,
                "received"
            ])?;
            ev.execute(rusqlite::params![
                id, 2, when, "answer", "received", "closed"
            ])?;
        }
    }
    // The numbers counted in memory, written once, as the store's bulk writes do.
    raw.execute(
        "INSERT INTO day_sequences (day, last) VALUES ('bench', ?1)
         ON CONFLICT(day) DO UPDATE SET last = last + excluded.last",
        [n as i64],
    )?;
    hotline_core::internals::index_from(raw, first, &triggers)?;
    raw.execute_batch("COMMIT")?;
    let raw_rate = n as f64 / t.elapsed().as_secs_f64();
    Ok(Figure {
        name: format!("bulk import ({n} tickets from CSV, validated)"),
        p50_ms: 0.0,
        p99_ms: 0.0,
        raw_p50_ms: None,
        raw_p99_ms: None,
        ratio: Some(raw_rate / ours),
        per_second: Some(ours),
        raw_per_second: Some(raw_rate),
        target: "≥ 50000 tickets/s".into(),
        met: ours >= 50_000.0,
    })
}
