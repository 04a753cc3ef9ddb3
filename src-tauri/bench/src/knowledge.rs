//! The knowledge suggestion while a description is typed, at 20 000 articles beside the
//! tickets: every prefix of callers' sentences as the agent types them, through the
//! permission door, beside the same FTS5 query run directly.

use crate::{count, figure, time, Figure};
use hotline_core::access::Acting;
use hotline_core::store::Store;
use hotline_core::Result;
use rusqlite::Connection;

/// Articles the figure is measured at.
pub const ARTICLES: usize = 20_000;

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

pub(crate) fn seed(store: &Store, raw: &Connection, by: &hotline_core::model::User) -> Result<()> {
    let have = count(raw, "SELECT count(*) FROM kb_articles")? as usize;
    if have < ARTICLES {
        let all = hotline_core::seed_kb::articles(ARTICLES);
        store.publish_articles(by.into(), &all[have..])?;
    }
    Ok(())
}

pub(crate) fn suggest(a: &Acting, raw: &Connection, n: usize) -> Result<Figure> {
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
                   FROM kb_search WHERE kb_search MATCH ?1) s
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
        &format!("knowledge suggestion while typing ({ARTICLES} articles)"),
        &ours,
        Some(&r),
        30.0,
        true,
    ))
}
