//! The search box on PostgreSQL, meaning what it means on SQLite (`listing`): the same
//! matches — trigram indexes for three characters or more, the character-pair index for
//! fewer, each match checked exactly — and, ranked, the same order: FTS5's bm25 over the
//! newest `RANK_WINDOW` matches, computed here from the texts and the indexes' sizes
//! (`search::bm25_order`; a test holds it equal to FTS5's own).

use super::sql::Value as Sql;
use super::sql::{params_from_iter, Connection};
use crate::error::Result;
use crate::search::{self, like_escape, Query};

/// The texts the character-pair index covers, as `hd_grams` is indexed on them.
const BODY: &str =
    "t.phone || ' ' || t.description || ' ' || coalesce(t.answer, '') || ' ' || coalesce(t.result, '')";

/// The condition (on alias `t`, `?` placeholders) for a word search.
///
/// A word with no case (Chinese, digits) is matched with LIKE: the same texts as ILIKE
/// (`search::caseless`), without folding every candidate's text first — a fifth of the
/// time to check a common word's ten thousand matches. Both are served by the indexes.
pub(super) fn condition(q: &Query) -> Option<(String, Vec<Sql>)> {
    let like = |t: &str| Sql::Text(format!("%{}%", like_escape(t)));
    let op = |t: &str| if search::caseless(t) { "LIKE" } else { "ILIKE" };
    match q {
        Query::Trigram(t) => Some((
            format!(
                "(t.description {op} ? ESCAPE '\\' OR t.answer {op} ? ESCAPE '\\' OR t.result {op} ? ESCAPE '\\')",
                op = op(t)
            ),
            vec![like(t), like(t), like(t)],
        )),
        // The pair index narrows; the texts decide (a match never spans two of them: the
        // query has word characters only, and they are joined by spaces).
        Query::Bigram(t) => Some((
            format!(
                "hd_grams({BODY}) @> string_to_array(lower(?), ' ') AND (t.phone {op} ? ESCAPE '\\' OR t.description {op} ? ESCAPE '\\' \
                 OR t.answer {op} ? ESCAPE '\\' OR t.result {op} ? ESCAPE '\\')",
                op = op(t)
            ),
            vec![Sql::Text(grams(t)), like(t), like(t), like(t), like(t)],
        )),
        _ => None,
    }
}

/// The grams of `hd_grams` a text of one or two characters (or digits) is made of, as
/// the index holds them: the character alone, else its consecutive pairs. Only those:
/// `hd_grams` of the text also lists each character, and the posting lists of single
/// characters are the longest in the index (half the index read for 停电 at a million).
fn grams(t: &str) -> String {
    let chars: Vec<char> = t.chars().collect();
    if chars.len() < 2 {
        return t.to_string();
    }
    chars
        .windows(2)
        .map(|w| w.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where reading matches newest first starts (ids back from the newest), and how much
/// further back a next slice reaches at most.
const FIRST_SLICE: i64 = 32_768;
const SLICE_GROWTH: i64 = 4;

/// The newest `n` rows of `from_where` (tickets `t` and a condition), newest first, read in
/// slices of ids from the newest back. The trigram and pair indexes return every match
/// unordered: read at once, a common word made PostgreSQL fetch and check tens of thousands
/// of tickets to keep 50 (250–450 ms at a million); a slice's id range is a second bitmap
/// the matches are intersected with, so only the slice's matches are fetched. The bounds
/// are written into the SQL rather than bound: a generic plan would not know how narrow
/// they are.
pub(super) fn newest<T>(
    c: &Connection,
    columns: &str,
    from_where: &str,
    params: &[Sql],
    n: i64,
    mut f: impl FnMut(&super::sql::Row<'_>) -> super::sql::Result<T>,
) -> Result<Vec<T>> {
    let join = if from_where.contains(" WHERE ") {
        "AND"
    } else {
        "WHERE"
    };
    let mut hi: i64 = c
        .prepare_cached("SELECT coalesce(max(id), 0) FROM tickets")?
        .query_row([], |r| r.get(0))?;
    let mut size = FIRST_SLICE;
    let mut out = Vec::new();
    while hi > 0 && (out.len() as i64) < n {
        let lo = hi.saturating_sub(size).max(0);
        let left = n - out.len() as i64;
        let mut st = c.prepare(&format!(
            "SELECT {columns} {from_where} {join} t.id > {lo} AND t.id <= {hi} ORDER BY t.id DESC LIMIT {left}"
        ))?;
        let before = out.len();
        for row in st.query_map(params_from_iter(params.iter()), &mut f)? {
            out.push(row?);
        }
        // The next slice reaches as far back as this one's density says the rest lie, and
        // half as far again (each slice walks the index anew: one too short costs a third
        // walk; one too long fetches and checks matches it does not keep).
        let found = (out.len() - before) as i64;
        let wanted = (n - out.len() as i64).saturating_mul(hi - lo) / found.max(1) * 3 / 2;
        size = match found {
            0 => size.saturating_mul(SLICE_GROWTH),
            _ => wanted.clamp(1, size.saturating_mul(SLICE_GROWTH)),
        };
        hi = lo;
    }
    Ok(out)
}

/// The ids of one page of a ranked word search: the newest `window` matches of
/// `from_where` ranked as FTS5 ranks them, then by time received and id, newest first.
pub(super) fn ranked(
    c: &Connection,
    from_where: &str,
    params: &[Sql],
    q: &Query,
    window: i64,
    offset: u32,
    limit: u32,
) -> Result<Vec<i64>> {
    let (index, needle) = match q {
        Query::Trigram(t) => ("trigram", t),
        Query::Bigram(t) => ("bigram", t),
        _ => return Ok(vec![]),
    };
    type Candidate = (i64, i64, String, String, Option<String>, Option<String>);
    let candidates: Vec<Candidate> = newest(
        c,
        "t.id, t.received_at, t.phone, t.description, t.answer, t.result",
        from_where,
        params,
        window,
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        },
    )?;
    let (rows, tokens): (i64, i64) = c
        .prepare_cached("SELECT rows, tokens FROM search_sizes WHERE index_name = ?1")?
        .query_row([index], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let avgdl = tokens as f64 / rows.max(1) as f64;
    let mut scored: Vec<(f64, i64, i64)> = candidates
        .iter()
        .map(|(id, received, phone, desc, answer, result)| {
            let (answer, result) = (
                answer.as_deref().unwrap_or(""),
                result.as_deref().unwrap_or(""),
            );
            let (freq, size) = if index == "trigram" {
                let texts = [desc.as_str(), answer, result];
                (
                    texts
                        .iter()
                        .map(|t| search::occurrences(t, needle))
                        .sum::<usize>(),
                    texts
                        .iter()
                        .map(|t| search::trigram_tokens(t))
                        .sum::<usize>(),
                )
            } else {
                let body = format!("{phone} {desc} {answer} {result}");
                (
                    search::occurrences(&body, needle),
                    search::bigram_tokens(&body),
                )
            };
            (
                search::bm25_order(freq as f64, size as f64, avgdl),
                *received,
                *id,
            )
        })
        .collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2)));
    Ok(scored
        .iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|s| s.2)
        .collect())
}

/// The published, unretired knowledge articles as SQLite's `kb_search` holds them.
const KB_INDEXED: &str = "FROM kb_articles a
     JOIN kb_versions v ON v.article_id = a.id AND v.version = a.published_version
     WHERE a.retired_at IS NULL";

/// `kb_search`'s column weights in bm25: title, question variants, keywords, answer.
const KB_WEIGHTS: [f64; 4] = [8.0, 6.0, 4.0, 1.0];

/// The best `window` knowledge articles for `any` as SQLite's `kb_search` ranks them
/// (bm25 with its column weights, then id): (article id, score).
pub(super) fn kb_ranked(
    c: &Connection,
    any: &search::AnyOf,
    window: usize,
) -> Result<Vec<(i64, f64)>> {
    let phrases = any.phrases();
    let (rows, tokens): (i64, i64) = c
        .prepare_cached(&format!(
            "SELECT count(*), coalesce(sum(hd_bigram_tokens(v.title, v.questions, v.keywords, v.answer)), 0)::BIGINT {KB_INDEXED}"
        ))?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    // Every article holding any of the phrases, through the pair index.
    type Texts = (i64, [String; 4]);
    let found: Vec<Texts> = c
        .prepare_cached(&format!(
            "SELECT a.id, v.title, v.questions, v.keywords, v.answer {KB_INDEXED}
               AND hd_grams(v.title || ' ' || v.questions || ' ' || v.keywords || ' ' || v.answer)
                   && string_to_array(?1, ' ')"
        ))?
        .query_map([phrases.join(" ")], |r| {
            Ok((r.get(0)?, [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?]))
        })?
        .collect::<super::sql::Result<_>>()?;
    // Instances of each phrase in each column of each article.
    let counts: Vec<Vec<[usize; 4]>> = found
        .iter()
        .map(|(_, cols)| {
            phrases
                .iter()
                .map(|p| cols.each_ref().map(|t| search::occurrences(t, p)))
                .collect()
        })
        .collect();
    let n = rows as f64;
    let avgdl = tokens as f64 / n.max(1.0);
    let idfs: Vec<f64> = (0..phrases.len())
        .map(|i| {
            let hits = counts
                .iter()
                .filter(|a| a[i].iter().any(|k| *k > 0))
                .count();
            search::idf(n, hits as f64)
        })
        .collect();
    let mut scored: Vec<(i64, f64)> = found
        .iter()
        .zip(&counts)
        .filter(|(_, a)| a.iter().any(|cols| cols.iter().any(|k| *k > 0)))
        .map(|((id, cols), a)| {
            let freqs: Vec<f64> = a
                .iter()
                .map(|cols| {
                    cols.iter()
                        .zip(KB_WEIGHTS)
                        .map(|(k, w)| *k as f64 * w)
                        .sum()
                })
                .collect();
            let size: usize = cols.iter().map(|t| search::bigram_tokens(t)).sum();
            (*id, search::bm25(&freqs, &idfs, size as f64, avgdl))
        })
        .collect();
    scored.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    scored.truncate(window);
    Ok(scored)
}

#[cfg(test)]
#[path = "pg_search_tests.rs"]
mod tests;
