//! The ranking PostgreSQL's search computes, held against FTS5's own on SQLite.

use crate::store::testutil::sqlite_store;
use crate::ticket::tests::new_ticket;

/// What ranks a search where FTS5 does not (PostgreSQL) gives FTS5's own bm25, value for
/// value, once multiplied by the phrase's IDF: the token counts, the instances and the
/// average are counted as FTS5 counts them.
#[test]
fn the_ranking_used_without_fts5_is_fts5s_bm25() {
    let (_d, s, _c) = sqlite_store();
    let texts = [
        "路灯不亮，另外小区门口积水",
        "路灯不亮，路灯不亮三天了，整条街路灯不亮",
        "积水严重 Water on the road, WATER everywhere",
        "灯灯灯灯 abcabcabc",
        "小区积水积水积水，请尽快处理积水问题，积水已经很深了",
    ];
    let mut ids = vec![];
    for (i, text) in texts.iter().enumerate() {
        let mut x = new_ticket();
        x.description = (*text).into();
        x.phone = format!("1380013{i:04}");
        ids.push(s.create_ticket(1, &x).expect("create").id);
    }
    let bodies: Vec<(i64, String, String)> = ids
        .iter()
        .map(|id| {
            let t = s.ticket(*id).expect("ticket");
            let body = format!(
                "{} {} {} {}",
                t.phone,
                t.description,
                t.answer.clone().unwrap_or_default(),
                t.result.clone().unwrap_or_default()
            );
            (*id, t.description.clone(), body)
        })
        .collect();
    let n = bodies.len() as f64;
    for (table, q, fts) in [
        ("tickets_fts", "路灯不亮", "\"路灯不亮\""),
        ("tickets_fts", "water", "\"water\""),
        ("tickets_fts", "abcabc", "\"abcabc\""),
        ("tickets_bigrams", "积水", "\"积水\""),
        ("tickets_bigrams", "灯", "\"灯\"*"),
        ("tickets_bigrams", "0013", "\"00 01 13\""),
    ] {
        let got: Vec<(i64, f64)> = s
            .read(|c| {
                Ok(c.prepare(&format!(
                    "SELECT rowid, bm25({table}) FROM {table} WHERE {table} MATCH ?1"
                ))?
                .query_map([fts], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<crate::store::sql::Result<_>>()?)
            })
            .expect("bm25");
        let trigram = table == "tickets_fts";
        let size = |desc: &str, body: &str| -> f64 {
            if trigram {
                // description, answer, result: the last two empty here.
                crate::search::trigram_tokens(desc) as f64
            } else {
                crate::search::bigram_tokens(body) as f64
            }
        };
        let avgdl = bodies.iter().map(|(_, d, b)| size(d, b)).sum::<f64>() / n;
        let hits = got.len() as f64;
        let idf = ((n - hits + 0.5) / (hits + 0.5)).ln();
        let idf = if idf <= 0.0 { 1e-6 } else { idf };
        assert!(!got.is_empty(), "{q}");
        for (id, bm25) in got {
            let (_, desc, body) = bodies.iter().find(|(i, _, _)| *i == id).expect("row");
            let freq = crate::search::occurrences(if trigram { desc } else { body }, q) as f64;
            let ours = idf * crate::search::bm25_order(freq, size(desc, body), avgdl);
            assert!(
                (ours - bm25).abs() < 1e-9 * bm25.abs().max(1e-9),
                "{q} #{id}: ours {ours}, FTS5 {bm25}"
            );
        }
    }
}

/// On PostgreSQL a word search reads its matches newest first in slices of ids back from
/// the newest ticket (`newest`). Matches far behind it — several slices back, with a gap
/// of ids between — all come back in order, a page past the first slice's matches starts
/// where it should, and the ranked search ranks among them all. On the file the same
/// searches run through FTS5: the same answers.
#[test]
fn matches_far_behind_the_newest_ticket_are_found_in_order_across_slices() {
    use crate::store::testutil::{found, store};
    use crate::store::{ListQuery, Sort};
    let (_d, s, _c) = store();
    let create = |text: &str| {
        let mut x = new_ticket();
        x.description = text.into();
        s.create_ticket(1, &x).expect("create").id
    };
    let mut matching = vec![create("井盖松动 老旧"), create("井盖缺失 老旧")];
    if s.is_postgres() {
        // The next ticket far past the first slice.
        s.write(|tx| {
            tx.execute(
                "SELECT setval(pg_get_serial_sequence('tickets', 'id'), 400000)",
                [],
            )?;
            Ok(())
        })
        .expect("gap");
    }
    for i in 0..3 {
        matching.push(create(&format!("井盖破损第{i}处 老旧")));
        create("路灯不亮");
    }
    matching.reverse();
    let search = |word: &str, sort: Sort, offset: u32, limit: u32| -> Vec<i64> {
        found(
            &s,
            ListQuery {
                search: Some(word.into()),
                sort,
                offset,
                limit,
                ..Default::default()
            },
        )
    };
    for word in ["井盖", "老旧", "井盖破损"] {
        let want: Vec<i64> = if word == "井盖破损" {
            matching[..3].to_vec()
        } else {
            matching.clone()
        };
        assert_eq!(search(word, Sort::ReceivedDesc, 0, 50), want, "{word}");
        assert_eq!(
            search(word, Sort::ReceivedDesc, 2, 2),
            want[2..4.min(want.len())],
            "{word}"
        );
        let mut ranked = search(word, Sort::Relevance, 0, 50);
        ranked.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(ranked, want, "{word}");
    }
}
