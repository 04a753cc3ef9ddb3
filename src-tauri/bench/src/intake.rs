//! What the intake asks while a call is typed: the knowledge suggestion (20 000 articles
//! beside the tickets; every prefix of callers' sentences as the agent types them) and the
//! open tickets the call may repeat — through the permission door, beside the same SQL.

use crate::raw::Raw;
use crate::{figure, time, Figure};
use hotline_core::access::Acting;
use hotline_core::store::Store;
use hotline_core::Result;
use rusqlite::Connection;

const SAID: &[&str] = &[
    "我的社保卡丢了，想问一下去哪里补办，要带什么",
    "租房子的话公积金能不能提取出来，需要多久",
    "孩子明年上小学，报名要准备哪些证件",
    "我们小区自来水这几天发黄还有味道",
    "家里闻到一股煤气味，灶也打不着火",
    "楼下路灯坏了好几天了一直不亮",
    "买的空调坏了售后三次都没上门",
    "失业金申请了三个星期还没到账",
];

/// Every prefix the agent's typing passes through (by 1, 2, 3, 5, 8, 13 … characters).
fn typed() -> Vec<String> {
    let mut out = Vec::new();
    for s in SAID {
        let chars: Vec<char> = s.chars().collect();
        let (mut a, mut b) = (1, 2);
        while a < chars.len() {
            out.push(chars[..a].iter().collect());
            (a, b) = (b, a + b);
        }
        out.push(s.to_string());
    }
    out
}

pub(crate) fn seed(
    store: &Store,
    raw: &Connection,
    by: &hotline_core::model::User,
    articles: usize,
) -> Result<()> {
    let have = raw.count("SELECT count(*) FROM kb_articles")? as usize;
    if have < articles {
        let all = hotline_core::seed_kb::articles(articles);
        store.publish_articles(by.into(), &all[have..])?;
    }
    Ok(())
}

pub(crate) fn suggest(a: &Acting, raw: &Connection, n: usize, articles: usize) -> Result<Figure> {
    let texts = typed();
    let ours = time(n, |i| {
        std::hint::black_box(a.suggest_articles(&texts[i % texts.len()], 5)?);
        Ok(())
    })?;
    let today = chrono::Utc::now().date_naive().to_string();
    let r = time(n, |i| {
        let m = hotline_core::search::any_of(&texts[i % texts.len()]).unwrap_or_default();
        let rows: Vec<(i64, String)> = raw
            .prepare_cached(
                "SELECT a.id, v.answer FROM (SELECT rowid, bm25(kb_search, 8.0, 6.0, 4.0, 1.0) AS score
                   FROM kb_search WHERE kb_search MATCH ?1 ORDER BY score LIMIT 64) s
                 JOIN kb_articles a ON a.id = s.rowid
                 JOIN kb_versions v ON v.article_id = a.id AND v.version = a.published_version
                 WHERE a.retired_at IS NULL AND (v.valid_until IS NULL OR v.valid_until >= ?2)
                 ORDER BY s.score LIMIT 5",
            )?
            .query_map(rusqlite::params![m, today], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        std::hint::black_box(rows);
        Ok(())
    })?;
    Ok(figure(
        &format!("knowledge suggestion while typing ({articles} articles)"),
        &ours,
        Some(&r),
        30.0,
        true,
    ))
}

pub(crate) fn duplicates(a: &Acting, raw: &Connection, n: usize) -> Result<Figure> {
    let calls: Vec<(String, &str)> = SAID
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("1380000{:04}", i * 37), *s))
        .collect();
    let ours = time(n, |i| {
        let (phone, said) = &calls[i % calls.len()];
        std::hint::black_box(a.duplicate_candidates(
            phone,
            "幸福路12号",
            said,
            "help_request",
            None,
        )?);
        Ok(())
    })?;
    let since = (chrono::Utc::now() - chrono::Duration::days(30)).timestamp_millis();
    let r = time(n, |i| {
        let (phone, _) = &calls[i % calls.len()];
        let rows: Vec<(i64, String)> = raw
            .prepare_cached(
                "SELECT id, description FROM tickets
                 WHERE status IN ('received', 'transferred', 'returned', 'in_progress', 'replied', 'awaiting_callback')
                   AND merged_into IS NULL AND received_at >= ?1
                 UNION
                 SELECT id, description FROM tickets WHERE phone = ?2
                   AND status IN ('received', 'transferred', 'returned', 'in_progress', 'replied', 'awaiting_callback')
                   AND merged_into IS NULL",
            )?
            .query_map(rusqlite::params![since, phone], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        std::hint::black_box(rows);
        Ok(())
    })?;
    Ok(figure(
        "duplicate candidates at intake",
        &ours,
        Some(&r),
        30.0,
        true,
    ))
}
