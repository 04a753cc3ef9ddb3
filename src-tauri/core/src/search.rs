//! Chinese full-text search without word segmentation. Two FTS5 indexes serve it:
//! trigrams (SQLite's `trigram` tokenizer) answer queries of three characters or more;
//! a bigram index, fed by `bigrams` (registered as the SQL function `hd_bigrams`),
//! answers two-character queries and phone-number fragments, which a trigram MATCH
//! silently misses. What a query means is decided here; `store` turns it into SQL.

use crate::phone::Phone;
use serde::{Deserialize, Serialize};

/// The SQL function the bigram index's triggers call.
pub const BIGRAMS_FN: &str = "hd_bigrams";

fn word(c: char) -> bool {
    c.is_alphanumeric()
}

/// Every pair of adjacent word characters (lower-cased) as a token, plus the last
/// character of each run, so that a one-character prefix query finds it too.
pub fn bigrams(text: &str) -> String {
    let chars: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let mut out = String::with_capacity(text.len() * 3);
    for (i, &c) in chars.iter().enumerate() {
        if !word(c) {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push(c);
        if let Some(&n) = chars.get(i + 1).filter(|n| word(**n)) {
            out.push(n);
        }
    }
    out
}

/// What a search box's text asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// A whole phone number, in any spelling: the history key.
    Phone(String),
    /// The start of a ticket number (`20261124-00`).
    Number(String),
    /// Words of three characters or more: a trigram phrase.
    Trigram(String),
    /// One or two characters, or digits of a phone number: consecutive bigrams.
    Bigram(String),
    /// Anything the indexes cannot answer exactly (a lone punctuation mark…): a scan.
    Scan(String),
}

impl Query {
    pub fn parse(text: &str) -> Query {
        let text = text.trim();
        if let Ok(p) = Phone::parse(text) {
            return Query::Phone(p.number);
        }
        let digits = !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || c == '-');
        if digits && (text.len() == 8 || text.len() > 8 && text.contains('-')) {
            return Query::Number(text.to_string());
        }
        if digits {
            return Query::Bigram(text.replace('-', ""));
        }
        let n = text.chars().count();
        if n >= 3 {
            return Query::Trigram(text.to_string());
        }
        if text.chars().all(word) {
            return Query::Bigram(text.to_string());
        }
        Query::Scan(text.to_string())
    }

    /// Whether it looks for words in the texts (and so has a snippet to show).
    pub fn is_words(&self) -> bool {
        match self {
            Query::Trigram(_) | Query::Scan(_) => true,
            Query::Bigram(t) => !t.chars().all(|c| c.is_ascii_digit()),
            _ => false,
        }
    }

    /// The FTS5 MATCH expression, for the two index-backed kinds.
    pub fn fts(&self) -> Option<String> {
        match self {
            Query::Trigram(t) => Some(format!("\"{}\"", t.replace('"', "\"\""))),
            Query::Bigram(t) => {
                let lower: Vec<char> = t.chars().flat_map(char::to_lowercase).collect();
                if lower.len() == 1 {
                    return Some(format!("\"{}\"*", lower[0]));
                }
                // Consecutive pairs as one phrase: "1234" → "12 23 34".
                let pairs: Vec<String> = lower.windows(2).map(|w| w.iter().collect()).collect();
                Some(format!("\"{}\"", pairs.join(" ")))
            }
            _ => None,
        }
    }
}

/// How a search ranks its matches where no FTS5 index does it (PostgreSQL): FTS5's
/// `bm25()` for one phrase (k1 = 1.2, b = 0.75), lower is better, without its IDF factor —
/// one phrase has one IDF, the same for every row, so leaving it out keeps the order.
/// `freq` is how often the phrase occurs in the row (overlapping occurrences, each column
/// apart), `tokens` the row's size in the index's tokens, `avgdl` the index's average.
pub fn bm25_order(freq: f64, tokens: f64, avgdl: f64) -> f64 {
    const K1: f64 = 1.2;
    const B: f64 = 0.75;
    -(freq * (K1 + 1.0)) / (freq + K1 * (1.0 - B + B * tokens / avgdl.max(f64::MIN_POSITIVE)))
}

/// Case-insensitive occurrences of `needle` in `text`, overlapping ones each counted (as
/// an FTS5 phrase's instances are).
pub fn occurrences(text: &str, needle: &str) -> usize {
    let hay: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let pat: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
    if pat.is_empty() || pat.len() > hay.len() {
        return 0;
    }
    hay.windows(pat.len())
        .filter(|w| *w == pat.as_slice())
        .count()
}

/// A column's size in the trigram index's tokens: one per three-character window.
pub fn trigram_tokens(text: &str) -> usize {
    text.chars()
        .flat_map(char::to_lowercase)
        .count()
        .saturating_sub(2)
}

/// A text's size in the bigram index's tokens (`bigrams`): one per word character.
pub fn bigram_tokens(text: &str) -> usize {
    text.chars()
        .flat_map(char::to_lowercase)
        .filter(|c| word(*c))
        .count()
}

/// `s` as a LIKE pattern's literal text (with `ESCAPE '\'`).
pub fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Whether `s` is written only in characters no case mapping reaches — Chinese characters,
/// digits, punctuation — so that matching it with or without folding case finds the same
/// texts: a letter of the text folds to another letter, never to one of these.
pub fn caseless(s: &str) -> bool {
    s.chars().all(|c| {
        c.is_ascii_digit()
            || c.is_ascii_punctuation()
            || c == ' '
            || matches!(c as u32, 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xFF01..=0xFF20)
    })
}

/// The most distinct bigrams a suggestion looks for: a long description's first ones.
pub const ANY_OF_MAX: usize = 48;

/// What a suggestion looks for in a bigram index: any of a text's two-character words, or
/// (no two word characters side by side) the one word character it has, as a prefix.
#[derive(Debug, Clone, PartialEq)]
pub enum AnyOf {
    Pairs(Vec<String>),
    Prefix(char),
}

impl AnyOf {
    /// What `text` looks for; None when it has no word character at all.
    pub fn of(text: &str) -> Option<AnyOf> {
        let lower: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
        let mut pairs: Vec<String> = Vec::new();
        for w in lower.windows(2) {
            if word(w[0]) && word(w[1]) {
                let p: String = w.iter().collect();
                if !pairs.contains(&p) {
                    pairs.push(p);
                    if pairs.len() == ANY_OF_MAX {
                        break;
                    }
                }
            }
        }
        if !pairs.is_empty() {
            return Some(AnyOf::Pairs(pairs));
        }
        let mut words = lower.iter().filter(|c| word(**c));
        match (words.next(), words.next()) {
            (Some(c), None) => Some(AnyOf::Prefix(*c)),
            _ => None,
        }
    }

    /// Its phrases: each is found wherever it occurs in a text (a prefix of one word
    /// character occurs wherever that character does).
    pub fn phrases(&self) -> Vec<String> {
        match self {
            AnyOf::Pairs(p) => p.clone(),
            AnyOf::Prefix(c) => vec![c.to_string()],
        }
    }
}

/// An FTS5 expression over a bigram index that matches a text sharing any two-character
/// word with `text` (bm25 then ranks by how many and how rare): what suggests knowledge
/// articles from a caller's description as it is typed. One character is a prefix query;
/// None when there is no word character at all.
pub fn any_of(text: &str) -> Option<String> {
    Some(match AnyOf::of(text)? {
        AnyOf::Pairs(pairs) => pairs
            .iter()
            .map(|p| format!("\"{p}\""))
            .collect::<Vec<_>>()
            .join(" OR "),
        AnyOf::Prefix(c) => format!("\"{c}\"*"),
    })
}

/// FTS5's IDF of a phrase found in `hits` of `rows` rows (never zero or below).
pub fn idf(rows: f64, hits: f64) -> f64 {
    let v = ((rows - hits + 0.5) / (hits + 0.5)).ln();
    if v <= 0.0 {
        1e-6
    } else {
        v
    }
}

/// FTS5's `bm25()` of a row for several phrases: `freqs[i]` the column-weighted instances
/// of phrase i in the row, `idfs[i]` its IDF, `tokens` the row's size, `avgdl` the
/// index's average; lower is better.
pub fn bm25(freqs: &[f64], idfs: &[f64], tokens: f64, avgdl: f64) -> f64 {
    freqs
        .iter()
        .zip(idfs)
        .map(|(f, idf)| idf * bm25_order(*f, tokens, avgdl))
        .sum()
}

/// A piece of text around the first match, with the matched ranges (in characters)
/// for the desk to mark. Built from the masked text, so it reveals nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snippet {
    pub text: String,
    pub marks: Vec<(usize, usize)>,
}

/// Up to `width` characters of `text` around the first case-insensitive occurrence of
/// `needle`, every occurrence in the window marked; None when it does not occur.
pub fn snippet(text: &str, needle: &str, width: usize) -> Option<Snippet> {
    let hay: Vec<char> = text.chars().collect();
    let low: Vec<char> = hay
        .iter()
        .map(|c| c.to_lowercase().next().unwrap_or(*c))
        .collect();
    let pat: Vec<char> = needle
        .trim()
        .chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect();
    if pat.is_empty() || pat.len() > low.len() {
        return None;
    }
    let at = |i: usize| low[i..i + pat.len()] == pat[..];
    let first = (0..=low.len() - pat.len()).find(|&i| at(i))?;
    let lead = width.saturating_sub(pat.len()) / 3;
    let start = first.saturating_sub(lead);
    let end = (start + width.max(pat.len())).min(hay.len());
    let mut marks = Vec::new();
    let mut i = start;
    while i + pat.len() <= end {
        if at(i) {
            marks.push((i - start, i - start + pat.len()));
            i += pat.len();
        } else {
            i += 1;
        }
    }
    let mut s: String = hay[start..end].iter().collect();
    let mut shift = 0;
    if start > 0 {
        s.insert(0, '…');
        shift = 1;
    }
    if end < hay.len() {
        s.push('…');
    }
    Some(Snippet {
        text: s,
        marks: marks
            .into_iter()
            .map(|(a, b)| (a + shift, b + shift))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn caseless_words_are_those_no_case_mapping_reaches() {
        assert!(caseless("路灯连续三晚"));
        assert!(caseless("下水道堵塞，5678"));
        assert!(!caseless("WiFi 断网"));
        assert!(!caseless("ＡＢ")); // full-width letters have case
                                    // No character of any script lowers or uppers into, or out of, a caseless one.
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let mapped: Vec<char> = c.to_lowercase().chain(c.to_uppercase()).collect();
            if caseless(&c.to_string()) {
                assert!(mapped.iter().all(|m| *m == c), "{c:?} has case");
            } else if mapped.iter().any(|m| *m != c) {
                assert!(
                    !mapped.iter().any(|m| caseless(&m.to_string())),
                    "{c:?} folds to a caseless character"
                );
            }
        }
    }

    use super::*;

    #[test]
    fn bigrams_pair_adjacent_word_characters() {
        assert_eq!(bigrams("路灯不亮"), "路灯 灯不 不亮 亮");
        assert_eq!(bigrams("路灯，不亮"), "路灯 灯 不亮 亮");
        assert_eq!(bigrams("138 12"), "13 38 8 12 2");
        assert_eq!(bigrams("AB"), "ab b");
        assert_eq!(bigrams(""), "");
    }

    #[test]
    fn queries_choose_their_index() {
        assert_eq!(
            Query::parse("+86 138 1234 5678"),
            Query::Phone("13812345678".into())
        );
        assert_eq!(Query::parse("20261124"), Query::Number("20261124".into()));
        assert_eq!(
            Query::parse("20261124-00"),
            Query::Number("20261124-00".into())
        );
        assert_eq!(Query::parse("5678"), Query::Bigram("5678".into()));
        assert_eq!(Query::parse("路灯"), Query::Bigram("路灯".into()));
        assert_eq!(Query::parse("灯"), Query::Bigram("灯".into()));
        assert_eq!(Query::parse("路灯不亮"), Query::Trigram("路灯不亮".into()));
        assert_eq!(Query::parse("，"), Query::Scan("，".into()));
        assert_eq!(Query::parse("5678").fts().as_deref(), Some("\"56 67 78\""));
        assert_eq!(Query::parse("路灯").fts().as_deref(), Some("\"路灯\""));
        assert_eq!(Query::parse("灯").fts().as_deref(), Some("\"灯\"*"));
        assert_eq!(
            Query::parse("say \"hi\" now").fts().as_deref(),
            Some("\"say \"\"hi\"\" now\"")
        );
    }

    #[test]
    fn any_of_asks_for_every_pair_once() {
        assert_eq!(
            any_of("路灯不亮，路灯").as_deref(),
            Some("\"路灯\" OR \"灯不\" OR \"不亮\"")
        );
        assert_eq!(any_of(" 灯 ").as_deref(), Some("\"灯\"*"));
        assert_eq!(any_of("AB").as_deref(), Some("\"ab\""));
        assert_eq!(any_of("，。"), None);
        assert_eq!(any_of("a b"), None);
        let long: String = (0..200u32)
            .filter_map(|i| char::from_u32(0x4e00 + i))
            .collect();
        assert_eq!(
            any_of(&long).map(|m| m.matches(" OR ").count() + 1),
            Some(ANY_OF_MAX)
        );
    }

    #[test]
    fn snippets_mark_every_occurrence_in_their_window() {
        let s = snippet("幸福路路灯不亮，晚上路灯全黑，请尽快维修。", "路灯", 12).expect("found");
        assert_eq!(s.text, "幸福路路灯不亮，晚上路灯…");
        assert_eq!(s.marks, vec![(3, 5), (10, 12)]);
        let long = format!("{}投诉噪声{}", "前".repeat(40), "后".repeat(40));
        let s = snippet(&long, "噪声", 10).expect("found");
        assert!(s.text.starts_with('…') && s.text.ends_with('…'));
        let (a, b) = s.marks[0];
        assert_eq!(
            s.text.chars().skip(a).take(b - a).collect::<String>(),
            "噪声"
        );
        assert_eq!(
            snippet("abc", "ABC", 10).map(|s| s.marks),
            Some(vec![(0, 3)])
        );
        assert!(snippet("abc", "x", 10).is_none());
    }
}
