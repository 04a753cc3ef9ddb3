//! The knowledge base in the store: articles with every version kept, the review steps
//! (audited), the bigram index of published versions, the suggestion while an agent types
//! and the record of which version answered which ticket.

use super::audit::append;
use super::db::{from_ms, ms, timezone, Author, Store};
use super::reference::{category_by_code, get_department};
use super::sql::{Connection, OptionalExtension};
use crate::error::{Error, Result};
use crate::kb::{
    article_state, step, ArticleRef, ArticleState, Material, NewArticle, Outcome, Step,
    VersionState, SUGGEST_TEXT_MAX,
};
use crate::search::any_of;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;

/// One version of an article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleVersion {
    pub version: i64,
    pub state: VersionState,
    pub title: String,
    pub questions: Vec<String>,
    pub answer: String,
    pub category: Option<String>,
    pub category_name: Option<String>,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub keywords: Vec<String>,
    pub source: String,
    pub material: Material,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub author: String,
    pub saved_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reviewer: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_note: Option<String>,
}

/// An article with every version, newest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Article {
    pub id: i64,
    pub state: ArticleState,
    pub latest_version: i64,
    pub published_version: Option<i64>,
    pub retired_at: Option<DateTime<Utc>>,
    pub retire_reason: Option<String>,
    pub from_ticket: Option<String>,
    /// Tickets answered from it, all time.
    pub uses: i64,
    pub last_used_at: Option<DateTime<Utc>>,
    pub versions: Vec<ArticleVersion>,
}

impl Article {
    pub fn latest(&self) -> Option<&ArticleVersion> {
        self.versions.first()
    }
    pub fn published(&self) -> Option<&ArticleVersion> {
        let v = self.published_version?;
        self.versions.iter().find(|x| x.version == v)
    }
    /// The department responsible now (the latest version's), for the scope of proposals.
    pub fn department_id(&self) -> Option<i64> {
        self.latest().and_then(|v| v.department_id)
    }
}

/// How many best matches of the index are looked at for the few suggestions shown (an
/// expired one among them is skipped).
const RANK_WINDOW: i64 = 64;

/// An article offered while a description is typed: the published wording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub id: i64,
    pub version: i64,
    pub title: String,
    pub answer: String,
    pub material: Material,
    pub department_name: Option<String>,
    pub valid_until: Option<NaiveDate>,
    /// bm25, lower is better (for the record; the order is the ranking).
    pub score: f64,
}

const VERSION_SELECT: &str =
    "SELECT v.version, v.state, v.title, v.questions, v.answer, c.code, c.name,
        v.department_id, d.name, v.keywords, v.source, v.material, v.valid_from, v.valid_until,
        au.name, v.saved_at, v.submitted_at, r.name, v.reviewed_at, v.review_note
     FROM kb_versions v
     JOIN users au ON au.id = v.author_id
     LEFT JOIN users r ON r.id = v.reviewed_by
     LEFT JOIN categories c ON c.id = v.category_id
     LEFT JOIN departments d ON d.id = v.department_id";

fn lines(s: String) -> Vec<String> {
    s.lines().map(str::to_string).collect()
}

fn date(v: Option<String>) -> Option<NaiveDate> {
    v.and_then(|d| d.parse().ok())
}

fn version_row(r: &super::sql::Row<'_>) -> super::sql::Result<ArticleVersion> {
    Ok(ArticleVersion {
        version: r.get(0)?,
        state: r.get(1)?,
        title: r.get(2)?,
        questions: lines(r.get(3)?),
        answer: r.get(4)?,
        category: r.get(5)?,
        category_name: r.get(6)?,
        department_id: r.get(7)?,
        department_name: r.get(8)?,
        keywords: lines(r.get(9)?),
        source: r.get(10)?,
        material: r.get(11)?,
        valid_from: date(r.get(12)?),
        valid_until: date(r.get(13)?),
        author: r.get(14)?,
        saved_at: from_ms(r.get(15)?),
        submitted_at: r.get::<_, Option<i64>>(16)?.map(from_ms),
        reviewer: r.get(17)?,
        reviewed_at: r.get::<_, Option<i64>>(18)?.map(from_ms),
        review_note: r.get(19)?,
    })
}

pub(super) fn today(c: &Connection, now: DateTime<Utc>) -> Result<NaiveDate> {
    Ok(now.with_timezone(&timezone(c)?).date_naive())
}

pub(super) fn article(c: &Connection, id: i64, now: DateTime<Utc>) -> Result<Article> {
    let head = c
        .prepare_cached(
            "SELECT a.latest_version, a.published_version, a.retired_at, a.retire_reason, t.number,
                    (SELECT count(*) FROM kb_uses u WHERE u.article_id = a.id),
                    (SELECT max(used_at) FROM kb_uses u WHERE u.article_id = a.id)
             FROM kb_articles a LEFT JOIN tickets t ON t.id = a.from_ticket_id WHERE a.id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, Option<i64>>(6)?,
            ))
        })
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "article",
            key: id.to_string(),
        })?;
    let versions: Vec<ArticleVersion> = c
        .prepare_cached(&format!(
            "{VERSION_SELECT} WHERE v.article_id = ?1 ORDER BY v.version DESC"
        ))?
        .query_map([id], version_row)?
        .collect::<super::sql::Result<_>>()?;
    let (latest, published, retired_at, retire_reason, from_ticket, uses, last_used) = head;
    let latest_state = versions
        .iter()
        .find(|v| v.version == latest)
        .map_or(VersionState::Draft, |v| v.state);
    let validity = published
        .and_then(|p| versions.iter().find(|v| v.version == p))
        .map(|v| (v.valid_from, v.valid_until));
    Ok(Article {
        id,
        state: article_state(latest_state, validity, retired_at.is_some(), today(c, now)?),
        latest_version: latest,
        published_version: published,
        retired_at: retired_at.map(from_ms),
        retire_reason,
        from_ticket,
        uses,
        last_used_at: last_used.map(from_ms),
        versions,
    })
}

/// Writes `a` as version `version` of article `id` (a draft), replacing a draft of that number.
fn write_version(
    c: &Connection,
    id: i64,
    version: i64,
    a: &NewArticle,
    by: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let category_id = match &a.category {
        Some(code) => Some(category_by_code(c, code)?.id),
        None => None,
    };
    if let Some(d) = a.department_id {
        get_department(c, d)?;
    }
    c.prepare_cached(
        "INSERT INTO kb_versions (article_id, version, state, title, questions, answer,
            category_id, department_id, keywords, source, material, valid_from, valid_until,
            author_id, saved_at)
         VALUES (?1, ?2, 'draft', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (article_id, version) DO UPDATE SET state = excluded.state, title = excluded.title,
            questions = excluded.questions, answer = excluded.answer, category_id = excluded.category_id,
            department_id = excluded.department_id, keywords = excluded.keywords, source = excluded.source,
            material = excluded.material, valid_from = excluded.valid_from, valid_until = excluded.valid_until,
            author_id = excluded.author_id, saved_at = excluded.saved_at",
    )?
    .execute(super::sql::params![
        id,
        version,
        a.title,
        a.questions.join("\n"),
        a.answer,
        category_id,
        a.department_id,
        a.keywords.join("\n"),
        a.source,
        a.material.unwrap_or(Material::Other),
        a.valid_from.map(|d| d.to_string()),
        a.valid_until.map(|d| d.to_string()),
        by,
        ms(now),
    ])?;
    Ok(())
}

/// A new article with `a` (validated) as its first draft.
pub(super) fn insert_article(
    c: &Connection,
    a: &NewArticle,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    let id = c
        .prepare_cached(
            "INSERT INTO kb_articles (latest_version, created_by, created_at) VALUES (1, ?1, ?2)",
        )?
        .insert((by, ms(now)))?;
    write_version(c, id, 1, a, by, now)?;
    Ok(id)
}

/// The published version in the search index (or out of it).
pub(super) fn index(c: &Connection, id: i64, published: Option<i64>) -> Result<()> {
    // PostgreSQL searches the published versions themselves (`pg_search::kb_ranked`).
    if c.as_sqlite().is_none() {
        return Ok(());
    }
    c.prepare_cached("DELETE FROM kb_search WHERE rowid = ?1")?
        .execute([id])?;
    if let Some(v) = published {
        c.prepare_cached(
            "INSERT INTO kb_search (rowid, title, questions, keywords, answer)
             SELECT article_id, hd_bigrams(title), hd_bigrams(questions), hd_bigrams(keywords), hd_bigrams(answer)
             FROM kb_versions WHERE article_id = ?1 AND version = ?2",
        )?
        .execute([id, v])?;
    }
    Ok(())
}

fn audit(
    c: &Connection,
    now: DateTime<Utc>,
    by: &Author<'_>,
    what: &str,
    a: &Article,
) -> Result<()> {
    append(
        c,
        now,
        Some(by.user),
        what,
        &format!("article:{}", a.id),
        &json!({ "version": a.latest_version, "published_version": a.published_version }),
    )
}

/// Checks a ticket's answer names a version that editors approved (published now or
/// before) of an article not retired, and records it.
pub(super) fn record_use(
    c: &Connection,
    ticket_id: i64,
    r: ArticleRef,
    by: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let state: Option<(VersionState, Option<i64>)> = c
        .prepare_cached(
            "SELECT v.state, a.retired_at FROM kb_versions v JOIN kb_articles a ON a.id = v.article_id
             WHERE v.article_id = ?1 AND v.version = ?2",
        )?
        .query_row([r.id, r.version], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    match state {
        Some((VersionState::Published | VersionState::Superseded, None)) => {}
        Some((s, retired)) => {
            return Err(Error::ArticleStep {
                step: "answer".into(),
                state: if retired.is_some() {
                    "retired"
                } else {
                    s.as_str()
                }
                .into(),
            })
        }
        None => {
            return Err(Error::NotFound {
                entity: "article",
                key: format!("{} v{}", r.id, r.version),
            })
        }
    }
    c.prepare_cached(
        "INSERT INTO kb_uses (ticket_id, article_id, version, used_by, used_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute((ticket_id, r.id, r.version, by, ms(now)))?;
    Ok(())
}

impl Store {
    /// A new article (`id` none) or a new draft of one: a draft is rewritten in place, a
    /// published or retired article gets a new version while the published one stays offered.
    pub fn save_article(
        &self,
        by: Author<'_>,
        id: Option<i64>,
        new: &NewArticle,
    ) -> Result<Article> {
        let a = new.validated()?;
        let now = self.now();
        self.write(|tx| {
            let id = match id {
                None => insert_article(tx, &a, by.user.id, now)?,
                Some(id) => {
                    let cur = article(tx, id, now)?;
                    let latest = cur.latest().map_or(VersionState::Draft, |v| v.state);
                    let version = match step(latest, cur.retired_at.is_some(), Step::Save)? {
                        Outcome::NewVersion => cur.latest_version + 1,
                        _ => cur.latest_version,
                    };
                    write_version(tx, id, version, &a, by.user.id, now)?;
                    tx.execute(
                        "UPDATE kb_articles SET latest_version = ?1 WHERE id = ?2",
                        (version, id),
                    )?;
                    id
                }
            };
            let out = article(tx, id, now)?;
            audit(tx, now, &by, "article_saved", &out)?;
            Ok(out)
        })
    }

    /// Sends the latest draft for review, approves or rejects it, or retires the article.
    pub fn article_step(
        &self,
        by: Author<'_>,
        id: i64,
        s: Step,
        note: Option<&str>,
    ) -> Result<Article> {
        let note = crate::kb::review_note(note)?;
        if s == Step::Retire && note.is_none() {
            return Err(Error::Required { field: "reason" });
        }
        let now = self.now();
        self.write(|tx| {
            let cur = article(tx, id, now)?;
            let latest = cur.latest().map_or(VersionState::Draft, |v| v.state);
            let Outcome::Move(to) = step(latest, cur.retired_at.is_some(), s)? else {
                return Err(Error::Internal("a step that moves nothing".into()));
            };
            let v = cur.latest_version;
            match s {
                Step::Submit => {
                    tx.execute(
                        "UPDATE kb_versions SET state = ?1, submitted_at = ?2 WHERE article_id = ?3 AND version = ?4",
                        (to, ms(now), id, v),
                    )?;
                }
                Step::Approve | Step::Reject => {
                    if s == Step::Approve {
                        tx.execute(
                            "UPDATE kb_versions SET state = 'superseded' WHERE article_id = ?1 AND state IN ('published', 'retired')",
                            [id],
                        )?;
                        tx.execute(
                            "UPDATE kb_articles SET published_version = ?1, retired_at = NULL, retired_by = NULL, retire_reason = NULL WHERE id = ?2",
                            (v, id),
                        )?;
                    }
                    tx.execute(
                        "UPDATE kb_versions SET state = ?1, reviewed_by = ?2, reviewed_at = ?3, review_note = ?4 WHERE article_id = ?5 AND version = ?6",
                        (to, by.user.id, ms(now), &note, id, v),
                    )?;
                }
                Step::Retire => {
                    tx.execute(
                        "UPDATE kb_versions SET state = 'retired' WHERE article_id = ?1 AND state = 'published'",
                        [id],
                    )?;
                    tx.execute(
                        "UPDATE kb_articles SET retired_at = ?1, retired_by = ?2, retire_reason = ?3 WHERE id = ?4",
                        (ms(now), by.user.id, &note, id),
                    )?;
                }
                Step::Save => {}
            }
            let out = article(tx, id, now)?;
            index(
                tx,
                id,
                out.published_version.filter(|_| out.retired_at.is_none()),
            )?;
            audit(tx, now, &by, &format!("article_{}", s.as_str()), &out)?;
            Ok(out)
        })
    }

    pub fn article(&self, id: i64) -> Result<Article> {
        let now = self.now();
        self.read(|c| article(c, id, now))
    }

    /// A draft written from a ticket that was answered or solved: what the caller asked as
    /// the question, what they were told as the answer.
    pub fn article_from_ticket(&self, by: Author<'_>, ticket_id: i64) -> Result<Article> {
        let t = self.ticket(ticket_id)?;
        let answer = t
            .answer
            .clone()
            .or(t.result.clone())
            .ok_or(Error::Required { field: "answer" })?;
        let category = self.read(|c| super::reference::get_category(c, t.category_id))?;
        // Knowledge is for everyone: what identifies the caller stays out of it.
        let answer = crate::mask::text(&answer);
        let question: String = crate::mask::text(&t.description)
            .chars()
            .take(crate::kb::TITLE_MAX)
            .collect();
        let draft = NewArticle {
            title: question.chars().take(40).collect(),
            questions: vec![question],
            answer,
            category: Some(category.code),
            department_id: t.department_id,
            ..NewArticle::default()
        };
        let draft = draft.validated()?;
        let now = self.now();
        // The draft and the ticket it came from, in one transaction.
        self.write(|tx| {
            let id = insert_article(tx, &draft, by.user.id, now)?;
            tx.execute(
                "UPDATE kb_articles SET from_ticket_id = ?1 WHERE id = ?2",
                (ticket_id, id),
            )?;
            let out = article(tx, id, now)?;
            audit(tx, now, &by, "article_saved", &out)?;
            Ok(out)
        })
    }

    /// The published articles valid today that best match what the caller said, best
    /// first (bm25 over title, question variants, keywords and answer, in that weight).
    pub fn suggest_articles(&self, text: &str, limit: u32) -> Result<Vec<Suggestion>> {
        let text: String = text.chars().take(SUGGEST_TEXT_MAX).collect();
        let Some(m) = any_of(&text) else {
            return Ok(Vec::new());
        };
        let now = self.now();
        if self.is_postgres() {
            return self.read(|c| suggest_on_pg(c, &text, &today(c, now)?.to_string(), limit));
        }
        self.read(|c| {
            let today = today(c, now)?.to_string();
            Ok(c.prepare_cached(
                "SELECT a.id, v.version, v.title, v.answer, v.material, d.name, v.valid_until, s.score
                 FROM (SELECT rowid, bm25(kb_search, 8.0, 6.0, 4.0, 1.0) AS score FROM kb_search
                       WHERE kb_search MATCH ?1 ORDER BY score LIMIT ?4) s
                 JOIN kb_articles a ON a.id = s.rowid
                 JOIN kb_versions v ON v.article_id = a.id AND v.version = a.published_version
                 LEFT JOIN departments d ON d.id = v.department_id
                 WHERE a.retired_at IS NULL
                   AND (v.valid_from IS NULL OR v.valid_from <= ?2)
                   AND (v.valid_until IS NULL OR v.valid_until >= ?2)
                 ORDER BY s.score, a.id LIMIT ?3",
            )?
            // The best `RANK_WINDOW` matches are ranked by the index alone; only they are
            // joined to their wording (a common word matches thousands of articles).
            .query_map(super::sql::params![m, today, limit.clamp(1, 20), RANK_WINDOW], |r| {
                suggestion(r, r.get(7)?)
            })?
            .collect::<super::sql::Result<_>>()?)
        })
    }
}

/// A suggestion from a row of (id, version, title, answer, material, department, valid
/// until) and its score.
fn suggestion(r: &super::sql::Row, score: f64) -> super::sql::Result<Suggestion> {
    Ok(Suggestion {
        id: r.get(0)?,
        version: r.get(1)?,
        title: r.get(2)?,
        answer: r.get(3)?,
        material: r.get(4)?,
        department_name: r.get(5)?,
        valid_until: date(r.get(6)?),
        score,
    })
}

/// `suggest_articles` on PostgreSQL: the same ranking (`pg_search::kb_ranked`), the same
/// window, the same filters and order.
fn suggest_on_pg(c: &Connection, text: &str, today: &str, limit: u32) -> Result<Vec<Suggestion>> {
    let Some(any) = crate::search::AnyOf::of(text) else {
        return Ok(Vec::new());
    };
    let ranked = super::pg_search::kb_ranked(c, &any, RANK_WINDOW as usize)?;
    if ranked.is_empty() {
        return Ok(Vec::new());
    }
    let marks = super::queues::number(&vec!["?"; ranked.len()].join(", "), 1);
    let mut values: Vec<super::sql::Value> = vec![super::sql::Value::Text(today.to_string())];
    values.extend(ranked.iter().map(|(id, _)| super::sql::Value::Integer(*id)));
    let mut found: Vec<Suggestion> = c
        .prepare(&format!(
            "SELECT a.id, v.version, v.title, v.answer, v.material, d.name, v.valid_until
             FROM kb_articles a
             JOIN kb_versions v ON v.article_id = a.id AND v.version = a.published_version
             LEFT JOIN departments d ON d.id = v.department_id
             WHERE a.id IN ({marks}) AND a.retired_at IS NULL
               AND (v.valid_from IS NULL OR v.valid_from <= ?1)
               AND (v.valid_until IS NULL OR v.valid_until >= ?1)"
        ))?
        .query_map(super::sql::params_from_iter(values.iter()), |r| {
            let id: i64 = r.get(0)?;
            let score = ranked
                .iter()
                .find(|(a, _)| *a == id)
                .map_or(0.0, |(_, s)| *s);
            suggestion(r, score)
        })?
        .collect::<super::sql::Result<_>>()?;
    found.sort_by(|a, b| a.score.total_cmp(&b.score).then(a.id.cmp(&b.id)));
    found.truncate(limit.clamp(1, 20) as usize);
    Ok(found)
}

#[cfg(test)]
#[path = "kb_tests.rs"]
pub(super) mod tests;
